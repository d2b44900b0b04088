"""Read-side computations of the label domain: training status, panel averages, label status."""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.db.models import Prefetch, Q
from django.utils import timezone

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
    # Modules missed for a justified reason (certificate of absence) with a new session planned:
    # seed 001 §5-1 b) asks the structure to send the justification and place the referent on a
    # new session; the criterion counts them as met.
    excused: list = field(default_factory=list)  # FormationReferent rows (justified absences)
    # A newcomer within the year of their arrival sends their training plan (seed 001 §5-1 b):
    # sessions planned from the day considered on.
    plan: list = field(default_factory=list)  # FormationReferent rows (planned sessions)

    @property
    def is_complete(self):
        return not self.missing_mandatory and self.has_optional

    @property
    def excused_modules(self):
        return [record.module for record in self.excused]

    @property
    def covering(self):
        """Records standing in for a module not yet done: justified absences with a new session,
        and, for a newcomer still within their delay, the planned sessions of their plan."""
        return self.excused + (self.plan if self.deadline else [])

    @property
    def is_newcomer_with_plan(self):
        return bool(self.deadline and self.plan and self.counts_as_trained and not self.is_complete)

    @property
    def counts_as_trained(self):
        """The training criterion for this referent: each mandatory module and one optional module
        attended (with its certificate), accepted as equivalent, missed with a justified absence and
        a new session planned, or (newcomer within the year of arrival) planned in their plan."""
        return not self.untrained_labels

    @property
    def untrained_labels(self):
        """What is still missing once justified absences and a newcomer's plan are counted."""
        covered = {record.module_id for record in self.covering}
        labels = [module.libelle for module in self.missing_mandatory if module.pk not in covered]
        if not (self.has_optional or any(not record.module.obligatoire for record in self.covering)):
            labels.append("1 module facultatif au choix")
        return labels

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
            plan=[
                r
                for r in records
                if r.module_id not in done_ids and r.nature == NatureFormation.PREVUE and r.date >= today
            ],
            excused=[
                r
                for r in records
                if r.module_id not in done_ids
                and r.nature == NatureFormation.ABSENCE
                and r.piece
                and r.nouvelle_session is not None
                and r.nouvelle_session >= today
            ],
        )
        deadline = training_deadline(referent.date_arrivee)
        status.deadline = deadline if deadline >= today else None
        statuses.append(status)
    return statuses


def percent(total: Decimal, count: int) -> Decimal | None:
    """Average grid score as a percentage of 10 points, cut (never rounded up) to the hundredth
    for display: 79,996 % shows 79,99 %, never 80 %. The criterion itself is decided on the exact
    sums (`meets_threshold`)."""
    if not count:
        return None
    return (total * 10 / count).quantize(Decimal("0.01"), rounding=ROUND_DOWN)


def meets_threshold(total: Decimal, count: int) -> bool:
    """Average ≥ 80 % compared without rounding (seed 001 l. 253: "supérieure ou égale à 80 %")."""
    return count > 0 and total * 10 >= QUALITY_THRESHOLD * count


def format_percent(value: Decimal | None) -> str:
    """45 → "45,0 %", 79.96 → "79,96 %": one decimal, two when the hundredth matters."""
    from portal.core.formats import format_number

    if value is None:
        return ""
    decimals = 1 if value == value.quantize(Decimal("0.1"), rounding=ROUND_DOWN) else 2
    return f"{format_number(value, decimals)} %"


@dataclass
class PanelSummary:
    expected: int
    structure_done: int
    dpid_done: int
    structure_average: Decimal | None
    dpid_average: Decimal | None
    structure_meets: bool = False
    dpid_meets: bool = False

    @property
    def structure_complete(self):
        return self.expected > 0 and self.structure_done >= self.expected

    @property
    def dpid_complete(self):
        """The control says "atteint" or "non atteint" only once every CER of the panel is graded."""
        return self.expected > 0 and self.dpid_done >= self.expected

    @property
    def structure_passes(self):
        return self.structure_meets

    @property
    def dpid_passes(self):
        return self.dpid_meets

    @property
    def dpid_average_text(self):
        return format_percent(self.dpid_average)

    @property
    def structure_average_text(self):
        return format_percent(self.structure_average)


def panel_summary(demande) -> PanelSummary:
    expected = sum(len(tirage.selection) for tirage in demande.tirages.all())
    by_kind = {Evaluateur.STRUCTURE: [], Evaluateur.DPID: []}
    for evaluation in demande.evaluations.all():
        if evaluation.is_complete:
            by_kind[evaluation.evaluateur].append(evaluation.total)
    totals = {kind: (sum(scores, Decimal(0)), len(scores)) for kind, scores in by_kind.items()}
    return PanelSummary(
        expected=expected,
        structure_done=totals[Evaluateur.STRUCTURE][1],
        dpid_done=totals[Evaluateur.DPID][1],
        structure_average=percent(*totals[Evaluateur.STRUCTURE]),
        dpid_average=percent(*totals[Evaluateur.DPID]),
        structure_meets=meets_threshold(*totals[Evaluateur.STRUCTURE]),
        dpid_meets=meets_threshold(*totals[Evaluateur.DPID]),
    )


def mission_referents(structure, on: datetime.date):
    """The referents of the structure on an RSA accompaniment mission on that day: arrived, not
    yet gone (every referent record of the portal is an RSA referent)."""
    from django.db.models import Q

    return Referent.objects.filter(structure=structure, date_arrivee__lte=on).filter(
        Q(date_depart__isnull=True) | Q(date_depart__gt=on)
    )


@dataclass
class LabelCriteria:
    """The two criteria of seed 001 §5 on a day, with their evidence."""

    day: datetime.date
    statuses: list
    summary: PanelSummary

    @property
    def untrained(self):
        return [status for status in self.statuses if not status.counts_as_trained]

    @property
    def training_met(self):
        return bool(self.statuses) and not self.untrained

    @property
    def quality_met(self):
        return self.summary.dpid_complete and self.summary.dpid_passes

    @property
    def met(self):
        return self.training_met and self.quality_met

    @property
    def unmet_texts(self):
        checks = ((self.training_met, self.training_text), (self.quality_met, self.quality_text))
        return [text for met, text in checks if not met]

    @property
    def trained_count(self):
        return len(self.statuses) - len(self.untrained)

    @property
    def training_text(self):
        """One line for the letter and the moratorium sheet, from the data."""
        from portal.core.formats import plural_suffix, pluriel

        total = len(self.statuses)
        if not total:
            return "Formation de l'ensemble des référents : critère non rempli (aucun référent en poste)"
        trained = self.trained_count
        head = (
            f"Formation de l'ensemble des référents : {pluriel(trained, 'référent')} formé{plural_suffix(trained)} "
            f"sur {total}"
        )
        excused = sum(1 for status in self.statuses if status.counts_as_trained and status.excused)
        if excused:
            head += f" (dont {excused} avec une absence justifiée et une nouvelle session prévue)"
        newcomers = sum(1 for status in self.statuses if status.is_newcomer_with_plan)
        if newcomers:
            head += (
                f" (dont {newcomers} nouvel arrivant avec son plan de formation)"
                if newcomers == 1
                else (f" (dont {newcomers} nouveaux arrivants avec leur plan de formation)")
            )
        if self.training_met:
            return head + " – critère rempli"
        missing = " ; ".join(
            f"{status.referent.nom_complet}, manque : " + ", ".join(f"« {name} »" for name in status.untrained_labels)
            for status in self.untrained
        )
        return f"{head} – critère non rempli ({missing})"

    @property
    def quality_text(self):
        summary = self.summary
        if not summary.dpid_done:
            return "Qualité des CER : contrôle de la DPID non réalisé – critère non rempli"
        text = (
            f"Qualité des CER : moyenne du contrôle {summary.dpid_average_text} (80 % attendus) "
            f"sur {summary.dpid_done} CER"
        )
        if not summary.dpid_complete:
            return f"{text}, contrôle incomplet ({summary.dpid_done} CER sur {summary.expected}) – critère non rempli"
        return f"{text} – critère {'rempli' if summary.dpid_passes else 'non rempli'}"


def label_criteria(demande, on: datetime.date) -> LabelCriteria:
    return LabelCriteria(
        day=on,
        statuses=training_statuses(mission_referents(demande.structure, on).order_by("nom", "prenom"), on),
        summary=panel_summary(demande),
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


RENEWAL_LAST_MONTH = 7  # "entre le mois de janvier et le mois de juillet" (seed 001 l. 143)


def renewal_windows(label) -> list[tuple[datetime.date, datetime.date]]:
    """When a renewal may be asked: the days of January to July that fall within the label's
    final 12 months (seed 001 l. 143, "de la dernière année de labélisation" read as its last 12
    months). A label granted on 15 January 2025 (valid until 14 January 2030) renews from 15 January
    to 31 July 2029, and from 1 to 14 January 2030."""
    from portal.core.dates import add_years

    start = add_years(label.date_fin + datetime.timedelta(days=1), -1)
    windows = []
    for year in range(start.year, label.date_fin.year + 1):
        low = max(start, datetime.date(year, 1, 1))
        high = min(label.date_fin, datetime.date(year, RENEWAL_LAST_MONTH, 31))
        if low <= high:
            windows.append((low, high))
    return windows


def renewal_window_open(label, today: datetime.date) -> bool:
    return any(low <= today <= high for low, high in renewal_windows(label))


def renewal_windows_text(label) -> str:
    from portal.core.formats import format_date

    return " ou ".join(f"du {format_date(low)} au {format_date(high)}" for low, high in renewal_windows(label))


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


@dataclass
class YearlyReport:
    """What the Commission Permanente is told each year (seed 001 l. 588)."""

    annee: int
    au: datetime.date  # the day the labelled structures are counted: 31 December, or today during the year
    territoires: list  # (territoire name, [labels valid that day])
    accordees: list
    refusees: list
    moratoires: list
    renouvelees: list
    retraits: list

    @property
    def labelled_count(self):
        return len({label.structure_id for _, labels in self.territoires for label in labels})

    @property
    def decisions(self):
        """Every decision of the year in date order: (date, structure, what was decided)."""
        rows = [(timezone.localdate(d.decision_at), d.structure, "Label accordé") for d in self.accordees]
        rows += [(timezone.localdate(d.decision_at), d.structure, "Renouvellement accordé") for d in self.renouvelees]
        rows += [(timezone.localdate(d.decision_at), d.structure, "Moratoire de 6 mois") for d in self.moratoires]
        rows += [(timezone.localdate(d.decision_at), d.structure, "Refus après moratoire") for d in self.refusees]
        rows += [(r.decide_le, r.label.structure, "Label retiré") for r in self.retraits]
        return sorted(rows, key=lambda row: (row[0], row[1].nom))


def yearly_report(annee: int, today: datetime.date | None = None) -> YearlyReport:
    """The labelled structures by territory at the end of the year, and the requests granted,
    refused, put under moratorium, renewed, and the labels withdrawn during the year."""
    from label.enums import EtatRetrait
    from label.models import DemandeLabel, RetraitLabel

    today = today or timezone.localdate()
    end = min(datetime.date(annee, 12, 31), today)
    labels = (
        Label.objects.valid_on(end)
        .select_related("structure")
        .prefetch_related("structure__territoires")
        .order_by("structure__nom")
    )
    by_territory = {}
    for label in labels:
        for territoire in label.structure.territoires.all():
            by_territory.setdefault(territoire.nom, []).append(label)
    decided = (
        DemandeLabel.objects.filter(decision_at__year=annee)
        .select_related("structure")
        .prefetch_related("structure__territoires")
        .order_by("decision_at")
    )
    return YearlyReport(
        annee=annee,
        au=end,
        territoires=sorted(by_territory.items()),
        accordees=[d for d in decided if d.etat == EtatDemande.ACCORDEE and d.type != TypeDemande.RENOUVELLEMENT],
        refusees=[d for d in decided if d.etat == EtatDemande.REFUSEE],
        moratoires=[d for d in decided if d.etat == EtatDemande.MORATOIRE],
        renouvelees=[d for d in decided if d.etat == EtatDemande.ACCORDEE and d.type == TypeDemande.RENOUVELLEMENT],
        retraits=list(
            RetraitLabel.objects.filter(etat=EtatRetrait.RETIRE, decide_le__year=annee)
            .select_related("label__structure")
            .prefetch_related("label__structure__territoires")
            .order_by("decide_le")
        ),
    )
