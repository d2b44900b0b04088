"""A label is granted only when both criteria of seed 001 §5 hold on the decision day, and the
decision letter states them from the data (issue 14, item 1)."""

import datetime
import html
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse

from label import services
from label.enums import Avis, EtatDemande, Evaluateur, NatureFormation
from label.models import FormationReferent, Label, ModuleFormation
from label.selectors import label_criteria
from label.services import LabelError
from portal.documents.kinds import get as get_kind
from tests.label.factories import PDF, POOR, at, clear_label_records, dpid_control, ready_to_decide, submitted

D = datetime.date


@pytest.fixture(autouse=True)
def no_label_records(world):
    clear_label_records()


def controlled_at(world, scores):
    """A submitted request of structure A whose DPID control totals are `scores` (out of 10),
    taken to the decision step (SLAI opinion recorded)."""
    with at(D(2026, 3, 1)):
        demande = submitted(world)
        dpid_control(demande, world.user("dpid"))
    controls = list(demande.evaluations.filter(evaluateur=Evaluateur.DPID).order_by("pk"))
    assert len(controls) == len(scores) == 10
    for evaluation, score in zip(controls, scores, strict=True):
        # Judgement items give 5.5 with GOOD; the automatic part makes up the rest.
        evaluation.score_automatique = Decimal(score) - Decimal("5.5")
        evaluation.save(update_fields=["score_automatique"])
    with at(D(2026, 3, 5)):
        services.demande_evaluer(demande=demande, user=world.user("dpid"), evaluation="Complet.", avis=Avis.FAVORABLE)
        services.demande_avis_slai(
            demande=demande,
            user=world.user("slai"),
            avis=Avis.FAVORABLE,
            commentaire="",
            revue_conjointe="Revue conjointe du 5 mars.",
        )
    return demande


def letter_text(demande):
    kind = get_kind("label_decision")
    context = kind.build_context(demande)
    context.update(kind=kind, document={"date_document": D(2026, 3, 10), "version": 1}, page_count=1)
    rendered = render_to_string(kind.template, context)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", rendered)))


def test_a_label_is_not_granted_at_79_96_percent(world):
    demande = controlled_at(world, ["8.0"] * 9 + ["7.96"])
    with at(D(2026, 3, 10)):
        assert label_criteria(demande, D(2026, 3, 10)).summary.dpid_average == Decimal("79.96")
        with pytest.raises(LabelError) as error:
            services.demande_accorder(demande=demande, user=world.user("dpid"))
    assert str(error.value) == (
        "Le label ne peut pas être accordé : les deux critères doivent être remplis. Qualité des CER : moyenne du "
        "contrôle 79,96 % (80 % attendus) sur 10 CER – critère non rempli."
    )
    demande.refresh_from_db()
    assert demande.etat == EtatDemande.AVIS_SLAI
    assert not Label.objects.exists()


def test_a_label_is_granted_at_exactly_80_percent(world):
    demande = controlled_at(world, ["8.0"] * 10)
    with at(D(2026, 3, 10)):
        label = services.demande_accorder(demande=demande, user=world.user("dpid"))
    assert label.date_decision == D(2026, 3, 10)


def test_a_label_is_not_granted_with_one_untrained_referent(world):
    with at(D(2026, 3, 1)):
        demande = ready_to_decide(world)
    FormationReferent.objects.filter(referent=world.autre_referent_a, module__code="pssm").delete()
    with at(D(2026, 3, 10)), pytest.raises(LabelError) as error:
        services.demande_accorder(demande=demande, user=world.user("dpid"))
    message = str(error.value)
    assert "Formation de l'ensemble des référents : 1 référent formé sur 2 – critère non rempli (" in message
    assert world.autre_referent_a.nom_complet in message
    assert "Qualité des CER" not in message
    assert not Label.objects.exists()


def test_a_justified_absence_with_a_new_session_counts_as_trained(world):
    with at(D(2026, 3, 1)):
        demande = ready_to_decide(world)
    pssm = ModuleFormation.objects.get(code="pssm")
    FormationReferent.objects.filter(referent=world.autre_referent_a, module=pssm).delete()
    FormationReferent.objects.create(
        referent=world.autre_referent_a,
        module=pssm,
        nature=NatureFormation.ABSENCE,
        date=D(2026, 2, 2),
        piece=SimpleUploadedFile("arret-maladie.pdf", PDF),
        nouvelle_session=D(2026, 5, 18),
    )
    with at(D(2026, 3, 10)):
        criteria = label_criteria(demande, D(2026, 3, 10))
        assert criteria.training_met
        assert "(dont 1 avec une absence justifiée et une nouvelle session prévue)" in criteria.training_text
        services.demande_accorder(demande=demande, user=world.user("dpid"))
    # Once the new session has passed without a certificate, the referent no longer counts.
    assert not label_criteria(demande, D(2026, 5, 19)).training_met


def test_the_letter_of_a_granted_label_states_both_criteria_with_their_figures(world):
    with at(D(2026, 3, 1)):
        demande = ready_to_decide(world)
    with at(D(2026, 3, 10)):
        services.demande_accorder(demande=demande, user=world.user("dpid"))
        text = letter_text(demande)
    assert "Les deux critères du label (cahier des charges, point 5), constatés au 10 mars 2026 :" in text
    assert "Formation de l'ensemble des référents : 2 référents formés sur 2 – critère rempli ;" in text
    assert "Qualité des CER : moyenne du contrôle 100,0 % (80 % attendus) sur 10 CER – critère rempli." in text


def test_the_letter_of_a_refusal_states_the_unmet_criteria_and_the_appeal(world):
    with at(D(2026, 3, 1)):
        demande = ready_to_decide(world, control=POOR, trained=False)
    with at(D(2026, 3, 10)):
        services.demande_refuser(demande=demande, user=world.user("dpid"), motifs="Critères non remplis.")
        text = letter_text(demande)
    assert "moratoire de six mois" in text
    assert "Formation de l'ensemble des référents : 0 référent formé sur 2 – critère non rempli (" in text
    assert "Qualité des CER : moyenne du contrôle 45,0 % (80 % attendus) sur 10 CER – critère non rempli." in text
    assert "critère rempli ;" not in text
    assert "recours gracieux auprès du Président du Conseil départemental" in text
    assert "au plus tard le 10 mai 2026" in text


def test_an_appeal_is_upheld_only_when_the_criteria_are_met(world):
    with at(D(2026, 3, 1)):
        demande = ready_to_decide(world, trained=False)
    with at(D(2026, 3, 10)):
        services.demande_refuser(demande=demande, user=world.user("dpid"), motifs="Référents non formés.")
    with at(D(2026, 4, 1)):
        recours = services.recours_deposer(demande=demande, user=world.user("responsable"), actions_menees="Plan.")
        with pytest.raises(LabelError, match=r"^Le label ne peut pas être accordé"):
            services.recours_repondre(recours=recours, user=world.user("dpid"), accueilli=True, reponse="Vu.")
    from tests.label.factories import train

    train(world.referent_a)
    train(world.autre_referent_a)
    with at(D(2026, 4, 15)):
        services.recours_repondre(recours=recours, user=world.user("dpid"), accueilli=True, reponse="Formés.")
    assert services.structure_is_labelled(world.structure_a, on=D(2026, 4, 15))


def test_the_decision_page_shows_each_criterion_with_its_evidence(world, client_for):
    with at(D(2026, 3, 1)):
        demande = ready_to_decide(world)
    FormationReferent.objects.filter(referent=world.autre_referent_a, module__code="pssm").delete()
    with at(D(2026, 3, 10)):
        client = client_for("dpid")
        page = client.get(reverse("label:demande_detail", args=[demande.pk])).content.decode()
        text = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))
        assert "Au 10 mars 2026 : critères non remplis – le label ne peut pas être accordé." in text
        assert "Manque : Détresse et troubles psy : Premiers secours en santé mentale" in text
        response = client.post(reverse("label:demande_decider", args=[demande.pk]), {"decision": "accord"})
    assert response.status_code == 200
    assert "Le label ne peut pas être accordé" in html.unescape(response.content.decode())
    assert not Label.objects.exists()


def test_a_newcomer_with_a_training_plan_counts_within_the_year_of_arrival(world):
    with at(D(2026, 3, 1)):
        demande = ready_to_decide(world)
    newcomer = world.autre_referent_a
    newcomer.date_arrivee = D(2026, 1, 12)
    newcomer.save()
    FormationReferent.objects.filter(referent=newcomer).delete()
    for module in ModuleFormation.objects.filter(code__in=["pssm", "potentiels", "public-feminin"]):
        FormationReferent.objects.create(
            referent=newcomer, module=module, nature=NatureFormation.PREVUE, date=D(2026, 6, 8)
        )
    criteria = label_criteria(demande, D(2026, 3, 10))
    assert not criteria.training_met  # the plan misses a mandatory module and the optional one
    for code in ("secret-professionnel", "mdph"):
        FormationReferent.objects.create(
            referent=newcomer,
            module=ModuleFormation.objects.get(code=code),
            nature=NatureFormation.PREVUE,
            date=D(2026, 6, 8),
        )
    criteria = label_criteria(demande, D(2026, 3, 10))
    assert criteria.training_met
    assert "(dont 1 nouvel arrivant avec son plan de formation)" in criteria.training_text
    # After the year of arrival, a plan is no longer enough.
    assert not label_criteria(demande, D(2027, 1, 4)).training_met
