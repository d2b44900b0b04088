from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models

from portal.audit.enums import Action


class AppendOnlyError(Exception):
    pass


class AuditEntryQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Only DPID administrators read the audit trail."""
        return self if user.scope.is_admin else self.none()

    def update(self, **kwargs):
        raise AppendOnlyError("Le journal d'accès ne peut pas être modifié.")

    def delete(self):
        raise AppendOnlyError("Le journal d'accès ne peut pas être supprimé.")


class AuditEntry(models.Model):
    """Who read or changed which sensitive object, when and from where. Append-only."""

    at = models.DateTimeField("date et heure", auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="utilisateur", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Copied so that the entry stays readable if the account is later renamed or removed.
    user_email = models.CharField("e-mail de l'utilisateur", max_length=254)
    role = models.CharField("rôle", max_length=20, blank=True)
    action = models.CharField("action", max_length=20, choices=Action.choices)
    content_type = models.ForeignKey(ContentType, verbose_name="type d'objet", on_delete=models.PROTECT)
    object_id = models.CharField("identifiant de l'objet", max_length=64)
    object_repr = models.CharField("objet", max_length=250)
    detail = models.CharField("détail", max_length=500, blank=True)
    ip = models.GenericIPAddressField("adresse IP", null=True, blank=True)
    user_agent = models.CharField("navigateur", max_length=300, blank=True)
    path = models.CharField("page", max_length=500, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "entrée du journal d'accès"
        verbose_name_plural = "journal d'accès"
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "-at"]),
            models.Index(fields=["user", "-at"]),
        ]

    def __str__(self):
        return f"{self.user_email} – {self.get_action_display()} – {self.object_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Le journal d'accès ne peut pas être modifié.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Le journal d'accès ne peut pas être supprimé.")
