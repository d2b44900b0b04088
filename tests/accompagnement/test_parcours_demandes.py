"""Requests to the SLAI: reorientation (needs an up-to-date diagnostic; accepted, it ends the
accompaniment and starts a new orientation) and CER renewal (from 5 months, once per CER)."""

import datetime
import html

import time_machine
from django.urls import reverse

from accompagnement.enums import EtatDemande, MotifSortie
from accompagnement.models import (
    Cer,
    DemandeRenouvellement,
    DemandeReorientation,
    Diagnostic,
    Orientation,
    Sortie,
    TypeAccompagnement,
)
from accompagnement.selectors import next_steps
from portal.accounts.enums import Role
from portal.audit.models import AuditEntry
from tests.factories import StructureFactory, UserFactory

TODAY = datetime.datetime(2026, 11, 25, 9, tzinfo=datetime.UTC)


def text(response):
    return html.unescape(response.content.decode())


def final_diagnostic(orientation, day=datetime.date(2026, 11, 20)):
    return Diagnostic.objects.create(orientation=orientation, date=day, moment="final", synthese="Bilan fait.")


def signed_cer(orientation, debut=datetime.date(2026, 10, 16)):  # world.cer_a (a draft) starts on the 15th
    return Cer.objects.create(
        orientation=orientation,
        type="solidarite",
        date_edition=debut,
        date_debut=debut,
        date_fin=debut + datetime.timedelta(days=181),
        remarque="Logement puis emploi.",
        signe_le=debut,
    )


def reorientation_post(**overrides):
    data = {
        "type_souhaite": TypeAccompagnement.objects.get(code="equilibre").pk,
        "structure_proposee": "",
        "argumentaire": "Projet professionnel défini : un accompagnement plus intensif.",
    }
    data.update(overrides)
    return data


@time_machine.travel(TODAY)
def test_reorientation_needs_an_up_to_date_final_diagnostic(client_for, world):
    orientation = world.orientation_a
    url = reverse("accompagnement:reorientation_create", args=[orientation.pk])
    client = client_for("referent")
    assert "Le diagnostic n'est pas à jour" in text(client.get(url))
    # A final diagnostic older than the current CER does not count.
    final_diagnostic(orientation, day=datetime.date(2026, 10, 10))
    signed_cer(orientation)
    response = client.post(url, reorientation_post())
    assert response.status_code == 200
    assert "Actualisez d'abord le diagnostic" in text(response)
    assert not DemandeReorientation.objects.exists()
    final_diagnostic(orientation)
    assert client.post(url, reorientation_post()).status_code == 302
    demande = DemandeReorientation.objects.get()
    assert (demande.etat, demande.created_by) == (EtatDemande.DEPOSEE, world.user("referent"))
    # One pending request at a time.
    assert "déjà en attente" in text(client.post(url, reorientation_post()))
    assert DemandeReorientation.objects.count() == 1
    steps = [s.label for s in next_steps(Orientation.objects.get(pk=orientation.pk), TODAY.date())]
    assert "Demande de renouvellement ou de réorientation" not in steps


@time_machine.travel(TODAY)
def test_slai_accepts_a_reorientation_one_exit_one_new_orientation(client_for, world):
    orientation = world.orientation_a
    final_diagnostic(orientation)
    client_for("referent").post(
        reverse("accompagnement:reorientation_create", args=[orientation.pk]), reorientation_post()
    )
    demande = DemandeReorientation.objects.get()
    structure_c = StructureFactory(nom="Structure C", territoires=[world.territoire_a])
    url = reverse("accompagnement:reorientation_decider", args=[demande.pk])
    slai = client_for("slai")
    page = text(slai.get(url))
    assert "Projet professionnel défini" in page and "Bilan fait." in page
    equilibre = TypeAccompagnement.objects.get(code="equilibre")
    response = slai.post(
        url, {"decision": "accepter", "motif": "", "type_accompagnement": equilibre.pk, "structure": structure_c.pk}
    )
    assert response.status_code == 302
    sortie = Sortie.objects.get()
    assert (sortie.orientation_id, sortie.motif, sortie.date) == (
        orientation.pk,
        MotifSortie.REORIENTATION,
        TODAY.date(),
    )
    orientation.refresh_from_db()
    assert orientation.date_fin == TODAY.date()
    demande.refresh_from_db()
    assert demande.etat == EtatDemande.ACCEPTEE and demande.decidee_par == world.user("slai")
    new = demande.nouvelle_orientation
    assert Orientation.objects.filter(beneficiaire=orientation.beneficiaire).count() == 2
    assert (new.structure, new.type_accompagnement, new.date_orientation) == (structure_c, equilibre, TODAY.date())
    assert new.referent is None  # another kind: another professional
    assert new.date_limite_cer == datetime.date(2026, 12, 10)  # signed within the 15-day accueil phase (003 l. 462)
    assert new.date_limite_premier_rdv == datetime.date(2026, 12, 10)
    # Deciding twice changes nothing.
    again = slai.post(url, {"decision": "refuser", "motif": "Non."})
    assert "Action déjà effectuée." in text(again)
    assert (
        Sortie.objects.count() == 1 and Orientation.objects.filter(beneficiaire=orientation.beneficiaire).count() == 2
    )
    # The record tells the story; the caseload moves on.
    record = text(slai.get(reverse("accompagnement:beneficiaire_detail", args=[orientation.beneficiaire_id])))
    assert "Sortie le 25 novembre 2026 : Réorientation (décidée par le SLAI) (Réorientation)" in record
    assert "nouvelle orientation vers Structure C" in record
    actives = Orientation.objects.visible_to(world.user("slai")).actives()
    assert orientation not in actives and new in actives
    beneficiaire_id = str(orientation.beneficiaire_id)
    assert AuditEntry.objects.filter(object_id=beneficiaire_id, action="modification").count() == 2
    assert AuditEntry.objects.filter(object_id=beneficiaire_id, action="lecture", user_email="slai-a@example.test")


@time_machine.travel(TODAY)
def test_reorientation_refusal_is_reasoned_and_others_cannot_decide(client_for, world):
    orientation = world.orientation_a
    final_diagnostic(orientation)
    client_for("referent").post(
        reverse("accompagnement:reorientation_create", args=[orientation.pk]), reorientation_post()
    )
    demande = DemandeReorientation.objects.get()
    url = reverse("accompagnement:reorientation_decider", args=[demande.pk])
    # The referent (who asked) and the manager may not decide; a forged POST changes nothing.
    for role in ("referent", "responsable", "manager"):
        assert client_for(role).post(url, {"decision": "accepter"}).status_code == 403, role
    other_slai = UserFactory(role=Role.SLAI, territoire=world.territoire_b, email="slai-b@example.test")
    client = client_for("anonyme")
    client.force_login(other_slai)
    assert client.get(url).status_code == 404
    assert client.post(url, {"decision": "accepter"}).status_code == 404
    demande.refresh_from_db()
    assert demande.etat == EtatDemande.DEPOSEE
    dpid = client_for("dpid")
    assert "Motivez le refus" in text(dpid.post(url, {"decision": "refuser", "motif": " "}))
    assert dpid.post(url, {"decision": "refuser", "motif": "Poursuivre le CER en cours."}).status_code == 302
    demande.refresh_from_db()
    assert (demande.etat, demande.decision_motif) == (EtatDemande.REFUSEE, "Poursuivre le CER en cours.")
    assert not Sortie.objects.exists()
    orientation.refresh_from_db()
    assert orientation.date_fin is None


def test_renewal_opens_at_five_months_once_per_cer(client_for, world):
    orientation = world.orientation_a
    cer = signed_cer(orientation)  # 16 October 2026: renewal from 16 March 2027
    url = reverse("accompagnement:renouvellement_create", args=[cer.pk])
    data = {"argumentaire": "La formation commence en avril."}
    with time_machine.travel(datetime.datetime(2027, 3, 15, 12, tzinfo=datetime.UTC)):
        client = client_for("referent")  # signed in now: sessions expire
        content = text(client.post(url, data))
        assert "à partir du 16 mars 2027" in content
        assert not DemandeRenouvellement.objects.exists()
        steps = [
            (s.label, s.due)
            for s in next_steps(Orientation.objects.get(pk=orientation.pk), datetime.date(2027, 3, 15))
        ]
        assert ("Demande de renouvellement", datetime.date(2027, 3, 16)) in steps
    with time_machine.travel(datetime.datetime(2027, 3, 16, 12, tzinfo=datetime.UTC)):
        client = client_for("referent")
        assert client.post(url, data).status_code == 302
        assert "Action déjà effectuée" in text(client.get(url))
        assert "Action déjà effectuée" in text(client.post(url, data))
        assert DemandeRenouvellement.objects.count() == 1
        steps = [s.label for s in next_steps(Orientation.objects.get(pk=orientation.pk), datetime.date(2027, 3, 16))]
        assert "Demande de renouvellement" not in steps and "Bilan final" in steps


def test_slai_decides_the_renewal_then_the_referent_is_offered_the_next_cer(client_for, world):
    cer = signed_cer(world.orientation_a, debut=datetime.date(2026, 5, 4))
    with time_machine.travel(TODAY):
        client_for("referent").post(
            reverse("accompagnement:renouvellement_create", args=[cer.pk]), {"argumentaire": "Poursuite."}
        )
        demande = DemandeRenouvellement.objects.get()
        url = reverse("accompagnement:renouvellement_decider", args=[demande.pk])
        assert client_for("referent").post(url, {"decision": "accepter"}).status_code == 403
        slai = client_for("slai")
        assert "Motivez le refus" in text(slai.post(url, {"decision": "refuser", "motif": ""}))
        assert slai.post(url, {"decision": "accepter", "motif": ""}).status_code == 302
        assert "Action déjà effectuée." in text(slai.post(url, {"decision": "refuser", "motif": "Non."}))
        demande.refresh_from_db()
        assert (demande.etat, demande.decidee_le) == (EtatDemande.ACCEPTEE, TODAY.date())
        record = text(
            client_for("referent").get(
                reverse("accompagnement:beneficiaire_detail", args=[world.orientation_a.beneficiaire_id])
            )
        )
        assert reverse("accompagnement:cer_renouveler", args=[cer.pk]) in record
        assert "Saisir le CER de renouvellement" in record
        assert "Renouvellement du CER : demande acceptée" in record


def test_next_steps_after_the_final_bilan_and_after_the_exit(world):
    orientation = world.orientation_a
    signed_cer(orientation)
    final_diagnostic(orientation, day=datetime.date(2027, 3, 1))
    orientation = Orientation.objects.get(pk=orientation.pk)
    labels = [s.label for s in next_steps(orientation, datetime.date(2027, 3, 2))]
    assert labels == ["Demande de renouvellement ou de réorientation"]
    orientation.date_fin = datetime.date(2027, 3, 2)
    assert next_steps(orientation, datetime.date(2027, 3, 2)) == []


def test_next_steps_follow_the_renewal_decision(world):
    orientation = world.orientation_a
    cer = signed_cer(orientation)
    demande = DemandeRenouvellement.objects.create(cer=cer, date_demande=datetime.date(2027, 3, 16), argumentaire="A")
    today = datetime.date(2027, 3, 20)

    def labels():
        return [s.label for s in next_steps(Orientation.objects.get(pk=orientation.pk), today)]

    assert labels() == ["Bilan final"]
    DemandeRenouvellement.objects.filter(pk=demande.pk).update(etat=EtatDemande.REFUSEE, decidee_le=today)
    assert labels() == ["Demande de réorientation ou sortie", "Bilan final"]
    DemandeRenouvellement.objects.filter(pk=demande.pk).update(etat=EtatDemande.ACCEPTEE)
    assert labels() == ["CER de renouvellement à signer", "Bilan final"]
    renewal = signed_cer(orientation, debut=datetime.date(2027, 4, 14))
    renewal.renouvelle = cer
    renewal.save()
    assert labels() == ["Demande de renouvellement", "Bilan final"]  # the new CER's own cycle


def test_the_equilibre_accompaniment_is_renewed_once(client_for, world):
    orientation = world.orientation_a
    orientation.type_accompagnement = TypeAccompagnement.objects.get(code="equilibre")
    orientation.save()
    first = signed_cer(orientation, debut=datetime.date(2026, 4, 1))
    second = signed_cer(orientation, debut=datetime.date(2026, 10, 1))
    second.renouvelle = first
    second.save()
    with time_machine.travel(datetime.datetime(2027, 3, 2, 12, tzinfo=datetime.UTC)):
        client = client_for("referent")
        content = text(
            client.post(reverse("accompagnement:renouvellement_create", args=[second.pk]), {"argumentaire": "A"})
        )
        assert "renouvelable une fois" in content
        content = text(
            client.post(reverse("accompagnement:renouvellement_create", args=[first.pk]), {"argumentaire": "A"})
        )
        assert "Ce CER a déjà été renouvelé" in content
    assert not DemandeRenouvellement.objects.exists()
