"""Who sees a renewal request: `renouvellements_visible_to` writes the rules of
`Orientation.objects.visible_to` on the joined orientation (for the SLAI's "À traiter" query);
both must keep the same people for every role."""

import datetime

import pytest

from accompagnement.models import Cer, DemandeRenouvellement, Orientation
from accompagnement.selectors import renouvellements_visible_to
from portal.accounts.enums import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def request_on(orientation):
    debut = datetime.date(2026, 10, 16)
    cer = Cer.objects.create(
        orientation=orientation,
        type="solidarite",
        date_edition=debut,
        date_debut=debut,
        date_fin=debut + datetime.timedelta(days=181),
        remarque="Logement puis emploi.",
        signe_le=debut,
    )
    return DemandeRenouvellement.objects.create(cer=cer, date_demande=datetime.date(2027, 3, 16), argumentaire="A")


def test_renewal_requests_are_seen_as_their_orientation_is(world):
    mine = request_on(world.orientation_a)
    colleague = request_on(world.orientation_a2)
    elsewhere = request_on(world.orientation_b)
    # A person of the referent's own caseload, archived (retention): the DPID's alone.
    person = world.orientation_a.beneficiaire
    person.pk, person.numero_caf, person.archive_le = None, "1000009", datetime.date(2027, 1, 1)
    person.save()
    orientation = Orientation.objects.get(pk=world.orientation_a.pk)
    orientation.pk, orientation.beneficiaire = None, person
    orientation.save()
    archived = request_on(orientation)
    users = dict(world.users)
    users["referent sans fiche"] = UserFactory(role=Role.REFERENT, structure=world.structure_a)
    expected = {
        "referent": {mine},
        "responsable": {mine, colleague},
        "slai": {mine, colleague},
        "dpid": {mine, colleague, elsewhere, archived},
        "manager": {mine, colleague, elsewhere},
        "referent sans fiche": set(),
    }
    for role, user in users.items():
        seen = set(renouvellements_visible_to(user))
        through_orientations = set(
            DemandeRenouvellement.objects.filter(cer__orientation__in=Orientation.objects.visible_to(user))
        )
        assert seen == through_orientations, role
        if role in expected:
            assert seen == expected[role], role
