from django.db import transaction
from django.utils import timezone

from accompagnement import gardes
from accompagnement.enums import Presence, SourceOrientation
from accompagnement.models import Beneficiaire, Diagnostic, Entretien, Orientation, ProcedureSuspension
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
        gardes.invalider(Orientation.objects.filter(beneficiaire_id=beneficiaire.pk).values("structure_id"))
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
def diagnostic_record(*, orientation, data: dict, user, request=None):
    """Save a 360° diagnostic (`data`: date, moment, freins, atouts, synthese, e.g. a valid
    `DiagnosticForm`'s cleaned_data) on the person's accompaniment."""
    diagnostic = Diagnostic(orientation=orientation, created_by=user, **data)
    diagnostic.full_clean()
    diagnostic.save()
    access_record(
        user=user, obj=orientation.beneficiaire, action=Action.MODIFICATION, request=request, detail=str(diagnostic)
    )
    return diagnostic


# The CER lives in services/cer.py (its first entry included); re-exported here for the views.
from accompagnement.services.cer import (  # noqa: E402, F401
    CER_SAME_START,
    cer_check_duration,
    cer_check_unique_start,
    cer_record,
)
