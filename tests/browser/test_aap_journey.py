"""Calls for projects end to end in a browser, on the demo data: the structure drafts, balances
its budget (live figures), attaches and files; the label gate refuses; the SLAI validates; the
DPID asks for a correction, the structure corrects, the DPID proposes."""

import pytest

from tests.browser.conftest import assert_no_csp_violation, login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PDF = b"%PDF-1.4\n% statuts\n%%EOF\n"


def test_structure_files_and_the_department_instructs(page, demo_live_server, tmp_path):
    from playwright.sync_api import expect

    from aap.models import Candidature

    server = demo_live_server
    login(page, server, "responsable@demo.rsa62.test")
    nav = page.get_by_role("navigation", name="Navigation principale")
    nav.get_by_role("link", name="Appels à projets").click()
    page.get_by_role("link", name="Appel à projets des politiques d'inclusion durable 2027").click()
    page.get_by_role("link", name="3.14 Actions d'insertion innovantes").click()
    expect(page.get_by_role("heading", name="Ce qu'il vous faudra")).to_be_visible()
    page.get_by_role("link", name="Arrageois").click()

    # Project: typed and saved.
    page.get_by_role("region", name="Projet").get_by_role("link", name="Compléter").click()
    page.get_by_label("Description de l'action").fill("Ateliers hebdomadaires de remobilisation par le théâtre.")
    page.get_by_label("Participants prévus").fill("40")
    page.get_by_label("Indicateurs proposés").fill("Nombre de participants ; sorties positives")
    expect(page.get_by_text("Brouillon enregistré à")).to_be_visible(timeout=10_000)
    page.get_by_role("button", name="Enregistrer").click()

    # Budget: the figures follow the typing.
    page.get_by_role("region", name="Budget prévisionnel").get_by_role("link", name="Compléter").click()
    page.get_by_label("64 – Charges de personnel (€)").fill("18 000")
    page.get_by_label("62 – Autres services extérieurs (€)").fill("2 000,50")
    expect(
        page.get_by_text("Il manque 20\u00a0000,50\u00a0€ de ressources pour équilibrer le budget.")
    ).to_be_visible()
    page.get_by_label("74 – Subvention du Département du Pas-de-Calais (€)").fill("16 000")
    page.get_by_label("Fonds propres de la structure (€)").fill("4 000,50")
    expect(page.locator('[data-budget="desequilibre"]')).to_have_text("0,00\u00a0€")
    expect(page.locator('[data-budget="part_departement"]')).to_have_text("80,0 %")
    expect(page.locator('[data-budget="cout_par_beneficiaire"]')).to_have_text("500,01\u00a0€")
    assert_no_csp_violation(page)
    page.get_by_role("button", name="Enregistrer le budget").click()
    expect(page.get_by_text("Budget prévisionnel enregistré.")).to_be_visible()
    page.get_by_role("link", name="Retour à la candidature").first.click()

    # Staff (MEMPA is not labelled: a CV) and the required piece.
    page.get_by_role("region", name="Personnel").get_by_role("link", name="Compléter").click()
    cv = tmp_path / "cv.pdf"
    cv.write_bytes(PDF)
    page.get_by_label("Nom et prénom").fill("Camille Lefebvre")
    page.get_by_label("Fonction").fill("Animatrice")
    page.get_by_label("ETP sur l'action").fill("0,5")
    page.get_by_label("CV").set_input_files(str(cv))
    page.get_by_role("button", name="Ajouter").click()
    page.get_by_role("link", name="Retour à la candidature").click()
    page.get_by_role("region", name="Pièces jointes").get_by_role("link", name="Compléter").click()
    statuts = tmp_path / "statuts.pdf"
    statuts.write_bytes(PDF)
    page.get_by_label("Fichier").set_input_files(str(statuts))
    page.get_by_role("button", name="Joindre").click()
    expect(page.get_by_text("Pièce jointe ajoutée.")).to_be_visible()
    page.get_by_role("link", name="Retour à la candidature").click()
    expect(page.get_by_text("La candidature est complète.")).to_be_visible()
    page.get_by_role("button", name="Déposer la candidature").click()
    expect(page.get_by_text("Candidature déposée : votre récépissé de dépôt est en préparation.")).to_be_visible()
    screenshot(page, "aap-candidature-deposee")

    # The gated référent solidarité: refused without label, and told why.
    page.goto(f"{server.url}/aap/")
    page.get_by_role("link", name="1.1 Référent solidarité").first.click()
    expect(page.get_by_text("seules les structures titulaires du label").first).to_be_visible()

    # The SLAI of the Arrageois validates PBI's référent solidarité application.
    login(page, server, "slai@demo.rsa62.test")
    pbi = Candidature.objects.get(structure__nom="PBI", dispositif__appel__annee=2027)
    page.goto(f"{server.url}/aap/candidatures/{pbi.pk}/")
    expect(page.get_by_text("en attente d'un référent")).to_be_visible()
    page.get_by_role("link", name="Validation du chef de SLAI").click()
    page.get_by_label("Validation du chef de SLAI").select_option(label="Validée par le chef de SLAI")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Avis territorial enregistré.")).to_be_visible()

    # The DPID declares MEMPA's application admissible, then asks for a correction of the budget.
    mempa = Candidature.objects.get(structure__nom="MEMPA", dispositif__code="3.14", dispositif__appel__annee=2027)
    login(page, server, "dpid@demo.rsa62.test")
    page.goto(f"{server.url}/aap/candidatures/{mempa.pk}/")
    page.get_by_role("link", name="Étudier la recevabilité").click()
    page.get_by_label("Recevable", exact=True).check()
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_role("link", name="Demander une correction").click()
    page.get_by_label("Incorrect").check()
    page.get_by_label("Budget prévisionnel").check()
    page.get_by_label("Ce que la structure doit corriger").fill("Le compte 62 doit être détaillé.")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Correction demandée : la structure est prévenue.")).to_be_visible()

    # The structure corrects the budget only, and sends it back.
    login(page, server, "responsable@demo.rsa62.test")
    page.goto(f"{server.url}/aap/candidatures/{mempa.pk}/")
    expect(page.get_by_text("Le compte 62 doit être détaillé.").first).to_be_visible()
    expect(page.get_by_role("region", name="Projet").get_by_role("link", name="Compléter")).to_have_count(0)
    page.get_by_role("region", name="Budget prévisionnel").get_by_role("link", name="Compléter").click()
    page.get_by_label("Précision (62 – Autres services extérieurs)").fill("Location de salle")
    page.get_by_role("button", name="Enregistrer le budget").click()
    page.get_by_role("link", name="Retour à la candidature").first.click()
    page.get_by_role("button", name="Renvoyer la candidature corrigée").click()
    expect(page.get_by_text("Candidature corrigée renvoyée au Département.")).to_be_visible()

    # The DPID instructs and, after the SLAI's opinion, proposes.
    login(page, server, "dpid@demo.rsa62.test")
    page.goto(f"{server.url}/aap/candidatures/{mempa.pk}/")
    page.get_by_role("button", name="Mettre en instruction").click()
    login(page, server, "slai@demo.rsa62.test")
    page.goto(f"{server.url}/aap/candidatures/{mempa.pk}/")
    page.get_by_role("link", name="Avis du SLAI").click()
    page.get_by_label("Avis du SLAI").select_option(label="Favorable")
    page.get_by_role("button", name="Enregistrer").click()
    login(page, server, "dpid@demo.rsa62.test")
    page.goto(f"{server.url}/aap/candidatures/{mempa.pk}/")
    page.get_by_role("link", name="Proposer à la Commission Permanente").click()
    page.get_by_label("Montant proposé (€)").fill("16 000")
    page.get_by_label("Convention").check()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Candidature proposée.")).to_be_visible()
    mempa.refresh_from_db()
    assert mempa.etat == "proposee"
    assert_no_csp_violation(page)
