import datetime

import pytest
import time_machine
from django.urls import reverse

from portal.audit.enums import Action
from portal.audit.models import AppendOnlyError, AuditEntry
from portal.audit.services import access_record


def test_reading_a_referent_record_is_traced(client_for, world):
    url = reverse("referentiels:referent_detail", args=[world.autre_referent_a.pk])
    client_for("slai").get(url, REMOTE_ADDR="10.1.2.3", HTTP_USER_AGENT="Navigateur de test")
    entry = AuditEntry.objects.get(action=Action.LECTURE)
    assert entry.user == world.user("slai")
    assert entry.action == Action.LECTURE
    assert entry.object_id == str(world.autre_referent_a.pk)
    assert entry.ip == "10.1.2.3"
    assert entry.user_agent == "Navigateur de test"
    assert entry.path == url


def test_refused_read_is_not_traced_as_a_read(client_for, world):
    client_for("slai").get(reverse("referentiels:referent_detail", args=[world.referent_b.pk]))
    assert not AuditEntry.objects.filter(action=Action.LECTURE).exists()


def test_changes_are_traced_with_changed_fields(client_for, world):
    referent = world.autre_referent_a
    data = {
        "nom": referent.nom,
        "prenom": referent.prenom,
        "email": "",
        "etp": "0,5",
        "type_accompagnement": referent.type_accompagnement,
        "date_arrivee": referent.date_arrivee.isoformat(),
        "date_depart": "2026-12-31",
    }
    client_for("responsable").post(reverse("referentiels:referent_update", args=[referent.pk]), data)
    entry = AuditEntry.objects.get(action=Action.MODIFICATION)
    assert entry.detail == "ETP, date de départ"  # the fields as the form labels them
    assert entry.user_email == "resp-a@example.test"


def test_entries_are_append_only(world):
    entry = access_record(user=world.user("dpid"), obj=world.referent_a, action=Action.LECTURE)
    entry.detail = "falsifié"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.update(detail="falsifié")
    assert AuditEntry.objects.get(pk=entry.pk).detail == ""


def test_admin_queries_by_user_object_and_date(client_for, world):
    dpid, slai = world.user("dpid"), world.user("slai")
    with time_machine.travel(datetime.datetime(2026, 3, 1, 10, tzinfo=datetime.UTC)):
        access_record(user=dpid, obj=world.referent_a, action=Action.LECTURE)
    with time_machine.travel(datetime.datetime(2026, 3, 5, 10, tzinfo=datetime.UTC)):
        access_record(user=slai, obj=world.referent_a, action=Action.LECTURE)
        access_record(user=slai, obj=world.referent_b, action=Action.MODIFICATION)
    client = client_for("admin")
    url = reverse("audit:entry_list")

    def emails(**params):
        return [e.user_email for e in client.get(url, params).context["page"].object_list]

    assert emails(user_email="slai-a") == ["slai-a@example.test"] * 2
    assert emails(object_id=str(world.referent_b.pk), action="modification") == ["slai-a@example.test"]
    assert emails(du="2026-03-01", au="2026-03-01") == ["dpid@example.test"]
    assert len(emails()) == 3


def test_date_filter_uses_paris_days(client_for, world):
    """An access at 23:30 UTC on 31 March is on 1 April in Paris (summer time)."""
    with time_machine.travel(datetime.datetime(2026, 3, 31, 23, 30, tzinfo=datetime.UTC)):
        access_record(user=world.user("dpid"), obj=world.referent_a, action=Action.LECTURE)
    client = client_for("admin")
    page = client.get(reverse("audit:entry_list"), {"du": "2026-04-01", "au": "2026-04-01"}).context["page"]
    assert len(page.object_list) == 1
    content = client.get(reverse("audit:entry_list")).content.decode()
    assert "1er avril 2026 à 01:30:00" in content
