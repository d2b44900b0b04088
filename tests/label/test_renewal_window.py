"""The renewal window (seed 001 l. 143): the months of January to July that fall within the
label's final 12 months, for labels granted in January, July and December; and the lighter
procedure in the browser (issue 14, item 4)."""

import datetime
import html
import re

import pytest
from django.urls import reverse

from label import services
from label.enums import EtatDemande, TypeDemande
from label.models import Label
from label.selectors import renewal_windows
from tests.label.factories import at, clear_label_records, dpid_control, draft_ready

D = datetime.date


@pytest.fixture(autouse=True)
def no_label_records(world):
    clear_label_records()


def label_granted(world, day):
    from portal.core.dates import add_years

    return Label.objects.create(
        structure=world.structure_a, date_decision=day, date_fin=add_years(day, 5) - datetime.timedelta(days=1)
    )


@pytest.mark.parametrize(
    ("granted", "windows"),
    [
        (D(2025, 1, 15), [(D(2029, 1, 15), D(2029, 7, 31)), (D(2030, 1, 1), D(2030, 1, 14))]),
        (D(2025, 7, 10), [(D(2029, 7, 10), D(2029, 7, 31)), (D(2030, 1, 1), D(2030, 7, 9))]),
        (D(2025, 12, 1), [(D(2030, 1, 1), D(2030, 7, 31))]),
    ],
)
def test_the_windows_of_labels_granted_in_january_july_and_december(world, granted, windows):
    assert renewal_windows(label_granted(world, granted)) == windows


@pytest.mark.parametrize(
    ("day", "allowed"),
    [
        (D(2029, 1, 14), False),
        (D(2029, 1, 15), True),
        (D(2029, 7, 31), True),
        (D(2029, 8, 1), False),
        (D(2029, 12, 31), False),
        (D(2030, 1, 1), True),
        (D(2030, 1, 14), True),
    ],
)
def test_a_label_granted_on_15_january_renews_from_january_to_july_of_its_last_twelve_months(world, day, allowed):
    label_granted(world, D(2025, 1, 15))
    with at(day):
        if allowed:
            demande = services.demande_create(structure=world.structure_a, user=world.user("responsable"))
            assert demande.type == TypeDemande.RENOUVELLEMENT
        else:
            with pytest.raises(services.LabelError) as error:
                services.demande_create(structure=world.structure_a, user=world.user("responsable"))
            assert str(error.value) == (
                "La structure est labellisée jusqu'au 14 janvier 2030 : le renouvellement se demande entre janvier et "
                "juillet de la dernière année du label, du 15 janvier 2029 au 31 juillet 2029 ou du 1er janvier 2030 "
                "au 14 janvier 2030."
            )


def test_the_dpid_decides_a_renewal_in_the_browser_without_the_slai_step(world, client_for):
    label_granted(world, D(2025, 1, 15))
    responsable, dpid = world.user("responsable"), world.user("dpid")
    with at(D(2029, 3, 1)):
        demande = draft_ready(world.structure_a, responsable)
        services.demande_deposer(demande=demande, user=responsable)
        dpid_control(demande, dpid)
        services.demande_evaluer(demande=demande, user=dpid, evaluation="Renouvellement.", avis="favorable")
        client = client_for("dpid")
        page = client.get(reverse("label:demande_detail", args=[demande.pk])).content.decode()
        text = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))
        assert "Renouvellement : procédure allégée. La DPID décide dès son contrôle et son évaluation" in text
        assert reverse("label:demande_decider", args=[demande.pk]) in page
        response = client.post(reverse("label:demande_decider", args=[demande.pk]), {"decision": "accord"})
    assert response.status_code == 302
    demande.refresh_from_db()
    assert demande.etat == EtatDemande.ACCORDEE
    assert demande.label.date_decision == D(2030, 1, 15)


def test_the_home_page_says_the_renewal_window(world, client_for):
    label_granted(world, D(2025, 1, 15))
    with at(D(2029, 2, 1)):
        page = client_for("responsable").get(reverse("accounts:home")).content.decode()
    text = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))
    assert "Renouvellement du label à demander" in text
    assert "du 15 janvier 2029 au 31 juillet 2029 ou du 1er janvier 2030 au 14 janvier 2030" in text
