"""Caseloads: scoping by role (guessed ids), audited reads, orientation and referent assignment
with the capacity warning, bounded queries whatever the number of people."""

import datetime
import html
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accompagnement.models import Beneficiaire, Orientation, TypeAccompagnement
from portal.audit.models import AuditEntry

TODAY = datetime.datetime(2026, 11, 25, 9, tzinfo=datetime.UTC)


def names(response):
    return {orientation.beneficiaire.nom for orientation, _ in response.context["rows"]}


def test_each_role_sees_its_own_caseload(client_for, world):
    url = reverse("accompagnement:caseload")
    assert names(client_for("referent").get(url)) == {"Aubert"}
    assert names(client_for("responsable").get(url)) == {"Aubert", "Bailly"}
    assert names(client_for("slai").get(url)) == {"Aubert", "Bailly"}
    assert names(client_for("dpid").get(url)) == {"Aubert", "Bailly", "Carre"}


@pytest.mark.parametrize(
    ("role", "target", "status"),
    [
        ("referent", "orientation_a", 200),
        ("referent", "orientation_a2", 404),  # a colleague's person
        ("referent", "orientation_b", 404),
        ("responsable", "orientation_b", 404),
        ("slai", "orientation_b", 404),  # another territory
        ("manager", "orientation_b", 200),
    ],
)
def test_guessed_ids_are_refused(client_for, world, role, target, status):
    url = reverse("accompagnement:beneficiaire_detail", args=[getattr(world, target).beneficiaire_id])
    assert client_for(role).get(url).status_code == status


def test_reading_a_record_is_audited(client_for, world):
    beneficiaire = world.orientation_a.beneficiaire
    client_for("referent").get(reverse("accompagnement:beneficiaire_detail", args=[beneficiaire.pk]))
    entry = AuditEntry.objects.get(object_id=str(beneficiaire.pk), content_type__model="beneficiaire")
    assert (entry.action, entry.user_email) == ("lecture", "ref-a@example.test")
    # A refused read leaves no "lecture" trace.
    client_for("referent").get(
        reverse("accompagnement:beneficiaire_detail", args=[world.orientation_b.beneficiaire_id])
    )
    assert not AuditEntry.objects.filter(object_id=str(world.orientation_b.beneficiaire_id), action="lecture").exists()


def orientation_post(world, **overrides):
    data = {
        "numero_caf": "2000001",
        "nom": "Nouvelle",
        "prenom": "Personne",
        "date_naissance": "1990-02-03",
        "sexe": "F",
        "code_postal": "62000",
        "commune": "Arras",
        "territoire": world.territoire_a.pk,
        "structure": world.structure_a.pk,
        "type_accompagnement": TypeAccompagnement.objects.get(code="solidarite").pk,
        "date_orientation": "2026-11-20",
    }
    data.update(overrides)
    return data


@time_machine.travel(TODAY)
def test_slai_orients_a_person_to_a_structure_of_its_territory(client_for, world):
    client = client_for("slai")
    response = client.post(reverse("accompagnement:orientation_create"), orientation_post(world))
    beneficiaire = Beneficiaire.objects.get(numero_caf="2000001")
    assert response["Location"] == reverse("accompagnement:beneficiaire_detail", args=[beneficiaire.pk])
    orientation = beneficiaire.orientations.get()
    assert (orientation.structure, orientation.referent) == (world.structure_a, None)
    # The structure now sees the person waiting for a referent.
    page = html.unescape(client_for("responsable").get(reverse("accompagnement:caseload")).content.decode())
    assert "1 personne orientée sans référent." in page


@time_machine.travel(TODAY)
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("numero_caf", "12AB", "Le N° CAF comporte de 7 à 13 chiffres."),
        ("date_orientation", "2026-12-01", "La date d'orientation ne peut pas être dans le futur."),
        ("date_naissance", "2027-01-01", "La date de naissance doit précéder la date d'orientation."),
        ("structure", "B", "Sélectionnez un choix valide"),  # another territory's structure
    ],
)
def test_orientation_errors(client_for, world, field, value, message):
    if value == "B":
        value = world.structure_b.pk
    response = client_for("slai").post(
        reverse("accompagnement:orientation_create"), orientation_post(world, **{field: value})
    )
    content = html.unescape(response.content.decode())
    assert message in content
    assert 'value="Nouvelle"' in content
    assert not Beneficiaire.objects.filter(nom="Nouvelle").exists()


@time_machine.travel(TODAY)
def test_a_known_caf_with_another_birth_date_is_refused(client_for, world):
    data = orientation_post(world, numero_caf="1000001", date_naissance="1970-01-01")
    response = client_for("dpid").post(reverse("accompagnement:orientation_create"), data)
    assert "déjà connu avec une autre date de naissance" in html.unescape(response.content.decode())


def test_capacity_warning_when_assigning(client_for, world):
    referent = world.autre_referent_a
    referent.etp = Decimal("0.01")  # 250 places per ETP × 0.01 = 2 places (3 rounded down to 2)
    referent.save()
    orientation = world.orientation_a
    extra = Orientation.objects.create(
        beneficiaire=Beneficiaire.objects.create(
            numero_caf="3000001",
            nom="Extra",
            prenom="P",
            date_naissance=datetime.date(1980, 1, 1),
            sexe="M",
            code_postal="62000",
            commune="Arras",
            territoire=world.territoire_a,
        ),
        structure=world.structure_a,
        type_accompagnement=orientation.type_accompagnement,
        date_orientation=datetime.date(2026, 10, 5),
        date_limite_cer=datetime.date(2026, 12, 5),
        referent=referent,
        date_affectation=datetime.date(2026, 10, 6),
        source="saisie",
    )
    assert extra.referent == referent
    client = client_for("responsable")
    url = reverse("accompagnement:orientation_assign", args=[orientation.pk])
    page = html.unescape(client.get(url).content.decode())
    assert "2 / 2 places – file active complète" in page
    response = client.post(url, {"referent": referent.pk})
    assert "La file active de Bruno Bravo est complète" in html.unescape(response.content.decode())
    orientation.refresh_from_db()
    assert orientation.referent == world.referent_a  # unchanged
    response = client.post(url, {"referent": referent.pk, "confirmer": "on"})
    assert response.status_code == 302
    orientation.refresh_from_db()
    assert orientation.referent == referent


def test_another_structures_referent_cannot_be_assigned(client_for, world):
    url = reverse("accompagnement:orientation_assign", args=[world.orientation_a.pk])
    response = client_for("responsable").post(url, {"referent": world.referent_b.pk})
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert (
        client_for("responsable")
        .post(reverse("accompagnement:orientation_assign", args=[world.orientation_b.pk]), {})
        .status_code
        == 404
    )


@pytest.mark.parametrize("role", ["referent", "responsable", "slai", "dpid"])
def test_caseload_queries_do_not_grow(client_for, world, role):
    kind = TypeAccompagnement.objects.get(code="solidarite")
    client = client_for(role)
    counts = []
    for total in (10, 2000):
        existing = Beneficiaire.objects.filter(numero_caf__startswith="5").count()
        new = [
            Beneficiaire(
                numero_caf=f"5{n:07d}",
                nom=f"Nom{n}",
                prenom="P",
                date_naissance=datetime.date(1980, 1, 1),
                sexe="F",
                code_postal="62000",
                commune="Arras",
                territoire=world.territoire_a,
            )
            for n in range(existing, total)
        ]
        Beneficiaire.objects.bulk_create(new)
        Orientation.objects.bulk_create(
            Orientation(
                beneficiaire=b,
                structure=world.structure_a,
                type_accompagnement=kind,
                date_orientation=datetime.date(2026, 9, 1),
                date_limite_cer=datetime.date(2026, 11, 1),
                referent=world.referent_a,
                date_affectation=datetime.date(2026, 9, 2),
                source="import",
            )
            for b in Beneficiaire.objects.filter(numero_caf__in=[b.numero_caf for b in new])
        )
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("accompagnement:caseload"))
        assert response.status_code == 200
        assert response.context["page"].paginator.count >= total
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


CSV_HEADER = (
    "numero_caf;nom;prenom;date_naissance;sexe;code_postal;commune;territoire;"
    "siret_structure;type_accompagnement;date_orientation\n"
)


@time_machine.travel(TODAY)
def test_import_in_the_browser_flow(client_for, world):
    """Upload, preview of the report, confirm (only the valid lines when asked)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    siret = world.structure_a.siret
    content = (
        CSV_HEADER
        + f"4000001;Durand;Alice;03/04/1985;F;62000;Arras;Arrageois;{siret};solidarite;02/11/2026\n"
        + f"4000002;Martin;Bob;31/02/1980;M;62000;Arras;Arrageois;{siret};solidarite;02/11/2026\n"
    ).encode("utf-8-sig")
    client = client_for("dpid")
    response = client.post(
        reverse("accompagnement:import_upload"), {"fichier": SimpleUploadedFile("orientations.csv", content)}
    )
    detail_url = response["Location"]
    page = html.unescape(client.get(detail_url).content.decode())
    assert "ligne 3, colonne date_naissance" in page
    assert "rien ne sera importé tant que le fichier n'est pas corrigé" in page
    assert not Beneficiaire.objects.filter(numero_caf__in=["4000001", "4000002"]).exists()
    confirm_url = detail_url + "confirmer/"
    response = client.post(confirm_url, follow=True)  # without "partiel": refused
    assert "rien n'a été importé" in html.unescape(response.content.decode())
    assert not Beneficiaire.objects.filter(numero_caf="4000001").exists()
    response = client.post(confirm_url, {"partiel": "1"}, follow=True)
    assert "Orientations créées : 1" in html.unescape(response.content.decode())
    assert Orientation.objects.filter(beneficiaire__numero_caf="4000001", structure=world.structure_a).exists()
    response = client.post(confirm_url, {"partiel": "1"}, follow=True)
    assert "Action déjà effectuée" in html.unescape(response.content.decode())
    assert Orientation.objects.filter(beneficiaire__numero_caf="4000001").count() == 1


def test_import_is_a_dpid_task(client_for, world):
    for role in ("responsable", "referent", "slai", "manager"):
        assert client_for(role).get(reverse("accompagnement:import_upload")).status_code == 403


@time_machine.travel(TODAY)
@pytest.mark.parametrize("birth", ["1980-05-04", "1970-01-01"])
def test_slai_cannot_orient_or_probe_another_territorys_person(client_for, world, birth):
    """Carre (1000003) lives in the other territory: whatever the birth date typed, the SLAI learns
    nothing and orients nobody."""
    data = orientation_post(world, numero_caf="1000003", date_naissance=birth)
    response = client_for("slai").post(reverse("accompagnement:orientation_create"), data)
    content = html.unescape(response.content.decode())
    assert "ne peut pas être orientée depuis votre territoire" in content
    assert "date de naissance" not in content.split("ne peut pas être orientée")[0][-300:]
    assert world.orientation_b.beneficiaire.orientations.count() == 1


@time_machine.travel(TODAY)
def test_an_archived_person_oriented_again_comes_back_into_use(client_for, world):
    """Archived records are hidden from the SLAI; orienting the same N° CAF again reopens the
    record instead of refusing it (retention runs from the last exit)."""
    from portal.audit.models import AuditEntry

    person = world.orientation_a.beneficiaire
    Orientation.objects.filter(pk=world.orientation_a.pk).update(date_fin=datetime.date(2024, 1, 5))
    Beneficiaire.objects.filter(pk=person.pk).update(archive_le=datetime.date(2026, 1, 10))
    slai = client_for("slai")
    assert slai.get(reverse("accompagnement:beneficiaire_detail", args=[person.pk])).status_code == 404
    data = orientation_post(world, numero_caf=person.numero_caf, nom=person.nom, date_naissance="1980-05-04")
    response = slai.post(reverse("accompagnement:orientation_create"), data)
    assert response["Location"] == reverse("accompagnement:beneficiaire_detail", args=[person.pk])
    person.refresh_from_db()
    assert person.archive_le is None
    assert person.orientations.filter(date_fin__isnull=True, date_orientation=datetime.date(2026, 11, 20)).exists()
    assert AuditEntry.objects.filter(detail="désarchivé : nouvelle orientation").count() == 1


@time_machine.travel(TODAY)
def test_late_people_come_first_in_the_caseload_whatever_their_orientation_date(client_for, world):
    """A person oriented recently but whose CER is overdue is listed before older people whose
    deadlines are still ahead (the caseload is ordered in SQL, so this holds on every page)."""
    from accompagnement.models import Cer

    kind = world.orientation_a.type_accompagnement
    # world.orientation_a (1 October 2026): CER due 1 December 2026, not late on 25 November.
    Cer.objects.filter(orientation=world.orientation_a).update(signe_le=datetime.date(2026, 10, 10))
    Orientation.objects.filter(pk=world.orientation_a.pk).refresh_premiers()  # update() sends no signal
    late = Orientation.objects.create(
        beneficiaire=Beneficiaire.objects.create(
            numero_caf="3000002",
            nom="Enretard",
            prenom="P",
            date_naissance=datetime.date(1980, 1, 1),
            sexe="M",
            code_postal="62000",
            commune="Arras",
            territoire=world.territoire_a,
        ),
        structure=world.structure_a,
        type_accompagnement=kind,
        date_orientation=datetime.date(2026, 10, 20),
        date_limite_cer=datetime.date(2026, 11, 20),  # a shorter delay set when it was oriented
        referent=world.referent_a,
        date_affectation=datetime.date(2026, 10, 21),
        source="saisie",
    )
    page = html.unescape(client_for("referent").get(reverse("accompagnement:caseload")).content.decode())
    assert page.index("Enretard") < page.index("Aubert")
    assert "En retard" in page[page.index("Enretard") : page.index("Aubert")]
    assert late.pk


def test_a_caseload_line_reads_the_interviews_its_next_step_counts(world, client_for):
    """The caseload loads only what the next step reads: a self-employed person's diagnostic counts
    every interview attended (not the missed ones), an équilibré person's line only asks whether
    the first appointment was held."""
    from accompagnement.models import Entretien
    from tests.accompagnement.test_echeances import at
    from tests.accompagnement.test_equilibre_cerp import cerp, equilibre, independant, text

    o = independant(world.orientation_a)
    cerp(o, "diagnostic", datetime.date(2026, 10, 16), datetime.date(2027, 1, 15))
    for day, nature, presence in [
        (datetime.date(2026, 10, 16), "premier", "present"),
        (datetime.date(2026, 11, 5), "intermediaire", "present"),
        (datetime.date(2026, 11, 20), "intermediaire", "absent"),
    ]:
        Entretien.objects.create(orientation=o, date=day, mode="physique", nature=nature, presence=presence)
    with at(datetime.date(2026, 12, 7)):
        page = text(client_for("referent").get(reverse("accompagnement:caseload")))
    assert "Entretiens du diagnostic (2 sur 3) avant le 15 janvier 2027" in page
    other = equilibre(world.orientation_a2)  # first appointment within 15 days
    with at(other.date_limite_premier_rdv + datetime.timedelta(days=1)):
        Entretien.objects.create(
            orientation=other, date=other.date_orientation, mode="physique", nature="intermediaire", presence="present"
        )
        page = text(client_for("responsable").get(reverse("accompagnement:caseload")))
        assert "Premier rendez-vous avant" in page  # an intermediate interview is not the first appointment
        Entretien.objects.create(
            orientation=other, date=other.date_orientation, mode="physique", nature="premier", presence="present"
        )
        page = text(client_for("responsable").get(reverse("accompagnement:caseload")))
        assert "Premier rendez-vous avant" not in page
