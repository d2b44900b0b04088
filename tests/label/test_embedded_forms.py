"""The forms of the label pages (request, withdrawal, charters): a bad submission shows the same
page again with the form, what was typed still in its fields and the error next to its field."""

import datetime

import pytest
from django.urls import reverse

from label import services
from label.enums import Avis, EtatDemande, EtatRetrait, MotifRetrait
from label.models import Label
from tests.form_checks import assert_form_error, assert_kept, assert_kept_with_error
from tests.label.factories import POOR, at, clear_label_records, dpid_control, ready_to_decide, submitted

D = datetime.date
TODAY = D(2026, 3, 2)
REQUIRED = "Ce champ est obligatoire."


@pytest.fixture(autouse=True)
def no_label_records(world):
    clear_label_records()


@pytest.fixture
def label_a(world):
    return Label.objects.create(structure=world.structure_a, date_decision=D(2022, 9, 1), date_fin=D(2027, 8, 31))


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_renvoyer_a_la_structure_keeps_the_page_and_says_what_is_missing(world, client_for):
    with at(TODAY):
        demande = submitted(world)
        url = reverse("label:demande_renvoyer", args=[demande.pk])
        response = client_for("dpid").post(url, {"motif": "   "})
    assert_kept_with_error(response, url, "motif", "", REQUIRED)
    assert messages_of(response) == []  # no banner: the error is on the form
    assert "Panel de CER tirés au sort" in response.content.decode()  # the request's page itself
    demande.refresh_from_db()
    assert demande.etat == EtatDemande.DEPOSEE


def test_dpid_evaluation_keeps_the_text_when_the_opinion_is_missing(world, client_for):
    with at(TODAY):
        demande = submitted(world)
        dpid_control(demande, world.user("dpid"))
        url = reverse("label:demande_evaluer", args=[demande.pk])
        response = client_for("dpid").post(url, {"evaluation": "Dossier complet, référents formés."})
    assert_kept_with_error(response, url, "avis", "", REQUIRED)
    assert_kept(response, url, "evaluation", "Dossier complet, référents formés.")


def test_dpid_evaluation_before_the_control_is_over_keeps_what_was_typed(world, client_for):
    with at(TODAY):
        demande = submitted(world)
        url = reverse("label:demande_evaluer", args=[demande.pk])
        data = {"evaluation": "Première lecture.", "avis": Avis.FAVORABLE}
        response = client_for("dpid").post(url, data)
    assert_form_error(response, url, "Le contrôle n'est pas terminé : 0 CER évalués sur 10.")
    assert_kept(response, url, "evaluation", "Première lecture.")
    assert_kept(response, url, "avis", Avis.FAVORABLE)


def test_slai_opinion_without_choice_keeps_the_observations(world, client_for):
    from tests.label.factories import evaluated

    with at(TODAY):
        demande = evaluated(world)
        url = reverse("label:demande_avis_slai", args=[demande.pk])
        response = client_for("slai").post(url, {"avis": "", "commentaire": "Partenaire connu du territoire."})
    assert_kept_with_error(response, url, "avis", "", REQUIRED)
    assert_kept(response, url, "commentaire", "Partenaire connu du territoire.")


def test_label_refusal_without_reasons_keeps_the_choice(world, client_for):
    with at(TODAY):
        demande = ready_to_decide(world, control=POOR)
        url = reverse("label:demande_decider", args=[demande.pk])
        response = client_for("dpid").post(url, {"decision": "refus", "motifs": ""})
    assert_kept_with_error(response, url, "motifs", "", "Un refus doit être motivé en fait et en droit.")
    assert_kept(response, url, "decision", "refus")
    demande.refresh_from_db()
    assert demande.etat == EtatDemande.AVIS_SLAI


def test_label_decision_without_choice_keeps_the_reasons(world, client_for):
    with at(TODAY):
        demande = ready_to_decide(world, control=POOR)
        url = reverse("label:demande_decider", args=[demande.pk])
        response = client_for("dpid").post(url, {"motifs": "Moyenne du contrôle à 45 %."})
    assert_kept_with_error(response, url, "decision", "", REQUIRED)
    assert_kept(response, url, "motifs", "Moyenne du contrôle à 45 %.")


def test_recours_answer_without_reasons_keeps_the_choice(world, client_for):
    with at(TODAY):
        demande = ready_to_decide(world, control=POOR)
        services.demande_refuser(demande=demande, user=world.user("dpid"), motifs="CER insuffisants.")
        services.recours_deposer(demande=demande, user=world.user("responsable"), actions_menees="Formation.")
        url = reverse("label:recours_repondre", args=[demande.pk])
        response = client_for("dpid").post(url, {"accueilli": "0", "reponse": ""})
    assert_kept_with_error(response, url, "reponse", "", REQUIRED)
    assert_kept(response, url, "accueilli", "0")


def test_a_form_the_page_no_longer_shows_says_why_in_a_message(world, client_for):
    """The request moved on meanwhile (another tab, a colleague): the page has no form to show
    the error on, so it is said in a message instead of being lost."""
    with at(TODAY):
        demande = ready_to_decide(world)
        url = reverse("label:demande_renvoyer", args=[demande.pk])
        response = client_for("dpid").post(url, {"motif": ""}, follow=True)
    assert response.redirect_chain == [(reverse("label:demande_detail", args=[demande.pk]), 302)]
    assert messages_of(response) == ["Corrections attendues : " + REQUIRED]


def test_withdrawal_observations_left_empty(world, client_for, label_a):
    with at(D(2026, 5, 4)):
        retrait = services.retrait_engager(
            label=label_a, motif=MotifRetrait.ENGAGEMENTS, griefs="Référent non formé.", user=world.user("dpid")
        )
        url = reverse("label:retrait_observations", args=[retrait.pk])
        response = client_for("responsable").post(url, {"observations": ""})
    assert_kept_with_error(response, url, "observations", "", REQUIRED)
    assert "Présenter vos observations" in response.content.decode()


def test_withdrawal_decision_without_reasons_keeps_the_choice(world, client_for, label_a):
    with at(D(2026, 5, 4)):
        retrait = services.retrait_engager(
            label=label_a, motif=MotifRetrait.ENGAGEMENTS, griefs="Référent non formé.", user=world.user("dpid")
        )
    with at(D(2026, 6, 4)):
        url = reverse("label:retrait_decider", args=[retrait.pk])
        response = client_for("dpid").post(url, {"retirer": "1", "decision": ""})
    assert_kept_with_error(response, url, "decision", "", REQUIRED)
    assert_kept(response, url, "retirer", "1")
    retrait.refresh_from_db()
    assert retrait.etat == EtatRetrait.CONTRADICTOIRE


def test_charter_examination_keeps_the_conclusion(world, client_for, label_a):
    with at(D(2026, 11, 25)):
        charte = services.charte_deposer(label=label_a, user=world.user("responsable"), bilan="Année 1.")
        url = reverse("label:charte_examiner", args=[charte.pk])
        response = client_for("dpid").post(url, {f"c{charte.pk}-conforme": "0", f"c{charte.pk}-observations_dpid": ""})
    name = f"c{charte.pk}-observations_dpid"
    assert_kept_with_error(response, url, name, "", "Indiquez quels critères ne sont plus remplis.")
    assert_kept(response, url, f"c{charte.pk}-conforme", "0")
    charte.refresh_from_db()
    assert charte.examinee_le is None
