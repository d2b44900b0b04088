"""The label procedure (seed 001 §7) through label.services, with time frozen in Paris: random draw,
submission, DPID control, SLAI opinion, decision, moratorium, recours gracieux and the deadlines."""

import datetime
import re
from decimal import Decimal

import pytest

from label import services
from label.enums import Avis, EtatDemande, EtatRecours, Evaluateur, TypeDemande
from label.models import CerAnonymise, EvaluationCer, Label, Moratoire, Recours, TirageCer, TransitionDemande
from label.selectors import panel_summary
from label.services import LabelError
from portal.echeances.models import Notification, Rappel
from portal.echeances.services import reminders_send_due
from tests.factories import ReferentFactory, UserFactory
from tests.label.factories import (
    GOOD,
    POOR,
    at,
    cer_data,
    clear_label_records,
    dpid_control,
    draft_ready,
    evaluated,
    import_cers,
    ready_to_decide,
    submitted,
    train,
)

D = datetime.date
WRONG_STATE = "Action déjà effectuée, ou impossible dans l'état actuel de la demande."


def refused(message, *, exact=True):
    """The step is refused with this French message (the whole message, or its beginning)."""
    pattern = re.escape(message)
    return pytest.raises(LabelError, match=f"^{pattern}$" if exact else f"^{pattern}")


@pytest.fixture(autouse=True)
def no_label_records(world):
    clear_label_records()


def structure_evaluations(demande):
    return demande.evaluations.filter(evaluateur=Evaluateur.STRUCTURE)


def dpid_evaluations(demande):
    return demande.evaluations.filter(evaluateur=Evaluateur.DPID)


def decided(world, day, *, control=GOOD, refuse=False, motifs="Qualité des CER insuffisante.", trained=True):
    """A request of structure A taken to its decision on `day` (instructed a few days before)."""
    with at(day - datetime.timedelta(days=7)):
        demande = ready_to_decide(world, control=control, trained=trained)
    with at(day):
        if refuse:
            return services.demande_refuser(demande=demande, user=world.user("dpid"), motifs=motifs)
        services.demande_accorder(demande=demande, user=world.user("dpid"))
        return demande


# --- CER import ---------------------------------------------------------------------------------


def test_cers_are_imported_once_and_all_or_nothing(world):
    resp = world.user("responsable")
    data = [cer_data("1000001"), cer_data("1000002")]
    assert services.cers_import(structure=world.structure_a, referent=world.referent_a, data=data, user=resp) == 2
    # The same file twice adds nothing.
    assert services.cers_import(structure=world.structure_a, referent=world.referent_a, data=data, user=resp) == 0
    broken = [cer_data("1000003"), cer_data("1000004", date_debut="2025-02-30")]
    with refused("CER n° 2 : date_debut : date impossible « 2025-02-30 »"):
        services.cers_import(structure=world.structure_a, referent=world.referent_a, data=broken, user=resp)
    assert sorted(CerAnonymise.objects.values_list("numero_caf", flat=True)) == ["1000001", "1000002"]


# --- the random draw ----------------------------------------------------------------------------


def test_the_draw_is_reproducible_from_its_recorded_seed(world):
    resp = world.user("responsable")
    with at(D(2026, 1, 12)):
        demande = services.demande_create(structure=world.structure_a, user=resp)
        import_cers(world.structure_a, resp, count=9)
        tirage = services.tirage_create(demande=demande, referent=world.referent_a, user=resp)
    tirage.refresh_from_db()
    mine = sorted(CerAnonymise.objects.filter(referent=world.referent_a).values_list("pk", flat=True))
    assert tirage.pool == mine
    assert len(tirage.selection) == 5
    assert set(tirage.selection) <= set(mine)
    assert services.draw(tirage.pool, tirage.seed) == tirage.selection
    # Whoever checks it later, in whatever order the pool is given, finds the same CERs.
    assert services.draw(list(reversed(tirage.pool)), tirage.seed) == tirage.selection
    # The drawn CERs are the ones the structure has to self-evaluate.
    assert sorted(structure_evaluations(demande).values_list("cer_id", flat=True)) == tirage.selection


def test_a_given_seed_always_draws_the_same_cers(world):
    resp = world.user("responsable")
    import_cers(world.structure_a, resp, count=12)
    demande = services.demande_create(structure=world.structure_a, user=resp)
    tirage = services.tirage_create(demande=demande, referent=world.referent_a, user=resp, seed=20260112)
    assert tirage.seed == 20260112
    assert tirage.selection == services.draw(tirage.pool, 20260112)
    assert services.draw(tirage.pool, 20260112) != services.draw(tirage.pool, 20260113)


def test_the_draw_never_takes_another_referent_or_another_structure_cer(world):
    resp = world.user("responsable")
    import_cers(world.structure_a, resp, count=4, referents=[world.referent_a])
    import_cers(world.structure_a, resp, count=8, referents=[world.autre_referent_a])
    import_cers(world.structure_b, UserFactory(responsable=True), count=8, referents=[world.referent_b])
    # CERs filed for referent A under structure B's name do not enter A's draw either.
    services.cers_import(structure=world.structure_b, referent=world.referent_a, data=[cer_data("9999999")], user=resp)
    own = set(
        CerAnonymise.objects.filter(referent=world.referent_a, structure=world.structure_a).values_list(
            "pk", flat=True
        )
    )
    demande = services.demande_create(structure=world.structure_a, user=resp)
    tirage = services.tirage_create(demande=demande, referent=world.referent_a, user=resp)
    assert set(tirage.pool) == own
    assert set(tirage.selection) == own  # 4 CERs only: all of them
    with refused("Ce référent n'appartient pas à la structure de la demande."):
        services.tirage_create(demande=demande, referent=world.referent_b, user=resp)


def test_the_draw_takes_at_most_five_cers(world):
    resp = world.user("responsable")
    import_cers(world.structure_a, resp, count=30, referents=[world.referent_a])
    import_cers(world.structure_a, resp, count=3, referents=[world.autre_referent_a])
    demande = services.demande_create(structure=world.structure_a, user=resp)
    assert len(services.tirage_create(demande=demande, referent=world.referent_a, user=resp).selection) == 5
    assert len(services.tirage_create(demande=demande, referent=world.autre_referent_a, user=resp).selection) == 3
    assert structure_evaluations(demande).count() == 8
    assert panel_summary(demande).expected == 8


def test_a_second_draw_for_the_same_referent_is_refused(world):
    resp = world.user("responsable")
    import_cers(world.structure_a, resp, count=8)
    demande = services.demande_create(structure=world.structure_a, user=resp)
    first = services.tirage_create(demande=demande, referent=world.referent_a, user=resp)
    with refused("Le tirage de ce référent a déjà été fait : il ne peut pas être refait."):
        services.tirage_create(demande=demande, referent=world.referent_a, user=resp)
    assert list(TirageCer.objects.filter(demande=demande).values_list("pk", "selection")) == [
        (first.pk, first.selection)
    ]


def test_no_draw_without_cers(world):
    demande = services.demande_create(structure=world.structure_a, user=world.user("responsable"))
    with refused("Aucun CER signé dans le portail ni déposé pour Anne Alpha : saisissez ses CER", exact=False):
        services.tirage_create(demande=demande, referent=world.referent_a, user=world.user("responsable"))


# --- submission ---------------------------------------------------------------------------------


def test_submission_requires_the_engagement(world):
    demande = draft_ready(world.structure_a, world.user("responsable"), engagement=False)
    with pytest.raises(LabelError) as error:
        services.demande_deposer(demande=demande, user=world.user("responsable"))
    assert str(error.value) == "La demande ne peut pas être déposée : l'engagement de la structure n'est pas coché."
    demande.refresh_from_db()
    assert demande.etat == EtatDemande.BROUILLON
    assert demande.deposee_at is None


def test_submission_requires_a_draw_for_every_active_referent(world):
    resp = world.user("responsable")
    demande = draft_ready(world.structure_a, resp)
    ReferentFactory(structure=world.structure_a, nom="Écho", prenom="Émile", date_arrivee=D(2026, 1, 5))
    ReferentFactory(structure=world.structure_a, nom="Parti", prenom="Paul", date_depart=D(2025, 12, 31))
    with pytest.raises(LabelError) as error:
        services.demande_deposer(demande=demande, user=resp)
    assert str(error.value) == "La demande ne peut pas être déposée : tirage de CER à faire pour : Émile Écho."


def test_submission_requires_every_drawn_cer_to_be_self_evaluated(world):
    resp = world.user("responsable")
    with at(D(2026, 1, 12)):
        demande = services.demande_create(structure=world.structure_a, user=resp)
        import_cers(world.structure_a, resp)
        for referent in (world.referent_a, world.autre_referent_a):
            services.tirage_create(demande=demande, referent=referent, user=resp)
        *graded, left = structure_evaluations(demande)
        for evaluation in graded:
            services.evaluation_save(evaluation=evaluation, values=GOOD, user=resp)
        with pytest.raises(LabelError) as error:
            services.demande_deposer(demande=demande, user=resp)
    assert str(error.value) == (
        "La demande ne peut pas être déposée : l'engagement de la structure n'est pas coché ; "
        "certains CER tirés ne sont pas encore auto-évalués."
    )
    demande.engagement = True
    demande.save()
    services.evaluation_save(evaluation=left, values=GOOD, user=resp)
    assert services.demande_deposer(demande=demande, user=resp).etat == EtatDemande.DEPOSEE


def test_a_submitted_request_is_frozen_and_the_dpid_gets_the_same_panel(world):
    resp = world.user("responsable")
    with at(D(2026, 1, 15), 9, 30):
        demande = submitted(world)
    demande.refresh_from_db()
    assert demande.etat == EtatDemande.DEPOSEE
    assert demande.deposee_at == datetime.datetime(2026, 1, 15, 8, 30, tzinfo=datetime.UTC)
    assert sorted(dpid_evaluations(demande).values_list("cer_id", flat=True)) == sorted(
        structure_evaluations(demande).values_list("cer_id", flat=True)
    )
    assert dpid_evaluations(demande).count() == 10
    assert not any(e.is_complete for e in dpid_evaluations(demande))

    frozen = "La demande est déposée : elle ne peut plus être modifiée."
    evaluation = structure_evaluations(demande).first()
    with refused(frozen):
        services.evaluation_save(evaluation=evaluation, values=POOR, user=resp)
    evaluation.refresh_from_db()
    assert evaluation.duree_adaptee == Decimal("1")
    newcomer = ReferentFactory(structure=world.structure_a, date_arrivee=D(2026, 1, 20))
    import_cers(world.structure_a, resp, referents=[newcomer])
    with refused(frozen):
        services.tirage_create(demande=demande, referent=newcomer, user=resp)
    with refused(frozen):
        services.demande_deposer(demande=demande, user=resp)


def test_the_dpid_sends_a_request_back_with_its_reasons(world):
    resp, dpid = world.user("responsable"), world.user("dpid")
    with at(D(2026, 1, 15)):
        demande = submitted(world)
    with at(D(2026, 1, 20)), refused("Indiquez les corrections attendues."):
        services.demande_renvoyer(demande=demande, user=dpid, motif="  ")
    with at(D(2026, 1, 20)):
        services.demande_renvoyer(demande=demande, user=dpid, motif="Joindre les attestations de formation.")
    demande.refresh_from_db()
    assert demande.etat == EtatDemande.BROUILLON
    assert demande.is_editable
    last = TransitionDemande.objects.filter(demande=demande).last()
    assert (last.transition, last.de, last.vers, last.motif, last.user) == (
        "renvoyer",
        EtatDemande.DEPOSEE,
        EtatDemande.BROUILLON,
        "Joindre les attestations de formation.",
        dpid,
    )
    # The structure may correct its self-evaluation and submit again.
    evaluation = structure_evaluations(demande).first()
    services.evaluation_save(evaluation=evaluation, values=POOR, user=resp)
    assert services.demande_deposer(demande=demande, user=resp).etat == EtatDemande.DEPOSEE
    assert [t.transition for t in demande.transitions.all()] == ["deposer", "renvoyer", "deposer"]


# --- DPID control and SLAI opinion -------------------------------------------------------------------


def test_the_dpid_opinion_waits_for_the_whole_control(world):
    dpid = world.user("dpid")
    with at(D(2026, 1, 15)):
        demande = submitted(world)
    *graded, left = dpid_evaluations(demande)
    for evaluation in graded:
        services.evaluation_save(evaluation=evaluation, values=GOOD, user=dpid)
    with refused("Le contrôle n'est pas terminé : 9 CER évalués sur 10."):
        services.demande_evaluer(demande=demande, user=dpid, evaluation="Dossier complet.", avis=Avis.FAVORABLE)
    demande.refresh_from_db()
    assert demande.etat == EtatDemande.DEPOSEE
    services.evaluation_save(evaluation=left, values=GOOD, user=dpid)
    with at(D(2026, 2, 16)):
        services.demande_evaluer(demande=demande, user=dpid, evaluation="Dossier complet.", avis=Avis.FAVORABLE)
    demande.refresh_from_db()
    assert (demande.etat, demande.avis_dpid, demande.evaluation_dpid) == (
        EtatDemande.AVIS_DPID,
        Avis.FAVORABLE,
        "Dossier complet.",
    )
    # The control is closed once the opinion is given.
    with refused("Le contrôle de la DPID se fait sur une demande déposée", exact=False):
        services.evaluation_save(evaluation=left, values=POOR, user=dpid)


def test_the_dpid_controls_only_a_submitted_request(world):
    demande = draft_ready(world.structure_a, world.user("responsable"))
    services.demande_deposer(demande=demande, user=world.user("responsable"))
    services.demande_renvoyer(demande=demande, user=world.user("dpid"), motif="À compléter.")
    with refused("Le contrôle de la DPID se fait sur une demande déposée", exact=False):
        services.evaluation_save(evaluation=dpid_evaluations(demande).first(), values=GOOD, user=world.user("dpid"))


def test_below_80_percent_the_slai_opinion_requires_the_joint_review(world):
    with at(D(2026, 2, 16)):
        demande = evaluated(world, control=POOR, avis=Avis.DEFAVORABLE)
    summary = panel_summary(demande)
    assert (summary.structure_average, summary.dpid_average) == (Decimal("100.0"), Decimal("45.0"))
    assert summary.structure_passes and not summary.dpid_passes
    slai = world.user("slai")
    with at(D(2026, 3, 2)), pytest.raises(LabelError) as error:
        services.demande_avis_slai(
            demande=demande, user=slai, avis=Avis.DEFAVORABLE, commentaire="", revue_conjointe=""
        )
    assert str(error.value) == (
        "La moyenne du contrôle est inférieure à 80 % : consignez la revue conjointe du siège et du SLAI."
    )
    demande.refresh_from_db()
    assert demande.etat == EtatDemande.AVIS_DPID
    with at(D(2026, 3, 2)):
        services.demande_avis_slai(
            demande=demande,
            user=slai,
            avis=Avis.DEFAVORABLE,
            commentaire="",
            revue_conjointe="Rencontre du 2 mars : remarques trop générales.",
        )
    demande.refresh_from_db()
    assert demande.etat == EtatDemande.AVIS_SLAI
    assert demande.revue_conjointe == "Rencontre du 2 mars : remarques trop générales."


@pytest.mark.parametrize(
    ("control", "average"),
    [
        (GOOD, Decimal("100.0")),
        # 4.5 automatic + 1 + 1 + 0 + 1.5 = 8/10: exactly the threshold.
        ({**GOOD, "remarque_positionnement": Decimal("0")}, Decimal("80.0")),
    ],
    ids=["100", "80"],
)
def test_from_80_percent_the_slai_confirms_without_joint_review(world, control, average):
    with at(D(2026, 2, 16)):
        demande = evaluated(world, control=control)
    assert panel_summary(demande).dpid_average == average
    with at(D(2026, 3, 2)):
        services.demande_avis_slai(
            demande=demande, user=world.user("slai"), avis=Avis.FAVORABLE, commentaire="", revue_conjointe=""
        )
    demande.refresh_from_db()
    assert (demande.etat, demande.avis_slai) == (EtatDemande.AVIS_SLAI, Avis.FAVORABLE)


# --- decision: the label ------------------------------------------------------------------------


def test_the_label_is_valid_five_years_from_the_decision(world):
    demande = decided(world, D(2026, 3, 10))
    demande.refresh_from_db()
    assert demande.etat == EtatDemande.ACCORDEE
    assert demande.notifiee_le == D(2026, 3, 10)
    label = Label.objects.get(structure=world.structure_a)
    assert (label.demande, label.date_decision, label.date_fin) == (demande, D(2026, 3, 10), D(2031, 3, 9))
    structure = world.structure_a
    assert not services.structure_is_labelled(structure, on=D(2026, 3, 9))
    assert services.structure_is_labelled(structure, on=D(2026, 3, 10))
    assert services.structure_is_labelled(structure, on=D(2031, 3, 9))
    assert not services.structure_is_labelled(structure, on=D(2031, 3, 10))
    assert not services.structure_is_labelled(world.structure_b, on=D(2026, 3, 10))


def test_a_withdrawn_label_no_longer_counts(world):
    decided(world, D(2026, 3, 10))
    Label.objects.update(retire_le=D(2027, 6, 1), motif_retrait="Fin de la mission RSA.")
    assert services.structure_is_labelled(world.structure_a, on=D(2027, 5, 31))
    assert not services.structure_is_labelled(world.structure_a, on=D(2027, 6, 1))


def test_no_new_request_while_one_is_in_progress(world):
    with at(D(2026, 1, 15)):
        submitted(world)
        with refused("Une demande de label est déjà en cours pour cette structure."):
            services.demande_create(structure=world.structure_a, user=world.user("responsable"))
        # Another structure is not concerned.
        assert services.demande_create(structure=world.structure_b, user=UserFactory(responsable=True))


# --- decision: refusal, moratorium ------------------------------------------------------------------


def test_a_first_refusal_opens_a_six_month_moratorium(world):
    demande = decided(world, D(2026, 8, 31), control=POOR, refuse=True, motifs="Référents non formés.", trained=False)
    demande.refresh_from_db()
    assert demande.etat == EtatDemande.MORATOIRE
    assert (demande.notifiee_le, demande.motifs_decision) == (D(2026, 8, 31), "Référents non formés.")
    moratoire = Moratoire.objects.get(demande=demande)
    assert (moratoire.date_debut, moratoire.date_fin) == (D(2026, 8, 31), D(2027, 2, 28))
    lines = moratoire.criteres_non_remplis.splitlines()
    assert lines[0].startswith("Formation de l'ensemble des référents : 0 référent formé sur 2 – critère non rempli (")
    assert lines[1].startswith("Qualité des CER : moyenne du contrôle 45")
    assert not services.structure_is_labelled(world.structure_a, on=D(2026, 9, 1))
    assert TransitionDemande.objects.filter(demande=demande).last().motif == "Référents non formés."


def test_the_moratorium_ends_on_29_february_in_a_leap_year(world):
    demande = decided(world, D(2027, 8, 31), control=POOR, refuse=True)
    assert (demande.moratoire.date_debut, demande.moratoire.date_fin) == (D(2027, 8, 31), D(2028, 2, 29))


def test_the_unmet_criteria_list_only_what_is_missing(world):
    train(world.referent_a)
    train(world.autre_referent_a)
    demande = decided(world, D(2026, 8, 31), control=POOR, refuse=True)
    assert demande.moratoire.criteres_non_remplis.startswith("Qualité des CER")
    assert "Formation" not in demande.moratoire.criteres_non_remplis


def test_the_unmet_quality_criterion_is_written_in_french(world):
    demande = decided(world, D(2026, 8, 31), control=POOR, refuse=True)
    assert "Qualité des CER : moyenne du contrôle 45,0 % (80 % attendus)" in demande.moratoire.criteres_non_remplis


@pytest.mark.parametrize(
    ("day", "allowed"),
    [(D(2026, 9, 1), False), (D(2027, 2, 27), False), (D(2027, 2, 28), True), (D(2027, 3, 15), True)],
)
def test_a_new_request_waits_for_the_end_of_the_moratorium(world, day, allowed):
    decided(world, D(2026, 8, 31), control=POOR, refuse=True)
    with at(day):
        if allowed:
            demande = services.demande_create(structure=world.structure_a, user=world.user("responsable"))
            assert demande.type == TypeDemande.APRES_MORATOIRE
            assert demande.etat == EtatDemande.BROUILLON
        else:
            with pytest.raises(LabelError) as error:
                services.demande_create(structure=world.structure_a, user=world.user("responsable"))
            assert str(error.value) == (
                "La structure est en moratoire : une nouvelle demande pourra être déposée à partir du 28 février 2027."
            )


def test_a_refusal_after_the_moratorium_is_definitive(world):
    resp, dpid, slai = world.user("responsable"), world.user("dpid"), world.user("slai")
    first = decided(world, D(2026, 8, 31), control=POOR, refuse=True)
    with at(D(2027, 3, 1)):
        second = services.demande_create(structure=world.structure_a, user=resp)
        # The CERs filed for the first request are still there: the new draw picks among them.
        for referent in (world.referent_a, world.autre_referent_a):
            services.tirage_create(demande=second, referent=referent, user=resp)
        for evaluation in structure_evaluations(second):
            services.evaluation_save(evaluation=evaluation, values=GOOD, user=resp)
        second.engagement = True
        second.save()
        services.demande_deposer(demande=second, user=resp)
    with at(D(2027, 4, 1)):
        dpid_control(second, dpid, POOR)
        services.demande_evaluer(demande=second, user=dpid, evaluation="Pas de progrès.", avis=Avis.DEFAVORABLE)
        services.demande_avis_slai(
            demande=second, user=slai, avis=Avis.DEFAVORABLE, commentaire="", revue_conjointe="Revue du 1er avril."
        )
    with at(D(2027, 4, 15)):
        services.demande_refuser(demande=second, user=dpid, motifs="Critères toujours non remplis.")
    second.refresh_from_db()
    assert second.etat == EtatDemande.REFUSEE
    assert second.notifiee_le == D(2027, 4, 15)
    assert list(Moratoire.objects.values_list("demande", flat=True)) == [first.pk]  # no second moratorium
    assert not Label.objects.exists()
    assert not services.structure_is_labelled(world.structure_a, on=D(2027, 4, 15))


def test_a_refusal_must_be_motivated(world):
    with at(D(2026, 3, 2)):
        demande = ready_to_decide(world)
    with at(D(2026, 3, 10)), pytest.raises(LabelError) as error:
        services.demande_refuser(demande=demande, user=world.user("dpid"), motifs=" \n ")
    assert str(error.value) == "Un refus doit être motivé en fait et en droit : indiquez ses motifs."
    demande.refresh_from_db()
    assert demande.etat == EtatDemande.AVIS_SLAI
    assert not Moratoire.objects.exists()


def test_transitions_from_a_wrong_state_are_refused(world):
    dpid = world.user("dpid")
    with at(D(2026, 1, 15)):
        demande = submitted(world)
    with refused(WRONG_STATE):
        services.demande_accorder(demande=demande, user=dpid)
    with refused(WRONG_STATE):
        services.demande_refuser(demande=demande, user=dpid, motifs="Trop tôt.")
    demande.refresh_from_db()
    assert demande.etat == EtatDemande.DEPOSEE
    assert not Label.objects.exists()

    with at(D(2026, 3, 10)):
        dpid_control(demande, dpid)
        services.demande_evaluer(demande=demande, user=dpid, evaluation="Complet.", avis=Avis.FAVORABLE)
        with refused(WRONG_STATE):
            services.demande_evaluer(demande=demande, user=dpid, evaluation="Encore.", avis=Avis.FAVORABLE)
        services.demande_avis_slai(
            demande=demande, user=world.user("slai"), avis=Avis.FAVORABLE, commentaire="", revue_conjointe=""
        )
        services.demande_accorder(demande=demande, user=dpid)
        for action in (
            lambda: services.demande_accorder(demande=demande, user=dpid),
            lambda: services.demande_refuser(demande=demande, user=dpid, motifs="Finalement non."),
            lambda: services.demande_renvoyer(demande=demande, user=dpid, motif="À revoir."),
        ):
            with refused(WRONG_STATE):
                action()
    demande.refresh_from_db()
    assert demande.etat == EtatDemande.ACCORDEE
    assert Label.objects.count() == 1
    assert [t.transition for t in demande.transitions.all()] == ["deposer", "evaluer", "confirmer_slai", "accorder"]


# --- recours gracieux ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "allowed"), [(D(2026, 10, 20), True), (D(2026, 12, 20), True), (D(2026, 12, 21), False)]
)
def test_a_recours_is_filed_within_two_months_of_the_notification(world, day, allowed):
    demande = decided(world, D(2026, 10, 20), control=POOR, refuse=True)
    assert services.recours_deadline(demande) == D(2026, 12, 20)
    with at(day):
        if allowed:
            recours = services.recours_deposer(
                demande=demande, user=world.user("responsable"), actions_menees="Formation des référents."
            )
            assert (recours.depose_le, recours.etat) == (day, EtatRecours.DEPOSE)
        else:
            with pytest.raises(LabelError) as error:
                services.recours_deposer(
                    demande=demande, user=world.user("responsable"), actions_menees="Formation des référents."
                )
            assert str(error.value) == (
                "Le délai de recours gracieux (deux mois après la notification du 20 octobre 2026) est dépassé."
            )
            assert not Recours.objects.exists()


def test_only_one_recours_and_with_the_actions_taken(world):
    demande = decided(world, D(2026, 10, 20), control=POOR, refuse=True)
    resp = world.user("responsable")
    with at(D(2026, 11, 5)):
        with refused("Présentez les actions mises en place depuis le refus."):
            services.recours_deposer(demande=demande, user=resp, actions_menees="  ")
        services.recours_deposer(demande=demande, user=resp, actions_menees="Plan de formation signé.")
        with refused("Un recours gracieux a déjà été déposé contre cette décision."):
            services.recours_deposer(demande=demande, user=resp, actions_menees="Encore.")
    assert Recours.objects.count() == 1


def test_a_recours_only_against_a_refusal(world):
    granted = decided(world, D(2026, 3, 10))
    with at(D(2026, 3, 20)), pytest.raises(LabelError) as error:
        services.recours_deposer(demande=granted, user=world.user("responsable"), actions_menees="Rien.")
    assert str(error.value) == "Seule une décision de refus peut faire l'objet d'un recours gracieux."
    with at(D(2026, 3, 20)):
        draft = services.demande_create(structure=world.structure_b, user=UserFactory(responsable=True))
        with refused("Seule une décision de refus", exact=False):
            services.recours_deposer(demande=draft, user=world.user("responsable"), actions_menees="Rien.")


def test_an_upheld_recours_delivers_the_label(world):
    # Refused because nobody was trained; the referents were trained since (criteria now met).
    demande = decided(world, D(2026, 10, 31), refuse=True, trained=False)
    assert services.recours_deadline(demande) == D(2026, 12, 31)
    with at(D(2026, 12, 31)):  # the last day
        recours = services.recours_deposer(demande=demande, user=world.user("responsable"), actions_menees="Formés.")
    train(world.referent_a)
    train(world.autre_referent_a)
    assert services.recours_answer_deadline(recours) == D(2027, 2, 28)
    with at(D(2027, 1, 25)):
        with refused("La réponse au recours doit être motivée."):
            services.recours_repondre(recours=recours, user=world.user("dpid"), accueilli=True, reponse="")
        services.recours_repondre(
            recours=recours, user=world.user("dpid"), accueilli=True, reponse="Actions probantes."
        )
    recours.refresh_from_db()
    assert (recours.etat, recours.repondu_le) == (EtatRecours.ACCUEILLI, D(2027, 1, 25))
    label = Label.objects.get(structure=world.structure_a)
    assert (label.date_decision, label.date_fin) == (D(2027, 1, 25), D(2032, 1, 24))
    assert services.structure_is_labelled(world.structure_a, on=D(2027, 1, 25))
    assert not services.structure_is_labelled(world.structure_a, on=D(2027, 1, 24))
    with at(D(2027, 1, 26)), refused("Action déjà effectuée : ce recours a déjà reçu", exact=False):
        services.recours_repondre(recours=recours, user=world.user("dpid"), accueilli=False, reponse="Non.")
    assert Label.objects.count() == 1


def test_a_rejected_recours_opens_two_months_for_the_tribunal(world):
    demande = decided(world, D(2026, 10, 20), control=POOR, refuse=True)
    with at(D(2026, 11, 5)):
        recours = services.recours_deposer(demande=demande, user=world.user("responsable"), actions_menees="Rien.")
    assert services.recours_answer_deadline(recours) == D(2027, 1, 5)
    assert services.contentieux_deadline(recours) is None
    with at(D(2026, 12, 31)):
        services.recours_repondre(recours=recours, user=world.user("dpid"), accueilli=False, reponse="Insuffisant.")
    recours.refresh_from_db()
    assert recours.etat == EtatRecours.REJETE
    assert services.contentieux_deadline(recours) == D(2027, 2, 28)
    assert not Label.objects.exists()
    assert not services.structure_is_labelled(world.structure_a, on=D(2026, 12, 31))


# --- deadlines ---------------------------------------------------------------------------------------


def run(day, code, django_capture_on_commit_callbacks):
    """The daily reminder run on `day`; returns the label reminders of that code sent that day."""
    before = set(Rappel.objects.values_list("pk", flat=True))
    with at(day, 6), django_capture_on_commit_callbacks(execute=True):
        reminders_send_due(today=day)
    return list(Rappel.objects.filter(code=code).exclude(pk__in=before).select_related("recipient").order_by("pk"))


def test_the_dpid_is_reminded_a_month_before_the_six_months_of_instruction(world, django_capture_on_commit_callbacks):
    UserFactory(role="dpid", email="dpid-parti@example.test", is_active=False)
    code = "label_instruction"
    with at(D(2026, 3, 1)):
        demande = draft_ready(world.structure_a, world.user("responsable"))
    with at(D(2026, 3, 10), 14):
        services.demande_deposer(demande=demande, user=world.user("responsable"))
    demande.refresh_from_db()
    assert demande.instruction_deadline == D(2026, 9, 10)
    assert run(D(2026, 8, 10), code, django_capture_on_commit_callbacks) == []
    rappels = run(D(2026, 8, 11), code, django_capture_on_commit_callbacks)
    assert [(r.recipient.email, r.offset_days, r.due_date) for r in rappels] == [
        ("dpid@example.test", -30, D(2026, 9, 10))
    ]
    notification = Notification.objects.get(rappel=rappels[0])
    assert notification.title == "Échéance dans 30 jours : Instruction du label – Structure A"
    assert notification.url == f"/label/demandes/{demande.pk}/"

    with at(D(2026, 8, 20)):
        dpid_control(demande, world.user("dpid"))
        services.demande_evaluer(demande=demande, user=world.user("dpid"), evaluation="Complet.", avis=Avis.FAVORABLE)
    # Still in instruction after the DPID opinion: J-7 reminds.
    assert [r.offset_days for r in run(D(2026, 9, 3), code, django_capture_on_commit_callbacks)] == [-7]
    with at(D(2026, 9, 5)):
        services.demande_avis_slai(
            demande=demande, user=world.user("slai"), avis=Avis.FAVORABLE, commentaire="", revue_conjointe=""
        )
        services.demande_accorder(demande=demande, user=world.user("dpid"))
    assert run(D(2026, 9, 10), code, django_capture_on_commit_callbacks) == []
    assert run(D(2026, 9, 17), code, django_capture_on_commit_callbacks) == []


def test_a_draft_has_no_instruction_deadline(world, django_capture_on_commit_callbacks):
    with at(D(2026, 3, 1)):
        demande = draft_ready(world.structure_a, world.user("responsable"))
    assert demande.instruction_deadline is None
    assert run(D(2026, 9, 1), "label_instruction", django_capture_on_commit_callbacks) == []


def test_the_instruction_deadline_counts_from_the_paris_day_of_submission(world):
    with at(D(2026, 3, 1)):
        demande = draft_ready(world.structure_a, world.user("responsable"))
    with at(D(2026, 3, 10), 0, 30):
        services.demande_deposer(demande=demande, user=world.user("responsable"))
    demande.refresh_from_db()
    assert demande.instruction_deadline == D(2026, 9, 10)


def test_the_dpid_is_reminded_to_answer_a_recours(world, django_capture_on_commit_callbacks):
    code = "label_reponse_recours"
    demande = decided(world, D(2026, 10, 20), control=POOR, refuse=True)
    with at(D(2026, 11, 5)):
        recours = services.recours_deposer(demande=demande, user=world.user("responsable"), actions_menees="Formés.")
    assert run(D(2026, 12, 20), code, django_capture_on_commit_callbacks) == []
    rappels = run(D(2026, 12, 21), code, django_capture_on_commit_callbacks)
    assert [(r.recipient.email, r.offset_days, r.due_date, r.object_id) for r in rappels] == [
        ("dpid@example.test", -15, D(2027, 1, 5), recours.pk)
    ]
    with at(D(2026, 12, 28)):
        services.recours_repondre(recours=recours, user=world.user("dpid"), accueilli=False, reponse="Rejeté.")
    assert run(D(2027, 1, 2), code, django_capture_on_commit_callbacks) == []
    assert run(D(2027, 1, 5), code, django_capture_on_commit_callbacks) == []


def test_the_responsable_is_reminded_of_the_end_of_the_moratorium(world, django_capture_on_commit_callbacks):
    code = "label_fin_moratoire"
    decided(world, D(2026, 8, 31), control=POOR, refuse=True)
    assert run(D(2027, 1, 28), code, django_capture_on_commit_callbacks) == []
    rappels = run(D(2027, 1, 29), code, django_capture_on_commit_callbacks)  # 28 February 2027 − 30 days
    assert [(r.recipient.email, r.offset_days, r.due_date) for r in rappels] == [
        ("resp-a@example.test", -30, D(2027, 2, 28))
    ]
    notification = Notification.objects.get(rappel=rappels[0])
    assert notification.title == "Échéance dans 30 jours : Fin du moratoire – Structure A"
    # The new request is filed on the day the moratorium ends: no "jour J" reminder.
    with at(D(2027, 2, 28), 5):
        services.demande_create(structure=world.structure_a, user=world.user("responsable"))
    assert run(D(2027, 2, 28), code, django_capture_on_commit_callbacks) == []


def test_without_a_new_request_the_moratorium_end_reminds_on_the_day(world, django_capture_on_commit_callbacks):
    decided(world, D(2026, 8, 31), control=POOR, refuse=True)
    rappels = run(D(2027, 2, 28), "label_fin_moratoire", django_capture_on_commit_callbacks)
    assert [(r.recipient.email, r.offset_days) for r in rappels] == [("resp-a@example.test", 0)]


def test_an_upheld_recours_ends_the_moratorium_reminders(world, django_capture_on_commit_callbacks):
    demande = decided(world, D(2026, 8, 31), refuse=True, trained=False)
    with at(D(2026, 10, 15)):
        recours = services.recours_deposer(demande=demande, user=world.user("responsable"), actions_menees="Formés.")
    train(world.referent_a)
    train(world.autre_referent_a)
    with at(D(2026, 12, 1)):
        services.recours_repondre(recours=recours, user=world.user("dpid"), accueilli=True, reponse="Accueilli.")
    assert services.structure_is_labelled(world.structure_a, on=D(2027, 1, 29))
    assert run(D(2027, 1, 29), "label_fin_moratoire", django_capture_on_commit_callbacks) == []


def test_evaluations_are_unique_per_cer_and_evaluator(world):
    with at(D(2026, 1, 15)):
        demande = submitted(world)
    # Sending a request back and submitting it again does not duplicate the DPID panel.
    services.demande_renvoyer(demande=demande, user=world.user("dpid"), motif="Précisez.")
    services.demande_deposer(demande=demande, user=world.user("responsable"))
    assert EvaluationCer.objects.filter(demande=demande, evaluateur=Evaluateur.DPID).count() == 10
