"""The withdrawal of a label (seed 001 §9), with the new study after the SLAI support."""

import datetime

from django.db import transaction
from django.utils import timezone

from label.enums import Avis, EtatDemande, EtatRetrait, MotifRetrait, TypeDemande
from label.models import (
    DemandeLabel,
    RetraitLabel,
)
from label.selectors import label_criteria, panel_summary
from label.services.common import (
    LabelError,
    _lower_first,
    _procedure_check,
    _procedure_log,
    _require_short_panels_accepted,
    _transition,
)
from portal.audit.enums import Action
from portal.audit.services import access_record
from portal.core.dates import add_months
from portal.core.formats import format_date

# --- withdrawal ------------------------------------------------------------------------------

ACCOMPAGNEMENT_MONTHS = 6


@transaction.atomic
def retrait_engager(*, label, motif: str, griefs: str, user) -> RetraitLabel:
    """Start a withdrawal. The end of the RSA mission lapses the label by right; unkept
    commitments open the procédure contradictoire at once; a CER quality no longer assured first
    opens 6 months of support by the SLAI (seed 001 §9)."""
    today = timezone.localdate()
    if not label.is_valid_on(today):
        raise LabelError("Ce label n'est plus valide : il n'y a rien à retirer.")
    if label.retraits.filter(
        etat__in=[EtatRetrait.ACCOMPAGNEMENT, EtatRetrait.ETUDE, EtatRetrait.CONTRADICTOIRE]
    ).exists():
        raise LabelError("Une procédure de retrait est déjà en cours pour ce label.")
    if not griefs.strip():
        raise LabelError("Indiquez les faits qui fondent le retrait envisagé.", field="griefs")
    retrait = RetraitLabel(label=label, motif=motif, griefs=griefs, created_by=user)
    de = _procedure_check(retrait, "retrait", "engager")
    if motif == MotifRetrait.FIN_MISSION:
        retrait.etat = EtatRetrait.RETIRE
        retrait.decide_le = today
        retrait.decision = "Le label tombe de plein droit : la structure a mis fin à sa mission d'accompagnement RSA."
        _withdraw(label, today, retrait.decision)
    elif motif == MotifRetrait.QUALITE_CER:
        retrait.etat = EtatRetrait.ACCOMPAGNEMENT
        retrait.accompagnement_fin = add_months(today, ACCOMPAGNEMENT_MONTHS)
    else:
        _open_contradictoire(retrait, today)
    retrait.save()
    _procedure_log(retrait, "retrait", "engager", de=de, user=user, motif=griefs)
    access_record(
        user=user,
        obj=label,
        action=Action.MODIFICATION,
        detail=f"Retrait du label : {retrait.get_etat_display().lower()}",
    )
    return retrait


def _open_contradictoire(retrait, today):
    retrait.etat = EtatRetrait.CONTRADICTOIRE
    retrait.notifie_le = today
    retrait.observations_avant = today + datetime.timedelta(days=RetraitLabel.OBSERVATIONS_DAYS)


def _withdraw(label, day, reason):
    label.retire_le = day
    label.motif_retrait = reason
    label.save(update_fields=["retire_le", "motif_retrait"])


@transaction.atomic
def retrait_ouvrir_etude(*, retrait, user) -> DemandeLabel:
    """At the end of the 6 months of SLAI support, the new study (seed 001 l. 354–356): "la
    procédure relative à la labélisation est réenclenchée". A request of type "nouvelle étude"
    is opened for the structure: it draws 5 of its CERs per referent at random, self-evaluates
    them on the grid and files them; the DPID controls them; its result decides (see
    `retrait_conclure_etude`)."""
    today = timezone.localdate()
    de = _procedure_check(retrait, "retrait", "ouvrir_etude")
    if today < retrait.accompagnement_fin:
        raise LabelError(
            f"L'accompagnement du SLAI court jusqu'au {format_date(retrait.accompagnement_fin)} : "
            "la nouvelle étude se fait à son terme."
        )
    structure = retrait.label.structure
    etude = DemandeLabel.objects.create(
        structure=structure,
        type=TypeDemande.ETUDE_RETRAIT,
        created_by=user,
        commentaire="Nouvelle étude de la qualité des CER à l'issue des 6 mois d'accompagnement du SLAI.",
    )
    retrait.etude = etude
    retrait.etat = EtatRetrait.ETUDE
    retrait.save(update_fields=["etude", "etat"])
    _procedure_log(retrait, "retrait", "ouvrir_etude", de=de, user=user)
    access_record(user=user, obj=retrait.label, action=Action.MODIFICATION, detail="Retrait du label : nouvelle étude")
    from django.urls import reverse

    from portal.echeances.services import notify

    for responsable in _responsables(structure):
        notify(
            recipient=responsable,
            title="Label : nouvelle étude de la qualité des CER",
            body="L'accompagnement du SLAI est terminé. Tirez au sort 5 CER par référent, auto-évaluez-les sur la "
            "grille et déposez l'étude : le contrôle de la DPID décidera du maintien ou du retrait du label.",
            url=reverse("label:demande_detail", args=[etude.pk]),
            reason="Vous êtes responsable d'une structure labellisée.",
        )
    return etude


def _responsables(structure):
    from portal.accounts.enums import Role
    from portal.accounts.models import User

    return list(User.objects.filter(role=Role.RESPONSABLE, structure=structure, is_active=True))


@transaction.atomic
def retrait_conclure_etude(*, retrait, user) -> RetraitLabel:
    """The new study's result decides (seed 001 l. 356): the DPID's control average on the new
    draw, compared to 80 % without rounding. Reached: the procedure ends and the label is
    maintained. Missed: the withdrawal is notified and the procédure contradictoire opens."""
    today = timezone.localdate()
    de = _procedure_check(retrait, "retrait", "conclure_etude")
    etude = retrait.etude
    if etude.etat != EtatDemande.DEPOSEE:
        raise LabelError("La structure n'a pas encore déposé la nouvelle étude (tirage et auto-évaluation).")
    summary = panel_summary(etude)
    if not summary.dpid_complete:
        raise LabelError(f"Le contrôle n'est pas terminé : {summary.dpid_done} CER évalués sur {summary.expected}.")
    _require_short_panels_accepted(etude)
    result = label_criteria(etude, today).quality_text
    _transition(etude, "clore_etude", user=user, motif=result)
    etude.evaluation_dpid = result
    etude.avis_dpid = Avis.FAVORABLE if summary.dpid_passes else Avis.DEFAVORABLE
    etude.avis_dpid_at = timezone.now()
    etude.save(update_fields=["etat", "evaluation_dpid", "avis_dpid", "avis_dpid_at"])
    study = f"Nouvelle étude du {format_date(today)} à l'issue de l'accompagnement du SLAI : {_lower_first(result)}."
    if summary.dpid_passes:
        retrait.etat = EtatRetrait.ABANDONNE
        retrait.decide_le = today
        retrait.decision = f"{study} La qualité des CER est de nouveau assurée : le label est maintenu."
    else:
        retrait.griefs = f"{retrait.griefs}\n\n{study}"
        _open_contradictoire(retrait, today)
    retrait.save()
    _procedure_log(retrait, "retrait", "conclure_etude", de=de, user=user, motif=result)
    access_record(
        user=user,
        obj=retrait.label,
        action=Action.MODIFICATION,
        detail=f"Retrait du label : nouvelle étude conclue ({retrait.get_etat_display().lower()})",
    )
    return retrait


@transaction.atomic
def retrait_observations(*, retrait, observations: str, user) -> RetraitLabel:
    today = timezone.localdate()
    de = _procedure_check(
        retrait, "retrait", "observations", message="Aucune procédure contradictoire n'attend d'observations."
    )
    if retrait.observations_at is not None:
        raise LabelError("Action déjà effectuée : vos observations ont été transmises.")
    if today > retrait.observations_avant:
        raise LabelError(
            f"Le délai pour présenter des observations a expiré le {format_date(retrait.observations_avant)}."
        )
    if not observations.strip():
        raise LabelError("Rédigez vos observations.", field="observations")
    retrait.observations = observations
    retrait.observations_at = timezone.now()
    retrait.save(update_fields=["observations", "observations_at"])
    _procedure_log(retrait, "retrait", "observations", de=de, user=user, motif=observations)
    access_record(
        user=user,
        obj=retrait.label,
        action=Action.MODIFICATION,
        detail="Retrait du label : observations de la structure reçues",
    )
    return retrait


@transaction.atomic
def retrait_decider(*, retrait, retirer: bool, decision: str, user) -> RetraitLabel:
    """Decide after the observations (or once their delay has passed); the decision answers them."""
    today = timezone.localdate()
    de = _procedure_check(retrait, "retrait", "decider")
    if retrait.observations_at is None and today <= retrait.observations_avant:
        raise LabelError(
            f"La structure peut présenter ses observations jusqu'au {format_date(retrait.observations_avant)} : "
            "la décision ne peut être prise qu'après."
        )
    if not decision.strip():
        raise LabelError(
            "La décision doit être motivée et répondre aux observations de la structure.", field="decision"
        )
    retrait.etat = EtatRetrait.RETIRE if retirer else EtatRetrait.ABANDONNE
    retrait.decision = decision
    retrait.decide_le = today
    retrait.save(update_fields=["etat", "decision", "decide_le"])
    _procedure_log(retrait, "retrait", "decider", de=de, user=user, motif=decision)
    if retirer:
        _withdraw(retrait.label, today, decision)
    access_record(
        user=user,
        obj=retrait.label,
        action=Action.MODIFICATION,
        detail=f"Retrait du label : {retrait.get_etat_display().lower()}",
    )
    return retrait
