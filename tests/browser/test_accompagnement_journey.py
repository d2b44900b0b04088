"""A SLAI agent orients a person; the structure assigns a referent; the referent finds the
person in their caseload and opens the record (audited)."""

import re

import pytest

from portal.audit.models import AuditEntry
from tests.browser.conftest import assert_no_csp_violation, login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_orientation_assignment_and_caseload(page, demo_live_server):
    import datetime

    from playwright.sync_api import expect

    server = demo_live_server
    login(page, server, "slai@demo.rsa62.test")
    page.get_by_role("link", name="File active").click()
    page.get_by_role("link", name="Orienter une personne").click()
    page.locator("#id_numero_caf").fill("8800001")
    page.locator("#id_nom").fill("Testeur")
    page.locator("#id_prenom").fill("Paulette")
    page.locator("#id_date_naissance").fill("1984-06-15")
    page.get_by_label("Femme").check()
    page.locator("#id_code_postal").fill("62000")
    page.locator("#id_commune").fill("Arras")
    page.locator("#id_structure").select_option(label="MEMPA")
    page.locator("#id_type_accompagnement").select_option(label="Accompagnement équilibré social-professionnel")
    page.locator("#id_date_orientation").fill(datetime.date.today().isoformat())
    page.get_by_role("button", name="Orienter").click()
    expect(page.get_by_text(re.compile("Paulette Testeur .* est orienté\\(e\\) vers MEMPA"))).to_be_visible()
    assert_no_csp_violation(page)

    login(page, server, "responsable@demo.rsa62.test")
    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="File active").click()
    expect(page.get_by_text(re.compile(r"\d+ personnes orientées sans référent"))).to_be_visible()
    page.get_by_label("Nom ou N° CAF").fill("8800001")
    page.get_by_role("button", name="Filtrer").click()
    page.get_by_role("link", name=re.compile("Désigner le référent de Paulette Testeur")).click()
    page.get_by_label(re.compile("Camille Lefebvre")).check()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Paulette Testeur (N° CAF 8800001) est suivi(e) par Camille Lefebvre.")).to_be_visible()

    login(page, server, "referent@demo.rsa62.test")
    page.get_by_role("link", name="Ma file active").click()
    page.get_by_label("Nom ou N° CAF").fill("Testeur")
    page.get_by_role("button", name="Filtrer").click()
    page.get_by_role("link", name="Testeur Paulette").click()
    expect(page.get_by_role("heading", name="Paulette Testeur")).to_be_visible()
    expect(page.get_by_text(re.compile("Premier rendez-vous avant le"))).to_be_visible()
    screenshot(page, "fiche-beneficiaire")
    assert_no_csp_violation(page)
    assert AuditEntry.objects.filter(user_email="referent@demo.rsa62.test", action="lecture").exists()
