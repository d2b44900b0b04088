"""RGAA checks with axe-core in headless Chromium: the key pages of every role (home, lists, a
person's record, a form with errors, a label request) have no serious or critical violation;
a keyboard-only journey through a form with errors; a visible focus.

axe-core 4.14.1 (MPL-2.0) is vendored in tests/browser/vendor/ (`npm pack axe-core@4.14.1`): it is
only injected by these tests, never served by the portal.
"""

import re
from pathlib import Path

import pytest

from portal.accounts.demo import DEMO_ACCOUNTS
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe-core-4.14.1.min.js").read_text()
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_violations(page):
    """Serious and critical violations of the current page, as readable lines."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)  # DevTools evaluation: not subject to the page's CSP
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        TAGS,
    )
    return [
        f"{page.url} – {v['id']} ({v['impact']}) : {v['help']} – "
        + " | ".join(
            node["target"][0] if isinstance(node["target"][0], str) else str(node["target"]) for node in v["nodes"][:3]
        )
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def key_pages(user):
    """The pages every role opens first, with one record and one label request of its scope."""
    from django.urls import reverse

    from accompagnement.models import Beneficiaire
    from label.models import DemandeLabel

    pages = [
        reverse("accounts:home"),
        reverse("accompagnement:caseload"),
        reverse("referentiels:structure_list"),
        reverse("referentiels:referent_list"),
        reverse("echeances:list"),
        reverse("label:home"),
        reverse("accompagnement:indicateurs"),
    ]
    person = Beneficiaire.objects.visible_to(user).order_by("pk").first()
    if person:
        pages.append(reverse("accompagnement:beneficiaire_detail", args=[person.pk]))
    demande = DemandeLabel.objects.visible_to(user).order_by("-pk").first()
    if demande:
        pages.append(reverse("label:demande_detail", args=[demande.pk]))
    from financement import perms as financement_perms

    if financement_perms.can_view_finances(user):
        # The funding dashboard with its charts and what each euro bought, per convention too.
        pages.append(reverse("financement:tableau_de_bord"))
        pages.append(reverse("financement:tableau_de_bord") + "?par=convention")
    return pages


def test_public_pages(page, demo_live_server):
    violations = []
    for path in (
        "/connexion/",
        "/mot-de-passe/oubli/",
        "/mentions-legales/",
        "/donnees-personnelles/",
        "/accessibilite/",
    ):
        page.goto(demo_live_server.url + path)
        violations += axe_violations(page)
    # The login form with its errors.
    page.goto(demo_live_server.url + "/connexion/")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_selector("#erreurs-formulaire")
    violations += axe_violations(page)
    assert violations == [], "\n".join(violations)
    # The check does see a violation when there is one (an image without text alternative).
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=\\'/static/x.png\\'>')")
    assert any("image-alt (critical)" in line for line in axe_violations(page))


@pytest.mark.parametrize("account", DEMO_ACCOUNTS, ids=[a["email"].split("@")[0] for a in DEMO_ACCOUNTS])
def test_key_pages_of_each_role(page, demo_live_server, account):
    from portal.accounts.models import User

    user = User.objects.get(email=account["email"])
    login(page, demo_live_server, account["email"])
    page.wait_for_url(f"{demo_live_server.url}/")
    violations = []
    for path in key_pages(user):
        page.goto(demo_live_server.url + path)
        violations += axe_violations(page)
    # A form with errors: the password change, sent empty.
    page.goto(demo_live_server.url + "/mot-de-passe/changer/")
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector("#erreurs-formulaire")
    violations += axe_violations(page)
    # The two-factor enrolment page (QR code).
    page.goto(demo_live_server.url + "/connexion/double-authentification/")
    violations += axe_violations(page)
    assert violations == [], "\n".join(violations)


def test_keyboard_only_form_with_errors_and_visible_focus(page, demo_live_server):
    """Tab to the login form, send it empty with Enter, follow the error summary's link to the
    field, type there: all without the mouse, the focus always visible."""
    from playwright.sync_api import expect

    page.goto(demo_live_server.url + "/connexion/")
    # The e-mail field has the focus on arrival; Tab reaches the password field, then Enter sends
    # the form empty.
    assert page.evaluate("document.activeElement.id") == "id_username"
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "id_password":
            break
    assert page.evaluate("document.activeElement.id") == "id_password"
    outline = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, s.outlineWidth, s.boxShadow]; })()"
    )
    assert outline[0] != "none" or outline[2] != "none", outline
    page.keyboard.press("Enter")
    summary = page.locator("#erreurs-formulaire")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Adresse e-mail")
    # Follow the summary's first link with the keyboard: the focus lands on the field in error.
    link = summary.get_by_role("link").first
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'id_username'")
    field = page.locator("#id_username")
    assert field.get_attribute("aria-invalid") == "true"
    described = field.get_attribute("aria-describedby") or ""
    assert described, "the field names its error message"
    focus = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement); return [s.outlineStyle, s.boxShadow]; })()"
    )
    assert focus[0] != "none" or focus[1] != "none", focus
    page.keyboard.type("dpid@demo.rsa62.test")
    page.keyboard.press("Tab")
    from portal.core.demo import DEMO_PASSWORD

    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Bonjour Agnès")).to_be_visible()


AAP_FINANCEMENT_ROLES = ["responsable", "slai", "dpid", "pilotage"]


def aap_and_financement_pages(user):
    """Calls for projects and funding, as each role opens them: the calls, a call and one of its
    fiches, an application draft, the instruction queue and an application; the budget lines,
    deliberation 2024-587 and a convention. Only what the role may open (the scoping decides)."""
    from django.urls import reverse

    from aap import perms
    from aap.enums import EtatCandidature
    from aap.models import AppelAProjets, Candidature, Dispositif
    from financement.models import Bilan, Convention, Deliberation, LigneBudgetaire

    pages = [reverse("aap:home")]
    appel = AppelAProjets.objects.visible_to(user).order_by("-annee", "pk").first()
    if appel:
        pages.append(reverse("aap:appel_detail", args=[appel.pk]))
        dispositif = Dispositif.objects.filter(appel=appel).order_by("pk").first()
        if dispositif:
            pages.append(reverse("aap:dispositif_detail", args=[dispositif.pk]))
    candidatures = Candidature.objects.visible_to(user)
    draft = candidatures.filter(etat=EtatCandidature.BROUILLON).order_by("pk").first()
    if draft and perms.can_act_as_structure(user, draft):
        pages += [
            reverse("aap:candidature_projet", args=[draft.pk]),
            reverse("aap:candidature_budget", args=[draft.pk]),
            reverse("aap:candidature_personnel", args=[draft.pk]),
            reverse("aap:candidature_pieces", args=[draft.pk]),
        ]
    if not user.scope.is_structure_member:
        pages.append(reverse("aap:file"))
    deposee = candidatures.exclude(etat=EtatCandidature.BROUILLON).order_by("pk").first()
    if deposee:
        pages.append(reverse("aap:candidature_detail", args=[deposee.pk]))
    if LigneBudgetaire.objects.visible_to(user).exists():
        pages.append(reverse("financement:lignes"))
    if Deliberation.objects.visible_to(user).filter(numero="2024-587").exists():
        pages.append(reverse("financement:deliberation_detail", args=["2024-587"]))
    if user.scope.sees_departement or user.scope.is_structure_member:
        pages.append(reverse("financement:convention_list"))
    convention = Convention.objects.visible_to(user).order_by("pk").first()
    if convention:
        pages.append(reverse("financement:convention_detail", args=[convention.pk]))
    bilan = Bilan.objects.visible_to(user).order_by("pk").first()
    if bilan:
        pages += [reverse("financement:bilan_list"), bilan.get_absolute_url()]
    if user.scope.is_dpid:
        pages += [reverse("financement:session_create"), reverse("label:rapport_annuel")]
    return pages


@pytest.mark.parametrize("who", AAP_FINANCEMENT_ROLES)
def test_calls_for_projects_and_funding_pages(page, demo_live_server, who):
    from portal.accounts.models import User

    email = f"{who}@demo.rsa62.test"
    user = User.objects.get(email=email)
    login(page, demo_live_server, email)
    page.wait_for_url(f"{demo_live_server.url}/")
    pages = aap_and_financement_pages(user)
    expected = {
        "responsable": ["/aap/candidatures/", "/budget/", "/conventions/", "/financement/bilans/"],
        "slai": ["/aap/file/", "/aap/candidatures/"],
        "dpid": [
            "/aap/file/",
            "/aap/candidatures/",
            "/financement/deliberations/2024-587/",
            r"/conventions/\d+/",
            r"/bilans/\d+/",
            "/seances/nouvelle/",
            "/rapport-annuel/",
        ],
        "pilotage": ["/financement/deliberations/2024-587/", r"/conventions/\d+/"],
    }[who]
    for fragment in expected:  # the role's key pages are there: the check is not vacuous
        assert any(re.search(fragment, path) for path in pages), (fragment, pages)
    violations = []
    for path in pages:
        response = page.goto(demo_live_server.url + path)
        assert response.status == 200, (path, response.status)
        violations += axe_violations(page)
    if who == "responsable":
        # The application's project form, sent with errors.
        draft_form = next(path for path in pages if path.endswith("/projet/"))
        page.goto(demo_live_server.url + draft_form)
        form = page.locator("main form").first
        form.locator("input[name=date_debut]").fill("2026-06-01")
        form.locator("input[name=date_fin]").fill("2026-01-01")
        form.locator("button[type=submit]").first.click()
        page.wait_for_selector("#erreurs-formulaire")
        violations += axe_violations(page)
    assert violations == [], "\n".join(violations)
