"""Home panel of the calls for projects: open calls and one's drafts for a structure, the
instruction queue for the SLAI and the DPID. Self-contained: it only needs `register_panel`."""

from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone

from aap.enums import EtatCandidature
from aap.models import AppelAProjets, Candidature
from portal.core.formats import format_date
from portal.core.home import Panel, PanelCount, PanelItem, register_panel

MAX_ITEMS = 5
TO_HANDLE = {
    "dpid": (EtatCandidature.DEPOSEE, EtatCandidature.RECEVABLE, EtatCandidature.AVIS_RENDU),
    "slai": (EtatCandidature.EN_INSTRUCTION,),
}


@register_panel
def appels_a_projets(request):
    scope = request.scope
    if scope.is_structure_member:
        return _structure_panel(request)
    if scope.is_dpid or scope.is_slai:
        return _instruction_panel(request, "dpid" if scope.is_dpid else "slai")
    return None


def _structure_panel(request):
    """The structure's drafts and the calls open today, two queries reading only the columns shown
    (the closing day of the open window rides on the calls' query)."""
    today = timezone.localdate()
    items = [
        PanelItem(
            label=f"Brouillon : {code} {libelle} – {territoire}",
            url=reverse("aap:candidature_detail", args=[pk]),
        )
        for pk, code, libelle, territoire in Candidature.objects.visible_to(request.user)
        .filter(etat__in=[EtatCandidature.BROUILLON, EtatCandidature.CORRECTION])
        .values_list("pk", "dispositif__code", "dispositif__libelle", "territoire__nom")[:MAX_ITEMS]
    ]
    open_now = Q(fenetres__ouverture__lte=today, fenetres__cloture__gte=today)
    open_calls = (
        AppelAProjets.objects.visible_to(request.user)
        .annotate(closes=Max("fenetres__cloture", filter=open_now))
        .filter(closes__isnull=False)
        .values_list("pk", "titre", "closes")
    )
    for pk, titre, closes in open_calls[:MAX_ITEMS]:
        items.append(
            PanelItem(
                label=titre,
                url=reverse("aap:appel_detail", args=[pk]),
                detail=f"dépôt jusqu'au {format_date(closes)} inclus",
            )
        )
    return Panel(
        title="Appels à projets",
        items=items,
        empty_text="Aucun appel à projets ouvert ni candidature en cours.",
        more_url=reverse("aap:home"),
        more_label="Appels et candidatures",
        order=40,
    )


# What each instructor has to do with an application in a given state (singular, plural).
QUEUE_WORDING = {
    EtatCandidature.DEPOSEE: (
        "candidature déposée à déclarer recevable",
        "candidatures déposées à déclarer recevables",
    ),
    EtatCandidature.RECEVABLE: (
        "candidature recevable à mettre en instruction",
        "candidatures recevables à mettre en instruction",
    ),
    EtatCandidature.EN_INSTRUCTION: ("candidature à valider ou à aviser", "candidatures à valider ou à aviser"),
    EtatCandidature.AVIS_RENDU: ("candidature à proposer", "candidatures à proposer"),
}


def _instruction_panel(request, role):
    counts = dict(
        Candidature.objects.visible_to(request.user)
        .filter(etat__in=TO_HANDLE[role])
        .order_by()
        .values_list("etat")
        .annotate(n=Count("pk"))
    )
    return Panel(
        title="Candidatures aux appels à projets",
        counts=[
            PanelCount(
                count=counts.get(etat, 0),
                singular=QUEUE_WORDING[etat][0],
                plural=QUEUE_WORDING[etat][1],
                url=f"{reverse('aap:file')}?etat={etat}",
            )
            for etat in TO_HANDLE[role]
        ],
        empty_text="Aucune candidature à traiter.",
        more_url=reverse("aap:file"),
        more_label="Toutes les candidatures",
        order=40,
    )
