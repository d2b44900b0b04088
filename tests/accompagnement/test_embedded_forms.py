"""Forms of the person's record, "À traiter" and the CER form: nothing typed is lost. A bad
suspension decision comes back on the page it was posted from; "Ajouter une action" works
without JavaScript; radio lists have no fake empty choice."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from accompagnement.models import Cer
from tests.accompagnement.test_cer_detail import cer_post
from tests.form_checks import assert_kept, assert_kept_with_error, parse, posted_form

TODAY = datetime.datetime(2026, 11, 25, 9, tzinfo=datetime.UTC)
CHOOSE = "Choisissez la décision sur la procédure de suspension."


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.mark.parametrize("retour", ["", "a_traiter"], ids=["fiche", "a_traiter"])
def test_suspension_decision_without_choice_comes_back_on_its_page(client_for, world, retour):
    procedure = world.parcours().suspension
    url = reverse("accompagnement:suspension_traiter", args=[procedure.pk])
    response = client_for("slai").post(url, {"commentaire": "Convocation à l'EP envisagée.", "retour": retour})
    assert_kept_with_error(response, url, "decision", "", CHOOSE)
    assert_kept(response, url, "commentaire", "Convocation à l'EP envisagée.")
    assert messages_of(response) == []
    content = response.content.decode()
    if retour:
        assert "Demandes de réorientation" in content  # the "À traiter" page
        assert 'name="retour" value="a_traiter"' in content  # a second try comes back there too
    else:
        assert "Accompagnement en cours" in content  # the person's record
    procedure.refresh_from_db()
    assert procedure.traitee_le is None


def test_suspension_forms_of_one_page_have_their_own_ids(client_for, world):
    procedure = world.parcours().suspension
    page = parse(client_for("slai").get(reverse("accompagnement:slai_a_traiter")))
    ids = [node.attrs["id"] for node in page.iter() if node.attrs.get("id", "").startswith("suspension-")]
    assert f"suspension-{procedure.pk}-decision_0" in ids
    assert len(ids) == len(set(ids))


def test_suspension_already_decided_is_said_in_a_message(client_for, world):
    procedure = world.parcours().suspension
    url = reverse("accompagnement:suspension_traiter", args=[procedure.pk])
    slai = client_for("slai")
    slai.post(url, {"decision": "classee", "retour": "a_traiter"})
    response = slai.post(url, {"decision": "suspension", "retour": "a_traiter"}, follow=True)
    assert messages_of(response)[-1] == "Action déjà effectuée."
    procedure.refresh_from_db()
    assert procedure.decision == "classee"


NEXT_CER = {"date_edition": "2026-11-20", "date_debut": "2026-11-20", "date_fin": "2027-05-19"}  # after world.cer_a


def four_actions():
    return [
        {
            "intitule": f"Action {n}",
            "date_debut": "2026-10-15",
            "date_fin": "2026-12-31",
            "detail": f"Détail de l'action {n}.",
        }
        for n in range(1, 4)
    ] + [{"intitule": "Atelier CV", "date_debut": "", "date_fin": "", "detail": ""}]


def test_add_an_action_without_javascript_keeps_everything_typed(client_for, world):
    url = reverse("accompagnement:cer_create", args=[world.orientation_a.pk])
    client = client_for("referent")
    form = posted_form(client.get(url), "")
    assert "novalidate" in form.attrs
    buttons = [n.text() for n in form.find_all(lambda n: n.tag == "button")]
    assert buttons == ["Enregistrer le CER", "Ajouter une action"]  # Enter still saves the CER
    data = cer_post(actions=four_actions(), remarque="", ajouter_action="1", **NEXT_CER)
    response = client.post(url, data)
    assert response.status_code == 200
    assert Cer.objects.filter(orientation=world.orientation_a).count() == 1  # world.cer_a only
    assert_kept(response, "", "actions-TOTAL_FORMS", "5")
    assert_kept(response, "", "actions-3-intitule", "Atelier CV")  # half typed: kept, not judged
    assert_kept(response, "", "actions-2-detail", "Détail de l'action 3.")
    assert_kept(response, "", "actions-4-intitule", "")  # the new blank row
    assert_kept(response, "", "remarque", "")
    assert "Ce champ est obligatoire" not in response.content.decode()
    assert 'class="invalid-feedback"' not in response.content.decode()

    actions = four_actions()
    actions[3].update(date_debut="2026-11-02", date_fin="2026-11-30", detail="Trois séances.")
    actions.append(
        {"intitule": "Permis B", "date_debut": "2026-11-02", "date_fin": "2027-03-31", "detail": "Code puis conduite."}
    )
    response = client.post(url, cer_post(actions=actions, **NEXT_CER))
    cer = Cer.objects.filter(orientation=world.orientation_a).exclude(pk=world.cer_a.pk).get()
    assert response["Location"] == reverse("accompagnement:cer_detail", args=[cer.pk])
    assert [a.intitule for a in cer.actions.order_by("pk")] == [
        "Action 1",
        "Action 2",
        "Action 3",
        "Atelier CV",
        "Permis B",
    ]


def test_add_an_action_on_an_edited_cer(client_for, world):
    cer = world.cer_a
    url = reverse("accompagnement:cer_update", args=[cer.pk])
    existing = cer.actions.get()
    data = cer_post(
        actions=[
            {
                "id": str(existing.pk),
                "intitule": "Logement (modifié)",
                "date_debut": "2026-10-15",
                "date_fin": "2026-12-31",
                "detail": "Dossier.",
            }
        ],
        ajouter_action="1",
    )
    response = client_for("referent").post(url, data)
    assert_kept(response, "", "actions-TOTAL_FORMS", "2")
    assert_kept(response, "", "actions-0-intitule", "Logement (modifié)")
    existing.refresh_from_db()
    assert existing.intitule == "Demande de logement social"  # nothing saved


def test_interview_presence_has_no_fake_empty_choice(client_for, world):
    url = reverse("accompagnement:entretien_create", args=[world.orientation_a.pk])
    form = posted_form(client_for("referent").get(url), "")
    presence = form.find_all(lambda n: n.tag == "input" and n.attrs.get("name") == "presence")
    assert [n.attrs["value"] for n in presence] == ["present", "excuse", "absent"]
    assert not [n for n in presence if "checked" in n.attrs]
    assert "---------" not in form.text()
    response = client_for("referent").post(url, {"date": "2026-11-20", "mode": "physique", "nature": "premier"})
    assert_kept_with_error(response, "", "presence", "", "Ce champ est obligatoire.")
    assert_kept(response, "", "date", "2026-11-20")


def test_the_page_shown_again_keeps_its_links_and_filter_on_its_own_address(client_for, world):
    """Shown again at the decision's address, "À traiter" still filters and clears on its own."""
    procedure = world.parcours().suspension
    url = reverse("accompagnement:suspension_traiter", args=[procedure.pk])
    response = client_for("dpid").post(url, {"retour": "a_traiter"})
    a_traiter = reverse("accompagnement:slai_a_traiter")
    assert posted_form(response, a_traiter).attrs["method"] == "get"
    assert f'href="{a_traiter}">Effacer les filtres' in response.content.decode()
