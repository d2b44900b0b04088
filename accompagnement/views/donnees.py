import json

from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accompagnement import perms
from accompagnement.models import Beneficiaire
from accompagnement.retention import retention_plan
from accompagnement.services.donnees import beneficiaire_export as export_service
from portal.core.views import paginate


@require_GET
def beneficiaire_export(request, pk):
    """All the data held on one person, as a JSON download (right of access)."""
    from accompagnement.views.base import visible_person_or_404

    beneficiaire = visible_person_or_404(request, Beneficiaire.objects.visible_to(request.user), pk)
    if not perms.can_export_beneficiaire(request.user, beneficiaire):
        raise PermissionDenied
    data = export_service(beneficiaire=beneficiaire, user=request.user, request=request)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    filename = f"donnees-caf-{beneficiaire.numero_caf}-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


LISTS = {"archivage": "À archiver", "suppression": "À supprimer"}


@require_GET
def retention(request):
    """What the next retention run would archive and delete (dry run: nothing changes)."""
    if not perms.can_see_retention(request.user):
        raise PermissionDenied
    plan = retention_plan(today=timezone.localdate())
    shown = request.GET.get("liste") if request.GET.get("liste") in LISTS else "archivage"
    queryset = plan.to_archive if shown == "archivage" else plan.to_purge
    context = {
        "plan": plan,
        "counts": {"archivage": plan.to_archive.count(), "suppression": plan.to_purge.count()},
        "lists": LISTS,
        "shown": shown,
        "page": paginate(request, queryset.select_related("territoire")),
        "querystring": f"liste={shown}",
    }
    return render(request, "accompagnement/donnees_retention.html", context)
