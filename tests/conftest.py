from dataclasses import dataclass

import pytest

from portal.accounts.enums import Role
from tests.factories import ReferentFactory, StructureFactory, TerritoireFactory, UserFactory

ROLES = ["anonyme", "responsable", "referent", "slai", "dpid", "manager", "admin"]


@dataclass
class World:
    """Two territories, two structures, a referent user in structure A, one user per role.

    Users on the "A side" (responsable, referent, SLAI of territory A) must never see B's records.
    """

    territoire_a: object
    territoire_b: object
    structure_a: object
    structure_b: object
    referent_a: object  # the referent record of the referent user
    autre_referent_a: object  # another referent of structure A
    referent_b: object
    users: dict

    def user(self, role):
        return self.users.get(role)


@pytest.fixture
def world(db):
    territoire_a = TerritoireFactory(nom="Arrageois", code="arrageois")
    territoire_b = TerritoireFactory(nom="Calaisis", code="calaisis")
    structure_a = StructureFactory(nom="Structure A", territoires=[territoire_a])
    structure_b = StructureFactory(nom="Structure B", territoires=[territoire_b])
    users = {
        "responsable": UserFactory(role=Role.RESPONSABLE, structure=structure_a, email="resp-a@example.test"),
        "referent": UserFactory(role=Role.REFERENT, structure=structure_a, email="ref-a@example.test"),
        "slai": UserFactory(role=Role.SLAI, territoire=territoire_a, email="slai-a@example.test"),
        "dpid": UserFactory(role=Role.DPID, email="dpid@example.test"),
        "manager": UserFactory(role=Role.MANAGER, email="manager@example.test"),
        "admin": UserFactory(admin=True, email="admin@example.test"),
    }
    referent_a = ReferentFactory(structure=structure_a, user=users["referent"], nom="Alpha", prenom="Anne")
    autre_referent_a = ReferentFactory(structure=structure_a, nom="Bravo", prenom="Bruno")
    referent_b = ReferentFactory(structure=structure_b, nom="Charlie", prenom="Chloé")
    return World(
        territoire_a=territoire_a,
        territoire_b=territoire_b,
        structure_a=structure_a,
        structure_b=structure_b,
        referent_a=referent_a,
        autre_referent_a=autre_referent_a,
        referent_b=referent_b,
        users=users,
    )


@pytest.fixture
def client_for(client, world):
    """A test client signed in as the world's user of that role (anonymous: not signed in)."""

    def make(role):
        client.logout()
        if role != "anonyme":
            client.force_login(world.user(role))
        return client

    return make


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    # Hashing strength is Django's concern, not ours; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
