"""In Chromium: the grid's automatic items follow what the referent types in the CER form."""

import re

import pytest
from django.urls import reverse

from tests.browser.conftest import assert_no_csp_violation, login
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_live_grid_while_typing(page, server, world):
    from playwright.sync_api import expect

    login(page, server, world.user("referent").email, PASSWORD)
    page.goto(server.url + reverse("accompagnement:cer_update", args=[world.cer_a.pk]))
    score = page.locator("[data-grille-score]")
    expect(score).to_have_text("4,5 / 4,5")
    page.locator("#id_remarque").fill("")
    expect(score).to_have_text("4 / 4,5")
    page.locator("#id_remarque").fill("Sevrage alcool en cours ; logement d'abord.")
    expect(page.get_by_text(re.compile("Remarque : mention d'une addiction"))).to_be_visible()
    expect(score).to_have_text("4,5 / 4,5")
    page.locator("#id_actions-0-date_debut").fill("2026-10-01")  # before the edition
    expect(score).to_have_text("4 / 4,5")
    page.locator("#id_date_fin").fill("")
    expect(score).to_have_text("à compléter / 4,5")
    assert_no_csp_violation(page)
    page.locator("#id_date_fin").fill("2027-04-14")
    page.get_by_role("button", name="Enregistrer le CER").click()
    expect(page.get_by_text("CER solidarité du 15 octobre 2026 au 14 avril 2027 modifié.")).to_be_visible()
    expect(page.get_by_text("Remarque : mention d'une addiction")).to_be_visible()  # still flagged on the CER page
    page.screenshot(path="/tmp/cer-detail.png", full_page=True)
    assert_no_csp_violation(page)
