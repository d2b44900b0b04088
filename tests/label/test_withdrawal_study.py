"""Withdrawal for CER quality (seed 001 l. 352–356, issue 14 item 5): after the 6 months of SLAI
support, the new study is a new draw of the structure's CERs graded on the same grid (a request of
type "nouvelle étude"), and the DPID's control decides: maintenance or withdrawal."""

import datetime
import html

import pytest
from django.urls import reverse

from label import services
from label.enums import EtatDemande, EtatRetrait, Evaluateur, MotifRetrait, TypeDemande
from label.models import EtapeProcedure, Label
from portal.echeances.models import Notification
from portal.referentiels.models import Referent
from tests.label.factories import GOOD, POOR, at, cer_data, clear_label_records, dpid_control

D = datetime.date


@pytest.fixture(autouse=True)
def no_label_records(world):
    clear_label_records()


@pytest.fixture
def label_a(world):
    return Label.objects.create(structure=world.structure_a, date_decision=D(2025, 9, 1), date_fin=D(2030, 8, 31))


def recent_cers(structure, user, *, edited="2026-05-04", count=6):
    """CERs written during the SLAI support, for every active referent."""
    for referent in Referent.objects.filter(structure=structure).actifs():
        data = [
            cer_data(
                f"{referent.pk:03d}{n:04d}",
                date_edition=edited,
                date_debut=edited,
                date_fin="2026-11-03",
                actions=[
                    {
                        "intitule": "Demande de logement social",
                        "date_debut": edited,
                        "date_fin": "2026-07-31",
                        "detail": "Constitution du dossier et dépôt auprès du bailleur.",
                        "insertion_professionnelle": False,
                    }
                ],
            )
            for n in range(count)
        ]
        services.cers_import(structure=structure, referent=referent, data=data, user=user)


def study_filed(world, label, *, structure_scores=GOOD):
    """Withdrawal engaged on 28 February 2026; on 28 August the study is opened, the structure
    draws from its recent CERs, self-grades and files it."""
    dpid, responsable = world.user("dpid"), world.user("responsable")
    with at(D(2026, 2, 28)):
        retrait = services.retrait_engager(
            label=label, motif=MotifRetrait.QUALITE_CER, griefs="Contrôle annuel à 62 %.", user=dpid
        )
    with at(D(2026, 8, 28)):
        etude = services.retrait_ouvrir_etude(retrait=retrait, user=dpid)
        recent_cers(world.structure_a, responsable)
        for referent in Referent.objects.filter(structure=world.structure_a).actifs():
            services.tirage_create(demande=etude, referent=referent, user=responsable)
        for evaluation in etude.evaluations.filter(evaluateur=Evaluateur.STRUCTURE):
            services.evaluation_save(evaluation=evaluation, values=structure_scores, user=responsable)
        services.demande_deposer(demande=etude, user=responsable)
    retrait.refresh_from_db()
    etude.refresh_from_db()
    return retrait, etude


def test_the_study_opens_only_after_the_six_months_and_is_a_new_draw(world, label_a):
    dpid = world.user("dpid")
    with at(D(2026, 2, 28)):
        retrait = services.retrait_engager(
            label=label_a, motif=MotifRetrait.QUALITE_CER, griefs="Contrôle annuel à 62 %.", user=dpid
        )
    with at(D(2026, 8, 27)), pytest.raises(services.LabelError, match="court jusqu'au 28 août 2026"):
        services.retrait_ouvrir_etude(retrait=retrait, user=dpid)
    with at(D(2026, 8, 28)):
        etude = services.retrait_ouvrir_etude(retrait=retrait, user=dpid)
        with pytest.raises(services.LabelError, match=r"^Action déjà effectuée"):
            services.retrait_ouvrir_etude(retrait=retrait, user=dpid)
    assert (retrait.etat, retrait.etude) == (EtatRetrait.ETUDE, etude)
    assert (etude.type, etude.etat, etude.structure) == (
        TypeDemande.ETUDE_RETRAIT,
        EtatDemande.BROUILLON,
        world.structure_a,
    )
    # The structure's responsable is told what to do, with a link to the study.
    note = Notification.objects.get(recipient=world.user("responsable"), title__contains="nouvelle étude")
    assert note.url == reverse("label:demande_detail", args=[etude.pk])


def test_the_draw_takes_only_cers_edited_since_the_support_began(world, label_a):
    dpid, responsable = world.user("dpid"), world.user("responsable")
    with at(D(2026, 2, 28)):
        retrait = services.retrait_engager(label=label_a, motif=MotifRetrait.QUALITE_CER, griefs="62 %.", user=dpid)
    with at(D(2026, 8, 28)):
        etude = services.retrait_ouvrir_etude(retrait=retrait, user=dpid)
        referent = world.referent_a
        services.cers_import(structure=world.structure_a, referent=referent, data=[cer_data("7770001")], user=dpid)
        with pytest.raises(
            services.LabelError, match=r"édité depuis le début de l'accompagnement du SLAI \(28 février"
        ):
            services.tirage_create(demande=etude, referent=referent, user=responsable)
        recent_cers(world.structure_a, responsable)
        tirage = services.tirage_create(demande=etude, referent=referent, user=responsable)
    old = referent.cers_anonymises.get(numero_caf="7770001").pk
    assert old not in tirage.pool and len(tirage.selection) == 5
    assert services.draw(tirage.pool, tirage.seed) == tirage.selection  # reproducible from its seed


def test_a_control_at_80_percent_maintains_the_label(world, label_a):
    retrait, etude = study_filed(world, label_a)
    dpid = world.user("dpid")
    with at(D(2026, 9, 10)):
        with pytest.raises(services.LabelError, match=r"^Le contrôle n'est pas terminé : 0 CER évalués"):
            services.retrait_conclure_etude(retrait=retrait, user=dpid)
        with pytest.raises(services.LabelError, match="se conclut depuis la procédure de retrait"):
            services.demande_evaluer(demande=etude, user=dpid, evaluation="x", avis="favorable")
        dpid_control(etude, dpid, GOOD)
        services.retrait_conclure_etude(retrait=retrait, user=dpid)
    etude.refresh_from_db()
    assert retrait.etat == EtatRetrait.ABANDONNE and retrait.decide_le == D(2026, 9, 10)
    assert "moyenne du contrôle 100,0 % (80 % attendus)" in retrait.decision
    assert "le label est maintenu" in retrait.decision
    assert etude.etat == EtatDemande.ETUDE_CLOSE and etude.avis_dpid == "favorable"
    assert services.structure_is_labelled(world.structure_a, on=D(2026, 9, 10))
    steps = [e.transition for e in EtapeProcedure.objects.filter(retrait=retrait)]
    assert steps == ["engager", "ouvrir_etude", "conclure_etude"]


def test_a_control_below_80_percent_opens_the_contradictoire_then_the_withdrawal(world, label_a):
    retrait, etude = study_filed(world, label_a)
    dpid = world.user("dpid")
    with at(D(2026, 9, 10)):
        dpid_control(etude, dpid, POOR)
        services.retrait_conclure_etude(retrait=retrait, user=dpid)
    assert retrait.etat == EtatRetrait.CONTRADICTOIRE
    assert retrait.observations_avant == D(2026, 10, 10)
    assert "moyenne du contrôle 45,0 % (80 % attendus)" in retrait.griefs and "critère non rempli" in retrait.griefs
    with at(D(2026, 10, 12)):
        services.retrait_decider(retrait=retrait, retirer=True, decision="Qualité toujours insuffisante.", user=dpid)
    assert not services.structure_is_labelled(world.structure_a, on=D(2026, 10, 12))


def test_the_study_must_be_filed_before_it_is_concluded(world, label_a):
    dpid = world.user("dpid")
    with at(D(2026, 2, 28)):
        retrait = services.retrait_engager(label=label_a, motif=MotifRetrait.QUALITE_CER, griefs="62 %.", user=dpid)
    with at(D(2026, 8, 28)):
        services.retrait_ouvrir_etude(retrait=retrait, user=dpid)
        with pytest.raises(services.LabelError, match="n'a pas encore déposé la nouvelle étude"):
            services.retrait_conclure_etude(retrait=retrait, user=dpid)
        # A study in progress does not stop the structure from asking its renewal later, and a
        # second withdrawal cannot be engaged meanwhile.
        with pytest.raises(services.LabelError, match="déjà en cours"):
            services.retrait_engager(label=label_a, motif=MotifRetrait.ENGAGEMENTS, griefs="x", user=dpid)


def test_the_study_in_the_browser_pages_and_rights(world, client_for, label_a):
    dpid = world.user("dpid")
    with at(D(2026, 2, 28)):
        retrait = services.retrait_engager(label=label_a, motif=MotifRetrait.QUALITE_CER, griefs="62 %.", user=dpid)
    open_url = reverse("label:retrait_etude", args=[retrait.pk])
    conclude_url = reverse("label:retrait_conclure", args=[retrait.pk])
    with at(D(2026, 8, 28)):
        page = html.unescape(client_for("dpid").get(retrait.get_absolute_url()).content.decode())
        assert "Lancer la nouvelle étude" in page
        for role in ("responsable", "slai", "manager"):
            assert client_for(role).post(open_url).status_code == 403
        response = client_for("dpid").post(open_url, follow=True)
        assert "Nouvelle étude ouverte" in html.unescape(response.content.decode())
        retrait.refresh_from_db()
        etude = retrait.etude
        page = html.unescape(client_for("responsable").get(retrait.get_absolute_url()).content.decode())
        assert reverse("label:demande_detail", args=[etude.pk]) in page
        page = html.unescape(client_for("responsable").get(etude.get_absolute_url()).content.decode())
        assert "nouvelle étude" in page and "Tirer 5 CER au sort" in page
        # Concluding too early says why on the page.
        response = client_for("dpid").post(conclude_url, follow=True)
        assert "n'a pas encore déposé la nouvelle étude" in html.unescape(response.content.decode())
        assert client_for("responsable").post(conclude_url).status_code == 403


def test_the_dpid_and_the_slai_follow_the_study_from_its_opening(world, client_for, label_a):
    dpid = world.user("dpid")
    with at(D(2026, 2, 28)):
        retrait = services.retrait_engager(label=label_a, motif=MotifRetrait.QUALITE_CER, griefs="62 %.", user=dpid)
    with at(D(2026, 8, 28)):
        etude = services.retrait_ouvrir_etude(retrait=retrait, user=dpid)
        for role in ("dpid", "slai", "manager"):
            assert client_for(role).get(etude.get_absolute_url()).status_code == 200, role
        # An ordinary draft request stays the structure's own until it is filed.
        etude.type = TypeDemande.INITIALE
        etude.save(update_fields=["type"])
        assert client_for("dpid").get(etude.get_absolute_url()).status_code == 404
