"""Diagnostics, prescriptions, weekly hours, the exit with its mandatory final bilan, the SLAI's
suspension decisions and its "À traiter" page; the record's and the list's query counts."""

import datetime
import html
import re

import pytest
import time_machine
from django.urls import reverse

from accompagnement.enums import EtatDemande
from accompagnement.models import (
    ActiviteHebdomadaire,
    Beneficiaire,
    DemandeReorientation,
    Diagnostic,
    Entretien,
    Orientation,
    Prescription,
    ProcedureSuspension,
    Sortie,
    TypeAccompagnement,
)
from portal.accounts.enums import Role
from portal.audit.models import AuditEntry
from tests.factories import UserFactory

TODAY = datetime.datetime(2026, 11, 25, 9, tzinfo=datetime.UTC)  # a Wednesday


def text(response):
    return html.unescape(response.content.decode())


def record(client, orientation):
    return text(client.get(reverse("accompagnement:beneficiaire_detail", args=[orientation.beneficiaire_id])))


def diagnostic_post(prefix="", **overrides):
    data = {"date": "2026-11-20", "moment": "entree", "freins": ["mobilite"], "atouts": "", "synthese": "Permis B."}
    data.update(overrides)
    return {f"{prefix}{key}": value for key, value in data.items()}


@time_machine.travel(TODAY)
def test_diagnostics_and_prescriptions_in_the_browser(client_for, world):
    orientation = world.orientation_a
    client = client_for("referent")
    url = reverse("accompagnement:diagnostic_create", args=[orientation.pk])
    assert "la date ne peut pas être future" in text(client.post(url, diagnostic_post(date="2026-12-01")))
    assert client.post(url, diagnostic_post()).status_code == 302
    assert Diagnostic.objects.get().freins == ["mobilite"]
    url = reverse("accompagnement:prescription_create", args=[orientation.pk])
    data = {
        "date": "2026-11-24",
        "action": "Atelier mobilité",
        "organisme": "Auto-école sociale",
        "dispositif_departemental": "on",
        "argumentaire": "",
    }
    assert "Ce champ est obligatoire." in text(client.post(url, data))
    data["argumentaire"] = "Le permis lève le frein mobilité repéré au diagnostic."
    assert client.post(url, data).status_code == 302
    prescription = Prescription.objects.get()
    url = reverse("accompagnement:prescription_update", args=[prescription.pk])
    assert client.post(url, {"statut": "realisee"}).status_code == 302
    assert "Action déjà effectuée." in text(client.post(url, {"statut": "realisee"}))
    assert client_for("slai").post(url, {"statut": "abandonnee"}).status_code == 403
    prescription.refresh_from_db()
    assert prescription.statut == "realisee"
    page = record(client, orientation)
    assert "Diagnostic 360° – à l'entrée" in page
    assert "Prescription « Atelier mobilité » (Auto-école sociale) : réalisée" in page
    assert AuditEntry.objects.filter(object_id=str(orientation.beneficiaire_id), action="modification").count() == 3


@time_machine.travel(TODAY)
def test_weekly_hours_for_the_equilibre_accompaniment(client_for, world):
    orientation = world.orientation_a
    client = client_for("referent")
    url = reverse("accompagnement:activite_create", args=[orientation.pk])
    # Not offered to a référent solidarité accompaniment, even by a forged POST.
    assert "concerne l'accompagnement équilibré" in text(client.get(url))
    assert "concerne l'accompagnement équilibré" in text(client.post(url, {"semaine": "2026-11-16", "heures": "16"}))
    assert not ActiviteHebdomadaire.objects.exists()
    orientation.type_accompagnement = TypeAccompagnement.objects.get(code="equilibre")
    orientation.save()
    assert client.post(url, {"semaine": "2026-11-19", "heures": "16,5"}).status_code == 302  # a Thursday
    assert client.post(url, {"semaine": "2026-11-23", "heures": "9"}).status_code == 302
    assert ActiviteHebdomadaire.objects.get(heures=16.5).semaine == datetime.date(2026, 11, 16)  # its Monday
    assert "sont déjà saisies" in text(client.post(url, {"semaine": "2026-11-17", "heures": "4"}))
    assert "une fois la semaine commencée" in text(client.post(url, {"semaine": "2026-12-01", "heures": "4"}))
    assert ActiviteHebdomadaire.objects.count() == 2
    page = record(client, orientation)
    assert "objectif atteint" in page and "objectif non atteint" in page
    assert "16,5 h" in page
    assert client_for("slai").post(url, {"semaine": "2026-11-09", "heures": "20"}).status_code == 403
    assert ActiviteHebdomadaire.objects.count() == 2


@time_machine.travel(TODAY)
def test_exit_requires_the_final_bilan_and_leaves_the_caseload(client_for, world):
    orientation = world.orientation_a
    client = client_for("referent")
    url = reverse("accompagnement:sortie_create", args=[orientation.pk])
    page = text(client.get(url))
    assert '<optgroup label="Emploi durable">' in page
    assert 'value="reorientation"' not in page
    data = {"date": "2026-11-24", "motif": "cdi", "commentaire": ""}
    # The embedded final diagnostic is mandatory.
    assert "Ce champ est obligatoire." in text(client.post(url, data))
    assert "Sélectionnez un choix valide" in text(client.post(url, {**data, "motif": "reorientation"}))
    assert not Sortie.objects.exists()
    response = client.post(url, {**data, **diagnostic_post("diagnostic-", moment="intermediaire")})
    assert response.status_code == 302
    sortie = Sortie.objects.get()
    assert (sortie.motif, sortie.date, sortie.categorie.label) == (
        "cdi",
        datetime.date(2026, 11, 24),
        "Emploi durable",
    )
    assert Diagnostic.objects.get().moment == "final"  # the moment is fixed whatever is posted
    orientation.refresh_from_db()
    assert orientation.date_fin == datetime.date(2026, 11, 24)
    caseload = client.get(reverse("accompagnement:caseload"))
    assert orientation not in [o for o, _ in caseload.context["rows"]]
    page = record(client_for("responsable"), orientation)
    assert "Sortie le 24 novembre 2026 : Emploi durable – CDI (Emploi durable)" in page
    assert "Aucun accompagnement en cours" in page
    # Twice: the accompaniment is over.
    client_for("responsable").post(url, {**data, **diagnostic_post("diagnostic-")})
    assert Sortie.objects.count() == 1


@time_machine.travel(TODAY)
def test_exit_with_an_up_to_date_diagnostic_and_while_a_reorientation_waits(client_for, world):
    orientation = world.orientation_a
    Diagnostic.objects.create(orientation=orientation, date=datetime.date(2026, 11, 2), moment="final", synthese="S")
    client = client_for("referent")
    url = reverse("accompagnement:sortie_create", args=[orientation.pk])
    assert "déjà à jour" in text(client.get(url))
    DemandeReorientation.objects.create(
        orientation=orientation,
        date_demande=datetime.date(2026, 11, 3),
        type_souhaite=TypeAccompagnement.objects.get(code="equilibre"),
        argumentaire="A",
    )
    data = {"date": "2026-11-24", "motif": "aah"}
    assert "attend la décision du SLAI" in text(client.post(url, data))
    DemandeReorientation.objects.update(etat=EtatDemande.REFUSEE, decidee_le=datetime.date(2026, 11, 4))
    assert client.post(url, data).status_code == 302
    assert Diagnostic.objects.count() == 1 and Sortie.objects.get().motif == "aah"


@time_machine.travel(TODAY)
def test_slai_decides_the_suspension_procedure(client_for, world):
    procedure = world.parcours().suspension
    url = reverse("accompagnement:suspension_traiter", args=[procedure.pk])
    for role in ("referent", "responsable", "manager"):
        assert client_for(role).post(url, {"decision": "classee"}).status_code == 403, role
    other_slai = UserFactory(role=Role.SLAI, territoire=world.territoire_b, email="slai-b@example.test")
    client = client_for("anonyme")
    client.force_login(other_slai)
    assert client.post(url, {"decision": "classee"}).status_code == 404
    assert client.get(reverse("accompagnement:slai_a_traiter")).context["suspensions"]["total"] == 0
    procedure.refresh_from_db()
    assert procedure.traitee_le is None
    slai = client_for("slai")
    page = text(slai.get(reverse("accompagnement:slai_a_traiter")))
    assert "en attente depuis 23 jours" in page  # opened on 2 November
    response = slai.post(url, {"decision": "suspension", "commentaire": "Saisine de l'EP.", "retour": "a_traiter"})
    assert response["Location"] == reverse("accompagnement:slai_a_traiter")
    procedure.refresh_from_db()
    assert (procedure.decision, procedure.traitee_le, procedure.traitee_par) == (
        "suspension",
        TODAY.date(),
        world.user("slai"),
    )
    again = slai.post(url, {"decision": "classee"}, follow=True)
    assert "Action déjà effectuée." in text(again)
    procedure.refresh_from_db()
    assert procedure.decision == "suspension"
    assert "Procédure de suspension : Procédure de suspension engagée" in record(slai, world.orientation_a)


@time_machine.travel(TODAY)
def test_a_traiter_lists_the_oldest_first_with_a_territory_filter(client_for, world):
    parcours = world.parcours()
    absence = Entretien.objects.create(
        orientation=world.orientation_b,
        date=datetime.date(2026, 10, 1),
        mode="physique",
        nature="premier",
        presence="absent",
    )
    ProcedureSuspension.objects.create(entretien=absence, ouverte_le=absence.date)
    response = client_for("slai").get(reverse("accompagnement:slai_a_traiter"))
    assert [row["pk"] for row in response.context["suspensions"]["rows"]] == [parcours.suspension.pk]
    assert [row["pk"] for row in response.context["reorientations"]["rows"]] == [parcours.reorientation.pk]
    renouvellements = response.context["renouvellements"]["rows"]
    assert [(row["pk"], row["jours"]) for row in renouvellements] == [(parcours.renouvellement.pk, 51)]
    dpid = client_for("dpid")
    rows = dpid.get(reverse("accompagnement:slai_a_traiter")).context["suspensions"]["rows"]
    assert [row["orientation_id"] for row in rows] == [world.orientation_b.pk, world.orientation_a.pk]
    filtered = dpid.get(reverse("accompagnement:slai_a_traiter"), {"territoire": world.territoire_b.pk})
    assert filtered.context["suspensions"]["total"] == 1 and filtered.context["reorientations"]["total"] == 0
    assert "À traiter" in text(dpid.get(reverse("accounts:home"), follow=True))  # nav link
    assert ">À traiter</a>" not in text(client_for("referent").get(reverse("accompagnement:caseload")))


def add_people(world, count, start):
    kind = TypeAccompagnement.objects.get(code="solidarite")
    for n in range(start, start + count):
        beneficiaire = Beneficiaire.objects.create(
            numero_caf=f"7{n:06d}",
            nom=f"Nom{n}",
            prenom="P",
            date_naissance=datetime.date(1980, 1, 1),
            sexe="F",
            code_postal="62000",
            commune="Arras",
            territoire=world.territoire_a,
        )
        orientation = Orientation.objects.create(
            beneficiaire=beneficiaire,
            structure=world.structure_a,
            type_accompagnement=kind,
            date_orientation=datetime.date(2026, 9, 1),
            date_limite_cer=datetime.date(2026, 11, 1),
            source="import",
        )
        entretien = Entretien.objects.create(
            orientation=orientation,
            date=datetime.date(2026, 9, 10),
            mode="physique",
            nature="premier",
            presence="absent",
        )
        ProcedureSuspension.objects.create(entretien=entretien, ouverte_le=entretien.date)
        DemandeReorientation.objects.create(
            orientation=orientation, date_demande=datetime.date(2026, 9, 12), type_souhaite=kind, argumentaire="A"
        )


@pytest.mark.parametrize("role", ["slai", "dpid"])
def test_a_traiter_queries_do_not_grow(client_for, world, django_assert_max_num_queries, role):
    world.parcours()
    client = client_for(role)
    add_people(world, 3, 0)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("accompagnement:slai_a_traiter")).status_code == 200
    add_people(world, 60, 3)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("accompagnement:slai_a_traiter"))
    assert response.context["suspensions"]["total"] == 64
    assert len(response.context["suspensions"]["rows"]) == 20
    assert "Les 20 plus anciennes sur 64." in text(response)


def test_record_queries_do_not_grow(client_for, world, django_assert_max_num_queries):
    orientation = world.orientation_a
    parcours = world.parcours()
    client = client_for("referent")

    def add(start, count):
        for n in range(start, start + count):
            day = datetime.date(2026, 10, 1) + datetime.timedelta(days=n)
            Entretien.objects.create(
                orientation=orientation, date=day, mode="physique", nature="premier", presence="present"
            )
            Diagnostic.objects.create(orientation=orientation, date=day, moment="intermediaire", synthese="S")
            Prescription.objects.create(
                orientation=orientation, date=day, action=f"A{n}", organisme="O", argumentaire="A"
            )
            parcours.cer_signe.actions.create(intitule=f"I{n}", date_debut=day, date_fin=day, detail="D")

    add(0, 3)
    with django_assert_max_num_queries(30) as small:
        assert (
            client.get(reverse("accompagnement:beneficiaire_detail", args=[orientation.beneficiaire_id])).status_code
            == 200
        )
    add(3, 60)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("accompagnement:beneficiaire_detail", args=[orientation.beneficiaire_id]))
    assert len(re.findall(r"Prescription « A\d", text(response))) == 63


@time_machine.travel(TODAY)
@pytest.mark.parametrize("role", ["responsable", "referent", "slai", "dpid", "manager", "admin"])
def test_the_record_shows_each_role_what_it_may_do(client_for, world, role):
    parcours = world.parcours()
    page = record(client_for(role), world.orientation_a)
    decide = role in ("slai", "dpid", "admin")
    follow = role in ("responsable", "referent")
    assert ("Enregistrer la décision" in page) is decide  # the pending suspension procedure
    assert (reverse("accompagnement:reorientation_decider", args=[parcours.reorientation.pk]) in page) is decide
    assert (reverse("accompagnement:renouvellement_decider", args=[parcours.renouvellement.pk]) in page) is decide
    assert (reverse("accompagnement:sortie_create", args=[world.orientation_a.pk]) in page) is follow
    assert ("Demander une réorientation" in page) is False  # one is already pending
    assert "Demande de réorientation vers Accompagnement équilibré social-professionnel" in page
    assert "absence injustifiée – procédure de suspension ouverte" in page
    assert reverse("accompagnement:cer_detail", args=[parcours.cer_signe.pk]) in page
