from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render

from portal.audit.enums import Action
from portal.audit.services import access_record
from portal.core.formats import de
from portal.core.views import paginate, querystring_without_page
from portal.documents.selectors import documents_panel
from portal.referentiels import perms
from portal.referentiels.forms import ContactFormSet, ReferentFilter, ReferentForm, StructureFilter, StructureForm
from portal.referentiels.models import Referent, Structure, Territoire
from portal.referentiels.services import referent_save, structure_save


def territoire_list(request):
    territoires = (
        Territoire.objects.visible_to(request.user)
        .select_related("secteur")
        .annotate(nb_structures=Count("structures"))
        .order_by("nom")
    )
    return render(request, "referentiels/territoire_list.html", {"territoires": territoires})


def structure_list(request):
    structures = (
        Structure.objects.visible_to(request.user)
        .annotate(nb_referents=Count("referents", filter=Q(referents__date_depart__isnull=True)))
        .prefetch_related(Prefetch("territoires", queryset=Territoire.objects.order_by("nom")))
        .order_by("nom", "pk")
    )
    filterset = StructureFilter(request.GET, queryset=structures)
    context = {
        "filter": filterset,
        "page": paginate(request, filterset.qs),
        "querystring": querystring_without_page(request),
        "can_create": perms.can_create_structure(request.user),
    }
    return render(request, "referentiels/structure_list.html", context)


def structure_detail(request, pk):
    structure = get_object_or_404(
        Structure.objects.visible_to(request.user).prefetch_related("territoires", "contacts"), pk=pk
    )
    referents = Referent.objects.visible_to(request.user).filter(structure=structure).order_by("nom", "prenom")
    context = {
        "structure": structure,
        "referents": referents,
        "can_edit": perms.can_edit_structure(request.user, structure),
        "can_add_referent": perms.can_manage_referents(request.user, structure),
        "documents_panel": documents_panel(request.user, structure),
    }
    return render(request, "referentiels/structure_detail.html", context)


def structure_create(request):
    if not perms.can_create_structure(request.user):
        raise PermissionDenied
    return _structure_form(request, Structure())


def structure_update(request, pk):
    structure = get_object_or_404(Structure.objects.visible_to(request.user), pk=pk)
    if not perms.can_edit_structure(request.user, structure):
        raise PermissionDenied
    return _structure_form(request, structure)


def _structure_form(request, structure):
    identity_editable = perms.can_edit_structure_identity(request.user)
    data = request.POST if request.method == "POST" else None
    form = StructureForm(data, instance=structure, identity_editable=identity_editable)
    contacts = ContactFormSet(data, instance=structure, prefix="contacts")
    if request.method == "POST" and form.is_valid() and contacts.is_valid():
        structure = structure_save(user=request.user, form=form, contacts=contacts, request=request)
        messages.success(request, f"La structure « {structure} » est enregistrée.")
        return redirect("referentiels:structure_detail", pk=structure.pk)
    return render(
        request, "referentiels/structure_form.html", {"form": form, "contacts": contacts, "structure": structure}
    )


def referent_list(request):
    referents = Referent.objects.visible_to(request.user).select_related("structure").order_by("nom", "prenom", "pk")
    filterset = ReferentFilter(request.GET, queryset=referents)
    context = {
        "filter": filterset,
        "page": paginate(request, filterset.qs),
        "querystring": querystring_without_page(request),
        "can_create": perms.can_manage_referents(request.user),
    }
    return render(request, "referentiels/referent_list.html", context)


def referent_detail(request, pk):
    referent = get_object_or_404(Referent.objects.visible_to(request.user).select_related("structure", "user"), pk=pk)
    access_record(user=request.user, obj=referent, action=Action.LECTURE, request=request)
    context = {"referent": referent, "can_edit": perms.can_manage_referents(request.user, referent.structure)}
    return render(request, "referentiels/referent_detail.html", context)


def referent_create(request):
    if not perms.can_manage_referents(request.user):
        raise PermissionDenied
    return _referent_form(request, Referent())


def referent_update(request, pk):
    referent = get_object_or_404(Referent.objects.visible_to(request.user).select_related("structure"), pk=pk)
    if not perms.can_manage_referents(request.user, referent.structure):
        raise PermissionDenied
    return _referent_form(request, referent)


def _referent_form(request, referent):
    scope = request.scope
    # A responsable works on their own structure only; the DPID chooses among all structures.
    fixed_structure = Structure.objects.get(pk=scope.structure_id) if scope.is_responsable else None
    structures = None if fixed_structure else Structure.objects.visible_to(request.user).order_by("nom")
    data = request.POST if request.method == "POST" else None
    form = ReferentForm(data, instance=referent, structures=structures)
    if request.method == "POST" and form.is_valid():
        referent = referent_save(user=request.user, form=form, structure=fixed_structure, request=request)
        messages.success(request, f"La fiche {de(referent)} est enregistrée.")
        return redirect("referentiels:referent_detail", pk=referent.pk)
    return render(request, "referentiels/referent_form.html", {"form": form, "referent": referent})
