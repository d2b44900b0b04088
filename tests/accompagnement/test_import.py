"""Import of the Département's orientation file: reading, validation, import and the command."""

import datetime
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accompagnement.imports import (
    COLUMNS,
    ImportRefused,
    Report,
    UnreadableFile,
    apply,
    check_file,
    read_file,
    validate,
)
from accompagnement.models import Beneficiaire, ImportOrientations, Orientation
from portal.audit.models import AuditEntry
from tests.factories import StructureFactory, TerritoireFactory

ROOT = Path(__file__).resolve().parents[2]
PARIS = ZoneInfo("Europe/Paris")
NOW = datetime.datetime(2026, 11, 25, 10, 0, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(NOW, tick=False):
        yield


def line(world, **values):
    row = {
        "numero_caf": "1234567",
        "nom": "Durand",
        "prenom": "Élodie",
        "date_naissance": "12/03/1985",
        "sexe": "F",
        "code_postal": "62000",
        "commune": "Arras",
        "territoire": "Arrageois",
        "siret_structure": world.structure_a.siret,
        "type_accompagnement": "solidarite",
        "date_orientation": "02/11/2026",
    }
    row.update(values)
    return row


def people(world, count, start=40000000):
    return [
        line(world, numero_caf=str(start + n), nom=f"Nom{n}", prenom=f"Prénom{n}", sexe="FM"[n % 2])
        for n in range(count)
    ]


def make_csv(rows, *, columns=COLUMNS, sep=";", encoding="utf-8-sig", header=None):
    lines = [header if header is not None else sep.join(columns)]
    lines += [sep.join(row.get(column, "") for column in columns) if row else "" for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def imported_orientations():
    return Orientation.objects.filter(source="import")


def run_command(path, *args):
    stdout, stderr = io.StringIO(), io.StringIO()
    try:
        call_command("import_orientations", str(path), *args, stdout=stdout, stderr=stderr)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, stdout.getvalue(), stderr.getvalue()


def write(tmp_path, raw, name="orientations.csv"):
    path = tmp_path / name
    path.write_bytes(raw)
    return path


# --- Reading ----------------------------------------------------------------------------------


def test_valid_utf8_file_with_bom_imports_every_line(world):
    user = world.user("dpid")
    rows = [
        line(world),
        line(
            world,
            numero_caf="7654321",
            nom="Martin",
            prenom="Noël",
            sexe="m",
            territoire="Calaisis",
            siret_structure=world.structure_b.siret,
        ),
        line(world, numero_caf="1111111", nom="Petit", siret_structure=world.structure_b.siret, territoire="calaisis"),
    ]
    raw = make_csv(rows)
    assert raw.startswith(b"\xef\xbb\xbf")

    report = check_file(raw)
    assert (report.total_lines, report.valid_lines, report.errors, report.duplicates) == (3, 3, [], [])
    result = apply(report, user=user)

    assert (result.created_beneficiaries, result.created_orientations) == (3, 3)
    assert (result.skipped_duplicates, result.refused_lines) == (0, 0)
    martin = Beneficiaire.objects.get(numero_caf="7654321")
    assert (martin.nom, martin.prenom, martin.sexe, martin.territoire) == ("Martin", "Noël", "M", world.territoire_b)
    assert martin.date_naissance == datetime.date(1985, 3, 12)
    orientation = Orientation.objects.get(beneficiaire__numero_caf="1111111")
    assert orientation.structure == world.structure_b
    assert orientation.type_accompagnement.code == "solidarite"
    assert orientation.date_orientation == datetime.date(2026, 11, 2)
    assert (orientation.source, orientation.created_by) == ("import", user)


def test_windows_1252_file_with_accents(world):
    rows = [line(world, nom="Lefèvre", prenom="Hélène", commune="Liévin", type_accompagnement="Référent solidarité")]
    raw = make_csv(rows, encoding="cp1252")
    assert b"Lef\xe8vre" in raw and b"H\xe9l\xe8ne" in raw  # not UTF-8

    report = check_file(raw)
    assert report.errors == []
    apply(report, user=None)
    beneficiaire = Beneficiaire.objects.get(numero_caf="1234567")
    assert (beneficiaire.nom, beneficiaire.prenom, beneficiaire.commune) == ("Lefèvre", "Hélène", "Liévin")


def test_utf8_without_bom_is_read_as_utf8(world):
    raw = make_csv([line(world, prenom="Zoé")], encoding="utf-8")
    rows, _ = read_file(raw)
    assert rows[0]["prenom"] == "Zoé"


def test_excel_separator_line_and_unicode_text(world):
    raw = b"sep=;\r\n" + make_csv([line(world, prenom="Zoé")], encoding="utf-8")
    rows, _ = read_file(raw)
    assert (rows[0]["ligne"], rows[0]["prenom"]) == (2, "Zoé")  # Excel hides the "sep=" line

    raw = make_csv([line(world, prenom="Zoé")], sep="\t", encoding="utf-16")  # Excel's « Texte Unicode »
    rows, _ = read_file(raw)
    assert (rows[0]["ligne"], rows[0]["prenom"]) == (2, "Zoé")


def test_comma_separator_columns_in_another_order_and_unknown_columns(world):
    columns = [*reversed(COLUMNS), "telephone"]
    header = ",".join(f"  {name.upper()} " if name == "nom" else name for name in columns)
    rows = [line(world, telephone="0601020304"), line(world, numero_caf="2222222", commune="Saint-Omer")]
    raw = make_csv(rows, columns=columns, sep=",", header=header)

    rows_read, notes = read_file(raw)
    assert notes == ["colonne inconnue ignorée : « telephone »"]
    assert [row["ligne"] for row in rows_read] == [2, 3]
    assert rows_read[1]["commune"] == "Saint-Omer"
    assert "telephone" not in rows_read[0]
    result = apply(validate(rows_read, notes=notes), user=None)
    assert result.created_orientations == 2


# --- Validation -------------------------------------------------------------------------------


def test_errors_name_their_line_and_column_and_nothing_is_imported(world):
    rows = [
        line(world),  # line 2, valid
        line(world, numero_caf="2000002", date_naissance="31/02/1980"),
        None,  # line 4: a blank line still counts, as in a spreadsheet
        line(world, numero_caf="12AB", sexe="X", code_postal="620"),
        line(world, numero_caf="2000006", nom="", commune=" ", date_orientation="2026-11-02"),
        line(world, numero_caf="2000007", date_naissance="01/01/2027", date_orientation="01/12/2026"),
        line(world, numero_caf="2000008", date_naissance="05/11/2026"),
    ]
    report = check_file(make_csv(rows))

    assert report.error_messages() == [
        "ligne 3, colonne date_naissance : date invalide « 31/02/1980 » (format attendu JJ/MM/AAAA)",
        "ligne 5, colonne numero_caf : N° CAF invalide « 12AB » (7 à 13 chiffres attendus)",
        "ligne 5, colonne sexe : sexe invalide « X » (F ou M attendu)",
        "ligne 5, colonne code_postal : code postal invalide « 620 » (5 chiffres attendus)",
        "ligne 6, colonne nom : valeur manquante",
        "ligne 6, colonne commune : valeur manquante",
        "ligne 6, colonne date_orientation : date invalide « 2026-11-02 » (format attendu JJ/MM/AAAA)",
        "ligne 7, colonne date_orientation : date d'orientation dans le futur « 01/12/2026 » "
        "(nous sommes le 25 novembre 2026)",
        "ligne 7, colonne date_naissance : la date de naissance « 01/01/2027 » doit précéder "
        "la date d'orientation « 01/12/2026 »",
        "ligne 8, colonne date_naissance : la date de naissance « 05/11/2026 » doit précéder "
        "la date d'orientation « 02/11/2026 »",
    ]
    assert report.errors[0] == {
        "ligne": 3,
        "colonne": "date_naissance",
        "message": "date invalide « 31/02/1980 » (format attendu JJ/MM/AAAA)",
    }
    assert (report.total_lines, report.valid_lines, report.refused_lines) == (6, 1, 5)

    with pytest.raises(ImportRefused) as refused:
        apply(report, user=None)
    assert refused.value.message == (
        "Import refusé : 5 lignes comportent des erreurs, aucune ligne n'a été importée. "
        "Corrigez le fichier, ou importez seulement les lignes valides."
    )
    assert not imported_orientations().exists()
    assert not Beneficiaire.objects.filter(numero_caf="1234567").exists()


def test_a_stray_separator_in_a_value_is_an_error_of_its_line(world):
    rows = [line(world), line(world, numero_caf="3000003", commune="Arras;centre")]
    report = check_file(make_csv(rows))
    assert report.error_messages() == [
        "ligne 3 : 12 valeurs au lieu de 11 "
        "(une valeur contient sans doute le séparateur : mettez-la entre guillemets)"
    ]


def test_partial_imports_only_the_valid_lines(world):
    rows = [
        line(world, numero_caf="4000001"),
        line(world, numero_caf="4000002", territoire="Lille"),
        line(world, numero_caf="4000003"),
    ]
    result = apply(check_file(make_csv(rows)), user=None, partial=True)

    assert (result.created_beneficiaries, result.created_orientations, result.refused_lines) == (2, 2, 1)
    assert set(imported_orientations().values_list("beneficiaire__numero_caf", flat=True)) == {"4000001", "4000003"}


def test_rows_can_be_applied_directly_and_are_validated_then(world):
    rows, _ = read_file(make_csv([line(world), line(world, numero_caf="5000005", sexe="Z")]))
    with pytest.raises(ImportRefused):
        apply(rows, user=None)
    assert apply(rows, user=None, partial=True).created_orientations == 1


def test_same_caf_twice_in_the_file_with_another_identity_is_an_error_on_the_second_line(world):
    world.structure_b.territoires.add(world.territoire_a)
    rows = [
        line(world, numero_caf="6000006"),
        line(world, numero_caf="6000006", siret_structure=world.structure_b.siret),  # same person, 2nd structure
        line(world, numero_caf="6000006", prenom="Emma", date_orientation="03/11/2026"),
        line(world, numero_caf="6000006", date_naissance="13/03/1985", date_orientation="04/11/2026"),
        line(world, numero_caf="6000006", nom="DURAND", prenom="elodie", date_orientation="05/11/2026"),
    ]
    report = check_file(make_csv(rows))

    message = "N° CAF déjà présent ligne 2 avec une autre identité (nom, prénom ou date de naissance)"
    assert report.error_messages() == [
        f"ligne 4, colonne numero_caf : {message}",
        f"ligne 5, colonne numero_caf : {message}",
    ]
    result = apply(report, user=None, partial=True)
    assert (result.created_beneficiaries, result.created_orientations) == (1, 3)


def test_the_same_orientation_twice_in_the_file_is_imported_once(world):
    report = check_file(make_csv([line(world), line(world)]))
    assert report.errors == []
    assert report.duplicates == [{"ligne": 3, "message": "même orientation que la ligne 2"}]
    result = apply(report, user=None)
    assert (result.created_orientations, result.skipped_duplicates) == (1, 1)


def test_existing_caf_with_another_birth_date_is_refused(world):
    Beneficiaire.objects.create(
        numero_caf="7000007",
        nom="Durand",
        prenom="Élodie",
        date_naissance=datetime.date(1990, 1, 1),
        sexe="F",
        code_postal="62000",
        commune="Arras",
        territoire=world.territoire_a,
    )
    rows = [line(world, numero_caf=str(7100000 + n)) for n in range(3)] + [line(world, numero_caf="7000007")]
    report = check_file(make_csv(rows))
    assert report.error_messages() == [
        "ligne 5, colonne numero_caf : N° CAF déjà connu avec une autre date de naissance"
    ]


def test_existing_beneficiary_is_oriented_and_left_unchanged(world):
    existing = Beneficiaire.objects.create(
        numero_caf="8000008",
        nom="Durand-Martin",
        prenom="Élodie",
        date_naissance=datetime.date(1985, 3, 12),
        sexe="F",
        code_postal="62300",
        commune="Lens",
        territoire=world.territoire_b,
    )
    result = apply(check_file(make_csv([line(world, numero_caf="8000008")])), user=None)

    assert (result.created_beneficiaries, result.created_orientations) == (0, 1)
    existing.refresh_from_db()
    assert (existing.nom, existing.commune, existing.territoire) == ("Durand-Martin", "Lens", world.territoire_b)
    assert existing.orientations.get().structure == world.structure_a


def test_importing_the_same_file_again_creates_no_duplicate(world):
    raw = make_csv(people(world, 5))
    first = apply(check_file(raw), user=None)
    assert (first.created_beneficiaries, first.created_orientations) == (5, 5)

    report = check_file(raw)
    assert (report.valid_lines, report.importable_lines) == (5, 0)
    assert report.duplicates[0] == {"ligne": 2, "message": "orientation déjà importée"}
    second = apply(report, user=None)

    assert (second.created_beneficiaries, second.created_orientations, second.skipped_duplicates) == (0, 0, 5)
    assert Beneficiaire.objects.filter(numero_caf__startswith="4000000").count() == 5
    assert imported_orientations().count() == 5


def test_referentials_are_matched_loosely(world):
    lens = TerritoireFactory(nom="Lens-Liévin", code="lens-lievin")
    henin = TerritoireFactory(nom="Hénin-Carvin", code="henin-carvin")
    world.structure_a.territoires.add(lens)
    world.structure_b.territoires.add(henin)
    spaced_siret = " ".join([world.structure_b.siret[:3], world.structure_b.siret[3:9], world.structure_b.siret[9:]])
    rows = [
        line(world, numero_caf="9000001", territoire="lens lievin"),
        line(world, numero_caf="9000002", territoire="HENIN-CARVIN", siret_structure=spaced_siret),
        line(world, numero_caf="9000003", territoire="arrageois ", type_accompagnement="EQUILIBRE"),
        line(world, numero_caf="9000004", type_accompagnement="accompagnement equilibre social professionnel"),
        line(world, numero_caf="9000005", type_accompagnement="Travailleurs Indépendants"),
    ]
    report = check_file(make_csv(rows))
    assert report.errors == []
    apply(report, user=None)

    codes = dict(imported_orientations().values_list("beneficiaire__numero_caf", "type_accompagnement__code"))
    assert codes == {
        "9000001": "solidarite",
        "9000002": "solidarite",
        "9000003": "equilibre",
        "9000004": "equilibre",
        "9000005": "independants",
    }
    territories = dict(
        Beneficiaire.objects.filter(numero_caf__startswith="9").values_list("numero_caf", "territoire__nom")
    )
    assert territories["9000001"] == "Lens-Liévin"
    assert territories["9000002"] == "Hénin-Carvin"
    assert Orientation.objects.get(beneficiaire__numero_caf="9000002").structure == world.structure_b


def test_unknown_territory_structure_and_type(world):
    rows = [
        line(world, territoire="Lille"),
        line(world, numero_caf="9100002", siret_structure="123 456 789"),
        line(world, numero_caf="9100003", siret_structure=StructureFactory.build().siret),
        line(world, numero_caf="9100004", type_accompagnement="renforce"),
    ]
    report = check_file(make_csv(rows))

    unknown_siret = rows[2]["siret_structure"]
    assert report.error_messages() == [
        "ligne 2, colonne territoire : territoire inconnu « Lille » (territoires SLAI : Arrageois, Calaisis)",
        "ligne 3, colonne siret_structure : SIRET invalide « 123 456 789 » (14 chiffres attendus)",
        f"ligne 4, colonne siret_structure : SIRET inconnu « {unknown_siret} » : "
        "aucune structure enregistrée avec ce SIRET",
        "ligne 5, colonne type_accompagnement : type d'accompagnement inconnu « renforce » "
        "(attendu : solidarite, equilibre, independants ou leur intitulé)",
    ]


def test_orientation_date_is_checked_against_the_paris_day(world):
    # 23:30 UTC on 24 November is already 25 November in Paris.
    with time_machine.travel(datetime.datetime(2026, 11, 24, 23, 30, tzinfo=datetime.UTC), tick=False):
        report = check_file(
            make_csv(
                [
                    line(world, numero_caf="9200001", date_orientation="25/11/2026"),
                    line(world, numero_caf="9200002", date_orientation="26/11/2026"),
                ]
            )
        )
    assert report.error_messages() == [
        "ligne 3, colonne date_orientation : date d'orientation dans le futur « 26/11/2026 » "
        "(nous sommes le 25 novembre 2026)"
    ]


# --- Unreadable files -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "le fichier est vide."),
        (b"\r\n  \r\n", "le fichier est vide."),
        (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            "le fichier contient des données binaires : ce n'est pas un fichier CSV.",
        ),
        (
            b"PK\x03\x04\x14\x00\x06\x00",
            "le fichier est un classeur (Excel ou LibreOffice), pas un CSV : enregistrez-le au format "
            "« CSV (séparateur : point-virgule) ».",
        ),
        (
            b"numero_caf;nom\r\n\x81\x8d\x8f\r\n",
            "l'encodage du fichier n'est pas reconnu (UTF-8 ou Windows-1252 attendu).",
        ),
        (
            b"1234567;Durand;Elodie\r\n",
            "en-tête introuvable : la première ligne doit donner les noms des colonnes (" + ";".join(COLUMNS) + ").",
        ),
        (
            (";".join(COLUMNS) + "\r\n").encode(),
            "le fichier ne contient aucune ligne de données (seulement l'en-tête).",
        ),
        (
            (";".join(COLUMNS) + ";nom\r\n").encode(),
            "la colonne « nom » apparaît deux fois dans l'en-tête.",
        ),
    ],
    ids=["empty", "blank", "binary", "xlsx", "encoding", "no-header", "header-only", "twice"],
)
def test_unreadable_files(raw, message):
    with pytest.raises(UnreadableFile) as error:
        read_file(raw)
    assert error.value.message == message


def test_missing_columns_are_named(world):
    columns = [column for column in COLUMNS if column not in ("sexe", "date_orientation")]
    with pytest.raises(UnreadableFile) as error:
        read_file(make_csv([line(world)], columns=columns))
    assert error.value.message == "colonnes manquantes dans l'en-tête : sexe, date_orientation."

    with pytest.raises(UnreadableFile) as error:
        read_file(make_csv([line(world)], columns=[c for c in COLUMNS if c != "territoire"]))
    assert error.value.message == "colonne manquante dans l'en-tête : territoire."


# --- Queries, batches, report storage ---------------------------------------------------------


def count_queries(world, count, start):
    raw = make_csv(people(world, count, start=start))
    with CaptureQueriesContext(connection) as context:
        result = apply(check_file(raw), user=world.user("dpid"))
    assert result.created_orientations == count
    return len(context.captured_queries)


def test_queries_do_not_grow_with_the_number_of_lines(world, django_assert_max_num_queries):
    small = count_queries(world, 100, start=41000000)
    large = count_queries(world, 1000, start=42000000)
    assert small == large
    # On PostgreSQL the import ends with one ANALYZE of the tables it filled; one DELETE forgets
    # the kept indicators of the structures oriented to (accompagnement/gardes.py).
    with django_assert_max_num_queries(15 + (connection.vendor == "postgresql")):
        apply(check_file(make_csv(people(world, 1000, start=43000000))), user=None)


def test_progress_is_reported_after_each_batch(world):
    world.structure_b.territoires.add(world.territoire_a)
    calls = []
    result = apply(
        check_file(make_csv(people(world, 25))), user=None, batch_size=10, progress=lambda *a: calls.append(a)
    )
    assert calls == [(10, 25), (20, 25), (25, 25)]
    assert result.created_orientations == 25
    # A person met again in a later batch gets one record, oriented twice.
    rows = [line(world, numero_caf="9300001"), *people(world, 3, start=9400000)]
    rows.append(line(world, numero_caf="9300001", siret_structure=world.structure_b.siret))
    result = apply(check_file(make_csv(rows)), user=None, batch_size=2)
    assert (result.created_beneficiaries, result.created_orientations) == (4, 5)


def test_report_round_trips_through_json_and_fits_the_import_record(world):
    report = check_file(make_csv([line(world), line(world), line(world, numero_caf="12")]))
    data = json.loads(json.dumps(report.to_json()))
    record = ImportOrientations.objects.create(nom_fichier="orientations.csv", fichier="x.csv", rapport=data)
    record.refresh_from_db()

    restored = Report.from_json(record.rapport)
    assert restored == report
    assert (restored.refused_lines, restored.duplicate_lines) == (1, 1)
    assert restored.error_messages() == report.error_messages()
    with pytest.raises(ValueError):
        apply(restored, user=None)


# --- The command ------------------------------------------------------------------------------


def test_command_imports_a_valid_file(world, tmp_path):
    path = write(tmp_path, make_csv(people(world, 3)))
    code, out, err = run_command(path)

    assert (code, err) == (0, "")
    assert "Lignes lues : 3\n" in out
    assert "Orientations créées : 3\n" in out
    assert "Import terminé : aucune ligne refusée." in out
    assert Orientation.objects.filter(created_by=None, source="import").count() == 3
    record = ImportOrientations.objects.exclude(pk=world.import_file.pk).get()
    assert (record.nom_fichier, record.created_by, record.rapport["resultat"]["created_orientations"]) == (
        "orientations.csv",
        None,
        3,
    )
    assert record.applique_le is not None
    assert AuditEntry.objects.filter(object_id=str(record.pk), user=None).exists()


def test_command_dry_run_imports_nothing(world, tmp_path):
    path = write(tmp_path, make_csv(people(world, 3)))
    code, out, err = run_command(path, "--dry-run")

    assert (code, err) == (0, "")
    assert "Simulation (--dry-run) : aucune donnée n'a été enregistrée." in out
    assert "Toutes les lignes sont valides : 3 lignes seraient importées." in out
    assert not imported_orientations().exists()
    assert not ImportOrientations.objects.exclude(pk=world.import_file.pk).exists()


def test_command_refuses_a_file_with_errors(world, tmp_path):
    rows = [*people(world, 2), line(world, numero_caf="9500001", date_naissance="31/02/1980")]
    path = write(tmp_path, make_csv(rows))
    code, out, err = run_command(path)

    assert code == 1
    assert err.splitlines() == [
        "ligne 4, colonne date_naissance : date invalide « 31/02/1980 » (format attendu JJ/MM/AAAA)",
        "Import refusé : 1 ligne refusée, aucune ligne n'a été importée. "
        "Corrigez le fichier, ou relancez avec --partiel pour importer seulement les lignes valides.",
    ]
    assert "Lignes refusées : 1\n" in out
    assert not imported_orientations().exists()
    assert "Traceback" not in out + err

    code, out, err = run_command(path, "--dry-run")
    assert code == 1
    assert err.splitlines()[-1] == "1 ligne refusée : sans --partiel, aucune ligne ne serait importée."


def test_command_partial_imports_the_valid_lines_and_still_exits_1(world, tmp_path):
    rows = [*people(world, 2), line(world, numero_caf="9600001", sexe="?")]
    path = write(tmp_path, make_csv(rows))
    code, out, err = run_command(path, "--partiel")

    assert code == 1
    assert err.splitlines() == [
        "ligne 4, colonne sexe : sexe invalide « ? » (F ou M attendu)",
        "Import partiel (--partiel) : seules les lignes valides ont été importées ; "
        "1 ligne refusée n'a pas été importée.",
    ]
    assert "Orientations créées : 2\n" in out
    assert imported_orientations().count() == 2


def test_command_shows_progress_on_big_files(world, tmp_path):
    path = write(tmp_path, make_csv(people(world, 25)))
    code, out, _ = run_command(path, "--lot", "10")
    assert code == 0
    assert [text for text in out.splitlines() if text.startswith("Import :")] == [
        "Import : 10 / 25 lignes",
        "Import : 20 / 25 lignes",
        "Import : 25 / 25 lignes",
    ]


def test_command_exits_2_on_unreadable_files(world, tmp_path):
    code, out, err = run_command(tmp_path / "absent.csv")
    assert (code, out) == (2, "")
    assert err == f"Fichier introuvable : {tmp_path / 'absent.csv'}\n"

    path = write(tmp_path, make_csv([line(world)], columns=COLUMNS[:-1]), name="sans-date.csv")
    code, _, err = run_command(path)
    assert code == 2
    assert err == "Fichier illisible (sans-date.csv) : colonne manquante dans l'en-tête : date_orientation.\n"

    path = write(tmp_path, b"\x00\x01\x02\x03garbage", name="binaire.csv")
    code, _, err = run_command(path)
    assert code == 2
    assert "données binaires" in err
    assert not ImportOrientations.objects.exclude(pk=world.import_file.pk).exists()


@pytest.mark.parametrize("name", ["absent.csv", "binaire.csv"])
def test_command_fails_without_traceback_from_a_shell(tmp_path, name):
    (tmp_path / "binaire.csv").write_bytes(b"\x00\xff\xfe garbage")
    env = {**os.environ, "DEBUG": "1", "PYTHONIOENCODING": "ascii"}  # output must still be UTF-8
    result = subprocess.run(
        [sys.executable, "manage.py", "import_orientations", "--skip-checks", str(tmp_path / name)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=60,
    )
    err = result.stderr.decode("utf-8")
    assert result.returncode == 2
    assert "Traceback" not in err
    assert err.startswith("Fichier introuvable" if name == "absent.csv" else "Fichier illisible (binaire.csv)")


def test_the_structure_must_work_on_the_line_territory(world):
    """Structure A works on the Arrageois only: a Calaisis person cannot be oriented to it."""
    report = check_file(make_csv([line(world, territoire="Calaisis")]))
    assert [(e["ligne"], e["colonne"]) for e in report.errors] == [(2, "siret_structure")]
    assert "n'intervient pas sur le territoire « Calaisis »" in report.errors[0]["message"]


def test_imported_people_are_in_the_audit_trail(world):
    from portal.audit.models import AuditEntry

    apply(check_file(make_csv(people(world, 3))), user=world.user("dpid"))
    entries = AuditEntry.objects.filter(content_type__model="beneficiaire", detail="orientation importée")
    assert entries.count() == 3
    assert set(entries.values_list("user_email", flat=True)) == {"dpid@example.test"}


# --- One import service for the browser and the command line -----------------------------------


def test_browser_and_command_go_through_the_same_import_service(world, tmp_path, client_for, monkeypatch):
    """`import_confirm` and `import_orientations` both call services/imports.import_orientations,
    and the same file (a refused line, imported partially) gives the same result either way."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from accompagnement.management.commands import import_orientations as command_module
    from accompagnement.services import imports as service_module
    from accompagnement.views import base as views_module

    calls = []
    real = service_module.import_orientations

    def spy(**kwargs):
        calls.append("pending_pk" in kwargs)
        return real(**kwargs)

    monkeypatch.setattr(command_module, "import_orientations", spy)
    monkeypatch.setattr(views_module, "import_orientations", spy)

    def file_of(start):
        return make_csv([*people(world, 2, start=start), line(world, numero_caf="12")])

    code, _, _ = run_command(write(tmp_path, file_of(41000000)), "--partiel")
    by_command = ImportOrientations.objects.get(created_by=None, applique_le__isnull=False)

    client = client_for("dpid")
    response = client.post(
        reverse("accompagnement:import_upload"),
        {"fichier": SimpleUploadedFile("orientations.csv", file_of(42000000))},
    )
    client.post(response["Location"] + "confirmer/", {"partiel": "1"})
    by_browser = ImportOrientations.objects.get(created_by=world.user("dpid"), applique_le__isnull=False)

    assert calls == [False, True]
    assert code == 1
    assert by_command.rapport["resultat"] == by_browser.rapport["resultat"]
    assert by_browser.rapport["resultat"]["created_orientations"] == 2
    assert by_command.rapport["partiel"] is by_browser.rapport["partiel"] is True
    assert imported_orientations().count() == 4
