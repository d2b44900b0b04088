"""Monthly reporting (seed 004 l. 187–199): live figures, validation by the structure's
responsable, frozen figures, lateness after the 10th of the following month."""

import datetime
import html

import pytest
from django.urls import reverse

from accompagnement import indicateurs
from accompagnement.models import ReportingMensuel
from portal.audit.models import AuditEntry
from tests.accompagnement.test_indicateurs import D, at, orient, sortie


def text(response):
    return html.unescape(response.content.decode())


def detail_url(structure, year=2026, month=10):
    return reverse("accompagnement:reporting_detail", args=[structure.pk, year, month])


def valider_url(structure, year=2026, month=10):
    return reverse("accompagnement:reporting_valider", args=[structure.pk, year, month])


@pytest.fixture
def october(world):
    """Structure A in October 2026: the world's 2 entries of 1 October, one more, and 2 exits
    (a CDI, an AAH) of people who entered before."""
    orient(world.structure_a, world.referent_a, D(2026, 10, 15))
    sortie(orient(world.structure_a, world.referent_a, D(2026, 3, 1)), D(2026, 10, 20), "cdi")
    sortie(orient(world.structure_a, world.referent_a, D(2026, 4, 1)), D(2026, 10, 31), "aah")
    sortie(orient(world.structure_a, world.referent_a, D(2026, 5, 1)), D(2026, 11, 2), "cdd_court")  # November


def test_live_figures_of_a_month(world, october):
    donnees = indicateurs.reporting_donnees(world.structure_a, D(2026, 10, 1))
    assert donnees["entrees"] == 3
    assert donnees["sorties"] == 2
    assert donnees["sorties_dynamiques"] == 1
    assert donnees["par_categorie"]["emploi_durable"] == 1
    assert donnees["par_categorie"]["situation_financiere"] == 1
    assert donnees["par_motif"]["aah"] == 1
    # 31 October: the 3 entries and the one leaving 2 November; the AAH exit ended that day.
    assert donnees["file_active"] == 4


@at(D(2026, 11, 5))
def test_detail_shows_live_figures_then_validation_freezes_them(client_for, world, october):
    client = client_for("responsable")
    response = client.get(detail_url(world.structure_a))
    body = text(response)
    assert "Reporting d'octobre 2026 – Structure A" in body
    assert "À valider" in body
    assert "Emploi durable – CDI" in body
    assert "Valider le reporting" in body

    response = client.post(valider_url(world.structure_a), follow=True)
    assert "Reporting d'octobre 2026 validé : ses chiffres sont figés." in text(response)
    reporting = ReportingMensuel.objects.get(structure=world.structure_a, mois=D(2026, 10, 1))
    assert reporting.valide_par == world.user("responsable")
    assert reporting.donnees["sorties"] == 2
    assert indicateurs.reporting_is_validated(world.structure_a, D(2026, 10, 17))
    assert AuditEntry.objects.filter(object_id=str(reporting.pk), action="creation").exists()

    # A late entry of an October exit does not change the validated figures.
    sortie(orient(world.structure_a, world.referent_a, D(2026, 6, 1)), D(2026, 10, 25), "cdi")
    body = text(client.get(detail_url(world.structure_a)))
    assert "Validé" in body and "5 novembre 2026" in body
    assert "Chiffres figés à la validation." in body
    assert "Valider le reporting" not in body
    assert client.get(detail_url(world.structure_a)).context["donnees"]["sorties"] == 2

    again = client.post(valider_url(world.structure_a), follow=True)
    assert "Action déjà effectuée." in text(again)
    assert ReportingMensuel.objects.count() == 1


@at(D(2026, 11, 5))
def test_the_current_month_cannot_be_validated(client_for, world):
    client = client_for("responsable")
    body = text(client.get(detail_url(world.structure_a, 2026, 11)))
    assert "Le mois n'est pas terminé" in body
    assert "Valider le reporting" not in body
    response = client.post(valider_url(world.structure_a, 2026, 11), follow=True)
    assert "Le mois n'est pas terminé" in text(response)
    assert not ReportingMensuel.objects.exists()


@at(D(2026, 11, 5))
@pytest.mark.parametrize("role", ["referent", "slai", "dpid", "manager", "admin"])
def test_only_the_structures_responsable_validates(client_for, world, role):
    client = client_for(role)
    assert "Valider le reporting" not in text(client.get(detail_url(world.structure_a)))
    assert client.post(valider_url(world.structure_a)).status_code == 403
    assert not ReportingMensuel.objects.exists()


@at(D(2026, 11, 5))
def test_another_structures_reporting_is_out_of_scope(client_for, world):
    client = client_for("responsable")
    assert client.get(detail_url(world.structure_b)).status_code == 404
    assert client.post(valider_url(world.structure_b)).status_code == 404
    assert client_for("slai").get(detail_url(world.structure_b)).status_code == 404
    assert client.get(detail_url(world.structure_a, 2026, 13)).status_code == 404
    assert client.get(detail_url(world.structure_a, 2027, 1)).status_code == 404  # the future
    assert not ReportingMensuel.objects.exists()


@at(D(2026, 11, 5))
def test_a_referent_reads_the_structures_months_without_a_validate_button(client_for, world):
    body = text(client_for("referent").get(reverse("accompagnement:reporting_list")))
    assert "Reporting mensuel – Structure A" in body
    assert "Vérifier et valider" not in body
    assert "Vérifier et valider" in text(client_for("responsable").get(reverse("accompagnement:reporting_list")))


def test_late_after_the_10th_of_the_following_month(client_for, world):
    assert indicateurs.reporting_date_limite(D(2026, 10, 1)) == D(2026, 11, 10)
    with at(D(2026, 11, 10)):
        rows = client_for("responsable").get(reverse("accompagnement:reporting_list")).context["rows"]
        october = next(row for row in rows if row["mois"] == D(2026, 10, 1))
        assert october["termine"] and not october["en_retard"]
        assert rows[0]["mois"] == D(2026, 11, 1) and not rows[0]["termine"]
    with at(D(2026, 11, 11)):
        response = client_for("responsable").get(reverse("accompagnement:reporting_list"))
        october = next(row for row in response.context["rows"] if row["mois"] == D(2026, 10, 1))
        assert october["en_retard"]
        assert "En retard" in text(response)


def test_departement_sees_every_structure_of_a_month_and_who_is_late(client_for, world):
    with at(D(2026, 11, 5)):
        client_for("responsable").post(valider_url(world.structure_a))
    with at(D(2026, 11, 12)):
        response = client_for("dpid").get(reverse("accompagnement:reporting_list"), {"mois": "2026-10"})
        body = text(response)
        states = {structure.nom: etat for structure, etat in response.context["rows"]}
        assert set(states) == {"Structure A", "Structure B"}
        assert states["Structure A"]["reporting"] is not None
        assert states["Structure B"]["en_retard"]
        assert "1 structure en retard." in body
        assert "Validé le 5 novembre 2026" in html.unescape(html.unescape(body)).replace("</span>", "")
        # SLAI of territory A: only the structures working on its territory.
        response = client_for("slai").get(reverse("accompagnement:reporting_list"), {"mois": "2026-10"})
        assert [structure.nom for structure, _ in response.context["rows"]] == ["Structure A"]
        assert response.context["en_retard"] == 0


@pytest.mark.parametrize("count", [3, 30])
@at(D(2026, 11, 12))
def test_reporting_list_query_count_is_bounded(client_for, world, count, django_assert_max_num_queries):
    from tests.factories import StructureFactory

    for i in range(count):
        structure = StructureFactory(nom=f"Structure {i:02d}", territoires=[world.territoire_a])
        orient(structure, None, D(2026, 9, 1))
    client = client_for("dpid")
    with django_assert_max_num_queries(8):
        response = client.get(reverse("accompagnement:reporting_list"), {"mois": "2026-10"})
    assert response.context["en_retard"] == count + 2


def test_validated_at_is_a_datetime(world):
    with at(D(2026, 11, 3)):
        reporting = indicateurs.reporting_validate(
            structure=world.structure_a, mois=D(2026, 10, 1), user=world.user("responsable")
        )
    assert isinstance(reporting.valide_le, datetime.datetime)
