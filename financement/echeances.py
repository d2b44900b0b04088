"""Deadlines of the funding domain, declared to the shared deadline engine: bilans to produce
(structures are reminded before the date, the DPID sees the late ones) and balances to pay."""

import functools

from django.db.models import Exists, OuterRef
from django.urls import reverse

from financement.enums import EtatActe, EtatBilan, NatureBilan, NatureVersement
from financement.models import Bilan, Convention, EcheanceVersement, Versement
from portal.accounts.enums import Role
from portal.accounts.models import User
from portal.core.formats import format_date
from portal.echeances.base import reverse_pk
from portal.echeances.registry import Echeance, register

OPEN = (EtatBilan.A_PRODUIRE, EtatBilan.A_CORRIGER)


@functools.cache
def _nature_choices() -> dict:
    return dict(Bilan._meta.get_field("nature").flatchoices)


def _nature_display(nature) -> str:
    """`Bilan.get_nature_display()` for a nature read as a column (translated when called)."""
    return str(_nature_choices().get(nature, nature))


def _responsables(structure_id):
    return list(User.objects.filter(role=Role.RESPONSABLE, structure_id=structure_id, is_active=True))


def _dpid_agents():
    return list(User.objects.filter(role=Role.DPID, is_active=True))


@register
class BilanAProduire(Echeance):
    """The structure's responsables are reminded 30 and 7 days before, on the day and a week
    after; the structure's members and the Département see it among their deadlines (the DPID
    as late once the date has passed)."""

    code = "financement_bilan"
    label = "Bilan de convention à produire"
    offsets = (-30, -7, 0, 7)
    due_order = "date_limite"  # visible() keeps the open bilans only

    def candidates(self, today):
        return Bilan.objects.filter(etat__in=OPEN).select_related("convention__structure", "avenant")

    def _visible(self, bilans, user, today, until):
        scope = user.scope
        if not (scope.sees_departement or scope.is_structure_member):
            return Bilan.objects.none()
        bilans = bilans.filter(convention__in=Convention.objects.visible_to(user))
        if until is not None:
            bilans = bilans.filter(date_limite__lte=until)
        if scope.sees_departement and not scope.is_structure_member:
            # The Département follows the late ones; the structures produce them.
            bilans = bilans.filter(date_limite__lt=today)
        return bilans

    def visible(self, user, today, until=None):
        return self._visible(self.candidates(today), user, today, until)

    def presence(self, user, today, until=None):
        return self._visible(Bilan.objects.filter(etat__in=OPEN), user, today, until)

    def due_date(self, obj):
        return obj.date_limite

    def is_met(self, obj):
        return obj.etat not in OPEN

    def recipients(self, obj):
        return _responsables(obj.convention.structure_id)

    def rule(self, obj):
        return obj.regle

    row_fields = (
        "etat",
        "date_limite",
        "regle",
        "nature",
        "avenant_id",
        "avenant__numero",
        "convention__numero",
        "convention__structure__nom",
    )

    def row_cells(self, row):
        if row["etat"] not in OPEN:
            return None
        label = self._text(
            row["etat"],
            _nature_display(row["nature"]),
            row["convention__numero"],
            row["avenant__numero"] if row["avenant_id"] else None,
            row["convention__structure__nom"],
        )
        return row["date_limite"], label, reverse_pk("financement:bilan_detail", row["pk"]), row["regle"]

    def describe(self, obj):
        avenant = obj.avenant.numero if obj.avenant_id else None
        return self._text(
            obj.etat, obj.get_nature_display(), obj.convention.numero, avenant, obj.convention.structure.nom
        )

    @staticmethod
    def _text(etat, nature, convention, avenant, structure):
        action = "Corriger" if etat == EtatBilan.A_CORRIGER else "Produire"
        suffix = f" (avenant n° {avenant})" if avenant is not None else ""
        return f"{action} le {nature.lower()} de la convention n° {convention}{suffix} – {structure}"

    def url(self, obj):
        return reverse("financement:bilan_detail", args=[obj.pk])


@register
class SoldeAVerser(Echeance):
    """The balance of a convention, planned on its schedule: the DPID is reminded to validate it
    (after the final bilan) and pay it."""

    code = "financement_solde"
    label = "Solde de convention à valider et verser"
    offsets = (-15, 0, 15)
    due_order = "date_prevue"  # visible() keeps the unpaid balances only

    def _soldes(self):
        final_valide = Bilan.objects.filter(
            convention=OuterRef("convention"), avenant__isnull=True, nature=NatureBilan.FINAL, etat=EtatBilan.VALIDE
        )
        return (
            EcheanceVersement.objects.filter(
                nature=NatureVersement.SOLDE,
                date_prevue__isnull=False,
                convention__etat__in=[EtatActe.SIGNEE, EtatActe.ECHUE],
            )
            .annotate(paid=Exists(Versement.objects.filter(echeance=OuterRef("pk"))), bilan_ok=Exists(final_valide))
            .filter(paid=False)
            .select_related("convention__structure", "avenant")
        )

    def candidates(self, today):
        return self._soldes()

    def presence(self, user, today, until=None):
        return None if user.scope.is_dpid else EcheanceVersement.objects.none()

    def visible(self, user, today, until=None):
        if not user.scope.is_dpid:
            return EcheanceVersement.objects.none()
        soldes = self._soldes()
        return soldes.filter(date_prevue__lte=until) if until is not None else soldes

    def due_date(self, obj):
        return obj.date_prevue

    def is_met(self, obj):
        if hasattr(obj, "paid"):  # annotated on lists: no query per row
            return obj.paid
        return Versement.objects.filter(echeance_id=obj.pk).exists()

    def recipients(self, obj):
        return _dpid_agents()

    row_fields = (
        "date_prevue",
        "paid",
        "bilan_ok",
        "libelle",
        "convention_id",
        "convention__numero",
        "convention__structure__nom",
    )

    def row_cells(self, row):
        if row["paid"]:
            return None
        label = self._text(
            row["libelle"], row["convention__numero"], row["convention__structure__nom"], row["bilan_ok"]
        )
        due = row["date_prevue"]
        return due, label, reverse_pk("financement:convention_detail", row["convention_id"]), self._rule(due)

    def describe(self, obj):
        return self._text(
            obj.libelle, obj.convention.numero, obj.convention.structure.nom, getattr(obj, "bilan_ok", True)
        )

    @staticmethod
    def _text(libelle, convention, structure, bilan_ok):
        waiting = "" if bilan_ok else " (bilan final non validé)"
        return f"{libelle} – convention n° {convention}, {structure}{waiting}"

    def rule(self, obj):
        return self._rule(obj.date_prevue)

    @staticmethod
    def _rule(date_prevue):
        return f"Solde prévu le {format_date(date_prevue)}, après validation du bilan final"

    def url(self, obj):
        return reverse("financement:convention_detail", args=[obj.convention_id])
