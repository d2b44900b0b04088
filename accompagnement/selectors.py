import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q

from accompagnement.enums import NatureEntretien, Presence
from accompagnement.models import Orientation, TypeAccompagnement
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


def next_steps(orientation, today) -> list[NextStep]:
    """What the accompaniment owes this person next, from the orientation's rules and what was
    recorded: first appointment (équilibré, 15 days), CER within 2 months, then the renewal
    request at 5 months and the final bilan at the CER's end. Uses the orientation's prefetched
    `entretiens` and `cers`."""
    kind = orientation.type_accompagnement
    entretiens = list(orientation.entretiens.all())
    signed = [cer for cer in orientation.cers.all() if cer.signe_le]
    steps = []
    if orientation.referent_id is None:
        steps.append(NextStep("Référent à désigner", orientation.date_orientation, today))
    first_met = any(e.nature == NatureEntretien.PREMIER and e.presence == Presence.PRESENT for e in entretiens)
    if kind.delai_premier_rdv_jours and not first_met:
        steps.append(
            NextStep(
                "Premier rendez-vous",
                orientation.date_orientation + datetime.timedelta(days=kind.delai_premier_rdv_jours),
                today,
            )
        )
    if not signed:
        steps.append(NextStep("CER à signer", add_months(orientation.date_orientation, kind.delai_cer_mois), today))
    else:
        current = max(signed, key=lambda cer: cer.date_debut)
        final_done = any(
            e.nature == NatureEntretien.BILAN_FINAL and e.presence == Presence.PRESENT and e.date >= current.date_debut
            for e in entretiens
        )
        if not final_done:
            steps.append(
                NextStep("Demande de renouvellement", add_months(current.date_debut, RENEWAL_REQUEST_MONTHS), today)
            )
            steps.append(NextStep("Bilan final", current.date_fin, today))
    return sorted(steps, key=lambda step: step.due)


def file_active(user):
    """Active orientations in the user's scope, oldest first (their deadlines come first)."""
    return (
        Orientation.objects.visible_to(user)
        .actives()
        .select_related("beneficiaire", "structure", "type_accompagnement", "referent")
        .prefetch_related("entretiens", "cers")
        .order_by("date_orientation", "pk")
    )
