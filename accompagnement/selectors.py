import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Prefetch, Q

from accompagnement.enums import EtatDemande, MomentDiagnostic, NatureEntretien, Presence
from accompagnement.models import Cer, DemandeRenouvellement, Orientation, TypeAccompagnement
from portal.core.dates import add_months
from portal.referentiels.models import Referent


@dataclass
class Load:
    referent: Referent
    places: Decimal | None  # capacity from ETP × the kind's ratio
    active: int

    @property
    def is_full(self):
        return self.places is not None and self.active >= self.places

    @property
    def free(self):
        return None if self.places is None else max(Decimal(0), self.places - self.active)


def referent_loads(referents) -> list[Load]:
    """Caseload of each referent against their capacity (2 queries in all)."""
    ratios = {t.code: t.places_par_etp for t in TypeAccompagnement.objects.all()}
    referents = referents.annotate(
        nb_actifs=Count("orientations", filter=Q(orientations__date_fin__isnull=True))
    ).order_by("nom", "prenom")
    loads = []
    for referent in referents:
        ratio = ratios.get(referent.type_accompagnement)
        places = (referent.etp * ratio).quantize(Decimal("1")) if ratio else None
        loads.append(Load(referent=referent, places=places, active=referent.nb_actifs))
    return loads


@dataclass
class NextStep:
    label: str
    due: datetime.date
    today: datetime.date

    @property
    def is_late(self):
        return self.due < self.today


RENEWAL_REQUEST_MONTHS = 5  # renewal requested at 5 months of a 6-month CER (seed 000)
# The structure designates the referent within a week of the orientation (product choice: the
# seeds set no delay; a week leaves time for the 15-day first appointment of the équilibré kind).
REFERENT_DELAI_JOURS = 7


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
    if orientation.referent_id is None:
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
    signed = [cer for cer in orientation.cers.all() if cer.signe_le]
    if not signed:
        steps.append(NextStep("CER à signer", orientation.date_limite_cer, today))
        return sorted(steps, key=lambda step: step.due)
    current = max(signed, key=lambda cer: (cer.date_debut, cer.pk))
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
    return sorted(steps, key=lambda step: step.due)


# Everything `next_steps` reads, for list pages: one query per relation whatever the data.
NEXT_STEPS_PREFETCH = (
    "entretiens",
    Prefetch("cers", queryset=Cer.objects.select_related("demande_renouvellement")),
    "diagnostics",
    "demandes_reorientation",
)


def file_active(user):
    """Active orientations in the user's scope, oldest first (their deadlines come first)."""
    return (
        Orientation.objects.visible_to(user)
        .actives()
        .select_related("beneficiaire", "structure", "type_accompagnement", "referent")
        .prefetch_related(*NEXT_STEPS_PREFETCH)
        .order_by("date_orientation", "pk")
    )


def renouvellements_visible_to(user):
    """Renewal requests in the scope of their CER's orientation (the model has no QuerySet of its own)."""
    return DemandeRenouvellement.objects.filter(cer__orientation__in=Orientation.objects.visible_to(user))
