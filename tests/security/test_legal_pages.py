"""Legal and privacy pages in French, public, linked from every page's footer."""

import pytest
from django.urls import reverse

PAGES = {
    "core:mentions_legales": "Mentions légales",
    "core:donnees_personnelles": "Données personnelles",
    "core:accessibilite": "Déclaration d&#x27;accessibilité",
}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_pages_are_public_and_in_the_footer(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert f'<h1 class="h2">{PAGES[name]}</h1>' in response.content.decode().replace("'", "&#x27;")
    login = client.get(reverse("accounts:login")).content.decode()
    assert f'href="{reverse(name)}"' in login


def test_privacy_page_describes_each_processing_with_the_dpo_from_settings(client, db, settings):
    settings.PORTAL_DPO_EMAIL = "rgpd@exemple.test"
    settings.ACCOMPAGNEMENT_ARCHIVAGE_MOIS = 18
    html = client.get(reverse("core:donnees_personnelles")).content.decode()
    assert html.count('<dt class="col-sm-3">Finalité</dt>') == 4
    for heading in ("Données", "Destinataires", "Conservation"):
        assert html.count(f'<dt class="col-sm-3">{heading}</dt>') == 4
    assert "rgpd@exemple.test" in html
    assert "archivé 18 mois après" in html
    assert "droit d&#x27;accès" in html or "droit d'accès" in html
