from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

from portal.core.formats import de
from portal.referentiels.models import scope_by_structure


class EcheanceManuelleQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Structure members: their structure's deadlines; SLAI: those of structures working on
        its territory; DPID, managers and admins: all."""
        return scope_by_structure(self, user)

    def ouvertes(self):
        return self.filter(done_at__isnull=True)


class EcheanceManuelle(models.Model):
    """A deadline set by the Département for a structure (a bilan to file, a report to send)
    while the domain that will compute it is not in the portal yet — and for one-off requests."""

    titre = models.CharField("intitulé", max_length=200)
    description = models.TextField("précisions", blank=True)
    structure = models.ForeignKey(
        "referentiels.Structure", verbose_name="structure concernée", on_delete=models.CASCADE, related_name="+"
    )
    date_echeance = models.DateField("date d'échéance")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="créée par", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    done_at = models.DateTimeField("réalisée le", null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="réalisée par", on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = EcheanceManuelleQuerySet.as_manager()

    class Meta:
        verbose_name = "échéance"
        verbose_name_plural = "échéances"
        ordering = ["date_echeance", "pk"]
        indexes = [
            models.Index(
                fields=["structure", "date_echeance"], condition=Q(done_at__isnull=True), name="echeance_ouverte_idx"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(done_at__isnull=True) | Q(done_by__isnull=False),
                name="echeance_done_has_author",
                violation_error_message="Une échéance réalisée indique qui l'a réalisée.",
            )
        ]

    def __str__(self):
        return self.titre


class Rappel(models.Model):
    """A reminder sent for one deadline, object, recipient and offset. The unique constraint is
    the guarantee of "exactly once", whatever the number of runs or workers."""

    code = models.CharField("échéance", max_length=60)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    offset_days = models.IntegerField("décalage (jours)")
    due_date = models.DateField("date d'échéance")
    sent_at = models.DateTimeField("envoyé le", auto_now_add=True)

    class Meta:
        verbose_name = "rappel envoyé"
        verbose_name_plural = "rappels envoyés"
        constraints = [
            # The due date is part of the key: a deadline moved, or restarted for the same object,
            # reminds again.
            models.UniqueConstraint(
                fields=["code", "content_type", "object_id", "recipient", "offset_days", "due_date"],
                name="rappel_exactly_once",
            )
        ]

    def __str__(self):
        return f"{self.code} #{self.object_id} → {self.recipient_id} ({self.offset_days:+d} j)"


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Everyone reads their own notifications, and only those."""
        return self.filter(recipient=user) if user.scope.is_authenticated else self.none()

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="destinataire", on_delete=models.CASCADE, related_name="notifications"
    )
    title = models.CharField("titre", max_length=200)
    body = models.TextField("message")
    url = models.CharField("lien", max_length=300, blank=True)
    reason = models.CharField("pourquoi vous recevez ce message", max_length=300, blank=True)
    rappel = models.OneToOneField(
        Rappel, on_delete=models.SET_NULL, null=True, blank=True, related_name="notification"
    )
    created_at = models.DateTimeField("reçue le", auto_now_add=True)
    read_at = models.DateTimeField("lue le", null=True, blank=True)
    # Set when the notification left by e-mail (single message or daily digest).
    emailed_at = models.DateTimeField("envoyée par e-mail le", null=True, blank=True)
    wants_email = models.BooleanField("à envoyer par e-mail", default=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = "notification"
        verbose_name_plural = "notifications"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"]),
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread_idx"),
        ]

    def __str__(self):
        return self.title


class PreferenceNotification(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preference_notification"
    )
    resume_quotidien = models.BooleanField(
        "recevoir un résumé quotidien",
        default=False,
        help_text="Un seul e-mail par jour regroupant vos notifications, au lieu d'un e-mail par rappel.",
    )

    class Meta:
        verbose_name = "préférence de notification"
        verbose_name_plural = "préférences de notification"

    def __str__(self):
        return f"Préférences {de(self.user)}"
