"""Pages of the funding domain: budget lines, deliberations with their annex, simulations."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from financement import perms, services, subventions, tables
from financement import tableau_de_bord as tableau_de_bord_selectors
from financement.exports import ANNEX_HEADER, annex_rows
from financement.forms import SimulationForm, VoteForm
from financement.models import (
    Article,
    AutorisationEngagement,
    Avenant,
    Convention,
    Deliberation,
    LigneAnnexe,
    LigneBudgetaire,
    SimulationProgrammation,
)
from financement.selectors import annex_by_thematique, annex_lines, imputation_table, simulations_comparison
from portal.documents.selectors import documents_panel


def _require_finances(request):
    if not perms.can_view_finances(request.user):
        raise PermissionDenied


def _deliberation(request, numero):
    return get_object_or_404(Deliberation.objects.visible_to(request.user).select_related("session"), numero=numero)


def lignes(request):
    _require_finances(request)
    autorisations = (
        AutorisationEngagement.objects.visible_to(request.user)
        .with_engage()
        .select_related("ligne_budgetaire")
        .order_by("-annee", "ligne_budgetaire__code_operation")
    )
    return render(
        request,
        "financement/lignes.html",
        {
            "autorisations": autorisations,
            "deliberations": Deliberation.objects.visible_to(request.user)
            .select_related("session")
            .annotate(nb_lignes=Count("lignes"))[:10],
        },
    )


def subventions_export(request):
    """The SCDL open-data file of subsidies, as published (CSV or JSON)."""
    _require_finances(request)
    format = request.GET.get("format", "csv")
    if format not in ("csv", "json"):
        raise Http404
    try:
        rows = subventions.subventions_rows()
    except subventions.SubventionsError as error:
        messages.error(request, str(error))
        return redirect("financement:lignes")
    if format == "csv":
        response = HttpResponse(subventions.subventions_csv(rows), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(subventions.subventions_json(rows), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="subventions-scdl-2.1.1.{format}"'
    return response


def tableau_de_bord(request):
    """Voted, committed, paid per budget line, and what each euro paid bought, for one year."""
    _require_finances(request)
    today = timezone.localdate()
    annees = tableau_de_bord_selectors.annees_disponibles(today)
    annee = request.GET.get("annee", "")
    annee = int(annee) if annee.isdigit() and int(annee) in annees else annees[0]
    lignes = list(tableau_de_bord_selectors.budget_lines(request.user, annee))
    couts, total = tableau_de_bord_selectors.cout_par_resultat(request.user, annee, today)
    if request.GET.get("format") in ("csv", "xlsx"):
        header = [
            "Structure",
            "Payé (€)",
            "Personnes accompagnées",
            "CER signés",
            "Sorties dynamiques",
            "Coût par personne (€)",
            "Coût par sortie dynamique (€)",
        ]
        rows = [
            [
                c.nom,
                c.paye,
                c.accompagnes,
                c.cer_signes,
                c.sorties_dynamiques,
                c.cout_par_personne,
                c.cout_par_sortie_dynamique,
            ]
            for c in couts
        ]
        name = f"cout-par-resultat-{annee}"
        if request.GET["format"] == "csv":
            response = HttpResponse(tables.csv_bytes(header, rows), content_type="text/csv; charset=utf-8")
        else:
            response = HttpResponse(
                tables.xlsx_bytes("Coût par résultat", header, rows, money_columns=(1, 5, 6)),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        response["Content-Disposition"] = f'attachment; filename="{name}.{request.GET["format"]}"'
        return response
    return render(
        request,
        "financement/tableau_de_bord.html",
        {"annee": annee, "annees": annees, "lignes": lignes, "couts": couts, "total": total},
    )


def ligne_detail(request, pk):
    _require_finances(request)
    ligne = get_object_or_404(LigneBudgetaire.objects.visible_to(request.user), pk=pk)
    return render(
        request,
        "financement/ligne_detail.html",
        {
            "ligne": ligne,
            "autorisations": AutorisationEngagement.objects.filter(ligne_budgetaire=ligne).with_engage(),
            "articles": Article.objects.filter(ligne_budgetaire=ligne)
            .select_related("deliberation")
            .order_by("-deliberation__date", "numero"),
        },
    )


def deliberation_list(request):
    _require_finances(request)
    deliberations = (
        Deliberation.objects.visible_to(request.user)
        .select_related("session")
        .annotate(total_vote=Sum("articles__montant_vote"))
    )
    return render(request, "financement/deliberation_list.html", {"deliberations": deliberations})


def deliberation_detail(request, numero):
    _require_finances(request)
    deliberation = _deliberation(request, numero)
    lignes = annex_lines(deliberation)
    groups = annex_by_thematique(deliberation, lignes)
    show_actions = perms.can_manage_finances(request.user) and bool(deliberation.adoptee)
    actes = {}
    if show_actions:
        conventions = Convention.objects.filter(ligne_annexe__deliberation=deliberation)
        avenants = Avenant.objects.filter(ligne_annexe__deliberation=deliberation).select_related("convention")
        actes = {acte.ligne_annexe_id: acte for acte in [*conventions, *avenants]}
    return render(
        request,
        "financement/deliberation_detail.html",
        {
            "show_actions": show_actions,
            "lien_candidatures": True,
            "actes": actes,
            "deliberation": deliberation,
            "groups": groups,
            "imputations": imputation_table(deliberation),
            "nb_lignes": len(lignes),
            "documents_panel": documents_panel(request.user, deliberation),
            "owner": deliberation,
            "can_manage": perms.can_manage_finances(request.user),
        },
    )


def deliberation_export(request, numero, format):
    _require_finances(request)
    deliberation = _deliberation(request, numero)
    name = f"annexe-deliberation-{deliberation.numero}"
    rows = annex_rows(deliberation)
    if format == "csv":
        response = HttpResponse(tables.csv_bytes(ANNEX_HEADER, rows), content_type="text/csv; charset=utf-8")
    elif format == "xlsx":
        response = HttpResponse(
            tables.xlsx_bytes(
                "Annexe", ANNEX_HEADER, rows, money_columns=(9,), note=f"{deliberation} – {deliberation.intitule}"
            ),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{name}.{format}"'
    return response


def _simulations_page(request, deliberation, form):
    budget_lines, available, columns = simulations_comparison(deliberation)
    return render(
        request,
        "financement/simulations.html",
        {
            "deliberation": deliberation,
            "budget_lines": budget_lines,
            "available": available,
            "columns": columns,
            "form": form,
            "can_manage": form is not None,
        },
    )


def simulations(request, numero):
    _require_finances(request)
    deliberation = _deliberation(request, numero)
    can_manage = perms.can_manage_finances(request.user) and not deliberation.is_voted
    return _simulations_page(request, deliberation, SimulationForm(deliberation=deliberation) if can_manage else None)


@require_POST
def simulation_create(request, numero):
    _require_finances(request)
    deliberation = _deliberation(request, numero)
    if not perms.can_manage_finances(request.user):
        raise PermissionDenied
    form = SimulationForm(request.POST, deliberation=deliberation)
    if form.is_valid():
        try:
            services.simulation_create(
                deliberation=deliberation,
                nom=form.cleaned_data["nom"],
                lignes=form.cleaned_data["lignes"],
                user=request.user,
            )
        except services.FinancementError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Simulation enregistrée.")
            return redirect("financement:simulations", numero=deliberation.numero)
    return _simulations_page(request, deliberation, form)


@require_POST
def simulation_promote(request, pk):
    _require_finances(request)
    simulation = get_object_or_404(
        SimulationProgrammation.objects.visible_to(request.user).select_related("deliberation"), pk=pk
    )
    if not perms.can_manage_finances(request.user):
        raise PermissionDenied
    try:
        services.simulation_promote(simulation=simulation, user=request.user)
    except services.FinancementError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"La simulation « {simulation.nom} » est promue : ses propositions vont au vote.")
    return redirect("financement:simulations", numero=simulation.deliberation.numero)


def _vote_form(deliberation, data=None):
    totals = (
        LigneAnnexe.objects.filter(deliberation=deliberation, retenue=True)
        .values("thematique")
        .annotate(total=Sum("montant"))
        .order_by("thematique")
    )
    return VoteForm(data, thematiques=[(row["thematique"], row["total"]) for row in totals])


def deliberation_voter(request, numero):
    """The DPID records the Commission Permanente's vote and the amounts voted per thématique."""
    _require_finances(request)
    deliberation = _deliberation(request, numero)
    if not perms.can_manage_finances(request.user):
        raise PermissionDenied
    if deliberation.is_voted:
        messages.info(request, "Action déjà effectuée : le vote est enregistré.")
        return redirect(deliberation.get_absolute_url())
    form = _vote_form(deliberation, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.deliberation_voter(
                deliberation=deliberation,
                date=data["date"],
                vote_pour=data["vote_pour"],
                vote_contre=data["vote_contre"],
                vote_abstention=data["vote_abstention"],
                vote_absents=data["vote_absents"],
                membres_interesses=data["membres_interesses"],
                adoptee=data["adoptee"],
                articles=form.articles(),
                user=request.user,
            )
        except services.FinancementError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Vote enregistré.")
            return redirect(deliberation.get_absolute_url())
    return render(request, "financement/deliberation_voter.html", {"deliberation": deliberation, "form": form})
