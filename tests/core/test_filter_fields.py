"""The list filters' fields are rendered without crispy's template when plain (`filter_field`):
the markup must stay crispy's, and a wrong value must still show crispy's error."""

import re

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field

from accompagnement.forms import FileActiveFilter
from accompagnement.models import Orientation
from portal.audit.forms import AuditEntryFilter
from portal.audit.models import AuditEntry
from portal.core.templatetags.filter_fields import filter_field
from portal.referentiels.forms import ReferentFilter, StructureFilter
from portal.referentiels.models import Referent, Structure

pytestmark = pytest.mark.django_db


def compact(html):
    return re.sub(r"\s*(<|>)\s*", r"\1", re.sub(r"\s+", " ", str(html))).strip()


FILTERS = [
    (FileActiveFilter, Orientation, {"q": 'Du<pont & "fils"', "sans_referent": "on"}),
    (FileActiveFilter, Orientation, {}),
    (StructureFilter, Structure, {"nom": "x", "forme_juridique": "association"}),
    (ReferentFilter, Referent, {"actifs": "on"}),
    (AuditEntryFilter, AuditEntry, {"du": "2024-01-01"}),
]


@pytest.mark.parametrize(("filterset", "model", "data"), FILTERS)
def test_filter_fields_render_as_crispy(filterset, model, data):
    # Two forms: crispy sets the widgets' classes on the form it renders.
    ours = filterset(data, queryset=model.objects.none()).form
    crispy = filterset(data, queryset=model.objects.none()).form
    for name in ours.fields:
        assert compact(filter_field(ours[name])) == compact(as_crispy_field(crispy[name])), name


def test_a_wrong_filter_value_is_shown_as_crispy_shows_it():
    def form():
        return FileActiveFilter({"type_accompagnement": "999"}, queryset=Orientation.objects.none()).form

    html = str(filter_field(form()["type_accompagnement"]))
    assert "is-invalid" in html
    assert "invalid-feedback" in html
    assert compact(html) == compact(as_crispy_field(form()["type_accompagnement"]))
