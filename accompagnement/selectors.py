import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, Count, Prefetch, Q, Value, When
from django.utils import timezone
from django.utils.functional import cached_property

from accompagnement.cerp import cerp_steps, is_cerp
from accompagnement.enums import EtatDemande, ModeEntretien, MomentDiagnostic, NatureEntretien, Presence
from accompagnement.models import (
    Cer,
    DemandeRenouvellement,
    DemandeReorientation,
    Diagnostic,
    Entretien,
    Orientation,
    ProcedureSuspension,
    TypeAccompagnement,
    sans_referent_q,
)
from portal.core.dates import add_months, latest_start_for
from portal.referentiels.models import Referent


@dataclass
class Load:
    referent: Referent
    places: Decimal | None  # capacity from ETP × the kind's ratio
    active: int
    minimum: Decimal | None = None  # ETP × the kind's minimum ratio (équilibré: 55 per ETP)

    @property
    def is_full(self):
        return self.places is not None and self.active >= self.places

    @property
    def is_under(self):
        """Fewer people than the kind expects (seed 003 l. 461: 55 to 70 per ETP)."""
        return self.minimum is not None and self.active < self.minimum

    @property
    def free(self):
        return None if self.places is None else max(Decimal(0), self.places - self.active)


def referent_loads(referents) -> list[Load]:
    """Caseload of each referent against their capacity (2 queries in all)."""
    kinds = {t.code: t for t in TypeAccompagnement.objects.all()}
    referents = referents.annotate(
        nb_actifs=Count("orientations", filter=Q(orientations__date_fin__isnull=True))
    ).order_by("nom", "prenom")
    loads = []
    for referent in referents:
        kind = kinds.get(referent.type_accompagnement)
        ratio = kind.places_par_etp if kind else None
        places = (referent.etp * ratio).quantize(Decimal("1")) if ratio else None
        low = kind.places_par_etp_min if kind else None
        minimum = (referent.etp * low).quantize(Decimal("1")) if low else None
        loads.append(Load(referent=referent, places=places, active=referent.nb_actifs, minimum=minimum))
    return loads


def physical_appointments(orientation) -> int:
    """Physical appointments attended in the accompaniment phase (the accueil's first appointment
    apart; the final bilan counts, seed 003 l. 462), read from the prefetched `entretiens`."""
    return sum(
        1
        for e in orientation.entretiens.all()
        if e.mode == ModeEntretien.PHYSIQUE and e.presence == Presence.PRESENT and e.nature != NatureEntretien.PREMIER
    )


@dataclass
class NextStep:
    label: str
    due: datetime.date
    today: datetime.date

    @property
    def is_late(self):
        return self.due < self.today


RENEWAL_REQUEST_MONTHS = 5  # renewal requested at 5 months of a 6-month CER (seed 000)
EQUILIBRE_REVIEW_MONTHS = 12  # équilibré: 6 months renewable 6, then a review with the SLAI and France Travail
# The structure designates the referent within a week of the orientation (product choice: the
# seeds set no delay; a week leaves time for the 15-day first appointment of the équilibré kind).
REFERENT_DELAI_JOURS = 7


def current_cer(orientation):
    """The latest signed CER of an accompaniment (read from `cers`, prefetched on list pages),
    or None: the contract the renewal, the final bilan and the diagnostic's freshness refer to."""
    signed = [cer for cer in orientation.cers.all() if cer.signe_le]
    return max(signed, key=lambda cer: (cer.date_debut, cer.pk)) if signed else None


def next_steps(orientation, today) -> list[NextStep]:
    """What the accompaniment owes this person next; each step stops once met. First appointment
    and CER use the due dates stored on the orientation; with a signed CER: the renewal request at
    5 months (gone once requested) and the final bilan (met by a final diagnostic since the CER's
    start), then "renewal or reorientation" until one is asked. Nothing after the exit. Works from
    the prefetched `entretiens`, `cers__demande_renouvellement`, `diagnostics` and
    `demandes_reorientation` (see `file_active`)."""
    if orientation.date_fin is not None:
        return []
    kind = orientation.type_accompagnement
    steps = []
    if orientation.referent_en_poste is None:
        steps.append(
            NextStep(
                "Référent à désigner",
                orientation.date_orientation + datetime.timedelta(days=REFERENT_DELAI_JOURS),
                today,
            )
        )
    first_due = orientation.date_limite_premier_rdv
    if first_due is None and kind.delai_premier_rdv_jours:  # kind changed after the orientation was made
        first_due = orientation.date_orientation + datetime.timedelta(days=kind.delai_premier_rdv_jours)
    first_met = any(
        e.nature == NatureEntretien.PREMIER and e.presence == Presence.PRESENT for e in orientation.entretiens.all()
    )
    if first_due and not first_met:
        steps.append(NextStep("Premier rendez-vous", first_due, today))
    if is_cerp(orientation):  # the self-employed: the CERP steps of seed 003 l. 870–925
        steps.extend(NextStep(label, due, today) for label, due in cerp_steps(orientation, today))
        return sorted(steps, key=lambda step: step.due)
    current = current_cer(orientation)
    if current is None:
        steps.append(NextStep("CER à signer", orientation.date_limite_cer, today))
        return sorted(steps, key=lambda step: step.due)
    renewal_asked = hasattr(current, "demande_renouvellement")  # prefetched: no query
    reorientation_asked = any(
        d.etat != EtatDemande.REFUSEE and d.date_demande >= current.date_debut
        for d in orientation.demandes_reorientation.all()
    )
    final_done = any(
        d.moment == MomentDiagnostic.FINAL and d.date >= current.date_debut for d in orientation.diagnostics.all()
    )
    renewal = getattr(current, "demande_renouvellement", None)
    if renewal and renewal.etat == EtatDemande.ACCEPTEE:
        renewed = any(cer.renouvelle_id == current.pk and cer.signe_le for cer in orientation.cers.all())
        if not renewed:
            steps.append(NextStep("CER de renouvellement à signer", current.date_fin, today))
    elif renewal and renewal.etat == EtatDemande.REFUSEE and not reorientation_asked:
        steps.append(NextStep("Demande de réorientation ou sortie", current.date_fin, today))
    if not renewal_asked and not reorientation_asked:
        if final_done:
            steps.append(NextStep("Demande de renouvellement ou de réorientation", current.date_fin, today))
        else:
            steps.append(
                NextStep("Demande de renouvellement", add_months(current.date_debut, RENEWAL_REQUEST_MONTHS), today)
            )
    if not final_done:
        steps.append(NextStep("Bilan final", current.date_fin, today))
    if kind.code == "equilibre":  # 6 months renewable once, then a review (seed 003 l. 464)
        review = add_months(orientation.date_orientation, EQUILIBRE_REVIEW_MONTHS)
        if review <= add_months(today, 2):  # shown when it comes near, not from the first day
            steps.append(NextStep("Point à 12 mois avec le SLAI et France Travail", review, today))
    return sorted(steps, key=lambda step: step.due)


# Everything `next_steps` reads, for list pages: one query per relation whatever the data.
NEXT_STEPS_PREFETCH = (
    "entretiens",
    Prefetch("cers", queryset=Cer.objects.select_related("demande_renouvellement")),
    "diagnostics",
    "demandes_reorientation",
)


def late_condition(today) -> Q:
    """Active orientations with a deadline already missed, in SQL (so the caseload lists them first
    whatever the page): referent not designated, first appointment not held, CER not signed, or a
    signed CER's renewal request not made at 5 months. `next_steps` says which, per person. All
    read from the dates stored on the orientation (first appointment, first signed CER, start of
    the CER awaiting its renewal request): no subquery on the CERs."""
    return (
        (sans_referent_q(today) & Q(date_orientation__lt=today - datetime.timedelta(days=REFERENT_DELAI_JOURS)))
        | Q(date_limite_premier_rdv__lt=today, premier_rdv_le__isnull=True)
        | Q(date_limite_cer__lt=today, premier_cer_le__isnull=True)
        | Q(
            renouvellement_attendu_depuis__lte=latest_start_for(
                today - datetime.timedelta(days=1), RENEWAL_REQUEST_MONTHS
            )
        )
    )


# What `next_steps` reads on a caseload line, and nothing more: the interviews attended (the
# first appointment; every one for the self-employed's CERP steps), the signed CERs (with their
# renewal request), the final diagnostics and the reorientation requests not refused. A caseload
# page loads 25 people; their whole records (notes, syntheses, arguments, every interview) made
# most of the page's Python time. (Querysets filtered per page, never evaluated themselves.)
CASELOAD_CERS = (
    Cer.objects.filter(signe_le__isnull=False)
    .select_related("demande_renouvellement")
    .only(
        "orientation_id",
        "date_debut",
        "date_fin",
        "signe_le",
        "phase_cerp",
        "renouvelle_id",
        "demande_renouvellement__cer_id",
        "demande_renouvellement__etat",
        "demande_renouvellement__date_demande",
    )
)
CASELOAD_DIAGNOSTICS = Diagnostic.objects.filter(moment=MomentDiagnostic.FINAL).only(
    "orientation_id", "date", "moment"
)
CASELOAD_REORIENTATIONS = DemandeReorientation.objects.exclude(etat=EtatDemande.REFUSEE).only(
    "orientation_id", "etat", "date_demande"
)


def caseload_entretiens(cerp_pks):
    """The interviews a caseload line reads: the first appointments attended, and every interview
    attended of the self-employed (`cerp_pks`, read from the lines: no join to their kind)."""
    wanted = Q(nature=NatureEntretien.PREMIER)
    if cerp_pks:
        wanted |= Q(orientation_id__in=cerp_pks)
    return Entretien.objects.filter(wanted, presence=Presence.PRESENT).only(
        "orientation_id", "date", "mode", "nature", "presence"
    )


# The columns a caseload line shows (person, orientation, structure, referent) and `next_steps` reads.
CASELOAD_COLUMNS = (
    "beneficiaire_id",
    "structure_id",
    "type_accompagnement_id",
    "referent_id",
    "date_orientation",
    "date_fin",
    "date_limite_cer",
    "date_limite_premier_rdv",
    "beneficiaire__nom",
    "beneficiaire__prenom",
    "beneficiaire__numero_caf",
    "structure__nom",
    "type_accompagnement__code",
    "type_accompagnement__libelle",
    "type_accompagnement__delai_premier_rdv_jours",
    "referent__nom",
    "referent__prenom",
    "referent__date_depart",
)


def file_active_scope(user):
    """The active orientations in the user's scope, bare (no order, join or prefetch): what the
    caseload filters and counts."""
    return Orientation.objects.visible_to(user).actives()


def late_first(queryset, today):
    """`queryset` in the caseload's order: a missed deadline first, then the oldest orientation."""
    return _flagged(queryset, today).order_by("-en_retard", "date_orientation", "pk")


def _flagged(queryset, today):
    return queryset.alias(en_retard=Case(When(late_condition(today), then=Value(True)), default=Value(False)))


class LateFirstKeys:
    """The keys of `queryset` in the caseload's order (`late_first`), for a Paginator: a page of
    the late people, then of the others, each read in the orientation date's order, which an index
    gives, so a page stops after its 25 rows instead of sorting the whole file active (45 000 rows
    at the Département). The number of late people is only counted when a page goes past them."""

    def __init__(self, queryset, today, count=None):
        self.queryset = queryset
        self.known_count = count  # `queryset.count()` when the caller already has it
        self.flagged = _flagged(queryset, today)
        self.late = self._keys(en_retard=True)

    @cached_property
    def on_time(self):
        """Only built when a page goes past the late people (the first pages seldom do)."""
        return self._keys(en_retard=False)

    def _keys(self, **flag):
        return self.flagged.filter(**flag).order_by("date_orientation", "pk").values_list("pk", flat=True)

    def count(self):
        return self.queryset.count() if self.known_count is None else self.known_count

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice) or index.step is not None:
            raise TypeError("LateFirstKeys: a page (a slice) only.")
        start, stop = index.start or 0, index.stop
        keys = list(self.late[start:stop])
        wanted = stop - start
        if len(keys) < wanted:
            late = start + len(keys) if keys or not start else self.late.count()
            skip = max(0, start - late)
            keys += self.on_time[skip : skip + wanted - len(keys)]
        return keys


def file_active_counts(scope, today):
    """(people, people without a referent) of a file active `scope`: the responsable's caseload
    shows both, read in one pass over the structure's rows instead of two counts."""
    counts = scope.aggregate(total=Count("pk"), sans_referent=Count("pk", filter=sans_referent_q(today)))
    return counts["total"], counts["sans_referent"]


def caseload_rows(pks):
    """The orientations `pks` (one caseload page), in that order, with what their line shows and
    what `next_steps` reads: one query for the rows and at most one per relation. Each relation is
    read with a plain query and its rows handed to their orientation as the prefetched list that
    `orientation.<relation>.all()` returns (`prefetch_related` built a filtered queryset per
    orientation and relation, 100 a page, for lists only ever iterated: a third of the page's
    Python time). Lists, not querysets: these orientations are read, not queried further.
    The final diagnostics and reorientation requests only count once a CER is signed, outside the
    self-employed's CERP steps (`next_steps` stops before them otherwise): they are read for those
    orientations alone, and not at all when the page has none (as the late people's first pages)."""
    by_pk = (
        Orientation.objects.filter(pk__in=pks)
        .select_related("beneficiaire", "structure", "type_accompagnement", "referent")
        .only(*CASELOAD_COLUMNS)
        .order_by()  # put in the page's order below
        .in_bulk()
    )
    rows = [by_pk[pk] for pk in pks if pk in by_pk]
    for orientation in rows:
        orientation._prefetched_objects_cache = {}
    if not rows:
        return rows
    cerp = [orientation.pk for orientation in rows if is_cerp(orientation)]
    _hand_over(by_pk, "entretiens", caseload_entretiens(cerp), list(by_pk))
    _hand_over(by_pk, "cers", CASELOAD_CERS, list(by_pk))
    signed = [o.pk for o in rows if o._prefetched_objects_cache["cers"] and o.pk not in cerp]
    _hand_over(by_pk, "diagnostics", CASELOAD_DIAGNOSTICS, signed)
    _hand_over(by_pk, "demandes_reorientation", CASELOAD_REORIENTATIONS, signed)
    return rows


def _hand_over(by_pk, name, queryset, pks):
    """`queryset`'s rows of the orientations `pks` (one query, none for no orientation), handed
    to each of them as its prefetched `name`."""
    lists = {pk: [] for pk in pks}
    if pks:
        for obj in queryset.filter(orientation_id__in=pks):
            lists[obj.orientation_id].append(obj)
    for pk, objs in lists.items():
        by_pk[pk]._prefetched_objects_cache[name] = objs


def file_active(user, today=None):
    """Active orientations in the user's scope: those with a missed deadline first, then the
    oldest (their deadlines come first)."""
    today = today or timezone.localdate()
    return late_first(
        file_active_scope(user)
        .select_related("beneficiaire", "structure", "type_accompagnement", "referent")
        .prefetch_related(*NEXT_STEPS_PREFETCH),
        today,
    )


def referents_partis(user, today=None):
    """The structure's referents who have left and still have people assigned (who are now
    "sans référent"), with their count: what the responsable is told (caseload, home page)."""
    from portal.referentiels.models import Referent

    today = today or timezone.localdate()
    if not user.scope.is_responsable:
        return []
    return list(
        Referent.objects.filter(structure_id=user.scope.structure_id, date_depart__lte=today)
        .annotate(
            personnes=Count(
                "orientations",
                filter=Q(orientations__date_fin__isnull=True, orientations__beneficiaire__archive_le__isnull=True),
            )
        )
        .filter(personnes__gt=0)
        .order_by("nom", "prenom")
    )


def renouvellements_visible_to(user):
    """Renewal requests in the scope of their CER's orientation (kept on the request)."""
    return DemandeRenouvellement.objects.visible_to(user)


def signed_cers_for_label(*, structure, referent) -> list[dict]:
    """The public read the label makes of accompagnement: the signed CERs a referent of the
    structure recorded, in the exchange format (`grade_cer`), anonymised for the graders (the N° CAF
    is the only identifier, as in the grid's column, seed 001 l. 414)."""
    from accompagnement.cer_json import cer_to_json

    cers = (
        Cer.objects.filter(orientation__structure=structure, orientation__referent=referent, signe_le__isnull=False)
        .select_related("orientation__beneficiaire")
        .prefetch_related("actions")
        .order_by("date_debut", "pk")
    )
    return [cer_to_json(cer) for cer in cers]


def decisions_a_traiter(user) -> dict:
    """The decisions waiting for the SLAI (or the DPID) in the user's scope, by kind: suspension
    procedures, reorientation and renewal requests of people still accompanied. The page "À
    traiter" lists them; the home page counts them. The requests' scope and "still accompanied"
    are one subquery (the user's active orientations): for a SLAI, read from the territory's
    index and hashed once, where scope and activity checked apart probed an orientation for each
    request of the Département."""
    accompanied = Orientation.objects.visible_to(user).actives()
    return {
        "suspensions": ProcedureSuspension.objects.visible_to(user).a_traiter(),
        "reorientations": DemandeReorientation.objects.filter(orientation__in=accompanied, etat=EtatDemande.DEPOSEE),
        "renouvellements": DemandeRenouvellement.objects.filter(orientation__in=accompanied, etat=EtatDemande.DEPOSEE),
    }


def territory_needs(territoire_id) -> dict:
    """The accompaniment needs of a territory for other domains (the calls for projects show them
    beside a référent solidarité application): people in file active and people still waiting for
    a referent."""
    counts = (
        Orientation.objects.actives()
        .filter(beneficiaire__territoire_id=territoire_id, beneficiaire__archive_le__isnull=True)
        .aggregate(file_active=Count("pk"), sans_referent=Count("pk", filter=Q(referent__isnull=True)))
    )
    return {"file_active": counts["file_active"], "sans_referent": counts["sans_referent"]}
