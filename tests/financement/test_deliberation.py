"""Deliberation 2024-587 (seed 003) as the demo loads it: sums, gap, imputations, exports."""

import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.urls import reverse
from openpyxl import load_workbook

from financement.exports import deliberation_payload
from financement.models import AutorisationEngagement, LigneAnnexe
from financement.referentiel import UnknownTerritoire, match_territoires
from financement.selectors import annex_by_thematique, imputation_table

pytestmark = pytest.mark.django_db


def test_every_annex_line_is_loaded_with_decimal_amounts(demo_deliberation):
    lignes = LigneAnnexe.objects.filter(deliberation=demo_deliberation)
    assert lignes.count() == 31
    assert all(isinstance(ligne.montant, Decimal) for ligne in lignes)
    totals = dict(lignes.values_list("thematique").annotate(total=Sum("montant")))
    assert totals == {"1": Decimal("712000.00"), "3": Decimal("99998.00"), "4": Decimal("59200.00")}


def test_operations_of_thematique_1_match_the_report(demo_deliberation):
    groups = {group.code: group for group in annex_by_thematique(demo_deliberation)}
    operations = {operation.numero: operation for operation in groups["1"].operations}
    assert [len(operations[n].lignes) for n in (1, 2, 3, 4)] == [8, 15, 1, 1]
    assert operations[1].total == Decimal("0.00")
    assert operations[1].diagnostics == 4783  # 003 l. 139
    # The two ADEFI rows after the page break belong to operation 2 (003 l. 147: 567 150 €, 2 706 places).
    assert operations[2].total == Decimal("567150.00")
    assert operations[2].places == 2706
    assert operations[3].total == Decimal("79850.00")
    assert operations[4].total == Decimal("65000.00")


def test_articles_keep_the_voted_amount_and_show_the_gap(demo_deliberation):
    groups = {group.code: group for group in annex_by_thematique(demo_deliberation)}
    assert [groups[code].article.montant_vote for code in ("1", "3", "4")] == [
        Decimal("712000.00"),
        Decimal("99998.00"),
        Decimal("59220.00"),
    ]
    assert groups["4"].total_lignes == Decimal("59200.00")
    assert groups["4"].ecart == Decimal("20.00")
    assert groups["1"].ecart == groups["3"].ecart == Decimal("0.00")


def test_imputation_table_matches_the_report(demo_deliberation):
    table = {row.ligne_budgetaire.code_operation: row for row in imputation_table(demo_deliberation)}
    expected = {
        "C02-446A05": ("8589450.00", "915067.73", "712000.00", "203067.73"),
        "C01-444H02": ("13789480.46", "620612.11", "99998.00", "520614.11"),
        "C02-428C01": ("130000.00", "90500.00", "59220.00", "31280.00"),  # the solde uses 59 220
    }
    for code, (ae, disponible, proposition, solde) in expected.items():
        row = table[code]
        assert (row.ae, row.disponible, row.proposition, row.solde) == tuple(
            Decimal(value) for value in (ae, disponible, proposition, solde)
        )


def test_available_amount_is_computed_after_the_vote(demo_deliberation):
    """The budget line shows, once 2024-587 is adopted, what is left: never typed a second time."""
    autorisations = AutorisationEngagement.objects.with_engage().select_related("ligne_budgetaire")
    available = {ae.ligne_budgetaire.code_operation: ae.disponible for ae in autorisations}
    assert available == {
        "C02-446A05": Decimal("203067.73"),
        "C01-444H02": Decimal("520614.11"),
        "C02-428C01": Decimal("31280.00"),
    }


def test_misspelt_territories_are_matched_to_the_slai_referential(demo_deliberation):
    assert match_territoires("Arageois")[0].code == "arrageois"
    assert match_territoires("Boulois")[0].code == "boulonnais"
    assert match_territoires("Lenz/liévin")[0].code == "lens-lievin"
    assert match_territoires("Hénin Carvin")[0].code == "henin-carvin"
    main, second = match_territoires("Montreuillois/ternois")
    assert (main.code, second.code) == ("montreuillois", "ternois")
    assert match_territoires("Départemental") == (None, None)
    with pytest.raises(UnknownTerritoire, match="Territoire inconnu"):
        match_territoires("Atlantide")


def test_json_export_has_the_contract_shape(demo_deliberation):
    out = io.StringIO()
    call_command("export_deliberation", "2024-587", "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert list(data) == ["numero", "date", "intitule", "articles", "lignes", "imputations"]
    assert (data["numero"], data["date"]) == ("2024-587", "2024-12-09")
    assert data["articles"][0] == {"thematique": "1", "montant_vote": "712000.00", "total_lignes": "712000.00"}
    assert data["articles"][2] == {"thematique": "4", "montant_vote": "59220.00", "total_lignes": "59200.00"}
    assert len(data["lignes"]) == 31
    mempa = next(ligne for ligne in data["lignes"] if ligne["montant"] == "53700.00")
    assert {key: value for key, value in mempa.items() if key != "description"} == {
        "thematique": "1",
        "operation": 2,
        "territoire": "Arrageois",
        "structure": "MEMPA",
        "etp": "2.38",
        "places": 166,
        "diagnostics": None,
        "montant": "53700.00",
        "modele": "Modèle d'avenant n° 9",
    }
    assert data["imputations"][0] == {
        "code_operation": "C02-446A05",
        "imputation": "6568/93446",
        "libelle": "Indemnisation des organismes référents",
        "ae": "8589450.00",
        "disponible": "915067.73",
        "proposition": "712000.00",
        "solde": "203067.73",
    }
    assert data == json.loads(json.dumps(deliberation_payload(demo_deliberation)))


def test_csv_export_from_the_command(demo_deliberation):
    out = io.StringIO()
    call_command("export_deliberation", "2024-587", "--format", "csv", stdout=out)
    lines = out.getvalue().lstrip("\ufeff").splitlines()
    assert len(lines) == 32
    assert lines[0].startswith("Thématique;Opération;")
    assert any("MEMPA" in line and ";53700,00;" in line for line in lines)


def test_unknown_deliberation_number_fails_with_a_french_message(db):
    with pytest.raises(CommandError, match="Aucune délibération ne porte le numéro « 1999-1 »"):
        call_command("export_deliberation", "1999-1")


def test_manager_reads_the_deliberation_page_with_the_20_euro_gap(client, manager, demo_deliberation):
    client.force_login(manager)
    response = client.get(reverse("financement:deliberation_detail", args=["2024-587"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "59\u00a0220,00\u00a0€" in html and "59\u00a0200,00\u00a0€" in html
    assert "20,00\u00a0€" in html
    assert "Le montant voté diffère de la somme des lignes" in html
    assert "Pour : 29 voix" in html and "Abstentions : 12" in html
    assert "Montreuillois / Ternois" in html
    # Managers read only: no simulation form, no document request.
    assert "Produire le document" not in html


def test_deliberation_page_query_count_is_bounded(client, manager, demo_deliberation, django_assert_max_num_queries):
    client.force_login(manager)
    with django_assert_max_num_queries(20):
        client.get(reverse("financement:deliberation_detail", args=["2024-587"]))


def test_annex_downloads_csv_and_xlsx(client, manager, demo_deliberation):
    client.force_login(manager)
    response = client.get(reverse("financement:deliberation_export", args=["2024-587", "csv"]))
    assert response["Content-Disposition"] == 'attachment; filename="annexe-deliberation-2024-587.csv"'
    assert response.content.decode("utf-8-sig").count("\r\n") == 32
    response = client.get(reverse("financement:deliberation_export", args=["2024-587", "xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    amounts = [row[9] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert len(amounts) == 31
    assert sum(Decimal(str(amount)) for amount in amounts) == Decimal("871198.00")  # 712 000 + 99 998 + 59 200
    assert client.get(reverse("financement:deliberation_export", args=["2024-587", "pdf"])).status_code == 404


def test_budget_lines_page_lists_ae_and_available(client, manager, demo_deliberation, django_assert_max_num_queries):
    client.force_login(manager)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("financement:lignes"))
    html = response.content.decode()
    assert "8\u00a0589\u00a0450,00\u00a0€" in html
    assert "203\u00a0067,73\u00a0€" in html


def test_annex_pdf_through_the_documents_engine(
    demo_deliberation, dpid, django_capture_on_commit_callbacks, settings, tmp_path
):
    from pathlib import Path

    from pypdf import PdfReader

    from portal.documents.services import document_request

    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        document = document_request(owner=demo_deliberation, kind_code="annexe_deliberation", user=dpid)
    document.refresh_from_db()
    assert document.status == "pret", document.error
    reader = PdfReader(io.BytesIO((Path(tmp_path) / document.file.name).read_bytes()))
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    for sentence in (
        "Annexe 4 – répartition financière des opérations, phase 6",
        "Délibération n° 2024-587 du 9 décembre 2024",
        "Total de l'opération 2",
        "567 150,00 €",
        "Total de la thématique 4",
        "59 200,00 €",
        "203 067,73 €",
        f"Ce document comprend {document.page_count} pages.",
    ):
        assert sentence in text, sentence
