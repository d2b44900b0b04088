"""Bad input on every form: French errors next to the field, what was typed kept, nothing
half-saved."""

import html

import pytest
from django.db import IntegrityError
from django.urls import reverse

from portal.audit.models import AuditEntry
from portal.referentiels.models import Contact, Referent, Structure


def structure_post(world, **overrides):
    data = {
        "nom": "Nouvelle structure",
        "forme_juridique": "association",
        "siret": "186 200 093 00083",
        "adresse": "6 rue du 29 juillet",
        "code_postal": "62000",
        "commune": "Arras",
        "territoires": [world.territoire_a.pk],
        "contacts-TOTAL_FORMS": "1",
        "contacts-INITIAL_FORMS": "0",
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "1000",
        "contacts-0-nom": "Jeanne Martin",
        "contacts-0-fonction": "Directrice",
        "contacts-0-email": "jeanne.martin@example.test",
        "contacts-0-telephone": "03 21 00 00 00",
    }
    data.update(overrides)
    return data


def test_dpid_creates_a_structure_with_contacts(client_for, world):
    response = client_for("dpid").post(reverse("referentiels:structure_create"), structure_post(world))
    structure = Structure.objects.get(siret="18620009300083")
    assert response.status_code == 302
    assert response["Location"] == reverse("referentiels:structure_detail", args=[structure.pk])
    assert list(structure.territoires.all()) == [world.territoire_a]
    assert structure.contacts.get().email == "jeanne.martin@example.test"
    entry = AuditEntry.objects.get(object_id=str(structure.pk))
    assert (entry.action, entry.user_email) == ("creation", "dpid@example.test")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("siret", "18620009300084", "clé de contrôle ne correspond pas"),
        ("siret", "123", "14 chiffres (3 saisis)"),
        ("code_postal", "620", "Le code postal doit comporter 5 chiffres."),
        ("nom", "", "Ce champ est obligatoire."),
        ("territoires", [], "Indiquez au moins un territoire d'intervention."),
        ("contacts-0-email", "pas-une-adresse", "Saisissez une adresse de courriel valide."),
    ],
)
def test_structure_form_errors_are_french_and_keep_input(client_for, world, field, value, message):
    data = structure_post(world, **{field: value})
    response = client_for("dpid").post(reverse("referentiels:structure_create"), data)
    assert response.status_code == 200
    content = html.unescape(response.content.decode())
    assert message in content
    assert "Le formulaire contient des erreurs." in content
    # What the user typed is still there.
    assert 'value="Nouvelle structure"' in content or field == "nom"
    assert 'value="6 rue du 29 juillet"' in content
    assert not Structure.objects.filter(nom="Nouvelle structure").exists()


def test_duplicate_siret_is_refused(client_for, world):
    data = structure_post(world, siret=world.structure_b.siret)
    response = client_for("dpid").post(reverse("referentiels:structure_create"), data)
    assert "Une structure avec ce SIRET existe déjà." in response.content.decode()


def test_failing_save_leaves_no_partial_rows(client_for, world, monkeypatch):
    """If saving the contacts fails, the structure itself is not saved either."""

    def broken_save(self, *args, **kwargs):
        raise IntegrityError("panne simulée")

    monkeypatch.setattr(Contact, "save", broken_save)
    client = client_for("dpid")
    client.raise_request_exception = False
    response = client.post(reverse("referentiels:structure_create"), structure_post(world))
    assert response.status_code == 500
    assert not Structure.objects.filter(siret="18620009300083").exists()
    assert not AuditEntry.objects.exists()


def test_responsable_cannot_change_identity_fields(client_for, world):
    structure = world.structure_a
    data = structure_post(world, nom="Nom piraté", siret="18620009300083", commune="Lens")
    data.update({"contacts-TOTAL_FORMS": "0"})
    response = client_for("responsable").post(reverse("referentiels:structure_update", args=[structure.pk]), data)
    assert response.status_code == 302
    structure.refresh_from_db()
    assert structure.nom == "Structure A"  # disabled field: the submitted value is ignored
    assert structure.siret != "18620009300083"
    assert structure.commune == "Lens"


def referent_post(**overrides):
    data = {
        "nom": "Nouveau",
        "prenom": "Référent",
        "email": "nouveau@example.test",
        "etp": "0,8",
        "type_accompagnement": "solidarite",
        "date_arrivee": "2026-03-02",
        "date_depart": "",
    }
    data.update(overrides)
    return data


def test_responsable_adds_a_referent_to_own_structure(client_for, world):
    response = client_for("responsable").post(reverse("referentiels:referent_create"), referent_post())
    referent = Referent.objects.get(nom="Nouveau")
    assert response.status_code == 302
    assert referent.structure == world.structure_a
    assert str(referent.etp) == "0.80"


def test_responsable_cannot_pick_another_structure(client_for, world):
    data = referent_post(structure=world.structure_b.pk)
    client_for("responsable").post(reverse("referentiels:referent_create"), data)
    assert Referent.objects.get(nom="Nouveau").structure == world.structure_a


def test_dpid_cannot_attach_referent_to_unknown_structure(client_for, world):
    response = client_for("dpid").post(reverse("referentiels:referent_create"), referent_post(structure=999999))
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not Referent.objects.filter(nom="Nouveau").exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("etp", "1,5", "L'ETP ne peut pas dépasser 1"),
        ("etp", "0", "L'ETP doit être d'au moins 0,01."),
        ("etp", "beaucoup", "Saisissez un nombre."),
        ("date_arrivee", "2026-02-31", "Saisissez une date valide."),
        ("date_depart", "2020-01-01", "La date de départ ne peut pas précéder la date d'arrivée."),
        ("type_accompagnement", "inconnu", "Sélectionnez un choix valide"),
    ],
)
def test_referent_form_errors(client_for, world, field, value, message):
    response = client_for("responsable").post(reverse("referentiels:referent_create"), referent_post(**{field: value}))
    content = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert message in content
    assert 'value="nouveau@example.test"' in content
    assert not Referent.objects.filter(nom="Nouveau").exists()
