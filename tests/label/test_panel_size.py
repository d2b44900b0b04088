"""Five CERs per referent (seed 001 l. 253, 260): a smaller panel blocks the submission, unless
the referent arrived less than 6 months before it and the DPID accepts it with its reason
(issue 14, item 2)."""

import datetime

import pytest
from django.urls import reverse

from label import services
from label.enums import Avis, EtatDemande, Evaluateur
from label.models import TirageCer
from label.services import LabelError
from tests.label.factories import GOOD, at, clear_label_records, dpid_control, import_cers, train

D = datetime.date


@pytest.fixture(autouse=True)
def no_label_records(world):
    clear_label_records()


def draft_with(world, counts):
    """A draft of structure A whose referents have `counts[referent]` CERs each, drawn and graded."""
    responsable = world.user("responsable")
    demande = services.demande_create(structure=world.structure_a, user=responsable)
    for referent, count in counts.items():
        train(referent)
        import_cers(world.structure_a, responsable, count=count, referents=[referent])
        services.tirage_create(demande=demande, referent=referent, user=responsable)
    for evaluation in demande.evaluations.filter(evaluateur=Evaluateur.STRUCTURE):
        services.evaluation_save(evaluation=evaluation, values=GOOD, user=responsable)
    demande.engagement = True
    demande.save(update_fields=["engagement"])
    return demande


def test_each_referent_gets_five_cers_drawn(world):
    with at(D(2026, 3, 2)):
        demande = draft_with(world, {world.referent_a: 7, world.autre_referent_a: 9})
    assert sorted(len(t.selection) for t in demande.tirages.all()) == [5, 5]


def test_a_referent_with_fewer_than_five_cers_blocks_the_submission(world):
    with at(D(2026, 3, 2)):
        demande = draft_with(world, {world.referent_a: 7, world.autre_referent_a: 3})
        with pytest.raises(LabelError) as error:
            services.demande_deposer(demande=demande, user=world.user("responsable"))
    assert str(error.value) == (
        "La demande ne peut pas être déposée : 5 CER par référent sont attendus : Bruno Bravo (3 CER sur 5)."
    )
    demande.refresh_from_db()
    assert demande.etat == EtatDemande.BROUILLON


def test_the_dpid_accepts_a_smaller_panel_for_a_newcomer_with_its_reason(world, client_for):
    newcomer = world.autre_referent_a
    newcomer.date_arrivee = D(2025, 9, 15)  # less than 6 months before the submission
    newcomer.save()
    dpid = world.user("dpid")
    with at(D(2026, 3, 2)):
        demande = draft_with(world, {world.referent_a: 7, newcomer: 3})
        services.demande_deposer(demande=demande, user=world.user("responsable"))
        dpid_control(demande, dpid)
        with pytest.raises(LabelError, match=r"^Panel de moins de 5 CER à accepter \(nouvel arrivant\) pour : "):
            services.demande_evaluer(demande=demande, user=dpid, evaluation="Complet.", avis=Avis.FAVORABLE)
        tirage = TirageCer.objects.get(demande=demande, referent=newcomer)
        client = client_for("dpid")
        url = reverse("label:panel_reduit_accepter", args=[demande.pk])
        response = client.post(url, {"tirage": tirage.pk, "motif": ""})
        assert response.status_code == 200 and "Ce champ est obligatoire." in response.content.decode()
        response = client.post(url, {"tirage": tirage.pk, "motif": "Arrivé en septembre, 3 CER signés depuis."})
        assert response.status_code == 302
        services.demande_evaluer(demande=demande, user=dpid, evaluation="Complet.", avis=Avis.FAVORABLE)
    tirage.refresh_from_db()
    assert tirage.panel_reduit_motif == "Arrivé en septembre, 3 CER signés depuis."
    assert tirage.panel_reduit_par == dpid


def test_a_smaller_panel_is_not_accepted_for_a_referent_who_arrived_long_before(world):
    newcomer = world.autre_referent_a
    newcomer.date_arrivee = D(2025, 9, 15)
    newcomer.save()
    with at(D(2026, 3, 2)):
        demande = draft_with(world, {world.referent_a: 7, newcomer: 3})
        services.demande_deposer(demande=demande, user=world.user("responsable"))
    tirage = TirageCer.objects.get(demande=demande, referent=world.referent_a)
    TirageCer.objects.filter(pk=tirage.pk).update(selection=tirage.selection[:4])
    tirage.refresh_from_db()
    with at(D(2026, 3, 5)), pytest.raises(LabelError) as error:
        services.panel_reduit_accepter(tirage=tirage, motif="Peu de CER.", user=world.user("dpid"))
    assert str(error.value) == (
        "Anne Alpha est arrivé·e le 2 janvier 2023, plus de 6 mois avant le dépôt : 5 CER sont attendus."
    )
