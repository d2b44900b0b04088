import datetime
import html
import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from tests.conftest import ROLES
from tests.factories import PASSWORD


def test_login_with_email_is_case_insensitive(client, world):
    response = client.post(reverse("accounts:login"), {"username": "DPID@Example.test", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:home")


def test_wrong_password_shows_a_french_error_and_keeps_the_email(client, world):
    response = client.post(reverse("accounts:login"), {"username": "dpid@example.test", "password": "faux"})
    content = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert "Adresse e-mail ou mot de passe incorrect." in content
    assert 'value="dpid@example.test"' in content


def test_inactive_account_cannot_sign_in(client, world):
    user = world.user("dpid")
    user.is_active = False
    user.save()
    response = client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_login_redirects_to_next_but_never_off_site(client, world):
    url = reverse("accounts:login")
    response = client.post(
        f"{url}?next=/referentiels/structures/", {"username": "dpid@example.test", "password": PASSWORD}
    )
    assert response["Location"] == "/referentiels/structures/"
    client.logout()
    response = client.post(
        f"{url}?next=https://exemple.invalid/", {"username": "dpid@example.test", "password": PASSWORD}
    )
    assert response["Location"] == reverse("accounts:home")


def test_logout_is_a_post_and_ends_the_session(client_for, world):
    client = client_for("dpid")
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get(reverse("accounts:home")).status_code == 302


def test_password_reset_by_email(client, world):
    response = client.post(reverse("accounts:password_reset"), {"email": "slai-a@example.test"})
    assert response["Location"] == reverse("accounts:password_reset_done")
    message = mail.outbox[0]
    assert message.to == ["slai-a@example.test"]
    assert message.subject == "Portail RSA – réinitialisation de votre mot de passe"
    assert "Bonjour" in message.body
    assert message.alternatives[0].mimetype == "text/html"
    link = re.search(r"http://testserver(/mot-de-passe/reinitialiser/\S+/)", message.body).group(1)
    form_url = client.get(link)["Location"]  # Django swaps the token for a session marker
    new_password = "Un-nouveau-mot-de-passe-62"
    response = client.post(form_url, {"new_password1": new_password, "new_password2": new_password})
    assert response["Location"] == reverse("accounts:password_reset_complete")
    world.user("slai").refresh_from_db()
    assert world.user("slai").check_password(new_password)


def test_password_reset_for_unknown_email_reveals_nothing(client, world):
    response = client.post(reverse("accounts:password_reset"), {"email": "inconnu@example.test"})
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_weak_new_password_is_refused_in_french(client_for, world):
    client = client_for("dpid")
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "123", "new_password2": "123"},
    )
    content = html.unescape(response.content.decode())
    assert "Ce mot de passe est trop court. Il doit contenir au minimum 12 caractères." in content


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonyme"])
def test_home_page_per_role(client_for, world, role):
    response = client_for(role).get(reverse("accounts:home"))
    content = html.unescape(response.content.decode())
    assert ("Ce qui m'attend" if role != "manager" else "L'activité que je suis") in content
    assert world.user(role).get_role_display() in content
    audit_link = reverse("audit:entry_list")
    assert (audit_link in content) == (role == "admin")
    assert ("Lecture seule" in content) == (role == "manager")


@time_machine.travel(datetime.datetime(2026, 12, 5, 9, tzinfo=datetime.UTC))
def test_new_referents_training_deadline_on_the_home_page(client_for, world):
    """New referents must be trained within their year of arrival (seed 001 l. 217)."""
    from tests.factories import ReferentFactory

    ReferentFactory(structure=world.structure_a, nom="Nouvelle", prenom="Recrue", date_arrivee="2026-02-02")
    ReferentFactory(structure=world.structure_b, nom="Autre", prenom="Recrue", date_arrivee="2026-02-02")
    content = client_for("responsable").get(reverse("accounts:home")).content.decode()
    assert "Formation de Recrue Nouvelle (Structure A)" in content
    assert "le 31 décembre 2026, dans 26 jours" in content
    assert "Recrue Autre" not in content  # another structure's referent


def test_security_headers(client):
    response = client.get(reverse("accounts:login"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    assert f'nonce="{nonce}"' in response.content.decode()
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response.cookies["csrftoken"]["httponly"]


def test_error_pages_are_french(client_for, world):
    response = client_for("dpid").get("/page-qui-n-existe-pas/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()
    response = client_for("manager").get(reverse("referentiels:structure_create"))
    assert "Accès refusé" in html.unescape(response.content.decode())
