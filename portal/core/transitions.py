"""One shape for every workflow's transition log: who moved an object, when, from which state to
which, through which action and why; and the helpers that move it, row locked.

A domain declares its table (`{name: (allowed from-states, to-state)}`), a concrete log model
inheriting `TransitionLog` with a foreign key to the object, and calls `apply_transition` inside
its service's transaction. `label` uses it (`label.models.TransitionDemande`, `EtapeProcedure`), and so do
`aap.TransitionCandidature` and `financement.TransitionActe` / `TransitionBilan` (their own foreign
key, and for the candidature the states' choices on `de` / `vers`).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

WRONG_STATE = "Action déjà effectuée, ou impossible dans l'état actuel."


class TransitionError(Exception):
    """A step the object's current state does not allow (message in French, shown as is)."""


class TransitionLog(models.Model):
    """Abstract: one step of an object's workflow. Concrete logs add the foreign key to their
    object (and may redeclare `de` / `vers` with their states' choices)."""

    transition = models.CharField("action", max_length=40)
    # "" is the state of an object not yet recorded (a procedure being opened).
    de = models.CharField("état de départ", max_length=20, blank=True)
    vers = models.CharField("nouvel état", max_length=20)
    motif = models.TextField("motif", blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField("date", default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.transition} : {self.de or '–'} → {self.vers}"


def lock_and_check(obj, allowed, *, state_field="etat", error=TransitionError, message=WRONG_STATE) -> str:
    """Lock the object's row (select_for_update, inside the caller's transaction) and return its
    state as stored, or raise `error(message)` when the step is not allowed from it. An object not
    saved yet is in state ""."""
    current = (
        type(obj)._default_manager.select_for_update().values_list(state_field, flat=True).get(pk=obj.pk)
        if obj.pk
        else ""
    )
    if current not in allowed:
        raise error(message)
    return current


def record_transition(log_model, *, owner_field, obj, name, de, vers, user, motif="", at=None):
    """Write one step to the object's log (dated now, or `at` when the caller fixes the time)."""
    extra = {"at": at} if at is not None else {}
    return log_model.objects.create(
        **{owner_field: obj}, transition=name, de=de, vers=vers, motif=motif, user=user, **extra
    )


def apply_transition(
    obj,
    name,
    table,
    *,
    log_model,
    owner_field,
    user,
    motif="",
    to=None,
    allowed=None,
    state_field="etat",
    error=TransitionError,
    message=WRONG_STATE,
    at=None,
):
    """Check the table (or `allowed`, when the caller widens it), lock the row, move the state
    on the instance (the caller saves it) and log who, when, from, to and why. Returns the state
    the object came from."""
    sources, target = table[name]
    current = lock_and_check(
        obj, sources if allowed is None else allowed, state_field=state_field, error=error, message=message
    )
    target = to or target
    record_transition(
        log_model, owner_field=owner_field, obj=obj, name=name, de=current, vers=target, user=user, motif=motif, at=at
    )
    setattr(obj, state_field, target)
    return current
