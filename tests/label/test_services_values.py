"""Label services take values, never bound forms (issue 14, item 12): what the views call is
callable from a command or a test with plain arguments."""

import datetime

import pytest

from label import services
from label.enums import NatureFormation
from label.models import FormationReferent, ModuleFormation, Moratoire
from portal.audit.models import AuditEntry
from tests.label.factories import at, clear_label_records

D = datetime.date


@pytest.fixture(autouse=True)
def no_label_records(world):
    clear_label_records()


def test_a_draft_request_is_updated_from_values_and_a_submitted_one_is_not(world):
    responsable = world.user("responsable")
    with at(D(2026, 3, 1)):
        demande = services.demande_create(structure=world.structure_a, user=responsable)
        services.demande_update(demande=demande, user=responsable, commentaire="Deux référents.", engagement=True)
        demande.refresh_from_db()
        assert (demande.commentaire, demande.engagement) == ("Deux référents.", True)
        demande.etat = "deposee"
        demande.deposee_at = datetime.datetime(2026, 3, 1, 9, tzinfo=datetime.UTC)
        demande.save(update_fields=["etat", "deposee_at"])
        with pytest.raises(services.LabelError, match="ne peut plus être modifiée"):
            services.demande_update(demande=demande, user=responsable, commentaire="x", engagement=False)


def test_training_records_and_equivalences_from_values(world):
    dpid = world.user("dpid")
    module = ModuleFormation.objects.get(code="secret-professionnel")
    formation = services.formation_record(
        referent=world.referent_a,
        user=dpid,
        module=module,
        nature=NatureFormation.EQUIVALENCE,
        date=D(2020, 6, 1),
        organisme="CNFPT",
    )
    assert FormationReferent.objects.get(pk=formation.pk).created_by == dpid
    assert AuditEntry.objects.filter(detail__contains="formation :").exists()
    assert services.equivalence_accept(formation=formation, user=dpid) is True
    assert services.equivalence_accept(formation=formation, user=dpid) is False  # already accepted


def test_the_moratorium_sheet_takes_its_fields_only(world):
    with at(D(2026, 3, 1)):
        demande = services.demande_create(structure=world.structure_a, user=world.user("responsable"))
    moratoire = Moratoire.objects.create(demande=demande, date_debut=D(2026, 3, 10), date_fin=D(2026, 9, 10))
    services.moratoire_update(moratoire=moratoire, user=world.user("slai"), objectifs="Détailler les actions.")
    assert Moratoire.objects.get(pk=moratoire.pk).objectifs == "Détailler les actions."
    with pytest.raises(TypeError):
        services.moratoire_update(moratoire=moratoire, user=world.user("slai"), date_fin=D(2027, 1, 1))
