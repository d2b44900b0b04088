"""The audit journal reads in French, keeps long fingerprints inside the page, and records the
address of writes made by services the view calls without passing the request."""

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from label import services
from label.models import DemandeLabel
from portal.audit.enums import Action
from portal.audit.models import AuditEntry
from portal.audit.services import access_record
from tests.label.factories import at, clear_label_records, draft_ready, ready_to_decide


@pytest.fixture
def deposited(world, client_for):
    """Structure A's responsable submits a request through the page, from 10.9.8.7."""
    clear_label_records()
    with at(datetime.date(2026, 3, 2)):
        demande = draft_ready(world.structure_a, world.user("responsable"))
        response = client_for("responsable").post(
            reverse("label:demande_deposer", args=[demande.pk]), REMOTE_ADDR="10.9.8.7", HTTP_USER_AGENT="Test/1.0"
        )
    assert response.status_code == 302
    return demande


def transition_entries(demande):
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(DemandeLabel), object_id=str(demande.pk), detail__contains="("
    )


def test_a_write_through_a_service_records_the_address(deposited):
    """`demande_deposer` is called without the request: the middleware gives its address."""
    [entry] = transition_entries(deposited)
    assert entry.action == Action.MODIFICATION
    assert entry.ip == "10.9.8.7"
    assert entry.user_agent == "Test/1.0"
    assert entry.path == reverse("label:demande_deposer", args=[deposited.pk])


def test_the_request_is_forgotten_after_the_response(deposited, world):
    """A command or a worker after the request records no address (nothing leaks between requests)."""
    entry = access_record(user=world.user("dpid"), obj=world.referent_a, action=Action.LECTURE)
    assert entry.ip is None
    assert entry.path == ""


def test_transitions_read_in_french_in_the_journal(deposited, client_for):
    [entry] = transition_entries(deposited)
    assert entry.detail == "Demande déposée (état précédent : brouillon)"
    page = client_for("admin").get(reverse("audit:entry_list")).content.decode()
    assert "Demande déposée (état précédent : brouillon)" in page
    assert "deposer" not in page
    assert "→" not in page
    assert "10.9.8.7" in page


def test_a_decision_reads_label_accorde(world):
    clear_label_records()
    with at(datetime.date(2026, 3, 2)):
        demande = ready_to_decide(world)
        services.demande_accorder(demande=demande, user=world.user("dpid"), motifs="Les deux critères sont remplis.")
    details = list(transition_entries(demande).order_by("pk").values_list("detail", flat=True))
    assert details[-1] == "Label accordé (état précédent : avis confirmé avec le SLAI)"
    assert details[1] == "Demande évaluée par la DPID (état précédent : déposée)"


def test_long_fingerprints_wrap_inside_their_cell(world, client_for):
    sha = "a" * 64
    access_record(
        user=world.user("dpid"), obj=world.structure_a, action=Action.MODIFICATION, detail=f"Émis, SHA-256 {sha}"
    )
    page = client_for("admin").get(reverse("audit:entry_list")).content.decode()
    assert f'<td class="wrap-anywhere">Émis, SHA-256 {sha}</td>' in page
    css = (Path(settings.BASE_DIR) / "static" / "css" / "portal.css").read_text()
    assert ".wrap-anywhere { overflow-wrap: anywhere;" in css
