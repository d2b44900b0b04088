"""One rule per document: the CER's PDF and its JSON export are given to the same people (the
probe found the SLAI and the manager refused the JSON but downloading the PDF)."""

import pytest
from django.urls import reverse

from portal.documents.models import GeneratedDocument
from tests.conftest import make_document


@pytest.mark.parametrize("role", ["responsable", "referent", "slai", "dpid", "manager", "admin"])
def test_cer_pdf_and_json_follow_the_same_rule(client_for, world, role):
    document = make_document(world.cer_a, "cer", world.user("responsable"))
    client = client_for(role)
    json_ok = client.get(reverse("accompagnement:cer_export_json", args=[world.cer_a.pk])).status_code == 200
    pdf_ok = client.get(reverse("documents:download", args=[document.pk])).status_code == 200
    assert pdf_ok == json_ok
    assert json_ok == (role not in ("slai", "manager"))
    # The CER page does not offer the PDF to those who may not take it.
    page = client.get(reverse("accompagnement:cer_detail", args=[world.cer_a.pk])).content.decode()
    assert (reverse("documents:download", args=[document.pk]) in page) == pdf_ok
    assert GeneratedDocument.objects.filter(kind="cer").count() == 1
