"""Interviews, absences and CERs: what they change in the caseload's next steps."""

import datetime
import html

import time_machine
from django.urls import reverse

from accompagnement.models import Cer, Entretien, ProcedureSuspension, TypeAccompagnement
from accompagnement.selectors import next_steps
from portal.audit.models import AuditEntry

TODAY = datetime.datetime(2026, 11, 25, 9, tzinfo=datetime.UTC)


def steps(orientation):
    orientation.refresh_from_db()
    return [(s.label, s.due) for s in next_steps(orientation, datetime.date(2026, 11, 25))]


def entretien_post(**overrides):
    data = {"date": "2026-10-08", "mode": "physique", "nature": "premier", "presence": "present", "note": ""}
    data.update(overrides)
    return data


def cer_post(**overrides):
    data = {
        "type": "solidarite",
        "date_edition": "2026-10-16",
        "date_debut": "2026-10-16",
        "date_fin": "2027-04-14",
        "remarque": "Logement d'abord, puis reprise de contact avec la mission locale.",
        "signe_le": "2026-10-16",
        "actions-TOTAL_FORMS": "3",
        "actions-INITIAL_FORMS": "0",
        "actions-MIN_NUM_FORMS": "0",
        "actions-MAX_NUM_FORMS": "1000",
        "actions-0-intitule": "Demande de logement social",
        "actions-0-date_debut": "2026-10-16",
        "actions-0-date_fin": "2026-12-31",
        "actions-0-detail": "Dossier déposé auprès du bailleur.",
    }
    data.update(overrides)
    return data


@time_machine.travel(TODAY)
def test_first_interview_then_cer_move_the_next_steps(client_for, world):
    orientation = world.orientation_a  # oriented 1 October 2026, référent solidarité
    orientation.type_accompagnement = TypeAccompagnement.objects.get(code="equilibre")
    orientation.save()
    assert steps(orientation) == [
        ("Premier rendez-vous", datetime.date(2026, 10, 16)),
        ("CER à signer", datetime.date(2026, 12, 1)),
    ]
    client = client_for("referent")
    client.post(reverse("accompagnement:entretien_create", args=[orientation.pk]), entretien_post())
    assert steps(orientation) == [("CER à signer", datetime.date(2026, 12, 1))]
    response = client.post(reverse("accompagnement:cer_create", args=[orientation.pk]), cer_post())
    assert response.status_code == 302
    assert steps(orientation) == [
        ("Demande de renouvellement", datetime.date(2027, 3, 16)),
        ("Bilan final", datetime.date(2027, 4, 14)),
    ]
    assert AuditEntry.objects.filter(object_id=str(orientation.beneficiaire_id), action="modification").count() == 2


@time_machine.travel(TODAY)
def test_an_unjustified_absence_opens_one_suspension_procedure(client_for, world):
    orientation = world.orientation_a
    response = client_for("referent").post(
        reverse("accompagnement:entretien_create", args=[orientation.pk]),
        entretien_post(nature="intermediaire", presence="absent"),
        follow=True,
    )
    assert "une procédure de suspension est ouverte pour le SLAI" in html.unescape(response.content.decode())
    assert ProcedureSuspension.objects.filter(entretien__orientation=orientation).count() == 1
    client_for("referent").post(
        reverse("accompagnement:entretien_create", args=[orientation.pk]), entretien_post(nature="intermediaire")
    )
    assert ProcedureSuspension.objects.count() == 1  # attending opens nothing
    page = html.unescape(
        client_for("slai")
        .get(reverse("accompagnement:beneficiaire_detail", args=[orientation.beneficiaire_id]))
        .content.decode()
    )
    assert "absence injustifiée – procédure de suspension ouverte" in page


@time_machine.travel(TODAY)
def test_interview_and_cer_errors(client_for, world):
    client = client_for("referent")
    url = reverse("accompagnement:entretien_create", args=[world.orientation_a.pk])
    content = html.unescape(client.post(url, entretien_post(date="2026-12-01")).content.decode())
    assert "la date ne peut pas être future" in content
    content = html.unescape(client.post(url, entretien_post(prochain_rdv="2026-10-01")).content.decode())
    assert "Le prochain rendez-vous suit l'entretien." in content
    assert not Entretien.objects.exists()
    cer_url = reverse("accompagnement:cer_create", args=[world.orientation_a.pk])
    content = html.unescape(client.post(cer_url, cer_post(**{"actions-0-intitule": ""})).content.decode())
    assert "Un CER comporte au moins une action." in content or "Ce champ est obligatoire." in content
    content = html.unescape(client.post(cer_url, cer_post(date_fin="2026-10-01")).content.decode())
    assert "La fin du CER suit son début." in content
    assert 'value="Demande de logement social"' in content  # what was typed is kept
    assert not Cer.objects.exclude(pk=world.cer_a.pk).exists()  # the world's own draft CER only


def test_only_the_following_referent_records(client_for, world):
    url = reverse("accompagnement:entretien_create", args=[world.orientation_a2.pk])  # a colleague's person
    assert client_for("referent").post(url, entretien_post()).status_code == 404
    assert client_for("slai").post(url, entretien_post()).status_code == 403
    assert client_for("manager").post(url, entretien_post()).status_code == 403
    assert not Entretien.objects.exists()
