"""Read-side computations of the deliberation report: the annex by thématique and operation, the
imputation table and the gap between each article and its lines. Totals are summed in the
database or, for one deliberation's few dozen lines, once in Python from one query."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, Sum
from django.db.models.functions import Coalesce

from financement.models import (
    ZERO,
    Article,
    AutorisationEngagement,
    Deliberation,
    LigneAnnexe,
    LigneBudgetaire,
    SimulationProgrammation,
    money_field,
)


@dataclass
class OperationGroup:
    numero: int
    libelle: str
    lignes: list = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((ligne.montant for ligne in self.lignes), ZERO)

    @property
    def places(self) -> int:
        return sum(ligne.places or 0 for ligne in self.lignes)

    @property
    def diagnostics(self) -> int:
        return sum(ligne.diagnostics or 0 for ligne in self.lignes)


@dataclass
class ThematiqueGroup:
    code: str
    libelle: str
    article: Article | None
    operations: list = field(default_factory=list)

    @property
    def total_lignes(self) -> Decimal:
        return sum((operation.total for operation in self.operations), ZERO)

    @property
    def ecart(self) -> Decimal | None:
        """Voted amount − sum of the lines (None before the vote)."""
        return None if self.article is None else self.article.montant_vote - self.total_lignes


def annex_lines(deliberation):
    return list(
        LigneAnnexe.objects.filter(deliberation=deliberation)
        .retenues()
        .select_related("territoire", "territoire_secondaire", "structure", "ligne_budgetaire")
        .order_by("ordre")
    )


def annex_by_thematique(deliberation, lignes=None) -> list[ThematiqueGroup]:
    lignes = annex_lines(deliberation) if lignes is None else lignes
    articles = {article.thematique: article for article in deliberation.articles.all()}
    groups: dict[str, ThematiqueGroup] = {}
    for ligne in lignes:
        article = articles.get(ligne.thematique)
        group = groups.get(ligne.thematique)
        if group is None:
            libelle = article.thematique_libelle if article else f"Thématique {ligne.thematique}"
            group = groups[ligne.thematique] = ThematiqueGroup(ligne.thematique, libelle, article)
        if not group.operations or group.operations[-1].numero != ligne.operation:
            group.operations.append(OperationGroup(ligne.operation, ligne.operation_libelle))
        group.operations[-1].lignes.append(ligne)
    # Articles voted without any line still show, with their whole amount as the gap.
    for thematique, article in articles.items():
        groups.setdefault(thematique, ThematiqueGroup(thematique, article.thematique_libelle, article))
    return sorted(groups.values(), key=lambda group: (group.article.numero if group.article else 99, group.code))


@dataclass
class ImputationRow:
    ligne_budgetaire: object
    ae: Decimal | None
    disponible: Decimal | None
    proposition: Decimal

    @property
    def solde(self) -> Decimal | None:
        return None if self.disponible is None else self.disponible - self.proposition


def _voted_before(deliberation):
    """Adopted deliberations that consumed AE before this one (same year, earlier date, or same
    date and a smaller number)."""
    return Q(deliberation__adoptee=True, deliberation__date__year=deliberation.date.year) & (
        Q(deliberation__date__lt=deliberation.date)
        | Q(deliberation__date=deliberation.date, deliberation__numero__lt=deliberation.numero)
    )


def imputation_table(deliberation) -> list[ImputationRow]:
    """AE, disponible before this deliberation, proposition (the voted articles, or the retained
    lines before the vote) and solde, per budget line."""
    articles = list(deliberation.articles.select_related("ligne_budgetaire").order_by("numero"))
    propositions: dict[int, Decimal] = {}
    budget_lines = {}
    if articles:
        for article in articles:
            budget_lines[article.ligne_budgetaire_id] = article.ligne_budgetaire
            propositions[article.ligne_budgetaire_id] = (
                propositions.get(article.ligne_budgetaire_id, ZERO) + article.montant_vote
            )
    else:
        rows = (
            LigneAnnexe.objects.filter(deliberation=deliberation)
            .retenues()
            .values("ligne_budgetaire")
            .annotate(total=Sum("montant"))
            .order_by("ligne_budgetaire__code_operation")
        )
        propositions = {row["ligne_budgetaire"]: row["total"] for row in rows}
        budget_lines = LigneBudgetaire.objects.in_bulk(list(propositions))
    aes = dict(
        AutorisationEngagement.objects.filter(
            ligne_budgetaire__in=list(budget_lines), annee=deliberation.date.year
        ).values_list("ligne_budgetaire", "montant")
    )
    available = _available_before(deliberation, budget_lines)
    table = []
    for pk, proposition in propositions.items():
        table.append(
            ImputationRow(
                ligne_budgetaire=budget_lines[pk],
                ae=aes.get(pk),
                disponible=available.get(pk),
                proposition=proposition,
            )
        )
    return table


def deliberation_by_numero(user, numero):
    return (
        Deliberation.objects.visible_to(user)
        .select_related("session")
        .prefetch_related("articles__ligne_budgetaire")
        .filter(numero=numero)
        .first()
    )


@dataclass
class SimulationColumn:
    simulation: object
    totals: dict  # budget line pk → Decimal
    total: Decimal
    fits: bool


def simulations_comparison(deliberation):
    """Side by side: for each simulation, the amount chosen on each budget line against what is
    available before this deliberation. Two queries whatever the number of simulations."""
    simulations = list(SimulationProgrammation.objects.filter(deliberation=deliberation).order_by("created_at", "pk"))
    rows = (
        LigneAnnexe.objects.filter(simulations__in=simulations)
        .values("simulations", "ligne_budgetaire")
        .annotate(total=Sum("montant"))
    )
    totals: dict[int, dict[int, Decimal]] = {simulation.pk: {} for simulation in simulations}
    for row in rows:
        totals[row["simulations"]][row["ligne_budgetaire"]] = row["total"]
    budget_pks = {pk for per_line in totals.values() for pk in per_line}
    budget_pks |= set(LigneAnnexe.objects.filter(deliberation=deliberation).values_list("ligne_budgetaire", flat=True))
    budget_lines = LigneBudgetaire.objects.in_bulk(list(budget_pks))
    available = _available_before(deliberation, budget_lines)
    columns = []
    for simulation in simulations:
        per_line = totals[simulation.pk]
        fits = all(available.get(pk) is None or amount <= available[pk] for pk, amount in per_line.items())
        columns.append(SimulationColumn(simulation, per_line, sum(per_line.values(), ZERO), fits))
    lines = sorted(budget_lines.values(), key=lambda line: line.code_operation)
    return lines, available, columns


def _available_before(deliberation, budget_lines) -> dict:
    aes = {
        ae.ligne_budgetaire_id: ae
        for ae in AutorisationEngagement.objects.filter(
            ligne_budgetaire__in=list(budget_lines), annee=deliberation.date.year
        )
    }
    earlier = dict(
        Article.objects.filter(_voted_before(deliberation), ligne_budgetaire__in=list(budget_lines))
        .exclude(deliberation=deliberation)
        .values_list("ligne_budgetaire")
        .annotate(total=Coalesce(Sum("montant_vote"), ZERO, output_field=money_field()))
    )
    return {pk: ae.disponible_ouverture - earlier.get(pk, ZERO) for pk, ae in aes.items()}


def suites_candidature(user, candidature) -> dict:
    """What the funding side made of a call-for-projects application, within what the user may
    see: the deliberations whose annex carries it (the Département's roles) and the conventions and
    avenants made from it (also the structure's members; SLAI agents see no money)."""
    from financement.models import Avenant, Convention

    lignes = list(
        LigneAnnexe.objects.visible_to(user)
        .filter(candidature=candidature)
        .select_related("deliberation")
        .order_by("deliberation__numero", "ordre")
    )
    actes = [
        *Convention.objects.visible_to(user).filter(ligne_annexe__candidature=candidature).order_by("numero"),
        *Avenant.objects.visible_to(user)
        .filter(ligne_annexe__candidature=candidature)
        .select_related("convention")
        .order_by("convention__numero", "numero"),
    ]
    return {"lignes": lignes, "actes": actes}
