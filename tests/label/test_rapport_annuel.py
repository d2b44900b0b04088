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
    assert "Structures labellisées au 31 décembre 2026, par territoire" in text
    assert "Structure A – jusqu'au 9 mars 2031" in text
    with at(D(2026, 3, 10)):
        assert client_for("responsable").get(reverse("label:rapport_annuel")).status_code == 403
