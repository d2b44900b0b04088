"""The label's home page: the structure's situation, or the Département's queues."""

from django.shortcuts import render
from django.utils import timezone

from label import perms, services
from label.enums import EtatDemande, EtatRetrait
from label.models import (
    DemandeLabel,
    Label,
    RetraitLabel,
)
from label.selectors import (
    DEMANDE_QUEUES,
    charter_due,
    current_label,
)
from portal.core.views import paginate, querystring_without_page
from portal.referentiels.models import Structure

# --- overview --------------------------------------------------------------------------------


def label_home(request):
    today = timezone.localdate()
    scope = request.scope
    context = {"today": today}
    if scope.is_structure_member:
        structure = Structure.objects.get(pk=scope.structure_id)
        label = current_label(structure, today)
        context.update(
            structure=structure,
            label=label,
            renewal_open=label is not None and services.renewal_window_open(label, today),
            charter=charter_due(label) if label is not None else (None, None),
            demandes=DemandeLabel.objects.visible_to(request.user).order_by("-created_at"),
            retraits=RetraitLabel.objects.visible_to(request.user).select_related("label"),
            can_request=perms.can_request_label(request.user, structure)
            and (label is None or services.renewal_window_open(label, today)),
        )
        return render(request, "label/home_structure.html", context)
    demandes = DemandeLabel.objects.visible_to(request.user).select_related("structure").order_by("deposee_at", "pk")
    etat = request.GET.get("etat", "")
    if etat in EtatDemande.values:
        demandes = demandes.filter(etat=etat)
    queue = request.GET.get("file", "")
    if queue in DEMANDE_QUEUES:  # the home page's counts link here
        demandes = demandes.filter(DEMANDE_QUEUES[queue][1])
    labels = (
        Label.objects.valid_on(today)
        .filter(structure__in=Structure.objects.visible_to(request.user))
        .select_related("structure")
    )
    context.update(
        retraits=RetraitLabel.objects.visible_to(request.user)
        .filter(etat__in=[EtatRetrait.ACCOMPAGNEMENT, EtatRetrait.ETUDE, EtatRetrait.CONTRADICTOIRE])
        .select_related("label__structure"),
        can_withdraw=perms.can_manage_withdrawal(request.user),
        page=paginate(request, demandes),
        querystring=querystring_without_page(request),
        etat=etat,
        etats=EtatDemande.choices,
        queue=DEMANDE_QUEUES[queue][0] if queue in DEMANDE_QUEUES else "",
        labels=labels.order_by("structure__nom")[:200],
    )
    return render(request, "label/home_departement.html", context)
