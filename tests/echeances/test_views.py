import datetime
import html

import time_machine
from django.urls import reverse

from portal.echeances.models import EcheanceManuelle, Notification, PreferenceNotification
from portal.echeances.services import notify

TODAY = datetime.datetime(2026, 11, 25, 9, tzinfo=datetime.UTC)


@time_machine.travel(TODAY)
def test_slai_sets_a_deadline_for_a_structure_of_its_territory(client_for, world):
    client = client_for("slai")
    data = {
        "structure": world.structure_a.pk,
        "titre": "Bilan final",
        "description": "",
        "date_echeance": "2027-03-31",
    }
    response = client.post(reverse("echeances:create"), data)
    echeance = EcheanceManuelle.objects.get(titre="Bilan final", created_by=world.user("slai"))
    assert response["Location"] == reverse("echeances:detail", args=[echeance.pk])
    assert echeance.created_by == world.user("slai")
    # Another territory's structure is not offered, and a forged value is refused.
    data["structure"] = world.structure_b.pk
    response = client.post(reverse("echeances:create"), data)
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert EcheanceManuelle.objects.filter(created_by=world.user("slai")).count() == 1


@time_machine.travel(TODAY)
def test_deadline_form_errors_keep_input(client_for, world):
    data = {
        "structure": world.structure_a.pk,
        "titre": "Bilan final",
        "description": "",
        "date_echeance": "2026-11-24",
    }
    response = client_for("dpid").post(reverse("echeances:create"), data)
    content = html.unescape(response.content.decode())
    assert "La date d'échéance ne peut pas être déjà passée." in content
    assert 'value="Bilan final"' in content
    assert not EcheanceManuelle.objects.exclude(pk=world.echeance_a.pk).exists()


def test_mark_done_rights(client_for, world):
    echeance = EcheanceManuelle.objects.create(
        structure=world.structure_a, titre="Rapport", date_echeance=datetime.date(2027, 1, 10)
    )
    url = reverse("echeances:mark_done", args=[echeance.pk])
    assert client_for("manager").post(url).status_code == 403
    assert client_for("slai").post(url).status_code == 403  # not its own deadline
    other = EcheanceManuelle.objects.create(
        structure=world.structure_b, titre="Autre", date_echeance=datetime.date(2027, 1, 10)
    )
    assert client_for("responsable").post(reverse("echeances:mark_done", args=[other.pk])).status_code == 404
    response = client_for("referent").post(url, follow=True)
    assert "plus aucun rappel ne sera envoyé" in response.content.decode()
    echeance.refresh_from_db()
    assert echeance.done_by == world.user("referent")
    response = client_for("responsable").post(url, follow=True)
    assert "Action déjà effectuée." in response.content.decode()


def test_notifications_are_private_and_marked_read_when_opened(client_for, world):
    own = notify(recipient=world.user("responsable"), title="Pour vous", body="…", url="/echeances/", email=False)
    other = notify(recipient=world.user("dpid"), title="Pour la DPID", body="…", email=False)
    client = client_for("responsable")
    page = client.get(reverse("echeances:notifications")).content.decode()
    assert "Pour vous" in page and "Pour la DPID" not in page
    assert "Non lue" in page
    assert client.post(reverse("echeances:notification_open", args=[other.pk])).status_code == 404
    response = client.post(reverse("echeances:notification_open", args=[own.pk]))
    assert response["Location"] == "/echeances/"
    own.refresh_from_db()
    assert own.read_at is not None
    other.refresh_from_db()
    assert other.read_at is None


def test_unread_count_on_every_page(client_for, world):
    for i in range(3):
        notify(recipient=world.user("slai"), title=f"N{i}", body="…", email=False)
    assert Notification.objects.filter(recipient=world.user("slai")).count() == 3
    page = client_for("slai").get(reverse("referentiels:territoire_list")).content.decode()
    assert '3<span class="visually-hidden"> non lues</span>' in page
    client_for("slai").post(reverse("echeances:notification_read_all"))
    assert Notification.objects.filter(recipient=world.user("slai")).unread().count() == 0


def test_open_never_redirects_off_site(client_for, world):
    notification = notify(
        recipient=world.user("dpid"), title="x", body="…", url="https://exemple.invalid/", email=False
    )
    response = client_for("dpid").post(reverse("echeances:notification_open", args=[notification.pk]))
    assert response["Location"] == reverse("echeances:notifications")


def test_choose_the_daily_digest(client_for, world):
    client_for("referent").post(reverse("echeances:preferences"), {"resume_quotidien": "on"})
    assert PreferenceNotification.objects.get(user=world.user("referent")).resume_quotidien is True
