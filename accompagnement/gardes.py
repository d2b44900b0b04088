"""The indicators of closed months, computed once and kept (`IndicateurMensuel`).

Every figure of the indicators' table but two is a count or a sum over a date range of the period
(entries, exits, days accompanied, interviews, weeks, the 12-month cohort…), so the figure of a
period is the sum of the figures of its months; the file active is read at the period's end (the
last month's). The two counts of distinct people (`NON_ADDITIFS`) are not kept: the table does
not show them (their people lists stay live).

A closed month of a structure is computed once per combination of the dimensions the table
groups, filters and scopes by, and reused while nothing of the structure changes: every write of
an orientation, CER, interview, exit, weekly activity, reorientation request or person through
the ORM deletes the structure's kept months (accompagnement/signals.py), and the bulk loads call
`invalider`. Two figures depend on the day (a CER or first-appointment deadline passed or not): a
month computed while one of its deadlines was still open holds for that day only.

The current month and the partial months at the period's edges are computed live.
"""

import contextlib
import contextvars
import datetime
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Least
from django.utils import timezone

from accompagnement.models import FIGURES_GARDEES, IndicateurMensuel, Orientation
from portal.core.formats import format_date
from portal.referentiels.models import Structure

NON_ADDITIFS = ("accompagnes", "avec_semaines")
DIMENSIONS = {
    "d_structure": F("structure_id"),
    "d_referent": F("referent_id"),
    "d_territoire": F("beneficiaire__territoire_id"),
    "d_type": F("type_accompagnement_id"),
    "d_archive": ExpressionWrapper(Q(beneficiaire__archive_le__isnull=False), output_field=BooleanField()),
}


@dataclass
class Decoupe:
    mois: list  # the closed whole months, read from the kept figures
    vivantes: list  # the other parts of the period (Periode), computed live, in order
    dernier_garde: bool  # the period ends with a kept month (its file active is the period's)


def decoupe(periode, today) -> Decoupe:
    """The period as whole closed months (kept) and the rest (live): a partial month at each edge,
    the current month."""
    from accompagnement.indicateurs import Periode, fin_de_mois

    months = [m for m in periode.mois() if m >= periode.du and fin_de_mois(m) <= periode.au and fin_de_mois(m) < today]
    if not months:
        return Decoupe([], [periode], False)
    vivantes = []
    if months[0] > periode.du:
        vivantes.append(Periode(periode.du, months[0] - datetime.timedelta(days=1)))
    end = fin_de_mois(months[-1])
    if end < periode.au:
        vivantes.append(Periode(end + datetime.timedelta(days=1), periode.au))
    # The kept months are contiguous: a month inside the period is whole, and every month before
    # a closed month is closed.
    return Decoupe(months, vivantes, end == periode.au)


@dataclass
class Gardes:
    """The kept figures a page reads: scoped like its orientations, their months made valid."""

    queryset: object  # IndicateurMensuel, scoped and filtered like the page's orientations
    decoupe: Decoupe
    structures: list  # the structures of the page's orientations
    calcules: tuple = (None, None)  # when the kept months shown were computed: earliest, latest

    def note(self) -> str:
        """The page's line on where its figures come from, in French."""
        premier, dernier = self.calcules
        if not self.decoupe.mois or premier is None:
            return ""

        def when(moment):
            return f"le {format_date(moment)} à {timezone.localtime(moment):%H:%M}"

        calcul = when(dernier) if when(premier) == when(dernier) else f"entre {when(premier)} et {when(dernier)}"
        text = f"Mois clos : chiffres calculés {calcul} et recalculés dès qu'un dossier de la structure change"
        if self.decoupe.vivantes:
            text += " ; mois en cours ou partiels : en temps réel"
        return text + "."


def preparer(gardes_queryset, queryset, periode, today) -> Gardes:
    """Make the period's closed months valid for the structures of `queryset` (computing the
    missing ones), once for the table and the monthly chart."""
    parts = decoupe(periode, today)
    if not parts.mois:
        return Gardes(gardes_queryset, parts, [])
    structures, calcules = mois_gardes(queryset, parts.mois, today)
    return Gardes(gardes_queryset, parts, structures, calcules)


def _valide(today):
    """A kept month holds on `today` if computed today, or if every deadline it depends on (the
    latest, `echeance`: CER or first appointment not yet met) had passed both when it was computed
    and today."""
    return (
        Q(jour_calcul=today)
        | Q(echeance__isnull=True)
        | Q(echeance__lt=Least(Value(today, output_field=DateField()), F("jour_calcul")))
    )


def mois_gardes(queryset, months, today) -> list[int]:
    """The structures of `queryset`'s orientations, with their kept `months` made valid (computed
    now where missing or stale): two queries when every month is kept, five more otherwise."""
    valid = IndicateurMensuel.objects.filter(_valide(today), calcul=True, structure_id=OuterRef("pk"))
    in_months = valid.filter(mois__in=months).order_by().values("structure_id")
    rows = (
        Structure.objects.filter(pk__in=queryset.order_by().values("structure_id"))
        .annotate(
            **{f"m{i}": Exists(valid.filter(mois=month)) for i, month in enumerate(months)},
            premier=Subquery(in_months.annotate(d=Min("calcule_le")).values("d")),
            dernier=Subquery(in_months.annotate(d=Max("calcule_le")).values("d")),
        )
        .values("pk", "premier", "dernier", *(f"m{i}" for i in range(len(months))))
    )
    structures, missing, moments = [], {}, []
    for row in rows:
        structures.append(row["pk"])
        moments += [moment for moment in (row["premier"], row["dernier"]) if moment is not None]
        for i, month in enumerate(months):
            if not row[f"m{i}"]:
                missing.setdefault(month, []).append(row["pk"])
    if missing:
        moments.append(calculer(missing, today))
    return structures, (min(moments), max(moments)) if moments else (None, None)


def calculer(missing: dict, today) -> datetime.datetime:
    """Compute and keep the months {month: [structure ids]}: one query for all the months (a
    UNION), then the writes in one transaction."""
    from accompagnement.indicateurs import Periode, aggregates, annotated, concernees, fin_de_mois

    computed_at = timezone.now()
    parts = []
    for month, structure_ids in missing.items():
        periode = Periode(month, fin_de_mois(month))
        entree = Q(date_orientation__gte=periode.du, date_orientation__lte=periode.au)
        figures = {
            code: agg for code, agg in aggregates(periode, today, par_dossier=True).items() if code not in NON_ADDITIFS
        }
        orientations = Orientation.objects.filter(structure_id__in=structure_ids)
        parts.append(
            annotated(concernees(orientations, periode, par_dossier=True), periode)
            .annotate(d_mois=Value(month, output_field=DateField()), **DIMENSIONS)
            .values("d_mois", *DIMENSIONS)
            .annotate(
                **figures,
                # The open deadlines this month's figures depend on (see `_valide`).
                echeance_cer=Max("date_limite_cer", filter=entree & Q(premier_cer_le__isnull=True)),
                echeance_rdv=Max("date_limite_premier_rdv", filter=entree & Q(premier_present_le__isnull=True)),
            )
            .order_by()
        )
    query = parts[0].union(*parts[1:], all=True).order_by() if len(parts) > 1 else parts[0]
    rows = list(query)  # JIT is off on the portal's connections (DATABASE_PG_OPTIONS)
    echeances = {}
    for row in rows:
        pair = (row["d_mois"], row["d_structure"])
        dates = [d for d in (row["echeance_cer"], row["echeance_rdv"], echeances.get(pair)) if d is not None]
        if dates:
            echeances[pair] = max(dates)
    pairs = Q()
    for month, structure_ids in missing.items():
        pairs |= Q(mois=month, structure_id__in=structure_ids)
    kept = {"calcule_le": computed_at, "jour_calcul": today}
    # Two statements, no transaction: a request computing the same months at the same time
    # inserts nothing twice (unique rows, ON CONFLICT DO NOTHING).
    IndicateurMensuel.objects.filter(pairs).delete()
    IndicateurMensuel.objects.bulk_create(
        [
            *(
                IndicateurMensuel(
                    mois=row["d_mois"],
                    structure_id=row["d_structure"],
                    referent_id=row["d_referent"] or 0,
                    territoire_id=row["d_territoire"],
                    type_accompagnement_id=row["d_type"],
                    archive=bool(row["d_archive"]),
                    echeance=echeances.get((row["d_mois"], row["d_structure"])),
                    **kept,
                    **{code: row[code] or 0 for code in FIGURES_GARDEES},
                )
                for row in rows
            ),
            *(
                IndicateurMensuel(
                    mois=month,
                    structure_id=structure_id,
                    referent_id=0,
                    territoire_id=0,
                    type_accompagnement_id=0,
                    calcul=True,
                    echeance=echeances.get((month, structure_id)),
                    **kept,
                )
                for month, structure_ids in missing.items()
                for structure_id in structure_ids
            ),
        ],
        ignore_conflicts=True,
    )
    return computed_at


def sommes(gardes, structures, months, colonne):
    """The kept figures of `months` summed per group (`colonne`), the file active of the last
    month: one query."""
    last = months[-1]
    return (
        gardes.filter(structure_id__in=structures, mois__in=months)
        .order_by()
        .values(cle=F(colonne))  # referent 0: none
        .annotate(
            **{code: Sum(code) for code in FIGURES_GARDEES if code != "file_active"},
            file_active=Sum("file_active", filter=Q(mois=last)),
        )
    )


def serie(gardes, structures, months) -> dict:
    """{month: (file active at its end, entries, exits)} from the kept figures: one query."""
    rows = (
        gardes.filter(structure_id__in=structures, mois__in=months)
        .order_by()
        .values("mois")
        .annotate(fa=Sum("file_active"), e=Sum("entrees"), s=Sum("sorties"))
    )
    return {row["mois"]: (row["fa"] or 0, row["e"] or 0, row["s"] or 0) for row in rows}


_EN_BLOC = contextvars.ContextVar("indicateurs_en_bloc", default=False)


@contextlib.contextmanager
def en_bloc():
    """A bulk write (retention purge) that forgets the kept months itself, once: the signals'
    one DELETE per record is skipped."""
    token = _EN_BLOC.set(True)
    try:
        yield
    finally:
        _EN_BLOC.reset(token)


def invalider_un(structure_ids, *more) -> None:
    """`invalider` for one record's write (the signals), skipped within `en_bloc`."""
    if not _EN_BLOC.get():
        invalider(structure_ids, *more)


def invalider(structure_ids=None, *more) -> None:
    """Forget the kept months of these structures (ids, a subquery of ids, or a single id in
    `more`; all of them for None): they are computed again at the next page. Called on every write
    that changes a figure (accompagnement/signals.py, bulk loads): one DELETE."""
    rows = IndicateurMensuel.objects.filter(calcul=True)
    if structure_ids is not None:
        wanted = Q(structure_id__in=structure_ids)
        for ids in more:
            wanted |= Q(structure_id__in=ids) if isinstance(ids, set | list | tuple) else Q(structure_id=ids)
        rows = rows.filter(wanted)
    rows.delete()


def precalculer(today=None) -> int:
    """Compute the kept closed months of the last 12 months for every structure (the nightly
    task): no user pays the first computation. Returns the number of (structure, month) computed."""
    from accompagnement.indicateurs import Periode

    today = today or timezone.localdate()
    periode = Periode.douze_derniers_mois(today)
    months = decoupe(periode, today).mois
    kept = IndicateurMensuel.objects.filter(calcul=True)
    before = kept.count()
    if months:
        mois_gardes(Orientation.objects.all(), months, today)
    return kept.count() - before
