"""The self-employed accompaniment's deadlines (CERP, seed 003 l. 870–925), declared to the
shared deadline engine: the referent (or the structure's responsables while nobody is designated)
is reminded by e-mail and sees them on their home page.

Each deadline is one step of `accompagnement.cerp.cerp_step_items` (the rules live there, every
number is the seed's): the diagnostic's 3 interviews within its 3 months, the development or
cessation CERP to sign when the diagnostic ends, the interview of the month, the end of the
current CERP (next CERP or exit), the end of the 21 months (exit). Signing CERP n°1 is the
kind's "CER à signer" deadline (accompagnement.echeances.CerApresOrientation). A step that is
no longer owed is met; a step that moves (a new interview, a new CERP) is a new due date, with its
own reminders. The offsets are product choices (the seed gives none).
"""

import functools

from django.db.models import Exists, OuterRef, Prefetch

from accompagnement.cerp import INDEPENDANTS, cerp_step_items
from accompagnement.echeances import _CaseloadEcheance, _orientations, _visible_orientations
from accompagnement.models import Cer, Entretien, Orientation
from portal.echeances.registry import register


@functools.cache
def _has_cerp():
    # Built once per process (it depends on no user nor day): each filter resolves a copy of it.
    return Exists(Cer.objects.filter(orientation=OuterRef("pk")).exclude(phase_cerp=""))


def _with_cerp(queryset):
    """Self-employed orientations with a CERP recorded."""
    return queryset.filter(type_accompagnement__code=INDEPENDANTS).filter(_has_cerp())


def _cerp_orientations(queryset):
    """Self-employed orientations with a CERP recorded, with what the steps read."""
    return _with_cerp(queryset).prefetch_related(
        Prefetch(
            "cers", queryset=Cer.objects.only("orientation_id", "phase_cerp", "signe_le", "date_debut", "date_fin")
        ),
        Prefetch("entretiens", queryset=Entretien.objects.only("orientation_id", "date", "presence")),
    )


class _CerpStep(_CaseloadEcheance):
    key = ""
    first = last = False  # the first and last of the five, in registration order (see visible)
    presence_key = "accompagnement_cerp"  # the five read the same orientations

    def presence(self, user, today, until=None):
        # A necessary condition on the caseload's own columns (as Orientation.visible_to for a
        # referent or a responsable), without the person's join nor the combined scope: the five
        # are empty for most caseloads, and this test was the costliest of the presence query.
        scope = user.scope
        if scope.is_referent and scope.referent_id:
            mine = Orientation.objects.filter(referent_id=scope.referent_id)
        elif scope.is_responsable:
            mine = Orientation.objects.filter(structure_id=scope.structure_id)
        else:
            return Orientation.objects.none()
        return _with_cerp(mine.filter(date_fin__isnull=True))

    def _step(self, obj):
        # Read once per object and run (the engine asks is_met, then due_date).
        steps = getattr(obj, "_cerp_steps", None)
        if steps is None:
            steps = obj._cerp_steps = {step.key: step for step in cerp_step_items(obj)}
        return steps.get(self.key)

    def _candidates(self, today):
        return _cerp_orientations(_orientations())

    def visible(self, user, today, until=None):
        # The five CERP deadlines read the same orientations: the first one the engine asks
        # (they are registered one after the other) reads them in one query, the others reuse
        # that list within the same pass, and the last one lets it go. Home pages keep a fixed
        # number of queries.
        key = (today, until)
        shared = user.__dict__.get("_cerp_visible")
        if self.first or shared is None or shared[0] != key:
            # Pages read the person (label, link) and the CERs and interviews (steps) alone.
            found = _visible_orientations(user).select_related(None).select_related("beneficiaire")
            shared = (key, list(_cerp_orientations(found)))
            user.__dict__["_cerp_visible"] = shared
        if self.last:
            user.__dict__.pop("_cerp_visible", None)
        return shared[1]

    def refresh(self, obj):
        return _cerp_orientations(_orientations()).filter(pk=obj.pk).first()

    def is_met(self, obj):
        return obj.date_fin is not None or self._step(obj) is None

    def due_date(self, obj):
        return self._step(obj).due

    def describe(self, obj):
        return f"{self._step(obj).label} – {self._person(obj)}"

    def describe_public(self, obj):
        return f"{self._step(obj).label} – une personne que vous accompagnez"


@register
class CerpEntretiensDiagnostic(_CerpStep):
    code = "accompagnement_cerp_entretiens_diagnostic"
    label = "Travailleurs indépendants : 3 entretiens pendant le diagnostic de 3 mois (CERP n°1)"
    key = "entretiens_diagnostic"
    first = True
    offsets = (-15, -3, 0)


@register
class CerpSuivant(_CerpStep):
    code = "accompagnement_cerp_suivant"
    label = "Travailleurs indépendants : CERP de développement ou de cessation à la fin du diagnostic"
    key = "cerp_suivant"
    offsets = (-15, -3, 0, 7)


@register
class CerpEntretienMensuel(_CerpStep):
    code = "accompagnement_cerp_entretien_mensuel"
    label = "Travailleurs indépendants : un entretien par mois pendant le développement ou la cessation"
    key = "entretien_mensuel"
    offsets = (-3, 0, 7)


@register
class CerpFin(_CerpStep):
    code = "accompagnement_cerp_fin"
    label = "Travailleurs indépendants : fin du CERP, CERP suivant ou sortie"
    key = "fin_cerp"
    offsets = (-15, -3, 0)


@register
class CerpFinAccompagnement(_CerpStep):
    code = "accompagnement_cerp_21_mois"
    label = "Travailleurs indépendants : fin de l'accompagnement à 21 mois au plus, sortie"
    key = "fin_accompagnement"
    last = True
    offsets = (-30, -7, 0)
