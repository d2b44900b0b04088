"""Reminders of the calls for projects, declared to the shared deadline engine: drafts before a
window closes, opinions due, applications waiting too long in one state."""

import datetime
import functools

from django.db.models import OuterRef, Subquery

from aap.enums import EtatCandidature
from aap.models import Candidature, DemandeAvis, FenetreDepot
from portal.accounts.enums import Role
from portal.echeances.base import ObjectEcheance, agents, responsables, reverse_pk
from portal.echeances.registry import register

# Product choice (no seed states it): an application waits at most 30 days in a state of the
# instruction before the DPID is reminded.
WAITING_DAYS = 30
WAITING_STATES = (
    EtatCandidature.DEPOSEE,
    EtatCandidature.RECEVABLE,
    EtatCandidature.EN_INSTRUCTION,
    EtatCandidature.AVIS_RENDU,
)


@functools.lru_cache(maxsize=4)
def _open_calls(today):
    """The calls with a window open on `today`, as a subquery built once per process and day
    (each filter resolves a copy of it; it is never evaluated)."""
    return FenetreDepot.objects.filter(ouverture__lte=today, cloture__gte=today).values("appel_id")


@functools.cache
def _etat_choices() -> dict:
    return dict(Candidature._meta.get_field("etat").flatchoices)


def _etat_display(etat) -> str:
    """`Candidature.get_etat_display()` for a state read as a column (translated when called)."""
    return str(_etat_choices().get(etat, etat))


def _closing_window(candidature, today):
    windows = [f for f in candidature.dispositif.appel.fenetres.all() if f.ouverture <= today <= f.cloture]
    return min(windows, key=lambda f: f.cloture) if windows else None


@register
class BrouillonAvantCloture(ObjectEcheance):
    code = "aap_brouillon_cloture"
    label = "Candidature en brouillon : la période de dépôt se termine"
    offsets = (-7, -1)
    model = Candidature
    audience = staticmethod(lambda scope: scope.is_structure_member)
    open_states = (EtatCandidature.BROUILLON,)
    url_name = "aap:candidature_detail"

    def presence(self, user, today, until=None):
        if not self.in_audience(user):
            return Candidature.objects.none()
        return Candidature.objects.visible_to(user).filter(
            etat=EtatCandidature.BROUILLON, dispositif__appel_id__in=_open_calls(today)
        )

    def candidates(self, today):
        open_windows = FenetreDepot.objects.filter(ouverture__lte=today, cloture__gte=today)
        # The closing day of the call's window open today, read in the same query (no prefetch of
        # every window of the call).
        closing = open_windows.filter(appel_id=OuterRef("dispositif__appel_id")).order_by("cloture").values("cloture")
        return (
            Candidature.objects.filter(
                etat=EtatCandidature.BROUILLON, dispositif__appel_id__in=open_windows.values("appel_id")
            )
            .select_related("dispositif__appel", "structure", "territoire")
            .annotate(cloture_ouverte=Subquery(closing[:1]))
        )

    def due_date(self, obj):
        if getattr(obj, "cloture_ouverte", None) is not None:
            return obj.cloture_ouverte
        from django.utils import timezone

        window = _closing_window(obj, timezone.localdate())
        return window.cloture if window else obj.dispositif.appel.fenetres.all()[0].cloture

    def recipients(self, obj):
        return responsables(obj.structure_id)

    def describe(self, obj):
        return f"Déposer la candidature {obj.dispositif.code} – {obj.territoire.nom} (23 h 59, heure de Paris)"


@register
class AvisAttendu(ObjectEcheance):
    code = "aap_avis_attendu"
    label = "Avis demandé sur une candidature"
    offsets = (-2, 0, 3)
    model = DemandeAvis
    # Opinions are asked of the Département's and the SLAI's agents only (aap.services.avis_request):
    # other roles are not asked (no query on their home page).
    audience = staticmethod(lambda scope: scope.sees_departement or scope.is_slai)
    url_name = "aap:candidature_detail"
    url_arg = "candidature_id"
    due_order = "echeance"  # visible() keeps the requests not answered yet

    def candidates(self, today):
        return DemandeAvis.objects.filter(rendu_at__isnull=True).select_related(
            "candidature__dispositif", "candidature__structure", "destinataire"
        )

    def scoped(self, queryset, user):
        # Only the agent asked sees the request.
        return queryset.filter(destinataire=user)

    def visible(self, user, today, until=None):
        requests = super().visible(user, today, until)
        return requests.filter(echeance__lte=until) if until else requests

    def presence(self, user, today, until=None):
        if not self.in_audience(user):
            return DemandeAvis.objects.none()
        requests = DemandeAvis.objects.filter(rendu_at__isnull=True, destinataire=user)
        return requests.filter(echeance__lte=until) if until else requests

    def due_date(self, obj):
        return obj.echeance

    def is_met(self, obj):
        return obj.rendu_at is not None

    def recipients(self, obj):
        return [obj.destinataire]

    def describe(self, obj):
        candidature = obj.candidature
        return f"Rendre l'avis demandé sur la candidature {candidature.dispositif.code} de {candidature.structure.nom}"


@register
class CandidatureEnAttente(ObjectEcheance):
    code = "aap_candidature_en_attente"
    label = f"Candidature en attente depuis plus de {WAITING_DAYS} jours dans le même état"
    offsets = (0, 7)
    model = Candidature
    audience = staticmethod(lambda scope: scope.is_dpid or scope.is_slai)
    open_states = WAITING_STATES
    url_name = "aap:candidature_detail"
    PAGE_FIELDS = (
        "etat",
        "etat_depuis",
        "territoire_id",
        "dispositif__code",
        "structure__nom",
        "territoire__nom",
    )

    def candidates(self, today):
        return Candidature.objects.filter(etat__in=WAITING_STATES).select_related(
            "dispositif", "structure", "territoire"
        )

    def visible(self, user, today, until=None):
        candidatures = super().visible(user, today, until)
        if user.scope.is_slai:
            candidatures = candidatures.filter(etat=EtatCandidature.EN_INSTRUCTION)
        if until is not None:
            # In the database: the home page must not load every waiting application.
            from zoneinfo import ZoneInfo

            limit = datetime.datetime.combine(
                until - datetime.timedelta(days=WAITING_DAYS - 1), datetime.time.min, tzinfo=ZoneInfo("Europe/Paris")
            )
            candidatures = candidatures.filter(etat_depuis__lt=limit)
        # Only what a page shows of them (describe, due date, link): the call's texts the
        # dispositif carries made the DPID's 72 applications the slowest read of its pages.
        return candidatures.only(*self.PAGE_FIELDS)

    def due_date(self, obj):
        return self._due(obj.etat_depuis)

    @staticmethod
    def _due(etat_depuis):
        from django.utils import timezone

        return timezone.localdate(etat_depuis) + datetime.timedelta(days=WAITING_DAYS)

    def recipients(self, obj):
        if obj.etat == EtatCandidature.EN_INSTRUCTION:
            # The SLAI's opinion is awaited.
            return agents(Role.SLAI, territoire_id=obj.territoire_id)
        return agents(Role.DPID)

    row_fields = ("etat", "etat_depuis", "dispositif__code", "structure__nom", "territoire__nom")

    def row_cells(self, row):
        etat = row["etat"]
        if etat not in self.open_states:
            return None
        label = self._text(row["dispositif__code"], row["structure__nom"], row["territoire__nom"], _etat_display(etat))
        return self._due(row["etat_depuis"]), label, reverse_pk(self.url_name, row["pk"]), self.label

    def describe(self, obj):
        return self._text(obj.dispositif.code, obj.structure.nom, obj.territoire.nom, obj.get_etat_display())

    @staticmethod
    def _text(code, structure, territoire, etat):
        return f"Candidature {code} de {structure} ({territoire}) {etat.lower()} depuis plus de {WAITING_DAYS} jours"
