"""What the domains' deadlines share (aap/echeances.py uses it; label/echeances.py can too).

- `ObjectEcheance`: deadlines about the objects of one model. Who sees them is the model's own
  scoping (`visible_to`) restricted to an audience (a test on the user's scope); the link opens
  the object's page; met once the object has left its open states.
- `responsables`, `agents`: the usual recipients (a structure's responsables, the active agents of
  a role).

    @register
    class InstructionSixMois(ObjectEcheance):
        model = DemandeLabel
        audience = staticmethod(lambda scope: scope.sees_departement or scope.is_slai)
        open_states = IN_INSTRUCTION
        url_name = "label:demande_detail"
        ...
"""

import re
from functools import lru_cache
from operator import attrgetter

from django.urls import get_script_prefix, reverse

from portal.echeances.registry import Echeance


def responsables(structure_id) -> list:
    """The active responsables of a structure."""
    from portal.accounts.enums import Role
    from portal.accounts.models import User

    return list(User.objects.filter(role=Role.RESPONSABLE, structure_id=structure_id, is_active=True))


def agents(role, **filters) -> list:
    """The active accounts of a role (e.g. `agents(Role.SLAI, territoire_id=…)`)."""
    from portal.accounts.models import User

    return list(User.objects.filter(role=role, is_active=True, **filters))


_SENTINEL = 918273645546372819  # an id no table reaches: marks where the pk goes in a link


@lru_cache(maxsize=64)
def _pk_url_parts(name: str, prefix: str) -> tuple[str, str]:
    url = reverse(name, args=[_SENTINEL])
    before, after = url.split(str(_SENTINEL))
    return before, after


def reverse_pk(name: str, pk) -> str:
    """`reverse(name, args=[pk])` for a page taking one integer pk: reversed once (per script
    prefix), then formatted per object (a page of 50 deadlines reversed 50 links)."""
    if not isinstance(pk, int):
        return reverse(name, args=[pk])
    before, after = _pk_url_parts(name, get_script_prefix())
    return f"{before}{pk}{after}"


@lru_cache(maxsize=64)
def _static_url(name: str, prefix: str) -> str:
    return reverse(name)


def reverse_static(name: str) -> str:
    """`reverse(name)` for a page without arguments, reversed once (per script prefix): a page
    of deadlines links many rows to it."""
    return _static_url(name, get_script_prefix())


class ObjectEcheance(Echeance):
    model = None  # the model whose objects fall due (its manager has visible_to)
    audience = None  # a test on the user's scope (None: everyone the model's scoping lets see)
    state_attr = "etat"
    open_states: tuple = ()  # the deadline is met once the object left these states
    url_name = ""  # the object's page…
    url_arg = "pk"  # …and the attribute (dotted path allowed) it takes

    def in_audience(self, user) -> bool:
        return self.audience is None or bool(self.audience(user.scope))

    def scoped(self, queryset, user):
        """`queryset` restricted to the user's scope, by the model's own rule."""
        return queryset & self.model.objects.visible_to(user)

    def visible(self, user, today, until=None):
        if not self.in_audience(user):
            return self.model.objects.none()
        return self.scoped(self.candidates(today), user)

    def presence(self, user, today, until=None):
        # Outside the audience nothing is visible; within it, no test unless the deadline has one.
        return None if self.in_audience(user) else self.model.objects.none()

    def is_met(self, obj):
        return getattr(obj, self.state_attr) not in self.open_states

    def url(self, obj):
        return reverse_pk(self.url_name, attrgetter(self.url_arg)(obj)) if self.url_name else ""


def _person_url_pattern():
    """The links of a person's record (`/accompagnement/beneficiaires/<int:pk>/`, query string
    allowed), as a regular expression: the only route of that view, matched without resolving."""
    before, after = _pk_url_parts("accompagnement:beneficiaire_detail", get_script_prefix())
    return re.compile(rf"{re.escape(before)}([0-9]+){re.escape(after)}(?:\?.*)?", re.DOTALL)


def person_in_url(url: str, pattern=None):
    """The beneficiary whose record a link opens, or None."""
    if not url:
        return None
    match = (pattern or _person_url_pattern()).fullmatch(url)
    return int(match[1]) if match else None


def people_linked(items) -> list:
    """The beneficiaries named by a page of deadlines: those whose link opens a person's record
    (the confidential deadlines of the caseload). Read from the links the page shows anyway, so
    no query is added; the page records them in the audit trail (portal.audit.list_record)."""
    pattern = _person_url_pattern()
    people = (person_in_url(item.url, pattern) for item in items if item.echeance.confidential)
    return [pk for pk in people if pk is not None]
