"""From the demo: deadlines on the home page, reminders in-app, a document asked for and
downloaded, a decision document previewed then issued."""

import re

import pytest

from tests.browser.conftest import assert_no_csp_violation, login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_structure_sees_deadlines_and_reminders_then_gets_its_sheet(page, demo_live_server):
    from playwright.sync_api import expect

    login(page, demo_live_server, "responsable@demo.rsa62.test")
    attention = page.get_by_role("heading", name=re.compile("Mes échéances"))
    expect(attention).to_be_visible()
    screenshot(page, "accueil-echeances")
    expect(page.get_by_text("En retard").first).to_be_visible()
    # Structure managers see the oriented people still without a referent first (overdue).
    expect(page.get_by_role("link", name=re.compile("^Référent à désigner")).first).to_be_visible()

    # load_demo ran the daily reminders: they are waiting in the notifications.
    notifications = page.get_by_role("link", name=re.compile("^Notifications"))
    expect(notifications).to_contain_text(re.compile(r"\d+"))
    notifications.click()
    expect(page.get_by_text(re.compile("Échéance (dépassée|dans)")).first).to_be_visible()
    expect(page.get_by_text("Pourquoi : Rappel automatique").first).to_be_visible()
    assert_no_csp_violation(page)

    page.get_by_role("link", name="Ma structure").click()
    page.get_by_role("link", name="MEMPA").click()
    page.get_by_role("button", name="Produire le document : Fiche d'identité de la structure").click()
    expect(page.get_by_role("heading", name="Fiche d'identité de la structure – version 1")).to_be_visible()
    expect(page.get_by_text("Prêt", exact=True)).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger le PDF").click()
    download = download_info.value
    assert download.suggested_filename == "fiche-structure-mempa-v1.pdf"
    with open(download.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    screenshot(page, "document-pret")
    assert_no_csp_violation(page)


def test_dpid_previews_then_issues_an_attestation(page, demo_live_server):
    from playwright.sync_api import expect

    login(page, demo_live_server, "dpid@demo.rsa62.test")
    page.goto(f"{demo_live_server.url}/referentiels/structures/?nom=Pas-de-Calais")
    page.get_by_role("link", name="Pas-de-Calais Actif").click()
    page.get_by_role("button", name="Produire le document : Attestation de structure partenaire").click()
    expect(page.get_by_text("Aperçu, non émis")).to_be_visible()
    page.get_by_role("button", name="Émettre la version 1").click()
    expect(page.get_by_text("Document émis : cette version est figée.")).to_be_visible()
    expect(page.locator(".badge", has_text="Émis")).to_be_visible()
    expect(page.get_by_text("version figée")).to_be_visible()
    screenshot(page, "document-emis")
    assert_no_csp_violation(page)
