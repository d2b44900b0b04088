"""Numbers as French people read them on the caseload pages: "ETP 0,80", "1 place", "0 personne"."""

import html
from decimal import Decimal

from django.urls import reverse

from accompagnement.forms import AffectationForm
from accompagnement.selectors import Load


def test_the_assignment_choices_show_the_etp_with_a_comma(client_for, world):
    referent = world.autre_referent_a
    referent.etp = Decimal("0.80")
    referent.save()
    url = reverse("accompagnement:orientation_assign", args=[world.orientation_a.pk])
    page = html.unescape(client_for("responsable").get(url).content.decode())
    assert f"{referent.nom_complet} (" in page
    assert "ETP 0,80)" in page
    assert "ETP 0.80" not in page


def test_capacities_agree_in_number(world):
    referent = world.autre_referent_a
    loads = [Load(referent=referent, places=Decimal("1"), active=0)]
    form = AffectationForm(loads=loads)
    assert form.fields["referent"].label_from_instance(referent).endswith(": 0 / 1 place")
    form = AffectationForm(loads=[Load(referent=referent, places=None, active=0)])
    assert form.fields["referent"].label_from_instance(referent).endswith(": 0 personne")
    form = AffectationForm(loads=[Load(referent=referent, places=Decimal("1500"), active=2)])
    assert form.fields["referent"].label_from_instance(referent).endswith(": 2 / 1\u00a0500 places")
