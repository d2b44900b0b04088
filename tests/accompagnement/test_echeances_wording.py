"""A deadline says the rule of the person's own kind of accompaniment: an équilibré CER is not
"2 mois en référent solidarité"."""

import datetime

from django.urls import reverse

from accompagnement.models import TypeAccompagnement
from portal.echeances.models import Notification
from portal.echeances.services import items_for, reminders_send_due
from tests.accompagnement.test_echeances import CER, RDV, at


def make_equilibre(orientation, *, cer_months=2, rdv_days=15, cer_days=None):
    """An équilibré orientation; by default with a CER delay in months (the wording of a delay in
    days, the seed's 15-day accueil phase, is tested in test_equilibre_cerp.py)."""
    kind = TypeAccompagnement.objects.get(code="equilibre")
    kind.delai_cer_mois, kind.delai_premier_rdv_jours, kind.delai_cer_jours = cer_months, rdv_days, cer_days
    kind.save()
    orientation.type_accompagnement = kind
    for field, value in kind.date_limits(orientation.date_orientation).items():
        setattr(orientation, field, value)
    orientation.save()
    return orientation


def rules(user, code, today):
    return {item.obj.pk: item.rule for item in items_for(user, today=today) if item.echeance.code == code}


def test_each_cer_deadline_says_its_own_kind(world):
    make_equilibre(world.orientation_a)
    by_orientation = rules(world.user("responsable"), CER, datetime.date(2026, 11, 20))
    assert by_orientation[world.orientation_a.pk] == (
        "CER à signer dans les 2 mois suivant l'orientation (accompagnement équilibré social-professionnel)"
    )
    assert by_orientation[world.orientation_a2.pk] == (
        "CER à signer dans les 2 mois suivant l'orientation (référent solidarité)"
    )


def test_the_rule_follows_the_delay_the_orientation_started_with(world):
    make_equilibre(world.orientation_a, cer_months=1, rdv_days=21)
    today = datetime.date(2026, 10, 20)
    assert rules(world.user("referent"), CER, today)[world.orientation_a.pk] == (
        "CER à signer dans le mois suivant l'orientation (accompagnement équilibré social-professionnel)"
    )
    assert rules(world.user("referent"), RDV, today)[world.orientation_a.pk] == (
        "Premier rendez-vous dans les 21 jours suivant l'orientation (accompagnement équilibré social-professionnel)"
    )
    # Changing the kind's setting later does not rewrite this person's deadline nor its wording.
    TypeAccompagnement.objects.filter(code="equilibre").update(delai_cer_mois=3)
    assert "dans le mois suivant" in rules(world.user("referent"), CER, today)[world.orientation_a.pk]


def test_the_deadlines_page_and_the_reminder_say_the_kind(world, client_for, django_capture_on_commit_callbacks):
    make_equilibre(world.orientation_a)
    with at(datetime.date(2026, 11, 20)):
        page = client_for("referent").get(reverse("echeances:list")).content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            reminders_send_due()
    assert "dans les 2 mois suivant l&#x27;orientation (accompagnement équilibré social-professionnel)" in page
    assert "en référent solidarité" not in page
    notification = Notification.objects.get(recipient=world.user("referent"), title__contains="CER à signer")
    assert notification.body.startswith(
        "CER à signer dans les 2 mois suivant l'orientation (accompagnement équilibré social-professionnel)."
    )
    assert "accompagnement équilibré" in notification.reason
