"""The yearly handover of labels and the yearly report to the Commission Permanente."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from label.models import (
    Label,
    RapportAnnuel,
)
from label.selectors import (
    yearly_report,
)
from portal.documents.selectors import documents_panel
from portal.documents.services import document_request
from portal.referentiels.models import Structure


def remise(request):
    """The yearly handover of labels, territory by territory (seed 001 §7-3)."""
    today = timezone.localdate()
    try:
        annee = min(max(int(request.GET.get("annee", today.year)), 2000), 2100)
    except ValueError:
        annee = today.year
    labels = (
        Label.objects.visible_to(request.user)
        .filter(date_decision__year=annee, retire_le__isnull=True)
        .filter(structure__in=Structure.objects.visible_to(request.user))
        .select_related("structure")
        .prefetch_related("structure__territoires")
        .order_by("structure__nom")
    )
    by_territory = {}
    for label in labels:
        for territoire in label.structure.territoires.all():
            by_territory.setdefault(territoire.nom, []).append(label)
    context = {"annee": annee, "territoires": sorted(by_territory.items()), "count": len(labels)}
    return render(request, "label/remise.html", context)


def rapport_annuel(request):
    """The yearly report to the Commission Permanente (seed 001 l. 588), for the Département."""
    if not request.scope.sees_departement:
        raise PermissionDenied
    today = timezone.localdate()
    try:
        annee = min(max(int(request.GET.get("annee", today.year)), 2025), 2100)
    except ValueError:
        annee = today.year
    rapport = RapportAnnuel.objects.filter(annee=annee).first()
    context = {
        "report": yearly_report(annee),
        "annee": annee,
        "rapport": rapport,
        "documents_panel": documents_panel(request.user, rapport) if rapport is not None else [],
        "can_produce": request.scope.is_dpid,
    }
    return render(request, "label/rapport_annuel.html", context)


@require_POST
def rapport_annuel_pdf(request):
    """Produce the yearly report's PDF (documents engine): the year's report row is created the
    first time, then each request makes a new version."""
    if not request.scope.is_dpid:
        raise PermissionDenied
    try:
        annee = int(request.POST.get("annee", ""))
    except ValueError:
        annee = None
    if annee is None or not 2025 <= annee <= timezone.localdate().year:
        messages.error(request, "Choisissez une année entre 2025 et l'année en cours.")
        return redirect("label:rapport_annuel")
    rapport, _ = RapportAnnuel.objects.get_or_create(annee=annee)
    document_request(owner=rapport, kind_code="label_rapport_annuel", user=request.user)
    messages.success(request, f"Rapport annuel {annee} demandé : le PDF est en cours de production.")
    return redirect(rapport.get_absolute_url())
