import pytest

from tests.factories import UserFactory


@pytest.fixture
def demo_deliberation(db):
    """Territories and structures of the demo, then the funding demo (seed 003)."""
    from financement import demo
    from financement.models import Deliberation
    from portal.referentiels import demo as referentiels_demo

    referentiels_demo.load()
    demo.load()
    return Deliberation.objects.get(numero="2024-587")


@pytest.fixture
def manager(db):
    from portal.accounts.enums import Role

    return UserFactory(role=Role.MANAGER, email="pilotage@example.test")


@pytest.fixture
def dpid(db):
    from portal.accounts.enums import Role

    return UserFactory(role=Role.DPID, email="dpid-fin@example.test")
