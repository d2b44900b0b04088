"""Guards found in review: an exit's bilan must be current, decisions stop with the
accompaniment, one CER per start date, form pages are audited reads, exports never carry a
spreadsheet formula."""

import csv
import datetime
import html
import io

import openpyxl
import time_machine
from django.urls import reverse

from accompagnement.models import Cer, DemandeRenouvellement, Orientation, Sortie
from accompagnement.xlsx import csv_bytes, xlsx_bytes
from portal.audit.models import AuditEntry

TODAY = datetime.datetime(2026, 11, 25, 9, tzinfo=datetime.UTC)


def text(response):
    return html.unescape(response.content.decode())


def signed_cer(orientation, debut=datetime.date(2026, 10, 16)):  # world.cer_a (a draft) starts on the 15th
    return Cer.objects.create(
        orientation=orientation,
        type="solidarite",
        date_edition=debut,
        date_debut=debut,
        date_fin=debut + datetime.timedelta(days=181),
        remarque="Logement puis emploi.",
        signe_le=debut,
    )


@time_machine.travel(TODAY)
def test_an_exit_with_a_bilan_dated_before_the_current_cer_is_refused(client_for, world):
    signed_cer(world.orientation_a)
    url = reverse("accompagnement:sortie_create", args=[world.orientation_a.pk])
    data = {"date": "2026-11-24", "motif": "cdi", "commentaire": ""}
    old_bilan = {"diagnostic-date": "2026-10-01", "diagnostic-synthese": "Ancien bilan.", "diagnostic-freins": []}
    page = text(client_for("referent").post(url, {**data, **old_bilan}))
    assert "daté avant le début du CER en cours" in page
    assert not Sortie.objects.exists()
    assert not world.orientation_a.diagnostics.exists()  # rolled back with the exit
    current = {**old_bilan, "diagnostic-date": "2026-11-20"}
    assert client_for("referent").post(url, {**data, **current}).status_code == 302
    assert Sortie.objects.get().motif == "cdi"


@time_machine.travel(TODAY)
def test_a_renewal_of_an_ended_accompaniment_cannot_be_decided(client_for, world):
    cer = signed_cer(world.orientation_a, debut=datetime.date(2026, 5, 1))
    demande = DemandeRenouvellement.objects.create(cer=cer, date_demande=datetime.date(2026, 10, 2), argumentaire="A")
    Orientation.objects.filter(pk=world.orientation_a.pk).update(date_fin=datetime.date(2026, 11, 1))
    url = reverse("accompagnement:renouvellement_decider", args=[demande.pk])
    page = text(client_for("slai").post(url, {"decision": "accepter", "motif": ""}, follow=True))
    assert "Cet accompagnement est terminé" in page
    demande.refresh_from_db()
    assert demande.etat == "deposee"


@time_machine.travel(TODAY)
def test_two_cers_cannot_start_the_same_day_on_one_accompaniment(client_for, world):
    day = world.cer_a.date_debut.isoformat()  # the world's draft CER on this accompaniment
    data = {
        "type": "solidarite",
        "date_edition": day,
        "date_debut": day,
        "date_fin": "2027-04-14",
        "remarque": "Doublon.",
        "signe_le": "",
        "actions-TOTAL_FORMS": "1",
        "actions-INITIAL_FORMS": "0",
        "actions-0-intitule": "Atelier",
        "actions-0-date_debut": day,
        "actions-0-date_fin": "2026-12-31",
        "actions-0-detail": "Détail.",
    }
    before = Cer.objects.count()
    page = text(client_for("referent").post(reverse("accompagnement:cer_create", args=[world.orientation_a.pk]), data))
    assert "Un CER commence déjà à cette date pour cet accompagnement" in page
    assert Cer.objects.count() == before


@time_machine.travel(TODAY)
def test_the_follow_up_form_pages_are_audited_reads(client_for, world):
    url = reverse("accompagnement:diagnostic_create", args=[world.orientation_a.pk])
    assert client_for("referent").get(url).status_code == 200
    assert AuditEntry.objects.filter(
        action="lecture", user=world.user("referent"), object_id=str(world.orientation_a.beneficiaire_id)
    ).exists()


def test_exports_never_carry_a_spreadsheet_formula():
    rows = [['=HYPERLINK("http://exemple.test";"clic")', 3], ["@SUM(A1)", 1], ["Julie Dupont", 2]]
    parsed = list(csv.reader(io.StringIO(csv_bytes(["Référent", "Entrées"], rows).decode("utf-8-sig")), delimiter=";"))
    assert [row[0] for row in parsed[1:]] == [
        '\'=HYPERLINK("http://exemple.test";"clic")',
        "'@SUM(A1)",
        "Julie Dupont",
    ]
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes("Indicateurs", ["Référent", "Entrées"], rows))).active
    assert [cell.data_type for cell in sheet["A"][1:]] == ["s", "s", "s"]
    # The data starts right under the header (no empty row: filters and sorting work).
    assert [sheet.cell(row=r, column=1).value for r in (1, 2)] == [
        "Référent",
        '\'=HYPERLINK("http://exemple.test";"clic")',
    ]
