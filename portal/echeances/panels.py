from django.urls import reverse
from django.utils import timezone

from portal.core.formats import format_date
from portal.core.home import Panel, PanelCount, PanelItem, register_panel
from portal.echeances.services import HOME_HORIZON_DAYS, items_page

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
    today = timezone.localdate()
    # Only the first few are loaded with their relations (a structure has thousands of deadlines);
    # the page's paginator still holds every (due date, …) row, which the counts read.
    page = items_page(request.user, number=1, per_page=FIRST_ITEMS, today=today, horizon_days=HOME_HORIZON_DAYS)
    items = page.object_list
    total = page.paginator.count
    overdue = sum(1 for row in page.paginator.object_list if row[0] < today)
    url = reverse("echeances:list")
    return Panel(
        title="Mes échéances",
        counts=[
            PanelCount(overdue, "échéance dépassée", "échéances dépassées", f"{url}?quand=retard", urgent=True),
            PanelCount(
                total - overdue,
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
