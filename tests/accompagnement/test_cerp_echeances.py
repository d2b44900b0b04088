"""The self-employed accompaniment's reminders (CERP, seed 003 l. 870–925; issue 14 item 9)
through the shared deadline engine, with time frozen in Paris at their boundaries."""

import datetime

from django.core import mail

from accompagnement.models import Entretien
from portal.echeances.models import Rappel
from portal.echeances.services import items_for
from tests.accompagnement.test_echeances import at, run
from tests.accompagnement.test_equilibre_cerp import cerp, independant

D = datetime.date
DIAGNOSTIC = "accompagnement_cerp_entretiens_diagnostic"
SUIVANT = "accompagnement_cerp_suivant"
MENSUEL = "accompagnement_cerp_entretien_mensuel"
FIN = "accompagnement_cerp_fin"
SORTIE = "accompagnement_cerp_21_mois"


def sent(code):
    return sorted(Rappel.objects.filter(code=code).values_list("recipient__email", "due_date", "offset_days"))


def interview(orientation, day):
    return Entretien.objects.create(
        orientation=orientation, date=day, mode="physique", nature="intermediaire", presence="present", note=""
    )


def test_the_diagnostics_interviews_and_the_next_cerp_are_reminded_at_their_boundaries(
    world, django_capture_on_commit_callbacks
):
    o = independant(world.orientation_a)
    cerp(o, "diagnostic", D(2026, 10, 16), D(2027, 1, 15))
    # J-15 of the diagnostic's end (15 January) is 31 December: one minute before, nothing.
    with at(D(2026, 12, 30), 23, 59):
        run(django_capture_on_commit_callbacks)
    assert sent(DIAGNOSTIC) == []
    with at(D(2026, 12, 31), 0, 0):
        run(django_capture_on_commit_callbacks)
        run(django_capture_on_commit_callbacks)  # the beat ran twice: one reminder
    assert sent(DIAGNOSTIC) == [("ref-a@example.test", D(2027, 1, 15), -15)]
    assert sent(SUIVANT) == []  # due 16 January: its J-15 is tomorrow
    with at(D(2027, 1, 1), 0, 0):
        run(django_capture_on_commit_callbacks)
    assert sent(SUIVANT) == [("ref-a@example.test", D(2027, 1, 16), -15)]
    # The e-mail does not name the person; the notification in the portal does.
    messages = [m for m in mail.outbox if "Entretiens du diagnostic" in m.subject]
    assert messages and "Aubert" not in messages[0].subject + messages[0].body
    assert messages[0].subject.endswith("Entretiens du diagnostic (0 sur 3) – une personne que vous accompagnez")
    # Three interviews held during the diagnostic: no more reminder about them.
    for day in (D(2026, 11, 2), D(2026, 12, 1), D(2027, 1, 5)):
        interview(o, day)
    with at(D(2027, 1, 13), 0, 0):  # J-3 of the next CERP (16 January)
        run(django_capture_on_commit_callbacks)
    assert [offset for _, _, offset in sent(DIAGNOSTIC)] == [-15]
    assert [offset for _, _, offset in sent(SUIVANT)] == [-15, -3]


def test_the_monthly_interview_the_cerps_end_and_the_21_months_follow_the_development(
    world, django_capture_on_commit_callbacks
):
    o = independant(world.orientation_a)
    cerp(o, "diagnostic", D(2026, 10, 16), D(2027, 1, 15))
    cerp(o, "developpement", D(2027, 1, 16), D(2027, 7, 15))
    interview(o, D(2027, 2, 10))
    with at(D(2027, 3, 6), 23, 59):  # the month's interview is due on 10 March: J-3 is 7 March
        run(django_capture_on_commit_callbacks)
    assert sent(MENSUEL) == []
    with at(D(2027, 3, 7), 0, 0):
        run(django_capture_on_commit_callbacks)
        items = {item.echeance.code: item for item in items_for(world.user("referent"), horizon_days=None)}
    assert sent(MENSUEL) == [("ref-a@example.test", D(2027, 3, 10), -3)]
    assert sent(SUIVANT) == [] and sent(DIAGNOSTIC) == []  # the development CERP is signed
    # The referent's home page shows each step with its date.
    assert items[MENSUEL].due_date == D(2027, 3, 10)
    assert items[FIN].due_date == D(2027, 7, 15)
    assert items[SORTIE].due_date == D(2028, 7, 15)
    assert "Fin de l'accompagnement (21 mois au plus) : sortie" in items[SORTIE].label
    # An interview on 9 March: the next one is due on 9 April, a new deadline with its reminders.
    interview(o, D(2027, 3, 9))
    with at(D(2027, 4, 6), 0, 0):
        run(django_capture_on_commit_callbacks)
    assert sent(MENSUEL) == [
        ("ref-a@example.test", D(2027, 3, 10), -3),
        ("ref-a@example.test", D(2027, 4, 9), -3),
    ]
    # J-30 of the 21 months' end (15 July 2028) is 15 June 2028.
    with at(D(2028, 6, 14), 23, 59):
        run(django_capture_on_commit_callbacks)
    assert sent(SORTIE) == []
    with at(D(2028, 6, 15), 0, 0):
        run(django_capture_on_commit_callbacks)
    assert sent(SORTIE) == [("ref-a@example.test", D(2028, 7, 15), -30)]


def test_an_ended_accompaniment_sends_no_cerp_reminder(world, django_capture_on_commit_callbacks):
    o = independant(world.orientation_a)
    cerp(o, "diagnostic", D(2026, 10, 16), D(2027, 1, 15))
    o.date_fin = D(2026, 12, 1)
    o.save(update_fields=["date_fin"])
    with at(D(2027, 1, 15), 0, 0):
        run(django_capture_on_commit_callbacks)
        assert not [i for i in items_for(world.user("referent")) if i.echeance.code.startswith("accompagnement_cerp")]
    assert not Rappel.objects.filter(code__startswith="accompagnement_cerp").exists()


def test_a_signed_cerp_is_not_reminded_as_a_cer_to_renew_at_5_months(world, django_capture_on_commit_callbacks):
    # The CERPs have their own steps (end of the CERP, next CERP, 21 months): the ordinary CER's
    # "Demande de renouvellement du CER à 5 mois" does not apply to them.
    o = independant(world.orientation_a)
    cerp(o, "diagnostic", D(2026, 10, 16), D(2027, 1, 15))
    cerp(o, "developpement", D(2027, 1, 16), D(2028, 1, 15))
    with at(D(2027, 6, 10), 0, 0):  # within 15 days of 5 months after each CERP's start
        run(django_capture_on_commit_callbacks)
        items = items_for(world.user("referent"), horizon_days=None)
    renewal = "accompagnement_renouvellement"
    assert [i for i in items if i.echeance.code == renewal and i.obj.orientation_id == o.pk] == []
    assert not Rappel.objects.filter(code=renewal, due_date__in=[D(2027, 3, 16), D(2027, 6, 16)])
    assert {i.echeance.code for i in items if getattr(i.obj, "pk", None) == o.pk} >= {FIN}
