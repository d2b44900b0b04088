"""Writes of the calls for projects: publication, windows, applications and their instruction.

Every change of an application's state goes through `_transition`, which checks the table and the
role, sets the timestamps, logs who/when/from/to/why and tells the structure.
"""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from aap import budget, perms
from aap.completeness import missing_items
from aap.enums import DECIDED, EtatAppel, EtatCandidature, Section
from aap.models import (
    Annotation,
    AppelAProjets,
    Candidature,
    DemandeAvis,
    DemandeCorrection,
    LigneBudget,
    Personnel,
    PieceJointe,
    TransitionCandidature,
)
from portal.accounts.enums import Role
from portal.accounts.models import User
from portal.audit.enums import Action
from portal.audit.services import access_record
from portal.core.formats import format_date
from portal.core.transitions import apply_transition
from portal.echeances.services import notify

E = EtatCandidature
PRE_DECISION = {E.BROUILLON, E.DEPOSEE, E.CORRECTION, E.RECEVABLE, E.EN_INSTRUCTION, E.AVIS_RENDU, E.PROPOSEE}
CORRECTABLE = {E.DEPOSEE, E.RECEVABLE, E.EN_INSTRUCTION, E.AVIS_RENDU}

# name: (from-states, to-state or None when the service decides, role allowed to act)
TRANSITIONS = {
    "deposer": ({E.BROUILLON}, E.DEPOSEE, "structure"),
    "corriger": ({E.CORRECTION}, None, "structure"),  # back to where the instruction stood
    "retirer": (PRE_DECISION, E.RETIREE, "structure"),
    "declarer_recevable": ({E.DEPOSEE}, E.RECEVABLE, "dpid"),
    "declarer_irrecevable": ({E.DEPOSEE}, E.IRRECEVABLE, "dpid"),
    "instruire": ({E.RECEVABLE}, E.EN_INSTRUCTION, "dpid"),
    "rendre_avis": ({E.EN_INSTRUCTION}, E.AVIS_RENDU, "slai"),
    "demander_correction": (CORRECTABLE, E.CORRECTION, "dpid"),
    "proposer": ({E.AVIS_RENDU}, E.PROPOSEE, "dpid"),
    "retenir": ({E.PROPOSEE}, E.RETENUE, "dpid"),
    "ne_pas_retenir": ({E.RECEVABLE, E.EN_INSTRUCTION, E.AVIS_RENDU, E.PROPOSEE}, E.NON_RETENUE, "dpid"),
}
ALREADY_DONE = "Action déjà effectuée, ou impossible dans l'état actuel de la candidature."


class AapError(Exception):
    """An action the application's state or the rules do not allow (shown to the user as is)."""

    def __init__(self, message, items=None):
        super().__init__(message)
        self.items = items or []


def available_transitions(user, candidature) -> list[str]:
    return [
        name
        for name, (sources, _target, actor) in TRANSITIONS.items()
        if candidature.etat in sources and perms.can_transition(user, candidature, actor)
    ]


def _responsables(structure_id):
    return list(User.objects.filter(role=Role.RESPONSABLE, structure_id=structure_id, is_active=True))


def _tell_structure(candidature, title, body):
    url = reverse("aap:candidature_detail", args=[candidature.pk])
    for user in _responsables(candidature.structure_id):
        notify(recipient=user, title=title, body=body, url=url, reason="aap")


def _transition(candidature, name, *, user, motif="", to=None, now=None):
    sources, target, actor = TRANSITIONS[name]
    if not perms.can_transition(user, candidature, actor):
        raise PermissionDenied
    now = now or timezone.now()
    previous = apply_transition(
        candidature,
        name,
        {name: (sources, target)},
        log_model=TransitionCandidature,
        owner_field="candidature",
        user=user,
        motif=motif,
        to=to,
        error=AapError,
        message=ALREADY_DONE,
        at=now,
    )
    target = candidature.etat
    candidature.etat_depuis = now
    if target in DECIDED:
        candidature.decision_at = now
    access_record(user=user, obj=candidature, action=Action.MODIFICATION, detail=f"{name} : {previous} → {target}")
    if actor != "structure":
        label = E(target).label.lower()
        _tell_structure(
            candidature,
            f"Candidature {candidature.dispositif.code} : {label}",
            f"Votre candidature « {candidature} » est désormais : {label}." + (f"\n{motif}" if motif else ""),
        )
    return candidature


# --- calls -----------------------------------------------------------------------------------


@transaction.atomic
def appel_publish(*, appel: AppelAProjets, user) -> AppelAProjets:
    if not perms.can_manage_calls(user):
        raise PermissionDenied
    if appel.is_published:
        raise AapError("L'appel est déjà publié.")
    if not appel.dispositifs.exists() or not appel.fenetres.exists():
        raise AapError("Un appel se publie avec au moins un dispositif et une période de dépôt.")
    appel.etat = EtatAppel.PUBLIE
    appel.publie_at = timezone.now()
    appel.save(update_fields=["etat", "publie_at"])
    access_record(user=user, obj=appel, action=Action.MODIFICATION, detail="Publication de l'appel")
    return appel


@transaction.atomic
def fenetre_extend(*, fenetre, cloture: datetime.date, user):
    """The DPID extends a window: audited, and structures with drafts on the call are told."""
    if not perms.can_manage_calls(user):
        raise PermissionDenied
    if cloture <= fenetre.cloture:
        raise AapError("La nouvelle date de clôture doit suivre l'actuelle.")
    before = fenetre.cloture
    fenetre.cloture = cloture
    fenetre.save(update_fields=["cloture"])
    access_record(
        user=user,
        obj=fenetre.appel,
        action=Action.MODIFICATION,
        detail=f"Période de dépôt prolongée du {format_date(before)} au {format_date(cloture)}",
    )
    drafts = Candidature.objects.filter(dispositif__appel=fenetre.appel, etat=E.BROUILLON).select_related(
        "dispositif", "structure", "territoire"
    )
    for candidature in drafts:
        _tell_structure(
            candidature,
            "Période de dépôt prolongée",
            f"Le dépôt des candidatures à « {fenetre.appel} » est prolongé jusqu'au {format_date(cloture)} inclus.",
        )
    return fenetre


# --- the structure's side --------------------------------------------------------------------


@transaction.atomic
def candidature_create(*, dispositif, structure, territoire, user, autre_action=False) -> Candidature:
    """One application per dispositif and territory (004 l. 221); `autre_action` starts another,
    distinct action of the same dispositif on the same territory."""
    if not perms.can_apply(user, structure):
        raise PermissionDenied
    if not dispositif.appel.is_published:
        raise AapError("Cet appel à projets n'est pas publié.")
    if dispositif.territoires.exists() and not dispositif.territoires.filter(pk=territoire.pk).exists():
        raise AapError("Ce dispositif n'est pas ouvert sur ce territoire.")
    existing = Candidature.objects.filter(dispositif=dispositif, structure=structure, territoire=territoire)
    if existing.exists() and not autre_action:
        raise AapError(
            "Votre structure a déjà une candidature pour ce dispositif sur ce territoire. S'il s'agit d'une autre "
            "action, cochez « autre action »."
        )
    action = (max(existing.values_list("action", flat=True), default=0)) + 1
    candidature = Candidature.objects.create(
        dispositif=dispositif, structure=structure, territoire=territoire, action=action, created_by=user
    )
    access_record(user=user, obj=candidature, action=Action.CREATION)
    return candidature


def _require_section(candidature, section, user):
    """The structure's responsable edits a part while it is open (a draft, or named in a correction)."""
    if not perms.can_act_as_structure(user, candidature):
        raise PermissionDenied
    if not candidature.section_is_open(section):
        raise AapError("Cette partie de la candidature n'est pas modifiable.")


@transaction.atomic
def candidature_save_projet(*, candidature, data: dict, user) -> Candidature:
    _require_section(candidature, Section.PROJET, user)
    for name, value in data.items():
        setattr(candidature, name, value)
    candidature.save(update_fields=[*data, "updated_at"])
    return candidature


@transaction.atomic
def candidature_save_budget(*, candidature, amounts: dict, precisions: dict, user) -> Candidature:
    """Store every account line; an empty amount removes the line."""
    _require_section(candidature, Section.BUDGET, user)
    existing = {line.compte: line for line in candidature.lignes_budget.all()}
    for code in budget.ACCOUNTS:
        amount = amounts.get(code)
        line = existing.get(code)
        if amount is None:
            if line is not None:
                line.delete()
            continue
        if line is None:
            LigneBudget.objects.create(
                candidature=candidature, compte=code, montant=amount, precision=precisions.get(code, "")
            )
        elif line.montant != amount or line.precision != precisions.get(code, ""):
            line.montant, line.precision = amount, precisions.get(code, "")
            line.save(update_fields=["montant", "precision"])
    candidature.save(update_fields=["updated_at"])
    return candidature


@transaction.atomic
def personnel_add(*, candidature, data: dict, cv=None, user) -> Personnel:
    _require_section(candidature, Section.PERSONNEL, user)
    personnel = Personnel(candidature=candidature, **data)
    if cv is not None:
        personnel.cv = cv
        personnel.cv_nom = getattr(cv, "original_name", cv.name)[:200]
    personnel.save()
    return personnel


@transaction.atomic
def personnel_delete(*, personnel, user):
    _require_section(personnel.candidature, Section.PERSONNEL, user)
    personnel.cv.delete(save=False)
    personnel.delete()


@transaction.atomic
def piece_add(*, candidature, nature: str, fichier, user) -> PieceJointe:
    _require_section(candidature, Section.PIECES, user)
    piece = PieceJointe(
        candidature=candidature,
        nature=nature,
        nom_original=getattr(fichier, "original_name", fichier.name)[:200],
        taille=fichier.size,
        uploaded_by=user,
    )
    piece.fichier = fichier
    piece.save()
    access_record(user=user, obj=candidature, action=Action.MODIFICATION, detail=f"Pièce jointe : {nature}")
    return piece


@transaction.atomic
def piece_delete(*, piece, user):
    _require_section(piece.candidature, Section.PIECES, user)
    piece.fichier.delete(save=False)
    piece.delete()


@transaction.atomic
def candidature_deposit(*, candidature, user, now=None) -> Candidature:
    """File the application: refused after the window's close whatever the form showed, when
    something is missing, or without the label a gated dispositif requires."""
    from portal.documents.services import document_request

    now = now or timezone.now()
    if not perms.can_act_as_structure(user, candidature):
        raise PermissionDenied
    if candidature.etat != E.BROUILLON:
        raise AapError(ALREADY_DONE)
    missing = missing_items(candidature, at=now)
    if missing:
        raise AapError("La candidature ne peut pas être déposée :", missing)
    candidature.deposee_at = now
    _transition(candidature, "deposer", user=user, now=now)
    candidature.save()
    document_request(owner=candidature, kind_code="aap_recepisse", user=user)
    _tell_structure(
        candidature,
        f"Candidature {candidature.dispositif.code} déposée",
        f"Votre candidature « {candidature} » a été déposée le {format_date(now)} à "
        f"{timezone.localtime(now):%H:%M}. Le récépissé de dépôt est disponible sur sa page.",
    )
    return candidature


@transaction.atomic
def candidature_resubmit(*, candidature, user) -> Candidature:
    """The structure sends back a corrected application: it returns where the instruction stood."""
    if not perms.can_act_as_structure(user, candidature):
        raise PermissionDenied
    if candidature.etat != E.CORRECTION:
        raise AapError(ALREADY_DONE)
    missing = missing_items(candidature, at=timezone.now(), check_window=False)
    if missing:
        raise AapError("La candidature ne peut pas être renvoyée :", missing)
    previous = candidature.etat_avant_correction or E.DEPOSEE
    _transition(candidature, "corriger", user=user, to=previous)
    candidature.sections_ouvertes = []
    candidature.etat_avant_correction = ""
    candidature.save()
    open_requests = DemandeCorrection.objects.filter(candidature=candidature, corrigee_at__isnull=True)
    for requester in {c.demandee_par for c in open_requests.select_related("demandee_par") if c.demandee_par}:
        notify(
            recipient=requester,
            title=f"Candidature corrigée ({candidature.dispositif.code})",
            body=f"La structure a renvoyé la candidature « {candidature} » après la correction demandée.",
            url=reverse("aap:candidature_detail", args=[candidature.pk]),
            reason="aap",
        )
    open_requests.update(corrigee_at=timezone.now())
    return candidature


@transaction.atomic
def candidature_withdraw(*, candidature, user, motif="") -> Candidature:
    _transition(candidature, "retirer", user=user, motif=motif)
    candidature.save()
    return candidature


# --- instruction -----------------------------------------------------------------------------


@transaction.atomic
def candidature_admissibility(*, candidature, checklist: dict, recevable: bool, motif: str, user) -> Candidature:
    name = "declarer_recevable" if recevable else "declarer_irrecevable"
    if not recevable and not motif.strip():
        raise AapError("Motivez l'irrecevabilité.")
    _transition(candidature, name, user=user, motif=motif)
    candidature.recevabilite = checklist
    candidature.save()
    return candidature


@transaction.atomic
def candidature_start_instruction(*, candidature, user) -> Candidature:
    _transition(candidature, "instruire", user=user)
    candidature.save()
    return candidature


@transaction.atomic
def candidature_review(*, candidature, coherence: dict, analyse_financiere: str, user) -> Candidature:
    """The DPID's coherence and financial reviews, kept while the instruction goes on."""
    if not perms.can_instruct(user, candidature):
        raise PermissionDenied
    if candidature.etat not in (E.RECEVABLE, E.EN_INSTRUCTION, E.AVIS_RENDU):
        raise AapError("La candidature n'est pas en instruction.")
    candidature.coherence = coherence
    candidature.analyse_financiere = analyse_financiere
    candidature.save(update_fields=["coherence", "analyse_financiere", "updated_at"])
    return candidature


@transaction.atomic
def candidature_territorial_opinion(*, candidature, user, avis="", validation="", commentaire="") -> Candidature:
    """The SLAI's opinion, or the chef de SLAI's validation when the dispositif requires it."""
    if candidature.dispositif.validation_slai_requise:
        if not validation:
            raise AapError("Indiquez si le chef de SLAI valide la candidature.")
        avis = ""
    elif not avis:
        raise AapError("Indiquez l'avis du SLAI.")
    if (validation == "refusee" or avis in ("reserve", "defavorable")) and not commentaire.strip():
        raise AapError("Motivez cet avis dans le commentaire.")
    _transition(candidature, "rendre_avis", user=user, motif=commentaire)
    candidature.validation_slai = validation
    candidature.avis_slai = avis
    candidature.commentaire_slai = commentaire
    candidature.avis_slai_at = timezone.now()
    candidature.avis_slai_par = user
    candidature.save()
    return candidature


@transaction.atomic
def candidature_request_correction(*, candidature, motif: str, sections: list, message: str, user):
    if not sections:
        raise AapError("Choisissez au moins une partie à corriger.")
    previous = candidature.etat
    _transition(candidature, "demander_correction", user=user, motif=message)
    candidature.etat_avant_correction = previous
    candidature.sections_ouvertes = list(sections)
    candidature.save()
    return DemandeCorrection.objects.create(
        candidature=candidature, motif=motif, sections=list(sections), message=message, demandee_par=user
    )


@transaction.atomic
def candidature_propose(*, candidature, montant, places, etp, acte, motif, user, modele_acte="") -> Candidature:
    """The DPID's proposal to the Commission Permanente. A référent solidarité application the chef
    de SLAI did not validate cannot be proposed (seed 000 l. 95–98)."""
    if candidature.dispositif.validation_slai_requise and candidature.validation_slai != "validee":
        raise AapError("Le chef de SLAI n'a pas validé cette candidature : elle ne peut pas être proposée.")
    _transition(candidature, "proposer", user=user, motif=motif)
    candidature.montant_propose = montant
    candidature.places_proposees = places
    candidature.etp_propose = etp
    candidature.acte_propose = acte
    candidature.modele_acte = modele_acte
    candidature.motif_proposition = motif
    candidature.proposee_at = timezone.now()
    candidature.save()
    return candidature


@transaction.atomic
def candidature_decide(*, candidature, retenue: bool, motif: str, user) -> Candidature:
    if not retenue and not motif.strip():
        raise AapError("Motivez la décision de ne pas retenir la candidature.")
    _transition(candidature, "retenir" if retenue else "ne_pas_retenir", user=user, motif=motif)
    candidature.save()
    return candidature


@transaction.atomic
def annotation_add(*, candidature, texte: str, user) -> Annotation:
    if not perms.can_annotate(user, candidature):
        raise PermissionDenied
    return Annotation.objects.create(candidature=candidature, texte=texte, auteur=user)


@transaction.atomic
def avis_request(*, candidature, destinataire, question: str, echeance, user) -> DemandeAvis:
    if not perms.can_annotate(user, candidature):
        raise PermissionDenied
    if not (destinataire.scope.sees_departement or destinataire.scope.is_slai):
        raise AapError("Seul un agent du Département peut être sollicité pour avis.")
    demande = DemandeAvis.objects.create(
        candidature=candidature, demandee_par=user, destinataire=destinataire, question=question, echeance=echeance
    )
    notify(
        recipient=destinataire,
        title=f"Avis demandé sur une candidature ({candidature.dispositif.code})",
        body=f"{user} vous demande un avis sur « {candidature} » pour le {format_date(echeance)}.\n{question}",
        url=reverse("aap:candidature_detail", args=[candidature.pk]),
        reason="aap",
    )
    return demande


@transaction.atomic
def avis_answer(*, demande, reponse: str, user) -> DemandeAvis:
    locked = DemandeAvis.objects.select_for_update().get(pk=demande.pk)
    if not perms.can_answer_opinion(user, locked):
        raise AapError("Cet avis a déjà été rendu.")
    locked.reponse = reponse
    locked.rendu_at = timezone.now()
    locked.save(update_fields=["reponse", "rendu_at"])
    if locked.demandee_par is not None:
        notify(
            recipient=locked.demandee_par,
            title="Avis rendu sur une candidature",
            body=f"{user} a rendu son avis sur « {locked.candidature} ».",
            url=reverse("aap:candidature_detail", args=[locked.candidature_id]),
            reason="aap",
        )
    return locked
