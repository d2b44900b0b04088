"""Writes of the label domain. The public entry point for other domains is
`structure_is_labelled(structure, on=date)` (aap's gate)."""

import datetime
import random
import secrets

from django.db import transaction
from django.utils import timezone

from label.enums import Avis, EtatDemande, EtatRecours, EtatRetrait, Evaluateur, MotifRetrait, TypeDemande
from label.models import (
    RECOURS_MONTHS,
    CerAnonymise,
    CharteQualite,
    DemandeLabel,
    EtapeProcedure,
    EvaluationCer,
    Label,
    Moratoire,
    Recours,
    RetraitLabel,
    TirageCer,
    TransitionDemande,
)
from label.selectors import label_criteria, panel_summary, renewal_window_open, renewal_windows_text
from portal.audit.enums import Action
from portal.audit.services import access_record
from portal.core import cer_grid, transitions
from portal.core.dates import add_months, add_years
from portal.core.formats import format_date
from portal.referentiels.models import Referent

LABEL_YEARS = 5
CHARTER_OPENS_DAYS_BEFORE = 60
CER_CAF_MAX_LENGTH = 20
FIRST_CAMPAIGN_NEW_REQUESTS_FROM = datetime.date(2026, 1, 1)
MORATOIRE_MONTHS = 6


class LabelError(Exception):
    """A step the request's state or content does not allow; the message is shown as is, next to
    the form field it names (`field`) when there is one."""

    def __init__(self, message, *, field=None):
        super().__init__(message)
        self.field = field


def structure_is_labelled(structure, *, on: datetime.date) -> bool:
    """True when the structure holds a valid "Référent 62" label on that day."""
    return Label.objects.filter(structure=structure).valid_on(on).exists()


# --- transitions -----------------------------------------------------------------------------

# transition: (allowed from-states, to-state)
TRANSITIONS = {
    "deposer": ({EtatDemande.BROUILLON}, EtatDemande.DEPOSEE),
    "renvoyer": ({EtatDemande.DEPOSEE, EtatDemande.AVIS_DPID}, EtatDemande.BROUILLON),
    "evaluer": ({EtatDemande.DEPOSEE}, EtatDemande.AVIS_DPID),
    "confirmer_slai": ({EtatDemande.AVIS_DPID}, EtatDemande.AVIS_SLAI),
    "accorder": ({EtatDemande.AVIS_SLAI}, EtatDemande.ACCORDEE),
    "refuser": ({EtatDemande.AVIS_SLAI}, None),  # moratorium, or refusal after a moratorium
    "accueillir_recours": ({EtatDemande.MORATOIRE, EtatDemande.REFUSEE}, EtatDemande.ACCORDEE),
    # A withdrawal's new study (type ETUDE_RETRAIT) ends on the DPID's control, not on a decision.
    "clore_etude": ({EtatDemande.DEPOSEE}, EtatDemande.ETUDE_CLOSE),
}
# What the audit journal says of each transition, in French.
TRANSITION_LABELS = {
    "deposer": "Demande déposée",
    "renvoyer": "Demande renvoyée à la structure pour correction",
    "evaluer": "Demande évaluée par la DPID",
    "confirmer_slai": "Avis confirmé avec le SLAI",
    "accorder": "Label accordé",
    "refuser": "Demande refusée",
    "accueillir_recours": "Recours gracieux accueilli : label accordé",
    "clore_etude": "Nouvelle étude conclue par la DPID",
}


def _lower_first(text):
    return text[:1].lower() + text[1:]


WRONG_STATE = "Action déjà effectuée, ou impossible dans l'état actuel de la demande."


def _allowed_from(demande, name):
    allowed, _ = TRANSITIONS[name]
    if name in ("accorder", "refuser") and demande.type == TypeDemande.RENOUVELLEMENT:
        # The lighter renewal procedure: the DPID may decide right after its evaluation.
        allowed = allowed | {EtatDemande.AVIS_DPID}
    return allowed


def _transition(demande, name, *, user, motif="", to=None):
    """Check the table, lock the row, move the state and log who, when, from, to and why."""
    de = transitions.apply_transition(
        demande,
        name,
        TRANSITIONS,
        log_model=TransitionDemande,
        owner_field="demande",
        user=user,
        motif=motif,
        to=to,
        allowed=_allowed_from(demande, name),
        error=LabelError,
        message=WRONG_STATE,
    )
    access_record(
        user=user,
        obj=demande,
        action=Action.MODIFICATION,
        detail=f"{TRANSITION_LABELS[name]} (état précédent : {_lower_first(EtatDemande(de).label)})",
    )
    return demande


# --- the structure's side --------------------------------------------------------------------


@transaction.atomic
def demande_create(*, structure, user, type_demande=None) -> DemandeLabel:
    if (
        DemandeLabel.objects.filter(structure=structure)
        .exclude(type=TypeDemande.ETUDE_RETRAIT)  # a withdrawal's new study is another procedure
        .exclude(etat__in=[EtatDemande.ACCORDEE, EtatDemande.MORATOIRE, EtatDemande.REFUSEE])
        .exists()
    ):
        raise LabelError("Une demande de label est déjà en cours pour cette structure.")
    today = timezone.localdate()
    moratoire = Moratoire.objects.filter(demande__structure=structure).order_by("-date_fin").first()
    if moratoire is not None and moratoire.demande.etat == EtatDemande.MORATOIRE:
        # After the first campaign's moratoria, new requests open in January 2026 (seed 001 l. 314).
        reopens = max(moratoire.date_fin, FIRST_CAMPAIGN_NEW_REQUESTS_FROM)
        if today < reopens:
            raise LabelError(
                f"La structure est en moratoire : une nouvelle demande pourra être déposée à partir du "
                f"{format_date(reopens)}."
            )
    label = Label.objects.filter(structure=structure).valid_on(today).order_by("-date_fin").first()
    if label is not None:
        # A labelled structure only asks for its renewal, January to July of the label's last 12 months.
        if not renewal_window_open(label, today):
            raise LabelError(
                f"La structure est labellisée jusqu'au {format_date(label.date_fin)} : le renouvellement se demande "
                f"entre janvier et juillet de la dernière année du label, {renewal_windows_text(label)}."
            )
        type_demande = TypeDemande.RENOUVELLEMENT
    elif type_demande is None:
        after_moratorium = moratoire is not None and moratoire.demande.etat == EtatDemande.MORATOIRE
        type_demande = TypeDemande.APRES_MORATOIRE if after_moratorium else TypeDemande.INITIALE
    demande = DemandeLabel.objects.create(structure=structure, type=type_demande, created_by=user)
    access_record(user=user, obj=demande, action=Action.CREATION)
    return demande


def _require_editable(demande):
    if not demande.is_editable:
        raise LabelError("La demande est déposée : elle ne peut plus être modifiée.")


@transaction.atomic
def cers_import(*, structure, referent, data, user) -> int:
    """Store anonymised CERs (grade_cer format, one object or a list) for a referent.

    All or nothing: one invalid CER refuses the whole file, with its position and field.
    """
    items = data if isinstance(data, list) else [data]
    parsed = []
    for position, item in enumerate(items, start=1):
        try:
            cer_grid.parse_cer(item)
        except cer_grid.CerFormatError as error:
            raise LabelError(f"CER n° {position} : {error}") from error
        if len(str(item["numero_caf"])) > CER_CAF_MAX_LENGTH:
            raise LabelError(f"CER n° {position} : le N° CAF dépasse {CER_CAF_MAX_LENGTH} caractères.")
        parsed.append(item)
    created = 0
    for item in parsed:
        _, was_created = CerAnonymise.objects.get_or_create(
            referent=referent,
            empreinte=CerAnonymise.fingerprint(item),
            defaults={
                "structure": structure,
                "numero_caf": str(item["numero_caf"]),
                "contenu": item,
                "created_by": user,
            },
        )
        created += was_created
    return created


def portal_cers_import(*, structure, referent, user) -> int:
    """The referent's signed CERs recorded in the portal join the pool of the draw, anonymised
    (N° CAF only). CERs uploaded as JSON stay for structures whose CERs live elsewhere."""
    from accompagnement.selectors import signed_cers_for_label

    data = signed_cers_for_label(structure=structure, referent=referent)
    return cers_import(structure=structure, referent=referent, data=data, user=user) if data else 0


@transaction.atomic
def tirage_create(*, demande, referent, user, seed=None) -> TirageCer:
    """Draw up to 5 CERs of this referent at random, recording the seed and the pool."""
    _require_editable(demande)
    if referent.structure_id != demande.structure_id:
        raise LabelError("Ce référent n'appartient pas à la structure de la demande.")
    if TirageCer.objects.filter(demande=demande, referent=referent).exists():
        raise LabelError("Le tirage de ce référent a déjà été fait : il ne peut pas être refait.")
    portal_cers_import(structure=demande.structure, referent=referent, user=user)
    cers = CerAnonymise.objects.filter(referent=referent, structure=demande.structure).order_by("pk")
    since = study_since(demande)
    if since is not None:
        # A withdrawal's new study grades the CERs written since the SLAI support began.
        pool = [
            pk
            for pk, content in cers.values_list("pk", "contenu")
            if str(content.get("date_edition", "")) >= since.isoformat()
        ]
        if not pool:
            raise LabelError(
                f"Aucun CER de {referent} édité depuis le début de l'accompagnement du SLAI ({format_date(since)}) : "
                "saisissez ou déposez ses CER récents avant le tirage."
            )
    else:
        pool = list(cers.values_list("pk", flat=True))
    if not pool:
        raise LabelError(
            f"Aucun CER signé dans le portail ni déposé pour {referent} : saisissez ses CER dans le suivi des "
            "personnes, ou déposez ses CER anonymisés, avant le tirage."
        )
    seed = secrets.randbits(48) if seed is None else seed
    selection = draw(pool, seed)
    tirage = TirageCer.objects.create(
        demande=demande, referent=referent, seed=seed, pool=pool, selection=selection, created_by=user
    )
    for cer in CerAnonymise.objects.filter(pk__in=selection):
        evaluation_prepare(demande=demande, cer=cer, evaluateur=Evaluateur.STRUCTURE)
    return tirage


def study_since(demande) -> datetime.date | None:
    """For a withdrawal's new study: the day the SLAI support began (its CERs are drawn from
    those edited since). None for a label request."""
    if demande.type != TypeDemande.ETUDE_RETRAIT:
        return None
    retrait = RetraitLabel.objects.filter(etude=demande).only("created_at").first()
    return timezone.localdate(retrait.created_at) if retrait is not None else None


def draw(pool: list[int], seed: int) -> list[int]:
    """The draw itself: reproducible from the seed and the (sorted) pool."""
    # The draw must be reproducible from its recorded seed (audit of the draw); the seed itself
    # comes from `secrets`.
    rng = random.Random(seed)  # nosec B311
    return sorted(rng.sample(sorted(pool), min(TirageCer.PANEL_SIZE, len(pool))))


def evaluation_prepare(*, demande, cer, evaluateur) -> EvaluationCer:
    result = cer_grid.grade(cer.cer)
    evaluation, _ = EvaluationCer.objects.get_or_create(
        demande=demande,
        cer=cer,
        evaluateur=evaluateur,
        defaults={"score_automatique": str(result["score_automatique"])},
    )
    return evaluation


@transaction.atomic
def evaluation_save(*, evaluation, values: dict, user) -> EvaluationCer:
    """Record the judgement items; the structure only while the request is a draft, the DPID
    only once it is submitted."""
    demande = evaluation.demande
    if evaluation.evaluateur == Evaluateur.STRUCTURE:
        _require_editable(demande)
    elif demande.etat != EtatDemande.DEPOSEE:
        raise LabelError("Le contrôle de la DPID se fait sur une demande déposée, avant son évaluation.")
    for name in ("duree_adaptee", "remarque_situation", "remarque_positionnement", "secret_professionnel"):
        setattr(evaluation, name, values[name])
    evaluation.commentaire = values.get("commentaire", "")
    evaluation.evaluated_by = user
    evaluation.evaluated_at = timezone.now()
    evaluation.save()
    return evaluation


@transaction.atomic
def demande_deposer(*, demande, user) -> DemandeLabel:
    _require_editable(demande)
    referents = Referent.objects.filter(structure=demande.structure).actifs()
    drawn = set(demande.tirages.values_list("referent_id", flat=True))
    problems = []
    if not demande.engagement and demande.type != TypeDemande.ETUDE_RETRAIT:
        problems.append("l'engagement de la structure n'est pas coché")
    missing_draws = [str(r) for r in referents if r.pk not in drawn]
    if missing_draws:
        problems.append("tirage de CER à faire pour : " + ", ".join(missing_draws))
    newcomers_since = add_months(timezone.localdate(), -NEWCOMER_MONTHS)
    short = [
        f"{tirage.referent} ({len(tirage.selection)} CER sur {TirageCer.PANEL_SIZE})"
        for tirage in demande.tirages.select_related("referent").order_by("referent__nom")
        if tirage.is_short and tirage.referent.date_arrivee <= newcomers_since
    ]
    if short:
        problems.append(f"{TirageCer.PANEL_SIZE} CER par référent sont attendus : " + ", ".join(short))
    if demande.evaluations.filter(evaluateur=Evaluateur.STRUCTURE, evaluated_at__isnull=True).exists():
        problems.append("certains CER tirés ne sont pas encore auto-évalués")
    if problems:
        raise LabelError("La demande ne peut pas être déposée : " + " ; ".join(problems) + ".")
    _transition(demande, "deposer", user=user)
    demande.deposee_at = timezone.now()
    demande.save(update_fields=["etat", "deposee_at"])
    # The DPID controls the same panel.
    for evaluation in demande.evaluations.filter(evaluateur=Evaluateur.STRUCTURE).select_related("cer"):
        evaluation_prepare(demande=demande, cer=evaluation.cer, evaluateur=Evaluateur.DPID)
    return demande


NEWCOMER_MONTHS = 6


@transaction.atomic
def panel_reduit_accepter(*, tirage, motif: str, user) -> TirageCer:
    """The DPID accepts fewer than 5 CERs for a referent who arrived less than 6 months before the
    submission, and records why."""
    demande = tirage.demande
    if demande.etat != EtatDemande.DEPOSEE:
        raise LabelError("Le panel se contrôle sur une demande déposée, avant son évaluation.")
    if not tirage.is_short or tirage.panel_reduit_accepte_le is not None:
        raise LabelError("Action déjà effectuée, ou panel déjà complet.")
    deposee = timezone.localdate(demande.deposee_at)
    if tirage.referent.date_arrivee <= add_months(deposee, -NEWCOMER_MONTHS):
        raise LabelError(
            f"{tirage.referent} est arrivé·e le {format_date(tirage.referent.date_arrivee)}, plus de 6 mois avant le "
            f"dépôt : {TirageCer.PANEL_SIZE} CER sont attendus.",
            field="motif",
        )
    if not motif.strip():
        raise LabelError("Indiquez pourquoi ce panel réduit est accepté.", field="motif")
    tirage.panel_reduit_motif = motif
    tirage.panel_reduit_accepte_le = timezone.now()
    tirage.panel_reduit_par = user
    tirage.save(update_fields=["panel_reduit_motif", "panel_reduit_accepte_le", "panel_reduit_par"])
    access_record(
        user=user, obj=demande, action=Action.MODIFICATION, detail=f"Panel réduit accepté pour {tirage.referent}"
    )
    return tirage


@transaction.atomic
def demande_renvoyer(*, demande, user, motif: str) -> DemandeLabel:
    """The DPID sends a request back for correction, with its reasons: it is editable again."""
    if not motif.strip():
        raise LabelError("Indiquez les corrections attendues.", field="motif")
    _transition(demande, "renvoyer", user=user, motif=motif)
    demande.avis_dpid = ""
    demande.save(update_fields=["etat", "avis_dpid"])
    return demande


# --- instruction -----------------------------------------------------------------------------


def _require_short_panels_accepted(demande):
    pending = [
        str(t.referent)
        for t in demande.tirages.select_related("referent")
        if t.is_short and not t.panel_reduit_accepte_le
    ]
    if pending:
        raise LabelError(
            f"Panel de moins de {TirageCer.PANEL_SIZE} CER à accepter (nouvel arrivant) pour : "
            + ", ".join(pending)
            + "."
        )


@transaction.atomic
def demande_evaluer(*, demande, user, evaluation: str, avis: str) -> DemandeLabel:
    """The DPID's administrative evaluation and proposed opinion, after its control grading."""
    if demande.type == TypeDemande.ETUDE_RETRAIT:
        raise LabelError("Une nouvelle étude se conclut depuis la procédure de retrait, une fois le contrôle terminé.")
    summary = panel_summary(demande)
    if summary.dpid_done < summary.expected:
        raise LabelError(f"Le contrôle n'est pas terminé : {summary.dpid_done} CER évalués sur {summary.expected}.")
    _require_short_panels_accepted(demande)
    _transition(demande, "evaluer", user=user, motif=evaluation)
    demande.evaluation_dpid = evaluation
    demande.avis_dpid = avis
    demande.avis_dpid_at = timezone.now()
    demande.save(update_fields=["etat", "evaluation_dpid", "avis_dpid", "avis_dpid_at"])
    return demande


@transaction.atomic
def demande_avis_slai(*, demande, user, avis: str, commentaire: str, revue_conjointe: str) -> DemandeLabel:
    """The SLAI confirms or reworks the DPID's opinion; below 80 % the joint review is recorded."""
    summary = panel_summary(demande)
    if not summary.dpid_passes and not revue_conjointe.strip():
        raise LabelError(
            "La moyenne du contrôle est inférieure à 80 % : consignez la revue conjointe du siège et du SLAI.",
            field="revue_conjointe",
        )
    _transition(demande, "confirmer_slai", user=user, motif=commentaire)
    demande.avis_slai = avis
    demande.commentaire_slai = commentaire
    demande.revue_conjointe = revue_conjointe
    demande.avis_slai_at = timezone.now()
    demande.save(update_fields=["etat", "avis_slai", "commentaire_slai", "revue_conjointe", "avis_slai_at"])
    return demande


def _require_criteria(demande, today):
    """A label is granted only when both criteria of seed 001 §5 hold on the decision day."""
    criteria = label_criteria(demande, today)
    if not criteria.met:
        unmet = criteria.unmet_texts
        raise LabelError(
            "Le label ne peut pas être accordé : les deux critères doivent être remplis. " + " ; ".join(unmet) + ".",
            field="decision",
        )
    return criteria


@transaction.atomic
def demande_accorder(*, demande, user, motifs: str = "") -> Label:
    today = timezone.localdate()
    if demande.etat not in _allowed_from(demande, "accorder"):
        raise LabelError(WRONG_STATE)
    _require_criteria(demande, today)
    _transition(demande, "accorder", user=user, motif=motifs)
    demande.decision_at = timezone.now()
    demande.notifiee_le = today
    demande.motifs_decision = motifs
    demande.save(update_fields=["etat", "decision_at", "notifiee_le", "motifs_decision"])
    # A renewal continues the current label: the new one starts the day after it ends.
    current = Label.objects.filter(structure=demande.structure).valid_on(today).order_by("-date_fin").first()
    start = current.date_fin + datetime.timedelta(days=1) if current is not None else today
    return Label.objects.create(
        structure=demande.structure,
        demande=demande,
        date_decision=start,
        date_fin=add_years(start, LABEL_YEARS) - datetime.timedelta(days=1),
    )


@transaction.atomic
def demande_refuser(*, demande, user, motifs: str) -> DemandeLabel:
    """First refusal: a 6-month moratorium. After a moratorium: a motivated refusal, the
    structure can no longer be funded for RSA accompaniment until it obtains the label."""
    if not motifs.strip():
        raise LabelError("Un refus doit être motivé en fait et en droit : indiquez ses motifs.", field="motifs")
    today = timezone.localdate()
    definitive = demande.type == TypeDemande.APRES_MORATOIRE
    _transition(
        demande, "refuser", user=user, motif=motifs, to=EtatDemande.REFUSEE if definitive else EtatDemande.MORATOIRE
    )
    demande.decision_at = timezone.now()
    demande.notifiee_le = today
    demande.motifs_decision = motifs
    demande.save(update_fields=["etat", "decision_at", "notifiee_le", "motifs_decision"])
    if not definitive:
        criteria = label_criteria(demande, today)
        unmet = criteria.unmet_texts
        Moratoire.objects.create(
            demande=demande,
            date_debut=today,
            date_fin=add_months(today, MORATOIRE_MONTHS),
            criteres_non_remplis="\n".join(unmet),
        )
    return demande


# --- withdrawal and appeal transitions ------------------------------------------------------

# (procedure, transition): (allowed from-states, to-state; None: chosen by the service). "" is the
# state of a procedure not yet recorded.
PROCEDURE_TRANSITIONS = {
    ("retrait", "engager"): (
        {""},
        None,  # lapsed by right (end of mission), SLAI support (CER quality) or contradictoire
    ),
    # After the SLAI support: a new study (a new draw graded on the grid), whose result decides.
    ("retrait", "ouvrir_etude"): ({EtatRetrait.ACCOMPAGNEMENT}, EtatRetrait.ETUDE),
    ("retrait", "conclure_etude"): ({EtatRetrait.ETUDE}, None),  # contradictoire, or abandonné (maintained)
    ("retrait", "observations"): ({EtatRetrait.CONTRADICTOIRE}, EtatRetrait.CONTRADICTOIRE),
    ("retrait", "decider"): ({EtatRetrait.CONTRADICTOIRE}, None),  # retiré or abandonné
    ("recours", "deposer"): ({""}, EtatRecours.DEPOSE),
    ("recours", "repondre"): ({EtatRecours.DEPOSE}, None),  # accueilli or rejeté
}
PROCEDURE_WRONG_STATE = "Action déjà effectuée, ou impossible dans l'état actuel de la procédure."


def _procedure_check(obj, procedure, name, *, message=PROCEDURE_WRONG_STATE) -> str:
    """Lock the row, check the table; returns the state the step starts from."""
    allowed, _ = PROCEDURE_TRANSITIONS[(procedure, name)]
    return transitions.lock_and_check(obj, allowed, error=LabelError, message=message)


def _procedure_log(obj, procedure, name, *, de, user, motif=""):
    """Write the step to the procedure's log (after the object is saved)."""
    _, target = PROCEDURE_TRANSITIONS[(procedure, name)]
    transitions.record_transition(
        EtapeProcedure,
        owner_field=procedure,
        obj=obj,
        name=name,
        de=de,
        vers=target or obj.etat,
        user=user,
        motif=motif,
    )


# --- appeal ----------------------------------------------------------------------------------


def recours_deadline(demande) -> datetime.date | None:
    """Recours gracieux (or contentieux) within 2 months of the refusal's notification."""
    return add_months(demande.notifiee_le, RECOURS_MONTHS) if demande.notifiee_le else None


@transaction.atomic
def recours_deposer(*, demande, user, actions_menees: str) -> Recours:
    today = timezone.localdate()
    DemandeLabel.objects.select_for_update().filter(pk=demande.pk).first()  # one appeal at a time
    if demande.etat not in (EtatDemande.MORATOIRE, EtatDemande.REFUSEE):
        raise LabelError("Seule une décision de refus peut faire l'objet d'un recours gracieux.")
    if hasattr(demande, "recours"):
        raise LabelError("Un recours gracieux a déjà été déposé contre cette décision.")
    if today > recours_deadline(demande):
        raise LabelError(
            f"Le délai de recours gracieux (deux mois après la notification du {format_date(demande.notifiee_le)}) "
            "est dépassé."
        )
    if not actions_menees.strip():
        raise LabelError("Présentez les actions mises en place depuis le refus.", field="actions_menees")
    recours = Recours(demande=demande, depose_le=today, actions_menees=actions_menees, created_by=user)
    de = _procedure_check(recours, "recours", "deposer")
    recours.save()
    _procedure_log(recours, "recours", "deposer", de=de, user=user, motif=actions_menees)
    access_record(user=user, obj=demande, action=Action.MODIFICATION, detail="Recours gracieux déposé")
    return recours


def recours_answer_deadline(recours) -> datetime.date:
    return add_months(recours.depose_le, RECOURS_MONTHS)


@transaction.atomic
def recours_repondre(*, recours, user, accueilli: bool, reponse: str) -> Recours:
    de = _procedure_check(
        recours, "recours", "repondre", message="Action déjà effectuée : ce recours a déjà reçu sa réponse."
    )
    if not reponse.strip():
        raise LabelError("La réponse au recours doit être motivée.", field="reponse")
    today = timezone.localdate()
    if accueilli:
        # "Si les critères sont remplis, le label sera délivré" (seed 001 §7.4).
        try:
            _require_criteria(recours.demande, today)
        except LabelError as error:
            raise LabelError(str(error), field="accueilli") from error
    recours.etat = EtatRecours.ACCUEILLI if accueilli else EtatRecours.REJETE
    recours.reponse = reponse
    recours.repondu_le = today
    recours.save(update_fields=["etat", "reponse", "repondu_le"])
    _procedure_log(recours, "recours", "repondre", de=de, user=user, motif=reponse)
    if accueilli:
        # The refusal is withdrawn: the request is granted (which also ends any moratorium).
        demande = recours.demande
        _transition(demande, "accueillir_recours", user=user, motif=reponse)
        demande.save(update_fields=["etat"])
        Label.objects.create(
            structure=demande.structure,
            demande=demande,
            date_decision=today,
            date_fin=add_years(today, LABEL_YEARS) - datetime.timedelta(days=1),
        )
    access_record(
        user=user,
        obj=recours.demande,
        action=Action.MODIFICATION,
        detail=f"Recours gracieux {recours.get_etat_display().lower()}",
    )
    return recours


def contentieux_deadline(recours) -> datetime.date | None:
    """After a rejected recours gracieux: 2 months to seize the tribunal administratif de Lille."""
    return add_months(recours.repondu_le, RECOURS_MONTHS) if recours.repondu_le else None


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


# --- yearly quality charter ------------------------------------------------------------------


@transaction.atomic
def charte_deposer(*, label, user, bilan: str, piece=None) -> CharteQualite:
    from label.selectors import charter_due

    today = timezone.localdate()
    if not label.is_valid_on(today):
        raise LabelError("Ce label n'est plus valide.")
    year, due = charter_due(label)
    if year is None:
        raise LabelError("Toutes les chartes annuelles de ce label ont été déposées.")
    opens = due - datetime.timedelta(days=CHARTER_OPENS_DAYS_BEFORE)
    if today < opens:
        raise LabelError(
            f"La charte qualité de l'année {year} se dépose à partir du {format_date(opens)} "
            f"(échéance : {format_date(due)})."
        )
    charte = CharteQualite(label=label, annee=year, bilan=bilan, deposee_le=today, deposee_par=user)
    if piece:
        charte.piece = piece
    charte.save()
    access_record(user=user, obj=label, action=Action.MODIFICATION, detail=f"Charte qualité {year} déposée")
    return charte


@transaction.atomic
def charte_examiner(*, charte, user, conforme: bool, observations_dpid: str) -> CharteQualite:
    if charte.examinee_le is not None:
        raise LabelError("Action déjà effectuée : cette charte a été examinée.")
    if not conforme and not observations_dpid.strip():
        raise LabelError("Indiquez quels critères ne sont plus remplis.", field="observations_dpid")
    charte.conforme = conforme
    charte.observations_dpid = observations_dpid
    charte.examinee_le = timezone.localdate()
    charte.save(update_fields=["conforme", "observations_dpid", "examinee_le"])
    access_record(
        user=user, obj=charte.label, action=Action.MODIFICATION, detail=f"Charte qualité {charte.annee} examinée"
    )
    return charte
