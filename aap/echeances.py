"""Reminders of the calls for projects, declared to the shared deadline engine: drafts before a
window closes, opinions due, applications waiting too long in one state."""

import datetime

from django.urls import reverse

from aap.enums import EtatCandidature
from aap.models import Candidature, DemandeAvis, FenetreDepot
from portal.accounts.enums import Role
from portal.accounts.models import User
from portal.echeances.registry import Echeance, register

# Product choice (no seed states it): an application waits at most 30 days in a state of the
# instruction before the DPID is reminded.
WAITING_DAYS = 30
WAITING_STATES = (
    EtatCandidature.DEPOSEE,
    EtatCandidature.RECEVABLE,
    EtatCandidature.EN_INSTRUCTION,
    EtatCandidature.AVIS_RENDU,
)


def _responsables(structure_id):
    return list(User.objects.filter(role=Role.RESPONSABLE, structure_id=structure_id, is_active=True))


def _closing_window(candidature, today):
    windows = [f for f in candidature.dispositif.appel.fenetres.all() if f.ouverture <= today <= f.cloture]
    return min(windows, key=lambda f: f.cloture) if windows else None


@register
class BrouillonAvantCloture(Echeance):
    code = "aap_brouillon_cloture"
    label = "Candidature en brouillon : la période de dépôt se termine"
    offsets = (-7, -1)

    def candidates(self, today):
        open_calls = FenetreDepot.objects.filter(ouverture__lte=today, cloture__gte=today).values("appel_id")
        return (
            Candidature.objects.filter(etat=EtatCandidature.BROUILLON, dispositif__appel_id__in=open_calls)
            .select_related("dispositif__appel", "structure", "territoire")
            .prefetch_related("dispositif__appel__fenetres")
        )

    def visible(self, user, today, until=None):
        if not user.scope.is_structure_member:
            return Candidature.objects.none()
        return self.candidates(today).filter(structure_id=user.scope.structure_id)

    def due_date(self, obj):
        from django.utils import timezone

        window = _closing_window(obj, timezone.localdate())
        return window.cloture if window else obj.dispositif.appel.fenetres.all()[0].cloture

    def is_met(self, obj):
        return obj.etat != EtatCandidature.BROUILLON

    def recipients(self, obj):
        return _responsables(obj.structure_id)

    def describe(self, obj):
        return f"Déposer la candidature {obj.dispositif.code} – {obj.territoire.nom} (23 h 59, heure de Paris)"

    def url(self, obj):
        return reverse("aap:candidature_detail", args=[obj.pk])


@register
class AvisAttendu(Echeance):
    code = "aap_avis_attendu"
    label = "Avis demandé sur une candidature"
    offsets = (-2, 0, 3)

    def candidates(self, today):
        return DemandeAvis.objects.filter(rendu_at__isnull=True).select_related(
            "candidature__dispositif", "candidature__structure", "destinataire"
        )

    def visible(self, user, today, until=None):
        requests = self.candidates(today).filter(destinataire=user)
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

    def url(self, obj):
        return reverse("aap:candidature_detail", args=[obj.candidature_id])


@register
class CandidatureEnAttente(Echeance):
    code = "aap_candidature_en_attente"
    label = f"Candidature en attente depuis plus de {WAITING_DAYS} jours dans le même état"
    offsets = (0, 7)

    def candidates(self, today):
        return Candidature.objects.filter(etat__in=WAITING_STATES).select_related(
            "dispositif", "structure", "territoire"
        )

    def visible(self, user, today, until=None):
        scope = user.scope
        if not (scope.is_dpid or scope.is_slai):
            return Candidature.objects.none()
        candidatures = self.candidates(today) & Candidature.objects.visible_to(user)
        if scope.is_slai:
            candidatures = candidatures.filter(etat=EtatCandidature.EN_INSTRUCTION)
        if until is not None:
            # In the database: the home page must not load every waiting application.
            from zoneinfo import ZoneInfo

            limit = datetime.datetime.combine(
                until - datetime.timedelta(days=WAITING_DAYS - 1), datetime.time.min, tzinfo=ZoneInfo("Europe/Paris")
            )
            candidatures = candidatures.filter(etat_depuis__lt=limit)
        return candidatures

    def due_date(self, obj):
        from django.utils import timezone

        return timezone.localdate(obj.etat_depuis) + datetime.timedelta(days=WAITING_DAYS)

    def is_met(self, obj):
        return obj.etat not in WAITING_STATES

    def recipients(self, obj):
        if obj.etat == EtatCandidature.EN_INSTRUCTION:
            # The SLAI's opinion is awaited.
            return list(User.objects.filter(role=Role.SLAI, territoire_id=obj.territoire_id, is_active=True))
        return list(User.objects.filter(role=Role.DPID, is_active=True))

    def describe(self, obj):
        return (
            f"Candidature {obj.dispositif.code} de {obj.structure.nom} ({obj.territoire.nom}) "
            f"{obj.get_etat_display().lower()} depuis plus de {WAITING_DAYS} jours"
        )

    def url(self, obj):
        return reverse("aap:candidature_detail", args=[obj.pk])
