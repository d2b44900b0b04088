"""Dashboards of the funding domain, for managers and the DPID.

For a year and the chosen filters (budget line, thématique, territory, structure):
- per budget line, thématique, territory and structure: voted, committed, paid and left to pay;
- the payments month by month;
- what each euro bought: per convention, thématique, territory (or both) and structure, the
  amount paid beside the places funded and the accompaniment's results (people accompanied, CERs
  signed, dynamic exits, reorientations), and the cost per person and per dynamic exit.

Every sum is computed in the database; the number of queries does not depend on the number of
conventions.

Where a convention sits: its thématique and territory are those of the annex line it comes from
(a convention signed before the portal, such as 2024-01213, takes the line of its first avenant
voted in the portal); its budget line is its imputation, else its annex line's. An avenant counts
where its convention counts.

What a convention's euros bought: the results of its structure's people living on its territory
(all its people for a departmental action), over the year up to today. A group (thématique,
territory…) counts each (structure, territory) pair once, however many conventions it holds.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    When,
)
from django.db.models.functions import Coalesce, ExtractYear, TruncMonth
from django.urls import reverse
from django.utils.http import urlencode

from financement.models import (
    ZERO,
    Article,
    AutorisationEngagement,
    Avenant,
    Convention,
    Deliberation,
    LigneAnnexe,
    LigneBudgetaire,
    Versement,
    money_field,
)
from portal.core.formats import mois_fr
from portal.core.widgets import Select
from portal.referentiels.models import Structure, Territoire

SIGNED = ("signee", "echue", "resiliee")
CENT = Decimal("0.01")
AUCUN = "aucun"  # the key of a group without thématique, territory or budget line

# The budget tables: dimension → (annotation of the conventions, field of the annex lines, title)
DIMENSIONS = {
    "ligne": ("ligne_eff", "ligne_budgetaire_id", "Ligne budgétaire"),
    "thematique": ("thematique_eff", "thematique", "Thématique"),
    "territoire": ("territoire_eff", "territoire_id", "Territoire"),
    "structure": ("structure_id", "structure_id", "Structure"),
}
# The cost-per-result table: grouping → (annotations of the conventions, title)
GROUPEMENTS = {
    "thematique_territoire": (("thematique_eff", "territoire_eff"), "Thématique et territoire"),
    "convention": (("pk",), "Convention"),
    "thematique": (("thematique_eff",), "Thématique"),
    "territoire": (("territoire_eff",), "Territoire"),
    "structure": (("structure_id",), "Structure"),
}
# The accompaniment's populations behind the figures (keys of accompagnement.indicateurs.conditions)
RESULTATS = {
    "accompagnes": "Personnes accompagnées",
    "cer_signe": "CER signés",
    "sorties_dynamiques": "Sorties dynamiques",
    "sorties_reorientation": "Réorientations",
}


def annees_disponibles(today: datetime.date):
    """The years with a payment, an adopted deliberation or a signed convention (one query)."""

    def years_of(queryset, field_name):
        return (
            queryset.filter(**{f"{field_name}__isnull": False})
            .annotate(annee=ExtractYear(field_name))
            .values_list("annee", flat=True)
            .order_by()
        )

    years = set(
        years_of(Versement.objects.all(), "date_versement")
        .union(
            years_of(Deliberation.objects.filter(adoptee=True), "date"),
            years_of(Convention.objects.filter(etat__in=SIGNED), "signe_departement_le"),
        )
        .order_by("annee")
    )
    years.add(today.year)
    return sorted((y for y in years if y <= today.year), reverse=True)


# --- filters -----------------------------------------------------------------------------------


class FiltresForm(forms.Form):
    """The dashboard's filters (GET). A wrong value is reported and that filter ignored."""

    annee = forms.TypedChoiceField(label="Année", coerce=int, required=False, widget=Select)
    ligne = forms.ModelChoiceField(
        label="Ligne budgétaire", queryset=None, required=False, empty_label="Toutes", widget=Select
    )
    thematique = forms.ChoiceField(label="Thématique", required=False, widget=Select)
    territoire = forms.ModelChoiceField(
        label="Territoire", queryset=None, required=False, empty_label="Tous", widget=Select
    )
    structure = forms.ModelChoiceField(
        label="Structure", queryset=None, required=False, empty_label="Toutes", widget=Select
    )
    par = forms.ChoiceField(
        label="Ce que chaque euro a permis, par",
        required=False,
        choices=[(key, title) for key, (_, title) in GROUPEMENTS.items()],
        widget=Select,
    )

    def __init__(self, data, *, user, today, **kwargs):
        super().__init__(data, **kwargs)
        self.annees = annees_disponibles(today)
        self.fields["annee"].choices = [(y, y) for y in self.annees]
        self.thematiques = thematique_labels()
        self.fields["thematique"].choices = [("", "Toutes")] + [
            (code, f"{code} – {label}" if label else code) for code, label in self.thematiques.items()
        ]
        funded = Convention.objects.visible_to(user).filter(structure=OuterRef("pk"))
        querysets = {
            "ligne": LigneBudgetaire.objects.visible_to(user).order_by("code_operation"),
            "territoire": Territoire.objects.visible_to(user).order_by("nom"),
            "structure": Structure.objects.visible_to(user).filter(Exists(funded)).order_by("nom"),
        }
        # Each list is read once: its choices are rendered from it and the tables' labels
        # (`Libelles`) reuse it; the queryset still validates a submitted value.
        self.objets = {}
        for name, queryset in querysets.items():
            field = self.fields[name]
            field.queryset = queryset
            self.objets[name] = {obj.pk: obj for obj in queryset}
            field.choices = [("", field.empty_label)] + [(pk, str(obj)) for pk, obj in self.objets[name].items()]

    def filtres(self) -> "Filtres":
        data = self.cleaned_data if self.is_bound else {}
        valid = {name: data.get(name) for name in self.fields if name not in self.errors}
        return Filtres(
            annee=valid.get("annee") or self.annees[0],
            ligne=valid.get("ligne"),
            thematique=valid.get("thematique") or "",
            territoire=valid.get("territoire"),
            structure=valid.get("structure"),
            par=valid.get("par") or "thematique_territoire",
        )


@dataclass(frozen=True)
class Filtres:
    annee: int
    ligne: LigneBudgetaire | None = None
    thematique: str = ""
    territoire: Territoire | None = None
    structure: Structure | None = None
    par: str = "thematique_territoire"

    @property
    def debut(self):
        return datetime.date(self.annee, 1, 1)

    @property
    def fin(self):
        return datetime.date(self.annee, 12, 31)

    def params(self, **extra) -> dict:
        """The query string that shows the same figures (for links and downloads)."""
        params = {"annee": self.annee, "par": self.par}
        for name in ("ligne", "territoire", "structure"):
            if getattr(self, name) is not None:
                params[name] = getattr(self, name).pk
        if self.thematique:
            params["thematique"] = self.thematique
        return {**params, **extra}

    @property
    def par_lignes_annexe(self) -> bool:
        """Articles carry a thématique and a budget line, not a territory or a structure: with one
        of those filters, what is voted is the sum of the annex lines."""
        return self.territoire is not None or self.structure is not None


def thematique_labels() -> dict:
    """Thématique code → label (the articles' labels), for every thématique of an annex line."""
    latest = Article.objects.filter(thematique=OuterRef("thematique")).order_by("-deliberation__date", "-pk")

    def labelled(queryset):
        return (
            queryset.annotate(libelle=Subquery(latest.values("thematique_libelle")[:1]))
            .values_list("thematique", "libelle")
            .order_by()
        )

    labels = dict(labelled(LigneAnnexe.objects.all()).union(labelled(Article.objects.all())).order_by("thematique"))
    return {code: labels[code] or "" for code in sorted(labels, key=lambda c: (len(c), c))}


# --- the conventions, placed and measured --------------------------------------------------------


def _sum(queryset, field_name):
    total = queryset.order_by().values("convention").annotate(total=Sum(field_name)).values("total")
    return Coalesce(Subquery(total, output_field=money_field()), ZERO, output_field=money_field())


def conventions(user, filtres: Filtres):
    """The signed conventions concerned by the year (running, signed or paid in it), each with
    where it sits (`thematique_eff`, `territoire_eff`, `ligne_eff`), the places it funds, what it
    committed in the year (its own amount and its avenants'), what was paid in the year and what
    is left to pay at the year's end (or today)."""
    start, end = filtres.debut, filtres.fin
    avenants = Avenant.objects.filter(convention=OuterRef("pk"))
    first_line = avenants.filter(ligne_annexe__isnull=False).order_by("numero")

    def from_line(name, output_field):
        return Coalesce(
            F(f"ligne_annexe__{name}"),
            Subquery(first_line.values(f"ligne_annexe__{name}")[:1]),
            output_field=output_field,
        )

    signed_avenants = avenants.filter(etat__in=SIGNED)
    payments = Versement.objects.filter(convention=OuterRef("pk"))
    queryset = (
        Convention.objects.visible_to(user)
        .filter(etat__in=SIGNED, signe_departement_le__lte=end)
        .filter(
            Q(date_fin__gte=start)
            | Exists(avenants.filter(nouvelle_date_fin__gte=start))
            | Exists(payments.filter(date_versement__gte=start, date_versement__lte=end))
        )
        .annotate(
            thematique_eff=from_line("thematique", CharField()),
            territoire_eff=from_line("territoire", IntegerField()),
            ligne_eff=Coalesce(F("ligne_budgetaire"), from_line("ligne_budgetaire", IntegerField())),
            places_eff=Coalesce(F("places_conventionnees"), from_line("places", IntegerField())),
            engage=ExpressionWrapper(
                Case(
                    When(signe_departement_le__gte=start, then=F("montant_max")),
                    default=ZERO,
                    output_field=money_field(),
                )
                + _sum(
                    signed_avenants.filter(signe_departement_le__gte=start, signe_departement_le__lte=end),
                    "montant_supplementaire",
                ),
                output_field=money_field(),
            ),
            paye=_sum(payments.filter(date_versement__gte=start, date_versement__lte=end), "montant"),
            reste=ExpressionWrapper(
                F("montant_max")
                + _sum(signed_avenants.filter(signe_departement_le__lte=end), "montant_supplementaire")
                - _sum(payments.filter(date_versement__lte=end), "montant"),
                output_field=money_field(),
            ),
        )
    )
    if filtres.ligne is not None:
        queryset = queryset.filter(ligne_eff=filtres.ligne.pk)
    if filtres.thematique:
        queryset = queryset.filter(thematique_eff=filtres.thematique)
    if filtres.territoire is not None:
        queryset = queryset.filter(territoire_eff=filtres.territoire.pk)
    if filtres.structure is not None:
        queryset = queryset.filter(structure=filtres.structure)
    return queryset


# The measures summed per group: name → the conventions' annotation.
MEASURES = {"engage": "engage", "paye": "paye", "reste": "reste", "places": "places_eff"}
MEASURE_FIELDS = tuple(MEASURES.values())


# What the votes are grouped by, per source: every dimension its rows carry.
VOTE_KEYS = {
    "lignes": ("ligne_budgetaire_id", "thematique", "territoire_id", "structure_id"),
    "articles": ("ligne_budgetaire_id", "thematique"),
}


def _voted(user, filtres: Filtres, dimension=None, by_lines=None, lus=None):
    """What adopted deliberations of the year voted: the articles' amounts, or the annex lines'
    when a territory or structure filter (or grouping) asks for them. (rows or total, source)
    Each source is read once, grouped by every dimension it carries, and kept in `lus` (a dict
    of the request) for the other tables: one query per source."""
    if by_lines is None:
        by_lines = filtres.par_lignes_annexe or dimension in ("territoire", "structure")
    source = "lignes" if by_lines else "articles"
    lus = {} if lus is None else lus
    if source not in lus:
        lus[source] = _votes_grouped(user, filtres, by_lines)
    rows = lus[source]
    if dimension is None:
        return sum((row["total"] for row in rows if row["total"] is not None), ZERO), source
    key = DIMENSIONS[dimension][1]
    grouped = {}
    for row in rows:
        if row["total"] is not None:
            grouped[row[key]] = row["total"] if grouped.get(row[key]) is None else grouped[row[key]] + row["total"]
        else:
            grouped.setdefault(row[key], None)
    return grouped, source


def _votes_grouped(user, filtres: Filtres, by_lines: bool) -> list[dict]:
    if by_lines:
        queryset = LigneAnnexe.objects.visible_to(user).filter(
            retenue=True, deliberation__adoptee=True, deliberation__date__year=filtres.annee
        )
        amount = "montant"
        if filtres.territoire is not None:
            queryset = queryset.filter(territoire=filtres.territoire)
        if filtres.structure is not None:
            queryset = queryset.filter(structure=filtres.structure)
    else:
        queryset = Article.objects.filter(
            deliberation__in=Deliberation.objects.visible_to(user).filter(adoptee=True, date__year=filtres.annee)
        )
        amount = "montant_vote"
    if filtres.ligne is not None:
        queryset = queryset.filter(ligne_budgetaire=filtres.ligne)
    if filtres.thematique:
        queryset = queryset.filter(thematique=filtres.thematique)
    keys = VOTE_KEYS["lignes" if by_lines else "articles"]
    return list(queryset.order_by().values(*keys).annotate(total=Sum(amount, output_field=money_field())))


# --- the budget tables ----------------------------------------------------------------------------


@dataclass
class LigneTableau:
    cle: object
    libelle: str
    vote: Decimal = ZERO
    engage: Decimal = ZERO
    paye: Decimal = ZERO
    reste: Decimal = ZERO
    ae: Decimal | None = None
    disponible: Decimal | None = None
    url: str = ""


@dataclass
class Tableau:
    dimension: str
    titre: str
    lignes: list
    total: LigneTableau
    source_vote: str


class Libelles:
    """Labels of the groups' keys, each family read once per page."""

    def __init__(self, user, thematiques, form=None):
        """With the page's filter form, the labels come from the lists it already read."""
        self.user = user
        self.thematiques = thematiques
        self._lignes = None
        self._territoires = None
        self._structures = {}
        if form is not None:
            self._lignes = form.objets["ligne"]
            self._territoires = {pk: territoire.nom for pk, territoire in form.objets["territoire"].items()}
            self._structures = {pk: structure.nom for pk, structure in form.objets["structure"].items()}

    def lignes(self):
        if self._lignes is None:
            self._lignes = LigneBudgetaire.objects.visible_to(self.user).in_bulk()
        return self._lignes

    def territoires(self):
        if self._territoires is None:
            self._territoires = dict(Territoire.objects.values_list("pk", "nom"))
        return self._territoires

    def structures(self, keys):
        missing = {k for k in keys if k is not None} - set(self._structures)
        if missing:
            self._structures.update(Structure.objects.filter(pk__in=missing).values_list("pk", "nom"))
        return self._structures

    def of(self, dimension, key):
        if dimension == "ligne":
            ligne = self.lignes().get(key)
            return f"{ligne.code_operation} – {ligne.libelle}" if ligne else "Sans imputation"
        if dimension == "thematique":
            if not key:
                return "Sans ligne d'annexe"
            label = self.thematiques.get(key, "")
            return f"{key} – {label}" if label else f"Thématique {key}"
        if dimension == "territoire":
            return self.territoires().get(key, "Départemental") if key is not None else "Départemental"
        return self._structures.get(key, "–")


def _sort_key(dimension, row):
    if dimension == "thematique":
        return (row.cle is None, len(row.cle or ""), row.cle or "")
    return (row.cle is None, row.libelle.lower())


def tableau_budget(
    user, filtres: Filtres, dimension: str, convs, libelles: Libelles, totaux, conv_rows=None
) -> Tableau:
    """Voted, committed, paid and left to pay per group of `dimension`, from the conventions'
    measures (`conv_rows`, read when not given): 1 query, 2 for the budget lines with their AE."""
    key = DIMENSIONS[dimension][0]
    grouped = _grouper(mesures(convs) if conv_rows is None else conv_rows, lambda row: row[key])
    voted, source = _voted(user, filtres, dimension, lus=totaux.get("votes_lus"))
    if dimension == "structure":
        libelles.structures(set(grouped) | set(voted))
    rows = []
    for cle in set(grouped) | set(voted):
        measures = grouped.get(cle, {})
        rows.append(
            LigneTableau(
                cle=cle,
                libelle=libelles.of(dimension, cle),
                vote=voted.get(cle, ZERO),
                engage=measures.get("engage") or ZERO,
                paye=measures.get("paye") or ZERO,
                reste=measures.get("reste") or ZERO,
            )
        )
    rows.sort(key=lambda row: _sort_key(dimension, row))
    if dimension == "ligne":
        autorisations = {
            a.ligne_budgetaire_id: a
            for a in AutorisationEngagement.objects.visible_to(user).with_engage().filter(annee=filtres.annee)
        }
        for row in rows:
            if row.cle in autorisations:
                row.ae, row.disponible = autorisations[row.cle].montant, autorisations[row.cle].disponible
            if row.cle in libelles.lignes():
                row.url = libelles.lignes()[row.cle].get_absolute_url()
    if source == totaux["source_vote"]:
        vote_total = totaux["vote"]
    else:
        # The groups cover every row of the same queryset: their sum is its total.
        vote_total = sum((amount for amount in voted.values() if amount is not None), ZERO)
    total = LigneTableau(
        cle=None,
        libelle="Total",
        vote=vote_total,
        engage=totaux["engage"],
        paye=totaux["paye"],
        reste=totaux["reste"],
        ae=sum((r.ae for r in rows if r.ae is not None), ZERO) if any(r.ae is not None for r in rows) else None,
        disponible=sum((r.disponible for r in rows if r.disponible is not None), ZERO)
        if any(r.disponible is not None for r in rows)
        else None,
    )
    return Tableau(dimension=dimension, titre=DIMENSIONS[dimension][2], lignes=rows, total=total, source_vote=source)


# What the tables read of each convention: its places in every grouping and its measures.
CONVENTION_FIELDS = ("pk", "numero", "structure_id", "structure__nom", "thematique_eff", "territoire_eff", "ligne_eff")


def mesures(convs) -> list[dict]:
    """Each convention with where it sits and its measures (one query), ordered by number: every
    table groups these few rows in Python rather than asking the database again per grouping."""
    return list(convs.values(*CONVENTION_FIELDS, *MEASURE_FIELDS).order_by("numero"))


def _grouper(rows, key) -> dict:
    """{group: {measure: sum}} as SQL's SUM gives it: None when every value is None."""
    grouped = {}
    for row in rows:
        sums = grouped.setdefault(key(row), dict.fromkeys(MEASURES))
        for name, field_name in MEASURES.items():
            value = row[field_name]
            if value is not None:
                sums[name] = value if sums[name] is None else sums[name] + value
    return grouped


def totaux(user, filtres: Filtres, convs, conv_rows=None) -> dict:
    """The totals of every table, from the conventions' measures (`conv_rows`, read when not
    given) and the votes (one query)."""
    conv_rows = mesures(convs) if conv_rows is None else conv_rows
    sums = _grouper(conv_rows, lambda row: None).get(None) or dict.fromkeys(MEASURES)
    lus = {}
    vote, source = _voted(user, filtres, lus=lus)
    return {
        "engage": sums["engage"] or ZERO,
        "paye": sums["paye"] or ZERO,
        "reste": sums["reste"] or ZERO,
        "places": sums["places"] or 0,
        "vote": vote,
        "source_vote": source,
        "votes_lus": lus,
    }


def versements_par_mois(filtres: Filtres, convs) -> list[dict]:
    """The payments of the year month by month, with the running total (one query)."""
    rows = (
        Versement.objects.filter(
            convention__in=convs.values("pk"), date_versement__gte=filtres.debut, date_versement__lte=filtres.fin
        )
        .annotate(mois=TruncMonth("date_versement"))
        .order_by()
        .values("mois")
        .annotate(total=Sum("montant", output_field=money_field()), nombre=Count("pk"))
    )
    by_month = {row["mois"].month: row for row in rows}
    serie, cumul = [], ZERO
    for month in range(1, 13):
        row = by_month.get(month, {})
        total = row.get("total") or ZERO
        cumul += total
        serie.append(
            {
                "mois": datetime.date(filtres.annee, month, 1),
                "libelle": mois_fr(datetime.date(filtres.annee, month, 1)),
                "montant": total,
                "nombre": row.get("nombre", 0),
                "cumul": cumul,
            }
        )
    return serie


# --- what each euro bought ------------------------------------------------------------------------


def periode_resultats(filtres: Filtres, today: datetime.date):
    from accompagnement.indicateurs import Periode

    return Periode(du=filtres.debut, au=min(filtres.fin, today))


def resultats_par_paire(user, structures, periode, today) -> dict:
    """The accompaniment's results of the structures' people, per (structure, territory of the
    person): one grouped query through the accompaniment's own indicator computation. The
    person's territory is the one kept on the orientation (`Orientation.territoire`): no join on
    the people (a third of the query at 105 000 people)."""
    from accompagnement.indicateurs import aggregates, annotated, concernees
    from accompagnement.models import Orientation

    if not structures:
        return {}
    keys = ("structure_id", "territoire_id")
    wanted = {code: aggregate for code, aggregate in aggregates(periode, today).items() if code in RESULTATS}
    queryset = concernees(Orientation.objects.visible_to(user).filter(structure__in=structures), periode)
    rows = annotated(queryset, periode).values(*keys).annotate(**wanted).order_by()
    return {(row["structure_id"], row["territoire_id"]): row for row in rows}


def paires(rows) -> set:
    """The distinct (structure, territory) pairs of conventions; a departmental convention
    (territory None) covers all of its structure's people."""
    pairs = {(row["structure_id"], row["territoire_eff"]) for row in rows}
    whole = {structure for structure, territoire in pairs if territoire is None}
    return {(s, t) for s, t in pairs if t is None or s not in whole}


def _compter(pairs, resultats) -> dict:
    counts = dict.fromkeys(RESULTATS, 0)
    for structure, territoire in pairs:
        for (s, t), row in resultats.items():
            if s == structure and (territoire is None or t == territoire):
                for code in RESULTATS:
                    counts[code] += row[code]
    return counts


@dataclass
class LigneCout:
    cle: str
    libelle: str
    paye: Decimal
    places: int | None
    resultats: dict
    url: str = ""
    liens: dict = field(default_factory=dict)
    detail: str = ""
    rubrique: str = ""  # the thématique heading the rows of "thématique et territoire"
    ordre: tuple = ()

    @property
    def libelle_complet(self):
        """For the files: one cell says the whole group."""
        if self.rubrique:
            return f"{self.rubrique} · {self.libelle}"
        return f"{self.libelle} ({self.detail})" if self.detail else self.libelle

    def _par(self, count):
        return (self.paye / count).quantize(CENT) if count else None

    @property
    def accompagnes(self):
        return self.resultats["accompagnes"]

    @property
    def cer_signes(self):
        return self.resultats["cer_signe"]

    @property
    def sorties_dynamiques(self):
        return self.resultats["sorties_dynamiques"]

    @property
    def reorientations(self):
        return self.resultats["sorties_reorientation"]

    @property
    def cout_par_personne(self):
        return self._par(self.accompagnes)

    @property
    def cout_par_sortie_dynamique(self):
        return self._par(self.sorties_dynamiques)


def group_key(groupement, row) -> str:
    """The URL key of a convention's group: "12", "1", "aucun", "1:7", "aucun:aucun"."""
    parts = []
    for name in GROUPEMENTS[groupement][0]:
        value = row[name]
        parts.append(AUCUN if value in (None, "") else str(value))
    return ":".join(parts)


def group_label(groupement, row, libelles: Libelles, numeros) -> str:
    if groupement == "convention":
        return f"{numeros[row['pk']][0]} – {numeros[row['pk']][1]}"
    if groupement == "structure":
        return libelles.of("structure", row["structure_id"])
    labels = []
    if "thematique_eff" in GROUPEMENTS[groupement][0]:
        labels.append(libelles.of("thematique", row["thematique_eff"]))
    if "territoire_eff" in GROUPEMENTS[groupement][0]:
        labels.append(libelles.of("territoire", row["territoire_eff"]))
    return " · ".join(labels)


def cout_par_resultat(
    user, filtres: Filtres, convs, libelles: Libelles, today: datetime.date, totals=None, conv_rows=None
):
    """Per group of `filtres.par`: paid in the year, places funded (the conventions' measures,
    `conv_rows`, read when not given) and the accompaniment's results of the group's (structure,
    territory) pairs. Two queries (conventions, results) whatever the number of conventions."""
    groupement = filtres.par
    rows = mesures(convs) if conv_rows is None else conv_rows
    periode = periode_resultats(filtres, today)
    resultats = resultats_par_paire(user, {row["structure_id"] for row in rows}, periode, today)
    members = {}
    for row in rows:
        members.setdefault(group_key(groupement, row), []).append(row)
    grouped = {
        cle: {"paye_t": sums["paye"], "places_t": sums["places"]}
        for cle, sums in _grouper(rows, lambda row: group_key(groupement, row)).items()
    }
    libelles.structures({row["structure_id"] for row in rows})
    numeros = {row["pk"]: (row["numero"], row["structure__nom"]) for row in rows}
    people_url = reverse("financement:tableau_de_bord_personnes")
    lignes = []
    for cle, group in members.items():
        sums = grouped.get(cle, {})
        first = group[0]
        ligne = LigneCout(
            cle=cle,
            libelle=group_label(groupement, first, libelles, numeros),
            paye=sums.get("paye_t") or ZERO,
            places=sums.get("places_t"),
            resultats=_compter(paires(group), resultats),
        )
        if groupement == "thematique_territoire":
            ligne.rubrique = libelles.of("thematique", first["thematique_eff"])
            ligne.libelle = libelles.of("territoire", first["territoire_eff"])
            code = first["thematique_eff"] or ""
            ligne.ordre = (not code, len(code), code)
        if groupement == "convention":
            ligne.url = reverse("financement:convention_detail", args=[first["pk"]])
            ligne.detail = " · ".join(
                [
                    libelles.of("thematique", first["thematique_eff"]),
                    libelles.of("territoire", first["territoire_eff"]),
                ]
            )
        ligne.liens = {
            code: f"{people_url}?{urlencode(filtres.params(cle=cle, population=code))}" for code in RESULTATS
        }
        lignes.append(ligne)
    lignes.sort(key=lambda ligne: (ligne.ordre, ligne.libelle.startswith("Sans"), ligne.libelle.lower()))
    totals = totals or totaux(user, filtres, convs, rows)
    total = LigneCout(
        cle="",
        libelle="Total",
        paye=totals["paye"],
        places=totals["places"],
        resultats=_compter(paires(rows), resultats),
        liens={code: f"{people_url}?{urlencode(filtres.params(population=code))}" for code in RESULTATS},
    )
    return lignes, total, periode


def orientations_du_groupe(user, filtres: Filtres, cle: str):
    """The orientations behind a figure of the cost table: those of the group's (structure,
    territory) pairs, within the user's scope. None when the group is unknown."""
    from accompagnement.models import Orientation

    convs = conventions(user, filtres)
    rows = list(convs.values("pk", "structure_id", "thematique_eff", "territoire_eff"))
    if cle:
        rows = [row for row in rows if group_key(filtres.par, row) == cle]
        if not rows:
            return None
    condition = Q(pk__in=[])
    for structure, territoire in paires(rows):
        pair = Q(structure_id=structure)
        if territoire is not None:
            pair &= Q(territoire_id=territoire)  # the person's, kept on the orientation
        condition |= pair
    return Orientation.objects.visible_to(user).filter(condition)


def libelle_du_groupe(user, filtres: Filtres, cle: str, thematiques) -> str:
    if not cle:
        return "toutes les conventions affichées"
    libelles = Libelles(user, thematiques)
    names = GROUPEMENTS[filtres.par][0]
    row = dict(zip(names, [None if part == AUCUN else part for part in cle.split(":")], strict=False))
    if filtres.par == "convention":
        convention = Convention.objects.visible_to(user).select_related("structure").filter(pk=row["pk"]).first()
        return f"convention n° {convention.numero} – {convention.structure.nom}" if convention else ""
    if "territoire_eff" in row and row["territoire_eff"] is not None:
        row["territoire_eff"] = int(row["territoire_eff"])
    if "structure_id" in row and row["structure_id"] is not None:
        row["structure_id"] = int(row["structure_id"])
        libelles.structures([row["structure_id"]])
    return group_label(filtres.par, row, libelles, {})


def valeur_json(value):
    return float(value) if isinstance(value, Decimal) else value
