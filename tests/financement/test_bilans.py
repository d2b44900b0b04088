"""Bilans: due dates (DOMAIN.md §6), pre-filled figures, states with their log, the balance that
waits for the final bilan, the pages and their forms, reminders through the deadline engine."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from financement import bilans, services, workflow
from financement.enums import EtatBilan, NatureBilan, RegleBilan
from financement.models import Avenant, Bilan, Convention, EcheanceVersement, LigneAnnexe, TransitionBilan
from tests.factories import StructureFactory, UserFactory
from tests.financement.factories import validate_final_bilan

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _convention(numero, debut, fin, regle=RegleBilan.MARS_N1, structure=None, sign_on=None):
    convention = Convention.objects.create(
        numero=numero,
        structure=structure or StructureFactory(),
        intitule="une opération de test",
        objet="Opération.",
        date_debut=debut,
        date_fin=fin,
        montant_max=Decimal("10000.00"),
        regle_bilan=regle,
    )
    workflow.acte_transition(acte=convention, code="envoyer", user=None)
    signed = sign_on or debut
    return workflow.acte_transition(
        acte=convention, code="signer", user=None, signe_structure_le=signed, signe_departement_le=signed
    )


def _dates(convention):
    return [(b.nature, b.periode_fin, b.date_limite) for b in convention.bilans.order_by("date_limite", "nature")]


# --- due dates ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_24_month_operation_has_an_intermediate_bilan_by_31_march_after_its_first_year():
    """Seed 003 l. 328: operation from 01/01/2024, intermediate bilan by 31/03/2025, final by 31
    March N+1."""
    convention = _convention("2024-00001", datetime.date(2024, 1, 1), datetime.date(2025, 12, 31))
    assert _dates(convention) == [
        (NatureBilan.INTERMEDIAIRE, datetime.date(2024, 12, 31), datetime.date(2025, 3, 31)),
        (NatureBilan.FINAL, datetime.date(2025, 12, 31), datetime.date(2026, 3, 31)),
    ]


@pytest.mark.django_db
def test_final_bilan_rules_equilibre_and_pas_de_calais_actif():
    one_year = (datetime.date(2025, 1, 1), datetime.date(2025, 6, 30))
    mars = _convention("2025-00001", *one_year)
    six = _convention("2025-00002", *one_year, regle=RegleBilan.SIX_MOIS)
    trois = _convention("2025-00003", *one_year, regle=RegleBilan.TROIS_MOIS)
    assert _dates(mars) == [(NatureBilan.FINAL, datetime.date(2025, 6, 30), datetime.date(2026, 3, 31))]
    assert _dates(six) == [(NatureBilan.FINAL, datetime.date(2025, 6, 30), datetime.date(2025, 12, 30))]
    assert _dates(trois) == [(NatureBilan.FINAL, datetime.date(2025, 6, 30), datetime.date(2025, 9, 30))]


@pytest.mark.django_db
def test_no_bilan_before_signature_and_an_avenant_moves_the_open_final_bilan():
    convention = Convention.objects.create(
        numero="2025-00004",
        structure=StructureFactory(),
        intitule="x",
        objet="x",
        date_debut=datetime.date(2025, 1, 1),
        date_fin=datetime.date(2025, 6, 30),
        montant_max=Decimal("1000.00"),
        regle_bilan=RegleBilan.SIX_MOIS,
    )
    assert not bilans.synchroniser(convention)
    workflow.acte_transition(acte=convention, code="envoyer", user=None)
    convention = workflow.acte_transition(
        acte=convention,
        code="signer",
        user=None,
        signe_structure_le=datetime.date(2025, 1, 5),
        signe_departement_le=datetime.date(2025, 1, 5),
    )
    avenant = Avenant.objects.create(
        convention=convention,
        numero=1,
        articles_modifies="3",
        objet="Prolongation.",
        nouvelle_date_fin=datetime.date(2025, 12, 31),
    )
    workflow.acte_transition(acte=avenant, code="envoyer", user=None)
    workflow.acte_transition(
        acte=avenant,
        code="signer",
        user=None,
        signe_structure_le=datetime.date(2025, 6, 1),
        signe_departement_le=datetime.date(2025, 6, 1),
    )
    assert _dates(convention) == [(NatureBilan.FINAL, datetime.date(2025, 12, 31), datetime.date(2026, 6, 30))]
    assert Bilan.objects.filter(convention=convention).count() == 1


def test_demo_bilans_follow_seed_003(demo_deliberation):
    """Pas-de-Calais Actif (01/07/2023–31/12/2025): intermediate by 31/03/2025, final within 3
    months of the end (seed 003 l. 935); CCAS de Liévin's référent solidarité: 31 March N+1."""
    pdca = Convention.objects.get(numero="2024-01213")
    assert pdca.regle_bilan == RegleBilan.TROIS_MOIS
    assert _dates(pdca) == [
        (NatureBilan.INTERMEDIAIRE, datetime.date(2024, 6, 30), datetime.date(2025, 3, 31)),
        (NatureBilan.FINAL, datetime.date(2025, 12, 31), datetime.date(2026, 3, 31)),
    ]
    intermediate, final = pdca.bilans.order_by("date_limite")
    assert intermediate.etat == EtatBilan.VALIDE and final.etat == EtatBilan.DEPOSE
    assert final.depose_at.date() == datetime.date(2026, 3, 20)
    lievin = Convention.objects.get(numero="2025-00310").bilans.get()
    assert (lievin.date_limite, lievin.etat) == (datetime.date(2026, 3, 31), EtatBilan.A_PRODUIRE)


# --- states ---------------------------------------------------------------------------------------


@pytest.fixture
def bilan(world):
    return world.finance.convention.bilans.get(nature=NatureBilan.FINAL)


FIGURES = {"file_active": 2, "entrees": 2, "sorties": 0}


def test_deposit_hand_back_with_reasons_deposit_again_validate_each_logged(world, bilan):
    dpid, responsable = world.user("dpid"), world.user("responsable")
    bilan = bilans.deposer(bilan=bilan, chiffres=FIGURES, commentaire="Premier dépôt.", user=responsable)
    assert bilan.etat == EtatBilan.DEPOSE and bilan.donnees_portail["file_active"] == 2
    with pytest.raises(bilans.BilanError, match="Indiquez ce que la structure doit corriger"):
        bilans.rendre_pour_correction(bilan=bilan, motif="  ", user=dpid)
    bilan = bilans.rendre_pour_correction(bilan=bilan, motif="Détaillez les sorties.", user=dpid)
    assert (bilan.etat, bilan.motif_correction) == (EtatBilan.A_CORRIGER, "Détaillez les sorties.")
    bilan = bilans.deposer(bilan=bilan, chiffres=FIGURES, commentaire="Corrigé.", user=responsable)
    bilan = bilans.valider(bilan=bilan, user=dpid)
    assert bilan.etat == EtatBilan.VALIDE
    with pytest.raises(bilans.BilanError, match="Le bilan est validé"):
        bilans.deposer(bilan=bilan, chiffres=FIGURES, commentaire="", user=responsable)
    with pytest.raises(bilans.BilanError, match="Action déjà effectuée"):
        bilans.valider(bilan=bilan, user=dpid)
    log = list(TransitionBilan.objects.filter(bilan=bilan).values_list("transition", "de", "vers", "motif"))
    assert log == [
        ("deposer", "a_produire", "depose", ""),
        ("rendre", "depose", "a_corriger", "Détaillez les sorties."),
        ("deposer", "a_corriger", "depose", ""),
        ("valider", "depose", "valide", ""),
    ]


def test_the_balance_waits_for_the_validated_final_bilan(world, bilan):
    convention, dpid = world.finance.convention, world.user("dpid")
    solde = EcheanceVersement.objects.create(convention=convention, ordre=9, nature="solde", libelle="Solde")
    with pytest.raises(services.FinancementError, match="avant la validation du bilan final"):
        services.solde_valider(convention=convention, user=dpid)
    with pytest.raises(services.FinancementError, match="avant la validation du bilan final"):
        services.versement_enregistrer(
            echeance=solde,
            montant=Decimal("1.00"),
            date_versement=datetime.date(2026, 12, 1),
            reference_mandat="S",
            user=dpid,
        )
    # A fixed share "au solde" (40 % of an avenant, seed 003 l. 934) waits as well.
    part = EcheanceVersement.objects.create(
        convention=convention, ordre=10, nature="solde", libelle="40 % au solde", montant_prevu=Decimal("400.00")
    )
    with pytest.raises(services.FinancementError, match="avant la validation du bilan final"):
        services.versement_enregistrer(
            echeance=part,
            montant=Decimal("400.00"),
            date_versement=datetime.date(2026, 12, 1),
            reference_mandat="P",
            user=dpid,
        )
    validate_final_bilan(convention, dpid)
    assert services.solde_valider(convention=convention, user=dpid).valide_at is not None
    assert services.versement_enregistrer(
        echeance=part,
        montant=Decimal("400.00"),
        date_versement=datetime.date(2026, 12, 1),
        reference_mandat="P",
        user=dpid,
    ).montant == Decimal("400.00")


# --- pages ----------------------------------------------------------------------------------------


def test_structure_sees_figures_prefilled_from_its_caseload_and_deposits(client, world, bilan):
    """Structure A has two people in file active (tests/conftest.py's caseload)."""
    client.force_login(world.user("responsable"))
    html = client.get(bilan.get_absolute_url()).content.decode()
    assert 'name="file_active" value="2"' in html
    assert "Accompagnement : 2." in html
    response = client.post(
        reverse("financement:bilan_deposer", args=[bilan.pk]),
        {"file_active": "2", "entrees": "2", "sorties": "0", "commentaire": "Tout est conforme."},
    )
    assert response.status_code == 302
    bilan.refresh_from_db()
    assert (bilan.etat, bilan.commentaire, bilan.depose_par) == (
        EtatBilan.DEPOSE,
        "Tout est conforme.",
        world.user("responsable"),
    )


def test_a_bad_deposit_keeps_what_was_typed(client, world, bilan):
    client.force_login(world.user("responsable"))
    response = client.post(
        reverse("financement:bilan_deposer", args=[bilan.pk]),
        {"file_active": "", "entrees": "3", "sorties": "1", "commentaire": "Mon commentaire gardé."},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Confirmez ce chiffre avant de déposer le bilan." in html
    assert "Mon commentaire gardé." in html and 'name="entrees" value="3"' in html
    bilan.refresh_from_db()
    assert bilan.etat == EtatBilan.A_PRODUIRE


def test_dpid_hands_back_without_reason_gets_the_form_again(client, world, bilan):
    bilans.deposer(bilan=bilan, chiffres=FIGURES, commentaire="", user=world.user("responsable"))
    client.force_login(world.user("dpid"))
    response = client.post(reverse("financement:bilan_rendre", args=[bilan.pk]), {"motif": ""})
    assert response.status_code == 200
    assert "Indiquez ce que la structure doit corriger." in response.content.decode()
    response = client.post(reverse("financement:bilan_rendre", args=[bilan.pk]), {"motif": "Sorties à détailler."})
    assert response.status_code == 302
    bilan.refresh_from_db()
    assert bilan.etat == EtatBilan.A_CORRIGER
    assert "Déposé → Rendu pour correction" in client.get(bilan.get_absolute_url()).content.decode()
    client.force_login(world.user("responsable"))
    assert "Sorties à détailler." in client.get(bilan.get_absolute_url()).content.decode()


def test_deposit_after_validation_is_refused_with_a_message(client, world, bilan):
    validate_final_bilan(world.finance.convention, world.user("dpid"))
    client.force_login(world.user("responsable"))
    response = client.post(
        reverse("financement:bilan_deposer", args=[bilan.pk]),
        {"file_active": "2", "entrees": "2", "sorties": "0", "commentaire": ""},
        follow=True,
    )
    assert "Le bilan est validé" in response.content.decode()


def test_attachments_are_checked_by_content_and_served_under_a_neutral_name(client, world, bilan, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.user("responsable"))
    url = reverse("financement:bilan_piece_ajouter", args=[bilan.pk])
    fake = SimpleUploadedFile("rapport.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    response = client.post(url, {"titre": "Rapport", "fichier": fake})
    assert response.status_code == 200
    assert "son contenu a été vérifié" in response.content.decode()
    assert not bilan.pieces.filter(titre="Rapport").exists()
    good = SimpleUploadedFile("payload.html", PDF, content_type="text/html")
    assert client.post(url, {"titre": "Compte rendu du COPIL", "fichier": good}).status_code == 302
    piece = bilan.pieces.get(titre="Compte rendu du COPIL", ajoute_par=world.user("responsable"))
    assert "payload" not in piece.fichier.name and piece.fichier.name.endswith(".pdf")
    response = client.get(reverse("financement:bilan_piece", args=[piece.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="bilan-{bilan.pk}-piece-{piece.pk}.pdf"' in response["Content-Disposition"]
    client.force_login(world.user("slai"))
    assert client.get(reverse("financement:bilan_piece", args=[piece.pk])).status_code == 404


def test_bilan_list_filters(client, world, bilan):
    client.force_login(world.user("dpid"))
    url = reverse("financement:bilan_list")
    assert "convention n° 2026-00001" in client.get(url).content.decode()
    assert "Aucun bilan." in client.get(url + "?filtre=a_examiner").content.decode()
    assert "Aucun bilan." in client.get(url + "?filtre=en_retard").content.decode()
    Bilan.objects.filter(pk=bilan.pk).update(date_limite=timezone.localdate() - datetime.timedelta(days=1))
    assert "en retard" in client.get(url + "?filtre=en_retard").content.decode()
    bilans.deposer(bilan=bilan, chiffres=FIGURES, commentaire="", user=None)
    assert "convention n° 2026-00001" in client.get(url + "?filtre=a_examiner").content.decode()
    # Structure B's responsable sees none of structure A's bilans.
    other = UserFactory(role="responsable", structure=world.structure_b, email="resp-b@example.test")
    client.force_login(other)
    assert "Aucun bilan." in client.get(url).content.decode()


def test_bilan_list_has_a_bounded_number_of_queries(client, world, django_assert_max_num_queries):
    client.force_login(world.user("dpid"))
    url = reverse("financement:bilan_list")
    with django_assert_max_num_queries(12) as small:
        client.get(url)
    for index in range(15):
        _convention(f"2025-{100 + index:05d}", datetime.date(2024, 1, 1), datetime.date(2025, 12, 31))
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count("Bilan intermédiaire") == 15


def test_convention_page_lists_its_bilans_and_why_the_balance_waits(client, world, bilan):
    client.force_login(world.user("responsable"))
    html = client.get(world.finance.convention.get_absolute_url()).content.decode()
    assert bilan.get_absolute_url() in html
    assert "31 mars 2027" in html
    assert "Le solde attend la validation du bilan final" in html


# --- reminders ------------------------------------------------------------------------------------


def _notifications(user):
    return list(user.notifications.values_list("title", flat=True))


def test_reminders_before_at_and_after_the_due_date(world, bilan, django_capture_on_commit_callbacks):
    """The final bilan of world's convention is due on 31 March 2027."""
    from portal.echeances import services as echeances

    responsable, dpid = world.user("responsable"), world.user("dpid")
    with time_machine.travel(datetime.datetime(2027, 2, 20, 8, 0), tick=False):
        echeances.reminders_send_due()
        assert not [t for t in _notifications(responsable) if "bilan final" in t]
        items = echeances.items_for(responsable, horizon_days=60)
        assert any(item.echeance.code == "financement_bilan" for item in items)
        assert not [i for i in echeances.items_for(dpid, horizon_days=None) if i.echeance.code == "financement_bilan"]
    with time_machine.travel(datetime.datetime(2027, 3, 1, 8, 0), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            echeances.reminders_send_due()
        echeances.reminders_send_due()  # exactly once
        from django.core import mail

        assert [m.to for m in mail.outbox if "bilan final" in m.subject] == [["resp-a@example.test"]]
        titles = [t for t in _notifications(responsable) if "bilan final" in t]
        assert titles == [
            "Échéance dans 30 jours : Produire le bilan final de la convention n° 2026-00001 – Structure A"
        ]
    with time_machine.travel(datetime.datetime(2027, 3, 31, 8, 0), tick=False):
        echeances.reminders_send_due()
        assert any(t.startswith("Échéance aujourd'hui : Produire le bilan final") for t in _notifications(responsable))
    with time_machine.travel(datetime.datetime(2027, 4, 7, 8, 0), tick=False):
        echeances.reminders_send_due()
        assert any(t.startswith("Échéance dépassée de 7 jours") for t in _notifications(responsable))
        late = [i for i in echeances.items_for(dpid, horizon_days=None) if i.echeance.code == "financement_bilan"]
        assert [(i.obj.pk, i.is_overdue) for i in late] == [(bilan.pk, True)]


def test_a_deposited_bilan_is_no_longer_reminded(world, bilan):
    from portal.echeances import services as echeances

    bilans.deposer(bilan=bilan, chiffres=FIGURES, commentaire="", user=world.user("responsable"))
    with time_machine.travel(datetime.datetime(2027, 3, 31, 8, 0), tick=False):
        echeances.reminders_send_due()
    assert not [t for t in _notifications(world.user("responsable")) if "bilan final" in t]


def test_the_dpid_is_reminded_of_the_balance(world):
    from portal.echeances import services as echeances

    EcheanceVersement.objects.create(
        convention=world.finance.convention,
        ordre=9,
        nature="solde",
        libelle="Solde",
        date_prevue=datetime.date(2027, 4, 30),
    )
    with time_machine.travel(datetime.datetime(2027, 4, 30, 8, 0), tick=False):
        echeances.reminders_send_due()
        titles = _notifications(world.user("dpid"))
        assert (
            "Échéance aujourd'hui : Solde – convention n° 2026-00001, Structure A (bilan final non validé)" in titles
        )
        assert not [
            i
            for i in echeances.items_for(world.user("responsable"), horizon_days=None)
            if i.echeance.code == "financement_solde"
        ]


def test_an_operation_added_by_an_avenant_and_ending_first_has_its_own_final_bilan(world):
    from tests.financement.factories import make_line

    convention = _convention(
        "2024-00002", datetime.date(2024, 1, 1), datetime.date(2025, 12, 31), structure=world.structure_a
    )
    ligne = make_line(
        world.finance.deliberation,
        world.structure_a,
        world.territoire_a,
        world.finance.budget_line,
        ordre=3,
        montant="0.00",
    )
    LigneAnnexe.objects.filter(pk=ligne.pk).update(
        date_debut=datetime.date(2025, 1, 1), date_fin=datetime.date(2025, 6, 30)
    )
    avenant = Avenant.objects.create(
        convention=convention,
        numero=1,
        articles_modifies="1, 12",
        objet="Dynamisation 2025.",
        ligne_annexe=LigneAnnexe.objects.get(pk=ligne.pk),
        date_debut_supplement=datetime.date(2025, 1, 1),
    )
    workflow.acte_transition(acte=avenant, code="envoyer", user=None)
    workflow.acte_transition(
        acte=avenant,
        code="signer",
        user=None,
        signe_structure_le=datetime.date(2025, 1, 2),
        signe_departement_le=datetime.date(2025, 1, 2),
    )
    own = Bilan.objects.get(avenant=avenant)
    assert (own.nature, own.periode_debut, own.periode_fin, own.date_limite) == (
        NatureBilan.FINAL,
        datetime.date(2025, 1, 1),
        datetime.date(2025, 6, 30),
        datetime.date(2026, 3, 31),
    )
    assert "avenant n° 1" in own.regle
    # The convention's own final bilan is still the one the balance waits for.
    validate_final_bilan(convention, world.user("dpid"))
    assert bilans.bilan_final_valide(convention)
    assert Bilan.objects.get(pk=own.pk).etat == EtatBilan.A_PRODUIRE


def test_the_command_creates_the_bilans_of_conventions_signed_before(world):
    from io import StringIO

    from django.core.management import call_command

    Bilan.objects.all().delete()
    out = StringIO()
    call_command("synchroniser_bilans", stdout=out)
    assert "1 bilan(s) à jour" in out.getvalue()
    call_command("synchroniser_bilans", stdout=StringIO())
    assert Bilan.objects.filter(convention=world.finance.convention).count() == 1
