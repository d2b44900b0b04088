"""The structure's side in the browser's place: sections, uploads, budget page, deposit and receipt,
the label gate; the instructors' queues and exports."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from aap import selectors, services
from aap.enums import EtatCandidature
from aap.models import Candidature, Dispositif, Personnel, PieceJointe
from label.models import Label
from portal.accounts.enums import Role
from tests.aap.factories import PIECE, advance, make_appel, make_candidature
from tests.factories import StructureFactory, UserFactory

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def draft(world):
    made = make_appel()
    return make_candidature(
        dispositif=made.dispositif, structure=world.structure_a, territoire=world.territoire_a, complete=False
    )


def test_structure_starts_a_draft_from_the_fiche(client_for, world):
    made = make_appel(profil_personnel="Diplôme de travailleur social ou 2 ans d'expérience.")
    client = client_for("responsable")
    page = client.get(reverse("aap:dispositif_detail", args=[made.dispositif.pk])).content.decode()
    assert "Ce qu'il vous faudra" in page
    assert PIECE in page
    assert "les CV ne sont pas demandés" in page  # structure A is labelled
    response = client.post(
        reverse("aap:candidature_create", args=[made.dispositif.pk]), {"territoire": world.territoire_a.pk}
    )
    candidature = Candidature.objects.get(structure=world.structure_a)
    assert response["Location"] == candidature.get_absolute_url()
    again = client.post(
        reverse("aap:candidature_create", args=[made.dispositif.pk]),
        {"territoire": world.territoire_a.pk},
        follow=True,
    )
    assert "déjà une candidature pour ce dispositif sur ce territoire" in again.content.decode()


def test_project_section_keeps_input_on_error(client_for, draft):
    client = client_for("responsable")
    url = reverse("aap:candidature_projet", args=[draft.pk])
    response = client.post(
        url, {"intitule": "Mon action", "date_debut": "2026-06-01", "date_fin": "2026-01-01", "places": "abc"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="Mon action"' in page
    assert "La fin de l&#x27;action ne peut pas précéder son début." in page
    draft.refresh_from_db()
    assert draft.intitule == ""
    client.post(url, {"intitule": "Mon action", "places": "120"})
    draft.refresh_from_db()
    assert (draft.intitule, draft.places) == ("Mon action", 120)


def test_drafts_save_as_the_user_types(client_for, draft):
    client = client_for("responsable")
    url = reverse("aap:candidature_projet", args=[draft.pk])
    assert "js/aap-autosave.js" in client.get(url).content.decode()
    response = client.post(url, {"intitule": "Brouillon en cours"}, headers={"X-Autosave": "1"})
    assert response.status_code == 200 and response.json()["ok"]
    draft.refresh_from_db()
    assert draft.intitule == "Brouillon en cours"
    refused = client.post(url, {"intitule": "Autre", "places": "beaucoup"}, headers={"X-Autosave": "1"})
    assert refused.status_code == 422
    draft.refresh_from_db()
    assert draft.intitule == "Brouillon en cours"
    budget = client.post(
        reverse("aap:candidature_budget", args=[draft.pk]), {"montant_64": "1 200"}, headers={"X-Autosave": "1"}
    )
    assert budget.status_code == 200
    assert draft.budget_amounts() == {"64": Decimal("1200.00")}


def test_budget_page_saves_french_decimals_and_shows_the_balance(client_for, draft):
    client = client_for("responsable")
    url = reverse("aap:candidature_budget", args=[draft.pk])
    page = client.get(url).content.decode()
    assert "js/aap-budget.js" in page and "nonce=" in page
    client.post(url, {"montant_64": "1 000,50", "montant_74_departement": "800", "precision_64": "1 ETP"})
    assert draft.budget_amounts() == {"64": Decimal("1000.50"), "74_departement": Decimal("800.00")}
    page = client.get(url).content.decode()
    assert "Il manque 200,50\u00a0€ de ressources pour équilibrer le budget." in page
    bad = client.post(url, {"montant_64": "-5", "montant_60": "12,5"})
    assert bad.status_code == 200
    assert 'value="12,5"' in bad.content.decode()
    assert draft.budget_amounts()["64"] == Decimal("1000.50")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "notice.pdf",
            b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64,
            "ni un PDF, ni une image JPEG ou PNG, ni un document bureautique",
        ),
        ("vide.pdf", b"", "Le fichier est vide."),
        ("gros.pdf", b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024), "Le fichier dépasse 10 Mo."),
    ],
)
def test_uploads_refused_with_french_message_and_form_kept(client_for, draft, name, content, message):
    client = client_for("responsable")
    response = client.post(
        reverse("aap:candidature_personnel", args=[draft.pk]),
        {"nom": "Camille Durand", "fonction": "Référente", "etp": "0,5", "cv": SimpleUploadedFile(name, content)},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page.replace("&#x27;", "'")
    assert 'value="Camille Durand"' in page and 'value="Référente"' in page
    assert not Personnel.objects.exists()
    response = client.post(
        reverse("aap:candidature_pieces", args=[draft.pk]),
        {"nature": PIECE, "fichier": SimpleUploadedFile(name, content)},
    )
    assert message in response.content.decode().replace("&#x27;", "'")
    assert f'value="{PIECE}" selected' in response.content.decode()
    assert not PieceJointe.objects.exists()


def test_office_document_accepted_and_downloaded_privately(client_for, draft):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    client = client_for("responsable")
    client.post(
        reverse("aap:candidature_pieces", args=[draft.pk]),
        {"nature": PIECE, "fichier": SimpleUploadedFile("statuts.docx", buffer.getvalue())},
    )
    piece = PieceJointe.objects.get()
    assert piece.nom_original == "statuts.docx"
    assert "statuts" not in piece.fichier.name  # stored under a random name
    assert piece.fichier.name.endswith(".docx")
    response = client.get(reverse("aap:piece_download", args=[piece.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.docx"')
    assert client_for("slai").get(reverse("aap:piece_download", args=[piece.pk])).status_code == 404  # a draft


@pytest.mark.parametrize("field", ["piece", "cv"])
def test_pdf_named_html_is_stored_and_served_as_pdf(client_for, draft, field):
    """Issue 15's upload rule on the calls for projects: the stored name and the served type come
    from the content, never from the uploaded name."""
    content = b"%PDF-1.4\n<html><script>alert(1)</script></html>\n"
    client = client_for("responsable")
    if field == "piece":
        response = client.post(
            reverse("aap:candidature_pieces", args=[draft.pk]),
            {"nature": PIECE, "fichier": SimpleUploadedFile("payload.html", content, content_type="text/html")},
        )
        stored = PieceJointe.objects.get()
        fieldfile, url = stored.fichier, reverse("aap:piece_download", args=[stored.pk])
        assert stored.nom_original == "payload.html"  # shown in lists, never used on disk nor when served
    else:
        response = client.post(
            reverse("aap:candidature_personnel", args=[draft.pk]),
            {
                "nom": "Camille Durand",
                "fonction": "Référente",
                "etp": "0,5",
                "cv": SimpleUploadedFile("payload.html", content, content_type="text/html"),
            },
        )
        stored = Personnel.objects.get()
        fieldfile, url = stored.cv, reverse("aap:personnel_cv", args=[stored.pk])
    assert response.status_code == 302
    name = fieldfile.name.rsplit("/", 1)[-1]
    assert name.endswith(".pdf") and len(name) == 32 + 4 and "payload" not in name
    served = client.get(url)
    assert served.status_code == 200
    assert served["Content-Type"] == "application/pdf"
    assert served["Content-Disposition"].startswith("attachment; ")
    assert served["Content-Disposition"].endswith('.pdf"')
    assert "payload" not in served["Content-Disposition"] and ".html" not in served["Content-Disposition"]
    assert served["X-Content-Type-Options"] == "nosniff"
    assert b"".join(served.streaming_content) == content


def test_non_pdf_named_pdf_is_refused_next_to_the_field_and_input_kept(client_for, draft):
    client = client_for("responsable")
    response = client.post(
        reverse("aap:candidature_personnel", args=[draft.pk]),
        {
            "nom": "Camille Durand",
            "fonction": "Référente",
            "qualification": "DEIS",
            "etp": "0,5",
            "cv": SimpleUploadedFile("x.pdf", b"<html><script></script></html>", content_type="application/pdf"),
        },
    )
    page = response.content.decode().replace("&#x27;", "'")
    assert response.status_code == 200
    assert 'value="Camille Durand"' in page and 'value="DEIS"' in page and 'value="0,5"' in page
    # the message is the cv field's own error, tied to the field for assistive technologies
    error = page.rindex("son contenu a été vérifié, pas son nom")
    field = page.index('name="cv"')
    assert abs(error - field) < 1500
    assert 'aria-invalid="true"' in page[page.rfind("<input", 0, field) : page.index(">", field)]
    assert not Personnel.objects.exists()
    response = client.post(
        reverse("aap:candidature_pieces", args=[draft.pk]),
        {"nature": PIECE, "fichier": SimpleUploadedFile("x.pdf", b"GIF89a not a pdf", content_type="application/pdf")},
    )
    page = response.content.decode().replace("&#x27;", "'")
    assert "son contenu a été vérifié, pas son nom" in page
    assert f'value="{PIECE}" selected' in page
    assert not PieceJointe.objects.exists()


@pytest.mark.parametrize(
    ("parts", "extension", "content_type"),
    [
        ({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"}, "xlsx", "spreadsheetml"),
        ({"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<c/>"}, "odt", "opendocument.text"),
    ],
)
def test_office_documents_keep_their_detected_type(client_for, draft, parts, extension, content_type):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    client = client_for("responsable")
    client.post(
        reverse("aap:candidature_pieces", args=[draft.pk]),
        {"nature": PIECE, "fichier": SimpleUploadedFile("budget.pdf", buffer.getvalue())},
    )
    piece = PieceJointe.objects.get()
    assert piece.fichier.name.endswith(f".{extension}")
    served = client.get(reverse("aap:piece_download", args=[piece.pk]))
    assert content_type in served["Content-Type"]
    assert served["Content-Disposition"].endswith(f'.{extension}"')


def test_word_97_document_detected_by_its_streams(client_for, draft):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500 + "WordDocument".encode("utf-16-le") + b"\x00" * 80
    client = client_for("responsable")
    client.post(
        reverse("aap:candidature_pieces", args=[draft.pk]),
        {"nature": PIECE, "fichier": SimpleUploadedFile("statuts.html", ole)},
    )
    piece = PieceJointe.objects.get()
    assert piece.fichier.name.endswith(".doc")
    assert client.get(reverse("aap:piece_download", args=[piece.pk]))["Content-Type"] == "application/msword"


def test_deposit_lists_what_is_missing_in_french(client_for, draft):
    response = client_for("responsable").post(reverse("aap:candidature_deposer", args=[draft.pk]), follow=True)
    page = response.content.decode().replace("&#x27;", "'")
    assert "La candidature ne peut pas être déposée" in page
    assert "Projet : la description de l'action." in page
    assert f"Pièce jointe : {PIECE}." in page
    assert "Budget : les charges prévisionnelles." in page
    draft.refresh_from_db()
    assert draft.etat == EtatCandidature.BROUILLON


def test_deposit_produces_the_receipt(client_for, world, django_capture_on_commit_callbacks):
    from portal.documents.models import GeneratedDocument

    made = make_appel()
    candidature = make_candidature(
        dispositif=made.dispositif, structure=world.structure_a, territoire=world.territoire_a
    )
    client = client_for("responsable")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("aap:candidature_deposer", args=[candidature.pk]), follow=True)
    assert "Candidature déposée" in response.content.decode()
    document = GeneratedDocument.objects.get(kind="aap_recepisse", object_id=candidature.pk)
    assert document.status == "pret"
    assert document.page_count >= 1


# --- label gate --------------------------------------------------------------------------------


@pytest.fixture
def unlabelled(world):
    structure = StructureFactory(nom="Sans label", territoires=[world.territoire_a])
    user = UserFactory(role=Role.RESPONSABLE, structure=structure)
    return structure, user


def _gated(world, structure, gate):
    made = make_appel(
        ouverture=datetime.date(2026, 6, 1), cloture=datetime.date(2026, 7, 31), label_requis_a_partir_du=gate
    )
    return make_candidature(dispositif=made.dispositif, structure=structure, territoire=world.territoire_a)


@pytest.mark.parametrize(
    ("labelled", "day", "allowed"),
    [
        (False, datetime.date(2026, 6, 30), True),  # before the gate's date
        (False, datetime.date(2026, 7, 1), False),  # from the gate's date, without label
        (True, datetime.date(2026, 7, 1), True),  # with a valid label
    ],
)
def test_label_gate(world, unlabelled, labelled, day, allowed):
    structure, user = unlabelled
    with time_machine.travel(datetime.datetime(2026, 6, 2, 9, tzinfo=PARIS), tick=False):
        candidature = _gated(world, structure, datetime.date(2026, 7, 1))
    if labelled:
        Label.objects.create(
            structure=structure, date_decision=datetime.date(2026, 5, 1), date_fin=datetime.date(2031, 4, 30)
        )
    with time_machine.travel(datetime.datetime.combine(day, datetime.time(10), tzinfo=PARIS), tick=False):
        if allowed:
            services.candidature_deposit(candidature=candidature, user=user)
            assert candidature.etat == "deposee"
        else:
            with pytest.raises(services.AapError) as error:
                services.candidature_deposit(candidature=candidature, user=user)
            assert any("seules les structures titulaires du label" in item for item in error.value.items)
            assert any("demandez-le depuis la rubrique Label" in item for item in error.value.items)


def test_expired_label_does_not_pass_the_gate(world, unlabelled):
    structure, user = unlabelled
    with time_machine.travel(datetime.datetime(2026, 6, 2, 9, tzinfo=PARIS), tick=False):
        candidature = _gated(world, structure, datetime.date(2026, 6, 1))
    Label.objects.create(
        structure=structure, date_decision=datetime.date(2021, 5, 1), date_fin=datetime.date(2026, 4, 30)
    )
    with (
        time_machine.travel(datetime.datetime(2026, 6, 10, 9, tzinfo=PARIS), tick=False),
        pytest.raises(services.AapError),
    ):
        services.candidature_deposit(candidature=candidature, user=user)


def test_cv_required_without_label(world, unlabelled):
    structure, user = unlabelled
    made = make_appel()
    candidature = make_candidature(dispositif=made.dispositif, structure=structure, territoire=world.territoire_a)
    Personnel.objects.filter(candidature=candidature).update(cv="")
    with pytest.raises(services.AapError) as error:
        services.candidature_deposit(candidature=candidature, user=user)
    assert "Personnel : le CV de Camille Durand." in error.value.items


# --- queues ------------------------------------------------------------------------------------


def _many(world, n):
    made = make_appel()
    dispositifs = Dispositif.objects.bulk_create(
        Dispositif(appel=made.appel, code=f"9.{i}", libelle=f"Dispositif {i}") for i in range(n)
    )
    now = datetime.datetime(2026, 11, 2, 10, tzinfo=PARIS)
    Candidature.objects.bulk_create(
        Candidature(
            dispositif=d,
            structure=world.structure_a if i % 2 else world.structure_b,
            territoire=world.territoire_a if i % 2 else world.territoire_b,
            etat=EtatCandidature.DEPOSEE,
            deposee_at=now,
        )
        for i, d in enumerate(dispositifs)
    )


@pytest.mark.parametrize("rows", [10, 500])
@pytest.mark.parametrize("role", ["dpid", "slai"])
def test_queue_queries_are_bounded(client_for, world, django_assert_max_num_queries, role, rows):
    _many(world, rows)
    client = client_for(role)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("aap:file"))
    assert response.status_code == 200
    expected = rows if role == "dpid" else rows // 2
    assert f"{expected} candidatures" in response.content.decode()


def test_queue_filters_counts_and_export(client_for, world):
    made = make_appel()
    users = world.users
    first = make_candidature(dispositif=made.dispositif, structure=world.structure_a, territoire=world.territoire_a)
    advance(first, "proposee", users=users)
    other = Dispositif.objects.create(appel=made.appel, code="3.14", libelle="Insertion innovante")
    second = make_candidature(dispositif=other, structure=world.structure_a, territoire=world.territoire_a)
    advance(second, "deposee", users=users)
    client = client_for("dpid")
    page = client.get(reverse("aap:file"), {"etat": "proposee"}).content.decode()
    assert "1 candidature" in page and "16\u00a0000,00\u00a0€" in page
    csv = client.get(reverse("aap:export"), {"colonnes": ["structure", "montant_propose"], "format": "csv"})
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Structure;Montant proposé (€)"
    assert "Structure A;16000,00" in lines
    xlsx = client.get(reverse("aap:export"), {"colonnes": ["dispositif"], "format": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_queue_state_counts_count_each_application_once(client_for, world):
    """An application asked two opinions is still one application in the queue's count by state."""
    made = make_appel()
    users = world.users
    candidature = make_candidature(
        dispositif=made.dispositif, structure=world.structure_a, territoire=world.territoire_a
    )
    advance(candidature, "en_instruction", users=users)
    for question in ("Le partenariat est-il réel ?", "Les locaux sont-ils accessibles ?"):
        services.avis_request(
            candidature=candidature,
            destinataire=users["dpid"],
            question=question,
            echeance=datetime.date.today() + datetime.timedelta(days=7),
            user=users["slai"],
        )
    response = client_for("dpid").get(reverse("aap:file"))
    assert [(etat, n) for etat, _label, n in response.context["counts"]] == [(EtatCandidature.EN_INSTRUCTION, 1)]


def test_proposals_selector_for_the_funding_domain(world):
    made = make_appel()
    candidature = make_candidature(
        dispositif=made.dispositif, structure=world.structure_a, territoire=world.territoire_a
    )
    advance(candidature, "retenue", users=world.users)
    [proposal] = selectors.proposals()
    assert proposal.candidature_id == candidature.pk
    assert (proposal.montant, proposal.places, proposal.etp) == (Decimal("16000.00"), 200, Decimal("0.80"))
    assert (proposal.dispositif_code, proposal.territoire, proposal.structure) == ("1.1", "Arrageois", "Structure A")
    assert selectors.proposals(user=UserFactory(role=Role.SLAI, territoire=world.territoire_b)) == []


def test_private_annotations_never_reach_the_structure(client_for, world):
    made = make_appel()
    candidature = make_candidature(
        dispositif=made.dispositif, structure=world.structure_a, territoire=world.territoire_a
    )
    advance(candidature, "deposee", users=world.users)
    services.annotation_add(
        candidature=candidature, texte="Structure fragile financièrement.", user=world.users["dpid"]
    )
    url = reverse("aap:candidature_detail", args=[candidature.pk])
    assert "Structure fragile" in client_for("slai").get(url).content.decode()
    assert "Structure fragile" not in client_for("responsable").get(url).content.decode()
    assert "Structure fragile" not in client_for("referent").get(url).content.decode()


def test_application_uploads_go_through_the_antivirus_when_configured(client_for, draft, settings):
    from portal.core import uploads

    class Infected:
        def scan(self, fileobj):
            return "Eicar-Test-Signature"

    uploads.use_scanner(Infected())
    try:
        response = client_for("responsable").post(
            reverse("aap:candidature_pieces", args=[draft.pk]),
            {"nature": PIECE, "fichier": SimpleUploadedFile("statuts.pdf", b"%PDF-1.4\n")},
        )
    finally:
        uploads.use_scanner(None)
    assert "Ce fichier contient un virus (Eicar-Test-Signature)" in response.content.decode()
    assert not PieceJointe.objects.exists()
    # The size limit is the kind's setting.
    settings.UPLOAD_MAX_BYTES = {"aap": 2048}
    response = client_for("responsable").post(
        reverse("aap:candidature_pieces", args=[draft.pk]),
        {"nature": PIECE, "fichier": SimpleUploadedFile("statuts.pdf", b"%PDF-1.4\n" + b"0" * 4096)},
    )
    assert "Le fichier dépasse 2 ko." in response.content.decode()
