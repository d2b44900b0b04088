"""The withdrawal of a label, with its new study after the SLAI support."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from label import perms, services
from label.enums import EtatRetrait
from label.forms import (
    DecisionRetraitForm,
    ObservationsForm,
    RetraitForm,
)
from label.models import (
    Label,
    RetraitLabel,
)
from label.selectors import (
    panel_summary,
)
from label.views.common import _control_is_visible, _fail, _submit
from portal.core.forms import page_with_forms
from portal.documents.selectors import documents_panel

# --- withdrawal ------------------------------------------------------------------------------


def retrait_create(request, label_pk):
    label = get_object_or_404(Label.objects.visible_to(request.user).select_related("structure"), pk=label_pk)
    if not perms.can_manage_withdrawal(request.user):
        raise PermissionDenied
    form = RetraitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            retrait = services.retrait_engager(label=label, user=request.user, **form.cleaned_data)
            messages.success(request, f"Procédure de retrait : {retrait.get_etat_display()}.")
            return redirect("label:retrait_detail", pk=retrait.pk)
        except services.LabelError as error:
            form.add_error(None, str(error))
    return render(request, "label/retrait_form.html", {"form": form, "label": label})


def retrait_detail(request, pk):
    retrait = get_object_or_404(
        RetraitLabel.objects.visible_to(request.user).select_related("label__structure"), pk=pk
    )
    return _retrait_page(request, retrait)


def _retrait_forms(user, retrait, today):
    """The forms the withdrawal's page shows to this user in its current state (None: not shown)."""
    can_manage = perms.can_manage_withdrawal(user)
    can_observe = (
        perms.can_send_observations(user, retrait)
        and retrait.etat == EtatRetrait.CONTRADICTOIRE
        and retrait.observations_at is None
        and today <= retrait.observations_avant
    )
    decision_due = retrait.etat == EtatRetrait.CONTRADICTOIRE and (
        retrait.observations_at is not None or today > retrait.observations_avant
    )
    return {
        "observations": ObservationsForm() if can_observe else None,
        "decision": DecisionRetraitForm() if can_manage and decision_due else None,
    }


def _retrait_page(request, retrait, bound=None):
    today = timezone.localdate()
    user = request.user
    etude = retrait.etude
    context = {
        "retrait": retrait,
        "today": today,
        "can_manage": perms.can_manage_withdrawal(user),
        "study_due": retrait.etat == EtatRetrait.ACCOMPAGNEMENT and today >= retrait.accompagnement_fin,
        "etude": etude,
        # The new study's figures: the DPID's control, once the structure has filed its panel.
        "etude_summary": panel_summary(etude) if etude is not None else None,
        "etude_control_visible": etude is not None and _control_is_visible(user, etude),
        "documents_panel": documents_panel(user, retrait),
    }
    return page_with_forms(
        request,
        "label/retrait_detail.html",
        context,
        forms=_retrait_forms(user, retrait, today),
        bound=bound,
        fallback=reverse("label:retrait_detail", args=[retrait.pk]),
    )


def _submit_retrait(request, pk, *, check, form, key, action):
    retrait = get_object_or_404(
        RetraitLabel.objects.visible_to(request.user).select_related("label__structure"), pk=pk
    )
    return _submit(request, retrait, check=check, form=form, key=key, action=action, page=_retrait_page)


def _can_manage_withdrawal(user, retrait):
    return perms.can_manage_withdrawal(user)


def _retrait_step(request, pk, step, success):
    """A button without input on the withdrawal's page: what prevents the step is said in a
    message on the page."""
    retrait = get_object_or_404(
        RetraitLabel.objects.visible_to(request.user).select_related("label__structure"), pk=pk
    )
    if not perms.can_manage_withdrawal(request.user):
        raise PermissionDenied
    try:
        step(retrait=retrait, user=request.user)
    except services.LabelError as error:
        _fail(request, error)
    else:
        retrait.refresh_from_db()
        messages.success(request, success(retrait))
    return redirect("label:retrait_detail", pk=pk)


@require_POST
def retrait_etude(request, pk):
    """After the SLAI support, open the new study: a new draw graded on the grid."""
    return _retrait_step(
        request,
        pk,
        services.retrait_ouvrir_etude,
        lambda retrait: (
            "Nouvelle étude ouverte : la structure tire au sort 5 CER par référent, les auto-évalue "
            "et dépose l'étude, puis la DPID les contrôle."
        ),
    )


@require_POST
def retrait_conclure(request, pk):
    """The new study's result decides: label maintained, or withdrawal notified."""
    return _retrait_step(
        request,
        pk,
        services.retrait_conclure_etude,
        lambda retrait: (
            "Nouvelle étude conclue : le label est maintenu."
            if retrait.etat == EtatRetrait.ABANDONNE
            else "Nouvelle étude conclue : qualité insuffisante, le retrait envisagé est notifié à la structure."
        ),
    )


@require_POST
def retrait_observations(request, pk):
    def action(retrait, data):
        services.retrait_observations(retrait=retrait, user=request.user, **data)
        return "Vos observations sont transmises au Département, qui y répondra dans sa décision."

    form = ObservationsForm(request.POST)
    return _submit_retrait(
        request, pk, check=perms.can_send_observations, form=form, key="observations", action=action
    )


@require_POST
def retrait_decider(request, pk):
    def action(retrait, data):
        services.retrait_decider(retrait=retrait, user=request.user, **data)
        return "Décision enregistrée. Préparez le courrier de décision."

    form = DecisionRetraitForm(request.POST)
    return _submit_retrait(request, pk, check=_can_manage_withdrawal, form=form, key="decision", action=action)
