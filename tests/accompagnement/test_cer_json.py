"""CERs in the exchange format of `grade_cer`: export of one CER, import of a structure's file."""

import datetime
import html
import io
import json
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from accompagnement.models import Beneficiaire, Cer, Orientation
from portal.audit.models import AuditEntry
from portal.grille_cer import CER_FIELDS, parse_cer

EXAMPLES = Path("/work/shared/examples/cer")
TODAY = datetime.datetime(2026, 11, 25, 9, tzinfo=datetime.UTC)
pytestmark = pytest.mark.usefixtures("frozen_today")


@pytest.fixture
def frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


def page(response):
    return html.unescape(response.content.decode())


def example(name):
    return json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def valid_cer(numero_caf="1000001", **overrides):
    data = {
        "numero_caf": numero_caf,
        "type": "solidarite",
        "date_edition": "2026-11-02",
        "date_debut": "2026-11-02",
        "date_fin": "2027-05-01",
        "remarque": "Reprise d'une activité de bénévolat avant une formation.",
        "actions": [
            {
                "intitule": "Bénévolat à l'épicerie solidaire",
                "date_debut": "2026-11-02",
                "date_fin": "2027-02-28",
                "detail": "Deux demi-journées par semaine.",
                "insertion_professionnelle": False,
            }
        ],
    }
    data.update(overrides)
    return data


def upload(content, name="cer.json"):
    raw = content if isinstance(content, bytes) else json.dumps(content, ensure_ascii=False).encode("utf-8")
    return SimpleUploadedFile(name, raw, content_type="application/json")


def post_import(client, content, partiel=False, name="cer.json"):
    data = {"fichier": upload(content, name)}
    if partiel:
        data["partiel"] = "on"
    return client.post(reverse("accompagnement:cer_import"), data)


def test_export_is_read_by_grade_cer(client_for, world, tmp_path):
    # The SLAI and the managers read the CER but do not take it out of the portal.
    for role in ("slai", "manager"):
        assert (
            client_for(role).get(reverse("accompagnement:cer_export_json", args=[world.cer_a.pk])).status_code == 403
        )
    response = client_for("responsable").get(reverse("accompagnement:cer_export_json", args=[world.cer_a.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="cer-1000001-2026-10-15.json"'
    data = json.loads(response.content.decode("utf-8"))
    assert list(data) == list(CER_FIELDS)
    assert data["actions"] == [
        {
            "intitule": "Demande de logement social",
            "date_debut": "2026-10-15",
            "date_fin": "2026-12-31",
            "detail": "Dossier déposé auprès du bailleur.",
            "insertion_professionnelle": False,
        }
    ]
    parse_cer(data)  # the label's own parser accepts it
    path = tmp_path / "cer-1000001-2026-10-15.json"
    path.write_bytes(response.content)
    out = io.StringIO()
    call_command("grade_cer", str(path), stdout=out)
    graded = json.loads(out.getvalue())
    assert graded["numero_caf"] == "1000001"
    assert graded["score_automatique"] == 4.5
    assert AuditEntry.objects.filter(
        object_id=str(world.orientation_a.beneficiaire_id), action="export", user=world.user("responsable")
    ).exists()


def test_export_follows_the_scope(client_for, world):
    other = Cer.objects.create(
        orientation=world.orientation_b,
        type="solidarite",
        date_edition=datetime.date(2026, 10, 15),
        date_debut=datetime.date(2026, 10, 15),
        date_fin=datetime.date(2027, 4, 14),
        remarque="Remarque.",
    )
    for role in ("responsable", "referent", "slai"):
        assert client_for(role).get(reverse("accompagnement:cer_export_json", args=[other.pk])).status_code == 404
    assert not AuditEntry.objects.filter(action="export").exists()


def test_a_valid_file_is_imported_then_reimporting_creates_no_duplicate(client_for, world):
    client = client_for("responsable")
    items = [valid_cer(), valid_cer("1000002", date_debut="2026-11-05", date_edition="2026-11-05")]
    items[1]["actions"][0]["date_debut"] = "2026-11-05"
    content = page(post_import(client, items))
    assert "Import terminé : 2 CER importés, 0 doublon ignoré, 0 refusé." in content
    assert "CER n° 1 : N° CAF 1000001, CER solidarité du 2 novembre 2026 au 1er mai 2027" in content
    imported = Cer.objects.filter(date_debut__gte=datetime.date(2026, 11, 1)).order_by("date_debut")
    assert [(cer.orientation, cer.signe_le, cer.actions.count()) for cer in imported] == [
        (world.orientation_a, None, 1),
        (world.orientation_a2, None, 1),
    ]
    assert AuditEntry.objects.filter(action="modification", detail__contains="importé").count() == 2
    content = page(post_import(client, items))
    assert "Import terminé : 0 CER importé, 2 doublons ignorés, 0 refusé." in content
    assert "CER n° 2 : déjà enregistré pour le N° CAF 1000002 (CER débutant le 5 novembre 2026) : ignoré" in content
    assert Cer.objects.count() == 3  # world.cer_a + the 2 imported


def test_one_refused_cer_imports_nothing_unless_asked(client_for, world):
    client = client_for("responsable")
    bad_dates = valid_cer("1000002")
    bad_dates["actions"][0]["date_fin"] = "2026-10-01"
    items = [
        valid_cer(),
        bad_dates,
        valid_cer("1000003"),  # structure B's person: not in this structure's caseload
        valid_cer(remarque="", date_debut="2026-12-01"),
        {"numero_caf": "1000001", "type": "cerp"},
        "pas un objet",
    ]
    content = page(post_import(client, items))
    assert "rien n'a été importé" in content
    assert "CER n° 2 : actions[0].date_fin (action n° 1) : la date de fin (2026-10-01) est antérieure" in content
    assert "CER n° 3 : numero_caf : aucune personne de ce N° CAF (1000003) n'est accompagnée par votre structure" in (
        content
    )
    assert "CER n° 4 : remarque : la remarque est obligatoire" in content
    assert "CER n° 5 : type : valeur inconnue « cerp »" in content
    assert "CER n° 6 : le CER doit être un objet JSON (valeur reçue de type texte)" in content
    assert Cer.objects.count() == 1
    content = page(post_import(client, items, partiel=True))
    assert "Import terminé : 1 CER importé, 0 doublon ignoré, 5 refusés." in content
    assert Cer.objects.filter(orientation=world.orientation_a, date_debut=datetime.date(2026, 11, 2)).exists()
    assert not Cer.objects.filter(orientation=world.orientation_b).exists()


def test_the_shared_examples(client_for, world):
    for caf in ("1100001", "1100002", "1100003"):
        beneficiaire = Beneficiaire.objects.create(
            numero_caf=caf,
            nom=f"Exemple {caf}",
            prenom="Test",
            date_naissance=datetime.date(1985, 1, 1),
            sexe="M",
            code_postal="62000",
            commune="Arras",
            territoire=world.territoire_a,
        )
        Orientation.objects.create(
            beneficiaire=beneficiaire,
            structure=world.structure_a,
            type_accompagnement=world.orientation_a.type_accompagnement,
            date_orientation=datetime.date(2024, 12, 1),
            date_limite_cer=datetime.date(2025, 2, 1),
            source="saisie",
        )
    items = [example("solidarite_complet"), example("sociopro_deux_actions"), example("action_avant_edition")]
    content = page(post_import(client_for("responsable"), items, partiel=True))
    # The third one has no remark and an action without detail: the portal requires both.
    assert "CER n° 3 : remarque : la remarque est obligatoire ; actions[0].detail (action n° 1)" in content
    assert "Import terminé : 2 CER importés, 0 doublon ignoré, 1 refusé." in content
    # Exported again, they grade as the examples say.
    for name in ("solidarite_complet", "sociopro_deux_actions"):
        cer = Cer.objects.get(orientation__beneficiaire__numero_caf=example(name)["numero_caf"])
        exported = client_for("dpid").get(reverse("accompagnement:cer_export_json", args=[cer.pk]))
        assert json.loads(exported.content) == example(name)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe\x00binaire", "Le fichier n'est pas un texte UTF-8"),
        (b"%PDF-1.7 pas du json", "Le fichier n'est pas un JSON valide (ligne 1, colonne 1)."),
        (b'{"numero_caf": ', "Le fichier n'est pas un JSON valide"),
        (b'"un texte"', "Le fichier doit contenir une liste de CER (un tableau JSON)."),
        (b"[]", "Le fichier ne contient aucun CER."),
    ],
)
def test_uploads_are_checked_by_content(client_for, world, content, message):
    response = post_import(client_for("responsable"), content, name="cer.json")
    assert message in page(response)
    assert Cer.objects.count() == 1


def test_a_json_file_under_another_name_is_accepted(client_for, world):
    content = page(post_import(client_for("responsable"), [valid_cer()], name="export.txt"))
    assert "Import terminé : 1 CER importé" in content


def test_size_limit(client_for, world, settings):
    big = json.dumps([valid_cer(remarque="x" * 1000) for _ in range(2200)]).encode()
    assert len(big) > 2 * 1024 * 1024
    assert "Le fichier dépasse 2 Mo." in page(post_import(client_for("responsable"), big))
    assert Cer.objects.count() == 1


@pytest.mark.parametrize("role", ["referent", "slai", "dpid", "manager", "admin"])
def test_only_a_structure_responsable_imports(client_for, world, role):
    response = post_import(client_for(role), [valid_cer()])
    assert response.status_code == 403
    assert Cer.objects.count() == 1


def test_import_queries_are_bounded(client_for, world, django_assert_max_num_queries):
    client = client_for("responsable")
    small = [valid_cer(date_debut=f"2026-11-{day:02d}", date_edition=f"2026-11-{day:02d}") for day in range(2, 5)]
    for item in small:
        item["actions"][0]["date_debut"] = item["date_debut"]
    post_import(client, small)
    # Checking a file takes the same queries whatever its size (duplicates: nothing written).
    with django_assert_max_num_queries(12):
        page(post_import(client, small))
    large = small * 20
    with django_assert_max_num_queries(12):
        content = page(post_import(client, large))
    assert "0 CER importé, 60 doublons ignorés" in content


def test_export_cer_command_feeds_grade_cer_and_import_cer(world, tmp_path):
    path = tmp_path / "cers.json"
    err = io.StringIO()
    call_command("export_cer", structure=world.structure_a.pk, sortie=str(path), stderr=err)
    assert "1 CER exporté dans" in err.getvalue()
    exported = json.loads(path.read_text(encoding="utf-8"))
    assert [cer["numero_caf"] for cer in exported] == ["1000001"]
    out = io.StringIO()
    call_command("grade_cer", str(path), stdout=out)
    assert json.loads(out.getvalue())[0]["score_automatique"] == 4.5
    assert AuditEntry.objects.filter(action="export", detail__contains="export_cer").count() == 1

    # Importing the same file again: a duplicate, nothing written.
    out = io.StringIO()
    call_command("import_cer", str(path), structure=world.structure_a.pk, stdout=out)
    assert "Import terminé : 0 CER importé, 1 doublon ignoré, 0 refusé." in out.getvalue()
    assert Cer.objects.count() == 1


def test_import_cer_command_dry_run_and_exit_codes(world, tmp_path):
    from django.core.management.base import CommandError

    good = tmp_path / "bons.json"
    good.write_text(json.dumps([valid_cer(), valid_cer("1000002")]), encoding="utf-8")
    out = io.StringIO()
    call_command("import_cer", str(good), structure=world.structure_a.pk, dry_run=True, stdout=out)
    assert "Vérification seule (rien n'est enregistré) : 2 CER importés" in out.getvalue()
    assert Cer.objects.count() == 1
    mixed = tmp_path / "mixte.json"
    mixed.write_text(json.dumps([valid_cer(), valid_cer("1000003")]), encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("import_cer", str(mixed), structure=world.structure_a.pk, stderr=err)
    assert refused.value.returncode == 1
    assert "CER n° 2 : numero_caf : aucune personne de ce N° CAF (1000003)" in err.getvalue()
    assert Cer.objects.count() == 1
    with pytest.raises(CommandError) as partial:
        call_command("import_cer", str(mixed), structure=world.structure_a.pk, partiel=True, stdout=io.StringIO())
    assert partial.value.returncode == 1
    assert Cer.objects.count() == 2
    binary = tmp_path / "binaire.json"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(CommandError) as unreadable:
        call_command("import_cer", str(binary), structure=world.structure_a.pk)
    assert unreadable.value.returncode == 2
    assert "n'est pas un texte UTF-8" in str(unreadable.value)
