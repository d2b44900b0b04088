"""The demo data of the calls for projects: annex 4 of deliberation 2024-587, every state, nothing
dated after today, no decision a rule forbids."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Max, Sum
from django.utils import timezone

from aap import selectors
from aap.enums import EtatCandidature
from aap.models import Candidature, TransitionCandidature
from label.services import structure_is_labelled


@pytest.fixture
def demo(db, settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())


def test_annex_4_is_retained_with_its_amounts(demo):
    annex = Candidature.objects.filter(dispositif__appel__annee=2024, etat=EtatCandidature.RETENUE)
    assert annex.count() == 31
    by_code = dict(
        annex.values_list("dispositif__code").annotate(total=Sum("montant_propose")).order_by("dispositif__code")
    )
    assert by_code["1.1"] == Decimal("0")
    assert by_code["1.EQ"] == Decimal("567150.00")
    assert by_code["1.7"] == Decimal("79850.00")
    assert by_code["1.CF"] == Decimal("65000.00")
    assert by_code["3.14"] + by_code["3.16"] == Decimal("99998.00")
    assert by_code["4.1"] == Decimal("59200.00")  # the lines; the CP voted 59 220 € (DOMAIN.md §3)
    assert annex.filter(dispositif__code="1.EQ").aggregate(Sum("places_proposees"))["places_proposees__sum"] == 2706
    assert annex.filter(dispositif__code="1.1").aggregate(Sum("diagnostics"))["diagnostics__sum"] == 4783
    proposals = selectors.proposals(appel_id=annex.first().dispositif.appel_id)
    assert len(proposals) == 31
    assert sum(p.montant for p in proposals if p.thematique == 1) == Decimal("712000.00")


def test_every_state_and_nothing_in_the_future(demo):
    states = set(Candidature.objects.values_list("etat", flat=True))
    assert states == set(EtatCandidature.values)
    now = timezone.now()
    assert TransitionCandidature.objects.aggregate(Max("at"))["at__max"] <= now
    assert not Candidature.objects.filter(deposee_at__gt=now).exists()
    assert not Candidature.objects.filter(decision_at__gt=now).exists()


def test_no_decision_a_rule_forbids(demo):
    for candidature in Candidature.objects.filter(dispositif__validation_slai_requise=True).exclude(
        etat__in=["brouillon", "deposee", "recevable", "en_instruction", "irrecevable", "retiree", "correction"]
    ):
        if candidature.etat in ("proposee", "retenue"):
            assert candidature.validation_slai == "validee"
    for candidature in Candidature.objects.exclude(deposee_at=None).select_related("dispositif__appel", "structure"):
        appel, dispositif = candidature.dispositif.appel, candidature.dispositif
        assert appel.open_window(candidature.deposee_at) is not None, candidature
        on = timezone.localdate(candidature.deposee_at)
        if dispositif.label_required_on(on):
            assert structure_is_labelled(candidature.structure, on=on), candidature


def test_demo_is_idempotent(demo):
    count = Candidature.objects.count()
    call_command("load_demo", stdout=io.StringIO())
    assert Candidature.objects.count() == count
