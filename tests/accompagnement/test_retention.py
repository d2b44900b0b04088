"""Retention: archived 24 months after the last exit, deleted at 60, by batches; dry run by default."""

import datetime
import os
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accompagnement import retention
from accompagnement.models import (
    ActiviteHebdomadaire,
    Beneficiaire,
    Cer,
    CerAction,
    DemandeRenouvellement,
    DemandeReorientation,
    Diagnostic,
    Entretien,
    Orientation,
    Prescription,
    ProcedureSuspension,
    Sortie,
    TypeAccompagnement,
)
from accompagnement.tasks import retention_run
from portal.audit.enums import Action
from portal.audit.models import AuditEntry
from portal.audit.services import access_record
from portal.core.dates import add_months
from portal.documents.enums import DocumentStatus
from portal.documents.models import GeneratedDocument
from portal.echeances.models import Notification, Rappel

PARIS = ZoneInfo("Europe/Paris")


def at(day, hour=3, minute=0):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=PARIS), tick=False)


def person(world, caf, *, exits=(), active_since=None, full=False):
    """A person with one ended orientation per exit date (and an active one if asked)."""
    kind = TypeAccompagnement.objects.get(code="solidarite")
    beneficiaire = Beneficiaire.objects.create(
        numero_caf=caf,
        nom=f"Nom{caf}",
        prenom="Ancien",
        date_naissance=datetime.date(1975, 3, 2),
        sexe="F",
        code_postal="62000",
        commune="Arras",
        territoire=world.territoire_a,
    )
    dates = [(add_months(end, -8), end) for end in exits]
    if active_since:
        dates.append((active_since, None))
    for start, end in dates:
        orientation = Orientation.objects.create(
            beneficiaire=beneficiaire,
            structure=world.structure_a,
            type_accompagnement=kind,
            date_orientation=start,
            referent=world.referent_a,
            date_affectation=start,
            date_fin=end,
            source="saisie",
            **kind.date_limits(start),
        )
        if end:
            Sortie.objects.create(orientation=orientation, date=end, motif="cdi")
        if full:
            fill(orientation, start)
    return beneficiaire


def fill(orientation, start):
    entretien = Entretien.objects.create(
        orientation=orientation, date=start, mode="physique", nature="premier", presence="absent", note="Note."
    )
    ProcedureSuspension.objects.create(entretien=entretien, ouverte_le=start)
    diagnostic = Diagnostic.objects.create(orientation=orientation, date=start, moment="final", synthese="Synthèse.")
    cer = Cer.objects.create(
        orientation=orientation,
        type="solidarite",
        date_edition=start,
        date_debut=start,
        date_fin=add_months(start, 6),
        remarque="Remarque.",
        signe_le=start,
        cloture_le=add_months(start, 6),
        diagnostic_cloture=diagnostic,  # protects the diagnostic: deleted after the CER
    )
    CerAction.objects.create(cer=cer, intitule="Atelier", date_debut=start, date_fin=start, detail="Détail.")
    DemandeRenouvellement.objects.create(cer=cer, date_demande=start, argumentaire="Suite.")
    Prescription.objects.create(
        orientation=orientation, date=start, action="Chantier", organisme="X", argumentaire="."
    )
    DemandeReorientation.objects.create(
        orientation=orientation, date_demande=start, type_souhaite=orientation.type_accompagnement, argumentaire="."
    )
    ActiviteHebdomadaire.objects.create(orientation=orientation, semaine=start, heures="15")
    document = GeneratedDocument.objects.create(
        content_type=ContentType.objects.get_for_model(Cer),
        object_id=cer.pk,
        kind="cer",
        date_document=start,
        status=DocumentStatus.PRET,
        filename="cer.pdf",
        sha256="0" * 64,
        page_count=1,
    )
    document.file.save("cer.pdf", ContentFile(b"%PDF-1.7 CER"))
    rappel = Rappel.objects.create(
        code="accompagnement_cer_2_mois",
        content_type=ContentType.objects.get_for_model(Orientation),
        object_id=orientation.pk,
        recipient=orientation.referent.user,
        offset_days=0,
        due_date=start,
    )
    Notification.objects.create(
        recipient=orientation.referent.user, title="CER à signer – Ancien", body=".", rappel=rappel
    )
    return document


def plan_cafs(today):
    plan = retention.retention_plan(today=today)
    return (
        list(plan.to_archive.values_list("numero_caf", flat=True)),
        list(plan.to_purge.values_list("numero_caf", flat=True)),
    )


def test_archived_exactly_24_months_after_the_exit(world):
    person(world, "2000001", exits=[datetime.date(2024, 8, 31)])
    person(world, "2000002", exits=[datetime.date(2024, 2, 29)])  # 24 months later: 28 February 2026
    with at(datetime.date(2026, 2, 27), 23, 59):
        assert retention_run.delay().get() == {"archived": 0, "purged": 0, "restored": 0}
    with at(datetime.date(2026, 2, 28), 0, 0):
        assert retention_run.delay().get() == {"archived": 1, "purged": 0, "restored": 0}
    assert Beneficiaire.objects.get(numero_caf="2000002").archive_le == datetime.date(2026, 2, 28)
    with at(datetime.date(2026, 8, 30), 23, 59):
        assert retention_run.delay().get()["archived"] == 0
    assert plan_cafs(datetime.date(2026, 8, 31)) == (["2000001"], [])
    with at(datetime.date(2026, 8, 31), 0, 0):
        assert retention_run.delay().get()["archived"] == 1
    entry = AuditEntry.objects.filter(action=Action.MODIFICATION, user__isnull=True).first()
    assert entry.detail.startswith("Dossier archivé au terme de la durée de conservation")


def test_archived_records_are_the_dpids_alone(client_for, world):
    archived = person(world, "2000003", exits=[datetime.date(2023, 1, 15)])
    retention.retention_apply(today=datetime.date(2026, 1, 15))
    url = reverse("accompagnement:beneficiaire_detail", args=[archived.pk])
    assert client_for("responsable").get(url).status_code == 404
    assert client_for("slai").get(url).status_code == 404
    assert client_for("dpid").get(url).status_code == 200


def test_purged_at_60_months_with_all_the_accompaniment(world, media_root):
    gone = person(world, "2000004", exits=[datetime.date(2021, 8, 31)], full=True)
    access_record(user=world.user("referent"), obj=gone, action=Action.LECTURE)
    cer_type = ContentType.objects.get_for_model(Cer)
    path = GeneratedDocument.objects.get(content_type=cer_type).file.path
    assert os.path.exists(path)
    assert plan_cafs(datetime.date(2026, 8, 30)) == (["2000004"], [])  # archived first
    with at(datetime.date(2026, 8, 31), 0, 0):
        result = retention_run.delay().get()
    assert result == {"archived": 0, "purged": 1, "restored": 0}
    assert not Beneficiaire.objects.filter(pk=gone.pk).exists()
    for model, path in retention.PURGE_ORDER:
        assert not model.objects.filter(**{path: gone.pk}).exists(), model
    assert not Rappel.objects.exists()
    assert not GeneratedDocument.objects.filter(content_type=cer_type).exists()
    assert not Notification.objects.filter(title__contains="Ancien").exists()
    assert not os.path.exists(path)
    # The audit trail keeps its entries and says what was purged, without personal data.
    entries = AuditEntry.objects.filter(object_id=str(gone.pk), content_type__model="beneficiaire")
    assert [e.action for e in entries.order_by("pk")] == [Action.LECTURE, Action.SUPPRESSION]
    final = entries.get(action=Action.SUPPRESSION)
    assert final.object_repr == f"Bénéficiaire n° {gone.pk}"
    assert "2000004" not in final.detail and "Ancien" not in final.detail
    assert final.detail == (
        "Dossier supprimé au terme de la durée de conservation : 1 orientation, 1 sortie, 1 activité hebdomadaire, "
        "1 demande de réorientation, 1 fiche de prescription, 1 diagnostic, 1 CER, 1 demande de renouvellement, "
        "1 action du CER, 1 entretien, 1 procédure de suspension."
    )
    # The world's people, in accompaniment, are untouched.
    assert Beneficiaire.objects.count() == Orientation.objects.count() == 3
    assert Cer.objects.filter(orientation=world.orientation_a).exists()


def test_people_re_oriented_or_with_a_recent_exit_are_kept(world):
    person(world, "2000005", exits=[datetime.date(2019, 1, 1)], active_since=datetime.date(2026, 1, 5))
    person(world, "2000006", exits=[datetime.date(2019, 1, 1), datetime.date(2025, 6, 30)])  # last exit counts
    never = Beneficiaire.objects.create(
        numero_caf="2000007",
        nom="Jamais",
        prenom="Orientée",
        date_naissance=datetime.date(1970, 1, 1),
        sexe="M",
        code_postal="62000",
        commune="Arras",
        territoire=world.territoire_a,
    )
    assert plan_cafs(datetime.date(2026, 11, 30)) == ([], [])
    retention.retention_apply(today=datetime.date(2026, 11, 30))
    assert Beneficiaire.objects.filter(archive_le__isnull=False).count() == 0
    assert Beneficiaire.objects.filter(pk=never.pk).exists()


def test_archived_then_oriented_again_comes_back(world):
    back = person(world, "2000008", exits=[datetime.date(2023, 1, 15)])
    retention.retention_apply(today=datetime.date(2026, 1, 15))
    back.refresh_from_db()
    assert back.archive_le == datetime.date(2026, 1, 15)
    kind = TypeAccompagnement.objects.get(code="solidarite")
    Orientation.objects.create(
        beneficiaire=back,
        structure=world.structure_a,
        type_accompagnement=kind,
        date_orientation=datetime.date(2026, 2, 1),
        source="saisie",
        **kind.date_limits(datetime.date(2026, 2, 1)),
    )
    assert retention.retention_apply(today=datetime.date(2026, 2, 8)).restored == 1
    back.refresh_from_db()
    assert back.archive_le is None


def test_command_is_a_dry_run_by_default(world):
    person(world, "2000009", exits=[datetime.date(2024, 1, 10)])
    person(world, "2000010", exits=[datetime.date(2020, 1, 10)], full=True)
    before = (list(Beneficiaire.objects.values()), AuditEntry.objects.count(), Cer.objects.count())
    out = StringIO()
    call_command("purge_accompagnement", "--date", "2026-11-30", stdout=out)
    report = out.getvalue()
    assert "À archiver (dernière sortie au plus tard le 30 novembre 2024, 24 mois) : 1 dossier" in report
    assert "À supprimer (dernière sortie au plus tard le 30 novembre 2021, 60 mois) : 1 dossier" in report
    assert "- N° CAF 2000009" in report and "- N° CAF 2000010" in report
    assert "rien n'a été modifié" in report
    assert (list(Beneficiaire.objects.values()), AuditEntry.objects.count(), Cer.objects.count()) == before


def test_wet_run_twice_is_idempotent(world):
    person(world, "2000011", exits=[datetime.date(2024, 1, 10)])
    person(world, "2000012", exits=[datetime.date(2020, 1, 10)], full=True)
    out = StringIO()
    call_command("purge_accompagnement", "--date", "2026-11-30", "--wet-run", stdout=out)
    assert "1 dossier archivé, 1 dossier supprimé" in out.getvalue()
    state = (list(Beneficiaire.objects.values()), AuditEntry.objects.count())
    out = StringIO()
    call_command("purge_accompagnement", "--date", "2026-11-30", "--wet-run", stdout=out)
    assert "0 dossier archivé, 0 dossier supprimé" in out.getvalue()
    assert (list(Beneficiaire.objects.values()), AuditEntry.objects.count()) == state


def test_bad_date_is_refused(world):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Date invalide"):
        call_command("purge_accompagnement", "--date", "30/11/2026")


def test_delays_come_from_the_settings(world, settings):
    settings.ACCOMPAGNEMENT_ARCHIVAGE_MOIS = 12
    settings.ACCOMPAGNEMENT_PURGE_MOIS = 36
    person(world, "2000013", exits=[datetime.date(2025, 11, 30)])
    person(world, "2000014", exits=[datetime.date(2023, 11, 30)])
    assert plan_cafs(datetime.date(2026, 11, 30)) == (["2000013"], ["2000014"])
    settings.ACCOMPAGNEMENT_PURGE_MOIS = 6
    with pytest.raises(Exception, match="ACCOMPAGNEMENT_PURGE_MOIS"):
        retention.retention_plan(today=datetime.date(2026, 11, 30))


def _many(world, count, start):
    for n in range(count):
        person(world, f"3{start + n:06d}", exits=[datetime.date(2020, 1, 10)], full=n == 0)
        person(world, f"4{start + n:06d}", exits=[datetime.date(2024, 1, 10)])


def test_batches_take_a_bounded_number_of_queries(world, monkeypatch):
    def queries():
        with CaptureQueriesContext(connection) as context:
            result = retention.retention_apply(today=datetime.date(2026, 11, 30))
        return len(context.captured_queries), result

    _many(world, 3, 0)
    small, result = queries()
    assert (result.archived, result.purged) == (3, 3)
    _many(world, 30, 100)
    large, result = queries()
    assert (result.archived, result.purged) == (30, 30)
    assert large == small
    # Several batches: everything is processed.
    monkeypatch.setattr(retention, "BATCH_SIZE", 4)
    _many(world, 10, 200)
    assert retention.retention_apply(today=datetime.date(2026, 11, 30)).purged == 10
    assert Beneficiaire.objects.filter(archive_le__isnull=False).count() == 43


def test_retention_page_is_a_dry_run_report(client_for, world):
    person(world, "2000015", exits=[datetime.date(2024, 1, 10)])
    person(world, "2000016", exits=[datetime.date(2020, 1, 10)])
    client = client_for("dpid")
    with at(datetime.date(2026, 11, 30), 9):
        page = client.get(reverse("accompagnement:retention")).content.decode()
        assert "1 dossier à archiver (dernière sortie au plus tard le 30 novembre 2024)" in page
        assert "1 dossier à supprimer (dernière sortie au plus tard le 30 novembre 2021)" in page
        assert "2000015" in page and "2000016" not in page
        assert "10 janvier 2024" in page
        page = client.get(reverse("accompagnement:retention") + "?liste=suppression").content.decode()
        assert "2000016" in page and "2000015" not in page
    assert Beneficiaire.objects.filter(archive_le__isnull=False).count() == 0
    assert Beneficiaire.objects.filter(numero_caf="2000016").exists()


def test_retention_page_queries_are_bounded(client_for, world):
    client = client_for("dpid")

    def queries():
        with CaptureQueriesContext(connection) as context:
            response = client.get(reverse("accompagnement:retention"))
        assert response.status_code == 200
        return len(context.captured_queries)

    for n in range(3):
        person(world, f"5{n:06d}", exits=[datetime.date(2023, 1, 10)])
    small = queries()
    for n in range(3, 60):
        person(world, f"5{n:06d}", exits=[datetime.date(2023, 1, 10)])
    assert queries() == small


def test_a_wet_run_at_a_future_date_is_refused(world):
    from django.core.management.base import CommandError

    person(world, "2000041", exits=[datetime.date(2022, 1, 10)])
    with at(datetime.date(2026, 11, 30)), pytest.raises(CommandError, match="jamais à une date future"):
        call_command("purge_accompagnement", "--date", "2031-01-01", "--wet-run", stdout=StringIO())
    assert Beneficiaire.objects.filter(numero_caf="2000041").exists()
    # The same date previews fine (nothing changes).
    with at(datetime.date(2026, 11, 30)):
        call_command("purge_accompagnement", "--date", "2031-01-01", stdout=StringIO())
    assert Beneficiaire.objects.get(numero_caf="2000041").archive_le is None


def test_a_person_oriented_again_after_the_plan_was_read_is_not_purged(world):
    """The purge locks and re-checks its batch: an orientation made between the plan and the
    deletion keeps the record (and the new orientation)."""
    old = person(world, "2000042", exits=[datetime.date(2020, 1, 10)])
    plan = retention.retention_plan(today=datetime.date(2026, 11, 30))
    ids = list(plan.to_purge.values_list("pk", flat=True))
    assert ids == [old.pk]
    kind = TypeAccompagnement.objects.get(code="solidarite")
    Orientation.objects.create(
        beneficiaire=old,
        structure=world.structure_a,
        type_accompagnement=kind,
        date_orientation=datetime.date(2026, 11, 29),
        source="saisie",
        **kind.date_limits(datetime.date(2026, 11, 29)),
    )
    assert retention._purge_batch(ids, cutoff=plan.purge_cutoff) == 0
    assert old.orientations.filter(date_fin__isnull=True).count() == 1


def test_the_csv_import_reopens_an_archived_record_at_once(world):
    from accompagnement import imports

    old = person(world, "2000043", exits=[datetime.date(2023, 1, 10)])
    Beneficiaire.objects.filter(pk=old.pk).update(archive_le=datetime.date(2025, 1, 12))
    header = "numero_caf;nom;prenom;date_naissance;sexe;code_postal;commune;territoire;siret_structure;"
    header += "type_accompagnement;date_orientation\n"
    line = f"2000043;{old.nom};Ancien;02/03/1975;F;62000;Arras;Arrageois;{world.structure_a.siret};"
    line += "solidarite;20/11/2026\n"
    with at(datetime.date(2026, 11, 25), hour=10):
        report = imports.check_file((header + line).encode("utf-8"))
        assert not report.errors, report.error_messages()
        imports.apply(report, user=world.user("dpid"), partial=False)
    old.refresh_from_db()
    assert old.archive_le is None
    assert AuditEntry.objects.filter(detail__contains="désarchivé : nouvelle orientation").count() == 1
    # Visible again to the structure it was oriented to.
    from django.test import Client

    client = Client()
    client.force_login(world.user("responsable"))
    assert client.get(reverse("accompagnement:beneficiaire_detail", args=[old.pk])).status_code == 200
