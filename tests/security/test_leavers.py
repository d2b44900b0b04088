"""Leavers: a referent past their leaving date reaches nothing of their former caseload, the
responsable sees those people "sans référent" and is told; accounts can be disabled."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

PASSWORD = "Mot-de-passe-solide-2024"


def leave(world, day):
    world.referent_a.date_depart = day
    world.referent_a.save()


def test_referent_past_leaving_date_reaches_nothing(client_for, world):
    """The probe: record 200, CER export 200, new interview 302 after the leaving date."""
    leave(world, timezone.localdate() - datetime.timedelta(days=1))
    client = client_for("referent")
    assert (
        client.get(
            reverse("accompagnement:beneficiaire_detail", args=[world.orientation_a.beneficiaire_id])
        ).status_code
        == 404
    )
    assert client.get(reverse("accompagnement:cer_export_json", args=[world.cer_a.pk])).status_code == 404
    assert client.get(reverse("accompagnement:cer_detail", args=[world.cer_a.pk])).status_code == 404
    response = client.post(
        reverse("accompagnement:entretien_create", args=[world.orientation_a.pk]),
        {"date": "2026-12-01", "mode": "physique", "nature": "premier", "presence": "present"},
    )
    assert response.status_code in (403, 404)
    assert not world.orientation_a.entretiens.exists()
    caseload = client.get(reverse("accompagnement:caseload")).content.decode()
    assert "Aubert" not in caseload
    assert "1000001" not in caseload


def test_access_ends_on_the_leaving_date_itself(client_for, world):
    url = reverse("accompagnement:beneficiaire_detail", args=[world.orientation_a.beneficiaire_id])
    leave(world, timezone.localdate() + datetime.timedelta(days=1))
    assert client_for("referent").get(url).status_code == 200
    leave(world, timezone.localdate())
    assert client_for("referent").get(url).status_code == 404


def test_responsable_sees_the_people_sans_referent_and_is_told(client_for, world):
    client = client_for("responsable")
    before = client.get(reverse("accompagnement:caseload")).content.decode()
    assert "a quitté la structure" not in before
    leave(world, timezone.localdate())
    html = client.get(reverse("accompagnement:caseload")).content.decode()
    assert "Anne Alpha a quitté la structure le" in html
    assert "1 personne qu'il ou elle suivait est désormais sans référent" in html
    assert "1 personne orientée sans référent" in html
    only = client.get(reverse("accompagnement:caseload"), {"sans_referent": "on"}).content.decode()
    assert "Aubert" in only
    assert "Bailly" not in only  # the other referent is still there


def test_home_panel_tells_the_responsable(client_for, world):
    leave(world, timezone.localdate())
    html = client_for("responsable").get(reverse("accounts:home")).content.decode()
    assert "Anne Alpha a quitté la structure" in html


@pytest.fixture
def referent_with_password(world):
    user = world.user("referent")
    user.set_password(PASSWORD)
    user.save()
    return user


def test_responsable_disables_a_member_who_can_no_longer_log_in(client, client_for, world, referent_with_password):
    from django.test import Client

    referent_client = Client()
    referent_client.force_login(referent_with_password)
    assert referent_client.get(reverse("accounts:home")).status_code == 200

    responsable = client_for("responsable")
    page = responsable.get(reverse("accounts:members")).content.decode()
    assert referent_with_password.email in page
    assert world.user("dpid").email not in page  # only the structure's members
    response = responsable.post(reverse("accounts:user_disable", args=[referent_with_password.pk]), follow=True)
    assert "est désactivé : il ne peut plus se connecter" in response.content.decode()

    # The open session ends, the login is refused, the history stays.
    assert referent_client.get(reverse("accounts:home")).status_code == 302
    login = Client().post(reverse("accounts:login"), {"username": referent_with_password.email, "password": PASSWORD})
    assert login.status_code == 200
    referent_with_password.refresh_from_db()
    assert not referent_with_password.is_active
    assert world.orientation_a.referent_id == world.referent_a.pk


def test_responsable_cannot_disable_outside_their_structure(client_for, world):
    from portal.accounts.enums import Role
    from tests.factories import UserFactory

    other = UserFactory(role=Role.RESPONSABLE, structure=world.structure_b)
    response = client_for("responsable").post(reverse("accounts:user_disable", args=[other.pk]))
    assert response.status_code == 404
    response = client_for("responsable").post(reverse("accounts:user_disable", args=[world.user("dpid").pk]))
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.is_active


def test_dpid_admin_disables_any_account_and_nobody_else_does(client_for, world):
    target = world.user("slai")
    for role in ("referent", "slai", "dpid", "manager"):
        response = client_for(role).post(reverse("accounts:user_disable", args=[target.pk]))
        assert response.status_code == 403, role
    target.refresh_from_db()
    assert target.is_active
    response = client_for("admin").post(reverse("accounts:user_disable", args=[target.pk]))
    assert response.status_code == 302
    target.refresh_from_db()
    assert not target.is_active
