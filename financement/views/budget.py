"""Pages of the funding domain: budget lines, deliberations with their annex, simulations."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
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
from portal.core import tabular
from portal.core.views import paginate, querystring_without_page
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


def _dashboard_filters(request):
    form = tableau_de_bord_selectors.FiltresForm(request.GET or None, user=request.user, today=timezone.localdate())
    if form.is_bound:
        form.is_valid()
    return form, form.filtres()


def _money(value):
    return (value, tabular.MONEY)


def _budget_export(tableau):
    header = [tableau.titre, "Voté (€)", "Engagé (€)", "Payé (€)", "Reste à payer (€)"]
    if tableau.dimension == "ligne":
        header += ["AE (€)", "Disponible (€)"]
    rows = []
    for ligne in [*tableau.lignes, tableau.total]:
        row = [ligne.libelle, _money(ligne.vote), _money(ligne.engage), _money(ligne.paye), _money(ligne.reste)]
        if tableau.dimension == "ligne":
            row += [_money(ligne.ae), _money(ligne.disponible)]
        rows.append(row)
    return header, rows


def _cost_export(couts, total, titre):
    header = [
        titre,
        "Payé (€)",
        "Places financées",
        "Personnes accompagnées",
        "CER signés",
        "Sorties dynamiques",
        "Réorientations",
        "Coût par personne accompagnée (€)",
        "Coût par sortie dynamique (€)",
    ]
    rows = [
        [
            c.libelle_complet,
            _money(c.paye),
            c.places,
            c.accompagnes,
            c.cer_signes,
            c.sorties_dynamiques,
            c.reorientations,
            _money(c.cout_par_personne),
            _money(c.cout_par_sortie_dynamique),
        ]
        for c in [*couts, total]
    ]
    return header, rows


def _payments_export(serie):
    header = ["Mois", "Nombre de versements", "Montant versé (€)", "Cumul (€)"]
    return header, [[m["libelle"], m["nombre"], _money(m["montant"]), _money(m["cumul"])] for m in serie]


EXPORTS = {
    "lignes": "par-ligne",
    "thematiques": "par-thematique",
    "territoires": "par-territoire",
    "structures": "par-structure",
    "couts": "cout-par-resultat",
    "versements": "versements-par-mois",
}


def _chart(tableau):
    return {
        "titre": tableau.titre,
        # Budget lines by their code (the table beside gives the label): short bars' labels.
        "libelles": [
            ligne.libelle.split(" – ")[0] if tableau.dimension == "ligne" else ligne.libelle
            for ligne in tableau.lignes
        ],
        "series": [
            {"nom": nom, "valeurs": [float(getattr(ligne, code)) for ligne in tableau.lignes]}
            for code, nom in (("vote", "Voté"), ("engage", "Engagé"), ("paye", "Payé"), ("reste", "Reste à payer"))
        ],
    }


def tableau_de_bord(request):
    """Voted, committed, paid and left to pay per budget line, thématique, territory and structure;
    the payments month by month; what each euro paid bought. Filters apply to every table, chart
    and download. Read-only: managers and the DPID see the same page."""
    _require_finances(request)
    today = timezone.localdate()
    form, filtres = _dashboard_filters(request)
    selectors = tableau_de_bord_selectors
    convs = selectors.conventions(request.user, filtres)
    # Each convention with its measures, read once: every table below groups these rows.
    conv_rows = selectors.mesures(convs)
    totaux = selectors.totaux(request.user, filtres, convs, conv_rows)
    libelles = selectors.Libelles(request.user, form.thematiques, form)
    dimensions = {
        "lignes": "ligne",
        "thematiques": "thematique",
        "territoires": "territoire",
        "structures": "structure",
    }
    titre_couts = selectors.GROUPEMENTS[filtres.par][1]
    export = request.GET.get("tableau")
    if export in EXPORTS and request.GET.get("format") in ("csv", "xlsx"):
        # A download computes only its own table.
        if export == "couts":
            couts, total, _periode = selectors.cout_par_resultat(
                request.user, filtres, convs, libelles, today, totaux, conv_rows
            )
            header, rows = _cost_export(couts, total, titre_couts)
            titre = "Coût par résultat"
        elif export == "versements":
            header, rows = _payments_export(selectors.versements_par_mois(filtres, convs))
            titre = "Versements par mois"
        else:
            tableau = selectors.tableau_budget(
                request.user, filtres, dimensions[export], convs, libelles, totaux, conv_rows
            )
            header, rows = _budget_export(tableau)
            titre = f"Par {tableau.titre.lower()}"
        name = f"financement-{EXPORTS[export]}-{filtres.annee}"
        if request.GET["format"] == "csv":
            response = HttpResponse(tabular.csv_bytes(header, rows), content_type=tabular.CSV_CONTENT_TYPE)
        else:
            note = f"Financement {filtres.annee} – {titre}"
            response = HttpResponse(
                tabular.xlsx_bytes(titre, header, rows, note=note, wrap=True), content_type=tabular.XLSX_CONTENT_TYPE
            )
        response["Content-Disposition"] = f'attachment; filename="{name}.{request.GET["format"]}"'
        return response
    tableaux = {
        name: selectors.tableau_budget(request.user, filtres, dimension, convs, libelles, totaux, conv_rows)
        for name, dimension in dimensions.items()
    }
    serie = selectors.versements_par_mois(filtres, convs)
    couts, total, periode = selectors.cout_par_resultat(
        request.user, filtres, convs, libelles, today, totaux, conv_rows
    )
    params = filtres.params()
    graphiques = {
        "lignes": _chart(tableaux["lignes"]),
        "territoires": _chart(tableaux["territoires"]),
        "versements": {
            "libelles": [m["libelle"] for m in serie],
            "montants": [float(m["montant"]) for m in serie],
            "cumul": [float(m["cumul"]) for m in serie],
        },
    }
    return render(
        request,
        "financement/tableau_de_bord.html",
        {
            "form": form,
            "filtres": filtres,
            "annee": filtres.annee,
            "tableaux": tableaux,
            "serie": serie,
            "couts": couts,
            "total": total,
            "titre_couts": titre_couts,
            "periode": periode,
            "graphiques": graphiques,
            "exports": {
                name: {fmt: "?" + urlencode({**params, "tableau": name, "format": fmt}) for fmt in ("csv", "xlsx")}
                for name in EXPORTS
            },
        },
    )


def tableau_de_bord_personnes(request):
    """The people behind a figure of "what each euro bought", within the viewer's scope: the
    orientations of the group's (structure, territory) pairs counted by the same condition."""
    from accompagnement import indicateurs
    from accompagnement.enums import MotifSortie
    from accompagnement.models import Beneficiaire
    from portal.audit.services import list_record

    _require_finances(request)
    today = timezone.localdate()
    form, filtres = _dashboard_filters(request)
    population = request.GET.get("population", "accompagnes")
    if population not in tableau_de_bord_selectors.RESULTATS:
        raise Http404
    cle = request.GET.get("cle", "")
    orientations = tableau_de_bord_selectors.orientations_du_groupe(request.user, filtres, cle)
    if orientations is None:
        raise Http404
    periode = tableau_de_bord_selectors.periode_resultats(filtres, today)
    people = indicateurs.personnes(orientations, periode=periode, population=population, today=today)
    titre, numerateur, numerateur_libelle = indicateurs.POPULATIONS[population]
    page = paginate(request, people)
    list_record(
        user=request.user,
        model=Beneficiaire,
        people=[orientation.beneficiaire_id for orientation in page.object_list],
        request=request,
        what=f"Personnes derrière un chiffre du tableau de bord du financement ({titre}), page {page.number}",
    )
    return render(
        request,
        "financement/tableau_de_bord_personnes.html",
        {
            "page": page,
            "querystring": querystring_without_page(request),
            "titre": titre,
            "numerateur": numerateur,
            "numerateur_libelle": numerateur_libelle,
            "motifs": dict(MotifSortie.choices),
            "periode": periode,
            "groupe": tableau_de_bord_selectors.libelle_du_groupe(request.user, filtres, cle, form.thematiques),
            "retour": reverse("financement:tableau_de_bord") + "?" + urlencode(filtres.params()),
        },
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
