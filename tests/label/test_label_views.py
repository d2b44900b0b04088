"""The label pages through the test client: who sees which request, who may act, the CER import
form and the structure's label status."""

import datetime
import html
import json
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from label import services
from label.enums import Avis, EtatDemande, Evaluateur
from label.models import (
    CerAnonymise,
    DemandeLabel,
    FormationReferent,
    Label,
    ModuleFormation,
    Moratoire,
    Recours,
    TirageCer,
)
from portal.accounts.enums import Role
from tests.factories import UserFactory
from tests.form_checks import assert_kept, assert_kept_with_error
from tests.label.factories import (
    GOOD,
    POOR,
    at,
    cer_data,
    clear_label_records,
    dpid_control,
    draft_ready,
    evaluated,
    import_cers,
    ready_to_decide,
    submitted,
)

D = datetime.date
TODAY = D(2026, 3, 2)


@pytest.fixture(autouse=True)
def no_label_records(world):
    clear_label_records()


@pytest.fixture(autouse=True)
def frozen():
    with at(TODAY):
        yield


def text(response):
    """The page as a person reads it: tags removed, entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.fixture
def demande_b(world):
    """A submitted request of structure B (territory B)."""
    responsable_b = UserFactory(role=Role.RESPONSABLE, structure=world.structure_b)
    demande = draft_ready(world.structure_b, responsable_b)
    return services.demande_deposer(demande=demande, user=responsable_b)


# --- creating and seeing requests ----------------------------------------------------------------


def test_a_responsable_creates_a_request(world, client_for):
    client = client_for("responsable")
    response = client.post(reverse("label:demande_create"), follow=True)
    demande = DemandeLabel.objects.get()
    assert response.redirect_chain == [(reverse("label:demande_detail", args=[demande.pk]), 302)]
    assert (demande.structure, demande.etat, demande.created_by) == (
        world.structure_a,
        EtatDemande.BROUILLON,
        world.user("responsable"),
    )
    assert "Demande de label créée : complétez-la puis déposez-la." in messages_of(response)
    assert "Demande de label – Structure A" in text(response)

    again = client.post(reverse("label:demande_create"), follow=True)
    assert again.redirect_chain == [(reverse("label:home"), 302)]
    assert "Une demande de label est déjà en cours pour cette structure." in messages_of(again)
    assert DemandeLabel.objects.count() == 1


@pytest.mark.parametrize("role", ["referent", "slai", "dpid", "manager"])
def test_only_a_responsable_creates_a_request(world, client_for, role):
    assert client_for(role).post(reverse("label:demande_create")).status_code == 403
    assert not DemandeLabel.objects.exists()


@pytest.mark.parametrize("role", ["responsable", "referent", "slai"])
def test_another_structures_request_is_not_found(world, client_for, demande_b, role):
    client = client_for(role)
    assert client.get(reverse("label:demande_detail", args=[demande_b.pk])).status_code == 404
    assert client.post(reverse("label:demande_update", args=[demande_b.pk]), {"engagement": "on"}).status_code == 404
    evaluation = demande_b.evaluations.filter(evaluateur=Evaluateur.STRUCTURE).first()
    assert client.get(reverse("label:evaluation", args=[evaluation.pk])).status_code == 404
    avis = {"avis": Avis.FAVORABLE, "revue_conjointe": "Vu."}
    assert client.post(reverse("label:demande_avis_slai", args=[demande_b.pk]), avis).status_code == 404
    assert "Structure B" not in text(client.get(reverse("label:home")))
    demande_b.refresh_from_db()
    assert demande_b.etat == EtatDemande.DEPOSEE


@pytest.mark.parametrize("role", ["dpid", "slai", "manager", "admin"])
def test_a_draft_is_seen_only_by_its_structure_until_it_is_submitted(world, client_for, role):
    demande = draft_ready(world.structure_a, world.user("responsable"))
    url = reverse("label:demande_detail", args=[demande.pk])
    assert client_for(role).get(url).status_code == 404
    assert client_for("responsable").get(url).status_code == 200
    assert client_for("referent").get(url).status_code == 200

    services.demande_deposer(demande=demande, user=world.user("responsable"))
    response = client_for(role).get(url)
    assert response.status_code == 200
    assert "Demande de label – Structure A" in text(response)


def test_the_detail_page_shows_the_submission_and_instruction_dates(world, client_for):
    with at(D(2026, 3, 10), 14):
        demande = submitted(world)
    response = client_for("dpid").get(reverse("label:demande_detail", args=[demande.pk]))
    assert "déposée le 10 mars 2026 · instruction avant le 10 septembre 2026" in text(response)


def test_the_automatic_points_are_shown_out_of_their_maximum(world, client_for):
    demande = draft_ready(world.structure_a, world.user("responsable"))
    response = client_for("responsable").get(reverse("label:demande_detail", args=[demande.pk]))
    assert "4,5 / 4,5" in text(response)


# --- who may act ---------------------------------------------------------------------------------


def test_a_submitted_request_cannot_be_edited_by_the_structure(world, client_for):
    demande = draft_ready(world.structure_a, world.user("responsable"), engagement=False)
    url = reverse("label:demande_update", args=[demande.pk])
    client = client_for("responsable")
    assert client.post(url, {"commentaire": "Notre démarche.", "engagement": "on"}).status_code == 302
    demande.refresh_from_db()
    assert (demande.commentaire, demande.engagement) == ("Notre démarche.", True)
    deposer = client.post(reverse("label:demande_deposer", args=[demande.pk]), follow=True)
    assert "Demande déposée : elle est transmise à la DPID et ne peut plus être modifiée." in messages_of(deposer)

    assert client.post(url, {"commentaire": "Changé après dépôt.", "engagement": "on"}).status_code == 403
    evaluation = demande.evaluations.filter(evaluateur=Evaluateur.STRUCTURE).first()
    graded = {"duree_adaptee": "0", "remarque_situation": "0", "remarque_positionnement": "0"}
    graded["secret_professionnel"] = "0"
    assert client.post(reverse("label:evaluation", args=[evaluation.pk]), graded).status_code == 403
    demande.refresh_from_db()
    assert demande.commentaire == "Notre démarche."
    evaluation.refresh_from_db()
    assert evaluation.secret_professionnel == Decimal("1.5")


def test_the_structure_sees_why_it_cannot_submit(world, client_for):
    demande = draft_ready(world.structure_a, world.user("responsable"), engagement=False)
    response = client_for("responsable").post(reverse("label:demande_deposer", args=[demande.pk]), follow=True)
    assert messages_of(response) == [
        "La demande ne peut pas être déposée : l'engagement de la structure n'est pas coché."
    ]
    demande.refresh_from_db()
    assert demande.etat == EtatDemande.BROUILLON


@pytest.mark.parametrize("role", ["responsable", "referent"])
def test_the_structure_cannot_evaluate_nor_decide(world, client_for, role):
    demande = submitted(world)
    client = client_for(role)
    evaluer = {"evaluation": "Parfait.", "avis": Avis.FAVORABLE}
    assert client.post(reverse("label:demande_evaluer", args=[demande.pk]), evaluer).status_code == 403
    assert client.post(reverse("label:demande_renvoyer", args=[demande.pk]), {"motif": "x"}).status_code == 403
    control = demande.evaluations.filter(evaluateur=Evaluateur.DPID).first()
    assert client.get(reverse("label:evaluation", args=[control.pk])).status_code == 404
    demande.refresh_from_db()
    assert demande.etat == EtatDemande.DEPOSEE

    dpid_control(demande, world.user("dpid"))
    services.demande_evaluer(demande=demande, user=world.user("dpid"), evaluation="Complet.", avis=Avis.FAVORABLE)
    services.demande_avis_slai(
        demande=demande, user=world.user("slai"), avis=Avis.FAVORABLE, commentaire="", revue_conjointe=""
    )
    decision = {"decision": "accord", "motifs": ""}
    assert client.post(reverse("label:demande_decider", args=[demande.pk]), decision).status_code == 403
    demande.refresh_from_db()
    assert demande.etat == EtatDemande.AVIS_SLAI
    assert not Label.objects.exists()


def test_the_slai_of_another_territory_cannot_give_the_opinion(world, client_for):
    demande = evaluated(world)
    url = reverse("label:demande_avis_slai", args=[demande.pk])
    data = {"avis": Avis.FAVORABLE, "commentaire": "", "revue_conjointe": ""}
    client = client_for("anonyme")
    client.force_login(UserFactory(role=Role.SLAI, territoire=world.territoire_b))
    assert client.post(url, data).status_code in (403, 404)
    demande.refresh_from_db()
    assert (demande.etat, demande.avis_slai) == (EtatDemande.AVIS_DPID, "")

    response = client_for("slai").post(url, data, follow=True)
    assert "Avis du SLAI enregistré : la DPID peut décider." in messages_of(response)
    demande.refresh_from_db()
    assert (demande.etat, demande.avis_slai) == (EtatDemande.AVIS_SLAI, Avis.FAVORABLE)


def test_the_slai_below_80_percent_is_asked_for_the_joint_review(world, client_for):
    demande = evaluated(world, control=POOR, avis=Avis.DEFAVORABLE)
    url = reverse("label:demande_avis_slai", args=[demande.pk])
    data = {"avis": Avis.DEFAVORABLE, "commentaire": "Partenariat fragile.", "revue_conjointe": ""}
    response = client_for("slai").post(url, data)
    message = "La moyenne du contrôle est inférieure à 80 % : consignez la revue conjointe du siège et du SLAI."
    assert_kept_with_error(response, url, "revue_conjointe", "", message)
    assert_kept(response, url, "avis", Avis.DEFAVORABLE)
    assert_kept(response, url, "commentaire", "Partenariat fragile.")
    assert messages_of(response) == []
    assert "Contrôle de la DPID : 45,0 %" in text(response)
    demande.refresh_from_db()
    assert demande.etat == EtatDemande.AVIS_DPID


def test_the_dpid_decides_through_the_page(world, client_for):
    demande = ready_to_decide(world)
    url = reverse("label:demande_decider", args=[demande.pk])
    with at(D(2026, 3, 10)):
        client = client_for("dpid")  # sessions last a working day: sign in on the day
        response = client.post(url, {"decision": "refus", "motifs": ""})
        assert_kept_with_error(response, url, "motifs", "", "Un refus doit être motivé en fait et en droit.")
        demande.refresh_from_db()
        assert demande.etat == EtatDemande.AVIS_SLAI
        assert client.post(url, {"decision": "accord", "motifs": ""}).status_code == 302
        assert messages_of(client.get(reverse("label:home"))) == [
            "Label Référent 62 accordé jusqu'au 9 mars 2031. Préparez le courrier de décision."
        ]
    assert Label.objects.get().date_fin == D(2031, 3, 9)


@pytest.mark.parametrize("refuse", [False, True], ids=["accordee", "moratoire"])
def test_the_page_of_a_decided_request_shows_the_decision(world, client_for, refuse):
    demande = ready_to_decide(world, control=POOR if refuse else GOOD)
    with at(D(2026, 3, 10)):
        if refuse:
            services.demande_refuser(demande=demande, user=world.user("dpid"), motifs="CER insuffisants.")
        else:
            services.demande_accorder(demande=demande, user=world.user("dpid"))
        page = text(client_for("responsable").get(reverse("label:demande_detail", args=[demande.pk])))
    assert "Décision du 10 mars 2026" in page
    if refuse:
        assert "Moratoire du 10 mars 2026 au 10 septembre 2026." in page
        assert "Recours gracieux possible jusqu'au 10 mai 2026" in page
    else:
        assert "Label accordé valable jusqu'au 9 mars 2031." in page


def test_the_manager_cannot_change_anything(world, client_for):
    demande = evaluated(world, control=POOR)
    with at(D(2026, 3, 5)):
        services.demande_avis_slai(
            demande=demande, user=world.user("slai"), avis=Avis.DEFAVORABLE, commentaire="", revue_conjointe="Vu."
        )
    with at(D(2026, 3, 10)):
        services.demande_refuser(demande=demande, user=world.user("dpid"), motifs="CER insuffisants.")
    formation = FormationReferent.objects.create(
        referent=world.referent_a,
        module=ModuleFormation.objects.get(code="pssm"),
        nature="equivalence",
        date=D(2020, 5, 4),
        piece=SimpleUploadedFile("programme.pdf", b"%PDF-1.4 programme"),
    )
    pk = demande.pk
    evaluation = demande.evaluations.filter(evaluateur=Evaluateur.STRUCTURE).first()
    posts = [
        (reverse("label:demande_create"), {}),
        (reverse("label:demande_update", args=[pk]), {"commentaire": "x", "engagement": "on"}),
        (reverse("label:tirage_create", args=[pk, world.referent_a.pk]), {}),
        (reverse("label:demande_deposer", args=[pk]), {}),
        (reverse("label:demande_renvoyer", args=[pk]), {"motif": "x"}),
        (reverse("label:demande_evaluer", args=[pk]), {"evaluation": "x", "avis": Avis.FAVORABLE}),
        (reverse("label:demande_avis_slai", args=[pk]), {"avis": Avis.FAVORABLE, "revue_conjointe": "x"}),
        (reverse("label:demande_decider", args=[pk]), {"decision": "accord"}),
        (reverse("label:moratoire_update", args=[pk]), {"objectifs": "x"}),
        (reverse("label:recours_deposer", args=[pk]), {"actions_menees": "x"}),
        (reverse("label:recours_repondre", args=[pk]), {"accueilli": "1", "reponse": "x"}),
        (reverse("label:evaluation", args=[evaluation.pk]), {"duree_adaptee": "0"}),
        (reverse("label:cer_import"), {}),
        (reverse("label:formation_add", args=[world.referent_a.pk]), {}),
        (reverse("label:formation_accept", args=[formation.pk]), {}),
    ]
    with at(D(2026, 3, 20)):
        client = client_for("manager")
        statuses = {url: client.post(url, data).status_code for url, data in posts}
        # Reading is allowed.
        assert "Structure A" in text(client.get(reverse("label:home")))
        assert "Moratoire du 10 mars 2026 au 10 septembre 2026." in text(
            client.get(reverse("label:demande_detail", args=[pk]))
        )
    assert statuses == dict.fromkeys(statuses, 403)
    demande.refresh_from_db()
    assert demande.etat == EtatDemande.MORATOIRE
    assert Moratoire.objects.get().objectifs == ""
    assert not Recours.objects.exists()
    assert not Label.objects.exists()
    assert DemandeLabel.objects.count() == 1
    formation.refresh_from_db()
    assert formation.equivalence_acceptee_at is None


# --- the DPID's control grading -------------------------------------------------------------------


def test_the_dpid_control_is_hidden_from_the_structure_until_the_dpid_opinion(world, client_for):
    demande = submitted(world)
    control = demande.evaluations.filter(evaluateur=Evaluateur.DPID).first()
    url = reverse("label:evaluation", args=[control.pk])
    assert client_for("responsable").get(url).status_code == 404
    assert client_for("slai").get(url).status_code == 404
    assert client_for("dpid").get(url).status_code == 200
    detail = client_for("responsable").get(reverse("label:demande_detail", args=[demande.pk]))
    assert "Contrôle de la DPID" not in text(detail)

    graded = {
        "duree_adaptee": "1",
        "remarque_situation": "0",
        "remarque_positionnement": "2",
        "secret_professionnel": "1.5",
        "commentaire": "Remarque générale.",
    }
    for evaluation in demande.evaluations.filter(evaluateur=Evaluateur.DPID):
        response = client_for("dpid").post(reverse("label:evaluation", args=[evaluation.pk]), graded)
        assert response.status_code == 302
    response = client_for("dpid").post(
        reverse("label:demande_evaluer", args=[demande.pk]),
        {"evaluation": "Dossier complet.", "avis": Avis.FAVORABLE},
        follow=True,
    )
    assert "Évaluation enregistrée : l'avis est transmis au SLAI." in messages_of(response)

    page = client_for("responsable").get(url)
    assert page.status_code == 200
    assert "Remarque générale." in text(page)
    detail = client_for("responsable").get(reverse("label:demande_detail", args=[demande.pk]))
    assert "Contrôle de la DPID : 90,0 %" in text(detail)


# --- CER import ----------------------------------------------------------------------------------


def post_cers(client, referent, content: bytes, name="cers.json"):
    return client.post(
        reverse("label:cer_import"),
        {"referent": referent.pk, "fichier": SimpleUploadedFile(name, content, content_type="application/json")},
    )


def test_the_import_refuses_broken_json(world, client_for):
    response = post_cers(client_for("responsable"), world.referent_a, b'[{"numero_caf": "1000001",')
    assert response.status_code == 200
    page = text(response)
    assert "Fichier JSON des CER anonymisés : Le fichier n'est pas un JSON valide (ligne 1, colonne 27)." in page
    assert not CerAnonymise.objects.exists()


def test_the_import_names_the_impossible_date_and_imports_nothing(world, client_for):
    data = [cer_data("1000001"), cer_data("1000002", date_fin="2025-02-30")]
    response = post_cers(client_for("responsable"), world.referent_a, json.dumps(data).encode())
    assert response.status_code == 200
    assert "CER n° 2 : date_fin : date impossible « 2025-02-30 »" in text(response)
    assert not CerAnonymise.objects.exists()


def test_the_import_names_the_faulty_action_field(world, client_for):
    action = dict(cer_data("1").get("actions")[0], date_debut="2025-13-01")
    data = cer_data("1000001", actions=[cer_data("1")["actions"][0], action])
    response = post_cers(client_for("responsable"), world.referent_a, json.dumps(data).encode())
    assert "CER n° 1 : actions[1].date_debut (action n° 2) : date impossible « 2025-13-01 »" in text(response)
    assert not CerAnonymise.objects.exists()


def test_a_valid_file_is_imported_for_the_chosen_referent(world, client_for):
    data = [cer_data("1000001"), cer_data("1000002")]
    content = "\ufeff".encode() + json.dumps(data, ensure_ascii=False).encode()  # a BOM, as Excel writes it
    client = client_for("responsable")
    response = post_cers(client, world.autre_referent_a, content)
    assert response.status_code == 302
    assert "2 CER anonymisés ajoutés." in messages_of(client.get(response.url))
    assert sorted(CerAnonymise.objects.values_list("referent", "numero_caf")) == [
        (world.autre_referent_a.pk, "1000001"),
        (world.autre_referent_a.pk, "1000002"),
    ]
    assert set(CerAnonymise.objects.values_list("structure", flat=True)) == {world.structure_a.pk}


def test_the_import_is_only_for_the_structures_own_referents(world, client_for):
    response = post_cers(client_for("responsable"), world.referent_b, json.dumps(cer_data("1000001")).encode())
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in text(response)
    assert not CerAnonymise.objects.exists()
    assert client_for("referent").get(reverse("label:cer_import")).status_code == 403


def test_the_draw_through_the_page_shows_its_seed(world, client_for):
    demande = services.demande_create(structure=world.structure_a, user=world.user("responsable"))
    import_cers(world.structure_a, world.user("responsable"), count=7)
    url = reverse("label:tirage_create", args=[demande.pk, world.referent_a.pk])
    response = client_for("responsable").post(url, follow=True)
    tirage = TirageCer.objects.get()
    assert messages_of(response) == [f"5 CER tirés au sort pour Anne Alpha (graine {tirage.seed})."]
    assert f"5 CER sur 7 déposés · graine {tirage.seed} · le 2 mars 2026" in text(response)
    again = client_for("responsable").post(url, follow=True)
    assert messages_of(again) == ["Le tirage de ce référent a déjà été fait : il ne peut pas être refait."]
    assert TirageCer.objects.count() == 1


# --- the structure's label status ----------------------------------------------------------------


def test_the_home_page_of_an_unlabelled_structure(world, client_for):
    page = text(client_for("responsable").get(reverse("label:home")))
    assert "Situation de Structure A" in page
    assert "Non labellisée" in page
    assert "Aucune demande de label pour l'instant." in page


def test_the_home_page_shows_the_end_of_the_label_in_french(world, client_for):
    with at(D(2026, 3, 3)):
        demande = ready_to_decide(world)
    with at(D(2026, 3, 10)):
        services.demande_accorder(demande=demande, user=world.user("dpid"))
    with at(D(2026, 6, 1)):
        page = text(client_for("referent").get(reverse("label:home")))
    assert "Labellisée" in page and "Non labellisée" not in page
    assert "Label valable du 10 mars 2026 au 9 mars 2031." in page
    with at(D(2031, 3, 10)):
        later = text(client_for("responsable").get(reverse("label:home")))
    assert "Non labellisée" in later
