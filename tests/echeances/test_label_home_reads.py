"""The home panel reads the charter due with the labels (one query): the same year and date as
`label.selectors.charter_due` reads from the label's charters."""

import datetime

import pytest

from label.echeances import CharteAnnuelle
from label.models import CharteQualite, Label
from label.selectors import charter_due


@pytest.mark.parametrize("filed", [(), (1,), (2, 3), (1, 2), (1, 2, 4), (0, 1, 3), (1, 2, 3, 4)])
def test_the_annotated_charter_year_is_charter_due_s(world, filed):
    label = Label.objects.create(
        structure=world.structure_b, date_decision=datetime.date(2022, 1, 10), date_fin=datetime.date(2027, 1, 9)
    )
    for year in filed:
        CharteQualite.objects.create(label=label, annee=year, bilan="…", deposee_le=datetime.date(2026, 1, 1))
    kind = CharteAnnuelle()
    today = datetime.date(2026, 12, 7)
    annotated = next(obj for obj in kind.visible(world.user("dpid"), today) if obj.pk == label.pk)
    assert (kind.is_met(annotated), kind.due_date(annotated)) == (
        charter_due(label)[0] is None,
        charter_due(label)[1],
    )
    assert kind._due(annotated) == charter_due(Label.objects.get(pk=label.pk))


def _trainings(referent, spec):
    from django.utils import timezone

    from label.models import FormationReferent, ModuleFormation

    for obligatoire, nature, valid in spec:
        module = ModuleFormation.objects.filter(obligatoire=obligatoire).exclude(
            pk__in=referent.formations.values("module_id")
        )[0]
        FormationReferent.objects.create(
            referent=referent,
            module=module,
            nature=nature,
            date=datetime.date(2026, 3, 1),
            piece="label/formations/2026/attestation.pdf" if (valid and nature == "session") else "",
            equivalence_acceptee_at=timezone.now() if (valid and nature == "equivalence") else None,
        )


@pytest.mark.parametrize(
    "spec",
    [
        [],
        [(False, "session", True)],
        [(True, "session", True), (False, "session", False)],
        [(True, "equivalence", True), (True, "session", True), (False, "equivalence", True)],
        [(True, "session", True), (True, "session", True), (True, "session", True), (False, "session", True)],
    ],
)
def test_the_annotated_training_record_is_the_catalogue_s(world, spec):
    from label.echeances import FormationNouvelArrivant
    from label.models import ModuleFormation
    from tests.factories import ReferentFactory

    referent = ReferentFactory(structure=world.structure_a, date_arrivee=datetime.date(2026, 1, 5))
    wanted = [o for o, _, _ in spec]
    if wanted.count(True) > ModuleFormation.objects.filter(obligatoire=True).count():
        pytest.skip("not that many mandatory modules in the catalogue")
    _trainings(referent, spec)
    kind = FormationNouvelArrivant()
    today = datetime.date(2026, 12, 7)
    annotated = next(obj for obj in kind.visible(world.user("dpid"), today) if obj.pk == referent.pk)
    listed = next(obj for obj in kind.candidates(today) if obj.pk == referent.pk)
    assert kind.is_met(annotated) == kind.is_met(listed)


def test_a_referent_trained_in_every_mandatory_module_and_one_more_is_met(world):
    from label.echeances import FormationNouvelArrivant
    from label.models import ModuleFormation
    from tests.factories import ReferentFactory

    referent = ReferentFactory(structure=world.structure_a, date_arrivee=datetime.date(2026, 1, 5))
    mandatory = ModuleFormation.objects.filter(obligatoire=True).count()
    _trainings(referent, [(True, "session", True)] * mandatory + [(False, "equivalence", True)])
    kind = FormationNouvelArrivant()
    today = datetime.date(2026, 12, 7)
    annotated = next(obj for obj in kind.visible(world.user("dpid"), today) if obj.pk == referent.pk)
    listed = next(obj for obj in kind.candidates(today) if obj.pk == referent.pk)
    assert kind.is_met(annotated) and kind.is_met(listed)
