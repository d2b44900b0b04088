"""Conventions and avenants: states with their log, PDFs rendered for real, payments."""

import datetime
import io
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.urls import reverse
from pypdf import PdfReader

from financement import services, workflow
from financement.enums import EtatActe
from financement.models import Convention, EcheanceVersement, Versement
from portal.documents.services import document_request
from tests.factories import StructureFactory

pytestmark = pytest.mark.django_db


def make_convention(*, montant_max="10000.00", signed=True, user=None):
    convention = Convention.objects.create(
        numero="2026-00042",
        structure=StructureFactory(nom="Association Test"),
        intitule="l'accompagnement de test",
        objet="Accompagnement équilibré social-professionnel.",
        date_debut=datetime.date(2026, 1, 1),
        date_fin=datetime.date(2026, 12, 31),
        montant_max=Decimal(montant_max),
    )
    if signed:
        workflow.acte_transition(acte=convention, code="envoyer", user=user)
        convention = workflow.acte_transition(
            acte=convention,
            code="signer",
            user=user,
            signe_structure_le=datetime.date(2026, 2, 2),
            signe_departement_le=datetime.date(2026, 2, 5),
        )
    return convention


def echeance(convention, ordre, montant=None):
    return EcheanceVersement.objects.create(
        convention=convention, ordre=ordre, nature="avance", libelle=f"Échéance {ordre}", montant_prevu=montant
    )


def pdf_text(document):
    reader = PdfReader(io.BytesIO((Path(settings.MEDIA_ROOT) / document.file.name).read_bytes()))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def render(owner, kind_code, user, django_capture_on_commit_callbacks, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        document = document_request(owner=owner, kind_code=kind_code, user=user)
    document.refresh_from_db()
    assert document.status == "pret", document.error
    return document


# --- states -----------------------------------------------------------------------------------


def test_states_follow_the_table_and_are_logged(dpid):
    convention = make_convention(signed=False)
    with pytest.raises(workflow.TransitionError, match="Action déjà effectuée"):
        workflow.acte_transition(acte=convention, code="signer", user=dpid)
    workflow.acte_transition(acte=convention, code="envoyer", user=dpid)
    with pytest.raises(workflow.TransitionError, match="postérieure à aujourd'hui"):
        workflow.acte_transition(
            acte=convention,
            code="signer",
            user=dpid,
            signe_structure_le=datetime.date(2099, 1, 1),
            signe_departement_le=datetime.date(2026, 2, 5),
        )
    convention = workflow.acte_transition(
        acte=convention,
        code="signer",
        user=dpid,
        signe_structure_le=datetime.date(2026, 2, 2),
        signe_departement_le=datetime.date(2026, 2, 5),
    )
    assert convention.etat == EtatActe.SIGNEE
    assert convention.date_signature == datetime.date(2026, 2, 5)
    with pytest.raises(workflow.TransitionError, match="motif"):
        workflow.acte_transition(acte=convention, code="resilier", user=dpid)
    convention = workflow.acte_transition(acte=convention, code="resilier", user=dpid, motif="Cessation d'activité.")
    assert convention.etat == EtatActe.RESILIEE
    assert [(t.de, t.vers, t.user) for t in convention.transitions.all()] == [
        ("brouillon", "a_signer", dpid),
        ("a_signer", "signee", dpid),
        ("signee", "resiliee", dpid),
    ]


def test_signed_state_needs_both_signature_dates_in_the_database():
    convention = make_convention(signed=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        Convention.objects.filter(pk=convention.pk).update(
            etat="signee", a_signer_at=datetime.datetime.now(datetime.UTC)
        )


def test_manager_cannot_change_a_state(client, manager):
    convention = make_convention(signed=False)
    client.force_login(manager)
    response = client.post(reverse("financement:convention_transition", args=[convention.pk, "envoyer"]))
    assert response.status_code == 403
    convention.refresh_from_db()
    assert convention.etat == EtatActe.BROUILLON


def test_structure_sees_its_own_convention_only(client, dpid):
    from portal.accounts.enums import Role
    from tests.factories import UserFactory

    convention = make_convention()
    own = UserFactory(role=Role.RESPONSABLE, structure=convention.structure, email="resp@example.test")
    other = UserFactory(role=Role.RESPONSABLE, structure=StructureFactory(), email="autre@example.test")
    client.force_login(own)
    assert client.get(convention.get_absolute_url()).status_code == 200
    assert "2026-00042" in client.get(reverse("financement:convention_list")).content.decode()
    client.force_login(other)
    assert client.get(convention.get_absolute_url()).status_code == 404
    assert "2026-00042" not in client.get(reverse("financement:convention_list")).content.decode()


# --- PDFs ---------------------------------------------------------------------------------------


def test_avenant_1_pdf_of_the_demo(demo_deliberation, dpid, django_capture_on_commit_callbacks, settings, tmp_path):
    avenant = Convention.objects.get(numero="2024-01213").avenants.get(numero=1)
    document = render(avenant, "avenant", dpid, django_capture_on_commit_callbacks, settings, tmp_path)
    text = pdf_text(document)
    for sentence in (
        "AVENANT N°1",
        "Avenant à la convention n° 2024-01213",
        "Pas-de-Calais Actif",
        "18620009300083",
        "dûment autorisé par délibération de la Commission Permanente en date du 9 décembre 2024",
        "signée le 14 août 2024",
        "Il a été convenu ce qui suit",
        "modifier les articles 4 et 12",
        "338 226,74€",
        "79 850€",
        "Les autres dispositions de la convention demeurent inchangées.",
        "Fait en deux exemplaires originaux",
        f"Ce document comprend {document.page_count} pages.",
        "A Arras, le 15 janvier 2025",
        "Françoise VASSEUR",
        "Annexe N°2 – PAS-DE-CALAIS ACTIF",
        "145 437,50 €",
    ):
        assert sentence in text, sentence
    assert document.page_count >= 2


def test_convention_pdf(dpid, django_capture_on_commit_callbacks, settings, tmp_path):
    convention = make_convention(user=dpid)
    echeance(convention, 1, Decimal("6000.00"))
    document = render(convention, "convention", dpid, django_capture_on_commit_callbacks, settings, tmp_path)
    text = pdf_text(document)
    for sentence in (
        "CONVENTION N° 2026-00042",
        "Association Test",
        "Vu : le Code Général des Collectivités Territoriales",
        "Article 3 : Période d'application de la convention",
        "du 1er janvier 2026 au 31 décembre 2026 inclus",
        "par tacite reconduction",
        "un montant maximum de 10 000,00 €",
        "Échéance 1 (6 000,00 €)",
        "Fait en deux exemplaires originaux",
        f"Ce document comprend {document.page_count} page",
        "A Arras, le 5 février 2026",
        "Pour le Département du Pas-de-Calais",
    ):
        assert sentence in text, sentence


# --- payments -----------------------------------------------------------------------------------


def test_nothing_is_paid_twice(dpid):
    convention = make_convention()
    first = echeance(convention, 1, Decimal("4000.00"))
    services.versement_enregistrer(
        echeance=first,
        montant=Decimal("4000.00"),
        date_versement=datetime.date(2026, 3, 1),
        reference_mandat="M1",
        user=dpid,
    )
    with pytest.raises(services.FinancementError, match="déjà payée"):
        services.versement_enregistrer(
            echeance=first,
            montant=Decimal("4000.00"),
            date_versement=datetime.date(2026, 3, 2),
            reference_mandat="M2",
            user=dpid,
        )
    # The database refuses it as well.
    with pytest.raises(IntegrityError), transaction.atomic():
        Versement.objects.create(
            convention=convention,
            echeance=first,
            montant=Decimal("1.00"),
            date_versement=datetime.date(2026, 3, 2),
            reference_mandat="M3",
        )
    assert Versement.objects.filter(convention=convention).total() == Decimal("4000.00")


def test_sum_paid_never_exceeds_the_maximum(dpid):
    convention = make_convention(montant_max="10000.00")
    services.versement_enregistrer(
        echeance=echeance(convention, 1, Decimal("6000.00")),
        montant=Decimal("6000.00"),
        date_versement=datetime.date(2026, 3, 1),
        reference_mandat="M1",
        user=dpid,
    )
    with pytest.raises(services.FinancementError, match="dépasserait le maximum"):
        services.versement_enregistrer(
            echeance=echeance(convention, 2, Decimal("5000.00")),
            montant=Decimal("4000.01"),
            date_versement=datetime.date(2026, 3, 1),
            reference_mandat="M2",
            user=dpid,
        )
    services.versement_enregistrer(
        echeance=EcheanceVersement.objects.get(convention=convention, ordre=2),
        montant=Decimal("4000.00"),
        date_versement=datetime.date(2026, 3, 1),
        reference_mandat="M2",
        user=dpid,
    )
    assert Versement.objects.filter(convention=convention).total() == Decimal("10000.00")


def test_unsigned_convention_is_not_paid(dpid):
    convention = make_convention(signed=False)
    with pytest.raises(services.FinancementError, match="convention signée"):
        services.versement_enregistrer(
            echeance=echeance(convention, 1, Decimal("10.00")),
            montant=Decimal("10.00"),
            date_versement=datetime.date(2026, 3, 1),
            reference_mandat="M1",
            user=dpid,
        )


def test_demo_payments_stay_within_the_avenant_maximum(demo_deliberation):
    convention = Convention.objects.get(numero="2024-01213")
    assert convention.plafond() == Decimal("418076.74")  # 338 226,74 + 79 850 (DOMAIN.md §2)
    assert Versement.objects.filter(convention=convention).total() == Decimal("301580.06")


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_concurrent_payments_pay_once(dpid):
    convention = make_convention()
    target = echeance(convention, 1, Decimal("5000.00"))
    barrier = threading.Barrier(2)
    outcomes = []

    def pay(reference):
        close_old_connections()
        barrier.wait()
        try:
            services.versement_enregistrer(
                echeance=target,
                montant=Decimal("5000.00"),
                date_versement=datetime.date(2026, 3, 1),
                reference_mandat=reference,
                user=None,
            )
            outcomes.append("payé")
        except (services.FinancementError, IntegrityError):
            outcomes.append("refusé")
        finally:
            connection.close()

    threads = [threading.Thread(target=pay, args=(ref,)) for ref in ("A", "B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["payé", "refusé"]
    assert Versement.objects.filter(echeance=target).count() == 1


# --- from a voted annex line to a text ------------------------------------------------------------


def test_dpid_turns_a_retained_line_into_a_draft_convention(client, demo_deliberation, dpid):
    ccas = demo_deliberation.lignes.get(thematique="1", operation=4)
    client.force_login(dpid)
    page = client.get(demo_deliberation.get_absolute_url()).content.decode()
    assert "Préparer la convention" in page
    response = client.post(reverse("financement:acte_from_ligne", args=[ccas.pk]))
    convention = Convention.objects.get(ligne_annexe=ccas)
    assert response["Location"] == convention.get_absolute_url()
    assert (convention.numero, convention.etat, convention.montant_max) == (
        "2025-00311",
        "brouillon",
        Decimal("65000.00"),
    )
    assert convention.structure.nom == "CCAS de Liévin"
    assert convention.fiches.get().cout == "65\u00a0000,00\u00a0€"
    # Its payment schedule: half at signature, the balance after the final bilan.
    assert [(e.nature, e.montant_prevu) for e in convention.echeances.order_by("ordre")] == [
        ("avance", Decimal("32500.00")),
        ("solde", None),
    ]
    page = client.get(convention.get_absolute_url()).content.decode()
    assert "Avance versée dès signature de la convention (50\u00a0%)" in page and "après le bilan final" in page
    # Twice: refused with a message, nothing created.
    client.post(reverse("financement:acte_from_ligne", args=[ccas.pk]))
    assert Convention.objects.filter(ligne_annexe=ccas).count() == 1


def test_an_avenant_needs_a_signed_convention(demo_deliberation, dpid):
    mempa = demo_deliberation.lignes.get(ordre=10)  # MEMPA, modèle d'avenant n° 9
    with pytest.raises(services.FinancementError, match="pas de convention signée"):
        services.acte_from_ligne(ligne=mempa, user=dpid)


# --- forms embedded in the convention's page never lose what was typed ------------------------


def test_a_refused_payment_shows_the_page_again_with_the_reason_next_to_the_form(client, dpid):
    convention = make_convention(montant_max="10000.00")
    first = echeance(convention, 1, Decimal("4000.00"))
    client.force_login(dpid)
    url = reverse("financement:versement_create", args=[first.pk])
    # A missing mandate reference: 200, the error under its field, the amount and date kept.
    response = client.post(url, {"montant": "3999,99", "date_versement": "2026-03-01", "reference_mandat": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="3999,99"' in html and 'value="2026-03-01"' in html
    assert "Référence du mandat : Ce champ est obligatoire." in html
    assert not Versement.objects.exists()
    # More than the instalment: the service's refusal, above the same form, what was typed kept.
    response = client.post(url, {"montant": "12000", "date_versement": "2026-03-01", "reference_mandat": "M-77"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="M-77"' in html and 'value="12000"' in html
    assert 'role="alert">Cette échéance prévoit 4\u00a0000,00\u00a0€ au plus.' in html
    assert not Versement.objects.exists()
    # Right: recorded, back to the page.
    response = client.post(url, {"montant": "4000", "date_versement": "2026-03-01", "reference_mandat": "M-77"})
    assert response.status_code == 302
    assert Versement.objects.get().montant == Decimal("4000.00")


def test_a_signature_without_its_dates_keeps_the_date_typed(client, dpid):
    convention = make_convention(signed=False)
    workflow.acte_transition(acte=convention, code="envoyer", user=dpid)
    client.force_login(dpid)
    response = client.post(
        reverse("financement:convention_transition", args=[convention.pk, "signer"]),
        {"signe_structure_le": "2026-02-02", "signe_departement_le": ""},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="2026-02-02"' in html and "Ce champ est obligatoire." in html
    convention.refresh_from_db()
    assert convention.etat == EtatActe.A_SIGNER


def test_an_avenant_starts_with_60_percent_at_signature_and_40_at_the_balance(dpid):
    from financement.enums import TypeActe
    from tests.factories import TerritoireFactory
    from tests.financement.factories import make_budget_line, make_deliberation, make_line

    convention = make_convention(montant_max="10000.00")
    echeance(convention, 1, Decimal("5000.00"))
    deliberation = make_deliberation("2026-300", adoptee=True)
    ligne = make_line(
        deliberation, convention.structure, TerritoireFactory(), make_budget_line(), ordre=1, montant="1000.00"
    )
    ligne.type_acte, ligne.numero_modele, ligne.retenue = TypeActe.AVENANT, 9, True
    ligne.save()
    avenant = services.acte_from_ligne(ligne=ligne, user=dpid)
    assert [(e.ordre, e.nature, e.montant_prevu, e.libelle) for e in avenant.echeances.order_by("ordre")] == [
        (2, "avance", Decimal("600.00"), "60\u00a0% à la signature de l'avenant n° 1"),
        (3, "solde", Decimal("400.00"), "40\u00a0% au solde de la convention (avenant n° 1)"),
    ]
