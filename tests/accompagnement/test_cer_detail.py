"""The CER after its entry: detail page, edition of an unsigned CER, signature, closure, renewal."""

import datetime
import html

import pytest
import time_machine
from django.urls import reverse

from accompagnement.enums import EtatDemande
from accompagnement.models import Cer, DemandeRenouvellement, Diagnostic
from portal.audit.models import AuditEntry
from tests.form_checks import assert_kept_with_error

TODAY = datetime.datetime(2026, 11, 25, 9, tzinfo=datetime.UTC)
pytestmark = pytest.mark.usefixtures("frozen_today")


@pytest.fixture
def frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


def page(response):
    return html.unescape(response.content.decode())


def cer_post(actions=None, **overrides):
    """A CER form POST; `actions` is a list of dicts (with `id` for existing actions)."""
    data = {
        "type": "solidarite",
        "date_edition": "2026-10-15",
        "date_debut": "2026-10-15",
        "date_fin": "2027-04-14",
        "remarque": "Logement d'abord, puis reprise de contact avec la mission locale.",
        "signe_le": "",
    }
    actions = (
        actions
        if actions is not None
        else [
            {
                "intitule": "Demande de logement social",
                "date_debut": "2026-10-15",
                "date_fin": "2026-12-31",
                "detail": "Dossier déposé auprès du bailleur.",
            }
        ]
    )
    initial = sum(1 for action in actions if action.get("id"))
    data.update(
        {
            "actions-TOTAL_FORMS": str(len(actions)),
            "actions-INITIAL_FORMS": str(initial),
            "actions-MIN_NUM_FORMS": "0",
            "actions-MAX_NUM_FORMS": "1000",
        }
    )
    for index, action in enumerate(actions):
        for name, value in action.items():
            data[f"actions-{index}-{name}"] = value
    data.update(overrides)
    return data


def sign(client, cer, day="2026-10-20"):
    return client.post(reverse("accompagnement:cer_signer", args=[cer.pk]), {"signe_le": day})


def test_detail_shows_the_contract_its_grid_and_is_audited(client_for, world):
    response = client_for("referent").get(reverse("accompagnement:cer_detail", args=[world.cer_a.pk]))
    content = page(response)
    assert response.status_code == 200
    assert "CER solidarité de Test Aubert" in content
    assert "du 15 octobre 2026 au 14 avril 2027" in content
    assert "Demande de logement social" in content
    assert "Dossier déposé auprès du bailleur." in content
    assert "Non signé" in content
    assert "4,5 / 4,5" in content  # the automatic items of the grid
    assert reverse("accompagnement:beneficiaire_detail", args=[world.orientation_a.beneficiaire_id]) in content
    assert reverse("accompagnement:cer_update", args=[world.cer_a.pk]) in content
    assert "Enregistrer la signature" in content
    assert AuditEntry.objects.filter(
        object_id=str(world.orientation_a.beneficiaire_id), action="lecture", user=world.user("referent")
    ).exists()


def test_readers_see_the_cer_but_cannot_change_it(client_for, world):
    url = reverse("accompagnement:cer_detail", args=[world.cer_a.pk])
    for role in ("slai", "dpid", "manager"):
        content = page(client_for(role).get(url))
        assert "Demande de logement social" in content
        assert reverse("accompagnement:cer_update", args=[world.cer_a.pk]) not in content
        assert "Enregistrer la signature" not in content


def test_a_colleagues_cer_is_out_of_the_referents_scope(client_for, world):
    other = Cer.objects.create(
        orientation=world.orientation_a2,
        type="solidarite",
        date_edition=datetime.date(2026, 10, 15),
        date_debut=datetime.date(2026, 10, 15),
        date_fin=datetime.date(2027, 4, 14),
        remarque="Remarque.",
    )
    client = client_for("referent")
    assert client.get(reverse("accompagnement:cer_detail", args=[other.pk])).status_code == 404
    assert sign(client, other).status_code == 404
    other.refresh_from_db()
    assert other.signe_le is None
    assert client_for("responsable").get(reverse("accompagnement:cer_detail", args=[other.pk])).status_code == 200


def test_an_unsigned_cer_is_edited_with_its_actions(client_for, world):
    action = world.cer_a.actions.get()
    data = cer_post(
        actions=[
            {
                "id": str(action.pk),
                "intitule": "Demande de logement social",
                "date_debut": "2026-10-15",
                "date_fin": "2027-01-31",
                "detail": "Dossier déposé ; relance du bailleur en janvier.",
            },
            {
                "intitule": "Atelier collectif",
                "date_debut": "2026-11-01",
                "date_fin": "2027-03-31",
                "detail": "Atelier hebdomadaire au centre social.",
            },
        ],
        remarque="Logement d'abord ; l'atelier rompt l'isolement.",
    )
    client = client_for("referent")
    content = page(client.get(reverse("accompagnement:cer_update", args=[world.cer_a.pk])))
    assert 'value="Demande de logement social"' in content
    assert "Grille qualité du label" in content
    response = client.post(reverse("accompagnement:cer_update", args=[world.cer_a.pk]), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("accompagnement:cer_detail", args=[world.cer_a.pk])
    world.cer_a.refresh_from_db()
    assert world.cer_a.remarque == "Logement d'abord ; l'atelier rompt l'isolement."
    assert [(a.intitule, a.date_fin) for a in world.cer_a.actions.all()] == [
        ("Demande de logement social", datetime.date(2027, 1, 31)),
        ("Atelier collectif", datetime.date(2027, 3, 31)),
    ]
    assert AuditEntry.objects.filter(
        object_id=str(world.orientation_a.beneficiaire_id), action="modification", detail__contains="modifié"
    ).exists()


def test_edit_errors_keep_the_input_and_change_nothing(client_for, world):
    action = world.cer_a.actions.get()
    url = reverse("accompagnement:cer_update", args=[world.cer_a.pk])
    base_action = {
        "id": str(action.pk),
        "intitule": "Demande modifiée",
        "date_debut": "2026-10-15",
        "date_fin": "2026-12-31",
        "detail": "Dossier.",
    }
    content = page(client_for("referent").post(url, cer_post(actions=[base_action], date_fin="2026-10-01")))
    assert "La fin du CER suit son début." in content
    assert 'value="Demande modifiée"' in content
    content = page(client_for("referent").post(url, cer_post(actions=[base_action], signe_le="2026-12-01")))
    assert "La date de signature ne peut pas être dans le futur." in content
    world.cer_a.refresh_from_db()
    assert world.cer_a.date_fin == datetime.date(2027, 4, 14)
    assert world.cer_a.signe_le is None
    assert world.cer_a.actions.get().intitule == "Demande de logement social"


def test_signature_freezes_the_cer(client_for, world):
    client = client_for("referent")
    response = sign(client, world.cer_a)
    assert response.status_code == 302
    world.cer_a.refresh_from_db()
    assert world.cer_a.signe_le == datetime.date(2026, 10, 20)
    content = page(client.get(reverse("accompagnement:cer_detail", args=[world.cer_a.pk])))
    assert "Signé le 20 octobre 2026" in content
    assert reverse("accompagnement:cer_update", args=[world.cer_a.pk]) not in content
    # Editing a signed CER: refused with a message, by GET and by a forged POST.
    response = client.get(reverse("accompagnement:cer_update", args=[world.cer_a.pk]), follow=True)
    assert "Ce CER est signé : il ne peut plus être modifié" in page(response)
    client.post(reverse("accompagnement:cer_update", args=[world.cer_a.pk]), cer_post(remarque="Piratage."))
    world.cer_a.refresh_from_db()
    assert world.cer_a.remarque.startswith("Logement d'abord")
    # Signing twice.
    response = client.post(
        reverse("accompagnement:cer_signer", args=[world.cer_a.pk]), {"signe_le": "2026-10-25"}, follow=True
    )
    assert "Action déjà effectuée." in page(response)
    world.cer_a.refresh_from_db()
    assert world.cer_a.signe_le == datetime.date(2026, 10, 20)


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("2026-11-26", "La date de signature ne peut pas être dans le futur."),
        ("2026-10-14", "La signature ne peut pas précéder l'édition du CER (15 octobre 2026)."),
        ("", "Ce champ est obligatoire."),
        ("pas une date", "Saisissez une date valide."),
    ],
)
def test_signature_date_errors(client_for, world, day, message):
    client = client_for("referent")
    response = sign(client, world.cer_a, day=day)
    # The CER's page again, the date as typed in its field and the reason right under it.
    url = reverse("accompagnement:cer_signer", args=[world.cer_a.pk])
    assert_kept_with_error(response, url, "signe_le", day, message)
    assert "Demande de logement social" in page(response)
    world.cer_a.refresh_from_db()
    assert world.cer_a.signe_le is None


def test_signature_today_is_allowed(client_for, world):
    sign(client_for("responsable"), world.cer_a, day="2026-11-25")
    world.cer_a.refresh_from_db()
    assert world.cer_a.signe_le == datetime.date(2026, 11, 25)


@pytest.mark.parametrize("role", ["slai", "dpid", "manager", "admin"])
def test_forged_posts_change_nothing(client_for, world, role):
    client = client_for(role)
    pk = world.cer_a.pk
    assert sign(client, world.cer_a).status_code == 403
    assert client.post(reverse("accompagnement:cer_update", args=[pk]), cer_post(remarque="X")).status_code == 403
    closure = {"date": "2026-11-20", "synthese": "Synthèse."}
    assert client.post(reverse("accompagnement:cer_cloturer", args=[pk]), closure).status_code == 403
    world.cer_a.refresh_from_db()
    assert world.cer_a.signe_le is None and world.cer_a.cloture_le is None
    assert world.cer_a.remarque.startswith("Logement d'abord")
    assert not Diagnostic.objects.exists()


def test_closure_needs_the_updated_diagnostic(client_for, world):
    client = client_for("referent")
    url = reverse("accompagnement:cer_cloturer", args=[world.cer_a.pk])
    response = client.get(url, follow=True)
    assert "Un CER non signé ne se clôture pas" in page(response)
    sign(client, world.cer_a)
    content = page(client.get(url))
    assert "le diagnostic est actualisé à la clôture du CER" in content
    assert "Bilan final (actualisation obligatoire)" in content
    content = page(client.post(url, {"date": "2026-11-20", "synthese": ""}))
    assert "Ce champ est obligatoire." in content
    content = page(client.post(url, {"date": "2026-11-30", "synthese": "Synthèse."}))
    assert "la date ne peut pas être future" in content
    world.cer_a.refresh_from_db()
    assert world.cer_a.cloture_le is None
    assert not Diagnostic.objects.exists()

    response = client.post(
        url, {"date": "2026-11-20", "freins": ["logement"], "synthese": "Logement obtenu ; reste l'isolement."}
    )
    assert response.status_code == 302
    world.cer_a.refresh_from_db()
    assert world.cer_a.cloture_le == datetime.date(2026, 11, 25)
    diagnostic = world.cer_a.diagnostic_cloture
    assert (diagnostic.moment, diagnostic.freins, diagnostic.orientation) == (
        "final",
        ["logement"],
        world.orientation_a,
    )
    content = page(client.get(reverse("accompagnement:cer_detail", args=[world.cer_a.pk])))
    assert "Clôturé le 25 novembre 2026" in content
    assert "Logement obtenu ; reste l'isolement." in content

    response = client.post(url, {"date": "2026-11-21", "synthese": "Encore."}, follow=True)
    assert "Action déjà effectuée." in page(response)
    assert Diagnostic.objects.count() == 1


def request_renewal(world, etat):
    return DemandeRenouvellement.objects.create(
        cer=world.cer_a,
        date_demande=datetime.date(2026, 11, 20),
        argumentaire="Démarches en cours.",
        etat=etat,
        decidee_le=None if etat == EtatDemande.DEPOSEE else datetime.date(2026, 11, 24),
    )


def test_renewal_only_after_an_accepted_request(client_for, world):
    client = client_for("referent")
    sign(client, world.cer_a)
    url = reverse("accompagnement:cer_renouveler", args=[world.cer_a.pk])
    assert "Le renouvellement n'a pas été demandé au SLAI pour ce CER." in page(client.get(url, follow=True))
    demande = request_renewal(world, EtatDemande.DEPOSEE)
    assert "La demande de renouvellement n'est pas acceptée" in page(client.get(url, follow=True))
    demande.etat, demande.decidee_le = EtatDemande.REFUSEE, datetime.date(2026, 11, 24)
    demande.save()
    response = client.post(url, cer_post(date_debut="2027-04-15", date_fin="2027-10-14"), follow=True)
    assert "La demande de renouvellement n'est pas acceptée (refusée)." in page(response)
    assert Cer.objects.count() == 1


def test_renewal_prefills_the_next_cer(client_for, world):
    client = client_for("referent")
    sign(client, world.cer_a)
    request_renewal(world, EtatDemande.ACCEPTEE)
    detail = page(client.get(reverse("accompagnement:cer_detail", args=[world.cer_a.pk])))
    url = reverse("accompagnement:cer_renouveler", args=[world.cer_a.pk])
    assert url in detail
    content = page(client.get(url))
    assert 'name="date_debut" value="2027-04-15"' in content
    assert 'name="date_fin" value="2027-10-14"' in content
    assert 'name="date_edition" value="2026-11-25"' in content
    assert "Logement d'abord, puis reprise de contact avec la mission locale." in content
    assert 'value="Demande de logement social"' in content
    assert 'name="actions-0-date_debut" value="2027-04-15"' in content  # shifted with the period
    assert 'name="actions-0-date_fin" value="2027-07-01"' in content

    data = cer_post(
        date_edition="2026-11-25",
        date_debut="2027-04-15",
        date_fin="2027-10-14",
        actions=[
            {
                "intitule": "Demande de logement social",
                "date_debut": "2027-04-15",
                "date_fin": "2027-08-31",
                "detail": "Suivi de la demande.",
            }
        ],
    )
    response = client.post(url, data)
    new = Cer.objects.exclude(pk=world.cer_a.pk).get()
    assert response["Location"] == reverse("accompagnement:cer_detail", args=[new.pk])
    assert (new.renouvelle, new.orientation, new.date_debut) == (
        world.cer_a,
        world.orientation_a,
        datetime.date(2027, 4, 15),
    )
    assert "CER solidarité du 15 octobre 2026 au 14 avril 2027" in page(client.get(response["Location"]))
    assert "Action déjà effectuée." in page(client.post(url, data, follow=True))
    assert Cer.objects.count() == 2


def test_creation_leads_to_the_cer_page(client_for, world):
    client = client_for("referent")
    url = reverse("accompagnement:cer_create", args=[world.orientation_a.pk])
    content = page(client.get(url))
    assert "Grille qualité du label" in content
    assert "à compléter" in content  # nothing typed yet
    response = client.post(url, cer_post(date_debut="2027-04-15", date_fin="2027-10-14", signe_le="2026-11-01"))
    assert "La signature ne peut pas précéder l'édition du CER" not in page(response)
    new = Cer.objects.exclude(pk=world.cer_a.pk).get()
    assert response["Location"] == reverse("accompagnement:cer_detail", args=[new.pk])
    content = page(client.post(url, cer_post(date_edition="2026-11-10", signe_le="2026-11-01")))
    assert "La signature ne peut pas précéder l'édition du CER (10 novembre 2026)." in content


def test_cer_create_with_renouvelle_leads_to_the_renewal(client_for, world):
    client = client_for("referent")
    sign(client, world.cer_a)
    request_renewal(world, EtatDemande.ACCEPTEE)
    url = reverse("accompagnement:cer_create", args=[world.orientation_a.pk])
    response = client.get(url, {"renouvelle": world.cer_a.pk})
    assert response["Location"] == reverse("accompagnement:cer_renouveler", args=[world.cer_a.pk])
    assert client.get(url, {"renouvelle": "abc"}).status_code == 404
    other_orientation = reverse("accompagnement:cer_create", args=[world.orientation_a2.pk])
    assert client_for("responsable").get(other_orientation, {"renouvelle": world.cer_a.pk}).status_code == 404


def test_an_edit_removes_the_actions_marked_for_deletion_and_keeps_the_cer_record(client_for, world):
    """The service receives the actions kept as values (services take values, not forms): the
    one marked for deletion goes, the new one is created, the CER keeps its pk and author."""
    action = world.cer_a.actions.get()
    author = world.cer_a.created_by_id
    data = cer_post(
        actions=[
            {
                "id": str(action.pk),
                "intitule": "Demande de logement social",
                "date_debut": "2026-10-15",
                "date_fin": "2026-12-31",
                "detail": "Dossier déposé.",
                "DELETE": "on",
            },
            {
                "intitule": "Atelier collectif",
                "date_debut": "2026-11-01",
                "date_fin": "2027-03-31",
                "detail": "Atelier hebdomadaire au centre social.",
            },
        ]
    )
    response = client_for("referent").post(reverse("accompagnement:cer_update", args=[world.cer_a.pk]), data)
    assert response.status_code == 302
    world.cer_a.refresh_from_db()
    assert [a.intitule for a in world.cer_a.actions.all()] == ["Atelier collectif"]
    assert world.cer_a.created_by_id == author
    assert not world.cer_a.actions.filter(pk=action.pk).exists()


def test_cer_services_take_values_not_forms():
    """No service of accompagnement receives a bound form (issue 14, item 12)."""
    import inspect

    from accompagnement import services
    from accompagnement.services import cer, imports, parcours

    for module in (services, cer, imports, parcours):
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ != module.__name__:
                continue
            parameters = inspect.signature(function).parameters
            assert not [p for p in parameters if p == "form" or p.endswith("_form")], f"{module.__name__}.{name}"
