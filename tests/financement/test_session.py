"""A Commission Permanente session from the calls for projects' proposals: annex lines linked to
their applications, then the simulations and the vote as for any deliberation."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from aap.enums import EtatCandidature
from financement import services
from financement.models import Deliberation, LigneAnnexe
from portal.accounts.enums import Role
from tests.aap.factories import aap_world, advance, make_candidature
from tests.factories import UserFactory


@pytest.fixture
def proposals(world):
    made = aap_world(world)
    proposed = make_candidature(dispositif=made.dispositif, structure=world.structure_b, territoire=world.territoire_a)
    responsable_b = UserFactory(role=Role.RESPONSABLE, structure=world.structure_b, email="resp-b@example.test")
    advance(proposed, "proposee", users={**world.users, "responsable": responsable_b})
    return made, proposed


def _post(client, proposals_pks, **fields):
    today = timezone.localdate()
    data = {
        "date": today.isoformat(),
        "annee_appel": str(today.year),
        "phase": "2",
        "numero": f"{today.year}-901",
        "intitule": "Appels à projets – phase 1",
        "candidatures": [str(pk) for pk in proposals_pks],
        "ligne_budgetaire": "",
        **fields,
    }
    return client.post(reverse("financement:session_create"), data)


def test_dpid_groups_a_proposal_into_a_session_and_the_vote_retains_it(client, world, proposals):
    _made, proposed = proposals
    dpid = world.user("dpid")
    client.force_login(dpid)
    html = client.get(reverse("financement:session_create")).content.decode()
    assert "Structure B (Arrageois) : 16\u00a0000,00\u00a0€" in html
    response = _post(client, [proposed.pk], ligne_budgetaire=str(world.finance.budget_line.pk))
    assert response.status_code == 302, response.context["form"].errors
    deliberation = Deliberation.objects.get(numero=f"{timezone.localdate().year}-901")
    assert response["Location"] == reverse("financement:simulations", args=[deliberation.numero])
    ligne = deliberation.lignes.get()
    assert (ligne.candidature, ligne.thematique, ligne.operation, ligne.dispositif) == (proposed, "1", 1, "1.1")
    assert (ligne.structure, ligne.territoire, ligne.montant, ligne.places, ligne.etp) == (
        world.structure_b,
        world.territoire_a,
        Decimal("16000.00"),
        200,
        Decimal("0.80"),
    )
    assert ligne.type_acte == "convention" and ligne.ligne_budgetaire == world.finance.budget_line
    assert deliberation.simulations.get().lignes.get() == ligne
    # Now in a session: no longer offered.
    assert "Structure B (Arrageois)" not in client.get(reverse("financement:session_create")).content.decode()
    # The annex links back to the application.
    html = client.get(deliberation.get_absolute_url()).content.decode()
    assert reverse("aap:candidature_detail", args=[proposed.pk]) in html
    # The vote retains the application in the call-for-projects tool.
    services.deliberation_voter(
        deliberation=deliberation,
        date=timezone.localdate(),
        vote_pour=40,
        vote_contre=0,
        vote_abstention=2,
        vote_absents=3,
        membres_interesses="",
        adoptee=True,
        articles={"1": ("Accompagnement des BRSA", Decimal("16000.00"))},
        user=dpid,
    )
    proposed.refresh_from_db()
    assert proposed.etat == EtatCandidature.RETENUE
    convention = services.acte_from_ligne(ligne=ligne, user=dpid)
    html = client.get(convention.get_absolute_url()).content.decode()
    assert reverse("aap:candidature_detail", args=[proposed.pk]) in html
    # And the application links forward to what the funding side made of it, within each one's view:
    # the DPID sees the deliberation and the convention, the structure its convention only (no
    # deliberation annex), the SLAI agent no money at all.
    candidature_url = reverse("aap:candidature_detail", args=[proposed.pk])
    html = client.get(candidature_url).content.decode()
    assert "Suite donnée au financement" in html
    assert deliberation.get_absolute_url() in html and convention.get_absolute_url() in html
    client.force_login(type(dpid).objects.get(email="resp-b@example.test"))
    html = client.get(candidature_url).content.decode()
    assert convention.get_absolute_url() in html and deliberation.get_absolute_url() not in html
    client.force_login(world.user("slai"))
    response = client.get(candidature_url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Suite donnée au financement" not in html and convention.get_absolute_url() not in html


def test_errors_keep_the_input_and_name_the_field(client, world, proposals):
    _made, proposed = proposals
    client.force_login(world.user("dpid"))
    response = _post(client, [], intitule="Mon intitulé gardé")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Choisissez au moins une proposition." in html and "Mon intitulé gardé" in html
    # A session already exists for phase 1 of the 2026 call (world's deliberation).
    session = world.finance.deliberation.session
    response = _post(
        client,
        [proposed.pk],
        ligne_budgetaire=str(world.finance.budget_line.pk),
        phase=str(session.phase),
        annee_appel=str(session.annee_appel),
    )
    assert response.status_code == 200
    assert "Une séance existe déjà pour la phase 1" in response.content.decode()
    assert not LigneAnnexe.objects.filter(candidature=proposed).exists()


def test_a_proposal_left_out_by_a_rejected_vote_comes_back(world, proposals):
    _made, proposed = proposals
    dpid = world.user("dpid")
    deliberation = services.session_from_proposals(
        date=timezone.localdate(),
        phase=7,
        annee_appel=2030,
        numero="2030-7",
        intitule="Phase 7",
        candidatures=[proposed],
        ligne_budgetaire=world.finance.budget_line,
        user=dpid,
    )
    assert proposed not in services.propositions_disponibles()
    with pytest.raises(services.FinancementError, match="déjà dans une séance"):
        services.session_from_proposals(
            date=timezone.localdate(),
            phase=8,
            annee_appel=2030,
            numero="2030-8",
            intitule="Phase 8",
            candidatures=[proposed],
            ligne_budgetaire=world.finance.budget_line,
            user=dpid,
        )
    services.deliberation_voter(
        deliberation=deliberation,
        date=timezone.localdate() - datetime.timedelta(days=1),
        vote_pour=10,
        vote_contre=30,
        vote_abstention=0,
        vote_absents=0,
        membres_interesses="",
        adoptee=False,
        articles={},
        user=dpid,
    )
    assert proposed in services.propositions_disponibles()
    proposed.refresh_from_db()
    assert proposed.etat == EtatCandidature.PROPOSEE


@pytest.mark.django_db
def test_demo_annex_lines_link_to_their_applications_and_2025_proposals_wait_for_a_session():
    from aap import demo as aap_demo
    from financement import demo
    from portal.referentiels import demo as referentiels_demo

    referentiels_demo.load()
    aap_demo.load()
    demo.load()
    lignes = LigneAnnexe.objects.filter(deliberation__numero="2024-587")
    assert lignes.count() == 31
    assert not lignes.filter(candidature__isnull=True).exists()
    assert all(ligne.candidature.structure_id == ligne.structure_id for ligne in lignes.select_related("candidature"))
    waiting = {(c.structure.nom, c.etat) for c in services.propositions_disponibles()}
    assert waiting == {
        ("PBI", "retenue"),
        ("MEILL HC", "retenue"),
        ("ID formation", "retenue"),
        ("MIPE", "proposee"),
    }


def test_a_thematique_never_imputed_needs_its_budget_line(world, proposals):
    _made, proposed = proposals
    LigneAnnexe.objects.update(thematique="9")  # no precedent for thématique 1
    kwargs = {
        "date": timezone.localdate(),
        "phase": 3,
        "annee_appel": 2030,
        "numero": "2030-3",
        "intitule": "Phase 3",
        "candidatures": [proposed],
        "user": world.user("dpid"),
    }
    with pytest.raises(services.FinancementError, match="jamais été imputée") as error:
        services.session_from_proposals(ligne_budgetaire=None, **kwargs)
    assert error.value.field == "ligne_budgetaire"
    deliberation = services.session_from_proposals(ligne_budgetaire=world.finance.budget_line, **kwargs)
    assert deliberation.lignes.get().ligne_budgetaire == world.finance.budget_line
