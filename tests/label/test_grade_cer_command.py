"""`python manage.py grade_cer FILE`: JSON in, JSON out, French errors without traceback. No database."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES_DIR = Path(__file__).resolve().parents[3] / "shared" / "examples" / "cer"

CER = {
    "numero_caf": "2200001",
    "type": "socioprofessionnel",
    "date_edition": "2025-04-01",
    "date_debut": "2025-04-01",
    "date_fin": "2025-09-30",
    "remarque": "Projet de reconversion dans la logistique ; Monsieur est alcoolique.",
    "actions": [
        {
            "intitule": "Inscription à France Travail",
            "date_debut": "2025-04-01",
            "date_fin": "2025-04-30",
            "detail": "Création de l'espace personnel.",
            "insertion_professionnelle": True,
        },
        {
            "intitule": "Formation cariste",
            "date_debut": "2025-05-01",
            "date_fin": "2025-09-30",
            "detail": "CACES R489 avec l'organisme de formation.",
            "insertion_professionnelle": True,
        },
        {
            "intitule": "Mobilité",
            "date_debut": "2025-04-01",
            "date_fin": "2025-09-30",
            "detail": "Location solidaire d'un scooter.",
            "insertion_professionnelle": False,
        },
    ],
}

EXPECTED = {
    "numero_caf": "2200001",
    "automatique": {
        "debut_actions": 0.5,
        "fin_actions": 0.5,
        "nombre_actions": 2,
        "detail_actions": 1,
        "remarque_presente": 0.5,
    },
    "score_automatique": 4.5,
    "a_evaluer": {
        "duree_adaptee": 1,
        "remarque_situation": 1,
        "remarque_positionnement": 2,
        "secret_professionnel": 1.5,
    },
    "indices": {"action_sur_toute_la_duree": True},
    "alertes": ["Remarque : mention d'une addiction (« alcoolique »)"],
}


def run(path):
    env = {**os.environ, "DEBUG": "1", "PYTHONIOENCODING": "ascii"}  # output must still be UTF-8
    result = subprocess.run(
        [sys.executable, "manage.py", "grade_cer", str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=60,
    )
    return result.returncode, result.stdout.decode("utf-8"), result.stderr.decode("utf-8")


def write(tmp_path, content, name="cer.json"):
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content, ensure_ascii=False), encoding="utf-8")
    return path


def with_(**overrides):
    return {**CER, **overrides}


def without(field):
    return {key: value for key, value in CER.items() if key != field}


# --- success --------------------------------------------------------------------------------------------------


def test_object_in_object_out(tmp_path):
    code, out, err = run(write(tmp_path, CER))
    assert (code, err) == (0, "")
    assert json.loads(out) == EXPECTED
    assert "« alcoolique »" in out  # ensure_ascii=False: accents and guillemets as such, in UTF-8


def test_list_in_list_out_in_the_same_order(tmp_path):
    second = with_(numero_caf="2200002", type="solidarite", remarque="", actions=[])
    code, out, err = run(write(tmp_path, [CER, second]))
    assert (code, err) == (0, "")
    results = json.loads(out)
    assert isinstance(results, list)
    assert [r["numero_caf"] for r in results] == ["2200001", "2200002"]
    assert results[0] == EXPECTED
    assert results[1]["score_automatique"] == 0


def test_empty_list_gives_empty_list(tmp_path):
    code, out, _ = run(write(tmp_path, []))
    assert code == 0
    assert json.loads(out) == []


@pytest.mark.skipif(not EXAMPLES_DIR.is_dir(), reason=f"dossier des exemples partagés absent : {EXAMPLES_DIR}")
def test_shared_examples_through_the_command(tmp_path):
    paths = sorted(p for p in EXAMPLES_DIR.glob("*.json") if not p.name.endswith(".expected.json"))
    cers = [json.loads(p.read_text(encoding="utf-8")) for p in paths]
    expected = [json.loads(p.with_name(f"{p.stem}.expected.json").read_text(encoding="utf-8")) for p in paths]
    code, out, err = run(write(tmp_path, cers))
    assert (code, err) == (0, "")
    assert json.loads(out) == expected
    code, out, _ = run(paths[0])
    assert code == 0
    assert json.loads(out) == expected[0]


# --- errors ---------------------------------------------------------------------------------------------------


def assert_clean_failure(code, out, err, *fragments):
    assert code != 0
    assert out == ""
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in err


def test_missing_file(tmp_path):
    code, out, err = run(tmp_path / "absent.json")
    assert_clean_failure(code, out, err, "fichier introuvable", "absent.json")
    assert code == 2


def test_directory_instead_of_file(tmp_path):
    code, out, err = run(tmp_path)
    assert_clean_failure(code, out, err, "dossier")
    assert code == 2


@pytest.mark.parametrize("content", ['{"numero_caf": "1",', "", "pas du JSON"])
def test_broken_json(tmp_path, content):
    code, out, err = run(write(tmp_path, content))
    assert_clean_failure(code, out, err, "JSON invalide", "ligne")
    assert code == 1


def test_not_utf8(tmp_path):
    path = tmp_path / "latin1.json"
    path.write_bytes(json.dumps(with_(remarque="Démarche"), ensure_ascii=False).encode("latin-1"))
    code, out, err = run(path)
    assert_clean_failure(code, out, err, "UTF-8")
    assert code == 1


def test_missing_field(tmp_path):
    code, out, err = run(write(tmp_path, without("date_fin")))
    assert_clean_failure(code, out, err, "champ obligatoire manquant : date_fin")
    assert code == 1


def test_unknown_type(tmp_path):
    code, out, err = run(write(tmp_path, with_(type="emploi")))
    assert_clean_failure(code, out, err, "type", "emploi", "solidarite", "socioprofessionnel")
    assert code == 1


def test_impossible_date(tmp_path):
    code, out, err = run(write(tmp_path, with_(date_edition="2025-02-30")))
    assert_clean_failure(code, out, err, "date_edition", "date impossible")
    assert code == 1


def test_invalid_action_field_is_named(tmp_path):
    actions = [dict(a) for a in CER["actions"]]
    actions[1]["insertion_professionnelle"] = "oui"
    code, out, err = run(write(tmp_path, with_(actions=actions)))
    assert_clean_failure(code, out, err, "actions[1].insertion_professionnelle", "booléen")


@pytest.mark.parametrize("content", ["42", '"un CER"', "null", "true"])
def test_wrong_top_level_type(tmp_path, content):
    code, out, err = run(write(tmp_path, content))
    assert_clean_failure(code, out, err, "objet JSON", "liste")
    assert code == 1


def test_list_errors_give_the_position(tmp_path):
    code, out, err = run(write(tmp_path, [CER, without("remarque"), CER, with_(date_fin="2025-13-01"), 7]))
    assert_clean_failure(
        code,
        out,
        err,
        "CER n° 2 : champ obligatoire manquant : remarque",
        "CER n° 4 : date_fin : date impossible",
        "CER n° 5 : ",
    )
    assert "CER n° 1" not in err
    assert "CER n° 3" not in err
    assert code == 1


# --- in process -----------------------------------------------------------------------------------------------


def test_call_command_writes_json(tmp_path):
    out = io.StringIO()
    call_command("grade_cer", str(write(tmp_path, CER)), stdout=out)
    assert json.loads(out.getvalue()) == EXPECTED


def test_call_command_raises_command_error(tmp_path):
    with pytest.raises(CommandError, match="champ obligatoire manquant : actions") as excinfo:
        call_command("grade_cer", str(write(tmp_path, without("actions"))), stdout=io.StringIO())
    assert excinfo.value.returncode == 1
