"""The referents' training records and the upload of anonymised CERs."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from label import perms, services
from label.forms import (
    CerImportForm,
    FormationForm,
)
from label.models import (
    FormationReferent,
)
from label.selectors import (
    training_statuses,
)
from portal.audit.enums import Action
from portal.audit.services import access_record
from portal.core.uploads import serve_upload
from portal.core.views import paginate, querystring_without_page
from portal.referentiels.models import Referent, Structure

# --- training --------------------------------------------------------------------------------


def formations(request):
    today = timezone.localdate()
    referents = (
        Referent.objects.visible_to(request.user)
        .actifs()
        .select_related("structure")
        .order_by("structure__nom", "nom", "prenom")
    )
    structure_id = request.GET.get("structure")
    if structure_id and structure_id.isdigit():
        referents = referents.filter(structure_id=structure_id)
    page = paginate(request, referents)
    on_page = Referent.objects.filter(pk__in=[r.pk for r in page.object_list]).select_related("structure")
    statuses = training_statuses(on_page.order_by("structure__nom", "nom", "prenom"), today)
    context = {
        "page": page,
        "statuses": statuses,
        "querystring": querystring_without_page(request),
        "structures": []
        if request.scope.is_structure_member
        else Structure.objects.visible_to(request.user).order_by("nom"),
        "structure_id": structure_id or "",
        "pending": FormationReferent.objects.visible_to(request.user)
        .filter(nature="equivalence", equivalence_acceptee_at__isnull=True)
        .select_related("referent__structure", "module")[:50]
        if perms.can_accept_equivalence(request.user)
        else [],
    }
    return render(request, "label/formations.html", context)


def formation_add(request, referent_pk):
    referent = get_object_or_404(Referent.objects.visible_to(request.user).select_related("structure"), pk=referent_pk)
    if not perms.can_manage_training(request.user, referent):
        raise PermissionDenied
    form = FormationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        services.formation_record(referent=referent, user=request.user, **form.cleaned_data)
        messages.success(request, f"Formation enregistrée pour {referent}.")
        return redirect("label:formations")
    return render(request, "label/formation_form.html", {"form": form, "referent": referent})


@require_POST
def formation_accept(request, pk):
    formation = get_object_or_404(FormationReferent.objects.visible_to(request.user), pk=pk, nature="equivalence")
    if not perms.can_accept_equivalence(request.user):
        raise PermissionDenied
    accepted = services.equivalence_accept(formation=formation, user=request.user)
    messages.success(request, "Équivalence acceptée." if accepted else "Action déjà effectuée.")
    return redirect("label:formations")


def formation_piece(request, pk):
    formation = get_object_or_404(FormationReferent.objects.visible_to(request.user), pk=pk)
    if not formation.piece:
        raise Http404
    access_record(user=request.user, obj=formation.referent, action=Action.TELECHARGEMENT, request=request)
    return serve_upload(formation.piece, f"justificatif-formation-{formation.pk}")


# --- CERs ------------------------------------------------------------------------------------


def cer_import(request):
    scope = request.scope
    if not scope.is_responsable:
        raise PermissionDenied
    structure = Structure.objects.get(pk=scope.structure_id)
    referents = Referent.objects.filter(structure=structure).actifs().order_by("nom", "prenom")
    form = CerImportForm(request.POST or None, request.FILES or None, referents=referents)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.cers_import(
                structure=structure,
                referent=form.cleaned_data["referent"],
                data=form.cleaned_data["fichier"],
                user=request.user,
            )
        except services.LabelError as error:
            form.add_error("fichier", str(error))
        else:
            messages.success(
                request, f"{created} CER anonymisé{'s' if created > 1 else ''} ajouté{'s' if created > 1 else ''}."
            )
            return redirect("label:cer_import")
    counts = referents.annotate(nb_cer=Count("cers_anonymises"))
    return render(request, "label/cer_import.html", {"form": form, "counts": counts})
