"""In Chromium: the server, not the browser, says what is missing (in French, next to the field,
with what was typed kept), and the CER form takes a 4th and a 5th action."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accompagnement.models import Cer
from tests.browser.conftest import assert_no_csp_violation, login, screenshot
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_missing_choice_is_said_by_the_server_in_french(page, server, world):
    """The suspension decision of "À traiter" posted without a choice: no native popup ("Please
    select one of these options."), the page comes back with the French error under the radios
    and the comment as typed."""
    from playwright.sync_api import expect

    procedure = world.parcours().suspension
    login(page, server, world.user("slai").email, PASSWORD)
    page.goto(server.url + reverse("accompagnement:slai_a_traiter"))
    radios = page.locator(f"input[name=decision][id^='suspension-{procedure.pk}-']")
    expect(radios.first).to_have_attribute("required", "")  # still announced as required
    page.get_by_label("Commentaire (facultatif)").fill("Convocation envisagée.")
    page.get_by_role("button", name="Enregistrer la décision").click()
    page.wait_for_url(server.url + reverse("accompagnement:suspension_traiter", args=[procedure.pk]))
    expect(page.get_by_text("Choisissez la décision sur la procédure de suspension.")).to_be_visible()
    expect(page.get_by_label("Commentaire (facultatif)")).to_have_value("Convocation envisagée.")
    screenshot(page, "suspension-sans-decision")
    page.locator(f"#suspension-{procedure.pk}-decision_1").check()
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.get_by_text("Procédure de suspension de Test Aubert traitée.")).to_be_visible()
    procedure.refresh_from_db()
    assert (procedure.decision, procedure.commentaire) == ("classee", "Convocation envisagée.")
    assert_no_csp_violation(page)


def test_the_cer_takes_a_fourth_and_a_fifth_action(page, server, world):
    from playwright.sync_api import expect

    today = timezone.localdate()
    login(page, server, world.user("referent").email, PASSWORD)
    page.goto(server.url + reverse("accompagnement:cer_create", args=[world.orientation_a.pk]))
    page.locator("#id_type").select_option("solidarite")
    page.locator("#id_date_edition").fill(today.isoformat())
    page.locator("#id_date_debut").fill(today.isoformat())
    page.locator("#id_date_fin").fill((today + datetime.timedelta(days=180)).isoformat())
    page.locator("#id_remarque").fill("Reprise de confiance, puis recherche d'emploi.")
    add = page.get_by_role("button", name="Ajouter une action")
    add.click()
    add.click()
    expect(page.locator("#id_actions-4-intitule")).to_be_visible()
    expect(page.locator("input[name='actions-TOTAL_FORMS']")).to_have_value("5")
    expect(page.get_by_text("Action 5 (facultative)")).to_be_visible()
    for index in range(5):
        page.locator(f"#id_actions-{index}-intitule").fill(f"Action n° {index + 1}")
        page.locator(f"#id_actions-{index}-date_debut").fill(today.isoformat())
        page.locator(f"#id_actions-{index}-date_fin").fill((today + datetime.timedelta(days=60)).isoformat())
        page.locator(f"#id_actions-{index}-detail").fill(f"Détail {index + 1}.")
    assert page.evaluate("document.activeElement.id") == "id_actions-4-detail"
    page.get_by_role("button", name="Enregistrer le CER").click()
    expect(page.get_by_role("heading", name="Actions (5)")).to_be_visible()
    cer = Cer.objects.filter(orientation=world.orientation_a, date_debut=today).get()
    assert [action.intitule for action in cer.actions.order_by("pk")] == [f"Action n° {n}" for n in range(1, 6)]
    screenshot(page, "cer-cinq-actions")
    assert_no_csp_violation(page)
