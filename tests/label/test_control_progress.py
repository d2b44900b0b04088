"""The DPID's control says "atteint" only once every CER of the panel is controlled."""

import datetime
import html
import re

import pytest
from django.urls import reverse

from label import services
from label.enums import Evaluateur
from tests.label.factories import GOOD, at, clear_label_records, submitted


@pytest.fixture(autouse=True)
def no_label_records(world):
    clear_label_records()
    with at(datetime.date(2026, 3, 2)):
        yield


def control_line(client, demande):
    page = client.get(reverse("label:demande_detail", args=[demande.pk])).content.decode()
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    return re.search(r"Contrôle de la DPID : .*? – c'est le contrôle qui fait foi", text).group(0)


def test_a_partial_control_is_not_atteint(world, client_for):
    demande = submitted(world)
    controls = list(demande.evaluations.filter(evaluateur=Evaluateur.DPID).order_by("pk"))
    assert len(controls) > 1
    services.evaluation_save(evaluation=controls[0], values=GOOD, user=world.user("dpid"))
    line = control_line(client_for("dpid"), demande)
    assert f"(1 CER sur {len(controls)}) contrôle en cours" in line
    assert "atteint" not in line

    for evaluation in controls[1:]:
        services.evaluation_save(evaluation=evaluation, values=GOOD, user=world.user("dpid"))
    line = control_line(client_for("dpid"), demande)
    assert f"({len(controls)} CER sur {len(controls)}) atteint" in line
    assert "en cours" not in line
