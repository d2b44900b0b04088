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


def test_whole_parcours_from_orientation_to_exit_shows_in_indicators_and_report(page, demo_live_server):
    """The issue's end-to-end case: the SLAI orients; the structure assigns; the referent records
    the first interview, the CER with its actions and its signature, later interviews and an
    unjustified absence, then the final bilan, the closure of the CER and the exit; the
    indicators and the structure's monthly report count the person."""
    import datetime

    from playwright.sync_api import expect

    from accompagnement.models import Orientation, ProcedureSuspension, Sortie

    server = demo_live_server
    today = datetime.date.today()

    def day(offset):
        return (today - datetime.timedelta(days=offset)).isoformat()

    login(page, server, "slai@demo.rsa62.test")
    page.goto(f"{server.url}/accompagnement/orientations/nouvelle/")
    for field, value in {
        "numero_caf": "8800002",
        "nom": "Parcours",
        "prenom": "Jeanne",
        "date_naissance": "1979-03-08",
        "code_postal": "62000",
        "commune": "Arras",
        "date_orientation": day(100),
    }.items():
        page.locator(f"#id_{field}").fill(value)
    page.get_by_label("Femme").check()
    page.locator("#id_structure").select_option(label="MEMPA")
    page.locator("#id_type_accompagnement").select_option(label="Référent solidarité")
    page.get_by_role("button", name="Orienter").click()
    expect(page.get_by_text(re.compile("Jeanne Parcours .* est orienté\\(e\\) vers MEMPA"))).to_be_visible()

    login(page, server, "responsable@demo.rsa62.test")
    page.goto(f"{server.url}/accompagnement/?q=8800002")
    page.get_by_role("link", name=re.compile("Désigner le référent de Jeanne Parcours")).click()
    page.get_by_label(re.compile("Camille Lefebvre")).check()
    page.get_by_label("Affecter malgré la file active complète").check()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text(re.compile("est suivi\\(e\\) par Camille Lefebvre"))).to_be_visible()

    login(page, server, "referent@demo.rsa62.test")
    page.goto(f"{server.url}/accompagnement/?q=8800002")
    page.get_by_role("link", name="Parcours Jeanne").click()
    record_url = page.url

    def interview(offset, nature, presence, mode="Physique"):
        page.goto(record_url)
        page.get_by_role("link", name="Saisir un entretien").click()
        page.locator("#id_date").fill(day(offset))
        page.locator("#id_mode").select_option(label=mode)
        page.locator("#id_nature").select_option(label=nature)
        page.get_by_label(presence).check()
        page.get_by_role("button", name="Enregistrer").click()

    interview(95, "Premier entretien", "Présent(e)")
    expect(page.get_by_text("Premier entretien du")).to_be_visible()

    page.get_by_role("link", name="Saisir un CER").click()
    page.locator("#id_type").select_option(label="CER solidarité")
    page.locator("#id_date_edition").fill(day(90))
    page.locator("#id_date_debut").fill(day(90))
    page.locator("#id_date_fin").fill((today - datetime.timedelta(days=90) + datetime.timedelta(days=180)).isoformat())
    page.locator("#id_remarque").fill("Logement à stabiliser d'abord ; puis reprise de contact avec l'emploi.")
    page.locator("#id_actions-0-intitule").fill("Demande de logement social")
    page.locator("#id_actions-0-date_debut").fill(day(90))
    page.locator("#id_actions-0-date_fin").fill(day(30))
    page.locator("#id_actions-0-detail").fill("Dossier déposé auprès du bailleur.")
    # The grid items follow what is typed (computed by the server, shown by a static script).
    expect(page.locator("[data-grille-score]")).to_contain_text(re.compile(r"\d.* / 4,5"))
    page.get_by_role("button", name="Enregistrer le CER").click()
    expect(page.get_by_role("heading", name=re.compile("CER solidarité"))).to_be_visible()
    page.locator("#id_signe_le").fill(day(88))
    page.get_by_role("button", name="Enregistrer la signature").click()
    expect(page.get_by_text(re.compile("Signé le")).first).to_be_visible()
    screenshot(page, "journey-cer-signe")

    interview(50, "Entretien intermédiaire", "Présent(e)")
    interview(20, "Entretien intermédiaire", "Absence injustifiée")
    expect(page.get_by_text(re.compile("procédure de suspension est ouverte pour le SLAI"))).to_be_visible()
    interview(1, "Bilan final", "Présent(e)")

    page.goto(record_url)
    page.get_by_role("link", name="Voir le CER").first.click()
    page.get_by_role("link", name="Clôturer le CER").click()
    page.locator("#id_synthese").fill("Logement obtenu ; la personne a signé un CDI dans la logistique.")
    page.get_by_role("button", name="Clôturer le CER").click()
    expect(page.get_by_text(re.compile("^Clôturé le"))).to_be_visible()

    page.goto(record_url)
    page.get_by_role("link", name="Saisir la sortie").click()
    page.locator("#id_motif").select_option(label="Emploi durable – CDI")
    page.get_by_role("button", name="Enregistrer la sortie").click()
    expect(page.get_by_text(re.compile("Sortie du .* enregistrée : Emploi durable – CDI"))).to_be_visible()
    screenshot(page, "journey-fiche-apres-sortie")
    assert_no_csp_violation(page)

    orientation = Orientation.objects.get(beneficiaire__numero_caf="8800002")
    assert orientation.date_fin == today
    assert Sortie.objects.filter(orientation=orientation, motif="cdi").count() == 1
    assert ProcedureSuspension.objects.filter(entretien__orientation=orientation).count() == 1

    # The referent's indicators over a period including today count the entry and the exit, and
    # the figure opens the list of people behind it.
    page.goto(f"{server.url}/accompagnement/indicateurs/?du={day(120)}&au={today.isoformat()}")
    page.get_by_role("link", name=re.compile(": voir les personnes")).nth(1).click()  # Sorties
    expect(page.get_by_role("link", name=re.compile("Parcours"))).to_be_visible()
    screenshot(page, "journey-indicateurs-personnes")

    # The structure's report of the month (live until validated) counts the exit by its motif.
    login(page, server, "responsable@demo.rsa62.test")
    page.goto(f"{server.url}/accompagnement/reporting/{orientation.structure_id}/{today.year}/{today.month}/")
    expect(page.get_by_role("row", name=re.compile("Emploi durable – CDI"))).to_contain_text(re.compile("[1-9]"))
    screenshot(page, "journey-reporting-mois")
    assert_no_csp_violation(page)
