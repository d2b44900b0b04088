"""The indicators page in a real browser: the chart is drawn from static files (no CSP
violation), the figures open the people behind them, the reporting is one click away."""

import pytest

from tests.browser.conftest import assert_no_csp_violation, login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_indicators_chart_people_and_reporting(page, demo_live_server):
    from playwright.sync_api import expect

    server = demo_live_server
    login(page, server, "responsable@demo.rsa62.test")
    page.get_by_role("link", name="Indicateurs", exact=True).click()
    expect(page.get_by_role("heading", name="Indicateurs de l'accompagnement")).to_be_visible()
    expect(page.locator("#graphique-mensuel svg")).to_be_visible()
    assert page.locator("#graphique-mensuel svg rect").count() > 10
    screenshot(page, "indicateurs")
    assert_no_csp_violation(page)

    page.locator("tfoot a").first.click()
    expect(page.get_by_role("heading", name="Personnes entrées dans la période")).to_be_visible()
    screenshot(page, "indicateurs-personnes")

    page.goto(f"{server.url}/accompagnement/reporting/")
    expect(page.get_by_role("heading", name="Reporting mensuel", exact=False)).to_be_visible()
    screenshot(page, "reporting")
    page.get_by_role("link", name="Vérifier et valider").first.click()
    expect(page.get_by_role("heading", name="Reporting", exact=False)).to_be_visible()
    screenshot(page, "reporting-detail")
    page.get_by_role("button", name="Valider le reporting", exact=False).click()
    expect(page.get_by_text("ses chiffres sont figés")).to_be_visible()
    expect(page.get_by_text("Chiffres figés à la validation.")).to_be_visible()
    assert_no_csp_violation(page)
