"""Funding end to end in a browser, on the demo data: the manager reads the budget lines and the
phase-6 deliberation with its 20 € gap; the DPID turns a retained proposal into a convention,
produces and downloads its PDF, records the signatures and the advance, enters the results the
accompaniment does not compute and reads the balance line by line; the manager reads the cost per
dynamic exit per thématique and territory."""

import re

import pytest
from django.utils import timezone

from tests.browser.conftest import assert_no_csp_violation, login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_from_the_vote_to_the_euro_paid_and_what_it_bought(page, demo_live_server):
    from playwright.sync_api import expect

    from financement.models import Convention, Versement

    server = demo_live_server
    today = timezone.localdate().isoformat()

    # The manager: budget lines, then the deliberation of 9 December 2024 and its gap.
    login(page, server, "pilotage@demo.rsa62.test")
    nav = page.get_by_role("navigation", name="Navigation principale")
    nav.get_by_role("link", name="Financement").click()
    expect(page.get_by_role("heading", name="Financement : lignes budgétaires")).to_be_visible()
    expect(page.get_by_text("C02-446A05").first).to_be_visible()
    page.get_by_role("link", name="Délibérations").first.click()
    page.get_by_role("link", name="2024-587").click()
    expect(page.get_by_role("heading", name=re.compile("Délibération n° 2024-587"))).to_be_visible()
    gap = page.get_by_role("row").filter(has_text="Le montant voté diffère")
    expect(gap).to_have_count(1)
    expect(gap).to_contain_text("59\u00a0220,00\u00a0€")
    expect(gap).to_contain_text("20,00\u00a0€")
    # Read-only: no button to draft an act.
    expect(page.get_by_role("button", name=re.compile("Préparer"))).to_have_count(0)
    assert_no_csp_violation(page)

    # The DPID drafts the CCAS de Liévin's convention from its retained line.
    login(page, server, "dpid@demo.rsa62.test")
    page.goto(f"{server.url}/financement/deliberations/2024-587/")
    page.get_by_role("button", name=re.compile("Préparer la convention : CCAS de Liévin")).click()
    expect(page.get_by_role("heading", name=re.compile("Convention n° .* – CCAS de Liévin"))).to_be_visible()
    expect(page.get_by_text("préparé(e) en brouillon")).to_be_visible()
    convention = Convention.objects.get(structure__nom="CCAS de Liévin", deliberation__numero="2024-587")

    # Its PDF, produced by the documents engine and downloaded.
    page.get_by_role("button", name=re.compile("Produire le document")).first.click()
    download_link = page.get_by_role("link", name=re.compile("Télécharger")).first
    expect(download_link).to_be_visible(timeout=30_000)
    with page.expect_download() as download:
        download_link.click()
    assert download.value.suggested_filename.endswith(".pdf")
    page.goto(f"{server.url}{convention.get_absolute_url()}")

    # Sent for signature, then both signatures recorded: a date missing is said next to its field.
    page.get_by_role("button", name="Envoyer à la signature").click()
    page.get_by_label("Signé par la structure le").fill(today)
    page.get_by_role("button", name="Enregistrer les signatures").click()
    expect(page.get_by_text("Ce champ est obligatoire.")).to_be_visible()
    expect(page.get_by_label("Signé par la structure le")).to_have_value(today)
    page.get_by_label("Signé par le Département le").fill(today)
    page.get_by_role("button", name="Enregistrer les signatures").click()
    expect(page.get_by_role("heading", name="État : Signé(e)")).to_be_visible()

    # The advance, paid once.
    advance = page.get_by_role("row").filter(has_text="Avance versée dès signature")
    advance.get_by_label("Date du versement").fill(today)
    advance.get_by_label("Référence du mandat").fill("MANDAT-2026-1207")
    advance.get_by_role("button", name="Enregistrer le versement").click()
    expect(page.get_by_text("Versement enregistré.")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Avance versée dès signature")).to_contain_text("MANDAT-2026-1207")
    assert Versement.objects.get(convention=convention).montant == convention.montant_max / 2
    screenshot(page, "financement-convention-signee")

    # The référent solidarité convention of the CCAS: results entered, balance shown line by line.
    page.goto(f"{server.url}/financement/conventions/")
    page.get_by_role("link", name="2025-00310").click()
    page.get_by_label("Places réalisées (file active)").fill("230")
    page.get_by_role("button", name="Enregistrer les résultats").click()
    expect(page.get_by_text("Résultats enregistrés")).to_be_visible()
    balance = page.get_by_role("table", name=re.compile("Calcul du solde, ligne par ligne"))
    expect(balance).to_contain_text("230")
    expect(balance.get_by_role("row")).not_to_have_count(0)
    screenshot(page, "financement-solde")

    # The manager: what each euro bought, per thématique and territory.
    login(page, server, "pilotage@demo.rsa62.test")
    page.goto(f"{server.url}/financement/tableau-de-bord/")
    costs = page.get_by_role("table").filter(has_text="Coût par sortie dynamique")
    expect(costs).to_contain_text("Arrageois")
    expect(costs).to_contain_text("Accompagnement des bénéficiaires du RSA")
    screenshot(page, "financement-tableau-de-bord")
    assert_no_csp_violation(page)
