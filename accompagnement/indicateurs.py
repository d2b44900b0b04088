"""Accompaniment indicators (seed 000 l. 233–238, seed 003 l. 455–470) and the monthly reporting
(seed 004 l. 187–199), computed in the database.

Every indicator is a condition on one annotated orientation queryset (`annotated`): the table
counts the orientations that meet it (one GROUP BY query for the lines, one aggregate for the
total), and the list of the people behind a figure filters the same queryset by the same
condition, so a figure and its list cannot disagree.
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import (
    Coalesce,
    ExtractDay,
    ExtractMonth,
    ExtractYear,
    Greatest,
    Least,
    TruncMonth,
)
from django.utils import timezone

from accompagnement.enums import (
    CATEGORIES_DYNAMIQUES,
    HORS_SPHERE_SOCIOPRO,
    CategorieSortie,
    EtatDemande,
    ModeEntretien,
    MotifSortie,
    Presence,
    motifs_of,
)
from accompagnement.models import (
    ActiviteHebdomadaire,
    DemandeReorientation,
    Entretien,
    Orientation,
    ReportingMensuel,
)
from accompagnement.services import ALREADY_DONE, AccompagnementError
from portal.audit.enums import Action
from portal.audit.services import access_record
from portal.core.dates import add_months
from portal.core.formats import format_number, mois_fr
from portal.referentiels.models import Referent, Structure, Territoire

CIBLE_CONTRACTUALISATION = Decimal(80)  # % (seed 000 l. 237)
CIBLE_ENTRETIENS_PAR_PLACE = Decimal(4)  # physical interviews per place and per year (seed 000)
MAX_MOIS = 60  # longest period shown (the monthly chart has one column per month)
JOURS_PAR_AN = 365


class DaysBetween(Func):
    """Whole days from `start` to `end` (end − start) for two dates, in the database."""

    arity = 2
    output_field = IntegerField()

    def __init__(self, end, start, **extra):
        super().__init__(end, start, **extra)

    def as_sql(self, compiler, connection, **extra):  # PostgreSQL: date − date is an integer of days
        return super().as_sql(compiler, connection, template="(%(expressions)s)", arg_joiner=" - ", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra,
        )


def _date_key(expression, years=0):
    """yyyymmdd as an integer: compares "the same day N years later" without month arithmetic in
    SQL (29 February + 1 year compares like 28 February, as `add_months` does)."""
    return (ExtractYear(expression) + years) * 10000 + ExtractMonth(expression) * 100 + ExtractDay(expression)


# --- the period ------------------------------------------------------------------------------


def fin_de_mois(day: datetime.date) -> datetime.date:
    return add_months(day.replace(day=1), 1) - datetime.timedelta(days=1)


@dataclass(frozen=True)
class Periode:
    du: datetime.date
    au: datetime.date

    @classmethod
    def douze_derniers_mois(cls, today):
        """The last 12 complete months (today 15 March 2026 → 1 March 2025 to 28 February 2026)."""
        au = today.replace(day=1) - datetime.timedelta(days=1)
        return cls(du=add_months(au.replace(day=1), -11), au=au)

    @classmethod
    def annee(cls, year):
        return cls(du=datetime.date(year, 1, 1), au=datetime.date(year, 12, 31))

    def mois(self) -> list[datetime.date]:
        months, month = [], self.du.replace(day=1)
        while month <= self.au:
            months.append(month)
            month = add_months(month, 1)
        return months


# --- the indicators --------------------------------------------------------------------------

GROUPES = {
    "referent": ("referent_id", "Référent"),
    "structure": ("structure_id", "Structure"),
    "territoire": ("territoire_id", "Territoire"),  # the person's, kept on the orientation
}


def annotated(queryset, periode: Periode):
    """Orientations with what the indicators need about each, as stored columns or subqueries (no
    join multiplies the rows): first signed CER and first attended interview (stored), physical
    interviews and weekly hours in the period, days accompanied in the period."""
    du, au = periode.du, periode.au
    lendemain = au + datetime.timedelta(days=1)
    entretiens = Entretien.objects.filter(orientation=OuterRef("pk")).order_by()
    physiques = entretiens.filter(presence=Presence.PRESENT, mode=ModeEntretien.PHYSIQUE, date__gte=du, date__lte=au)
    semaines = ActiviteHebdomadaire.objects.filter(orientation=OuterRef("pk"), semaine__gte=du, semaine__lte=au)

    def count_of(subquery):
        counted = subquery.order_by().values("orientation").annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(counted, output_field=IntegerField()), 0)

    return queryset.order_by().annotate(
        # Stored on the orientation and kept by the services (see Orientation.premier_cer_le).
        premier_cer=F("premier_cer_le"),
        premier_rdv=F("premier_present_le"),
        nb_entretiens_physiques=count_of(physiques),
        nb_semaines=count_of(semaines),
        nb_semaines_15h=count_of(semaines.filter(heures__gte=ActiviteHebdomadaire.CIBLE_HEURES)),
        jours=Greatest(
            DaysBetween(
                Least(Coalesce("date_fin", Value(lendemain)), Value(lendemain)),
                Greatest("date_orientation", Value(du)),
            ),
            Value(0),
        ),
        cle_sortie=_date_key(F("sortie__date")),
        # Reoriented toward the socio-professional sphere (the référent solidarité's results).
        vers_sociopro=Exists(
            DemandeReorientation.objects.filter(
                orientation=OuterRef("pk"), etat=EtatDemande.ACCEPTEE, nouvelle_orientation__isnull=False
            ).exclude(nouvelle_orientation__type_accompagnement__code__in=HORS_SPHERE_SOCIOPRO)
        ),
        cle_un_an_apres=_date_key(F("date_orientation"), years=1),
    )


def concernees(queryset, periode: Periode, *, suivis=True, par_dossier=False):
    """The orientations an indicator of the period can count: accompanied at some point of the
    period (an exit sets `date_fin` to its date) or in the 12-month cohort. Every condition below
    implies it; the others only add zeros, and after a few years they are most of the table."""
    du, au = periode.du, periode.au
    cohorte = Q(date_orientation__gte=add_months(du, -12), date_orientation__lte=add_months(au, -12))
    accompagnees = (Q(date_orientation__lte=au) & (Q(date_fin__isnull=True) | Q(date_fin__gte=du))) | cohorte
    if not suivis:  # enough for the file active, entries and exits
        return queryset.filter(accompagnees)
    # An interview or a week recorded out of the accompaniment's dates still counts in its month:
    # so the figures of a period are the sum of those of its months (the kept closed months).
    # One hashed subquery each, read through the indexes on the interview's and the week's date.
    physiques = Entretien.objects.filter(
        presence=Presence.PRESENT, mode=ModeEntretien.PHYSIQUE, date__gte=du, date__lte=au
    )
    semaines = ActiviteHebdomadaire.objects.filter(semaine__gte=du, semaine__lte=au)
    if par_dossier:
        # A few structures' orientations (the kept months): one index probe per orientation
        # instead of hashing the month's interviews of the whole Département.
        return queryset.filter(
            accompagnees
            | Exists(physiques.filter(orientation=OuterRef("pk")))
            | Exists(semaines.filter(orientation=OuterRef("pk")))
        )
    return queryset.filter(
        accompagnees | Q(pk__in=physiques.values("orientation_id")) | Q(pk__in=semaines.values("orientation_id"))
    )


def conditions(periode: Periode, today: datetime.date, *, par_dossier=False) -> dict[str, Q]:
    """Each counted population, as a condition on `annotated` orientations. `par_dossier`: for a
    few structures' orientations, subqueries probed per orientation rather than hashed whole."""
    du, au = periode.du, periode.au
    entree = Q(date_orientation__gte=du, date_orientation__lte=au)
    sortie = Q(sortie__date__gte=du, sortie__date__lte=au)
    dynamique = Q(sortie__motif__in=motifs_of(*CATEGORIES_DYNAMIQUES))
    # Never attended (stored first date) and absent without excuse at least once (the absent
    # interviews' orientations, one uncorrelated subquery).
    absents = Entretien.objects.filter(presence=Presence.ABSENT)
    if par_dossier:
        absenteiste = Q(premier_present_le__isnull=True) & Q(Exists(absents.filter(orientation=OuterRef("pk"))))
    else:
        absenteiste = Q(premier_present_le__isnull=True, pk__in=absents.values("orientation_id"))
    cohorte = Q(date_orientation__gte=add_months(du, -12), date_orientation__lte=add_months(au, -12))
    # A person still within their delay and without a CER is not yet a failure to contract.
    cer_echu = Q(premier_cer__isnull=False) | Q(date_limite_cer__lt=today)
    contractualisables = entree & ~absenteiste & cer_echu
    vers_sociopro = Q(sortie__motif=MotifSortie.REORIENTATION) & Q(vers_sociopro=True)
    conds = {
        "entrees": entree,
        "sorties": sortie,
        **{f"sorties_{c.value}": sortie & Q(sortie__motif__in=motifs_of(c)) for c in CategorieSortie},
        "sorties_dynamiques": sortie & dynamique,
        # The results expected of a référent solidarité (seed 000 l. 86–91, 211–215).
        "reorientations_sociopro": sortie & vers_sociopro,
        "resultats_solidarite": sortie
        & (Q(sortie__motif__in=motifs_of(CategorieSortie.SITUATION_FINANCIERE)) | vers_sociopro),
        "file_active": Q(date_orientation__lte=au) & (Q(date_fin__isnull=True) | Q(date_fin__gt=au)),
        "cer_signe": entree & Q(premier_cer__isnull=False),
        "absenteistes": entree & absenteiste,
        "contractualisables": contractualisables,
        "contractualises": contractualisables & Q(premier_cer__isnull=False),
        # A deadline counts once it has passed, or once it is met: people still within their
        # 2 months (or 15 days) are neither late nor on time yet.
        "cer_evaluables": entree & cer_echu,
        "cer_dans_delai": entree & Q(premier_cer__lte=F("date_limite_cer")),
        "rdv_evaluables": entree
        & Q(date_limite_premier_rdv__isnull=False)
        & (Q(premier_rdv__isnull=False) | Q(date_limite_premier_rdv__lt=today)),
        "rdv_dans_delai": entree & Q(premier_rdv__lte=F("date_limite_premier_rdv")),
        "accompagnes": Q(jours__gt=0),
        "cohorte_12_mois": cohorte,
        "sortie_12_mois": cohorte & dynamique & Q(cle_sortie__lte=F("cle_un_an_apres")),
        "avec_semaines": Q(nb_semaines__gt=0),
    }
    return conds


def aggregates(periode, today, *, par_dossier=False):
    conds = conditions(periode, today, par_dossier=par_dossier)
    entree_signe = conds["cer_signe"]
    return {
        **{code: Count("pk", filter=q) for code, q in conds.items()},
        # A sum (the mean is taken in Python): the total line adds the groups' sums up.
        "delai_cer_somme": Coalesce(
            Sum(DaysBetween(F("premier_cer"), F("date_orientation")), filter=entree_signe), Value(0)
        ),
        "entretiens_physiques": Coalesce(Sum("nb_entretiens_physiques"), 0),
        "jours_accompagnement": Coalesce(Sum("jours"), 0),
        "semaines": Coalesce(Sum("nb_semaines"), 0),
        "semaines_15h": Coalesce(Sum("nb_semaines_15h"), 0),
    }


def _percent(numerator, denominator):
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Colonne:
    code: str
    label: str
    kind: str  # "nombre" (a count of people), "taux" (%), "valeur" (a figure with decimals)
    personnes: str  # the population behind the figure (a key of `conditions`)
    aide: str = ""
    cible: Decimal | None = None


COLONNES = [
    Colonne("entrees", "Entrées", "nombre", "entrees", "Orientations datées dans la période."),
    Colonne("sorties", "Sorties", "nombre", "sorties", "Sorties datées dans la période."),
    Colonne(
        "sorties_dynamiques",
        "dont sorties dynamiques",
        "nombre",
        "sorties_dynamiques",
        "Emploi durable, emploi de transition et sorties positives.",
    ),
    Colonne("file_active", "File active en fin de période", "nombre", "file_active"),
    Colonne(
        "taux_contractualisation",
        "Taux de contractualisation",
        "taux",
        "contractualisables",
        "CER signé / personnes entrées dont le délai du CER est échu ou tenu, sans celles qui ne sont jamais "
        "venues et ont une absence injustifiée.",
        CIBLE_CONTRACTUALISATION,
    ),
    Colonne(
        "taux_contractualisation_brut", "Taux brut", "taux", "entrees", "CER signé / toutes les personnes entrées."
    ),
    Colonne(
        "taux_cer_dans_delai",
        "CER signé dans le délai",
        "taux",
        "cer_evaluables",
        "Premier CER signé au plus tard à la date limite (2 mois après l'orientation).",
    ),
    Colonne("delai_cer_jours", "Délai moyen orientation → CER (jours)", "valeur", "cer_signe"),
    Colonne(
        "taux_rdv_dans_delai",
        "1er rendez-vous dans le délai",
        "taux",
        "rdv_evaluables",
        "Accompagnement équilibré : premier entretien honoré sous 15 jours.",
    ),
    Colonne(
        "entretiens_par_place",
        "Entretiens physiques par place et par an",
        "valeur",
        "accompagnes",
        "Entretiens physiques honorés / file active moyenne, ramené à un an.",
        CIBLE_ENTRETIENS_PAR_PLACE,
    ),
    Colonne(
        "taux_sortie_12_mois",
        "Sorties dynamiques à 12 mois",
        "taux",
        "cohorte_12_mois",
        "Personnes orientées 12 mois avant la période, sorties en sortie dynamique dans les 12 mois.",
    ),
    Colonne(
        "taux_semaines_15h",
        "Semaines à 15 h ou plus",
        "taux",
        "avec_semaines",
        "Accompagnement équilibré : semaines saisies avec au moins 15 h d'activité.",
    ),
]
COLONNES_SORTIES = [
    Colonne(f"sorties_{c.value}", c.label, "nombre", f"sorties_{c.value}") for c in CategorieSortie
] + [
    Colonne("sorties_dynamiques", "Sorties dynamiques", "nombre", "sorties_dynamiques"),
    Colonne(
        "reorientations_sociopro",
        "Réorientations vers la sphère socio-professionnelle",
        "nombre",
        "reorientations_sociopro",
        "Réorientations acceptées vers un autre accompagnement que le référent solidarité.",
    ),
    Colonne(
        "resultats_solidarite",
        "Résultats du référent solidarité",
        "nombre",
        "resultats_solidarite",
        "Réorientations vers la sphère socio-professionnelle et changements de situation financière (seed 000).",
    ),
]
COLONNE_PAR_CODE = {c.code: c for c in COLONNES + COLONNES_SORTIES}

# People lists: the population's title and, for a rate, the condition of its numerator.
POPULATIONS = {
    "entrees": ("Personnes entrées dans la période", "cer_signe", "CER signé"),
    "sorties": ("Personnes sorties dans la période", None, ""),
    **{f"sorties_{c.value}": (f"Sorties : {c.label.lower()}", None, "") for c in CategorieSortie},
    "sorties_dynamiques": ("Sorties dynamiques dans la période", None, ""),
    "reorientations_sociopro": ("Réorientations vers la sphère socio-professionnelle dans la période", None, ""),
    "resultats_solidarite": (
        "Résultats du référent solidarité dans la période (réorientations socio-professionnelles, situation "
        "financière)",
        None,
        "",
    ),
    "file_active": ("File active en fin de période", None, ""),
    "contractualisables": (
        "Personnes entrées dont le délai du CER est échu ou tenu, hors absentéisme (dénominateur du taux de "
        "contractualisation)",
        "contractualises",
        "CER signé",
    ),
    "cer_evaluables": (
        "Personnes entrées dont le délai du CER est échu ou tenu",
        "cer_dans_delai",
        "CER dans le délai",
    ),
    "cer_signe": ("Personnes entrées ayant un CER signé", "cer_dans_delai", "CER dans le délai"),
    "rdv_evaluables": (
        "Personnes entrées avec un premier rendez-vous à tenir",
        "rdv_dans_delai",
        "Rendez-vous dans le délai",
    ),
    "accompagnes": ("Personnes accompagnées pendant la période", None, ""),
    "cohorte_12_mois": (
        "Personnes orientées 12 mois avant la période",
        "sortie_12_mois",
        "Sortie dynamique sous 12 mois",
    ),
    "avec_semaines": ("Personnes avec des semaines d'activité saisies", None, ""),
}


@dataclass
class Ligne:
    cle: object
    libelle: str
    valeurs: dict
    taux: dict = field(default_factory=dict)

    def __post_init__(self):
        v = self.valeurs
        self.taux = {
            "taux_contractualisation": _percent(v["contractualises"], v["contractualisables"]),
            "taux_contractualisation_brut": _percent(v["cer_signe"], v["entrees"]),
            "taux_cer_dans_delai": _percent(v["cer_dans_delai"], v["cer_evaluables"]),
            "delai_cer_jours": None
            if not v["cer_signe"]
            else (Decimal(v["delai_cer_somme"]) / Decimal(v["cer_signe"])).quantize(
                Decimal("0.1"), rounding=ROUND_HALF_UP
            ),
            "taux_rdv_dans_delai": _percent(v["rdv_dans_delai"], v["rdv_evaluables"]),
            "entretiens_par_place": None
            if not v["jours_accompagnement"]
            else (Decimal(v["entretiens_physiques"]) * JOURS_PAR_AN / Decimal(v["jours_accompagnement"])).quantize(
                Decimal("0.1"), rounding=ROUND_HALF_UP
            ),
            "taux_sortie_12_mois": _percent(v["sortie_12_mois"], v["cohorte_12_mois"]),
            "taux_semaines_15h": _percent(v["semaines_15h"], v["semaines"]),
        }

    def valeur(self, code):
        return self.taux[code] if code in self.taux else self.valeurs[code]

    def cellules(self, colonnes):
        """(colonne, value, target reached or None) for each column."""
        cells = []
        for colonne in colonnes:
            value = self.valeur(colonne.code)
            reached = None if colonne.cible is None or value is None else value >= colonne.cible
            cells.append((colonne, value, reached))
        return cells


def format_valeur(colonne, value) -> str:
    """ "82,5 %", "4,2", "12"; an em dash when there is nothing to divide."""
    if value is None:
        return "–"
    if colonne.kind == "taux":
        return f"{format_number(value, 1)}\u00a0%"
    if colonne.kind == "valeur":
        return format_number(value, 1)
    return format_number(value, 0)


def libelles_groupes(grouper, keys):
    keys = [k for k in keys if k is not None]
    if grouper == "referent":
        return {r.pk: r.nom_complet for r in Referent.objects.filter(pk__in=keys)}
    model = Structure if grouper == "structure" else Territoire
    return dict(model.objects.filter(pk__in=keys).values_list("pk", "nom"))


SANS_GROUPE = {"referent": "Sans référent", "structure": "–", "territoire": "–"}


def _lignes(rows, key, codes, grouper, tri, descendant):
    total = {code: sum(row[code] or 0 for row in rows) for code in codes}
    names = libelles_groupes(grouper, [row[key] for row in rows])
    lignes = [
        Ligne(cle=row[key], libelle=names.get(row[key], SANS_GROUPE[grouper]), valeurs=row)
        for row in rows
        # Days accompanied > 0 is "someone accompanied" (the kept months hold no count of people).
        if any(row[c] for c in ("entrees", "sorties", "file_active", "jours_accompagnement", "cohorte_12_mois"))
    ]
    if tri in COLONNE_PAR_CODE:
        missing = [ligne for ligne in lignes if ligne.valeur(tri) is None]
        present = sorted((ligne for ligne in lignes if ligne.valeur(tri) is not None), key=lambda li: li.valeur(tri))
        lignes = (present[::-1] if descendant else present) + missing
    else:
        lignes.sort(key=lambda ligne: ligne.libelle.lower(), reverse=descendant)
    return lignes, Ligne(cle=None, libelle="Total", valeurs=total)


def _live_rows(queryset, periode, key, today):
    return list(
        annotated(concernees(queryset, periode), periode)
        .values(key)
        .annotate(**aggregates(periode, today))
        .order_by(key)
    )


def _live_rows_parts(queryset, parts, key, today):
    """`_live_rows` of several parts of a period in one query (a UNION), each row with its part."""
    if not parts:
        return []
    queries = [
        annotated(concernees(queryset, part), part)
        .annotate(partie=Value(i, output_field=IntegerField()))
        .values("partie", key)
        .annotate(**aggregates(part, today))
        .order_by()
        for i, part in enumerate(parts)
    ]
    return list(queries[0].union(*queries[1:], all=True).order_by() if len(queries) > 1 else queries[0])


def tableau(queryset, *, periode, grouper, today, tri=None, descendant=False, gardes=None):
    """One line per group and the total. Every figure is a count or a sum, so the total line adds
    the groups up: the costly annotated scan of the orientations runs once (it is most of the
    page's time at a Département's scale).

    With `gardes` (`accompagnement.gardes.preparer`: the kept monthly figures, scoped like
    `queryset`), the closed months of the period are read from them, and only the rest of the
    period (current month, partial months at the edges) is computed live."""
    key = GROUPES[grouper][0]
    if gardes is None:
        rows = _live_rows(queryset, periode, key, today)
        return _lignes(rows, key, aggregates(periode, today).keys(), grouper, tri, descendant)
    from accompagnement import gardes as kept

    decoupe = gardes.decoupe
    if not decoupe.mois:
        rows = _live_rows(queryset, periode, key, today)
        return _lignes(rows, key, aggregates(periode, today).keys(), grouper, tri, descendant)
    codes = [code for code in aggregates(periode, today) if code not in kept.NON_ADDITIFS]
    merged = {}

    def add(row_key, values, file_active):
        line = merged.setdefault(row_key, {key: row_key, **dict.fromkeys(codes, 0)})
        for code in codes:
            if code != "file_active":
                line[code] += values[code] or 0
        if file_active:
            line["file_active"] = values["file_active"] or 0

    last_is_kept = decoupe.dernier_garde
    for row in kept.sommes(gardes.queryset, gardes.structures, decoupe.mois, GROUPES_GARDES[grouper]):
        add(row["cle"] or None, row, last_is_kept)  # referent 0: none
    last_part = len(decoupe.vivantes) - 1
    for row in _live_rows_parts(queryset, decoupe.vivantes, key, today):
        add(row[key], row, not last_is_kept and row["partie"] == last_part)
    rows = sorted(merged.values(), key=lambda row: (row[key] is None, row[key] or 0))
    return _lignes(rows, key, codes, grouper, tri, descendant)


# The kept rows' column for each grouping of `GROUPES`.
GROUPES_GARDES = {"referent": "referent_id", "structure": "structure_id", "territoire": "territoire_id"}


def personnes(queryset, *, periode, population, today):
    """The orientations behind a figure, with `au_numerateur` for a rate's population."""
    conds = conditions(periode, today)
    _, numerateur, _ = POPULATIONS[population]
    people = annotated(queryset, periode).filter(conds[population])
    if numerateur:
        people = people.annotate(au_numerateur=ExpressionWrapper(conds[numerateur], output_field=BooleanField()))
    people = people.annotate(date_sortie=F("sortie__date"), motif_sortie=F("sortie__motif"))
    return people.select_related("beneficiaire", "structure", "referent", "type_accompagnement").order_by(
        "beneficiaire__nom", "beneficiaire__prenom", "pk"
    )


def serie_mensuelle(queryset, periode: Periode, gardes=None) -> list[dict]:
    """File active at each month end, entries and exits in each month: one query (with `gardes`,
    one for the kept months and one per live part)."""
    months = periode.mois()
    if gardes is None or not gardes.decoupe.mois:
        figures = _serie_live(queryset, periode)
    else:
        from accompagnement import gardes as kept

        figures = kept.serie(gardes.queryset, gardes.structures, gardes.decoupe.mois)
        figures.update(_serie_live(queryset, *gardes.decoupe.vivantes))
    return [
        {
            "mois": month.isoformat()[:7],
            "libelle": mois_fr(month),
            "file_active": figures.get(month, (0, 0, 0))[0],
            "entrees": figures.get(month, (0, 0, 0))[1],
            "sorties": figures.get(month, (0, 0, 0))[2],
        }
        for month in months
    ]


def _serie_live(queryset, *parts: Periode) -> dict:
    """{month: (file active at its end, entries, exits)} within the parts of a period: one query."""
    aggs, months = {}, []
    for part in parts:
        for month in part.mois():
            i = len(months)
            months.append(month)
            end = min(fin_de_mois(month), part.au)
            start = max(month, part.du)
            aggs[f"fa{i}"] = Count(
                "pk", filter=Q(date_orientation__lte=end) & (Q(date_fin__isnull=True) | Q(date_fin__gt=end))
            )
            aggs[f"e{i}"] = Count("pk", filter=Q(date_orientation__gte=start, date_orientation__lte=end))
            aggs[f"s{i}"] = Count("pk", filter=Q(sortie__date__gte=start, sortie__date__lte=end))
    if not aggs:
        return {}
    periode = Periode(parts[0].du, parts[-1].au)  # spans the parts: every row counted is in it
    result = concernees(queryset, periode, suivis=False).order_by().aggregate(**aggs)
    return {month: (result[f"fa{i}"], result[f"e{i}"], result[f"s{i}"]) for i, month in enumerate(months)}


# --- the monthly reporting (seed 004 l. 187–199) ---------------------------------------------


def reporting_date_limite(mois: datetime.date) -> datetime.date:
    """Due by the 10th of the following month (seed 004 l. 187)."""
    return add_months(mois.replace(day=1), 1).replace(day=ReportingMensuel.JOUR_LIMITE)


def reporting_is_validated(structure, mois: datetime.date) -> bool:
    """For the deadline registry: has the structure validated the report of this month?"""
    return ReportingMensuel.objects.filter(structure=structure, mois=mois.replace(day=1)).exists()


def reporting_is_late(mois: datetime.date, today: datetime.date, valide=False) -> bool:
    return not valide and today > reporting_date_limite(mois)


def mois_termine(mois: datetime.date, today: datetime.date) -> bool:
    return mois.replace(day=1) < today.replace(day=1)


def structures_a_reporter(structures, mois: datetime.date):
    """The structures that accompanied someone during the month: they owe its report (the same
    rule as the reminder of accompagnement.echeances)."""
    accompanied = Orientation.objects.filter(structure=OuterRef("pk"), date_orientation__lte=fin_de_mois(mois)).filter(
        Q(date_fin__isnull=True) | Q(date_fin__gte=mois.replace(day=1))
    )
    return structures.filter(Exists(accompanied))


REPORTING_MOIS_SUIVIS = 12  # the months a structure's reporting page lists, the last one first


def reportings_a_valider(structure_id: int, today: datetime.date) -> list[datetime.date]:
    """The finished months of the last year whose report the structure owes (it accompanied
    someone) and has not validated, the oldest first. Two queries whatever the data.

    The rule is `structures_a_reporter`'s (an orientation begun by the month's end and not ended
    before it began), read once for the year: the distinct (first month, last month) spans of the
    orientations overlapping it, a few dozen rows however many people (the start clamped to the
    year), rather than one subquery per month (twelve to compile on every home page)."""
    current = today.replace(day=1)
    months = [add_months(current, -i) for i in range(1, REPORTING_MOIS_SUIVIS + 1)]
    first, last = months[-1], months[0]
    spans = set(
        Orientation.objects.filter(structure_id=structure_id, date_orientation__lte=fin_de_mois(last))
        .filter(Q(date_fin__isnull=True) | Q(date_fin__gte=first))
        .order_by()
        .values_list(TruncMonth(Greatest("date_orientation", Value(first))), TruncMonth("date_fin"))
        .distinct()
    )
    validated = set(
        ReportingMensuel.objects.filter(structure_id=structure_id, mois__in=months)
        .order_by()
        .values_list("mois", flat=True)
    )
    return sorted(
        month
        for month in months
        if month not in validated
        and any(begun <= month and (ended is None or ended >= month) for begun, ended in spans)
    )


def dernier_mois_exigible(today: datetime.date) -> datetime.date:
    """The latest month whose report is past due: last month after the 10th, else the one before."""
    last = add_months(today.replace(day=1), -1)
    return last if today > reporting_date_limite(last) else add_months(last, -1)


def reportings_en_retard(structures, mois: datetime.date):
    """Of `structures`, those that owe the month's report and have not validated it."""
    return structures_a_reporter(structures, mois).exclude(reportings__mois=mois)


def reporting_donnees(structure, mois: datetime.date) -> dict:
    """The month's figures, live from the data (one query): people accompanied at the month's
    end, entries, exits by category and by motif. Aggregates only, no person."""
    start, end = mois.replace(day=1), fin_de_mois(mois)
    in_month = Q(sortie__date__gte=start, sortie__date__lte=end)
    result = (
        Orientation.objects.filter(structure=structure)
        .order_by()
        .aggregate(
            file_active=Count(
                "pk", filter=Q(date_orientation__lte=end) & (Q(date_fin__isnull=True) | Q(date_fin__gt=end))
            ),
            entrees=Count("pk", filter=Q(date_orientation__gte=start, date_orientation__lte=end)),
            **{f"motif_{m.value}": Count("pk", filter=in_month & Q(sortie__motif=m)) for m in MotifSortie},
        )
    )
    par_motif = {m.value: result[f"motif_{m.value}"] for m in MotifSortie}
    par_categorie = {c.value: sum(par_motif[m] for m in motifs_of(c)) for c in CategorieSortie}
    return {
        "file_active": result["file_active"],
        "entrees": result["entrees"],
        "sorties": sum(par_motif.values()),
        "sorties_dynamiques": sum(par_categorie[c.value] for c in CATEGORIES_DYNAMIQUES),
        "par_categorie": par_categorie,
        "par_motif": par_motif,
    }


def reporting_lignes(donnees: dict) -> list[tuple]:
    """(category label, count, [(motif label, count)]) for display, in the typology's order."""
    lines = []
    for categorie in CategorieSortie:
        motifs = [(MotifSortie(m).label, donnees["par_motif"].get(m, 0)) for m in motifs_of(categorie)]
        lines.append((categorie.label, donnees["par_categorie"].get(categorie.value, 0), motifs))
    return lines


@transaction.atomic
def reporting_validate(*, structure, mois: datetime.date, user, request=None) -> ReportingMensuel:
    """Freeze a finished month's figures as the structure's report."""
    mois = mois.replace(day=1)
    if not mois_termine(mois, timezone.localdate()):
        raise AccompagnementError(
            "Le mois n'est pas terminé : son reporting se valide à partir du 1er du mois suivant."
        )
    if ReportingMensuel.objects.filter(structure=structure, mois=mois).exists():
        raise AccompagnementError(ALREADY_DONE)
    try:
        with transaction.atomic():
            reporting = ReportingMensuel.objects.create(
                structure=structure,
                mois=mois,
                donnees=reporting_donnees(structure, mois),
                valide_le=timezone.now(),
                valide_par=user,
            )
    except IntegrityError as error:  # validated meanwhile by a colleague
        raise AccompagnementError(ALREADY_DONE) from error
    access_record(user=user, obj=reporting, action=Action.CREATION, request=request, detail="validation")
    return reporting
