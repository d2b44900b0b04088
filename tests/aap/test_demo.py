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
    settings.DEMO_MODE = True
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


def test_demo_pages_for_every_role(demo, client):
    from django.urls import reverse

    from aap.models import AppelAProjets, Dispositif
    from portal.accounts.models import User

    mempa_draft = Candidature.objects.get(
        structure__nom="MEMPA", dispositif__code="3.14", dispositif__appel__annee=2027
    )
    pages = [reverse("accounts:home"), reverse("aap:home")]
    pages += [a.get_absolute_url() for a in AppelAProjets.objects.all()]
    pages += [d.get_absolute_url() for d in Dispositif.objects.filter(appel__annee__in=[2025, 2027])]
    for email in ("responsable", "slai", "dpid", "pilotage"):
        client.force_login(User.objects.get(email=f"{email}@demo.rsa62.test"))
        for url in pages:
            assert client.get(url).status_code == 200, (email, url)
        for candidature in Candidature.objects.visible_to(User.objects.get(email=f"{email}@demo.rsa62.test"))[:40]:
            assert client.get(candidature.get_absolute_url()).status_code == 200, (email, candidature)
        if email != "responsable":
            assert client.get(reverse("aap:file")).status_code == 200
    client.force_login(User.objects.get(email="responsable@demo.rsa62.test"))
    for name in ("candidature_projet", "candidature_budget", "candidature_personnel", "candidature_pieces"):
        assert client.get(reverse(f"aap:{name}", args=[mempa_draft.pk])).status_code == 200
    gated = Candidature.objects.get(structure__nom="MEMPA", dispositif__code="1.1", dispositif__appel__annee=2027)
    page = client.get(gated.get_absolute_url()).content.decode()
    assert "seules les structures titulaires du label" in page
    client.force_login(User.objects.get(email="slai@demo.rsa62.test"))
    pbi = Candidature.objects.get(structure__nom="PBI", dispositif__appel__annee=2027)
    page = client.get(pbi.get_absolute_url()).content.decode()
    assert "Validation du chef de SLAI" in page and "en file active" in page
