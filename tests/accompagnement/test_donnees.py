"""Export of all the data held on one person (right of access)."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

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
from portal.audit.enums import Action
from portal.audit.models import AuditEntry
from portal.audit.services import access_record


def url(orientation):
    return reverse("accompagnement:beneficiaire_export", args=[orientation.beneficiaire_id])


def fill(orientation, n=1, first=0):
    day = datetime.date(2026, 10, 5)
    for i in range(first, first + n):
        entretien = Entretien.objects.create(
            orientation=orientation, date=day, mode="physique", nature="premier", presence="absent", note=f"Note {i}"
        )
        ProcedureSuspension.objects.create(entretien=entretien, ouverte_le=day)
        cer = Cer.objects.create(
            orientation=orientation,
            type="solidarite",
            date_edition=day,
            date_debut=day - datetime.timedelta(days=i),  # one CER per start date on an accompaniment
            date_fin=datetime.date(2027, 4, 4),
            remarque="Remarque.",
            signe_le=day,
        )
        CerAction.objects.create(cer=cer, intitule=f"Atelier {i}", date_debut=day, date_fin=day, detail="Détail.")
        DemandeRenouvellement.objects.create(
            cer=cer, date_demande=day, argumentaire="Suite.", created_by=orientation.referent.user
        )
        Diagnostic.objects.create(
            orientation=orientation, date=day, moment="entree", freins=["logement"], synthese="."
        )
        Prescription.objects.create(
            orientation=orientation, date=day, action="Chantier", organisme="X", argumentaire="."
        )
        DemandeReorientation.objects.create(
            orientation=orientation,
            date_demande=day,
            type_souhaite=orientation.type_accompagnement,
            argumentaire=".",
            etat="refusee",  # one request pending at most: these were decided
            decidee_le=day,
            decidee_par=orientation.referent.user,
        )
        ActiviteHebdomadaire.objects.create(
            orientation=orientation, semaine=day + datetime.timedelta(weeks=i), heures="15.5"
        )


def test_dpid_downloads_everything_and_the_export_is_audited(client_for, world):
    orientation = world.orientation_a
    fill(orientation)
    Sortie.objects.create(orientation=orientation, date=datetime.date(2026, 11, 20), motif="cdi", commentaire="CDI.")
    access_record(user=world.user("referent"), obj=orientation.beneficiaire, action=Action.LECTURE)
    response = client_for("dpid").get(url(orientation))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="donnees-caf-1000001-')
    assert response["Cache-Control"] == "no-store"
    data = json.loads(response.content)
    assert data["beneficiaire"]["numero_caf"] == "1000001"
    assert data["beneficiaire"]["nom"] == "Aubert"
    assert data["beneficiaire"]["date_naissance"] == "1980-05-04"
    assert data["beneficiaire"]["sexe"] == "Femme"
    assert data["beneficiaire"]["territoire"] == str(world.territoire_a)
    (exported,) = data["orientations"]
    assert exported["structure"] == "Structure A"
    assert exported["referent"] == str(world.referent_a)
    assert exported["date_limite_cer"] == "2026-12-01"
    (entretien,) = exported["entretiens"]
    assert entretien["presence"] == "Absence injustifiée"
    assert entretien["procedure_suspension"]["ouverte_le"] == "2026-10-05"
    signed = [cer for cer in exported["cers"] if cer["signe_le"]]
    assert signed[0]["actions"][0]["intitule"] == "Atelier 0"
    assert signed[0]["demande_renouvellement"]["etat"] == "En attente de la décision du SLAI"
    assert exported["diagnostics"][0]["freins"] == ["logement"]
    assert exported["prescriptions"][0]["action"] == "Chantier"
    assert exported["demandes_reorientation"][0]["type_souhaite"] == str(orientation.type_accompagnement)
    assert exported["activites_hebdomadaires"][0]["heures"] == "15.5"
    assert exported["sortie"]["motif"] == "Emploi durable – CDI"
    trail = data["journal_acces"]
    assert [(e["utilisateur"], e["action"]) for e in trail] == [
        ("ref-a@example.test", "Consultation"),
        ("dpid@example.test", "Export"),  # this very export, recorded first
    ]
    entry = AuditEntry.objects.get(action=Action.EXPORT)
    assert entry.user == world.user("dpid") and entry.object_id == str(orientation.beneficiaire_id)


def test_responsable_exports_what_the_structure_holds(client_for, world):
    """A person once oriented to structure B: the responsable of A gets A's accompaniment only,
    and the audit entries of A's staff; the DPID gets both."""
    person = world.orientation_a.beneficiaire
    kind = TypeAccompagnement.objects.get(code="solidarite")
    Orientation.objects.create(
        beneficiaire=person,
        structure=world.structure_b,
        type_accompagnement=kind,
        date_orientation=datetime.date(2025, 1, 6),
        date_fin=datetime.date(2025, 9, 30),
        source="saisie",
        **kind.date_limits(datetime.date(2025, 1, 6)),
    )
    access_record(user=world.user("slai"), obj=person, action=Action.LECTURE)
    access_record(user=world.user("referent"), obj=person, action=Action.LECTURE)
    data = json.loads(client_for("responsable").get(url(world.orientation_a)).content)
    assert [o["structure"] for o in data["orientations"]] == ["Structure A"]
    assert [e["utilisateur"] for e in data["journal_acces"]] == ["ref-a@example.test", "resp-a@example.test"]
    data = json.loads(client_for("dpid").get(url(world.orientation_a)).content)
    assert [o["structure"] for o in data["orientations"]] == ["Structure B", "Structure A"]
    assert len(data["journal_acces"]) == 4


@pytest.mark.parametrize("role", ["referent", "slai", "manager"])
def test_readers_may_not_export(client_for, world, role):
    assert client_for(role).get(url(world.orientation_a)).status_code == 403
    assert not AuditEntry.objects.filter(action=Action.EXPORT).exists()


@pytest.mark.parametrize("role", ["responsable", "referent", "slai"])
def test_out_of_scope_is_not_found(client_for, world, role):
    assert client_for(role).get(url(world.orientation_b)).status_code == 404
    assert not AuditEntry.objects.filter(action=Action.EXPORT).exists()


def test_archived_records_only_by_the_dpid(client_for, world):
    Beneficiaire.objects.filter(pk=world.orientation_a.beneficiaire_id).update(archive_le=datetime.date(2026, 11, 1))
    assert client_for("responsable").get(url(world.orientation_a)).status_code == 404
    assert client_for("dpid").get(url(world.orientation_a)).status_code == 200


def test_post_is_refused(client_for, world):
    assert client_for("dpid").post(url(world.orientation_a)).status_code == 405
    assert not AuditEntry.objects.filter(action=Action.EXPORT).exists()


def test_export_takes_a_bounded_number_of_queries(client_for, world):
    client = client_for("dpid")

    def queries():
        with CaptureQueriesContext(connection) as context:
            assert client.get(url(world.orientation_a)).status_code == 200
        return len(context.captured_queries)

    fill(world.orientation_a, 1)
    small = queries()
    fill(world.orientation_a, 20, first=1)
    assert queries() == small
