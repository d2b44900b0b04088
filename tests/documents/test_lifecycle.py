"""Requests, failures and retries, issuing and versions, downloads through the scope."""

import os
from pathlib import Path

import pytest
from django.urls import reverse

from portal.audit.models import AuditEntry
from portal.documents import rendering
from portal.documents.enums import DocumentStatus
from portal.documents.models import GeneratedDocument
from portal.documents.services import document_issue, document_request
from portal.echeances.models import Notification


@pytest.fixture
def make_document(world, django_capture_on_commit_callbacks):
    def make(kind_code="fiche_structure", owner=None, user=None):
        with django_capture_on_commit_callbacks(execute=True):
            document = document_request(
                owner=owner or world.structure_a, kind_code=kind_code, user=user or world.user("dpid")
            )
        document.refresh_from_db()
        return document

    return make


def test_request_from_the_structure_page(client_for, world, django_capture_on_commit_callbacks):
    client = client_for("responsable")
    url = reverse("documents:request", args=["fiche_structure", world.structure_a.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    document = GeneratedDocument.objects.latest("pk")
    assert response["Location"] == reverse("documents:detail", args=[document.pk])
    assert document.status == DocumentStatus.PRET
    assert document.version == world.fiche.version + 1
    notification = Notification.objects.get(recipient=world.user("responsable"))
    assert notification.title == "Document prêt : Fiche d'identité de la structure"
    page = client.get(reverse("referentiels:structure_detail", args=[world.structure_a.pk])).content.decode()
    assert reverse("documents:download", args=[document.pk]) in page


@pytest.mark.parametrize("role", ["manager", "referent", "slai"])
def test_who_cannot_ask_for_a_decision_document(client_for, world, role):
    url = reverse("documents:request", args=["attestation_partenariat", world.structure_a.pk])
    before = GeneratedDocument.objects.count()
    assert client_for(role).post(url).status_code == 403
    assert GeneratedDocument.objects.count() == before


def test_manager_reads_but_does_not_request(client_for, world):
    url = reverse("documents:request", args=["fiche_structure", world.structure_a.pk])
    assert client_for("manager").post(url).status_code == 403


def test_request_for_another_structure_is_404(client_for, world):
    url = reverse("documents:request", args=["fiche_structure", world.structure_b.pk])
    assert client_for("responsable").post(url).status_code == 404
    assert client_for("responsable").post(reverse("documents:request", args=["inconnu", 1])).status_code == 404


def test_download_of_another_structures_document_is_refused(client_for, world, make_document):
    document = make_document(owner=world.structure_b)
    url = reverse("documents:download", args=[document.pk])
    for role in ("responsable", "referent", "slai"):
        assert client_for(role).get(url).status_code == 404, role
    response = client_for("dpid").get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="fiche-structure-structure-b-v1.pdf"'
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    entry = AuditEntry.objects.get(action="telechargement", object_id=str(document.pk))
    assert entry.user_email == "dpid@example.test"


def test_decision_draft_is_seen_only_by_who_may_issue_it(client_for, world, make_document):
    draft = make_document(kind_code="attestation_partenariat", owner=world.structure_b)
    for name in ("documents:detail", "documents:download"):
        url = reverse(name, args=[draft.pk])
        assert client_for("slai").get(url).status_code == 404  # B is not on its territory
        assert client_for("dpid").get(url).status_code == 200
        url = reverse(name, args=[world.attestation_draft.pk])
        assert client_for("responsable").get(url).status_code == 404
    page = client_for("responsable").get(reverse("referentiels:structure_detail", args=[world.structure_a.pk]))
    assert "Attestation de structure partenaire" not in page.content.decode()  # A's draft
    document_issue(document=world.attestation_draft, user=world.user("dpid"))
    url = reverse("documents:download", args=[world.attestation_draft.pk])
    assert client_for("responsable").get(url).status_code == 200


def test_issued_version_is_frozen_and_a_correction_is_a_new_version(client_for, world, make_document, media_root):
    first = make_document(kind_code="attestation_partenariat", owner=world.structure_b)
    client = client_for("dpid")
    response = client.post(reverse("documents:issue", args=[first.pk]))
    assert response.status_code == 302
    first.refresh_from_db()
    frozen = (first.sha256, first.file.name, Path(media_root, first.file.name).read_bytes())
    world.structure_b.nom = "Structure B renommée"
    world.structure_b.save()
    second = make_document(kind_code="attestation_partenariat", owner=world.structure_b)
    first.refresh_from_db()
    assert second.version == 2 and second.pk != first.pk
    assert (first.sha256, first.file.name, Path(media_root, first.file.name).read_bytes()) == frozen
    assert second.sha256 != first.sha256
    # Issuing twice says so instead of failing.
    response = client.post(reverse("documents:issue", args=[first.pk]), follow=True)
    assert "Action déjà effectuée" in response.content.decode()


def test_issue_is_refused_to_a_structure(client_for, world):
    draft = world.attestation_draft
    document_issue(document=draft, user=world.user("dpid"))
    assert client_for("responsable").post(reverse("documents:issue", args=[draft.pk])).status_code == 403


def test_failure_is_retried_then_shown_with_a_retry_button(
    client_for, world, monkeypatch, django_capture_on_commit_callbacks, media_root
):
    calls = []

    def broken(*args, **kwargs):
        calls.append(1)
        raise OSError("disque plein")

    monkeypatch.setattr("portal.documents.services.render_pdf", broken)
    client = client_for("dpid")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("documents:request", args=["fiche_structure", world.structure_b.pk]))
    document = GeneratedDocument.objects.latest("pk")
    from portal.documents.tasks import MAX_RETRIES

    assert len(calls) == MAX_RETRIES + 1  # first try and every retry
    assert document.status == DocumentStatus.ECHEC
    # People read a French message; the technical detail stays in the server logs.
    assert document.error.startswith("Erreur technique pendant la production du document")
    assert not document.file
    assert not any(Path(media_root, "documents", "fiche_structure").rglob("*"))
    page = client.get(reverse("documents:detail", args=[document.pk])).content.decode()
    assert "La production du document a échoué." in page
    assert "Réessayer" in page

    monkeypatch.setattr("portal.documents.services.render_pdf", rendering.render_pdf)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("documents:retry", args=[document.pk]))
    document.refresh_from_db()
    assert response.status_code == 302
    assert document.status == DocumentStatus.PRET


def test_a_transient_failure_recovers_on_retry(world, monkeypatch, make_document):
    """The first attempt fails (network, disk); the task's retry succeeds."""
    real = rendering.render_pdf
    attempts = []

    def flaky(*args, **kwargs):
        attempts.append(1)
        if len(attempts) == 1:
            raise OSError("coupure réseau")
        return real(*args, **kwargs)

    monkeypatch.setattr("portal.documents.services.render_pdf", flaky)
    document = make_document(owner=world.structure_b)
    assert document.status == DocumentStatus.PRET
    assert document.attempts == 2


def test_a_failed_write_leaves_no_half_written_file(world, monkeypatch, make_document, media_root):
    def failing_replace(src, dst):
        raise OSError("disque plein au renommage")

    monkeypatch.setattr(os, "replace", failing_replace)
    document = make_document(owner=world.structure_b)
    assert document.status == DocumentStatus.ECHEC
    leftovers = [p for p in Path(media_root, "documents", "fiche_structure").rglob("*") if p.is_file()]
    assert leftovers == []


def test_template_errors_fail_at_once(world, monkeypatch, make_document):
    calls = []

    def bad_template(*args, **kwargs):
        calls.append(1)
        raise rendering.RenderError("modèle introuvable")

    monkeypatch.setattr("portal.documents.services.render_pdf", bad_template)
    document = make_document(owner=world.structure_b)
    assert document.status == DocumentStatus.ECHEC
    assert len(calls) == 1  # retrying cannot fix a template


def test_status_endpoint(client_for, world):
    document = world.fiche
    response = client_for("slai").get(reverse("documents:status", args=[document.pk]))
    assert response.json() == {"status": "pret", "label": "Prêt"}


def test_a_job_whose_worker_died_can_be_requested_again(world, make_document, settings):
    """A document stuck "en cours" longer than any task may run is rendered again on request."""
    import datetime

    import time_machine

    stuck = make_document(owner=world.structure_b)
    GeneratedDocument.objects.filter(pk=stuck.pk).update(status=DocumentStatus.EN_COURS)
    later = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 120)
    with time_machine.travel(later):
        GeneratedDocument.objects.filter(pk=stuck.pk).update(started_at=datetime.datetime.now(tz=datetime.UTC))
    # Still running recently: a new request waits for it.
    again = make_document(owner=world.structure_b)
    assert again.pk == stuck.pk and again.status == DocumentStatus.EN_COURS
    with time_machine.travel(later + datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 120)):
        again = make_document(owner=world.structure_b)
    assert again.pk == stuck.pk
    assert again.status == DocumentStatus.PRET


def test_two_first_requests_at_once_give_one_document(world, monkeypatch):
    """Nothing can be locked before version 1 exists: the unique constraint decides. Here the
    other request inserted version 1 between our read and our insert."""
    from django.contrib.contenttypes.models import ContentType

    from portal.documents import services
    from portal.documents.models import GeneratedDocumentQuerySet

    theirs = GeneratedDocument.objects.create(
        content_type=ContentType.objects.get_for_model(world.structure_b),
        object_id=world.structure_b.pk,
        kind="fiche_structure",
        version=1,
        date_document="2026-11-25",
    )
    real_first = GeneratedDocumentQuerySet.first
    reads = []

    def stale_first_read(queryset):
        reads.append(1)
        return None if len(reads) == 1 else real_first(queryset)

    monkeypatch.setattr(GeneratedDocumentQuerySet, "first", stale_first_read)
    monkeypatch.setattr("portal.documents.tasks.render_document.delay_on_commit", lambda pk: None)
    document = services.document_request(owner=world.structure_b, kind_code="fiche_structure", user=world.user("dpid"))
    monkeypatch.undo()
    assert document.pk == theirs.pk
    assert GeneratedDocument.objects.filter(object_id=world.structure_b.pk, kind="fiche_structure").count() == 1
