"""Conventions and avenants: detail pages, state transitions, payments."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from financement import perms, services, workflow
from financement.forms import ResiliationForm, ResultatsForm, SignatureForm, VersementForm
from financement.models import (
    Avenant,
    Convention,
    EcheanceVersement,
    LigneAnnexe,
    ResultatsConvention,
    Versement,
)
from financement.resultats_portail import prefill, valeurs_accompagnement
from financement.solde import calcul_solde, solde_bloque
from portal.core.formats import format_euros
from portal.core.forms import add_service_error
from portal.documents.selectors import documents_panel


def convention_list(request):
    if not (request.scope.sees_departement or request.scope.is_structure_member):
        raise PermissionDenied
    conventions = (
        Convention.objects.visible_to(request.user)
        .select_related("structure")
        .annotate(verse=Sum("versements__montant"))
        .order_by("-numero")
    )
    return render(request, "financement/convention_list.html", {"conventions": conventions})


def _convention(request, pk):
    return get_object_or_404(
        Convention.objects.visible_to(request.user).select_related(
            "structure", "deliberation", "ligne_budgetaire", "ligne_annexe"
        ),
        pk=pk,
    )


def convention_detail(request, pk):
    return _convention_page(request, _convention(request, pk))


def _convention_page(request, convention, *, bound=None):
    """The convention's page; after a bad submission of one of its embedded forms, `bound` is
    (name, bound form) — for a payment ("versement", (échéance pk, form)) — and the page is shown
    again (200) with that form's errors next to its fields and what was typed kept."""
    bound_name, bound_form = bound or (None, None)
    avenants = list(convention.avenants.order_by("numero"))
    echeances = list(
        EcheanceVersement.objects.filter(convention=convention)
        .select_related("avenant")
        .prefetch_related("versement")
        .order_by("ordre")
    )
    for echeance in echeances:
        echeance.paid = getattr(echeance, "versement", None)
        echeance.form = VersementForm()
        if bound_name == "versement" and bound_form[0] == echeance.pk:
            echeance.form = bound_form[1]
    verse = Versement.objects.filter(convention=convention).total()
    plafond = convention.plafond(avenants)
    can_manage = perms.can_manage_finances(request.user)
    resultats = ResultatsConvention.objects.filter(convention=convention).first()
    indicateurs = list(convention.indicateurs.all())
    validated = resultats is not None and resultats.valide_at is not None
    if not validated and (indicateurs or convention.places_conventionnees):
        # Shown, not saved: the accompaniment's figures for what was not entered yet.
        resultats = resultats or ResultatsConvention(convention=convention)
        prefill(resultats, indicateurs, valeurs_accompagnement(convention, timezone.localdate()))
    calcul = calcul_solde(convention, resultats=resultats, indicateurs=indicateurs, plafond=plafond, deja_verse=verse)
    bilans = list(convention.bilans.select_related("avenant").order_by("date_limite", "pk"))
    return render(
        request,
        "financement/convention_detail.html",
        {
            "convention": convention,
            "acte": convention,
            "avenants": avenants,
            "echeances": echeances,
            "verse": verse,
            "plafond": plafond,
            "reste": plafond - verse,
            "transitions": convention.transitions.select_related("user"),
            "available": workflow.available_transitions(convention) if can_manage else [],
            "can_manage": can_manage,
            "signature_form": bound_form if bound_name == "signer" else SignatureForm(),
            "resiliation_form": bound_form if bound_name == "resilier" else ResiliationForm(),
            "resultats": resultats,
            "calcul": calcul,
            "resultats_form": (
                bound_form
                if bound_name == "resultats"
                else ResultatsForm(convention=convention, resultats=resultats, indicateurs=indicateurs)
            )
            if can_manage and not validated
            else None,
            "documents_panel": documents_panel(request.user, convention),
            "owner": convention,
            "bilans": bilans,
            "solde_bloque": solde_bloque(convention, bilans),
            "today": timezone.localdate(),
            "candidature_id": convention.ligne_annexe.candidature_id if convention.ligne_annexe_id else None,
        },
    )


def _avenant(request, pk):
    return get_object_or_404(
        Avenant.objects.visible_to(request.user).select_related(
            "convention__structure", "deliberation", "ligne_annexe"
        ),
        pk=pk,
    )


def avenant_detail(request, pk):
    return _avenant_page(request, _avenant(request, pk))


def _avenant_page(request, avenant, *, bound=None):
    bound_name, bound_form = bound or (None, None)
    can_manage = perms.can_manage_finances(request.user)
    return render(
        request,
        "financement/avenant_detail.html",
        {
            "avenant": avenant,
            "acte": avenant,
            "convention": avenant.convention,
            "fiches": avenant.fiches.all(),
            "transitions": avenant.transitions.select_related("user"),
            "available": workflow.available_transitions(avenant) if can_manage else [],
            "can_manage": can_manage,
            "signature_form": bound_form if bound_name == "signer" else SignatureForm(),
            "resiliation_form": bound_form if bound_name == "resilier" else ResiliationForm(),
            "documents_panel": documents_panel(request.user, avenant),
            "owner": avenant,
            "candidature_id": avenant.ligne_annexe.candidature_id if avenant.ligne_annexe_id else None,
        },
    )


def _acte_page(request, acte, *, bound):
    if isinstance(acte, Convention):
        return _convention_page(request, acte, bound=bound)
    return _avenant_page(request, acte, bound=bound)


def _transition(request, acte, code):
    if not perms.can_manage_finances(request.user):
        raise PermissionDenied
    data = {}
    if code in ("signer", "resilier"):
        form = (SignatureForm if code == "signer" else ResiliationForm)(request.POST)
        if not form.is_valid():
            return _acte_page(request, acte, bound=(code, form))
        data = form.cleaned_data
    elif code not in workflow.TRANSITIONS:
        raise PermissionDenied
    try:
        workflow.acte_transition(acte=acte, code=code, user=request.user, **data)
    except workflow.TransitionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{workflow.TRANSITIONS[code].label} : c'est fait.")
    return redirect(acte.get_absolute_url())


@require_POST
def convention_transition(request, pk, code):
    convention = get_object_or_404(Convention.objects.visible_to(request.user), pk=pk)
    return _transition(request, convention, code)


@require_POST
def avenant_transition(request, pk, code):
    avenant = get_object_or_404(Avenant.objects.visible_to(request.user).select_related("convention"), pk=pk)
    return _transition(request, avenant, code)


@require_POST
def versement_create(request, pk):
    echeance = get_object_or_404(
        EcheanceVersement.objects.filter(convention__in=Convention.objects.visible_to(request.user)), pk=pk
    )
    if not perms.can_manage_finances(request.user):
        raise PermissionDenied
    form = VersementForm(request.POST)
    if form.is_valid():
        try:
            services.versement_enregistrer(echeance=echeance, user=request.user, **form.cleaned_data)
        except services.FinancementError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Versement enregistré.")
            return redirect("financement:convention_detail", pk=echeance.convention_id)
    return _convention_page(
        request, _convention(request, echeance.convention_id), bound=("versement", (echeance.pk, form))
    )


@require_POST
def resultats_update(request, pk):
    convention = _convention(request, pk)
    if not perms.can_manage_finances(request.user):
        raise PermissionDenied
    resultats = ResultatsConvention.objects.filter(convention=convention).first()
    form = ResultatsForm(request.POST, convention=convention, resultats=resultats)
    if form.is_valid():
        try:
            services.resultats_enregistrer(
                convention=convention,
                places_realisees=form.cleaned_data["places_realisees"],
                etp_realises=form.cleaned_data["etp_realises"],
                valeurs=form.valeurs(),
                user=request.user,
            )
        except services.FinancementError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Résultats enregistrés : le calcul du solde est à jour.")
            return redirect(convention.get_absolute_url())
    return _convention_page(request, convention, bound=("resultats", form))


@require_POST
def solde_valider(request, pk):
    convention = get_object_or_404(Convention.objects.visible_to(request.user), pk=pk)
    if not perms.can_manage_finances(request.user):
        raise PermissionDenied
    try:
        resultats = services.solde_valider(convention=convention, user=request.user)
    except services.FinancementError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Solde validé : {format_euros(resultats.solde_valide)}.")
    return redirect(convention.get_absolute_url())


@require_POST
def acte_from_ligne(request, pk):
    ligne = get_object_or_404(LigneAnnexe.objects.visible_to(request.user).select_related("deliberation"), pk=pk)
    if not perms.can_manage_finances(request.user):
        raise PermissionDenied
    try:
        acte = services.acte_from_ligne(ligne=ligne, user=request.user)
    except services.FinancementError as error:
        messages.error(request, str(error))
        return redirect(ligne.deliberation.get_absolute_url())
    messages.success(request, f"{acte} préparé(e) en brouillon : vérifiez-le puis produisez le PDF.")
    return redirect(acte.get_absolute_url())
