import io

import pytest
from django.core.management import CommandError, call_command

from portal.accounts.demo import DEMO_ACCOUNTS
from portal.accounts.enums import Role
from portal.accounts.models import User
from portal.core.demo import DEMO_PASSWORD
from portal.referentiels.models import Referent, Structure, Territoire
from portal.referentiels.validators import siret_is_valid

SEED_003_STRUCTURES = {
    "MEMPA",
    "PBI",
    "MIPE",
    "Tous Parrains",
    "PIF",
    "ID formation",
    "MEILL HC",
    "ADEFI",
    "AMIE du Boulonnais",
    "La Fabrique DEFI",
    "Pas-de-Calais Actif",
    "CCAS de Liévin",
    "AIFOR",
    "Les Amis Copeaux",
    "Impact Oval",
}


def dump():
    out = io.StringIO()
    call_command("dumpdata", "accounts", "referentiels", "audit", "auth", "echeances", "documents", stdout=out)
    return out.getvalue()


@pytest.fixture
def demo(db, settings):
    settings.DEMO_MODE = True
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_load_demo_twice_gives_the_same_database(demo):
    first = dump()
    call_command("load_demo", stdout=io.StringIO())
    assert dump() == first


def test_demo_content(demo):
    territoires = Territoire.objects.order_by("nom")
    assert [t.nom for t in territoires] == [
        "Arrageois",
        "Artois",
        "Audomarois",
        "Boulonnais",
        "Calaisis",
        "Hénin-Carvin",
        "Lens-Liévin",
        "Montreuillois",
        "Ternois",
    ]
    assert {t.nom for t in territoires if t.bassin_minier} == {"Artois", "Lens-Liévin", "Hénin-Carvin"}
    assert len({t.secteur_id for t in territoires}) == 4
    assert set(Structure.objects.values_list("nom", flat=True)) == SEED_003_STRUCTURES
    assert Structure.objects.get(siret="18620009300083").nom == "Pas-de-Calais Actif"
    assert all(siret_is_valid(s) for s in Structure.objects.values_list("siret", flat=True))
    for structure in Structure.objects.all():
        assert structure.referents.exists(), structure
        assert structure.territoires.exists(), structure


def test_one_account_per_role_with_the_printed_password(demo):
    accounts = User.objects.filter(email__in=[account["email"] for account in DEMO_ACCOUNTS])
    for role in Role:
        user = accounts.get(role=role)
        assert user.check_password(DEMO_PASSWORD)
        assert user.email in demo
    assert DEMO_PASSWORD in demo
    referent_user = accounts.get(role=Role.REFERENT)
    others = User.objects.exclude(pk__in=accounts)
    assert others.exists()
    assert not any(user.has_usable_password() for user in others)
    assert Referent.objects.get(user=referent_user).structure == referent_user.structure


@pytest.mark.parametrize("debug", [False, True])
def test_refused_outside_demo_mode(db, settings, debug):
    """DEBUG alone is not enough: only demo mode may create accounts with a public password."""
    settings.DEMO_MODE = False
    settings.DEBUG = debug
    with pytest.raises(CommandError, match="mode démonstration"):
        call_command("load_demo", stdout=io.StringIO())
    assert not User.objects.exists()
