"""The audit trail: lists that show people and refused attempts are recorded; one person's trail
exports as CSV (right of access); on PostgreSQL the database refuses UPDATE and DELETE."""

import csv
import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.urls import reverse

from accompagnement.models import Beneficiaire
from portal.audit.enums import Action
from portal.audit.models import AuditEntry


def test_caseload_view_records_one_row_with_the_count_shown(client_for, world):
    client = client_for("responsable")
    client.get(reverse("accompagnement:caseload"))
    entries = list(AuditEntry.objects.filter(action=Action.LISTE))
    assert len(entries) == 1
    entry = entries[0]
    assert entry.user_email == "resp-a@example.test"
    assert entry.object_repr == "File active, page 1"
    assert entry.detail.startswith("2 personnes affichées")
    assert f",{world.orientation_a.beneficiaire_id}," in entry.detail
    assert f",{world.orientation_b.beneficiaire_id}," not in entry.detail
    client.get(reverse("accompagnement:caseload"))
    assert AuditEntry.objects.filter(action=Action.LISTE).count() == 2


def test_people_behind_an_indicator_are_recorded(client_for, world):
    client_for("dpid").get(reverse("accompagnement:indicateurs_personnes"), {"population": "entrees"})
    entry = AuditEntry.objects.get(action=Action.LISTE)
    assert entry.object_repr.startswith("Personnes derrière un indicateur")
    assert "personne" in entry.detail


def test_refused_attempt_on_a_record_is_recorded(client_for, world):
    """The probe: refused attempts were not recorded."""
    target = world.orientation_b.beneficiaire
    response = client_for("referent").get(reverse("accompagnement:beneficiaire_detail", args=[target.pk]))
    assert response.status_code == 404
    entry = AuditEntry.objects.get(action=Action.REFUS)
    assert entry.user_email == "ref-a@example.test"
    assert entry.object_id == str(target.pk)
    assert entry.detail == "hors du périmètre (404)"
    # A record that does not exist is a 404 without an entry about nobody.
    client_for("referent").get(reverse("accompagnement:beneficiaire_detail", args=[999999]))
    assert AuditEntry.objects.filter(action=Action.REFUS).count() == 1


def test_admin_exports_one_persons_trail_as_csv(client_for, world):
    person = world.orientation_a.beneficiaire
    client_for("referent").get(reverse("accompagnement:beneficiaire_detail", args=[person.pk]))
    client_for("responsable").get(reverse("accompagnement:caseload"))
    client_for("referent").get(
        reverse("accompagnement:beneficiaire_detail", args=[world.orientation_b.beneficiaire_id])
    )
    content_type = ContentType.objects.get_for_model(Beneficiaire)
    client = client_for("admin")
    page = client.get(reverse("accompagnement:beneficiaire_detail", args=[person.pk])).content.decode()
    assert "Journal d&#x27;accès de cette personne (CSV)" in page or "Journal d'accès de cette personne (CSV)" in page
    response = client.get(reverse("audit:entry_export"), {"content_type": content_type.pk, "object_id": person.pk})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["date et heure", "utilisateur", "rôle", "action"]
    actions = [(row[1], row[3]) for row in rows[1:]]
    assert ("ref-a@example.test", "Consultation") in actions
    assert ("resp-a@example.test", "Consultation d'une liste") in actions
    assert ("admin@example.test", "Consultation") in actions
    assert all(row[5] in (str(person.pk), "liste") for row in rows[1:])  # nobody else's entries
    # The export itself is traced.
    assert AuditEntry.objects.filter(
        action=Action.EXPORT, object_id=str(person.pk), user_email="admin@example.test"
    ).exists()
    for role in ("responsable", "referent", "slai", "dpid", "manager"):
        assert client_for(role).get(reverse("audit:entry_export")).status_code == 403


def test_model_guard_refuses_changes_everywhere(world, client_for):
    from portal.audit.models import AppendOnlyError

    client_for("referent").get(reverse("accompagnement:caseload"))
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.update(detail="effacé")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigger PostgreSQL (CI : DATABASE_URL)")
def test_postgresql_refuses_raw_update_and_delete(client_for, world):
    """The probe: a raw UPDATE succeeded."""
    from django.db import DatabaseError

    client_for("referent").get(reverse("accompagnement:caseload"))
    entry = AuditEntry.objects.first()
    for sql in (
        "UPDATE audit_auditentry SET detail = 'effacé' WHERE id = %s",
        "DELETE FROM audit_auditentry WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="ajout seul"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk, detail=entry.detail).exists()
    # Deleting an account keeps its entries (user set to NULL, the copied e-mail stays).
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET user_id = NULL WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).user_email == "ref-a@example.test"


def test_deadlines_page_naming_people_is_recorded(client_for, world):
    """The deadlines of a caseload name the people (name and N° CAF): the page is a list of
    people, recorded like the caseload."""
    client = client_for("referent")
    page = client.get(reverse("echeances:list")).content.decode()
    person = world.orientation_a.beneficiaire
    assert person.nom in page
    entry = AuditEntry.objects.get(action=Action.LISTE)
    assert entry.object_repr == "Échéances, page 1"
    assert f",{person.pk}," in entry.detail
    assert f",{world.orientation_b.beneficiaire_id}," not in entry.detail
    # A page without people (the DPID's deadlines) adds nothing.
    client_for("dpid").get(reverse("echeances:list"))
    assert AuditEntry.objects.filter(action=Action.LISTE).count() == 1


def test_refused_attempt_on_a_cer_is_recorded_on_its_person(client_for, world):
    """Not only the person's page: a CER (or any page of a person's record) out of scope is a
    refused attempt on that person, in their trail."""
    from accompagnement.models import Cer
    from portal.audit.services import entries_about

    cer = Cer.objects.filter(orientation__beneficiaire=world.orientation_b.beneficiaire).first()
    if cer is None:
        cer = Cer.objects.create(
            orientation=world.orientation_b,
            type=world.cer_a.type,
            date_edition=world.cer_a.date_edition,
            date_debut=world.cer_a.date_debut,
            date_fin=world.cer_a.date_fin,
        )
    person = world.orientation_b.beneficiaire
    for name in ("accompagnement:cer_detail", "accompagnement:cer_export_json"):
        assert client_for("referent").get(reverse(name, args=[cer.pk])).status_code == 404
    entries = list(AuditEntry.objects.filter(action=Action.REFUS).order_by("pk"))
    assert [e.detail for e in entries] == [
        f"hors du périmètre (404) : cer_detail n° {cer.pk}",
        f"hors du périmètre (404) : cer_export_json n° {cer.pk}",
    ]
    assert all(e.object_id == str(person.pk) for e in entries)
    assert len(entries_about(model=Beneficiaire, pk=person.pk).filter(action=Action.REFUS)) == 2
    # In scope, a missing object is a plain 404, recorded nowhere.
    assert client_for("referent").get(reverse("accompagnement:cer_detail", args=[999999])).status_code == 404
    # The referent's own CER opens; nothing refused.
    assert client_for("referent").get(reverse("accompagnement:cer_detail", args=[world.cer_a.pk])).status_code == 200
    assert AuditEntry.objects.filter(action=Action.REFUS).count() == 2


def test_notifications_naming_people_are_recorded(client_for, world):
    from portal.echeances.models import Notification

    person = world.orientation_a.beneficiaire
    user = world.user("referent")
    Notification.objects.create(
        recipient=user,
        title=f"CER à signer – {person}",
        body="Rappel",
        url=reverse("accompagnement:beneficiaire_detail", args=[person.pk]),
    )
    Notification.objects.create(recipient=user, title="Nouvelle version du portail", body="…", url="/")
    assert client_for("referent").get(reverse("echeances:notifications")).status_code == 200
    entry = AuditEntry.objects.get(action=Action.LISTE)
    assert entry.object_repr == "Notifications, page 1"
    assert entry.detail == f"1 personne affichée ; ids ,{person.pk},"
