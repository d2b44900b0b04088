"""The CER: first entry, detail, edition, signature, closure, renewal, live grid, JSON."""

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accompagnement import cer_json, perms
from accompagnement.enums import MomentDiagnostic
from accompagnement.forms import DiagnosticForm
from accompagnement.forms.cer import (
    CerActionFormSet,
    CerEditForm,
    CerImportForm,
    CerSignatureForm,
    action_formset_class,
    action_values,
    grid_input_from_post,
)
from accompagnement.models import Cer, DemandeRenouvellement, Orientation
from accompagnement.services import AccompagnementError
from accompagnement.services import cer as services
from accompagnement.views.common import followed_orientation
from portal.audit.enums import Action
from portal.audit.services import access_record
from portal.core.formats import format_date
from portal.core.forms import keep_input_without_errors, page_with_forms
from portal.documents.selectors import documents_panel
from portal.referentiels.models import Structure


def _visible_cer(request, pk):
    queryset = Cer.objects.visible_to(request.user).select_related(
        "orientation__beneficiaire",
        "orientation__structure",
        "orientation__referent",
        "orientation__type_accompagnement",
        "renouvelle",
        "diagnostic_cloture",
    )
    return get_object_or_404(queryset.prefetch_related("actions"), pk=pk)


def _editable_cer(request, pk):
    cer = _visible_cer(request, pk)
    if not perms.can_edit_cer(request.user, cer):
        raise PermissionDenied
    return cer


def _detail(cer):
    return redirect("accompagnement:cer_detail", pk=cer.pk)


def _initial_as_post(initial, actions_initial, prefix="actions"):
    """The pre-filled values in the shape of a POST, so that the grid reads one shape only."""
    data = {name: value.isoformat() if hasattr(value, "isoformat") else value for name, value in initial.items()}
    data[f"{prefix}-TOTAL_FORMS"] = str(len(actions_initial))
    for index, action in enumerate(actions_initial):
        for name, value in action.items():
            data[f"{prefix}-{index}-{name}"] = value.isoformat() if hasattr(value, "isoformat") else value
    return data


def _grid_of_post(data):
    cer, dates_ok = grid_input_from_post(data)
    return cer_json.grid_summary(cer, dates_ok=dates_ok)


ADD_ACTION = "ajouter_action"  # the "Ajouter une action" submit button
MAX_ACTIONS = 50  # as many as the live grid reads


def cer_form_data(request):
    """The posted CER (None on GET), with one more blank action row when the referent pressed
    "Ajouter une action" in a browser without JavaScript (with it, static/js/cer-actions.js
    adds the row in place and nothing is posted)."""
    if request.method != "POST":
        return None
    if ADD_ACTION not in request.POST:
        return request.POST
    data = request.POST.copy()
    try:
        total = int(data.get("actions-TOTAL_FORMS", "0"))
    except ValueError:
        total = 0
    data["actions-TOTAL_FORMS"] = str(min(max(total, 0) + 1, MAX_ACTIONS))
    return data


def is_saving(request):
    """A POST that saves the CER (not the "Ajouter une action" button)."""
    return request.method == "POST" and ADD_ACTION not in request.POST


def cer_form_page(request, *, orientation, form, actions, cer=None, previous=None, prefill=None):
    """The CER form (creation, edition, renewal) with the grid's automatic items, computed on the
    server for the first display and refreshed while typing by static/js/cer-grille.js."""
    if form.is_bound and not is_saving(request):
        # One more row asked for: what was typed comes back as it is, not judged yet.
        keep_input_without_errors(form, actions)
    if form.is_bound:
        grid = _grid_of_post(request.POST)
    elif cer is not None:
        grid = cer_json.grid_summary(cer_json.cer_input(cer))
    else:
        grid = _grid_of_post(prefill or {})
    context = {
        "form": form,
        "actions": actions,
        "orientation": orientation,
        "cer": cer,
        "previous": previous,
        "grid": grid,
    }
    return render(request, "accompagnement/cer_form.html", context)


def cer_create(request, pk):
    orientation = followed_orientation(request, pk)
    if "renouvelle" in request.GET:
        # The next CER of an accepted renewal: pre-filled from the previous one (cer_renouveler).
        previous_pk = request.GET["renouvelle"]
        previous = get_object_or_404(
            Cer.objects.visible_to(request.user),
            pk=previous_pk if previous_pk.isdigit() else 0,
            orientation=orientation,
        )
        return redirect("accompagnement:cer_renouveler", pk=previous.pk)
    data = cer_form_data(request)
    form = CerEditForm(data, orientation=orientation)
    actions = CerActionFormSet(data, prefix="actions")
    if is_saving(request) and form.is_valid() and actions.is_valid():
        try:
            cer = services.cer_record(
                orientation=orientation,
                data=form.cleaned_data,
                actions=action_values(actions),
                user=request.user,
                request=request,
            )
            messages.success(request, f"{cer} enregistré.")
            return redirect("accompagnement:cer_detail", pk=cer.pk)
        except AccompagnementError as error:
            form.add_error(None, str(error))
    return cer_form_page(request, orientation=orientation, form=form, actions=actions)


def cer_detail(request, pk):
    return _cer_page(request, _visible_cer(request, pk))


def _cer_page(request, cer, bound=None):
    """The CER's page; after a bad signature, `bound` = ("signature", the bound form)."""
    beneficiaire = cer.orientation.beneficiaire
    access_record(user=request.user, obj=beneficiaire, action=Action.LECTURE, request=request, detail=str(cer))
    can_edit = perms.can_edit_cer(request.user, cer)
    context = {
        "cer": cer,
        "orientation": cer.orientation,
        "beneficiaire": beneficiaire,
        "grid": cer_json.grid_summary(cer_json.cer_input(cer)),
        "demande": DemandeRenouvellement.objects.filter(cer=cer).first(),
        "renouvellements": list(cer.renouvellements.order_by("date_debut")),
        "can_edit": can_edit,
        "can_export": perms.can_export_cer(request.user, cer),
        "closure_refusal": services.closure_refusal(cer) if can_edit else None,
        "renewal_refusal": services.renewal_refusal(cer) if can_edit and cer.signe_le else None,
        "documents_panel": documents_panel(request.user, cer),
    }
    forms = {"signature": CerSignatureForm(cer=cer) if can_edit and cer.signe_le is None else None}
    return page_with_forms(
        request, "accompagnement/cer_detail.html", context, forms=forms, bound=bound, fallback=cer.get_absolute_url()
    )


def cer_update(request, pk):
    cer = _editable_cer(request, pk)
    if cer.signe_le is not None:
        messages.error(request, services.SIGNED_IS_FROZEN)
        return _detail(cer)
    data = cer_form_data(request)
    form = CerEditForm(data, instance=cer, orientation=cer.orientation)
    actions = action_formset_class(extra=1, can_delete=True)(data, instance=cer, prefix="actions")
    if is_saving(request) and form.is_valid() and actions.is_valid():
        try:
            services.cer_update(
                cer=cer, data=form.cleaned_data, actions=action_values(actions), user=request.user, request=request
            )
        except AccompagnementError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{cer} modifié.")
            return _detail(cer)
    elif request.method == "GET":
        access_record(user=request.user, obj=cer.orientation.beneficiaire, action=Action.LECTURE, request=request)
    return cer_form_page(request, orientation=cer.orientation, form=form, actions=actions, cer=cer)


@require_POST
def cer_signer(request, pk):
    cer = _editable_cer(request, pk)
    form = CerSignatureForm(request.POST, cer=cer)
    if form.is_valid():
        try:
            services.cer_sign(cer=cer, signe_le=form.cleaned_data["signe_le"], user=request.user, request=request)
        except AccompagnementError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, f"Signature du CER enregistrée (signé le {format_date(form.cleaned_data['signe_le'])})."
            )
            return _detail(cer)
    return _cer_page(request, cer, bound=("signature", form))


def cer_cloturer(request, pk):
    cer = _editable_cer(request, pk)
    refusal = services.closure_refusal(cer)
    if refusal:
        messages.error(request, refusal)
        return _detail(cer)
    form = DiagnosticForm(request.POST or None, moment=MomentDiagnostic.FINAL)
    if request.method == "POST" and form.is_valid():
        try:
            services.cer_close(cer=cer, diagnostic_data=form.cleaned_data, user=request.user, request=request)
        except AccompagnementError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{cer} clôturé, avec le diagnostic actualisé.")
            return _detail(cer)
    elif request.method == "GET":
        access_record(user=request.user, obj=cer.orientation.beneficiaire, action=Action.LECTURE, request=request)
    return render(request, "accompagnement/cer_cloture.html", {"cer": cer, "form": form})


def cer_renouveler(request, pk):
    previous = _editable_cer(request, pk)
    refusal = services.renewal_refusal(previous)
    if refusal:
        messages.error(request, refusal)
        return _detail(previous)
    prefill = None
    if request.method == "POST":
        data = cer_form_data(request)
        form = CerEditForm(data, orientation=previous.orientation)
        actions = action_formset_class()(data, prefix="actions")
        if is_saving(request) and form.is_valid() and actions.is_valid():
            try:
                cer = services.cer_renew(
                    previous=previous,
                    data=form.cleaned_data,
                    actions=action_values(actions),
                    user=request.user,
                    request=request,
                )
            except AccompagnementError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"{cer} enregistré : il renouvelle le CER précédent.")
                return _detail(cer)
    else:
        initial, actions_initial = services.renewal_initial(previous)
        form = CerEditForm(initial=initial, orientation=previous.orientation)
        actions = action_formset_class(extra=len(actions_initial) + 1)(initial=actions_initial, prefix="actions")
        prefill = _initial_as_post(initial, actions_initial)
        access_record(user=request.user, obj=previous.orientation.beneficiaire, action=Action.LECTURE, request=request)
    return cer_form_page(
        request, orientation=previous.orientation, form=form, actions=actions, previous=previous, prefill=prefill
    )


@require_POST
def cer_grille(request, pk):
    """The grid's automatic items for what is being typed (HTML fragment); saves nothing."""
    orientation = get_object_or_404(Orientation.objects.visible_to(request.user), pk=pk)
    if not perms.can_follow(request.user, orientation):
        raise PermissionDenied
    return render(request, "accompagnement/cer_grille.html", {"grid": _grid_of_post(request.POST)})


def cer_export_json(request, pk):
    """The CER in the exchange format (readable by `grade_cer`)."""
    cer = _visible_cer(request, pk)
    if not perms.can_export_cer(request.user, cer):
        raise PermissionDenied
    access_record(
        user=request.user, obj=cer.orientation.beneficiaire, action=Action.EXPORT, request=request, detail=str(cer)
    )
    content = json.dumps(cer_json.cer_to_json(cer), ensure_ascii=False, indent=2)
    response = HttpResponse(content, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{cer_json.export_filename(cer)}"'
    return response


def cer_import(request):
    if not perms.can_import_cer(request.user):
        raise PermissionDenied
    structure = get_object_or_404(Structure, pk=request.scope.structure_id)
    form = CerImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = cer_json.check_import(form.cleaned_data["fichier"], structure=structure)
        try:
            result = services.cers_import(
                structure=structure,
                items=report,
                partial=form.cleaned_data["partiel"],
                user=request.user,
                request=request,
            )
        except services.ImportRefused as error:
            # Next to the file (a browser never keeps a chosen file): the report says what to fix.
            advice = "Corrigez le fichier, ou cochez « Importer seulement les CER valides »."
            form.add_error("fichier", f"{error} {advice}")
        else:
            messages.success(request, f"Import terminé : {result.summary()}.")
    return render(request, "accompagnement/cer_import.html", {"form": form, "report": report, "structure": structure})
