"""Dashboards: per budget line what is voted, committed, paid and left; per structure what each
euro paid in a year bought (people accompanied, CERs signed, dynamic exits), from the
accompaniment's indicators. Totals are computed in the database; the number of queries does not
depend on the number of conventions."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.http import urlencode

from financement.models import (
    ZERO,
    Article,
    Avenant,
    Convention,
    Deliberation,
    LigneBudgetaire,
    Versement,
    money_field,
)

SIGNED = ("signee", "echue", "resiliee")


def _sum_by(queryset, key, field):
    return Subquery(
        queryset.filter(**{key: OuterRef("pk")}).order_by().values(key).annotate(total=Sum(field)).values("total"),
        output_field=money_field(),
    )


def budget_lines(user, annee: int):
    """Per budget line, for a year: AE, voted (adopted articles), committed (signed conventions and
    avenants), paid (payments dated that year), left to pay on what is committed. One query."""
    voted = Article.objects.filter(deliberation__adoptee=True, deliberation__date__year=annee)
    conventions = Convention.objects.filter(etat__in=SIGNED, signe_departement_le__year=annee)
    avenants = Avenant.objects.filter(etat__in=SIGNED, signe_departement_le__year=annee)
    paid = Versement.objects.filter(date_versement__year=annee)
    ae = Subquery(
        LigneBudgetaire.objects.filter(pk=OuterRef("pk"))
        .values("autorisations__montant")
        .filter(autorisations__annee=annee)[:1],
        output_field=money_field(),
    )
    return (
        LigneBudgetaire.objects.visible_to(user)
        .annotate(
            ae=ae,
            vote=Coalesce(_sum_by(voted, "ligne_budgetaire", "montant_vote"), ZERO, output_field=money_field()),
            engage_conventions=Coalesce(
                _sum_by(conventions, "ligne_budgetaire", "montant_max"), ZERO, output_field=money_field()
            ),
            engage_avenants=Coalesce(
                _sum_by(avenants, "convention__ligne_budgetaire", "montant_supplementaire"),
                ZERO,
                output_field=money_field(),
            ),
            paye=Coalesce(_sum_by(paid, "convention__ligne_budgetaire", "montant"), ZERO, output_field=money_field()),
        )
        .order_by("code_operation")
    )


@dataclass
class CoutStructure:
    structure_id: int
    nom: str
    paye: Decimal
    accompagnes: int
    cer_signes: int
    sorties_dynamiques: int
    liens: dict

    @property
    def cout_par_personne(self):
        return (self.paye / self.accompagnes).quantize(Decimal("0.01")) if self.accompagnes else None

    @property
    def cout_par_sortie_dynamique(self):
        return (self.paye / self.sorties_dynamiques).quantize(Decimal("0.01")) if self.sorties_dynamiques else None


def cout_par_resultat(user, annee: int, today: datetime.date):
    """Per structure paid in `annee`: the amount paid beside the people accompanied that year, the
    CERs signed and the dynamic exits, and the cost per person and per dynamic exit."""
    # The accompaniment's own indicator computation (its public read-side): one grouped query.
    from accompagnement.indicateurs import Periode, tableau
    from accompagnement.models import Orientation

    paid_rows = (
        Versement.objects.visible_to(user)
        .filter(date_versement__year=annee)
        .values("convention__structure", "convention__structure__nom")
        .annotate(total=Sum("montant"))
        .order_by("convention__structure__nom")
    )
    paid = {row["convention__structure"]: (row["convention__structure__nom"], row["total"]) for row in paid_rows}
    if not paid:
        return [], None
    periode = Periode.annee(annee)
    au = min(periode.au, today)
    periode = Periode(du=periode.du, au=au)
    orientations = Orientation.objects.visible_to(user).filter(structure__in=list(paid))
    lignes, _total = tableau(orientations, periode=periode, grouper="structure", today=today)
    results = {ligne.cle: ligne.valeurs for ligne in lignes}
    people_url = reverse("accompagnement:indicateurs_personnes")
    rows = []
    for structure_id, (nom, total) in paid.items():
        values = results.get(structure_id, {})

        def lien(population, structure_id=structure_id):
            query = {
                "du": periode.du.isoformat(),
                "au": periode.au.isoformat(),
                "grouper": "structure",
                "groupe": structure_id,
                "population": population,
            }
            return f"{people_url}?{urlencode(query)}"

        rows.append(
            CoutStructure(
                structure_id=structure_id,
                nom=nom,
                paye=total,
                accompagnes=values.get("accompagnes", 0),
                cer_signes=values.get("cer_signe", 0),
                sorties_dynamiques=values.get("sorties_dynamiques", 0),
                liens={p: lien(p) for p in ("accompagnes", "cer_signe", "sorties_dynamiques")},
            )
        )
    total = CoutStructure(
        structure_id=0,
        nom="Total",
        paye=sum((row.paye for row in rows), ZERO),
        accompagnes=sum(row.accompagnes for row in rows),
        cer_signes=sum(row.cer_signes for row in rows),
        sorties_dynamiques=sum(row.sorties_dynamiques for row in rows),
        liens={},
    )
    return rows, total


def annees_disponibles(today: datetime.date):
    years = {d.year for d in Versement.objects.dates("date_versement", "year")}
    years |= {d.year for d in Deliberation.objects.filter(adoptee=True).dates("date", "year")}
    years.add(today.year)
    return sorted(years, reverse=True)
