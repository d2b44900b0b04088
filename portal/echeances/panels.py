from django.urls import reverse

from portal.core.formats import format_date
from portal.core.home import Panel, PanelItem, register_panel
from portal.echeances.services import HOME_HORIZON_DAYS, items_for

MAX_ITEMS = 10


def when(item):
    if item.is_overdue:
        return f"échéance dépassée depuis {-item.days_left} j ({format_date(item.due_date)})"
    if item.days_left == 0:
        return "aujourd'hui"
    return f"le {format_date(item.due_date)}, dans {item.days_left} j"


@register_panel
def deadlines(request):
    """Every role sees its overdue and upcoming deadlines from the registry."""
    items = items_for(request.user)
    return Panel(
        title=f"Mes échéances (en retard et dans les {HOME_HORIZON_DAYS} jours)",
        items=[
            PanelItem(label=item.label, url=item.url, detail=when(item), overdue=item.is_overdue)
            for item in items[:MAX_ITEMS]
        ],
        empty_text="Aucune échéance en retard ni dans les 30 prochains jours.",
        more_url=reverse("echeances:list"),
        more_label="Toutes les échéances" + (f" ({len(items)} proches)" if len(items) > MAX_ITEMS else ""),
        order=10,
    )
