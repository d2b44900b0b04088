"""Every transition of an application: allowed for the right role, refused for the others, logged."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from aap import services
from aap.models import Candidature, TransitionCandidature
from portal.accounts.enums import Role
from tests.aap.factories import advance, make_appel, make_candidature
from tests.factories import UserFactory

ROLES = ["responsable", "referent", "slai", "dpid", "manager", "admin", "slai_b"]

# transition: (state to start from, call, roles allowed, expected state)
CASES = {
    "deposer": (
        "brouillon",
        lambda c, u: services.candidature_deposit(candidature=c, user=u),
        {"responsable"},
        "deposee",
    ),
    "retirer": (
        "deposee",
        lambda c, u: services.candidature_withdraw(candidature=c, user=u),
        {"responsable"},
        "retiree",
    ),
    "declarer_recevable": (
        "deposee",
        lambda c, u: services.candidature_admissibility(candidature=c, checklist={}, recevable=True, motif="", user=u),
        {"dpid", "admin"},
        "recevable",
    ),
    "declarer_irrecevable": (
        "deposee",
        lambda c, u: services.candidature_admissibility(
            candidature=c, checklist={}, recevable=False, motif="Hors délai.", user=u
        ),
        {"dpid", "admin"},
        "irrecevable",
    ),
    "instruire": (
        "recevable",
        lambda c, u: services.candidature_start_instruction(candidature=c, user=u),
        {"dpid", "admin"},
        "en_instruction",
    ),
    "rendre_avis": (
        "en_instruction",
        lambda c, u: services.candidature_territorial_opinion(candidature=c, user=u, validation="validee"),
        {"slai"},
        "avis_rendu",
    ),
    "demander_correction": (
        "en_instruction",
        lambda c, u: services.candidature_request_correction(
            candidature=c, motif="incorrect", sections=["pieces"], message="Statuts périmés.", user=u
        ),
        {"dpid", "admin"},
        "correction",
    ),
    "corriger": (
        "correction",
        lambda c, u: services.candidature_resubmit(candidature=c, user=u),
        {"responsable"},
        "deposee",
    ),
    "proposer": (
        "avis_rendu",
        lambda c, u: services.candidature_propose(
            candidature=c, montant=Decimal("20000.00"), places=250, etp=Decimal("1"), acte="avenant", motif="", user=u
        ),
        {"dpid", "admin"},
        "proposee",
    ),
    "retenir": (
        "proposee",
        lambda c, u: services.candidature_decide(candidature=c, retenue=True, motif="", user=u),
        {"dpid", "admin"},
        "retenue",
    ),
    "ne_pas_retenir": (
        "avis_rendu",
        lambda c, u: services.candidature_decide(candidature=c, retenue=False, motif="Besoins couverts.", user=u),
        {"dpid", "admin"},
        "non_retenue",
    ),
}


@pytest.fixture
def setup(world):
    made = make_appel(validation_slai_requise=True)
    users = {**world.users, "slai_b": UserFactory(role=Role.SLAI, territoire=world.territoire_b)}
    return made, users


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(CASES))
def test_transition_right_role_only(setup, world, name, role):
    made, users = setup
    start, call, allowed, expected = CASES[name]
    candidature = make_candidature(
        dispositif=made.dispositif, structure=world.structure_a, territoire=world.territoire_a
    )
    advance(candidature, start, users=users)
    logs_before = TransitionCandidature.objects.filter(candidature=candidature).count()
    if role in allowed:
        call(candidature, users[role])
        candidature.refresh_from_db()
        assert candidature.etat == expected
        log = TransitionCandidature.objects.filter(candidature=candidature).last()
        assert (log.transition, log.de, log.vers, log.user) == (name, start, expected, users[role])
    else:
        with pytest.raises(PermissionDenied):
            call(candidature, users[role])
        assert Candidature.objects.get(pk=candidature.pk).etat == start
        assert TransitionCandidature.objects.filter(candidature=candidature).count() == logs_before


def test_a_transition_twice_is_refused(setup, world):
    made, users = setup
    candidature = make_candidature(
        dispositif=made.dispositif, structure=world.structure_a, territoire=world.territoire_a
    )
    advance(candidature, "recevable", users=users)
    services.candidature_start_instruction(candidature=candidature, user=users["dpid"])
    with pytest.raises(services.AapError, match="Action déjà effectuée"):
        services.candidature_start_instruction(candidature=candidature, user=users["dpid"])


def test_no_withdrawal_after_the_decision(setup, world):
    made, users = setup
    candidature = make_candidature(
        dispositif=made.dispositif, structure=world.structure_a, territoire=world.territoire_a
    )
    advance(candidature, "retenue", users=users)
    with pytest.raises(services.AapError):
        services.candidature_withdraw(candidature=candidature, user=users["responsable"])


def test_chef_de_slai_refusal_blocks_the_proposal(setup, world):
    made, users = setup
    candidature = make_candidature(
        dispositif=made.dispositif, structure=world.structure_a, territoire=world.territoire_a
    )
    advance(candidature, "en_instruction", users=users)
    with pytest.raises(services.AapError, match="Motivez"):
        services.candidature_territorial_opinion(candidature=candidature, user=users["slai"], validation="refusee")
    services.candidature_territorial_opinion(
        candidature=candidature,
        user=users["slai"],
        validation="refusee",
        commentaire="Besoins couverts sur le territoire.",
    )
    with pytest.raises(services.AapError, match="chef de SLAI n'a pas validé"):
        services.candidature_propose(
            candidature=candidature,
            montant=Decimal("1"),
            places=1,
            etp=None,
            acte="convention",
            motif="",
            user=users["dpid"],
        )
    services.candidature_decide(
        candidature=candidature, retenue=False, motif="Refus du chef de SLAI.", user=users["dpid"]
    )
    assert Candidature.objects.get(pk=candidature.pk).etat == "non_retenue"


def test_correction_reopens_only_the_named_parts_and_returns_to_instruction(setup, world):
    made, users = setup
    candidature = make_candidature(
        dispositif=made.dispositif, structure=world.structure_a, territoire=world.territoire_a
    )
    advance(candidature, "en_instruction", users=users)
    services.candidature_request_correction(
        candidature=candidature,
        motif="incomplet",
        sections=["budget"],
        message="Détaillez le compte 62.",
        user=users["dpid"],
    )
    candidature.refresh_from_db()
    assert candidature.section_is_open("budget")
    assert not candidature.section_is_open("projet")
    with pytest.raises(services.AapError, match="pas modifiable"):
        services.candidature_save_projet(
            candidature=candidature, data={"intitule": "Autre"}, user=users["responsable"]
        )
    services.candidature_save_budget(
        candidature=candidature,
        amounts={"64": Decimal("15000"), "62": Decimal("5000"), "74_departement": Decimal("20000")},
        precisions={"62": "Loyers"},
        user=users["responsable"],
    )
    services.candidature_resubmit(candidature=candidature, user=users["responsable"])
    candidature.refresh_from_db()
    assert candidature.etat == "en_instruction"
    assert candidature.sections_ouvertes == []
    assert candidature.corrections.get().corrigee_at is not None


def test_the_structure_is_notified_of_each_step(setup, world):
    from portal.echeances.models import Notification

    made, users = setup
    candidature = make_candidature(
        dispositif=made.dispositif, structure=world.structure_a, territoire=world.territoire_a
    )
    advance(candidature, "proposee", users=users)
    titles = list(Notification.objects.filter(recipient=users["responsable"]).values_list("title", flat=True))
    assert "Candidature 1.1 déposée" in titles
    assert "Candidature 1.1 : proposée à la commission permanente" in titles
