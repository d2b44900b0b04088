"""Deadline registry. Each room or domain declares its deadlines in its own `echeances.py`:

@register
class CerApresOrientation(Echeance):
    code = "cer_2_mois"
    label = "CER à signer dans les 2 mois suivant l'orientation"
    offsets = (-15, -3, 0, 7)          # days relative to the due date
    def candidates(self, today): ...   # objects that may be due (not yet met)
    def visible(self, user, today, until=None): ...  # in the user's scope, due by `until`
    def due_date(self, obj): ...
    def is_met(self, obj): ...         # re-checked when the reminder is sent
    def recipients(self, obj): ...
    def describe(self, obj): ...       # the French text of the reminder
    def rule(self, obj): ...           # optional: the rule for this object (default: label)
    def url(self, obj): ...
    def presence(self, user, today, until=None): ...  # optional: a necessary condition (one query for all)
"""

from dataclasses import dataclass
from datetime import date
from functools import cached_property
from types import SimpleNamespace


class Echeance:
    code: str = ""
    label: str = ""
    offsets: tuple[int, ...] = (-15, -3, 0, 7)
    # Deadlines about a beneficiary: the notification in the portal names the person, the e-mail
    # does not (an e-mail leaves the portal; the link leads back to the record, behind the login).
    confidential: bool = False
    # Deadlines counted in thousands in one scope (a structure's caseload): the deadlines page
    # sorts them from their own columns (`visible()` without its select_related: due_date and
    # is_met must not read a related object) and loads in full only the page shown. With
    # `due_fields`, visible() and `batch_parts` must be built as presence() is, from nothing but
    # the user's pk and scope, `today` and `until`: the page keeps their querysets and compiled
    # SQL per process for that key (`services._LIGHT_SQL`).
    many: bool = False
    # A column of visible()'s model that orders its objects like their due date (the due date
    # itself, or the date it is computed from by a fixed delay), when visible() already leaves
    # out the met items: the home panel then reads only the first few objects and counts the
    # others in the same query (`overdue_q` says which are overdue).
    due_order: str = ""
    # Deadlines with the same `batch` key (and a `due_order` among their `due_fields`) read their
    # open objects from one table, for the same people, each by its own condition (`batch_parts`):
    # the home panel reads the due dates' columns of them all in one query (counts and the first
    # few per deadline in Python), then the few it shows in one more, instead of one query each.
    batch: str = ""
    # With `many` and `due_order` (visible() leaves out the met items): the columns due_date()
    # reads. The deadlines page then reads only these (and the pk) to sort every open deadline,
    # and loads in full only the objects of the page shown.
    due_fields: tuple[str, ...] = ()
    # Deadlines with the same `presence_key` share one presence test (`presence()`): the
    # deadlines of one table read in one pass (the five CERP steps) are skipped or kept together.
    presence_key: str = ""
    # Deadlines the deadlines page writes from the columns of their rows, without a model instance
    # nor the query's select_related: the paths (relations and visible()'s annotations allowed)
    # `row_cells` reads. A DPID's page read some two hundred objects of seven kinds, four related
    # objects each, to show fifty rows; their values cost a tenth of that. visible() must then be a
    # queryset built as presence() is, from nothing but the user's pk and scope, `today` and
    # `until` (never from values read in the database): the page keeps its compiled SQL per
    # process for that key (`services._written_rows`, in `services._LIGHT_SQL`).
    row_fields: tuple[str, ...] = ()
    # With `many`: the paths (relations allowed) of visible()'s model that `page_object` reads. The
    # deadlines page then reads only these columns of the page's objects (one values_list query),
    # not the model instances with their select_related (fifty orientations, their people and
    # kinds: three instances a row, ~3 ms of a structure's page). The deadlines of one batch
    # share them (the same tuple), else their objects are loaded in full.
    page_fields: tuple[str, ...] = ()

    def page_object(self, pk, values: tuple):
        """With `page_fields`: a stand-in of the object of visible() with this pk, from the values
        of its `page_fields` (in order), on which describe(), url() and rule() say exactly what
        they say of the object (tests/echeances/test_presence.py compares them)."""
        raise NotImplementedError

    def row_cells(self, row: dict):
        """With `row_fields`: (due date, label, link, rule) of one object of visible() from its
        row (`row_fields` and "pk"), exactly what due_date/describe/url/rule say of the object
        (test_each_row_written_from_its_columns_says_what_its_object_says, in
        tests/echeances/test_presence.py); None when the object is met (is_met)."""
        raise NotImplementedError

    def presence(self, user, today: date, until: date | None = None):
        """A necessary condition for `visible(user, today, until)` to hold any object, as a
        queryset: when it is empty, so is visible() (never the reverse promise). Pages test the
        presence of every deadline in one query and skip those with none, instead of building,
        compiling and running each deadline's own query (most are empty for a given person).
        An empty queryset (`none()`): this person cannot have any. None (the default): no test,
        visible() is always read. Cheap to build: a filter on the deadline's main table with the
        user's scope, without select_related nor annotations. It must depend on nothing but the
        user (their pk and scope: role, structure, territory, referent record), `today` and
        `until`, never on values read from the database when it is built: its compiled SQL is
        kept per process for that key (`services._presence_sql`) and only run on later pages."""
        return None

    def overdue_q(self, today: date):
        """The objects of visible() whose due date has passed, as a condition (with `due_order`)."""
        from django.db.models import Q

        return Q(**{f"{self.due_order}__lt": today})

    def batch_parts(self, user, today: date, until: date | None = None):
        """With `batch`: (base queryset, condition) such that `base.filter(condition)` is
        `visible(user, today, until)`, the base being the same for every deadline of the batch;
        None when the user sees none of these deadlines."""
        return None

    def candidates(self, today: date):
        raise NotImplementedError

    def visible(self, user, today: date, until: date | None = None):
        """Open items in the user's scope; with `until`, only those due on or before it (filter
        in the database: home pages must not load every open deadline of the département)."""
        raise NotImplementedError

    def due_date(self, obj) -> date:
        raise NotImplementedError

    def is_met(self, obj) -> bool:
        raise NotImplementedError

    def recipients(self, obj):
        raise NotImplementedError

    def describe(self, obj) -> str:
        return str(obj)

    def rule(self, obj) -> str:
        """The rule behind this object's deadline, in French; `label` unless the rule depends on
        the object (e.g. the delay of the person's kind of accompaniment)."""
        return self.label

    def describe_public(self, obj) -> str:
        """What a confidential deadline's e-mail says of the object (no personal data)."""
        return self.describe(obj)

    def url(self, obj) -> str:
        return ""

    def refresh(self, obj):
        """The object as it is now in the database (None if it was deleted)."""
        return type(obj)._default_manager.filter(pk=obj.pk).first()


_registry: dict[str, Echeance] = {}


def register(cls):
    instance = cls()
    _registry[instance.code] = instance
    return cls


def all_echeances() -> list[Echeance]:
    return list(_registry.values())


def get(code: str) -> Echeance:
    return _registry[code]


@dataclass(frozen=True)
class Item:
    """One deadline as a person sees it on a page (its label, link and rule computed once: a page
    reads them more than once)."""

    echeance: Echeance
    obj: object
    due_date: date
    today: date

    @classmethod
    def written(cls, echeance: Echeance, pk, due_date: date, today: date, label: str, url: str, rule: str):
        """An item whose cells were written from its row (`Echeance.row_cells`): its object is
        only its pk (the page reads nothing else of it)."""
        item = cls(echeance=echeance, obj=SimpleNamespace(pk=pk), due_date=due_date, today=today)
        item.__dict__.update(label=label, url=url, rule=rule)  # the cached properties, set
        return item

    @property
    def days_left(self) -> int:
        return (self.due_date - self.today).days

    @property
    def is_overdue(self) -> bool:
        return self.due_date < self.today

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days_left)

    @cached_property
    def label(self) -> str:
        return self.echeance.describe(self.obj)

    @cached_property
    def url(self) -> str:
        return self.echeance.url(self.obj)

    @cached_property
    def rule(self) -> str:
        return self.echeance.rule(self.obj)
