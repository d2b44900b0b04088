"""The yearly report to the Commission Permanente (seed 001 l. 588; issue 14, item 6): the
labelled structures by territory and the year's decisions."""

import datetime
import html
import re

import pytest
from django.urls import reverse

from label import services
from tests.label.factories import at, clear_label_records, ready_to_decide

D = datetime.date


@pytest.fixture(autouse=True)
def no_label_records(world):
    clear_label_records()


def test_the_yearly_report_lists_the_decisions_and_the_labelled_structures(world, client_for):
    with at(D(2026, 3, 1)):
        demande = ready_to_decide(world)
    with at(D(2026, 3, 10)):
        services.demande_accorder(demande=demande, user=world.user("dpid"))
        page = client_for("dpid").get(reverse("label:rapport_annuel") + "?annee=2026")
    text = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page.content.decode())))
    assert "Labels accordés : 1" in text
    assert "Structure A Label accordé 10 mars 2026" in text
    assert "Structures labellisées au 10 mars 2026, par territoire" in text
    assert "Structure A – jusqu'au 9 mars 2031" in text
    with at(D(2026, 3, 10)):
        assert client_for("responsable").get(reverse("label:rapport_annuel")).status_code == 403


def pdf_text(document):
    import io

    from pypdf import PdfReader

    document.file.open("rb")
    try:
        reader = PdfReader(io.BytesIO(document.file.read()))
    finally:
        document.file.close()
    return " ".join(" ".join((page.extract_text() or "").replace("\u00a0", " ").split()) for page in reader.pages)


def test_the_yearly_report_pdf_lists_territories_and_decisions(world, client_for, django_capture_on_commit_callbacks):
    from label.models import RapportAnnuel
    from portal.documents.models import GeneratedDocument

    with at(D(2026, 3, 1)):
        demande = ready_to_decide(world)
    with at(D(2026, 3, 10)):
        services.demande_accorder(demande=demande, user=world.user("dpid"))
    url = reverse("label:rapport_annuel_pdf")
    with at(D(2026, 12, 7)):
        for role in ("responsable", "referent", "slai", "manager"):
            assert client_for(role).post(url, {"annee": "2026"}).status_code == 403
        # A year outside 2025..this year is refused with a message, nothing is created.
        response = client_for("dpid").post(url, {"annee": "2031"}, follow=True)
        assert "Choisissez une année entre 2025" in html.unescape(response.content.decode())
        assert not RapportAnnuel.objects.exists()
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for("dpid").post(url, {"annee": "2026"})
        assert response["Location"] == reverse("label:rapport_annuel") + "?annee=2026"
        document = GeneratedDocument.objects.get(kind="label_rapport_annuel")
        assert document.status == "pret" and document.filename == "label-rapport-annuel-2026-v1.pdf"
        text = pdf_text(document)
        assert "Label « Référent 62 » – bilan 2026 à la Commission Permanente" in text
        assert "Structures labellisées au 7 décembre 2026, par territoire" in text
        territoire = world.structure_a.territoires.order_by("nom").first().nom
        assert f"{territoire} Structure A du 10 mars 2026 au 9 mars 2031" in text
        assert "10 mars 2026 Structure A" in text and "Label accordé" in text
        assert "Ce document comprend 1 page" in text
        # The page lists the version; the manager (read-only) sees it without the button.
        page = html.unescape(
            client_for("manager").get(reverse("label:rapport_annuel") + "?annee=2026").content.decode()
        )
        assert "Rapport annuel du label à la Commission Permanente" in page and "Version 1" in page
        assert "Produire" not in page
