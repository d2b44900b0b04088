"""Home-page panels: each domain registers what waits for a user.

`portal/*` never imports a domain; domains call `register_panel` from their AppConfig.ready().
A panel provider takes the request and returns a `Panel` or None when it has nothing to say
for that role. A panel is a work queue: counted lines, each linking to the filtered list that
shows them (`PanelCount`), then the first few items (`PanelItem`); a summary for readers who
act on nothing is a table of figures (`PanelTable`). Providers count in SQL, a fixed number of
queries whatever the data (the home page is everyone's first request).
"""

from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


@dataclass
class PanelItem:
    label: str
    url: str = ""
    detail: str = ""
    overdue: bool = False


@dataclass
class PanelCount:
    """How many things of one kind wait, and the list that shows them.

    `singular` serves 0 and 1 ("0 personne", "1 personne"), `plural` the rest."""

    count: int
    singular: str
    plural: str
    url: str = ""
    urgent: bool = False  # shown as a warning while count > 0 (late, overdue)
    detail: str = ""  # e.g. how long the oldest one has waited

    @property
    def label(self) -> str:
        return self.singular if self.count <= 1 else self.plural

    @property
    def is_urgent(self) -> bool:
        return self.urgent and self.count > 0


@dataclass
class PanelTable:
    """Figures for reading: one row per group (e.g. territory), with a total row."""

    row_header: str
    columns: list[str]
    rows: list[tuple[str, list]]
    caption: str = ""
    total: list | None = None


@dataclass
class Panel:
    title: str
    items: list[PanelItem] = field(default_factory=list)
    counts: list[PanelCount] = field(default_factory=list)
    table: PanelTable | None = None
    empty_text: str = "Rien à signaler pour le moment."
    more_url: str = ""
    more_label: str = ""
    order: int = 100
    items_title: str = ""  # e.g. "Les plus anciennes" above the first few items
    # The sum of the lines is shown by the title, unless a thing may count in two lines.
    show_total: bool = True

    @property
    def total(self) -> int:
        """What waits in all (the sum of the counted lines)."""
        return sum(count.count for count in self.counts)

    @property
    def is_empty(self) -> bool:
        """Nothing waits: the counted lines all say 0 (or there are none) and no item is listed."""
        return not self.total and not self.items and self.table is None

    @property
    def is_wide(self) -> bool:
        """A table of more than two columns takes the whole width of the page."""
        return self.table is not None and len(self.table.columns) > 2


_providers = []


def register_panel(provider):
    if provider not in _providers:
        _providers.append(provider)
    return provider


def panels_for(request):
    panels = [panel for provider in _providers if (panel := provider(request)) is not None]
    return sorted(panels, key=lambda panel: panel.order)


def count_per_row(queryset, path: str, *, distinct: str = ""):
    """An annotation counting `queryset`'s rows whose `path` is the outer row (0 when none), for
    a summary table computed in one query: `Territoire.objects.annotate(n=count_per_row(...))`.
    With `distinct`, counts the distinct values of that field instead of the rows."""
    counted = (
        queryset.filter(**{path: OuterRef("pk")})
        .order_by()
        .values(path)
        .annotate(n=Count(distinct or "pk", distinct=bool(distinct)))
        .values("n")[:1]
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))
