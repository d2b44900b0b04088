"""Each demo account logs in through the form, sees its French home page, and no page breaks
the Content-Security-Policy."""

import re

import pytest

from portal.accounts.demo import DEMO_ACCOUNTS
from portal.accounts.enums import Role
from portal.core.demo import DEMO_PASSWORD
from tests.browser.conftest import assert_no_csp_violation, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("account", DEMO_ACCOUNTS, ids=[a["email"].split("@")[0] for a in DEMO_ACCOUNTS])
def test_demo_account_logs_in_and_sees_its_home(page, demo_live_server, account):
    from playwright.sync_api import expect

    page.goto(f"{demo_live_server.url}/")
    expect(page).to_have_url(re.compile(r"/connexion/\?next=/$"))
    expect(page.get_by_role("heading", name="Connexion")).to_be_visible()
    page.get_by_label("Adresse e-mail").fill(account["email"])
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    expect(page.get_by_role("heading", name=f"Bonjour {account['first_name']}")).to_be_visible()
    work = "L'activité que je suis" if account["role"] == Role.MANAGER else "Ce qui m'attend"
    expect(page.get_by_role("heading", name=work)).to_be_visible()
    expect(page.get_by_text(account["role"].label).first).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "fr"
    screenshot(page, f"accueil-{account['role']}")
    assert_no_csp_violation(page)

    # The main lists open too, and keep the policy.
    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Territoires").click()
    expect(page.get_by_role("heading", name="Territoires SLAI")).to_be_visible()
    assert_no_csp_violation(page)

    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("heading", name="Connexion")).to_be_visible()


def test_wrong_password_then_success_keeps_the_email(page, demo_live_server):
    from playwright.sync_api import expect

    page.goto(f"{demo_live_server.url}/connexion/")
    page.get_by_label("Adresse e-mail").fill("dpid@demo.rsa62.test")
    page.get_by_label("Mot de passe").fill("mauvais-mot-de-passe")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_contain_text("Adresse e-mail ou mot de passe incorrect.")
    expect(page.get_by_label("Adresse e-mail")).to_have_value("dpid@demo.rsa62.test")
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Bonjour Agnès")).to_be_visible()
    assert_no_csp_violation(page)


def test_structure_edits_its_contacts_with_errors_shown_in_place(page, demo_live_server):
    from playwright.sync_api import expect

    page.goto(f"{demo_live_server.url}/connexion/")
    page.get_by_label("Adresse e-mail").fill("responsable@demo.rsa62.test")
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("link", name="Ma structure").click()
    page.get_by_role("link", name="MEMPA").click()
    page.get_by_role("link", name="Modifier").click()
    page.locator("#id_code_postal").fill("620")
    page.locator("#id_contacts-1-nom").fill("Paul Nouveau")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("#error_1_id_code_postal")).to_contain_text("Le code postal doit comporter 5 chiffres.")
    expect(page.locator("#id_contacts-1-nom")).to_have_value("Paul Nouveau")
    screenshot(page, "structure-erreurs")
    page.locator("#id_code_postal").fill("62000")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("La structure « MEMPA » est enregistrée.")).to_be_visible()
    expect(page.get_by_text("Paul Nouveau")).to_be_visible()
    assert_no_csp_violation(page)
