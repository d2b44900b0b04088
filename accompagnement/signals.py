"""Keep the first dates stored on the orientation (`premier_cer_le`, `premier_present_le`,
`premier_rdv_le`, and `renouvellement_attendu_depuis`) right whatever changes a CER, an interview
or a renewal request through the ORM: signature, edition, closure, renewal, deletion (one by one or
by cascade), an interview recorded or corrected, a renewal requested. Bulk loads
(`bulk_create`, `update`) bypass signals: they call `Orientation.objects.refresh_premiers()`.
Also keep the person's territory on their orientations (`Orientation.territoire`)."""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from accompagnement import gardes
from accompagnement.enums import Presence
from accompagnement.models import (
    ActiviteHebdomadaire,
    Beneficiaire,
    Cer,
    DemandeRenouvellement,
    DemandeReorientation,
    Entretien,
    Orientation,
    Sortie,
)


def _refresh(orientation_id):
    Orientation.objects.filter(pk=orientation_id).refresh_premiers()


@receiver(post_save, sender=Cer, dispatch_uid="premiers_cer_saved")
def cer_saved(sender, instance, created, raw=False, **kwargs):
    # A new unsigned CER (created, or imported: the format has no signature) changes nothing,
    # unless it renews the current one (that one no longer awaits its renewal).
    if raw or (created and instance.signe_le is None and instance.renouvelle_id is None):
        return
    _refresh(instance.orientation_id)


@receiver(post_save, sender=Entretien, dispatch_uid="premiers_entretien_saved")
def entretien_saved(sender, instance, created, raw=False, **kwargs):
    if raw or (created and instance.presence != Presence.PRESENT):
        return
    _refresh(instance.orientation_id)


@receiver(post_delete, sender=Cer, dispatch_uid="premiers_cer_deleted")
@receiver(post_delete, sender=Entretien, dispatch_uid="premiers_entretien_deleted")
def deleted(sender, instance, **kwargs):
    _refresh(instance.orientation_id)


@receiver(post_save, sender=DemandeRenouvellement, dispatch_uid="premiers_renouvellement_saved")
@receiver(post_delete, sender=DemandeRenouvellement, dispatch_uid="premiers_renouvellement_deleted")
def renewal_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    _refresh(Cer.objects.filter(pk=instance.cer_id).values("orientation_id")[:1])


# --- the kept indicators of closed months (accompagnement/gardes.py) ----------------------------
# Any write through the ORM that may change a figure forgets the kept months of the structure
# concerned (one DELETE whose subquery finds the structure). Bulk loads call `gardes.invalider`.


def _forget_orientation(orientation_id):
    gardes.invalider_un(Orientation.objects.filter(pk=orientation_id).values("structure_id"))


# --- the person's territory kept on each orientation (`Orientation.territoire`) -------------------
# A new orientation takes its person's territory (read from the person given with it, else one
# query); a person saved with another territory moves their orientations with them (one UPDATE), so
# an orientation saved later keeps the territory it has (its person read earlier may be stale).
# Bulk inserts go through `OrientationQuerySet.bulk_create`, which does the same as a new one.


def _person_territory(orientation):
    if Orientation.beneficiaire.is_cached(orientation):
        return orientation.beneficiaire.territoire_id
    return Beneficiaire.objects.filter(pk=orientation.beneficiaire_id).values_list("territoire_id", flat=True).first()


@receiver(pre_save, sender=Orientation, dispatch_uid="territoire_orientation_saving")
def orientation_territory(sender, instance, raw=False, **kwargs):
    if raw:
        return
    if instance._state.adding or instance.territoire_id is None:
        instance.territoire_id = _person_territory(instance)


@receiver(post_save, sender=Beneficiaire, dispatch_uid="territoire_beneficiaire_saved")
def person_territory(sender, instance, created, raw=False, **kwargs):
    if raw or created:
        return
    Orientation.objects.filter(beneficiaire_id=instance.pk).exclude(territoire_id=instance.territoire_id).update(
        territoire_id=instance.territoire_id
    )


@receiver(pre_save, sender=Orientation, dispatch_uid="gardes_orientation_saving")
def orientation_saving(sender, instance, raw=False, **kwargs):
    # Before the save: the structure it had (if it changes) and the one it gets.
    if instance.pk is not None and not instance._state.adding:
        gardes.invalider_un(Orientation.objects.filter(pk=instance.pk).values("structure_id"), instance.structure_id)
    else:
        gardes.invalider_un([instance.structure_id])


@receiver(post_delete, sender=Orientation, dispatch_uid="gardes_orientation_deleted")
def orientation_deleted(sender, instance, **kwargs):
    gardes.invalider_un([instance.structure_id])


@receiver(post_save, sender=Cer, dispatch_uid="gardes_cer_saved")
@receiver(post_save, sender=Entretien, dispatch_uid="gardes_entretien_saved")
@receiver(post_save, sender=Sortie, dispatch_uid="gardes_sortie_saved")
@receiver(post_save, sender=ActiviteHebdomadaire, dispatch_uid="gardes_activite_saved")
@receiver(post_save, sender=DemandeReorientation, dispatch_uid="gardes_reorientation_saved")
@receiver(post_delete, sender=Cer, dispatch_uid="gardes_cer_deleted")
@receiver(post_delete, sender=Entretien, dispatch_uid="gardes_entretien_deleted")
@receiver(post_delete, sender=Sortie, dispatch_uid="gardes_sortie_deleted")
@receiver(post_delete, sender=ActiviteHebdomadaire, dispatch_uid="gardes_activite_deleted")
@receiver(post_delete, sender=DemandeReorientation, dispatch_uid="gardes_reorientation_deleted")
def followup_written(sender, instance, raw=False, **kwargs):
    _forget_orientation(instance.orientation_id)


@receiver(post_save, sender=Beneficiaire, dispatch_uid="gardes_beneficiaire_saved")
def beneficiaire_saved(sender, instance, created, raw=False, **kwargs):
    # Territory and archive are dimensions of the kept figures; a new person has no orientation.
    if not created:
        gardes.invalider_un(Orientation.objects.filter(beneficiaire_id=instance.pk).values("structure_id"))
