"""Withdrawals and appeals move through one transition table, row locked, and every step is
logged (issue 14, item 7)."""

import datetime

import pytest

from label import services
from label.enums import EtatRecours, EtatRetrait, MotifRetrait
from label.models import EtapeProcedure, Label
from tests.label.factories import at, clear_label_records, ready_to_decide, train

D = datetime.date


@pytest.fixture(autouse=True)
def no_label_records(world):
    clear_label_records()


def test_a_withdrawal_logs_each_step_and_refuses_a_step_out_of_the_table(world):
    label = Label.objects.create(structure=world.structure_a, date_decision=D(2025, 9, 1), date_fin=D(2030, 8, 31))
    dpid, responsable = world.user("dpid"), world.user("responsable")
    with at(D(2026, 2, 2)):
        retrait = services.retrait_engager(
            label=label, motif=MotifRetrait.ENGAGEMENTS, griefs="Référent arrivé en 2025 non formé.", user=dpid
        )
        with pytest.raises(services.LabelError, match=r"^Action déjà effectuée, ou impossible"):
            services.retrait_ouvrir_etude(retrait=retrait, user=dpid)  # no SLAI support for this motive
        services.retrait_observations(retrait=retrait, observations="Plan de formation.", user=responsable)
        services.retrait_decider(retrait=retrait, retirer=True, decision="Engagement non tenu.", user=dpid)
    steps = [(e.transition, e.de, e.vers, e.user) for e in EtapeProcedure.objects.filter(retrait=retrait)]
    assert steps == [
        ("engager", "", EtatRetrait.CONTRADICTOIRE, dpid),
        ("observations", EtatRetrait.CONTRADICTOIRE, EtatRetrait.CONTRADICTOIRE, responsable),
        ("decider", EtatRetrait.CONTRADICTOIRE, EtatRetrait.RETIRE, dpid),
    ]
    assert EtapeProcedure.objects.filter(retrait=retrait).last().vers_display == "Label retiré"


def test_an_appeal_logs_its_filing_and_its_answer(world):
    with at(D(2026, 3, 1)):
        demande = ready_to_decide(world, trained=False)
    with at(D(2026, 3, 10)):
        services.demande_refuser(demande=demande, user=world.user("dpid"), motifs="Référents non formés.")
    with at(D(2026, 4, 1)):
        recours = services.recours_deposer(demande=demande, user=world.user("responsable"), actions_menees="Formés.")
    train(world.referent_a)
    train(world.autre_referent_a)
    with at(D(2026, 4, 20)):
        services.recours_repondre(recours=recours, user=world.user("dpid"), accueilli=True, reponse="Formés.")
        with pytest.raises(services.LabelError, match=r"^Action déjà effectuée : ce recours a déjà reçu"):
            services.recours_repondre(recours=recours, user=world.user("dpid"), accueilli=False, reponse="Non.")
    steps = [(e.transition, e.de, e.vers) for e in EtapeProcedure.objects.filter(recours=recours)]
    assert steps == [("deposer", "", EtatRecours.DEPOSE), ("repondre", EtatRecours.DEPOSE, EtatRecours.ACCUEILLI)]


def test_the_logs_share_the_portal_transition_base_and_a_refused_step_writes_nothing(world):
    """portal.core.transitions: one abstract log (who, when, from, to, why) and one helper that
    locks the row and checks the table; label's two logs use it."""
    from label.models import TransitionDemande
    from portal.core.transitions import TransitionLog

    assert issubclass(TransitionDemande, TransitionLog) and issubclass(EtapeProcedure, TransitionLog)
    with at(D(2026, 3, 1)):
        demande = ready_to_decide(world, trained=True)
    before = TransitionDemande.objects.filter(demande=demande).count()
    with at(D(2026, 3, 2)), pytest.raises(services.LabelError, match=r"^Action déjà effectuée, ou impossible"):
        services.demande_renvoyer(demande=demande, user=world.user("dpid"), motif="Pièce manquante.")
    assert TransitionDemande.objects.filter(demande=demande).count() == before
    last = TransitionDemande.objects.filter(demande=demande).last()
    assert str(last) == f"{last.transition} : {last.de} → {last.vers}" and last.at is not None
