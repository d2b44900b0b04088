"""Open data of subsidies (SCDL « subventions » 2.1.1), validated with frictionless against the
schema shipped in the repository."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from frictionless import Resource, Schema, validate

from financement.subventions import COLUMNS, SCHEMA_PATH

pytestmark = pytest.mark.django_db
SIRET_DEPARTEMENT = "22620001600013"


@pytest.fixture
def siret(settings):
    settings.FINANCEMENT_SIRET_DEPARTEMENT = SIRET_DEPARTEMENT


def scdl_schema():
    return Schema.from_descriptor(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


def validate_csv(directory, text):
    (directory / "subventions.csv").write_text(text, encoding="utf-8")
    return validate(Resource(path="subventions.csv", basepath=str(directory), schema=scdl_schema()))


def export(format):
    out = io.StringIO()
    call_command("export_subventions", "--format", format, stdout=out)
    return out.getvalue()


def test_csv_export_is_valid_against_the_shipped_schema(demo_deliberation, siret, tmp_path):
    text = export("csv")
    report = validate_csv(tmp_path, text)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    lines = text.splitlines()
    assert lines[0].split(",") == COLUMNS
    assert len(lines) == 3  # the convention 2024-01213 and its avenant n°1, both above 23 000 €


def test_rows_carry_the_signed_texts(demo_deliberation, siret):
    rows = json.loads(export("json"))
    assert [list(row) for row in rows] == [COLUMNS, COLUMNS]
    convention, avenant = rows
    assert convention["idAttribuant"] == SIRET_DEPARTEMENT
    assert (convention["dateConvention"], convention["montant"]) == ("2024-08-14", "338226.74")
    assert (avenant["dateConvention"], avenant["montant"], avenant["referenceDecision"]) == (
        "2025-01-15",
        "79850.00",
        "2024-587",
    )
    assert avenant["idBeneficiaire"] == "18620009300083"
    assert avenant["conditionsVersement"] == "échelonné"
    assert avenant["datesPeriodeVersement"] == "2025-01-15/2025-12-31"
    assert all(len(row["objet"]) <= 256 for row in rows)


def test_threshold_is_a_setting(demo_deliberation, siret, settings):
    settings.FINANCEMENT_SEUIL_SUBVENTIONS = 100000
    rows = json.loads(export("json"))
    assert [row["montant"] for row in rows] == ["338226.74"]


def test_json_export_is_valid_too(demo_deliberation, siret, tmp_path):
    rows = json.loads(export("json"))
    resource = Resource(data=[COLUMNS] + [[row[c] for c in COLUMNS] for row in rows], schema=scdl_schema())
    report = validate(resource)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_schema_rejects_a_bad_siret(demo_deliberation, siret, tmp_path):
    """The shipped schema does check: a 13-digit SIRET fails."""
    report = validate_csv(tmp_path, export("csv").replace(SIRET_DEPARTEMENT, SIRET_DEPARTEMENT[:-1]))
    assert not report.valid
    assert {error[1] for error in report.flatten(["rowNumber", "fieldName"])} == {"idAttribuant"}


def test_missing_siret_setting_stops_the_export(demo_deliberation, settings):
    settings.FINANCEMENT_SIRET_DEPARTEMENT = ""
    with pytest.raises(CommandError, match="SIRET du Département"):
        export("csv")


def test_dashboard_download(client, manager, demo_deliberation, siret):
    client.force_login(manager)
    response = client.get(reverse("financement:subventions_export") + "?format=csv")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="subventions-scdl-2.1.1.csv"'
    assert "Pas-de-Calais Actif" in response.content.decode()
