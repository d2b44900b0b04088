"""Home pages are work queues: each role sees what waits for it, counted, linked to the filtered
list, never another territory's or structure's items, in a bounded number of SQL queries.

The world (tests/conftest.py), on 7 December 2026: structure A (Arrageois) and B (Calaisis)
each accompany people oriented on 1 October 2026 (their CER was due on 1 December: late); A's
label request awaits the SLAI's opinion, A's label has a withdrawal awaiting its observations
and a charter to examine, A's referent an earlier training to accept; one orientation file was
checked and not imported.
"""

import datetime
import html
import itertools

import pytest
import time_machine
from django.urls import reverse

from accompagnement import indicateurs
from accompagnement.models import (
    Beneficiaire,
    Cer,
    DemandeRenouvellement,
    DemandeReorientation,
    Entretien,
    Orientation,
    ProcedureSuspension,
    ReportingMensuel,
    Sortie,
    TypeAccompagnement,
)
from label.enums import EtatDemande, EtatRecours, TypeDemande
from label.models import DemandeLabel, Label, Recours
from portal.referentiels.models import Structure
from tests.factories import StructureFactory

TODAY = datetime.date(2026, 12, 7)
NOW = datetime.datetime(2026, 12, 7, 9, tzinfo=datetime.UTC)
# Every panel of every domain (label, accompagnement, calls for projects, deadlines) counts in a
# fixed number of queries; the cap is the highest role, measured with 3 and 60 items: the
# responsable, the DPID and the admin 23 (the responsable's caseload and departures panels share
# one query), the others fewer. Issue 11's budget is 25.
HOME_MAX_QUERIES = 23
_caf = itertools.count(5_000_000)


def kind():
    return TypeAccompagnement.objects.get(code="solidarite")


def person(structure, territoire, *, referent=None, oriented=datetime.date(2026, 11, 20), nom="Personne"):
    """An active orientation; oriented on 20 November its CER is not due yet (not late)."""
    beneficiaire = Beneficiaire.objects.create(
        numero_caf=str(next(_caf)),
        nom=nom,
        prenom="Test",
        date_naissance=datetime.date(1985, 3, 2),
        sexe="H",
        code_postal="62000",
        commune="Arras",
        territoire=territoire,
    )
    return Orientation.objects.create(
        beneficiaire=beneficiaire,
        structure=structure,
        type_accompagnement=kind(),
        date_orientation=oriented,
        **kind().date_limits(oriented),
        referent=referent,
        date_affectation=oriented if referent else None,
        source="saisie",
    )


def slai_decisions(orientation):
    """A suspension procedure, a reorientation and a renewal request, all waiting for the SLAI."""
    absence = Entretien.objects.create(
        orientation=orientation,
        date=datetime.date(2026, 11, 30),
        mode="physique",
        nature="intermediaire",
        presence="absent",
    )
    ProcedureSuspension.objects.create(entretien=absence, ouverte_le=absence.date)
    DemandeReorientation.objects.create(
        orientation=orientation,
        date_demande=datetime.date(2026, 11, 27),
        type_souhaite=TypeAccompagnement.objects.get(code="equilibre"),
        argumentaire="Projet professionnel.",
    )
    cer = Cer.objects.create(
        orientation=orientation,
        type="solidarite",
        date_edition=datetime.date(2026, 11, 20),
        date_debut=datetime.date(2026, 11, 20),
        date_fin=datetime.date(2027, 5, 19),
        remarque="Formation.",
        signe_le=datetime.date(2026, 11, 20),
    )
    DemandeRenouvellement.objects.create(cer=cer, date_demande=datetime.date(2026, 12, 1), argumentaire="En cours.")


def label_requests(structure, name):
    """One request in each DPID step: to control, to decide, a recours to answer; and one
    awaiting the SLAI's opinion."""
    deposee = datetime.datetime(2026, 9, 1, 10, tzinfo=datetime.UTC)
    DemandeLabel.objects.create(structure=structure, etat=EtatDemande.DEPOSEE, deposee_at=deposee)
    DemandeLabel.objects.create(structure=structure, etat=EtatDemande.AVIS_SLAI, deposee_at=deposee)
    DemandeLabel.objects.create(structure=structure, etat=EtatDemande.AVIS_DPID, deposee_at=deposee)
    refused = DemandeLabel.objects.create(
        structure=structure,
        etat=EtatDemande.MORATOIRE,
        deposee_at=deposee,
        decision_at=deposee,
        notifiee_le=datetime.date(2026, 11, 2),
    )
    Recours.objects.create(demande=refused, etat=EtatRecours.DEPOSE, depose_le=TODAY, actions_menees="Formation.")


def add_everything(world, n, side="a"):
    """n items of every kind a home page counts, on side A (structure A, territory A) or B."""
    structure = world.structure_a if side == "a" else world.structure_b
    territoire = world.territoire_a if side == "a" else world.territoire_b
    referent = world.referent_a if side == "a" else world.referent_b
    for i in range(n):
        late = person(
            structure, territoire, referent=referent, oriented=datetime.date(2026, 6, 1), nom=f"Tard{side}{i}"
        )
        person(structure, territoire, nom=f"Sansref{side}{i}")
        slai_decisions(late)
        other = StructureFactory(nom=f"Structure {side}{i}", territoires=[territoire])
        person(other, territoire, referent=None, oriented=datetime.date(2026, 9, 15), nom=f"Autre{side}{i}")
        label_requests(other, f"{side}{i}")
        Label.objects.create(
            structure=other, date_decision=datetime.date(2025, 6, 2), date_fin=datetime.date(2027, 6, 1)
        )


def home(client):
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("accounts:home"))
    assert response.status_code == 200
    return response


def panels(response):
    return {panel.title: panel for panel in response.context["panels"]}


def counts(panel):
    """{singular label: count} of a panel's counted lines."""
    return {line.singular: line.count for line in panel.counts}


def text(response):
    return html.unescape(response.content.decode())


# --- each role's queue ---------------------------------------------------------------------


def test_slai_sees_its_territory_decisions_and_label_opinions(client_for, world):
    world.parcours()  # one suspension, reorientation and renewal on orientation_a (territory A)
    add_everything(world, 2, side="b")  # the Calaisis: not the Arrageois SLAI's
    response = home(client_for("slai"))
    found = panels(response)
    decisions = found["Décisions à prendre sur mon territoire"]
    assert counts(decisions) == {
        "procédure de suspension": 1,
        "demande de réorientation": 1,
        "demande de renouvellement de CER": 1,
    }
    assert decisions.counts[0].url == reverse("accompagnement:slai_a_traiter") + "#titre-suspensions"
    label = found["Label Référent 62 : avis du SLAI"]
    assert counts(label)["avis du SLAI à donner"] == 1  # structure A's request, not B's
    assert label.counts[0].url == reverse("label:home") + "?file=avis_slai"
    assert [item.label for item in label.items] == ["Avis à donner – Structure A"]
    page = text(response)
    assert "Ce qui m'attend" in page
    assert "Structure b0" not in page
    assert "Label Référent 62 : à instruire" not in page  # the DPID's queue


def test_slai_counts_grow_with_its_own_territory_only(client_for, world):
    add_everything(world, 3, side="a")
    add_everything(world, 4, side="b")
    found = panels(home(client_for("slai")))
    assert counts(found["Décisions à prendre sur mon territoire"]) == {
        "procédure de suspension": 3,
        "demande de réorientation": 3,
        "demande de renouvellement de CER": 3,
    }
    assert counts(found["Label Référent 62 : avis du SLAI"])["avis du SLAI à donner"] == 4  # 3 + structure A's


def test_dpid_sees_label_instruction_late_reports_and_imports(client_for, world):
    add_everything(world, 2, side="a")
    add_everything(world, 1, side="b")
    response = home(client_for("dpid"))
    found = panels(response)
    label = found["Label Référent 62 : à instruire"]
    assert counts(label) == {
        "demande à contrôler": 3,
        "demande à décider": 3,
        "recours gracieux à répondre": 3,
        "retrait à décider ou à réétudier": 0,  # structure A's observations are not due yet
        "charte qualité à examiner": 1,
        "équivalence de formation à examiner": 1,
    }
    assert label.counts[1].url == reverse("label:home") + "?file=decision"
    assert len(label.items) == 5 and label.items[0].label.startswith(("À contrôler", "À décider"))
    # October's reports were due on 10 November: A, B and the 3 other structures owe one.
    reports = found["Reporting d'octobre 2026"]
    assert counts(reports) == {"structure en retard": 5}
    assert reports.counts[0].url == reverse("accompagnement:reporting_list") + "?mois=2026-10&retard=1"
    imports = found["Imports d'orientations"]
    assert counts(imports) == {"import vérifié à confirmer": 1}
    assert imports.items[0].url == reverse("accompagnement:import_detail", args=[world.import_file.pk])
    assert "Décisions à prendre sur mon territoire" not in found  # the SLAI's


def test_dpid_late_report_disappears_once_validated(client_for, world):
    ReportingMensuel.objects.create(
        structure=world.structure_a,
        mois=datetime.date(2026, 10, 1),
        valide_le=NOW,
        valide_par=world.user("responsable"),
    )
    found = panels(home(client_for("dpid")))
    reports = found["Reporting d'octobre 2026"]
    assert counts(reports) == {"structure en retard": 1}
    assert [item.label for item in reports.items] == ["Structure B"]


def test_responsable_sees_people_without_referent_reports_and_label_steps(client_for, world):
    person(world.structure_a, world.territoire_a, nom="Attente", oriented=datetime.date(2026, 11, 25))
    person(world.structure_b, world.territoire_b, nom="Ailleurs")  # structure B's
    response = home(client_for("responsable"))
    found = panels(response)
    caseload = found["File active de la structure"]
    # Late: Attente (no referent 7 days after the orientation); orientation_a and a2: CER due on
    # 1 December, not signed.
    assert counts(caseload) == {"personne avec une échéance dépassée": 3, "personne sans référent": 1}
    assert caseload.counts[1].url == reverse("accompagnement:caseload") + "?sans_referent=on"
    assert [item.label for item in caseload.items] == ["Référent à désigner – Test Attente"]
    assert caseload.items[0].overdue is True  # oriented on 25 November: due on 2 December
    reports = found["Reporting mensuel"]
    # A accompanied people in October (late since 10 November) and November (due 10 December).
    assert counts(reports) == {"reporting en retard": 1, "reporting à valider dans les délais": 1}
    assert [item.label for item in reports.items] == ["Reporting d'octobre 2026", "Reporting de novembre 2026"]
    label = found["Label Référent 62 : à faire par la structure"]
    assert [item.label for item in label.items] == ["Observations sur le retrait envisagé du label"]
    page = text(response)
    assert "Ailleurs" not in page
    assert "Décisions à prendre" not in page and "à instruire" not in page


def test_responsable_label_steps_draft_and_charter(client_for, world):
    DemandeLabel.objects.create(structure=world.structure_b, etat=EtatDemande.BROUILLON)  # B's draft
    DemandeLabel.objects.create(structure=world.structure_a, type=TypeDemande.RENOUVELLEMENT)
    with time_machine.travel(datetime.datetime(2027, 5, 20, 9, tzinfo=datetime.UTC), tick=False):
        found = panels(client_for("responsable").get(reverse("accounts:home")))
    steps = [item.label for item in found["Label Référent 62 : à faire par la structure"].items]
    assert steps == [
        "Renouvellement (procédure allégée) à compléter et déposer",
        "Observations sur le retrait envisagé du label",
        "Charte qualité de l'année 2 à déposer",  # due on 2 June 2027, the label's anniversary
    ]


def test_responsable_is_told_of_a_referent_who_left_with_people(client_for, world):
    """The departures panel appears once a referent of the structure has left while people were
    still assigned to them, and says how many; structure B's leaver is not the responsable's."""
    assert "Départs de référents" not in panels(home(client_for("responsable")))
    world.referent_b.date_depart = datetime.date(2026, 12, 1)
    world.referent_b.save()
    assert "Départs de référents" not in panels(home(client_for("responsable")))
    world.referent_a.date_depart = datetime.date(2026, 12, 1)
    world.referent_a.save()
    found = panels(home(client_for("responsable")))
    departures = found["Départs de référents"]
    assert [(item.label, item.detail, item.url) for item in departures.items] == [
        (
            "Anne Alpha a quitté la structure le 1er décembre 2026",
            "1 personne désormais sans référent : désignez leur nouveau référent.",
            reverse("accompagnement:caseload") + "?sans_referent=on",
        )
    ]
    # The caseload panel counts the person whose referent left among those without a referent,
    # as the list its count links to does, and offers to designate one.
    caseload = found["File active de la structure"]
    listed = client_for("responsable").get(caseload.counts[1].url).context["page"].paginator.count
    assert counts(caseload)["personne sans référent"] == listed == 1
    person = world.orientation_a.beneficiaire
    assert [item.label for item in caseload.items] == [f"Référent à désigner – {person.prenom} {person.nom}"]


def test_responsable_reports_are_owed_for_the_months_someone_was_accompanied(world):
    """A month is owed when an orientation began by its last day and had not ended before its
    first; a month without anyone (between two people) and a validated month are not listed."""
    structure = StructureFactory(nom="Structure Mois", territoires=[world.territoire_a])
    before = person(structure, world.territoire_a, oriented=datetime.date(2025, 3, 20), nom="Avant")
    before.date_fin = datetime.date(2026, 3, 1)  # still accompanied on 1 March
    before.save()
    june = person(structure, world.territoire_a, oriented=datetime.date(2026, 6, 30), nom="Juin")  # June's last day
    june.date_fin = datetime.date(2026, 7, 15)
    june.save()
    august = person(structure, world.territoire_a, oriented=datetime.date(2026, 8, 1), nom="Aout")
    august.date_fin = datetime.date(2026, 8, 31)
    august.save()
    person(structure, world.territoire_a, oriented=datetime.date(2026, 10, 31), nom="Octobre")  # still followed
    ReportingMensuel.objects.create(
        structure=structure, mois=datetime.date(2026, 7, 1), valide_le=NOW, valide_par=world.user("responsable")
    )
    months = indicateurs.reportings_a_valider(structure.pk, TODAY)
    # The last 12 finished months: December 2025 to November 2026; nobody in April, May and
    # September; July validated.
    assert months == [
        datetime.date(2025, 12, 1),
        datetime.date(2026, 1, 1),
        datetime.date(2026, 2, 1),
        datetime.date(2026, 3, 1),
        datetime.date(2026, 6, 1),
        datetime.date(2026, 8, 1),
        datetime.date(2026, 10, 1),
        datetime.date(2026, 11, 1),
    ]
    # The same months as the reminder's rule, month by month (accompagnement.echeances).
    for month in [datetime.date(2025, 12, 1), *(datetime.date(2026, m, 1) for m in range(1, 12))]:
        owes = indicateurs.structures_a_reporter(Structure.objects.filter(pk=structure.pk), month).exists()
        assert owes == (month in months or month == datetime.date(2026, 7, 1)), month


def test_responsable_sees_its_drafts_and_the_open_calls(client_for, world):
    """The calls for projects panel: the structure's drafts, then the published calls open today
    with the closing day of the window open today (not of another window)."""
    from aap.models import FenetreDepot
    from tests.aap.factories import make_appel, make_candidature

    with time_machine.travel(NOW, tick=False):
        ouvert = make_appel(titre="Appel ouvert", ouverture=TODAY, cloture=datetime.date(2026, 12, 31))
        FenetreDepot.objects.create(
            appel=ouvert.appel, ouverture=datetime.date(2027, 3, 1), cloture=datetime.date(2027, 3, 31)
        )
        make_appel(
            titre="Appel clos",
            annee=2025,
            ouverture=datetime.date(2026, 10, 1),
            cloture=datetime.date(2026, 11, 30),
        )
        make_appel(titre="Appel en préparation", annee=2027, published=False)
        draft = make_candidature(
            dispositif=ouvert.dispositif, structure=world.structure_a, territoire=world.territoire_a, complete=False
        )
        make_candidature(  # structure B's draft
            dispositif=ouvert.dispositif, structure=world.structure_b, territoire=world.territoire_b, complete=False
        )
    found = panels(home(client_for("responsable")))["Appels à projets"]
    assert [(item.label, item.url, item.detail) for item in found.items] == [
        (
            f"Brouillon : 1.1 Référent solidarité – {world.territoire_a.nom}",
            reverse("aap:candidature_detail", args=[draft.pk]),
            "",
        ),
        (
            "Appel ouvert",
            reverse("aap:appel_detail", args=[ouvert.appel.pk]),
            "dépôt jusqu'au 31 décembre 2026 inclus",
        ),
    ]


def test_referent_sees_own_caseload_deadlines_only(client_for, world):
    late = person(world.structure_a, world.territoire_a, referent=world.referent_a, nom="Tardive")
    late.date_limite_cer = datetime.date(2026, 11, 1)
    late.save()
    person(
        world.structure_a,
        world.territoire_a,
        referent=world.autre_referent_a,
        nom="Collegue",
        oriented=datetime.date(2026, 6, 1),
    )
    response = home(client_for("referent"))
    found = panels(response)
    caseload = found["Ma file active"]
    assert counts(caseload) == {"personne avec une échéance dépassée": 2}  # orientation_a and Tardive
    assert caseload.counts[0].url == reverse("accompagnement:caseload") + "?en_retard=on"
    assert [(item.label, item.detail) for item in caseload.items] == [
        ("Test Aubert", "CER à signer (échéance du 1er décembre 2026)"),  # oriented on 1 October
        ("Test Tardive", "CER à signer (échéance du 1er novembre 2026)"),
    ]
    deadlines = found["Mes échéances"]
    assert counts(deadlines)["échéance dépassée"] == 2
    assert deadlines.counts[0].url == reverse("echeances:list") + "?quand=retard"
    assert [item.label for item in deadlines.items][:2] == [
        "CER à signer – Test Tardive (N° CAF " + late.beneficiaire.numero_caf + ")",
        "CER à signer – Test Aubert (N° CAF 1000001)",
    ]
    page = text(response)
    assert "Collegue" not in page and "Bailly" not in page  # a colleague's people
    assert "personne sans référent" not in page  # the responsable's work


def test_manager_sees_the_activity_by_territory_not_deadlines(client_for, world):
    add_everything(world, 2, side="a")
    add_everything(world, 1, side="b")
    december = person(world.structure_a, world.territoire_a, oriented=datetime.date(2026, 12, 2), nom="Decembre")
    Cer.objects.create(
        orientation=december,
        type="solidarite",
        date_edition=datetime.date(2026, 12, 4),
        date_debut=datetime.date(2026, 12, 4),
        date_fin=datetime.date(2027, 6, 3),
        remarque="Premier CER.",
        signe_le=datetime.date(2026, 12, 4),
    )
    Sortie.objects.create(orientation=world.orientation_b, date=datetime.date(2026, 12, 3), motif="emploi")
    Orientation.objects.filter(pk=world.orientation_b.pk).update(date_fin=datetime.date(2026, 12, 3))
    response = home(client_for("manager"))
    found = panels(response)
    assert "Mes échéances" not in found  # it acts on none of them
    assert "Label Référent 62 : à instruire" not in found
    table = found["Accompagnement des bénéficiaires par territoire"].table
    rows = dict(table.rows)
    # Arrageois: orientation_a, a2, Decembre and 3 people per item; Calaisis: 3 (orientation_b left).
    assert rows["Arrageois"] == [3 + 3 * 2, 1, 1, 0]
    assert rows["Calaisis"] == [3, 0, 0, 1]
    assert table.total == [12, 1, 1, 1]
    assert table.columns[1] == "Orientations en décembre 2026"
    label = found["Label Référent 62 par territoire"].table
    # Labelled: A and its 2 neighbours, B's neighbour; in instruction: A's request and 3 others.
    assert dict(label.rows)["Arrageois"] == [3, 3]
    assert dict(label.rows)["Calaisis"] == [1, 1]
    assert label.total == [4, 4]
    assert counts(found["Reporting d'octobre 2026"]) == {"structure en retard": 5}  # watched, read-only
    page = text(response)
    assert "L'activité que je suis" in page
    assert "Ce qui m'attend" not in page


# --- bounded queries -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["slai", "dpid", "responsable", "referent", "manager", "admin"])
def test_home_queries_do_not_grow_with_the_data(client_for, world, django_assert_max_num_queries, role):
    """3 then 60 items of every kind in the user's scope (and some outside): same queries."""
    client = client_for(role)
    numbers = []
    for added in (3, 57):
        add_everything(world, added, side="a")
        add_everything(world, 1, side="b")
        with django_assert_max_num_queries(HOME_MAX_QUERIES) as captured:
            home(client)
        numbers.append(len(captured))
    assert numbers[0] == numbers[1], numbers


# --- the links lead to lists that show the counted items ----------------------------------------


@pytest.mark.parametrize("role", ["slai", "dpid", "responsable", "referent", "manager", "admin"])
def test_every_home_link_opens(client_for, world, role):
    world.parcours()
    add_everything(world, 2, side="a")
    client = client_for(role)
    found = panels(home(client))
    urls = {line.url for panel in found.values() for line in panel.counts if line.url}
    urls |= {item.url for panel in found.values() for item in panel.items if item.url}
    urls |= {panel.more_url for panel in found.values() if panel.more_url}
    assert urls
    with time_machine.travel(NOW, tick=False):
        for url in sorted(urls):
            assert client.get(url).status_code == 200, url


def test_filtered_lists_show_what_the_home_page_counts(client_for, world):
    add_everything(world, 2, side="a")
    with time_machine.travel(NOW, tick=False):
        dpid = client_for("dpid")
        for key, expected in (("controle", 2), ("decision", 2), ("recours", 2)):
            page = dpid.get(reverse("label:home") + f"?file={key}").context["page"]
            assert page.paginator.count == expected, key
        late = dpid.get(reverse("accompagnement:reporting_list") + "?mois=2026-10&retard=1")
        assert sorted(structure.nom for structure, _ in late.context["rows"]) == [
            "Structure A",
            "Structure B",
            "Structure a0",
            "Structure a1",
        ]
        assert dpid.get(reverse("label:chartes") + "?a_examiner=1").context["page"].paginator.count == 1
        person(world.structure_a, world.territoire_a, referent=world.referent_a, oriented=datetime.date(2026, 9, 1))
        referent = client_for("referent")
        counted = counts(panels(referent.get(reverse("accounts:home")))["Ma file active"])
        caseload = referent.get(reverse("accompagnement:caseload") + "?en_retard=on").context["page"]
        # orientation_a and the person oriented on 1 September: CER due, not signed.
        assert caseload.paginator.count == counted["personne avec une échéance dépassée"] == 2
        overdue = referent.get(reverse("echeances:list") + "?quand=retard").context["page"].object_list
        assert overdue and all(item.is_overdue for item in overdue)
        upcoming = referent.get(reverse("echeances:list") + "?quand=proches").context["page"].object_list
        assert all(not item.is_overdue for item in upcoming)
