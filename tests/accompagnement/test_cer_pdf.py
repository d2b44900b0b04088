"""The CER printed for signature: a document kind of the shared engine, rendered by WeasyPrint."""

import datetime
import html
import io
import os
from pathlib import Path

import time_machine
from django.urls import reverse
from pypdf import PdfReader

from portal.documents.models import GeneratedDocument

TODAY = datetime.datetime(2026, 11, 25, 9, tzinfo=datetime.UTC)


def text_of(pdf_bytes):
    reader = PdfReader(io.BytesIO(pdf_bytes))
    return " ".join(" ".join(page.extract_text().replace("\u00a0", " ").split()) for page in reader.pages)


@time_machine.travel(TODAY)
def test_the_referent_prints_the_cer_for_signature(client_for, world, django_capture_on_commit_callbacks):
    world.cer_a.actions.create(
        intitule="Inscription à France Travail",
        date_debut=datetime.date(2026, 11, 2),
        date_fin=datetime.date(2026, 11, 30),
        detail="Création de l'espace personnel.",
        insertion_professionnelle=True,
    )
    client = client_for("referent")
    detail_url = reverse("accompagnement:cer_detail", args=[world.cer_a.pk])
    content = html.unescape(client.get(detail_url).content.decode())
    request_url = reverse("documents:request", args=["cer", world.cer_a.pk])
    assert request_url in content
    assert "Contrat d'engagement réciproque (à signer)" in content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(request_url)
    assert response.status_code == 302
    document = GeneratedDocument.objects.get(kind="cer")
    assert document.status == "pret", document.error
    assert document.filename == "cer-1000001-2026-10-15-v1.pdf"
    pdf = document.file.read()
    text = text_of(pdf)
    if os.environ.get("CER_PDF_OUT"):  # to look at it: CER_PDF_OUT=/tmp/cer.pdf pytest …; pdftoppm -png …
        Path(os.environ["CER_PDF_OUT"]).write_bytes(pdf)
    for expected in (
        "Département du Pas-de-Calais",
        "Contrat d'engagement réciproque",
        "Test Aubert",
        "N° CAF : 1000001",
        "Date de naissance : 4 mai 1980",
        "Anne Alpha",
        "Structure A",
        "CER solidarité conclu pour la période du 15 octobre 2026 au 14 avril 2027",
        "Logement d'abord, puis reprise de contact avec la mission locale.",
        "Demande de logement social",
        "Inscription à France Travail",
        "2 novembre 2026",
        "Engagements réciproques",
        "La personne bénéficiaire",
        "Le référent",
        "Fait à",
        "page 1 / 1",
    ):
        assert expected in text, expected
    assert client.get(reverse("documents:detail", args=[document.pk])).status_code == 200
    download = client.get(reverse("documents:download", args=[document.pk]))
    assert download.status_code == 200
    # The request and the download are in the person's own audit trail (where the DPID looks).
    from portal.audit.models import AuditEntry

    person_trail = AuditEntry.objects.filter(object_id=str(world.orientation_a.beneficiaire_id))
    assert person_trail.filter(action="export", detail__startswith="Document demandé").count() == 1
    assert person_trail.filter(action="telechargement", user=world.user("referent")).count() == 1
    # The CER page lists the version to download.
    content = html.unescape(client.get(detail_url).content.decode())
    assert reverse("documents:download", args=[document.pk]) in content


def test_readers_cannot_request_it_but_see_it(client_for, world, django_capture_on_commit_callbacks):
    request_url = reverse("documents:request", args=["cer", world.cer_a.pk])
    for role in ("slai", "dpid", "manager"):
        assert client_for(role).post(request_url).status_code == 403
    assert not GeneratedDocument.objects.filter(kind="cer").exists()
    with django_capture_on_commit_callbacks(execute=True):
        client_for("responsable").post(request_url)
    document = GeneratedDocument.objects.get(kind="cer")
    # The PDF follows the JSON export's rule (tests/security/test_documents_rule.py).
    assert client_for("dpid").get(reverse("documents:download", args=[document.pk])).status_code == 200
    assert client_for("slai").get(reverse("documents:download", args=[document.pk])).status_code == 404
    colleague_cer = world.orientation_a2.cers.create(
        type="solidarite",
        date_edition=datetime.date(2026, 10, 15),
        date_debut=datetime.date(2026, 10, 15),
        date_fin=datetime.date(2027, 4, 14),
        remarque="Remarque.",
    )
    response = client_for("referent").post(reverse("documents:request", args=["cer", colleague_cer.pk]))
    assert response.status_code == 404
