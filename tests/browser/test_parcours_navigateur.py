"""The parcours in a real browser, on the demo data: the DPID decides a pending reorientation from
its "À traiter" page; a referent records an exit with the mandatory final bilan."""

import re

import pytest

from tests.browser.conftest import assert_no_csp_violation, login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reorientation_decision_and_exit(page, demo_live_server):
    from playwright.sync_api import expect

    from accompagnement.models import Sortie

    server = demo_live_server
    login(page, server, "dpid@demo.rsa62.test")
    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="À traiter").click()
    expect(page.get_by_role("heading", name="Demandes de réorientation", exact=False)).to_be_visible()
    screenshot(page, "parcours-a-traiter")
    assert_no_csp_violation(page)
    page.locator("#titre-reorientations ~ table").get_by_role("link", name=re.compile("^Décider")).first.click()
    expect(page.get_by_role("heading", name=re.compile("^Demande de réorientation"))).to_be_visible()
    page.get_by_label("Accepter la demande").check()
    screenshot(page, "parcours-reorientation-decision")
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.get_by_text(re.compile("Réorientation acceptée : orientation vers"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"Sortie le .* : Réorientation \(décidée par le SLAI\)"))).to_be_visible()
    assert_no_csp_violation(page)

    login(page, server, "referent@demo.rsa62.test")
    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Ma file active").click()
    page.locator("tbody th a").first.click()
    page.get_by_role("link", name="Saisir la sortie").first.click()
    expect(page.get_by_role("heading", name=re.compile("^Sortie de l'accompagnement"))).to_be_visible()
    page.locator("#id_motif").select_option(label="Emploi durable – CDI")
    if page.locator("#id_diagnostic-synthese").count():
        page.locator("#id_diagnostic-synthese").fill("Embauche en CDI dans la logistique ; objectifs du CER atteints.")
    screenshot(page, "parcours-sortie")
    page.get_by_role("button", name="Enregistrer la sortie").click()
    expect(page.get_by_text(re.compile(r"Sortie le .* : Emploi durable – CDI \(Emploi durable\)"))).to_be_visible()
    screenshot(page, "parcours-fiche")
    assert Sortie.objects.filter(motif="cdi").exists()
    assert_no_csp_violation(page)
