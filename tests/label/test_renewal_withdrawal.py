"""Renewal (January–July of the label's last year, lighter procedure) and withdrawal (seed 001
§4 and §9), with the procédure contradictoire before an unfavourable decision."""

import datetime
import html

import pytest
from django.urls import reverse

from label import services
from label.enums import EtatDemande, EtatRetrait, MotifRetrait, TypeDemande
from label.models import Label
from tests.label.factories import at, clear_label_records, dpid_control, draft_ready


@pytest.fixture(autouse=True)
def no_label_records(world):
    clear_label_records()


@pytest.fixture
def label_a(world):
    return Label.objects.create(
        structure=world.structure_a, date_decision=datetime.date(2022, 9, 1), date_fin=datetime.date(2027, 8, 31)
    )


@pytest.mark.parametrize(
    ("day", "allowed"),
    [
        (datetime.date(2026, 12, 31), False),  # the year before the last one
        (datetime.date(2027, 1, 1), True),
        (datetime.date(2027, 7, 31), True),
        (datetime.date(2027, 8, 1), False),  # after July of the last year
    ],
)
def test_renewal_window(world, label_a, day, allowed):
    with at(day):
        if allowed:
            demande = services.demande_create(structure=world.structure_a, user=world.user("responsable"))
            assert demande.type == TypeDemande.RENOUVELLEMENT
        else:
            with pytest.raises(services.LabelError, match="du 1er janvier 2027 au 31 juillet 2027"):
                services.demande_create(structure=world.structure_a, user=world.user("responsable"))


def test_renewal_is_decided_without_the_slai_step_and_continues_the_label(world, label_a):
    responsable, dpid = world.user("responsable"), world.user("dpid")
    with at(datetime.date(2027, 3, 1)):
        demande = draft_ready(world.structure_a, responsable)
        services.demande_deposer(demande=demande, user=responsable)
        dpid_control(demande, dpid)
        services.demande_evaluer(demande=demande, user=dpid, evaluation="Renouvellement.", avis="favorable")
        assert demande.etat == EtatDemande.AVIS_DPID
        new_label = services.demande_accorder(demande=demande, user=dpid)
    assert (new_label.date_decision, new_label.date_fin) == (datetime.date(2027, 9, 1), datetime.date(2032, 8, 31))
    assert services.structure_is_labelled(world.structure_a, on=datetime.date(2027, 8, 31))
    assert services.structure_is_labelled(world.structure_a, on=datetime.date(2032, 8, 31))


def test_a_first_request_still_needs_the_slai(world):
    with at(datetime.date(2027, 3, 1)):
        demande = draft_ready(world.structure_a, world.user("responsable"))
        services.demande_deposer(demande=demande, user=world.user("responsable"))
        dpid_control(demande, world.user("dpid"))
        services.demande_evaluer(demande=demande, user=world.user("dpid"), evaluation="…", avis="favorable")
        with pytest.raises(services.LabelError, match="Action déjà effectuée"):
            services.demande_accorder(demande=demande, user=world.user("dpid"))


def test_end_of_mission_lapses_the_label_by_right(world, label_a):
    with at(datetime.date(2026, 5, 4)):
        retrait = services.retrait_engager(
            label=label_a,
            motif=MotifRetrait.FIN_MISSION,
            griefs="Fin de mission le 30 avril.",
            user=world.user("dpid"),
        )
    assert retrait.etat == EtatRetrait.RETIRE
    assert not services.structure_is_labelled(world.structure_a, on=datetime.date(2026, 5, 4))
    assert services.structure_is_labelled(world.structure_a, on=datetime.date(2026, 5, 3))


def test_unkept_commitments_open_the_contradictoire_first(world, label_a):
    dpid, responsable = world.user("dpid"), world.user("responsable")
    with at(datetime.date(2026, 5, 4)):
        retrait = services.retrait_engager(
            label=label_a, motif=MotifRetrait.ENGAGEMENTS, griefs="Référent non formé.", user=dpid
        )
        assert (retrait.etat, retrait.observations_avant) == (EtatRetrait.CONTRADICTOIRE, datetime.date(2026, 6, 3))
        with pytest.raises(services.LabelError, match="jusqu'au 3 juin 2026"):
            services.retrait_decider(retrait=retrait, retirer=True, decision="…", user=dpid)
        assert services.structure_is_labelled(world.structure_a, on=datetime.date(2026, 5, 4))
    with at(datetime.date(2026, 6, 3)):
        services.retrait_observations(retrait=retrait, observations="Formation prévue le 12 juin.", user=responsable)
        with pytest.raises(services.LabelError, match="Action déjà effectuée"):
            services.retrait_observations(retrait=retrait, observations="Encore", user=responsable)
        # Observations received: the DPID may decide, and must answer them.
        with pytest.raises(services.LabelError, match="répondre aux observations"):
            services.retrait_decider(retrait=retrait, retirer=True, decision=" ", user=dpid)
        services.retrait_decider(
            retrait=retrait, retirer=False, decision="La formation du 12 juin répond à l'engagement.", user=dpid
        )
    assert retrait.etat == EtatRetrait.ABANDONNE
    assert services.structure_is_labelled(world.structure_a, on=datetime.date(2026, 6, 4))


def test_observations_after_the_delay_are_refused_and_the_dpid_can_decide(world, label_a):
    with at(datetime.date(2026, 5, 4)):
        retrait = services.retrait_engager(
            label=label_a, motif=MotifRetrait.ENGAGEMENTS, griefs="Référent non formé.", user=world.user("dpid")
        )
    with at(datetime.date(2026, 6, 4)):
        with pytest.raises(services.LabelError, match="a expiré le 3 juin 2026"):
            services.retrait_observations(retrait=retrait, observations="Trop tard", user=world.user("responsable"))
        services.retrait_decider(
            retrait=retrait, retirer=True, decision="Aucune observation.", user=world.user("dpid")
        )
    label_a.refresh_from_db()
    assert label_a.retire_le == datetime.date(2026, 6, 4)
    assert not services.structure_is_labelled(world.structure_a, on=datetime.date(2026, 6, 4))


def test_cer_quality_gets_six_months_of_slai_support_before_the_contradictoire(world, label_a):
    dpid = world.user("dpid")
    with at(datetime.date(2026, 2, 28)):
        retrait = services.retrait_engager(
            label=label_a, motif=MotifRetrait.QUALITE_CER, griefs="Contrôle annuel à 62 %.", user=dpid
        )
    assert (retrait.etat, retrait.accompagnement_fin) == (EtatRetrait.ACCOMPAGNEMENT, datetime.date(2026, 8, 28))
    with at(datetime.date(2026, 8, 27)), pytest.raises(services.LabelError, match="court jusqu'au 28 août 2026"):
        services.retrait_ouvrir_etude(retrait=retrait, user=dpid)
    with at(datetime.date(2026, 8, 28)):
        services.retrait_ouvrir_etude(retrait=retrait, user=dpid)
    # The new study (a new draw graded on the grid) decides: tests/label/test_withdrawal_study.py.
    assert retrait.etat == EtatRetrait.ETUDE


def test_withdrawal_pages_and_rights(client_for, world, label_a):
    url = reverse("label:retrait_create", args=[label_a.pk])
    for role in ("responsable", "slai", "manager"):
        assert client_for(role).post(url, {"motif": "engagements", "griefs": "x"}).status_code == 403
    client = client_for("dpid")
    response = client.post(url, {"motif": "engagements", "griefs": "Référent non formé."})
    retrait = label_a.retraits.get()
    assert response["Location"] == reverse("label:retrait_detail", args=[retrait.pk])
    page = html.unescape(client_for("responsable").get(response["Location"]).content.decode())
    assert "Présenter vos observations" in page
    assert "observations écrites attendues jusqu'au" in page
    assert client_for("responsable").post(reverse("label:retrait_decider", args=[retrait.pk])).status_code == 403
    response = client_for("responsable").post(
        reverse("label:retrait_observations", args=[retrait.pk]), {"observations": "Formation prévue."}, follow=True
    )
    assert "Vos observations sont transmises" in html.unescape(response.content.decode())


def test_handover_list_by_territory(client_for, world, label_a):
    Label.objects.create(
        structure=world.structure_b, date_decision=datetime.date(2026, 4, 2), date_fin=datetime.date(2031, 4, 1)
    )
    page = html.unescape(client_for("dpid").get(reverse("label:remise"), {"annee": "2026"}).content.decode())
    assert "Calaisis" in page and "Structure B – label valable du 2 avril 2026 au 1er avril 2031" in page
    assert "Structure A" not in page  # labelled in 2022
    slai_page = client_for("slai").get(reverse("label:remise"), {"annee": "2026"}).content.decode()
    assert "Structure B" not in slai_page  # another territory


def test_yearly_quality_charter(client_for, world, label_a, django_capture_on_commit_callbacks):
    """One charter a year, due on each anniversary; reminders until it is filed; the DPID examines it."""
    from django.core import mail

    from label.selectors import charter_due
    from portal.echeances.services import reminders_send_due

    assert charter_due(label_a) == (1, datetime.date(2023, 9, 1))
    with at(datetime.date(2026, 11, 25)):
        for year in (1, 2, 3):
            services.charte_deposer(label=label_a, user=world.user("responsable"), bilan=f"Année {year}.")
        label_a.refresh_from_db()
        assert charter_due(label_a) == (4, datetime.date(2026, 9, 1))  # overdue
    with at(datetime.date(2027, 8, 2)), django_capture_on_commit_callbacks(execute=True):
        services.charte_deposer(label=label_a, user=world.user("responsable"), bilan="Année 4.")
        assert charter_due(label_a) == (None, None)  # the 5th anniversary falls after the label's end
        mail.outbox.clear()
        reminders_send_due()
    assert not [m for m in mail.outbox if "Charte qualité" in m.subject]
    charte = label_a.chartes.get(annee=4)
    response = client_for("dpid").post(
        reverse("label:charte_examiner", args=[charte.pk]),
        {f"c{charte.pk}-conforme": "0", f"c{charte.pk}-observations_dpid": ""},
        follow=True,
    )
    assert "Indiquez quels critères ne sont plus remplis." in html.unescape(response.content.decode())
    client_for("dpid").post(reverse("label:charte_examiner", args=[charte.pk]), {f"c{charte.pk}-conforme": "1"})
    charte.refresh_from_db()
    assert charte.conforme is True
    assert client_for("responsable").post(reverse("label:charte_examiner", args=[charte.pk])).status_code == 403


def test_charter_reminder_before_the_anniversary(world, django_capture_on_commit_callbacks):
    from django.contrib.auth import get_user_model
    from django.core import mail

    from portal.accounts.enums import Role
    from portal.echeances.services import reminders_send_due

    responsable_b = get_user_model().objects.create_user(
        email="resp-b@example.test", password="x", role=Role.RESPONSABLE, structure=world.structure_b
    )
    label_b = Label.objects.create(
        structure=world.structure_b, date_decision=datetime.date(2026, 1, 10), date_fin=datetime.date(2031, 1, 9)
    )
    with at(datetime.date(2026, 12, 10)), django_capture_on_commit_callbacks(execute=True):
        reminders_send_due()  # J-31: nothing yet
    assert not [m for m in mail.outbox if "Charte qualité" in m.subject]
    with at(datetime.date(2026, 12, 11)), django_capture_on_commit_callbacks(execute=True):
        reminders_send_due()
    [message] = [m for m in mail.outbox if "Charte qualité" in m.subject]
    assert message.to == [responsable_b.email]
    assert "Charte qualité de l'année 1 – Structure B" in message.subject
    with at(datetime.date(2026, 12, 20)):
        services.charte_deposer(label=label_b, user=responsable_b, bilan="Première année.")
    with at(datetime.date(2027, 1, 3)), django_capture_on_commit_callbacks(execute=True):
        mail.outbox.clear()
        reminders_send_due()  # J-7 of the filed year: nothing more
    assert not [m for m in mail.outbox if "Charte qualité" in m.subject]


def test_the_structure_is_reminded_of_its_appeal_delay(world, django_capture_on_commit_callbacks):
    from django.core import mail

    from label.models import DemandeLabel
    from portal.echeances.services import reminders_send_due

    demande = DemandeLabel.objects.create(
        structure=world.structure_a,
        etat=EtatDemande.MORATOIRE,
        deposee_at=datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC),
        decision_at=datetime.datetime(2026, 10, 20, tzinfo=datetime.UTC),
        notifiee_le=datetime.date(2026, 10, 20),
    )
    with at(datetime.date(2026, 12, 5)), django_capture_on_commit_callbacks(execute=True):
        reminders_send_due()
    [message] = [m for m in mail.outbox if "recours gracieux" in m.subject]
    assert message.to == ["resp-a@example.test"]
    assert "20 décembre 2026" in message.body
    with at(datetime.date(2026, 12, 10)):
        services.recours_deposer(demande=demande, user=world.user("responsable"), actions_menees="Formations faites.")
    mail.outbox.clear()
    with at(datetime.date(2026, 12, 17)), django_capture_on_commit_callbacks(execute=True):
        reminders_send_due()
    assert not [m for m in mail.outbox if "Fin du délai de recours" in m.subject]


def test_a_charter_cannot_be_filed_long_before_its_year(world, label_a):
    from label.models import CharteQualite

    for year in (1, 2, 3, 4):
        CharteQualite.objects.create(label=label_a, annee=year, bilan="…", deposee_le=datetime.date(2026, 1, 1))
    label_b = Label.objects.create(
        structure=world.structure_b, date_decision=datetime.date(2026, 1, 10), date_fin=datetime.date(2031, 1, 9)
    )
    with at(datetime.date(2026, 11, 10)), pytest.raises(services.LabelError, match="à partir du 11 novembre 2026"):
        services.charte_deposer(label=label_b, user=world.user("dpid"), bilan="Trop tôt.")
    with at(datetime.date(2026, 11, 11)):
        assert services.charte_deposer(label=label_b, user=world.user("dpid"), bilan="Année 1.").annee == 1


def test_a_referent_sees_only_their_own_cers_in_the_request(client_for, world):
    from label.models import CerAnonymise, DemandeLabel, EvaluationCer

    demande = DemandeLabel.objects.create(structure=world.structure_a)
    content = {
        "numero_caf": "1234567",
        "type": "solidarite",
        "date_edition": "2026-01-05",
        "date_debut": "2026-01-05",
        "date_fin": "2026-07-04",
        "remarque": "Remarque d'un collègue.",
        "actions": [],
    }
    colleague = CerAnonymise.objects.create(
        structure=world.structure_a,
        referent=world.autre_referent_a,
        numero_caf="1234567",
        contenu=content,
        empreinte=CerAnonymise.fingerprint(content),
    )
    own = CerAnonymise.objects.create(
        structure=world.structure_a,
        referent=world.referent_a,
        numero_caf="7654321",
        contenu=content,
        empreinte=CerAnonymise.fingerprint(content),
    )
    other = EvaluationCer.objects.create(demande=demande, cer=colleague, evaluateur="structure", score_automatique=0)
    mine = EvaluationCer.objects.create(demande=demande, cer=own, evaluateur="structure", score_automatique=0)
    client = client_for("referent")
    assert client.get(reverse("label:evaluation", args=[other.pk])).status_code == 404
    assert client.get(reverse("label:evaluation", args=[mine.pk])).status_code == 200
    page = client.get(reverse("label:demande_detail", args=[demande.pk])).content.decode()
    assert "7654321" in page and "1234567" not in page
    assert "Bruno Bravo" not in page  # the colleague's training status
    assert client_for("responsable").get(reverse("label:evaluation", args=[other.pk])).status_code == 200


def test_long_cers_are_stored_and_recognised_again(world):
    """A real CER can be long: its fingerprint, not the JSON itself, identifies it (PostgreSQL
    refuses index rows over about 2.7 KB)."""
    from label.models import CerAnonymise

    cer = {
        "numero_caf": "7777777",
        "type": "solidarite",
        "date_edition": "2026-01-05",
        "date_debut": "2026-01-05",
        "date_fin": "2026-07-04",
        "remarque": "Situation détaillée. " * 400,
        "actions": [
            {
                "intitule": f"Action {n}",
                "date_debut": "2026-01-05",
                "date_fin": "2026-07-04",
                "detail": "Détail de la démarche. " * 20,
                "insertion_professionnelle": n == 0,
            }
            for n in range(10)
        ],
    }
    user = world.user("responsable")
    assert (
        services.cers_import(structure=world.structure_a, referent=world.autre_referent_a, data=[cer], user=user) == 1
    )
    assert services.cers_import(structure=world.structure_a, referent=world.autre_referent_a, data=cer, user=user) == 0
    assert CerAnonymise.objects.filter(referent=world.autre_referent_a).count() == 1
    with pytest.raises(services.LabelError, match="dépasse 20 caractères"):
        services.cers_import(
            structure=world.structure_a,
            referent=world.autre_referent_a,
            data={**cer, "numero_caf": "1" * 21},
            user=user,
        )


def test_first_campaign_moratoria_reopen_in_january_2026(world):
    """A moratorium of the first campaign ending in 2025 still waits for January 2026."""
    from label.models import DemandeLabel, Moratoire

    demande = DemandeLabel.objects.create(
        structure=world.structure_a,
        etat=EtatDemande.MORATOIRE,
        deposee_at=datetime.datetime(2025, 2, 1, tzinfo=datetime.UTC),
        decision_at=datetime.datetime(2025, 3, 3, tzinfo=datetime.UTC),
        notifiee_le=datetime.date(2025, 3, 3),
    )
    Moratoire.objects.create(demande=demande, date_debut=datetime.date(2025, 3, 3), date_fin=datetime.date(2025, 9, 3))
    with at(datetime.date(2025, 12, 31)), pytest.raises(services.LabelError, match="à partir du 1er janvier 2026"):
        services.demande_create(structure=world.structure_a, user=world.user("responsable"))
    with at(datetime.date(2026, 1, 2)):
        new = services.demande_create(structure=world.structure_a, user=world.user("responsable"))
    assert new.type == TypeDemande.APRES_MORATOIRE


def test_appeal_delay_runs_from_the_issued_letter(world, django_capture_on_commit_callbacks):
    """Decided on 20 October, letter issued on 30 October: appeal possible until 30 December."""
    from label.models import DemandeLabel
    from portal.documents.services import document_issue, document_request

    demande = DemandeLabel.objects.create(
        structure=world.structure_a,
        etat=EtatDemande.MORATOIRE,
        deposee_at=datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC),
        decision_at=datetime.datetime(2026, 10, 20, 9, tzinfo=datetime.UTC),
        notifiee_le=datetime.date(2026, 10, 20),
        motifs_decision="Qualité des CER insuffisante.",
    )
    from label.models import Moratoire

    Moratoire.objects.create(
        demande=demande, date_debut=datetime.date(2026, 10, 20), date_fin=datetime.date(2027, 4, 20)
    )
    with at(datetime.date(2026, 10, 30)):
        with django_capture_on_commit_callbacks(execute=True):
            letter = document_request(owner=demande, kind_code="label_decision", user=world.user("dpid"))
        letter.refresh_from_db()
        document_issue(document=letter, user=world.user("dpid"))
    demande.refresh_from_db()
    assert demande.notifiee_le == datetime.date(2026, 10, 30)
    assert services.recours_deadline(demande) == datetime.date(2026, 12, 30)
