"""The accompaniment between the first CER and the exit: diagnostics, prescriptions, requests to
the SLAI and its decisions, suspension procedures, weekly hours, exits (seeds 000, 003, 004)."""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from accompagnement.enums import EtatDemande, MomentDiagnostic, MotifSortie, SourceOrientation
from accompagnement.models import (
    ActiviteHebdomadaire,
    DemandeRenouvellement,
    DemandeReorientation,
    Orientation,
    Prescription,
    ProcedureSuspension,
    Sortie,
)
from accompagnement.selectors import RENEWAL_REQUEST_MONTHS
from accompagnement.services import ALREADY_DONE, AccompagnementError, diagnostic_record
from portal.audit.enums import Action
from portal.audit.services import access_record
from portal.core.dates import add_months
from portal.core.formats import format_date

EQUILIBRE = "equilibre"


def _audit(*, user, orientation, detail, request):
    access_record(user=user, obj=orientation.beneficiaire, action=Action.MODIFICATION, request=request, detail=detail)


def _require_active(orientation):
    if orientation.date_fin is not None:
        raise AccompagnementError("Cet accompagnement est terminé : il n'accepte plus de saisie.")


def current_cer_start(orientation):
    """Start of the current (latest signed) CER, or the orientation date when none is signed:
    the date from which the diagnostic counts as up to date (seed 000 l. 153)."""
    signed = orientation.cers.filter(signe_le__isnull=False).order_by("-date_debut").first()
    return signed.date_debut if signed else orientation.date_orientation


def has_final_diagnostic(orientation) -> bool:
    return orientation.diagnostics.filter(
        moment=MomentDiagnostic.FINAL, date__gte=current_cer_start(orientation)
    ).exists()


@transaction.atomic
def prescription_create(*, orientation, data: dict, user, request=None):
    """Save a fiche de prescription (`data`: date, action, organisme, dispositif_departemental,
    argumentaire, e.g. a valid `PrescriptionForm`'s cleaned_data)."""
    _require_active(orientation)
    prescription = Prescription(orientation=orientation, created_by=user, **data)
    prescription.full_clean()
    prescription.save()
    _audit(user=user, orientation=orientation, detail=str(prescription), request=request)
    return prescription


@transaction.atomic
def prescription_update(*, prescription, statut, user, request=None):
    """Record what came of a prescription (en cours, réalisée, abandonnée)."""
    if prescription.statut == statut:
        raise AccompagnementError(ALREADY_DONE)
    prescription.statut = statut
    prescription.save(update_fields=["statut"])
    _audit(
        user=user,
        orientation=prescription.orientation,
        detail=f"{prescription} : {prescription.get_statut_display().lower()}",
        request=request,
    )
    return prescription


@transaction.atomic
def reorientation_create(*, orientation, type_souhaite, structure_proposee, argumentaire, user, request=None):
    """The referent asks the SLAI for another kind of accompaniment. The diagnostic must be up to
    date (a final diagnostic since the current CER's start, seed 000 l. 153); one pending
    request at a time."""
    orientation = Orientation.objects.select_for_update().select_related("beneficiaire").get(pk=orientation.pk)
    _require_active(orientation)
    if not has_final_diagnostic(orientation):
        raise AccompagnementError(
            "Actualisez d'abord le diagnostic : une demande de réorientation s'appuie sur un diagnostic "
            "« bilan final » daté du début du CER en cours ou après."
        )
    if orientation.demandes_reorientation.filter(etat=EtatDemande.DEPOSEE).exists():
        raise AccompagnementError("Une demande de réorientation est déjà en attente pour cet accompagnement.")
    if (
        structure_proposee is not None
        and not structure_proposee.territoires.filter(pk=orientation.beneficiaire.territoire_id).exists()
    ):
        raise AccompagnementError(f"{structure_proposee} n'intervient pas sur le territoire de la personne.")
    try:
        with transaction.atomic():
            demande = DemandeReorientation.objects.create(
                orientation=orientation,
                date_demande=timezone.localdate(),
                type_souhaite=type_souhaite,
                structure_proposee=structure_proposee,
                argumentaire=argumentaire,
                created_by=user,
            )
    except IntegrityError as error:  # a double submission
        raise AccompagnementError(ALREADY_DONE) from error
    _audit(user=user, orientation=orientation, detail=str(demande), request=request)
    return demande


def _reoriented(*, orientation, structure, type_accompagnement, day, user):
    """The new orientation, with the rules of `services.orientation_create`: the structure works on
    the person's territory, no duplicate, due dates stored from the kind. A change of kind or of
    structure means another professional (seed 000): no referent yet."""
    beneficiaire = orientation.beneficiaire
    if not structure.territoires.filter(pk=beneficiaire.territoire_id).exists():
        raise AccompagnementError(f"{structure} n'intervient pas sur le territoire {beneficiaire.territoire}.")
    if Orientation.objects.filter(beneficiaire=beneficiaire, structure=structure, date_orientation=day).exists():
        raise AccompagnementError("Cette orientation existe déjà (même personne, même structure, même date).")
    same_professional = (
        structure.pk == orientation.structure_id and type_accompagnement.pk == orientation.type_accompagnement_id
    )
    return Orientation.objects.create(
        beneficiaire=beneficiaire,
        structure=structure,
        type_accompagnement=type_accompagnement,
        date_orientation=day,
        referent_id=orientation.referent_id if same_professional else None,
        date_affectation=day if same_professional and orientation.referent_id else None,
        source=SourceOrientation.SAISIE,
        created_by=user,
        **type_accompagnement.date_limits(day),
    )


def _record_decision(demande, *, accepte: bool, motif, user):
    """The SLAI's answer on a pending request (`DemandeAuSlai`), not saved yet: refused with a
    reason only, once only."""
    if demande.etat != EtatDemande.DEPOSEE:
        raise AccompagnementError(ALREADY_DONE)
    if not accepte and not (motif or "").strip():
        raise AccompagnementError("Motivez le refus : le référent en est informé.")
    demande.etat = EtatDemande.ACCEPTEE if accepte else EtatDemande.REFUSEE
    demande.decision_motif = motif or ""
    demande.decidee_le = timezone.localdate()
    demande.decidee_par = user


@transaction.atomic
def reorientation_decide(
    *, demande, accepte: bool, motif, user, type_accompagnement=None, structure=None, request=None
):
    """The SLAI (or the DPID) decides. Accepted: the current accompaniment ends with the exit
    "réorientation" on the decision date (an open CER stays as history) and a new orientation
    starts, to the kind and structure chosen (default: the proposal)."""
    demande = DemandeReorientation.objects.select_for_update().select_related("orientation").get(pk=demande.pk)
    _record_decision(demande, accepte=accepte, motif=motif, user=user)
    orientation = Orientation.objects.select_related("beneficiaire__territoire").get(pk=demande.orientation_id)
    today = demande.decidee_le
    if accepte:
        if orientation.date_fin is not None or hasattr(orientation, "sortie"):
            raise AccompagnementError("Cet accompagnement est déjà terminé.")
        structure = structure or demande.structure_proposee or orientation.structure
        type_accompagnement = type_accompagnement or demande.type_souhaite
        Sortie.objects.create(
            orientation=orientation,
            date=today,
            motif=MotifSortie.REORIENTATION,
            commentaire="",
            created_by=user,
        )
        orientation.date_fin = today
        orientation.save(update_fields=["date_fin"])
        demande.nouvelle_orientation = _reoriented(
            orientation=orientation, structure=structure, type_accompagnement=type_accompagnement, day=today, user=user
        )
    demande.save()
    detail = f"{demande} : {demande.get_etat_display().lower()}"
    if accepte:
        detail += f", nouvelle orientation vers {demande.nouvelle_orientation.structure}"
    _audit(user=user, orientation=orientation, detail=detail, request=request)
    return demande


def renewal_opens_on(cer) -> datetime.date:
    return add_months(cer.date_debut, RENEWAL_REQUEST_MONTHS)


@transaction.atomic
def renouvellement_create(*, cer, argumentaire, user, request=None):
    """Renewal of a signed CER, asked at 5 months (seed 000 l. 62), once per CER."""
    orientation = Orientation.objects.select_related("beneficiaire", "type_accompagnement").get(pk=cer.orientation_id)
    _require_active(orientation)
    if cer.signe_le is None:
        raise AccompagnementError("Seul un CER signé peut être renouvelé.")
    if DemandeRenouvellement.objects.filter(cer=cer).exists():
        raise AccompagnementError(ALREADY_DONE + " Le renouvellement de ce CER a déjà été demandé.")
    if cer.renouvellements.exists():
        raise AccompagnementError("Ce CER a déjà été renouvelé : la demande porte sur le CER en cours.")
    if orientation.type_accompagnement.code == EQUILIBRE and cer.renouvelle_id:
        raise AccompagnementError(
            "L'accompagnement équilibré dure 6 mois, renouvelable une fois : ce CER est déjà un renouvellement."
        )
    opens = renewal_opens_on(cer)
    if timezone.localdate() < opens:
        raise AccompagnementError(
            f"Le renouvellement se demande à partir de 5 mois de CER : à partir du {format_date(opens)}."
        )
    try:
        with transaction.atomic():
            demande = DemandeRenouvellement.objects.create(
                cer=cer, date_demande=timezone.localdate(), argumentaire=argumentaire, created_by=user
            )
    except IntegrityError as error:  # a concurrent request on the same CER
        raise AccompagnementError(ALREADY_DONE) from error
    _audit(user=user, orientation=orientation, detail=str(demande), request=request)
    return demande


@transaction.atomic
def renouvellement_decide(*, demande, accepte: bool, motif, user, request=None):
    demande = DemandeRenouvellement.objects.select_for_update().get(pk=demande.pk)
    _record_decision(demande, accepte=accepte, motif=motif, user=user)
    orientation = Orientation.objects.select_related("beneficiaire").get(cers__pk=demande.cer_id)
    _require_active(orientation)
    demande.save()
    _audit(
        user=user, orientation=orientation, detail=f"{demande} : {demande.get_etat_display().lower()}", request=request
    )
    return demande


@transaction.atomic
def suspension_traiter(*, procedure, decision, commentaire, user, request=None):
    """The SLAI decides on the procedure opened by an unjustified absence."""
    procedure = ProcedureSuspension.objects.select_for_update().get(pk=procedure.pk)
    if procedure.traitee_le is not None:
        raise AccompagnementError(ALREADY_DONE)
    procedure.decision = decision
    procedure.commentaire = commentaire
    procedure.traitee_le = timezone.localdate()
    procedure.traitee_par = user
    procedure.save()
    orientation = Orientation.objects.select_related("beneficiaire").get(entretiens__pk=procedure.entretien_id)
    _audit(
        user=user,
        orientation=orientation,
        detail=f"procédure de suspension : {procedure.get_decision_display().lower()}",
        request=request,
    )
    return procedure


def monday_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


@transaction.atomic
def activite_create(*, orientation, semaine, heures, commentaire, user, request=None):
    """Hours of activity of a week (équilibré accompaniment, ≥ 15 h a week, seed 003 l. 462).
    Any date is brought back to the Monday of its week."""
    _require_active(orientation)
    if orientation.type_accompagnement.code != EQUILIBRE:
        raise AccompagnementError("Le suivi hebdomadaire des heures concerne l'accompagnement équilibré.")
    semaine = monday_of(semaine)
    if semaine > timezone.localdate():
        raise AccompagnementError("Les heures se saisissent une fois la semaine commencée.")
    if semaine < monday_of(orientation.date_orientation):
        raise AccompagnementError("Cette semaine précède l'orientation.")
    if orientation.activites.filter(semaine=semaine).exists():
        raise AccompagnementError(f"Les heures de la semaine du {format_date(semaine)} sont déjà saisies.")
    activite = ActiviteHebdomadaire(
        orientation=orientation, semaine=semaine, heures=heures, commentaire=commentaire, created_by=user
    )
    activite.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            activite.save()
    except IntegrityError as error:  # the same week saved meanwhile (double submission)
        raise AccompagnementError(f"Les heures de la semaine du {format_date(semaine)} sont déjà saisies.") from error
    _audit(user=user, orientation=orientation, detail=str(activite), request=request)
    return activite


@transaction.atomic
def sortie_create(*, orientation, date, motif, commentaire, diagnostic_data=None, user, request=None):
    """End the accompaniment. The final bilan's diagnostic is mandatory (seed 000): given here
    (`diagnostic_data`, the values of `diagnostic_record`) unless one already exists since the current CER's start."""
    orientation = Orientation.objects.select_for_update().select_related("beneficiaire").get(pk=orientation.pk)
    if orientation.date_fin is not None:
        raise AccompagnementError(ALREADY_DONE)
    if motif == MotifSortie.REORIENTATION:
        raise AccompagnementError("Une réorientation se demande au SLAI : elle ne se saisit pas comme une sortie.")
    if date < orientation.date_orientation:
        raise AccompagnementError("La sortie ne peut pas précéder l'orientation.")
    if orientation.demandes_reorientation.filter(etat=EtatDemande.DEPOSEE).exists():
        raise AccompagnementError(
            "Une demande de réorientation attend la décision du SLAI : attendez sa décision avant la sortie."
        )
    if not has_final_diagnostic(orientation):
        if diagnostic_data is None:
            raise AccompagnementError("Le bilan final, avec l'actualisation du diagnostic, est obligatoire.")
        diagnostic_record(orientation=orientation, data=diagnostic_data, user=user, request=request)
        if not has_final_diagnostic(orientation):  # dated before the current CER: not an update
            raise AccompagnementError(
                "Le diagnostic du bilan final est daté avant le début du CER en cours : saisissez le diagnostic "
                "actualisé à ce bilan."
            )
    sortie = Sortie(orientation=orientation, date=date, motif=motif, commentaire=commentaire, created_by=user)
    sortie.full_clean()
    sortie.save()
    orientation.date_fin = date
    orientation.save(update_fields=["date_fin"])
    _audit(user=user, orientation=orientation, detail=f"{sortie} ({sortie.categorie.label})", request=request)
    return sortie


@transaction.atomic
def diagnostic_create(*, orientation, data: dict, user, request=None):
    """A 360° diagnostic at entry, during or at the final bilan, on an accompaniment in progress."""
    _require_active(orientation)
    return diagnostic_record(orientation=orientation, data=data, user=user, request=request)
