from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import reverse


def test_favicon_ico_leads_to_the_icon_without_login(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == static("img/favicon.svg")
    path = finders.find("img/favicon.svg")
    with open(path, encoding="utf-8") as icon:
        assert icon.read().startswith("<svg")


def test_every_page_links_the_icon(client, db):
    page = client.get(reverse("accounts:login")).content.decode()
    assert f'<link rel="icon" href="{static("img/favicon.svg")}" type="image/svg+xml">' in page
