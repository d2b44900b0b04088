from django.urls import reverse

from portal.core.formats import format_date
from portal.core.home import Panel, PanelCount, PanelItem, register_panel
from portal.echeances.services import HOME_HORIZON_DAYS, summary_for

FIRST_ITEMS = 5


def when(item):
    if item.is_overdue:
        days = item.days_overdue
        return f"échéance dépassée depuis {days} jour{'s' if days > 1 else ''} ({format_date(item.due_date)})"
    if item.days_left == 0:
        return "aujourd'hui"
    days = item.days_left
    return f"le {format_date(item.due_date)}, dans {days} jour{'s' if days > 1 else ''}"


@register_panel
def deadlines(request):
    """Overdue and upcoming deadlines from the registry: how many, the first few, the full list.
    Managers act on none of them: their home shows the activity they watch instead."""
    if not request.scope.can_write:
        return None
    summary = summary_for(request.user, first=FIRST_ITEMS)  # only the items shown are loaded
    overdue, items = summary.overdue, summary.first
    url = reverse("echeances:list")
    return Panel(
        title="Mes échéances",
        counts=[
            PanelCount(overdue, "échéance dépassée", "échéances dépassées", f"{url}?quand=retard", urgent=True),
            PanelCount(
                summary.upcoming,
                f"échéance dans les {HOME_HORIZON_DAYS} jours",
                f"échéances dans les {HOME_HORIZON_DAYS} jours",
                f"{url}?quand=proches",
            ),
        ],
        items=[
            PanelItem(label=item.label, url=item.url, detail=when(item), overdue=item.is_overdue) for item in items
        ],
        items_title="Les plus proches" if items else "",
        empty_text=f"Aucune échéance en retard ni dans les {HOME_HORIZON_DAYS} prochains jours.",
        more_url=url,
        more_label="Toutes mes échéances",
        order=10,
    )
