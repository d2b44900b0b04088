from django.db import transaction
from django.utils import timezone

from accompagnement.cerp import cerp_errors, is_cerp
from accompagnement.enums import Presence, SourceOrientation
from accompagnement.models import Beneficiaire, Cer, Entretien, Orientation, ProcedureSuspension
from accompagnement.regles import cer_duration_error
from portal.audit.enums import Action
from portal.audit.services import access_record

NOT_ORIENTABLE = (
    "Cette personne ne peut pas être orientée depuis votre territoire avec ces informations : vérifiez le "
    "N° CAF, ou contactez la DPID si la personne a changé de territoire."
)


class AccompagnementError(Exception):
    """A step the data does not allow; the message is shown as is."""


ALREADY_DONE = "Action déjà effectuée."  # a transition done twice (double submission, two tabs)


@transaction.atomic
def orientation_create(
    *, beneficiaire_data: dict, structure, type_accompagnement, date_orientation, user, request=None
):
    """Orient a person: the beneficiary is found by N° CAF (created if new), then oriented."""
    numero_caf = beneficiaire_data["numero_caf"]
    # Locked: the retention run may be purging this very record (it locks the same row).
    beneficiaire = Beneficiaire.objects.select_for_update().filter(numero_caf=numero_caf).first()
    if beneficiaire is not None and beneficiaire.archive_le is not None and _may_reopen(user, beneficiaire):
        # An archived record comes back into use when the person is oriented again (retention runs
        # from the last exit).
        Beneficiaire.objects.filter(pk=beneficiaire.pk).update(archive_le=None)
        beneficiaire.archive_le = None
        access_record(
            user=user,
            obj=beneficiaire,
            action=Action.MODIFICATION,
            request=request,
            detail="désarchivé : nouvelle orientation",
        )
    if beneficiaire is not None and (
        not Beneficiaire.objects.visible_to(user).filter(pk=beneficiaire.pk).exists()
        or beneficiaire.territoire_id != beneficiaire_data["territoire"].pk
    ):
        # Say nothing about a person outside the user's scope (not even that the N° CAF exists).
        raise AccompagnementError(NOT_ORIENTABLE)
    if beneficiaire is None:
        beneficiaire = Beneficiaire(**beneficiaire_data)
        beneficiaire.full_clean()
        beneficiaire.save()
        access_record(user=user, obj=beneficiaire, action=Action.CREATION, request=request)
    elif beneficiaire.date_naissance != beneficiaire_data["date_naissance"]:
        raise AccompagnementError(
            f"Le N° CAF {numero_caf} est déjà connu avec une autre date de naissance : vérifiez la saisie."
        )
    if Orientation.objects.filter(
        beneficiaire=beneficiaire, structure=structure, date_orientation=date_orientation
    ).exists():
        raise AccompagnementError("Cette orientation existe déjà (même personne, même structure, même date).")
    orientation = Orientation.objects.create(
        beneficiaire=beneficiaire,
        structure=structure,
        type_accompagnement=type_accompagnement,
        date_orientation=date_orientation,
        source=SourceOrientation.SAISIE,
        created_by=user,
        **type_accompagnement.date_limits(date_orientation),
    )
    access_record(user=user, obj=beneficiaire, action=Action.MODIFICATION, request=request, detail=str(orientation))
    return orientation


def _may_reopen(user, beneficiaire):
    scope = user.scope
    return scope.is_dpid or (scope.is_slai and beneficiaire.territoire_id == scope.territoire_id)


@transaction.atomic
def referent_assign(*, orientation, referent, user, request=None):
    if referent.structure_id != orientation.structure_id:
        raise AccompagnementError("Ce référent n'appartient pas à la structure de l'orientation.")
    if referent.date_depart is not None:
        raise AccompagnementError(f"{referent} a quitté la structure.")
    orientation.referent = referent
    orientation.date_affectation = timezone.localdate()
    orientation.save(update_fields=["referent", "date_affectation"])
    access_record(
        user=user,
        obj=orientation.beneficiaire,
        action=Action.MODIFICATION,
        request=request,
        detail=f"référent : {referent}",
    )
    return orientation


@transaction.atomic
def entretien_record(*, orientation, data: dict, user, request=None):
    """Record an interview; an unjustified absence opens the SLAI's suspension procedure."""
    entretien = Entretien(orientation=orientation, created_by=user, **data)
    entretien.full_clean()
    entretien.save()
    if entretien.presence == Presence.ABSENT:
        ProcedureSuspension.objects.create(entretien=entretien, ouverte_le=entretien.date)
    access_record(
        user=user, obj=orientation.beneficiaire, action=Action.MODIFICATION, request=request, detail=str(entretien)
    )
    return entretien


@transaction.atomic
def cer_record(*, orientation, form, actions, user, request=None):
    """Save a CER with all its actions, or nothing."""
    cer = form.save(commit=False)
    cer.orientation = orientation
    cer.created_by = user
    cer_check_duration(cer)
    cer_check_unique_start(cer)
    cer.full_clean()
    cer.save()
    actions.instance = cer
    actions.save()
    access_record(
        user=user, obj=orientation.beneficiaire, action=Action.MODIFICATION, request=request, detail=str(cer)
    )
    return cer


def cer_check_duration(cer):
    """A CER ends within its kind's duration (seed 000 l. 46: 6 months in référent solidarité); a
    CERP follows the rules of its step (seed 003 l. 870–925)."""
    error = cer_duration_error(cer.orientation.type_accompagnement, cer.date_debut, cer.date_fin)
    if error:
        raise AccompagnementError(error)
    if is_cerp(cer.orientation):  # the self-employed: the CERP's step sets its duration
        errors = cerp_errors(
            cer.orientation, phase=cer.phase_cerp, debut=cer.date_debut, fin=cer.date_fin, exclude_pk=cer.pk
        )
        if errors:
            raise AccompagnementError(" ".join(errors))


CER_SAME_START = "Un CER commence déjà à cette date pour cet accompagnement : modifiez celui-ci plutôt."


def cer_check_unique_start(cer):
    """One CER per start date on an accompaniment (a double submission, or a re-import). The
    orientation row is locked so that two saves at once cannot both pass."""
    Orientation.objects.select_for_update().filter(pk=cer.orientation_id).first()
    if Cer.objects.filter(orientation_id=cer.orientation_id, date_debut=cer.date_debut).exclude(pk=cer.pk).exists():
        raise AccompagnementError(CER_SAME_START)


@transaction.atomic
def diagnostic_record(*, orientation, form, user, request=None):
    """Save a 360° diagnostic (a bound, valid `DiagnosticForm`) on the person's accompaniment."""
    diagnostic = form.save(commit=False)
    diagnostic.orientation = orientation
    diagnostic.created_by = user
    diagnostic.full_clean()
    diagnostic.save()
    access_record(
        user=user, obj=orientation.beneficiaire, action=Action.MODIFICATION, request=request, detail=str(diagnostic)
    )
    return diagnostic
