"""The label request: the structure's side (draft, CERs, draw, self-evaluation, deposit) and the
instruction (DPID control, SLAI opinion, decision)."""

import datetime
import random
import secrets

from django.db import transaction
from django.utils import timezone

from label.enums import EtatDemande, Evaluateur, TypeDemande
from label.models import (
    CerAnonymise,
    DemandeLabel,
    EvaluationCer,
    Label,
    Moratoire,
    RetraitLabel,
    TirageCer,
)
from label.selectors import label_criteria, panel_summary, renewal_window_open, renewal_windows_text
from label.services.common import (
    CER_CAF_MAX_LENGTH,
    FIRST_CAMPAIGN_NEW_REQUESTS_FROM,
    LABEL_YEARS,
    MORATOIRE_MONTHS,
    WRONG_STATE,
    LabelError,
    _allowed_from,
    _require_criteria,
    _require_editable,
    _require_short_panels_accepted,
    _transition,
)
from portal import grille_cer
from portal.audit.enums import Action
from portal.audit.services import access_record
from portal.core.dates import add_months, add_years
from portal.core.formats import format_date
from portal.referentiels.models import Referent

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


@transaction.atomic
def demande_update(*, demande, user, commentaire: str, engagement: bool) -> DemandeLabel:
    """The structure's presentation and commitment, while the request is a draft."""
    _require_editable(demande)
    demande.commentaire = commentaire
    demande.engagement = engagement
    demande.save(update_fields=["commentaire", "engagement"])
    return demande


MORATOIRE_SHEET_FIELDS = (
    "date_rencontre",
    "criteres_non_remplis",
    "objectifs",
    "moyens",
    "temporalite",
    "signe_structure_le",
    "signe_slai_le",
    "signe_siege_le",
)


@transaction.atomic
def moratoire_update(*, moratoire, user, **values) -> Moratoire:
    """The follow-up sheet of annexe 4: unmet criteria, objectives, means, timing, signatures."""
    unknown = set(values) - set(MORATOIRE_SHEET_FIELDS)
    if unknown:
        raise TypeError(f"Champs inconnus de la fiche de suivi : {sorted(unknown)}")
    for name, value in values.items():
        setattr(moratoire, name, value)
    moratoire.save(update_fields=list(values))
    access_record(user=user, obj=moratoire.demande, action=Action.MODIFICATION, detail="fiche de suivi du moratoire")
    return moratoire


@transaction.atomic
def cers_import(*, structure, referent, data, user) -> int:
    """Store anonymised CERs (grade_cer format, one object or a list) for a referent.

    All or nothing: one invalid CER refuses the whole file, with its position and field.
    """
    items = data if isinstance(data, list) else [data]
    parsed = []
    for position, item in enumerate(items, start=1):
        try:
            grille_cer.parse_cer(item)
        except grille_cer.CerFormatError as error:
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
    result = grille_cer.grade(cer.cer)
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
