"""The grid's automatic items while a CER is typed: a POST endpoint computing an HTML fragment."""

import html
import json
import re
from pathlib import Path

import pytest
from django.urls import reverse

from accompagnement.cer_json import points
from accompagnement.models import Cer

EXAMPLES = sorted(Path("/work/shared/examples/cer").glob("*.expected.json"))


def form_data(cer):
    """A CER in the exchange format, as the CER form posts it."""
    data = {name: cer[name] for name in ("type", "date_edition", "date_debut", "date_fin", "remarque")}
    data["actions-TOTAL_FORMS"] = str(len(cer["actions"]) + 1)  # plus a blank row, as on the page
    data["actions-INITIAL_FORMS"] = "0"
    for index, action in enumerate(cer["actions"]):
        for name in ("intitule", "date_debut", "date_fin", "detail"):
            data[f"actions-{index}-{name}"] = action[name]
        if action["insertion_professionnelle"]:
            data[f"actions-{index}-insertion_professionnelle"] = "on"
    return data


def grid(client, world, data):
    response = client.post(reverse("accompagnement:cer_grille", args=[world.orientation_a.pk]), data)
    assert response.status_code == 200
    content = html.unescape(response.content.decode())
    scores = {}
    for code, cell in re.findall(r'data-grille-item="(\w+)"><td>.*?</td><td[^>]*>(.*?)</td></tr>', content):
        found = re.search(r'fw-semibold">([^<]+)</span>', cell)
        scores[code] = found.group(1) if found else ("à compléter" if "à compléter" in cell else None)
    total = re.search(r"data-grille-score>(.*?)</td>", content).group(1)
    return content, scores, re.sub(r"<[^>]+>", "", total)


@pytest.mark.parametrize("expected_path", EXAMPLES, ids=lambda path: path.name.split(".")[0])
def test_the_shared_examples_come_out(client_for, world, expected_path):
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    cer = json.loads(expected_path.with_name(expected_path.name.replace(".expected", "")).read_text(encoding="utf-8"))
    content, scores, total = grid(client_for("referent"), world, form_data(cer))
    assert scores == {code: points(value) for code, value in _decimals(expected["automatique"]).items()}
    assert total == f"{points(_decimal(expected['score_automatique']))} / 4,5"
    assert ("Une action au moins couvre toute la durée du CER" in content) is expected["indices"][
        "action_sur_toute_la_duree"
    ]
    assert ("Aucune action ne couvre toute la durée du CER" in content) is not expected["indices"][
        "action_sur_toute_la_duree"
    ]
    assert ("data-grille-alertes" in content) is bool(expected["alertes"])


def _decimal(value):
    from decimal import Decimal

    return Decimal(str(value))


def _decimals(mapping):
    return {code: _decimal(value) for code, value in mapping.items()}


def test_missing_dates_are_to_be_completed(client_for, world):
    data = {"type": "solidarite", "date_edition": "2026-10-15", "date_debut": "", "date_fin": "15/04/2027"}
    data.update({"actions-TOTAL_FORMS": "3", "actions-0-intitule": "Atelier", "actions-0-detail": "Chaque lundi."})
    content, scores, total = grid(client_for("referent"), world, data)
    assert scores == {
        "debut_actions": "à compléter",
        "fin_actions": "à compléter",
        "nombre_actions": "2",
        "detail_actions": "1",
        "remarque_presente": "0",
    }
    assert total == "à compléter / 4,5"
    assert "Complétez les dates du contrat et des actions" in content


def test_an_empty_form_and_garbage_do_not_break(client_for, world):
    _, scores, total = grid(client_for("referent"), world, {"actions-TOTAL_FORMS": "pas un nombre"})
    assert scores["nombre_actions"] == "0" and total == "à compléter / 4,5"
    _, scores, _ = grid(client_for("referent"), world, {"actions-TOTAL_FORMS": "100000"})
    assert scores["remarque_presente"] == "0"


def test_secrecy_alerts_show_while_typing(client_for, world):
    data = {
        "type": "socioprofessionnel",
        "date_edition": "2026-10-15",
        "date_debut": "2026-10-15",
        "date_fin": "2027-04-14",
        "remarque": "Sortie de prison en septembre ; suivi en CSAPA.",
        "actions-TOTAL_FORMS": "1",
        "actions-0-intitule": "Inscription à France Travail",
        "actions-0-date_debut": "2026-10-15",
        "actions-0-date_fin": "2026-11-30",
        "actions-0-detail": "Inscription.",
        "actions-0-insertion_professionnelle": "on",
    }
    content, scores, total = grid(client_for("responsable"), world, data)
    assert "Remarque : mention d'un antécédent judiciaire (« prison »)" in content
    assert "Remarque : mention d'une addiction (« CSAPA »)" in content
    assert scores["nombre_actions"] == "1"  # socio-pro: fewer than 3 actions, one professional
    assert total == "3,5 / 4,5"


def test_the_endpoint_saves_nothing_and_is_scoped(client_for, world):
    cer = json.loads((EXAMPLES[0].with_name(EXAMPLES[0].name.replace(".expected", ""))).read_text())
    data = form_data(cer)
    before = list(Cer.objects.values())
    url = reverse("accompagnement:cer_grille", args=[world.orientation_a.pk])
    assert client_for("referent").post(url, data).status_code == 200
    assert client_for("referent").get(url).status_code == 405
    for role in ("slai", "dpid", "manager"):
        assert client_for(role).post(url, data).status_code == 403
    colleague = reverse("accompagnement:cer_grille", args=[world.orientation_a2.pk])
    assert client_for("referent").post(colleague, data).status_code == 404
    assert list(Cer.objects.values()) == before


def test_the_form_loads_the_script_with_the_nonce(client_for, world):
    response = client_for("referent").get(reverse("accompagnement:cer_update", args=[world.cer_a.pk]))
    content = response.content.decode()
    assert f'data-grille-url="{reverse("accompagnement:cer_grille", args=[world.orientation_a.pk])}"' in content
    nonce = re.search(r'<script src="/static/js/cer-grille.js" nonce="([^"]+)"></script>', content).group(1)
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
    assert "<script>" not in content  # no inline script
    assert "4,5 / 4,5" in html.unescape(content)  # computed on the server for the first display
