"""The demo tells the truth: true to the seeds (fixtures/pas-de-calais) and to the calendar of the
day it is loaded. The demo is loaded once for the module, inside a transaction rolled back at the
end (like TestCase.setUpTestData)."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from portal.core.fixtures import DEFAULT_DEPARTEMENT, as_bool, as_decimal, as_int, as_list, read_fixture
from tests.core import demo_checks


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            with override_settings(DEMO_MODE=True):
                call_command("load_demo", stdout=io.StringIO())
            yield timezone.now()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def loaded_at(demo, db):
    return demo


def test_nothing_is_dated_after_the_moment_the_demo_was_loaded(loaded_at):
    assert demo_checks.dated_after(loaded_at) == []


def test_the_prospective_fields_exist():
    """The list of fields allowed in the future names real fields (it must not rot silently)."""
    fields = {(model._meta.label, field.name) for model, field in demo_checks.date_fields()}
    assert set(demo_checks.PROSPECTIVE) <= fields


def test_labels_follow_the_first_campaign_calendar(loaded_at):
    from label.models import Label

    assert Label.objects.count() >= 2
    assert demo_checks.label_calendar_breaches() == []


def test_only_structures_running_an_rsa_accompaniment_are_in_the_label(loaded_at):
    from label.models import DemandeLabel, Label

    assert demo_checks.labels_outside_rsa_accompaniment() == []
    assert not Label.objects.filter(structure__nom="Impact Oval").exists()
    assert not DemandeLabel.objects.filter(structure__nom="Impact Oval").exists()


def test_every_validated_report_names_its_responsable_and_follows_its_month(loaded_at):
    from accompagnement.models import ReportingMensuel

    assert ReportingMensuel.objects.count() > 50
    assert demo_checks.reports_without_their_validator(loaded_at) == []


def test_ccas_de_lievin_runs_the_family_coaching_experiment(loaded_at):
    from accompagnement.models import Orientation
    from portal.referentiels.enums import TypeAccompagnement
    from portal.referentiels.models import Structure

    ccas = Structure.objects.get(nom="CCAS de Liévin")
    referents = list(ccas.referents.all())
    assert {r.type_accompagnement for r in referents} == {TypeAccompagnement.COACHING_FAMILIAL}
    assert sum(r.etp for r in referents) == Decimal("1.00")  # 003 l. 170: 1 ETP
    assert not Orientation.objects.filter(structure=ccas).exists()


def test_a_referent_solidarite_caseload_exists_elsewhere(loaded_at):
    from accompagnement.models import Orientation

    assert Orientation.objects.filter(type_accompagnement__code="solidarite").exists()
    assert not Orientation.objects.filter(type_accompagnement__code="solidarite", structure__nom="CCAS de Liévin")


def test_each_label_situation_of_the_readme_is_there(loaded_at):
    from label.enums import EtatDemande, EtatRetrait
    from label.models import DemandeLabel, Label, RetraitLabel

    today = timezone.localdate(loaded_at)
    states = dict(DemandeLabel.objects.exclude(etat=EtatDemande.MORATOIRE).values_list("structure__nom", "etat"))
    assert states["MEMPA"] == EtatDemande.BROUILLON
    assert states["MIPE"] == EtatDemande.DEPOSEE
    assert states["Pas-de-Calais Actif"] == EtatDemande.AVIS_DPID
    assert states["PIF"] == EtatDemande.REFUSEE
    assert DemandeLabel.objects.get(structure__nom="Tous Parrains").etat == EtatDemande.MORATOIRE
    labelled = {label.structure.nom for label in Label.objects.valid_on(today)}
    assert labelled == {"MEILL HC", "PBI", "La Fabrique DEFI"}
    retrait = RetraitLabel.objects.get(label__structure__nom="La Fabrique DEFI")
    assert retrait.etat == EtatRetrait.CONTRADICTOIRE and retrait.observations_avant > today >= retrait.notifie_le
    # PBI: the 6 months of SLAI support (CER quality) have ended, the new study can be launched;
    # its structure has CERs written since the support began to draw from.
    support = RetraitLabel.objects.get(label__structure__nom="PBI")
    assert support.etat == EtatRetrait.ACCOMPAGNEMENT and support.accompagnement_fin < today
    since = timezone.localdate(support.created_at).isoformat()
    from label.models import CerAnonymise
    from portal.referentiels.models import Referent

    for referent in Referent.objects.filter(structure__nom="PBI").actifs():
        recent = [c for c in CerAnonymise.objects.filter(referent=referent) if c.contenu["date_edition"] >= since]
        assert len(recent) >= 5, referent


def test_the_demo_holds_the_reference_data_of_the_fixtures(loaded_at):
    from accompagnement.models import TypeAccompagnement
    from label.models import ModuleFormation
    from portal.referentiels.models import Structure, Territoire

    for row in read_fixture(DEFAULT_DEPARTEMENT, "territoires.csv"):
        territoire = Territoire.objects.get(code=row["code"])
        assert (territoire.nom, territoire.secteur.nom, territoire.bassin_minier) == (
            row["nom"],
            row["secteur_dpid"],
            as_bool(row["bassin_minier"]),
        )
    for row in read_fixture(DEFAULT_DEPARTEMENT, "structures.csv"):
        structure = Structure.objects.get(siret=row["siret"])
        assert (structure.nom, structure.forme_juridique, structure.commune) == (
            row["nom"],
            row["forme_juridique"],
            row["commune"],
        )
        codes = set(structure.territoires.values_list("code", flat=True))
        assert codes == (
            set(Territoire.objects.values_list("code", flat=True))
            if row["territoires"] == "tous"
            else set(as_list(row["territoires"]))
        )
    for row in read_fixture(DEFAULT_DEPARTEMENT, "modules_formation.csv"):
        module = ModuleFormation.objects.get(code=row["code"])
        assert (module.libelle, module.obligatoire, module.ordre) == (
            row["libelle"],
            as_bool(row["obligatoire"]),
            as_int(row["ordre"]),
        )
    for row in read_fixture(DEFAULT_DEPARTEMENT, "types_accompagnement.csv"):
        kind = TypeAccompagnement.objects.get(code=row["code"])
        assert (kind.places_par_etp, kind.places_par_etp_min, kind.delai_premier_rdv_jours, kind.delai_cer_mois) == (
            as_decimal(row["places_par_etp"]),
            as_decimal(row["places_par_etp_min"]),
            as_int(row["delai_premier_rdv_jours"]),
            as_int(row["delai_cer_mois"]),
        )


def test_no_manual_deadline_stays_open_for_a_report_the_structure_validated(loaded_at):
    """The monthly report has its own deadline, met by the validation; the DPID's manual deadlines
    of the demo are about other things, and none was set after it fell due."""
    from portal.echeances.models import EcheanceManuelle

    echeances = list(EcheanceManuelle.objects.all())
    assert echeances
    assert not [e.titre for e in echeances if e.titre.lower().startswith("reporting")]
    today = timezone.localdate(loaded_at)
    assert {e.date_echeance < today for e in echeances} == {True, False}  # overdue and coming
    assert all(timezone.localdate(e.created_at) < e.date_echeance for e in echeances)


def test_every_label_of_the_demo_met_both_criteria_on_its_decision_day(loaded_at):
    """Issue 14: the letter states the criteria from the data; a demo label must not print
    "critère non rempli"."""
    from label.models import Label
    from label.selectors import label_criteria

    unmet = []
    for label in Label.objects.select_related("demande__structure").exclude(demande=None):
        demande = label.demande
        day = timezone.localdate(demande.decision_at) if demande.decision_at else label.date_decision
        criteria = label_criteria(demande, day)
        if not criteria.met:
            unmet.append((demande.structure.nom, criteria.unmet_texts))
    assert unmet == []


def test_texts_are_sent_for_signature_before_they_are_signed(loaded_at):
    """A convention signed in March 2025 was not sent for signature on the day the demo loaded."""
    from django.utils import timezone

    from financement.models import Avenant, Convention

    signed = [
        *Convention.objects.exclude(signe_departement_le=None),
        *Avenant.objects.exclude(signe_departement_le=None),
    ]
    assert signed
    for acte in signed:
        sent = timezone.localtime(acte.a_signer_at).date()
        assert sent <= min(acte.signe_structure_le, acte.signe_departement_le), acte
        for step in acte.transitions.all():
            assert timezone.localtime(step.at).date() <= acte.signe_departement_le, (acte, step)


def test_pending_decisions_keep_their_parents_orientation(loaded_at):
    """A suspension procedure is on its interview's accompaniment, a renewal request on its CER's:
    the SLAI's "À traiter" scopes them by the orientation they keep."""
    from django.db.models import F

    from accompagnement.models import DemandeRenouvellement, ProcedureSuspension

    assert ProcedureSuspension.objects.exists() and DemandeRenouvellement.objects.exists()
    assert list(ProcedureSuspension.objects.exclude(orientation=F("entretien__orientation"))) == []
    assert list(DemandeRenouvellement.objects.exclude(orientation=F("cer__orientation"))) == []
