import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q

from accompagnement.models import Orientation, TypeAccompagnement
from label.dates import add_months
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


def next_steps(orientation, today) -> list[NextStep]:
    """What the accompaniment owes this person next, from the orientation's rules (first
    appointment for the équilibré accompaniment, CER within 2 months)."""
    kind = orientation.type_accompagnement
    steps = []
    if kind.delai_premier_rdv_jours:
        steps.append(
            NextStep(
                "Premier rendez-vous",
                orientation.date_orientation + datetime.timedelta(days=kind.delai_premier_rdv_jours),
                today,
            )
        )
    steps.append(NextStep("CER à signer", add_months(orientation.date_orientation, kind.delai_cer_mois), today))
    if orientation.referent_id is None:
        steps.insert(0, NextStep("Référent à désigner", orientation.date_orientation, today))
    return sorted(steps, key=lambda step: step.due)


def file_active(user):
    """Active orientations in the user's scope, oldest first (their deadlines come first)."""
    return (
        Orientation.objects.visible_to(user)
        .actives()
        .select_related("beneficiaire", "structure", "type_accompagnement", "referent")
        .order_by("date_orientation", "pk")
    )
