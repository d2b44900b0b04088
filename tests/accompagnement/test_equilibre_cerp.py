"""Seed 003's équilibré rules and the duration of a CER (issue 14, items 8 and 10), with time
frozen at their boundaries. The world's people were oriented on 1 October 2026."""

import datetime
import html
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from accompagnement.models import Beneficiaire, Cer, Entretien, Orientation, TypeAccompagnement
from accompagnement.selectors import next_steps, referent_loads
from portal.echeances.services import items_for
from portal.referentiels.models import Referent
from tests.accompagnement.test_echeances import CER, RDV, at
from tests.accompagnement.test_suivi import cer_post
from tests.factories import ReferentFactory

D = datetime.date


def text(response):
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


def equilibre(orientation):
    kind = TypeAccompagnement.objects.get(code="equilibre")
    orientation.type_accompagnement = kind
    for name, value in kind.date_limits(orientation.date_orientation).items():
        setattr(orientation, name, value)
    orientation.save()
    return orientation


# --- équilibré: the accueil phase ------------------------------------------------------------


def test_the_equilibre_kinds_rules_come_from_seed_003(db):
    kind = TypeAccompagnement.objects.get(code="equilibre")
    assert (kind.delai_premier_rdv_jours, kind.delai_cer_jours, kind.rdv_physiques, kind.duree_cer_mois) == (
        15,
        15,
        12,
        6,
    )
    assert (kind.places_par_etp_min, kind.places_par_etp) == (Decimal("55"), Decimal("70"))


def test_the_equilibre_contract_is_signed_within_the_15_day_accueil_phase(world):
    orientation = equilibre(world.orientation_a)
    assert (orientation.date_limite_premier_rdv, orientation.date_limite_cer) == (D(2026, 10, 16), D(2026, 10, 16))
    with at(D(2026, 10, 16), 23, 59):
        steps = {step.label: step for step in next_steps(orientation, D(2026, 10, 16))}
        assert not steps["CER à signer"].is_late
        rules = {
            item.echeance.code: item.rule for item in items_for(world.user("referent")) if item.obj == orientation
        }
    assert (
        rules[CER]
        == "CER à signer dans les 15 jours suivant l'orientation (accompagnement équilibré social-professionnel)"
    )
    assert rules[RDV] == (
        "Premier rendez-vous dans les 15 jours suivant l'orientation (accompagnement équilibré social-professionnel)"
    )
    with at(D(2026, 10, 17), 0, 0):
        steps = {step.label: step for step in next_steps(orientation, D(2026, 10, 17))}
        assert steps["CER à signer"].is_late


def test_a_solidarite_contract_keeps_its_two_months(world):
    assert world.orientation_a2.date_limite_cer == D(2026, 12, 1)


def _orient(referent, count):
    kind = TypeAccompagnement.objects.get(code="equilibre")
    for n in range(count):
        beneficiaire = Beneficiaire.objects.create(
            numero_caf=f"77{referent.pk:03d}{n:04d}",
            nom=f"Charge{n}",
            prenom="Test",
            date_naissance=D(1985, 1, 1),
            sexe="M",
            code_postal="62000",
            commune="Arras",
            territoire=referent.structure.territoires.first(),
        )
        Orientation.objects.create(
            beneficiaire=beneficiaire,
            structure=referent.structure,
            type_accompagnement=kind,
            date_orientation=D(2026, 9, 1),
            referent=referent,
            date_affectation=D(2026, 9, 2),
            source="import",
            **kind.date_limits(D(2026, 9, 1)),
        )


@pytest.mark.parametrize(("active", "under", "full"), [(5, True, False), (6, False, False), (7, False, True)])
def test_an_equilibre_caseload_warns_under_55_as_well_as_over_70_per_etp(world, active, under, full):
    # 0,1 ETP: 5,5 → 6 people expected at least, 7 at most.
    referent = ReferentFactory(structure=world.structure_a, etp=Decimal("0.1"), type_accompagnement="equilibre")
    _orient(referent, active)
    (load,) = referent_loads(Referent.objects.filter(pk=referent.pk))
    assert (load.minimum, load.places, load.active) == (Decimal("6"), Decimal("7"), active)
    assert (load.is_under, load.is_full) == (under, full)


def test_the_assignment_form_says_a_caseload_is_under_the_minimum(world, client_for):
    referent = ReferentFactory(structure=world.structure_a, etp=Decimal("0.1"), type_accompagnement="equilibre")
    _orient(referent, 2)
    page = text(
        client_for("responsable").get(reverse("accompagnement:orientation_assign", args=[world.orientation_a.pk]))
    )
    assert (
        f"{referent.nom_complet} (Accompagnement équilibré social-professionnel, ETP 0,10) : 2 / 7 places – "
        "sous le minimum attendu (6 personnes)" in page
    )


def test_the_physical_appointments_are_counted_and_shown(world, client_for):
    orientation = equilibre(world.orientation_a)
    for day, mode, nature in [
        (D(2026, 10, 8), "physique", "premier"),
        (D(2026, 10, 29), "physique", "intermediaire"),
        (D(2026, 11, 19), "telephone", "intermediaire"),
        (D(2026, 12, 3), "physique", "intermediaire"),
    ]:
        Entretien.objects.create(orientation=orientation, date=day, mode=mode, nature=nature, presence="present")
    with at(D(2026, 12, 7)):
        page = text(client_for("referent").get(orientation.beneficiaire.get_absolute_url()))
    assert (
        "Rendez-vous physiques de la phase d'accompagnement : 2 sur 12 attendus sur la durée de l'accompagnement."
        in page
    )


# --- the duration of a CER (seed 000 l. 46) --------------------------------------------------


def test_a_first_cer_ends_after_the_kinds_six_months_when_left_blank(world, client_for):
    url = reverse("accompagnement:cer_create", args=[world.orientation_a.pk])
    with at(D(2026, 10, 20)):
        response = client_for("referent").post(url, cer_post(date_fin="", signe_le=""))
    assert response.status_code == 302
    cer = Cer.objects.get(orientation=world.orientation_a, date_debut=D(2026, 10, 16))
    assert cer.date_fin == D(2027, 4, 15)


def test_a_cer_cannot_last_longer_than_the_kinds_duration(world, client_for):
    url = reverse("accompagnement:cer_create", args=[world.orientation_a.pk])
    with at(D(2026, 10, 20)):
        client = client_for("referent")
        refused = client.post(url, cer_post(date_fin="2027-04-16", signe_le=""))
        shorter = client.post(url, cer_post(date_debut="2026-10-17", date_fin="2027-02-28", signe_le=""))
    assert refused.status_code == 200
    assert "Un CER dure 6 mois au plus en référent solidarité : il se termine au plus tard le 15 avril 2027." in text(
        refused
    )
    assert shorter.status_code == 302
    assert not Cer.objects.filter(orientation=world.orientation_a, date_debut=D(2026, 10, 16)).exists()
    assert Cer.objects.get(orientation=world.orientation_a, date_debut=D(2026, 10, 17)).date_fin == D(2027, 2, 28)


# --- the self-employed: CERP steps (seed 003 l. 870–925) ----------------------------------------


def independant(orientation):
    kind = TypeAccompagnement.objects.get(code="independants")
    orientation.cers.all().delete()
    orientation.type_accompagnement = kind
    for name, value in kind.date_limits(orientation.date_orientation).items():
        setattr(orientation, name, value)
    orientation.save()
    return orientation


def cerp(orientation, phase, debut, fin, signe=True):
    return Cer.objects.create(
        orientation=orientation,
        type="socioprofessionnel",
        phase_cerp=phase,
        date_edition=debut,
        date_debut=debut,
        date_fin=fin,
        remarque="Diagnostic de l'activité.",
        signe_le=debut if signe else None,
    )


def errors(orientation, phase, debut, fin):
    from accompagnement.cerp import cerp_errors

    return cerp_errors(Orientation.objects.get(pk=orientation.pk), phase=phase, debut=debut, fin=fin)


def test_cerp_durations_follow_the_seed(world):
    o = independant(world.orientation_a)
    assert errors(o, "diagnostic", D(2026, 10, 16), D(2027, 1, 15)) == []
    assert errors(o, "diagnostic", D(2026, 10, 16), D(2027, 1, 16)) == [
        "Le CERP n°1 (diagnostic) dure 3 mois : du 16 octobre 2026 au 15 janvier 2027."
    ]
    assert errors(o, "developpement", D(2026, 10, 16), D(2027, 4, 15)) == [
        "Le premier CERP est celui du diagnostic (3 mois) : saisissez-le d'abord."
    ]
    cerp(o, "diagnostic", D(2026, 10, 16), D(2027, 1, 15))
    assert errors(o, "developpement", D(2027, 1, 16), D(2027, 5, 15)) == [
        "Un CERP de cette étape dure 3, 6, 9 ou 12 mois (du début à la veille du même jour)."
    ]
    assert errors(o, "cessation", D(2027, 1, 16), D(2027, 10, 15)) == [
        "Un CERP de cette étape dure 3 ou 6 mois (du début à la veille du même jour)."
    ]
    cerp(o, "developpement", D(2027, 1, 16), D(2028, 1, 15))  # 12 months
    assert errors(o, "developpement", D(2028, 1, 16), D(2028, 7, 15)) == []  # the last 6: 18 months, 21 in all
    assert errors(o, "developpement", D(2028, 1, 16), D(2028, 10, 15)) == [
        "Cette étape dure 18 mois au plus : 12 mois déjà contractualisés, il en reste 6 mois.",
        "L'accompagnement dure 21 mois au plus : il se termine le 15 juillet 2028.",
    ]
    assert errors(o, "cessation", D(2028, 1, 16), D(2028, 4, 15)) == [
        "Le diagnostic a conduit à l'étape « Développement de l'activité (3, 6, 9 ou 12 mois, 18 mois au plus) » : "
        "les CERP suivants restent de cette étape."
    ]


def _steps(orientation, day):
    fresh = Orientation.objects.prefetch_related("cers", "entretiens").get(pk=orientation.pk)
    return {step.label: step for step in next_steps(fresh, day)}


def test_cerp_deadlines_with_time_frozen_at_their_boundaries(world):
    o = independant(world.orientation_a)
    assert _steps(o, D(2026, 10, 2))["CERP n°1 (diagnostic de 3 mois) à signer"].due == D(2026, 12, 1)
    cerp(o, "diagnostic", D(2026, 10, 16), D(2027, 1, 15))
    Entretien.objects.create(
        orientation=o, date=D(2026, 10, 16), mode="physique", nature="premier", presence="present"
    )
    with at(D(2027, 1, 15), 23, 59):
        steps = _steps(o, D(2027, 1, 15))
    interviews = steps["Entretiens du diagnostic (1 sur 3)"]
    assert (interviews.due, interviews.is_late) == (D(2027, 1, 15), False)
    assert steps["CERP de développement ou de cessation à signer"].due == D(2027, 1, 16)
    assert steps["Fin de l'accompagnement (21 mois au plus) : sortie"].due == D(2028, 7, 15)
    with at(D(2027, 1, 16), 0, 0):
        assert _steps(o, D(2027, 1, 16))["Entretiens du diagnostic (1 sur 3)"].is_late
    # Phase 2: one interview a month, counted from the last one attended.
    cerp(o, "cessation", D(2027, 1, 16), D(2027, 7, 15))
    Entretien.objects.create(
        orientation=o, date=D(2027, 2, 10), mode="physique", nature="intermediaire", presence="present"
    )
    with at(D(2027, 3, 10)):
        steps = _steps(o, D(2027, 3, 10))
    assert (steps["Entretien du mois (un par mois)"].due, steps["Entretien du mois (un par mois)"].is_late) == (
        D(2027, 3, 10),
        False,
    )
    assert _steps(o, D(2027, 3, 11))["Entretien du mois (un par mois)"].is_late
    assert steps["Fin du CERP : CERP suivant ou sortie"].due == D(2027, 7, 15)


def test_a_self_employed_persons_page_shows_the_cerp_steps(world, client_for):
    o = independant(world.orientation_a)
    cerp(o, "diagnostic", D(2026, 10, 16), D(2027, 1, 15))
    with at(D(2026, 12, 7)):
        page = text(client_for("referent").get(o.beneficiaire.get_absolute_url()))
    assert "Entretiens du diagnostic (0 sur 3) avant le 15 janvier 2027" in page
    assert "CERP de développement ou de cessation à signer avant le 16 janvier 2027" in page
    assert "Fin de l'accompagnement (21 mois au plus) : sortie avant le 15 juillet 2028" in page


def test_the_cer_form_asks_a_self_employed_persons_step_and_checks_its_duration(world, client_for):
    o = independant(world.orientation_a)
    url = reverse("accompagnement:cer_create", args=[o.pk])
    with at(D(2026, 10, 20)):
        client = client_for("referent")
        no_step = client.post(url, cer_post(signe_le=""))
        too_long = client.post(url, cer_post(phase_cerp="diagnostic", signe_le=""))
        ok = client.post(url, cer_post(phase_cerp="diagnostic", date_fin="2027-01-15", signe_le=""))
    assert "Ce champ est obligatoire." in text(no_step)
    assert "Le CERP n°1 (diagnostic) dure 3 mois : du 16 octobre 2026 au 15 janvier 2027." in text(too_long)
    assert ok.status_code == 302
    assert Cer.objects.get(orientation=o).phase_cerp == "diagnostic"
