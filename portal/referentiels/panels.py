from django.urls import reverse
from django.utils import timezone

from portal.core.formats import format_date
from portal.core.home import Panel, PanelItem, register_panel
from portal.referentiels.models import Referent

MAX_ITEMS = 8


@register_panel
def new_referents(request):
    """New referents must be trained within their year of arrival (seed 001 l. 217)."""
    scope = request.scope
    if not (scope.is_responsable or scope.is_slai or scope.sees_departement):
        return None
    start_of_year = timezone.localdate().replace(month=1, day=1)
    referents = (
        Referent.objects.visible_to(request.user)
        .actifs()
        .filter(date_arrivee__gte=start_of_year)
        .select_related("structure")
        .order_by("date_arrivee", "pk")[: MAX_ITEMS + 1]
    )
    items = [
        PanelItem(
            label=f"{referent.nom_complet} ({referent.structure.nom})",
            url=reverse("referentiels:referent_detail", args=[referent.pk]),
            detail=f"arrivé(e) le {format_date(referent.date_arrivee)}",
        )
        for referent in referents[:MAX_ITEMS]
    ]
    return Panel(
        title="Nouveaux référents à former dans l'année d'arrivée",
        items=items,
        empty_text="Aucun référent arrivé cette année.",
        more_url=reverse("referentiels:referent_list") if len(referents) > MAX_ITEMS else "",
        more_label="Voir tous les référents",
        order=50,
    )
