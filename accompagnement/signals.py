"""Keep the first dates stored on the orientation (`premier_cer_le`, `premier_present_le`,
`premier_rdv_le`, and `renouvellement_attendu_depuis`) right whatever changes a CER, an interview
or a renewal request through the ORM: signature, edition, closure, renewal, deletion (one by one or
by cascade), an interview recorded or corrected, a renewal requested. Bulk loads
(`bulk_create`, `update`) bypass signals: they call `Orientation.objects.refresh_premiers()`."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accompagnement.enums import Presence
from accompagnement.models import Cer, DemandeRenouvellement, Entretien, Orientation


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
