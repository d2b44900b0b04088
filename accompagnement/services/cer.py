"""The CER, in one place: its first entry (with its duration and start checks), edition,
signature, closure with the updated diagnostic, renewal, import."""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accompagnement.cerp import cerp_errors, is_cerp
from accompagnement.enums import EtatDemande
from accompagnement.models import Cer, CerAction, DemandeRenouvellement, Orientation
from accompagnement.regles import cer_duration_error, cer_end_limit
from accompagnement.services import ALREADY_DONE, AccompagnementError, diagnostic_record
from portal.audit.enums import Action
from portal.audit.services import access_record
from portal.core.dates import add_months
from portal.core.formats import format_date
from portal.core.scale import analyze_tables

SIGNED_IS_FROZEN = "Ce CER est signé : il ne peut plus être modifié (un nouveau CER le remplacera à son terme)."
CER_MONTHS = 6


@transaction.atomic
def cer_record(*, orientation, data: dict, actions: list[dict], user, renouvelle=None, request=None):
    """Save a CER with all its actions, or nothing. `data`: the CER's fields (type, phase_cerp,
    date_edition, date_debut, date_fin, remarque, signe_le); `actions`: one dict of fields per action
    (`forms.cer.action_values`); `renouvelle`: the CER it renews, if any."""
    cer = Cer(orientation=orientation, created_by=user, renouvelle=renouvelle, **data)
    cer_check_duration(cer)
    cer_check_unique_start(cer)
    cer.full_clean()
    cer.save()
    _save_actions(cer, actions)
    access_record(
        user=user, obj=orientation.beneficiaire, action=Action.MODIFICATION, request=request, detail=str(cer)
    )
    return cer


def _save_actions(cer, actions: list[dict]) -> None:
    """The CER's actions become `actions`: those with the `pk` of an existing action update it, the
    others are created, and existing actions left out are deleted."""
    kept = {values["pk"] for values in actions if values.get("pk")}
    if cer.pk is not None:
        cer.actions.exclude(pk__in=kept).delete()
    existing = cer.actions.in_bulk(kept) if kept else {}
    for values in actions:
        fields = {name: value for name, value in values.items() if name != "pk"}
        action = existing.get(values.get("pk")) or CerAction(cer=cer)
        for name, value in fields.items():
            setattr(action, name, value)
        action.save()


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


def signature_errors(*, signe_le, date_edition) -> list[str]:
    """A CER is signed on or after its edition, and not in the future."""
    errors = []
    if signe_le and signe_le > timezone.localdate():
        errors.append("La date de signature ne peut pas être dans le futur.")
    if signe_le and date_edition and signe_le < date_edition:
        errors.append(f"La signature ne peut pas précéder l'édition du CER ({format_date(date_edition)}).")
    return errors


def _locked(cer):
    return Cer.objects.select_for_update().select_related("orientation__beneficiaire").get(pk=cer.pk)


def _audit(*, user, cer, request, detail):
    access_record(
        user=user, obj=cer.orientation.beneficiaire, action=Action.MODIFICATION, request=request, detail=detail
    )


@transaction.atomic
def cer_update(*, cer, data: dict, actions: list[dict], user, request=None):
    """Save the changes of an unsigned CER (`data`, as for `cer_record`) and its actions (the
    actions it keeps, `pk` set for an existing one), or nothing."""
    if _locked(cer).signe_le is not None:
        raise AccompagnementError(SIGNED_IS_FROZEN)
    for name, value in data.items():
        setattr(cer, name, value)
    cer_check_duration(cer)
    cer_check_unique_start(cer)
    cer.full_clean(exclude=["created_by"])  # SET_NULL: the author may have left
    cer.save()
    _save_actions(cer, actions)
    _audit(user=user, cer=cer, request=request, detail=f"{cer} modifié")
    return cer


@transaction.atomic
def cer_sign(*, cer, signe_le: datetime.date, user, request=None):
    """Record the day both parties signed; from then on the CER is frozen."""
    cer = _locked(cer)
    if cer.signe_le is not None:
        raise AccompagnementError(ALREADY_DONE)
    errors = signature_errors(signe_le=signe_le, date_edition=cer.date_edition)
    if errors:
        raise AccompagnementError(" ".join(errors))
    cer.signe_le = signe_le
    cer.save(update_fields=["signe_le"])
    _audit(user=user, cer=cer, request=request, detail=f"{cer} signé le {format_date(signe_le)}")
    return cer


def closure_refusal(cer) -> str | None:
    """Why this CER cannot be closed now (None: it can)."""
    if cer.cloture_le is not None:
        return ALREADY_DONE
    if cer.signe_le is None:
        return "Un CER non signé ne se clôture pas : signez-le, ou modifiez-le."
    return None


@transaction.atomic
def cer_close(*, cer, diagnostic_data: dict, user, request=None):
    """Close a signed CER with the updated diagnostic, mandatory whatever comes next (seed 000
    l. 153): both are saved together, or neither."""
    cer = _locked(cer)
    refusal = closure_refusal(cer)
    if refusal:
        raise AccompagnementError(refusal)
    diagnostic = diagnostic_record(orientation=cer.orientation, data=diagnostic_data, user=user, request=request)
    cer.cloture_le = timezone.localdate()
    cer.diagnostic_cloture = diagnostic
    cer.full_clean(exclude=["created_by"])  # SET_NULL: the author may have left
    cer.save(update_fields=["cloture_le", "diagnostic_cloture"])
    _audit(user=user, cer=cer, request=request, detail=f"{cer} clôturé")
    return cer


# --- renewal ------------------------------------------------------------------------------------


def renewal_refusal(cer) -> str | None:
    """Why the next CER cannot be made from this one (None: it can). The SLAI decides the
    renewal request (seed 000 l. 62); the next CER follows an accepted request only."""
    if cer.renouvellements.exists():
        return ALREADY_DONE
    if cer.orientation.date_fin is not None:
        return "L'accompagnement est terminé : pas de renouvellement du CER."
    demande = DemandeRenouvellement.objects.filter(cer=cer).first()
    if demande is None:
        return "Le renouvellement n'a pas été demandé au SLAI pour ce CER."
    if demande.etat != EtatDemande.ACCEPTEE:
        return f"La demande de renouvellement n'est pas acceptée ({demande.get_etat_display().lower()})."
    return None


def renewal_initial(previous, *, today=None) -> tuple[dict, list[dict]]:
    """The next CER pre-filled from the previous one: same type, remark and actions; it starts
    the day after the previous one ends and lasts 6 months; the actions keep their place in the
    period (shifted by the same number of days, within the new CER)."""
    today = today or timezone.localdate()
    debut = previous.date_fin + datetime.timedelta(days=1)
    fin = cer_end_limit(previous.orientation.type_accompagnement, debut) or (
        add_months(debut, CER_MONTHS) - datetime.timedelta(days=1)
    )
    shift = debut - previous.date_debut
    initial = {
        "type": previous.type,
        "date_edition": today,
        "date_debut": debut,
        "date_fin": fin,
        "remarque": previous.remarque,
    }
    actions = [
        {
            "intitule": action.intitule,
            "date_debut": min(action.date_debut + shift, fin),
            "date_fin": min(action.date_fin + shift, fin),
            "detail": action.detail,
            "insertion_professionnelle": action.insertion_professionnelle,
        }
        for action in previous.actions.all()
    ]
    return initial, actions


@transaction.atomic
def cer_renew(*, previous, data: dict, actions: list[dict], user, request=None):
    """Record the next CER of an accepted renewal, linked to the previous one."""
    previous = _locked(previous)
    refusal = renewal_refusal(previous)
    if refusal:
        raise AccompagnementError(refusal)
    return cer_record(
        orientation=previous.orientation,
        data=data,
        actions=actions,
        user=user,
        renouvelle=previous,
        request=request,
    )


# --- import -------------------------------------------------------------------------------------


class ImportRefused(AccompagnementError):
    """Some CERs are refused and the user did not ask to import the valid ones only."""


@dataclass
class ImportResult:
    created: int = 0
    duplicates: int = 0
    refused: int = 0

    def summary(self):
        def plural(count):
            return "s" if count > 1 else ""

        return (
            f"{self.created} CER importé{plural(self.created)}, "
            f"{self.duplicates} doublon{plural(self.duplicates)} ignoré{plural(self.duplicates)}, "
            f"{self.refused} refusé{plural(self.refused)}"
        )


@transaction.atomic
def cers_import(*, structure, items, partial: bool, user, request=None) -> ImportResult:
    """Create the checked CERs (`cer_json.check_import`) of a structure: all or nothing, unless
    `partial`. Imported CERs are unsigned (the format carries no signature)."""
    result = ImportResult(
        duplicates=sum(1 for item in items if item.duplicate), refused=sum(1 for item in items if item.errors)
    )
    if result.refused and not partial:
        raise ImportRefused("Le fichier contient des CER refusés : rien n'a été importé.")
    # Lock the accompaniments first: two imports at once then re-check duplicates one after the other.
    valid = [item.orientation.pk for item in items if item.is_valid]
    list(Orientation.objects.select_for_update().filter(pk__in=valid).values_list("pk", flat=True))
    for item in items:
        if not item.is_valid:
            continue
        data = item.data
        if Cer.objects.filter(orientation=item.orientation, date_debut=data.date_debut).exists():
            # Imported meanwhile (the same file sent twice at once): skipped like any duplicate.
            result.duplicates += 1
            continue
        cer = Cer(
            orientation=item.orientation,
            type=data.type,
            date_edition=data.date_edition,
            date_debut=data.date_debut,
            date_fin=data.date_fin,
            remarque=data.remarque,
            created_by=user,
        )
        cer.save()
        CerAction.objects.bulk_create(
            CerAction(
                cer=cer,
                intitule=action.intitule,
                date_debut=action.date_debut,
                date_fin=action.date_fin,
                detail=action.detail,
                insertion_professionnelle=action.insertion_professionnelle,
            )
            for action in data.actions
        )
        access_record(
            user=user,
            obj=item.orientation.beneficiaire,
            action=Action.MODIFICATION,
            request=request,
            detail=f"{cer} importé (fichier JSON)",
        )
        result.created += 1
    if result.created:
        analyze_tables([Cer, CerAction])  # a bulk load: the planner learns the new sizes at once
    return result
