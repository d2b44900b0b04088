"""The panel is drawn from the CERs the structure recorded in the portal, anonymised (N° CAF
only), through accompagnement's public selector; reproducible from its seed, 5 per referent
(issue 14, item 3)."""

import datetime
import json

import pytest

from accompagnement.models import Cer, CerAction
from label import services
from label.models import CerAnonymise
from label.services import draw
from tests.label.factories import at, clear_label_records

D = datetime.date


@pytest.fixture(autouse=True)
def no_label_records(world):
    clear_label_records()


def record_cers(orientation, count, *, signed=True):
    for n in range(count):
        start = D(2025, 1, 6) + datetime.timedelta(days=7 * n)
        cer = Cer.objects.create(
            orientation=orientation,
            type="solidarite",
            date_edition=start,
            date_debut=start,
            date_fin=start + datetime.timedelta(days=180),
            remarque=f"Parcours n° {n} : logement puis formation.",
            signe_le=start if signed else None,
        )
        CerAction.objects.create(
            cer=cer,
            intitule="Demande de logement",
            date_debut=start,
            date_fin=start + datetime.timedelta(days=60),
            detail="Dossier déposé.",
        )


def test_the_panel_is_drawn_from_the_cers_recorded_in_the_portal(world):
    Cer.objects.filter(orientation=world.orientation_a).delete()
    record_cers(world.orientation_a, 7)
    record_cers(world.orientation_a2, 2, signed=False)  # unsigned: not part of the pool
    with at(D(2026, 3, 2)):
        demande = services.demande_create(structure=world.structure_a, user=world.user("responsable"))
        tirage = services.tirage_create(
            demande=demande, referent=world.referent_a, user=world.user("responsable"), seed=2026
        )
    pool = CerAnonymise.objects.filter(referent=world.referent_a)
    assert pool.count() == 7 and sorted(tirage.pool) == sorted(pool.values_list("pk", flat=True))
    assert len(tirage.selection) == 5
    assert draw(tirage.pool, tirage.seed) == tirage.selection  # anyone can check the draw again
    assert draw(list(reversed(tirage.pool)), 2026) == tirage.selection  # whatever the pool's order
    beneficiaire = world.orientation_a.beneficiaire
    for cer in pool:
        assert cer.numero_caf == beneficiaire.numero_caf
        text = json.dumps(cer.contenu, ensure_ascii=False)
        assert beneficiaire.nom not in text and beneficiaire.prenom not in text
    assert not CerAnonymise.objects.filter(referent=world.autre_referent_a).exists()


def test_the_second_referent_draws_five_from_its_own_recorded_cers(world):
    Cer.objects.filter(orientation__in=[world.orientation_a, world.orientation_a2]).delete()
    record_cers(world.orientation_a, 6)
    record_cers(world.orientation_a2, 8)
    with at(D(2026, 3, 2)):
        demande = services.demande_create(structure=world.structure_a, user=world.user("responsable"))
        for referent in (world.referent_a, world.autre_referent_a):
            services.tirage_create(demande=demande, referent=referent, user=world.user("responsable"))
    sizes = {t.referent_id: (len(t.pool), len(t.selection)) for t in demande.tirages.all()}
    assert sizes == {world.referent_a.pk: (6, 5), world.autre_referent_a.pk: (8, 5)}
