"""Scoping: nobody sees another structure's, territory's or referent's records — through lists,
details, edit pages or guessed ids."""

import pytest
from django.urls import reverse

from portal.referentiels.models import Referent, Structure
from tests.factories import ReferentFactory, StructureFactory


def names(response, key="page"):
    return {str(obj) for obj in response.context[key].object_list}


def test_referent_sees_only_own_record(client_for, world):
    response = client_for("referent").get(reverse("referentiels:referent_list"))
    assert names(response) == {str(world.referent_a)}
    # Even a colleague of the same structure is out of scope, through a guessed id.
    for referent in (world.autre_referent_a, world.referent_b):
        url = reverse("referentiels:referent_detail", args=[referent.pk])
        assert client_for("referent").get(url).status_code == 404
    own = client_for("referent").get(reverse("referentiels:referent_detail", args=[world.referent_a.pk]))
    assert own.status_code == 200


def test_structure_sees_only_its_own_records(client_for, world):
    client = client_for("responsable")
    assert names(client.get(reverse("referentiels:structure_list"))) == {"Structure A"}
    assert names(client.get(reverse("referentiels:referent_list"))) == {
        str(world.referent_a),
        str(world.autre_referent_a),
    }
    for url in (
        reverse("referentiels:structure_detail", args=[world.structure_b.pk]),
        reverse("referentiels:structure_update", args=[world.structure_b.pk]),
        reverse("referentiels:referent_detail", args=[world.referent_b.pk]),
        reverse("referentiels:referent_update", args=[world.referent_b.pk]),
    ):
        assert client.get(url).status_code == 404, url


def test_slai_sees_only_its_territory(client_for, world):
    # A structure working on both territories is visible from both SLAI.
    both = StructureFactory(nom="Structure AB", territoires=[world.territoire_a, world.territoire_b])
    ReferentFactory(structure=both, nom="Delta", prenom="Denis")
    client = client_for("slai")
    assert names(client.get(reverse("referentiels:structure_list"))) == {"Structure A", "Structure AB"}
    assert "Charlie" not in {r.nom for r in client.get(reverse("referentiels:referent_list")).context["page"]}
    assert client.get(reverse("referentiels:structure_detail", args=[world.structure_b.pk])).status_code == 404
    assert client.get(reverse("referentiels:referent_detail", args=[world.referent_b.pk])).status_code == 404
    assert client.get(reverse("referentiels:structure_detail", args=[both.pk])).status_code == 200


@pytest.mark.parametrize("role", ["dpid", "manager", "admin"])
def test_departement_roles_see_everything(client_for, world, role):
    client = client_for(role)
    assert names(client.get(reverse("referentiels:structure_list"))) == {"Structure A", "Structure B"}
    assert len(client.get(reverse("referentiels:referent_list")).context["page"].object_list) == 3


def test_filters_cannot_widen_the_scope(client_for, world):
    """A filter on another territory returns nothing rather than the other territory's data."""
    client = client_for("slai")
    response = client.get(reverse("referentiels:structure_list"), {"territoire": world.territoire_b.pk})
    assert names(response) == set()
    response = client.get(reverse("referentiels:referent_list"), {"nom": "Charlie"})
    assert names(response) == set()


def test_structure_detail_lists_only_visible_referents(client_for, world):
    response = client_for("referent").get(reverse("referentiels:structure_detail", args=[world.structure_a.pk]))
    assert list(response.context["referents"]) == [world.referent_a]


@pytest.mark.parametrize("role", ["responsable", "referent", "slai", "dpid", "manager", "admin"])
def test_visible_to_is_the_single_source(world, role):
    """The querysets used by views, admin and exports agree with the scope rules."""
    user = world.user(role)
    structures = set(Structure.objects.visible_to(user).values_list("nom", flat=True))
    referents = set(Referent.objects.visible_to(user).values_list("nom", flat=True))
    expected = {
        "responsable": ({"Structure A"}, {"Alpha", "Bravo"}),
        "referent": ({"Structure A"}, {"Alpha"}),
        "slai": ({"Structure A"}, {"Alpha", "Bravo"}),
        "dpid": ({"Structure A", "Structure B"}, {"Alpha", "Bravo", "Charlie"}),
        "manager": ({"Structure A", "Structure B"}, {"Alpha", "Bravo", "Charlie"}),
        "admin": ({"Structure A", "Structure B"}, {"Alpha", "Bravo", "Charlie"}),
    }[role]
    assert (structures, referents) == expected


def test_inactive_user_sees_nothing(world):
    user = world.user("dpid")
    user.is_active = False
    user.save()
    user.refresh_from_db()
    assert not Structure.objects.visible_to(user).exists()
