"""The balance modulated by results, on worked examples, with the calculation shown line by line."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from financement import services, workflow
from financement.enums import ModeleCout
from financement.models import Convention, EcheanceVersement, IndicateurQualitatif
from financement.solde import calcul_solde
from tests.factories import StructureFactory
from tests.financement.factories import validate_final_bilan

pytestmark = pytest.mark.django_db


@pytest.fixture
def solidarite(dpid):
    """Référent solidarité: 166 places at 80 € (seed 000 l. 124), 50 % quantitative, qualitative
    15 % procedures and 35 % pathways; an advance of half the amount already paid."""
    convention = Convention.objects.create(
        numero="2025-00999",
        structure=StructureFactory(nom="CCAS Test"),
        intitule="le dispositif référent solidarité",
        objet="Accompagnement référent solidarité.",
        date_debut=datetime.date(2025, 1, 1),
        date_fin=datetime.date(2025, 6, 30),
        montant_max=Decimal("13280.00"),
        modele_cout=ModeleCout.PAR_PLACE,
        taux_place=Decimal("80.00"),
        places_conventionnees=166,
        part_quantitative=Decimal("50.00"),
    )
    workflow.acte_transition(acte=convention, code="envoyer", user=dpid)
    workflow.acte_transition(
        acte=convention,
        code="signer",
        user=dpid,
        signe_structure_le=datetime.date(2025, 1, 10),
        signe_departement_le=datetime.date(2025, 1, 10),
    )
    convention.refresh_from_db()
    for ordre, (famille, libelle, poids) in enumerate(
        [("Respect des procédures", "Procédures respectées", "15"), ("Qualité des parcours", "Parcours", "35")], 1
    ):
        IndicateurQualitatif.objects.create(
            convention=convention, ordre=ordre, famille=famille, libelle=libelle, poids=Decimal(poids), cible=100
        )
    advance = EcheanceVersement.objects.create(
        convention=convention, ordre=1, nature="avance", libelle="Avance", montant_prevu=Decimal("6640.00")
    )
    EcheanceVersement.objects.create(convention=convention, ordre=2, nature="solde", libelle="Solde")
    services.versement_enregistrer(
        echeance=advance,
        montant=Decimal("6640.00"),
        date_versement=datetime.date(2025, 1, 20),
        reference_mandat="AV-1",
        user=dpid,
    )
    return convention


def enter(convention, dpid, places, procedures, parcours):
    ids = {i.libelle: i.pk for i in convention.indicateurs.all()}
    services.resultats_enregistrer(
        convention=convention,
        places_realisees=places,
        etp_realises=None,
        valeurs={ids["Procédures respectées"]: Decimal(procedures), ids["Parcours"]: Decimal(parcours)},
        user=dpid,
    )
    convention = Convention.objects.get(pk=convention.pk)
    return calcul_solde(convention)


def amounts(calcul):
    return [(ligne.libelle, ligne.montant) for ligne in calcul.lignes]


def test_full_results(solidarite, dpid):
    calcul = enter(solidarite, dpid, places=180, procedures=100, parcours=100)
    assert amounts(calcul) == [
        ("Participation prévue", Decimal("13280.00")),
        ("Part quantitative (50 %)", Decimal("6640.00")),  # 180 places for 166: capped at 100 %
        ("Respect des procédures – Procédures respectées (15 %)", Decimal("1992.00")),
        ("Qualité des parcours – Parcours (35 %)", Decimal("4648.00")),
        ("Total des parts", Decimal("13280.00")),
        ("Déjà versé", Decimal("-6640.00")),
        ("Solde à verser", Decimal("6640.00")),
    ]
    assert calcul.lignes[0].detail == "166 places × 80,00\u00a0€"
    assert "180 places réalisées sur 166 places" in calcul.lignes[1].detail


def test_partial_results(solidarite, dpid):
    calcul = enter(solidarite, dpid, places=83, procedures=50, parcours=70)
    assert [montant for _, montant in amounts(calcul)] == [
        Decimal("13280.00"),
        Decimal("3320.00"),  # 13 280 × 50 % × 83/166
        Decimal("996.00"),  # 13 280 × 15 % × 50 %
        Decimal("3253.60"),  # 13 280 × 35 % × 70 %
        Decimal("7569.60"),
        Decimal("-6640.00"),
        Decimal("929.60"),
    ]
    assert all(isinstance(montant, Decimal) for _, montant in amounts(calcul))


def test_zero_results_pay_nothing_more_and_show_the_overpayment(solidarite, dpid):
    calcul = enter(solidarite, dpid, places=0, procedures=0, parcours=0)
    assert calcul.du == Decimal("0.00")
    assert calcul.solde == Decimal("0.00")
    assert calcul.trop_percu == Decimal("6640.00")
    assert "trop-perçu de 6\u00a0640,00\u00a0€" in calcul.lignes[-1].detail


def test_balance_is_paid_only_after_validation_and_at_most_the_validated_amount(solidarite, dpid):
    balance = EcheanceVersement.objects.get(convention=solidarite, nature="solde")
    # Before the final bilan is validated, the balance is neither validated nor paid.
    with pytest.raises(services.FinancementError, match="avant la validation du bilan final"):
        services.versement_enregistrer(
            echeance=balance,
            montant=Decimal("1.00"),
            date_versement=datetime.date(2025, 9, 1),
            reference_mandat="S-0",
            user=dpid,
        )
    with pytest.raises(services.FinancementError, match="avant la validation du bilan final"):
        services.solde_valider(convention=solidarite, user=dpid)
    validate_final_bilan(solidarite, dpid)
    with pytest.raises(services.FinancementError, match="après validation"):
        services.versement_enregistrer(
            echeance=balance,
            montant=Decimal("1.00"),
            date_versement=datetime.date(2025, 9, 1),
            reference_mandat="S-0",
            user=dpid,
        )
    with pytest.raises(services.FinancementError, match="Renseignez d'abord"):
        services.solde_valider(convention=solidarite, user=dpid)
    enter(solidarite, dpid, places=83, procedures=50, parcours=70)
    resultats = services.solde_valider(convention=solidarite, user=dpid)
    assert resultats.solde_valide == Decimal("929.60")
    with pytest.raises(services.FinancementError, match="ne changent plus"):
        enter(solidarite, dpid, places=166, procedures=100, parcours=100)
    with pytest.raises(services.FinancementError, match="929,60"):
        services.versement_enregistrer(
            echeance=balance,
            montant=Decimal("929.61"),
            date_versement=datetime.date(2025, 9, 1),
            reference_mandat="S-1",
            user=dpid,
        )
    versement = services.versement_enregistrer(
        echeance=balance,
        montant=Decimal("929.60"),
        date_versement=datetime.date(2025, 9, 1),
        reference_mandat="S-1",
        user=dpid,
    )
    assert versement.calcul[-1] == {
        "libelle": "Solde à verser",
        "detail": "dû − déjà versé, jamais négatif",
        "montant": "929.60",
    }


def test_flat_amount_per_places_pro_rata(dpid):
    """Nord (seed 004 l. 774): 52 500 € for 35 places, a structure funded for 35 places that fills 28."""
    convention = Convention.objects.create(
        numero="2025-00998",
        structure=StructureFactory(),
        intitule="un forfait",
        objet="Forfait.",
        date_debut=datetime.date(2025, 1, 1),
        date_fin=datetime.date(2025, 12, 31),
        montant_max=Decimal("52500.00"),
        modele_cout=ModeleCout.FORFAIT_PLACES,
        forfait_montant=Decimal("52500.00"),
        forfait_places=35,
        places_conventionnees=35,
    )
    services.resultats_enregistrer(
        convention=convention, places_realisees=28, etp_realises=None, valeurs={}, user=dpid
    )
    calcul = calcul_solde(Convention.objects.get(pk=convention.pk))
    assert calcul.base == Decimal("52500.00")
    assert calcul.du == Decimal("42000.00")  # 52 500 × 28/35
    assert calcul.complet


def test_dpid_sees_the_calculation_on_the_convention_page(client, solidarite, dpid, manager):
    enter(solidarite, dpid, places=83, procedures=50, parcours=70)
    client.force_login(manager)
    html = client.get(solidarite.get_absolute_url()).content.decode()
    assert "Solde modulé par les résultats" in html
    assert "3\u00a0253,60\u00a0€" in html and "929,60\u00a0€" in html
    assert "Valider le solde" not in html  # the manager reads only
    client.force_login(dpid)
    html = client.get(solidarite.get_absolute_url()).content.decode()
    assert "Valider le solde" not in html  # the final bilan is not validated yet
    assert "Le solde attend la validation du bilan final" in html
    validate_final_bilan(solidarite, dpid)
    html = client.get(solidarite.get_absolute_url()).content.decode()
    assert "Valider le solde" in html
    response = client.post(reverse("financement:solde_valider", args=[solidarite.pk]))
    assert response.status_code == 302
    solidarite.resultats.refresh_from_db()
    assert solidarite.resultats.solde_valide == Decimal("929.60")


def test_accompaniment_figures_prefill_the_results(client, world):
    """Structure A's two people oriented in October 2026: two in file active, no CER signed."""
    from financement.enums import IndicateurPortail
    from financement.resultats_portail import valeurs_accompagnement

    convention = world.finance.convention
    convention.places_conventionnees = 2
    convention.taux_place = Decimal("80.00")
    convention.modele_cout = ModeleCout.PAR_PLACE
    convention.part_quantitative = Decimal("50.00")
    convention.save()
    IndicateurQualitatif.objects.create(
        convention=convention,
        ordre=1,
        famille="Qualité des parcours",
        libelle="Taux de contractualisation",
        poids=Decimal("50"),
        cible=80,
        calcule=True,
        code_portail=IndicateurPortail.TAUX_CONTRACTUALISATION,
    )
    values = valeurs_accompagnement(convention, datetime.date(2026, 12, 7))
    assert values["file_active"] == 2
    assert values[IndicateurPortail.TAUX_CONTRACTUALISATION] == Decimal("0.0")
    client.force_login(world.user("dpid"))
    html = client.get(convention.get_absolute_url()).content.decode()
    assert "Pré-rempli à partir de l'accompagnement" in html
    assert "2 places réalisées sur 2 places" in html
    validate_final_bilan(convention, world.user("dpid"))
    services.solde_valider(convention=convention, user=world.user("dpid"))
    assert convention.indicateurs.get().valeur == Decimal("0.0")
