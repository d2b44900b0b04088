from datetime import timedelta

from portal.accounts.enums import Role
from portal.accounts.models import User
from portal.echeances.base import reverse_pk
from portal.echeances.models import EcheanceManuelle
from portal.echeances.registry import Echeance, register


def _text(titre, structure):
    return f"{titre} – {structure}"


@register
class EcheanceFixee(Echeance):
    code = "echeance_fixee"
    label = "Échéance fixée par le Département"
    offsets = (-15, -3, 0, 7)
    due_order = "date_echeance"

    def candidates(self, today):
        # Deadlines between their first and their last reminder day.
        first_reminder = today - timedelta(days=min(self.offsets))
        last_reminder = today - timedelta(days=max(self.offsets))
        return (
            EcheanceManuelle.objects.ouvertes()
            .filter(date_echeance__lte=first_reminder, date_echeance__gte=last_reminder)
            .select_related("structure", "created_by")
        )

    def visible(self, user, today, until=None):
        items = EcheanceManuelle.objects.visible_to(user).ouvertes().select_related("structure")
        return items.filter(date_echeance__lte=until) if until else items

    def due_date(self, obj):
        return obj.date_echeance

    def is_met(self, obj):
        return obj.done_at is not None

    def recipients(self, obj):
        recipients = {
            user.pk: user
            for user in User.objects.filter(structure_id=obj.structure_id, role=Role.RESPONSABLE, is_active=True)
        }
        if obj.created_by_id and obj.created_by.is_active:
            recipients.setdefault(obj.created_by_id, obj.created_by)
        return list(recipients.values())

    row_fields = ("date_echeance", "done_at", "titre", "structure__nom")

    def row_cells(self, row):
        if row["done_at"] is not None:
            return None
        label = _text(row["titre"], row["structure__nom"])
        return row["date_echeance"], label, reverse_pk("echeances:detail", row["pk"]), self.label

    def describe(self, obj):
        return _text(obj.titre, obj.structure.nom)

    def url(self, obj):
        return reverse_pk("echeances:detail", obj.pk)
