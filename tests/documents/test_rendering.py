"""Real WeasyPrint renderings, read back with pypdf."""

import datetime
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from pypdf import PdfReader

from portal.documents.enums import DocumentStatus
from portal.documents.rendering import RenderError, render_pdf
from portal.documents.services import document_request
from tests.factories import ReferentFactory

TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "templates"
PARIS_9_DEC_2024 = datetime.datetime(2024, 12, 9, 10, tzinfo=datetime.UTC)


def text_of(pdf_bytes):
    reader = PdfReader(io.BytesIO(pdf_bytes))
    return [" ".join(page.extract_text().replace("\u00a0", " ").split()) for page in reader.pages]


@pytest.fixture
def test_templates(settings):
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], TEMPLATES_DIR]},
    ]


def test_french_amounts_dates_and_true_page_count(test_templates):
    context = {
        "signature": datetime.date(2024, 8, 14),
        "structure": "Pas-de-Calais Actif",
        "montant_initial": Decimal("338226.74"),
        "complement": Decimal("79850"),
        "total": Decimal("418076.74"),
        "lignes": range(120),
        "document": {"version": 1},
        "kind": {"label": "Avenant d'essai"},
    }
    pdf, pages = render_pdf("tests/montants.html", context)
    text = text_of(pdf)
    assert pages == len(text) > 1
    assert "Signé le 14 août 2024 avec Pas-de-Calais Actif." in text[0]
    assert "338 226,74 €" in text[0]
    assert "79 850,00 €" in text[0]
    assert "418 076,74 €" in text[0]
    assert f"Ce document comprend {pages} pages." in text[-1]
    for number, page in enumerate(text, start=1):
        assert f"page {number} / {pages}" in page
        assert "Département du Pas-de-Calais" in page
        assert "Avenant d'essai – version 1" in page  # the footer, unescaped


def test_rendering_refuses_external_resources(test_templates, tmp_path, settings):
    (tmp_path / "externe.html").write_text(
        '{% extends "documents/pdf/base.html" %}'
        '{% block body %}<img src="https://exemple.invalid/x.png">{% endblock %}'
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}]
    with pytest.raises(RenderError, match="Ressource externe refusée"):
        render_pdf("externe.html", {"document": {"version": 1}, "kind": {"label": "x"}})


@time_machine.travel(PARIS_9_DEC_2024)
def test_structure_sheet_end_to_end(world, django_capture_on_commit_callbacks, media_root):
    ReferentFactory.create_batch(70, structure=world.structure_b, etp=Decimal("0.8"))
    with django_capture_on_commit_callbacks(execute=True):
        document = document_request(owner=world.structure_b, kind_code="fiche_structure", user=world.user("dpid"))
    document.refresh_from_db()
    assert document.status == DocumentStatus.PRET
    pdf = Path(media_root, document.file.name).read_bytes()
    text = text_of(pdf)
    assert document.page_count == len(text) >= 2
    assert "Établie le 9 décembre 2024." in text[0]
    assert "0,80" in text[0]
    assert f"Ce document comprend {document.page_count} pages." in text[-1]
    assert re.fullmatch(r"[0-9a-f]{64}", document.sha256)
    assert document.filename == "fiche-structure-structure-b-v1.pdf"
    # No temporary file is left next to the document.
    assert [p.name for p in Path(media_root, document.file.name).parent.iterdir()] == [Path(document.file.name).name]


def test_same_inputs_give_the_same_hash(world, django_capture_on_commit_callbacks):
    dpid = world.user("dpid")
    with time_machine.travel(PARIS_9_DEC_2024), django_capture_on_commit_callbacks(execute=True):
        first = document_request(owner=world.structure_b, kind_code="attestation_partenariat", user=dpid)
    first.refresh_from_db()
    hash_before = first.sha256
    # A decision draft is re-rendered in place: same day, same data, same bytes.
    with time_machine.travel(PARIS_9_DEC_2024), django_capture_on_commit_callbacks(execute=True):
        again = document_request(owner=world.structure_b, kind_code="attestation_partenariat", user=dpid)
    again.refresh_from_db()
    assert again.pk == first.pk
    assert again.sha256 == hash_before
