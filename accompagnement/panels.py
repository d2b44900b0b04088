"""Home-page panel: the structure's referents who have left while people were still assigned to
them (those people are now "sans référent")."""

from django.urls import reverse
from django.utils import timezone

from portal.core.formats import format_date
from portal.core.home import Panel, PanelItem, register_panel


@register_panel
def departs(request):
    if not request.scope.is_responsable:
        return None
    from accompagnement.selectors import referents_partis

    partis = referents_partis(request.user, timezone.localdate())
    if not partis:
        return None
    url = reverse("accompagnement:caseload") + "?sans_referent=on"
    items = [
        PanelItem(
            label=f"{referent.prenom} {referent.nom} a quitté la structure le {format_date(referent.date_depart)}",
            url=url,
            detail=f"{referent.personnes} personne{'s' if referent.personnes > 1 else ''} désormais sans référent : "
            "désignez leur nouveau référent.",
            overdue=True,
        )
        for referent in partis
    ]
    return Panel(title="Départs de référents", items=items, order=5)
