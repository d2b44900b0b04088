"""Indicators, the people behind each figure, their exports, and the monthly reporting."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from accompagnement import gardes, indicateurs, perms, xlsx
from accompagnement.enums import MotifSortie
from accompagnement.forms.indicateurs import IndicateursForm, grouper_par_defaut
from accompagnement.indicateurs import COLONNES, COLONNES_SORTIES, GROUPES, POPULATIONS, Periode
from accompagnement.models import IndicateurMensuel, Orientation, ReportingMensuel
from accompagnement.services import AccompagnementError
from portal.core.dates import add_months
from portal.core.formats import de_mois, format_date, mois_fr
from portal.core.views import paginate, querystring_without_page
from portal.referentiels.models import Structure

AUCUN = "aucun"  # the group of orientations without referent
EXPORT_COLONNES = COLONNES + [c for c in COLONNES_SORTIES if c.code != "sorties_dynamiques"]


def _form(request):
    """Bound to the query string over the defaults, so that the fields show the period used."""
    data = request.GET.copy()
    default = Periode.douze_derniers_mois(timezone.localdate())
    data.setdefault("du", default.du.isoformat())
    data.setdefault("au", default.au.isoformat())
    # The grouping used shows in its field too (the select showed its first choice, "Référent").
    data.setdefault("grouper", grouper_par_defaut(request.user.scope))
    return IndicateursForm(data, user=request.user)


def _params(form):
    """The query string that reproduces the form's choices (explicit period, no sort, no page)."""
    data = form.cleaned_data
    params = {"du": data["periode"].du.isoformat(), "au": data["periode"].au.isoformat(), "grouper": data["grouper"]}
    for name in ("type_accompagnement", "territoire", "structure"):
        if data.get(name):
            params[name] = data[name].pk
    return params


def _cellules(ligne, colonnes, params, *, total=False):
    people_url = reverse("accompagnement:indicateurs_personnes")
    cells = []
    for colonne, value, reached in ligne.cellules(colonnes):
        query = {**params, "population": colonne.personnes}
        if not total:
            query["groupe"] = AUCUN if ligne.cle is None else ligne.cle
        cells.append(
            {
                "colonne": colonne,
                "texte": indicateurs.format_valeur(colonne, value),
                "url": f"{people_url}?{urlencode(query)}",
                "atteinte": reached,
            }
        )
    return cells


def _gardes(request, form, queryset, periode, today):
    """The kept figures of the period's closed months, in the user's scope and the form's filters."""
    scoped = form.filter(IndicateurMensuel.objects.visible_to(request.user), garde=True)
    return gardes.preparer(scoped, queryset, periode, today)


def indicateurs_page(request):
    """Indicators of the user's scope (a referent: their own line), with the monthly chart."""
    form = _form(request)
    context = {"form": form, "ok": form.is_valid()}
    if context["ok"]:
        data = form.cleaned_data
        periode, grouper = data["periode"], data["grouper"]
        tri = data.get("tri") or ""
        queryset = form.filter(Orientation.objects.visible_to(request.user))
        today = timezone.localdate()
        kept = _gardes(request, form, queryset, periode, today)
        lignes, total = indicateurs.tableau(
            queryset,
            periode=periode,
            grouper=grouper,
            today=today,
            tri=tri.lstrip("-"),
            descendant=tri.startswith("-"),
            gardes=kept,
        )
        params = _params(form)
        serie = indicateurs.serie_mensuelle(queryset, periode, gardes=kept)
        context.update(
            {
                "gardes": kept,
                "periode": periode,
                "groupe_libelle": GROUPES[grouper][1],
                "tri": tri,
                "entetes": [
                    {
                        "colonne": c,
                        "url": "?" + urlencode({**params, "tri": c.code if tri != c.code else f"-{c.code}"}),
                        "sens": "ascending" if tri == c.code else "descending" if tri == f"-{c.code}" else "",
                    }
                    for c in COLONNES
                ],
                "lignes": [(ligne, _cellules(ligne, COLONNES, params)) for ligne in lignes],
                "total": _cellules(total, COLONNES, params, total=True),
                "total_ligne": total,
                "lignes_sorties": [(ligne, _cellules(ligne, COLONNES_SORTIES, params)) for ligne in lignes],
                "total_sorties": _cellules(total, COLONNES_SORTIES, params, total=True),
                "colonnes_sorties": COLONNES_SORTIES,
                "serie": serie,
                "export_csv": "?" + urlencode({**params, "format": "csv"}),
                "export_xlsx": "?" + urlencode({**params, "format": "xlsx"}),
                "raccourcis": [
                    ("12 derniers mois complets", Periode.douze_derniers_mois(today)),
                    (f"Année {today.year - 1}", Periode.annee(today.year - 1)),
                    (f"Année {today.year} (en cours)", Periode(datetime.date(today.year, 1, 1), today)),
                ],
                "raccourci_params": urlencode({k: v for k, v in params.items() if k not in ("du", "au")}),
                "cible_contractualisation": indicateurs.CIBLE_CONTRACTUALISATION,
                "cible_entretiens": indicateurs.CIBLE_ENTRETIENS_PAR_PLACE,
            }
        )
    return render(request, "accompagnement/indicateurs.html", context)


def indicateurs_personnes(request):
    """The people behind one figure, within the user's scope; a group out of scope is a 404."""
    form = _form(request)
    population = request.GET.get("population", "entrees")
    if population not in POPULATIONS or not form.is_valid():
        raise Http404
    data = form.cleaned_data
    queryset = form.filter(Orientation.objects.visible_to(request.user))
    groupe = request.GET.get("groupe")
    libelle_groupe = ""
    if groupe:
        key = GROUPES[data["grouper"]][0]
        if groupe == AUCUN:
            queryset = queryset.filter(**{f"{key}__isnull": True})
        elif groupe.isdigit():
            queryset = queryset.filter(**{key: int(groupe)})
        else:
            raise Http404
        if not queryset.exists():
            raise Http404  # a group outside the scope has no visible orientation
        if groupe == AUCUN:
            libelle_groupe = indicateurs.SANS_GROUPE[data["grouper"]]
        else:
            libelle_groupe = indicateurs.libelles_groupes(data["grouper"], [int(groupe)]).get(int(groupe), "")
    people = indicateurs.personnes(
        queryset, periode=data["periode"], population=population, today=timezone.localdate()
    )
    titre, numerateur, numerateur_libelle = POPULATIONS[population]
    page = paginate(request, people)
    from accompagnement.models import Beneficiaire
    from portal.audit.services import list_record

    list_record(
        user=request.user,
        model=Beneficiaire,
        people=[orientation.beneficiaire_id for orientation in page.object_list],
        request=request,
        what=f"Personnes derrière un indicateur ({titre}), page {page.number}",
    )
    context = {
        "page": page,
        "querystring": querystring_without_page(request),
        "titre": titre,
        "numerateur": numerateur,
        "numerateur_libelle": numerateur_libelle,
        "motifs": dict(MotifSortie.choices),
        "periode": data["periode"],
        "groupe_libelle": GROUPES[data["grouper"]][1],
        "libelle_groupe": libelle_groupe,
        "retour": reverse("accompagnement:indicateurs") + "?" + urlencode(_params(form)),
    }
    return render(request, "accompagnement/indicateurs_personnes.html", context)


def indicateurs_export(request):
    """The indicators table as CSV or XLSX, same filters (aggregates only: no personal data)."""
    form = _form(request)
    export_format = request.GET.get("format", "csv")
    if export_format not in ("csv", "xlsx"):
        raise Http404
    if not form.is_valid():
        messages.error(request, "La période choisie n'est pas valide : corrigez-la avant d'exporter.")
        return redirect(reverse("accompagnement:indicateurs") + "?" + request.GET.urlencode())
    data = form.cleaned_data
    periode = data["periode"]
    queryset = form.filter(Orientation.objects.visible_to(request.user))
    today = timezone.localdate()
    lignes, total = indicateurs.tableau(
        queryset,
        periode=periode,
        grouper=data["grouper"],
        today=today,
        gardes=_gardes(request, form, queryset, periode, today),
    )
    header = [GROUPES[data["grouper"]][1]] + [
        f"{c.label} (%)" if c.kind == "taux" else c.label for c in EXPORT_COLONNES
    ]
    rows = [
        [ligne.libelle] + [(value, colonne.kind) for colonne, value, _ in ligne.cellules(EXPORT_COLONNES)]
        for ligne in [*lignes, total]
    ]
    name = f"indicateurs_{periode.du.isoformat()}_{periode.au.isoformat()}"
    if export_format == "csv":
        response = HttpResponse(xlsx.csv_bytes(header, rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    note = f"Indicateurs du {format_date(periode.du)} au {format_date(periode.au)}"
    response = HttpResponse(
        xlsx.xlsx_bytes("Indicateurs", header, rows, note=note),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


# --- monthly reporting -----------------------------------------------------------------------


def _mois_or_404(annee, mois):
    """A month up to the current one (a report of the future does not exist)."""
    try:
        month = datetime.date(annee, mois, 1)
    except ValueError as error:
        raise Http404 from error
    if month > timezone.localdate():
        raise Http404
    return month


def reporting_list(request):
    """A structure: its last 12 months; SLAI, DPID and managers: every structure of their scope
    for one month (?mois=AAAA-MM, the previous month by default), the late ones first."""
    today = timezone.localdate()
    scope = request.scope
    if scope.is_structure_member:
        structure = get_object_or_404(Structure.objects.visible_to(request.user), pk=scope.structure_id)
        months = [add_months(today.replace(day=1), -i) for i in range(12)]
        validated = {
            r.mois: r
            for r in ReportingMensuel.objects.filter(structure=structure, mois__in=months).select_related("valide_par")
        }
        rows = [_etat(m, validated.get(m), today) for m in months]
        context = {
            "structure": structure,
            "rows": rows,
            "par_structure": False,
            "can_validate": perms.can_validate_reporting(request.user, structure),
        }
        return render(request, "accompagnement/reporting_list.html", context)
    try:
        mois = datetime.date.fromisoformat(request.GET.get("mois", "") + "-01")
    except ValueError:
        mois = add_months(today.replace(day=1), -1)
    structures = indicateurs.structures_a_reporter(Structure.objects.visible_to(request.user), mois).order_by("nom")
    late = (
        indicateurs.reportings_en_retard(structures, mois).count() if indicateurs.reporting_is_late(mois, today) else 0
    )
    retard_seulement = request.GET.get("retard") == "1"
    if retard_seulement:  # the home page's count of late reports links here
        structures = indicateurs.reportings_en_retard(structures, mois)
    page = paginate(request, structures)
    validated = {
        r.structure_id: r
        for r in ReportingMensuel.objects.filter(mois=mois, structure__in=list(page.object_list)).select_related(
            "valide_par"
        )
    }
    rows = [(s, _etat(mois, validated.get(s.pk), today)) for s in page.object_list]
    context = {
        "par_structure": True,
        "mois": mois,
        "mois_libelle": mois_fr(mois),
        "de_mois_libelle": de_mois(mois),
        "precedent": add_months(mois, -1).isoformat()[:7],
        "suivant": add_months(mois, 1).isoformat()[:7] if add_months(mois, 1) <= today else "",
        "date_limite": indicateurs.reporting_date_limite(mois),
        "rows": rows,
        "page": page,
        "querystring": querystring_without_page(request),
        "en_retard": late,
        "retard_seulement": retard_seulement,
    }
    return render(request, "accompagnement/reporting_list.html", context)


def _etat(mois, reporting, today):
    return {
        "mois": mois,
        "libelle": mois_fr(mois),
        "de_mois": de_mois(mois),
        "reporting": reporting,
        "termine": indicateurs.mois_termine(mois, today),
        "date_limite": indicateurs.reporting_date_limite(mois),
        "en_retard": indicateurs.mois_termine(mois, today)
        and indicateurs.reporting_is_late(mois, today, valide=reporting is not None),
    }


def reporting_detail(request, structure_pk, annee, mois):
    """The month's figures: frozen once validated, computed live until then."""
    structure = get_object_or_404(Structure.objects.visible_to(request.user), pk=structure_pk)
    month = _mois_or_404(annee, mois)
    reporting = (
        ReportingMensuel.objects.visible_to(request.user)
        .filter(structure=structure, mois=month)
        .select_related("valide_par")
        .first()
    )
    donnees = reporting.donnees if reporting else indicateurs.reporting_donnees(structure, month)
    today = timezone.localdate()
    context = {
        "structure": structure,
        "reporting": reporting,
        "donnees": donnees,
        "lignes": indicateurs.reporting_lignes(donnees),
        "etat": _etat(month, reporting, today),
        "can_validate": reporting is None
        and indicateurs.mois_termine(month, today)
        and perms.can_validate_reporting(request.user, structure),
    }
    return render(request, "accompagnement/reporting_detail.html", context)


@require_POST
def reporting_valider(request, structure_pk, annee, mois):
    structure = get_object_or_404(Structure.objects.visible_to(request.user), pk=structure_pk)
    month = _mois_or_404(annee, mois)
    if not perms.can_validate_reporting(request.user, structure):
        raise PermissionDenied
    try:
        indicateurs.reporting_validate(structure=structure, mois=month, user=request.user, request=request)
        messages.success(request, f"Reporting {de_mois(month)} validé : ses chiffres sont figés.")
    except AccompagnementError as error:
        messages.error(request, str(error))
    return redirect("accompagnement:reporting_detail", structure_pk=structure.pk, annee=annee, mois=mois)
