"""Read-side computations of the label domain: training status, panel averages, label status."""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Prefetch, Q

from label.enums import EtatDemande, EtatRecours, Evaluateur, NatureFormation, TypeDemande
from label.models import QUALITY_THRESHOLD, FormationReferent, Label, ModuleFormation
from portal.core.dates import add_months
from portal.referentiels.models import Referent


def training_deadline(arrival: datetime.date) -> datetime.date:
    """A new referent is trained "dans l'année de son arrivée" (seed 001 l. 217): the calendar
    year by default, or 12 months when LABEL_FORMATION_DELAI = "douze_mois"."""
    if getattr(settings, "LABEL_FORMATION_DELAI", "annee_civile") == "douze_mois":
        return add_months(arrival, 12)
    return datetime.date(arrival.year, 12, 31)


@dataclass
class TrainingStatus:
    referent: Referent
    done: list = field(default_factory=list)  # modules validly attended or accepted as equivalent
    missing_mandatory: list = field(default_factory=list)
    has_optional: bool = False
    planned: list = field(default_factory=list)  # FormationReferent rows (planned or re-planned)
    pending_equivalences: list = field(default_factory=list)
    deadline: datetime.date | None = None

    @property
    def is_complete(self):
        return not self.missing_mandatory and self.has_optional

    @property
    def missing_labels(self):
        labels = [module.libelle for module in self.missing_mandatory]
        if not self.has_optional:
            labels.append("1 module facultatif au choix")
        return labels


def training_statuses(referents, today: datetime.date) -> list[TrainingStatus]:
    """Training status of each referent; `referents` is a queryset (two queries in all)."""
    modules = list(ModuleFormation.objects.all())
    mandatory = [module for module in modules if module.obligatoire]
    referents = referents.prefetch_related(
        Prefetch("formations", queryset=FormationReferent.objects.select_related("module").order_by("date"))
    )
    statuses = []
    for referent in referents:
        records = list(referent.formations.all())
        done_ids = {record.module_id for record in records if record.is_valid_training}
        status = TrainingStatus(
            referent=referent,
            done=[module for module in modules if module.pk in done_ids],
            missing_mandatory=[module for module in mandatory if module.pk not in done_ids],
            has_optional=any(not module.obligatoire and module.pk in done_ids for module in modules),
            planned=[
                r
                for r in records
                if r.module_id not in done_ids
                and (r.nature == NatureFormation.PREVUE or r.nature == NatureFormation.ABSENCE)
            ],
            pending_equivalences=[
                r for r in records if r.nature == NatureFormation.EQUIVALENCE and r.equivalence_acceptee_at is None
            ],
        )
        deadline = training_deadline(referent.date_arrivee)
        status.deadline = deadline if deadline >= today else None
        statuses.append(status)
    return statuses


def percent(total: Decimal, count: int) -> Decimal | None:
    """Average grid score as a percentage of 10 points, rounded once."""
    if not count:
        return None
    return (total / count * 10).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class PanelSummary:
    expected: int
    structure_done: int
    dpid_done: int
    structure_average: Decimal | None
    dpid_average: Decimal | None

    @property
    def structure_complete(self):
        return self.expected > 0 and self.structure_done >= self.expected

    @property
    def dpid_complete(self):
        """The control says "atteint" or "non atteint" only once every CER of the panel is graded."""
        return self.expected > 0 and self.dpid_done >= self.expected

    @property
    def structure_passes(self):
        return self.structure_average is not None and self.structure_average >= QUALITY_THRESHOLD

    @property
    def dpid_passes(self):
        return self.dpid_average is not None and self.dpid_average >= QUALITY_THRESHOLD


def panel_summary(demande) -> PanelSummary:
    expected = sum(len(tirage.selection) for tirage in demande.tirages.all())
    by_kind = {Evaluateur.STRUCTURE: [], Evaluateur.DPID: []}
    for evaluation in demande.evaluations.all():
        if evaluation.is_complete:
            by_kind[evaluation.evaluateur].append(evaluation.total)
    return PanelSummary(
        expected=expected,
        structure_done=len(by_kind[Evaluateur.STRUCTURE]),
        dpid_done=len(by_kind[Evaluateur.DPID]),
        structure_average=percent(sum(by_kind[Evaluateur.STRUCTURE], Decimal(0)), len(by_kind[Evaluateur.STRUCTURE])),
        dpid_average=percent(sum(by_kind[Evaluateur.DPID], Decimal(0)), len(by_kind[Evaluateur.DPID])),
    )


def current_label(structure, on: datetime.date):
    return Label.objects.filter(structure=structure).valid_on(on).order_by("-date_fin").first()


def charter_due(label):
    """(year, due date) of the label's next quality charter: one a year, due on each anniversary
    of the decision while the label runs; (None, None) once every year is filed. Uses the label's
    `chartes` (prefetch them for lists)."""
    from portal.core.dates import add_years

    filed = {charte.annee for charte in label.chartes.all()}
    year = 1
    while year in filed:
        year += 1
    due = add_years(label.date_decision, year)
    return (year, due) if due <= label.date_fin else (None, None)


# The work queues of the label requests: who must act next. The DPID's home page counts them and
# the label page filters on them (?file=...). A renewal may be decided right after the DPID's
# evaluation, without the SLAI's step (the lighter procedure, see services._transition).
DEMANDE_QUEUES = {
    "controle": ("Demandes à contrôler et évaluer par la DPID", Q(etat=EtatDemande.DEPOSEE)),
    "avis_slai": (
        "Demandes en attente de l'avis du SLAI",
        Q(etat=EtatDemande.AVIS_DPID) & ~Q(type=TypeDemande.RENOUVELLEMENT),
    ),
    "decision": (
        "Demandes à décider par la DPID",
        Q(etat=EtatDemande.AVIS_SLAI) | Q(etat=EtatDemande.AVIS_DPID, type=TypeDemande.RENOUVELLEMENT),
    ),
    "recours": ("Recours gracieux à répondre", Q(recours__etat=EtatRecours.DEPOSE)),
}
