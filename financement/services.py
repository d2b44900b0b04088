"""Writes of the funding domain: what-if programmings (then conventions, avenants, payments)."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from financement.enums import EtatActe, TypeActe
from financement.models import (
    Article,
    Avenant,
    Convention,
    Deliberation,
    EcheanceVersement,
    FicheAnnexe,
    IndicateurQualitatif,
    LigneAnnexe,
    ResultatsConvention,
    SimulationProgrammation,
    Versement,
)
from financement.resultats_portail import prefill, valeurs_accompagnement
from financement.solde import calcul_solde
from portal.core.formats import format_euros, round_money


class FinancementError(Exception):
    """An action the record's state does not allow (shown to the user as is)."""


@transaction.atomic
def simulation_create(*, deliberation: Deliberation, nom: str, lignes, user) -> SimulationProgrammation:
    if deliberation.is_voted:
        raise FinancementError("La délibération est votée : sa programmation ne change plus.")
    lignes = list(lignes)
    if any(ligne.deliberation_id != deliberation.pk for ligne in lignes):
        raise FinancementError("Une proposition choisie n'appartient pas à cette délibération.")
    if SimulationProgrammation.objects.filter(deliberation=deliberation, nom=nom).exists():
        raise FinancementError(f"Une simulation s'appelle déjà « {nom} ».")
    simulation = SimulationProgrammation.objects.create(deliberation=deliberation, nom=nom, created_by=user)
    simulation.lignes.set(lignes)
    return simulation


@transaction.atomic
def simulation_promote(*, simulation: SimulationProgrammation, user) -> SimulationProgrammation:
    """The simulation's choice becomes the proposal put to the vote: its lines are retained, the
    others are not; the previously promoted simulation steps back."""
    deliberation = Deliberation.objects.select_for_update().get(pk=simulation.deliberation_id)
    if deliberation.is_voted:
        raise FinancementError("La délibération est votée : sa programmation ne change plus.")
    simulation = SimulationProgrammation.objects.select_for_update().get(pk=simulation.pk)
    if simulation.promue:
        raise FinancementError("Action déjà effectuée : cette simulation est déjà promue.")
    SimulationProgrammation.objects.filter(deliberation=deliberation, promue=True).update(promue=False, promue_at=None)
    chosen = simulation.lignes.values("pk")
    LigneAnnexe.objects.filter(deliberation=deliberation).exclude(pk__in=chosen).update(retenue=False)
    LigneAnnexe.objects.filter(deliberation=deliberation, pk__in=chosen).update(retenue=True)
    simulation.promue = True
    simulation.promue_at = timezone.now()
    simulation.save(update_fields=["promue", "promue_at"])
    return simulation


@transaction.atomic
def versement_enregistrer(
    *, echeance, montant: Decimal, date_versement, reference_mandat: str, user, calcul=None
) -> Versement:
    """Record the payment of one planned instalment. The convention is locked, so two requests
    at the same moment cannot both pay: the second sees the first one's payment. Nothing is paid
    twice (one payment per instalment, also a database constraint) and the sum paid never exceeds
    the maximum of the convention and its signed avenants."""
    convention = Convention.objects.select_for_update().get(pk=echeance.convention_id)
    echeance = EcheanceVersement.objects.select_related("avenant").get(pk=echeance.pk)
    if Versement.objects.filter(echeance=echeance).exists():
        raise FinancementError("Action déjà effectuée : cette échéance est déjà payée.")
    if convention.etat not in (EtatActe.SIGNEE, EtatActe.ECHUE):
        # An ended (échue) convention still pays its balance after the final bilan.
        raise FinancementError("Seule une convention signée, en cours ou échue, donne lieu à des versements.")
    if echeance.avenant is not None and echeance.avenant.etat != EtatActe.SIGNEE:
        raise FinancementError("L'avenant de cette échéance n'est pas signé.")
    montant = round_money(montant)
    if montant <= 0:
        raise FinancementError("Le montant versé doit être positif.")
    if echeance.montant_prevu is None:
        # A balance modulated by results: paid only once the DPID validated its calculation, at
        # most at the validated amount.
        resultats = ResultatsConvention.objects.filter(convention=convention, valide_at__isnull=False).first()
        if resultats is None:
            raise FinancementError("Le solde n'est versé qu'après validation de son calcul selon les résultats.")
        if montant > resultats.solde_valide:
            raise FinancementError(f"Le solde validé est de {format_euros(resultats.solde_valide)}.")
        calcul = calcul or resultats.calcul_valide
    elif montant > echeance.montant_prevu:
        raise FinancementError(f"Cette échéance prévoit {format_euros(echeance.montant_prevu)} au plus.")
    if date_versement > timezone.localdate():
        raise FinancementError("La date du versement ne peut pas être postérieure à aujourd'hui.")
    if Versement.objects.filter(reference_mandat=reference_mandat).exists():
        raise FinancementError(f"Le mandat « {reference_mandat} » est déjà enregistré.")
    deja_verse = Versement.objects.filter(convention=convention).total()
    plafond = convention.plafond()
    if deja_verse + montant > plafond:
        raise FinancementError(
            f"Ce versement dépasserait le maximum de la convention : {format_euros(deja_verse)} déjà versés, "
            f"{format_euros(plafond)} au plus, soit {format_euros(plafond - deja_verse)} restant."
        )
    return Versement.objects.create(
        convention=convention,
        echeance=echeance,
        montant=montant,
        date_versement=date_versement,
        reference_mandat=reference_mandat,
        calcul=calcul or [],
        created_by=user,
    )


@transaction.atomic
def resultats_enregistrer(*, convention, places_realisees, etp_realises, valeurs: dict, user) -> ResultatsConvention:
    """Record the results the balance needs (the DPID enters what the portal does not compute)."""
    convention = Convention.objects.select_for_update().get(pk=convention.pk)
    resultats, _ = ResultatsConvention.objects.get_or_create(convention=convention)
    if resultats.valide_at is not None:
        raise FinancementError("Le solde est validé : les résultats ne changent plus.")
    resultats.places_realisees = places_realisees
    resultats.etp_realises = etp_realises
    resultats.save(update_fields=["places_realisees", "etp_realises"])
    for indicateur in IndicateurQualitatif.objects.filter(convention=convention):
        if indicateur.pk in valeurs:
            indicateur.valeur = valeurs[indicateur.pk]
            indicateur.save(update_fields=["valeur"])
    return resultats


@transaction.atomic
def solde_valider(*, convention, user) -> ResultatsConvention:
    """Freeze the computed balance and its calculation: the balance is then paid at that amount."""
    convention = Convention.objects.select_for_update().get(pk=convention.pk)
    resultats, _ = ResultatsConvention.objects.get_or_create(convention=convention)
    if resultats.valide_at is not None:
        raise FinancementError("Action déjà effectuée : le solde est validé.")
    indicateurs = list(IndicateurQualitatif.objects.filter(convention=convention))
    for indicateur in prefill(resultats, indicateurs, valeurs_accompagnement(convention, timezone.localdate())):
        indicateur.save(update_fields=["valeur"])
    calcul = calcul_solde(convention, resultats=resultats, indicateurs=indicateurs)
    if not calcul.complet:
        raise FinancementError("Renseignez d'abord : " + ", ".join(calcul.manquants) + ".")
    resultats.solde_valide = calcul.solde
    resultats.calcul_valide = calcul.as_json()
    resultats.valide_par = user
    resultats.valide_at = timezone.now()
    resultats.save()
    return resultats


def _next_convention_number(year: int) -> str:
    prefix = f"{year}-"
    numbers = [
        int(numero.removeprefix(prefix))
        for numero in Convention.objects.filter(numero__startswith=prefix).values_list("numero", flat=True)
        if numero.removeprefix(prefix).isdigit()
    ]
    return f"{prefix}{max(numbers, default=0) + 1:05d}"


@transaction.atomic
def acte_from_ligne(*, ligne: LigneAnnexe, user):
    """A retained, voted annex line becomes a draft convention (« Convention type ») or a draft
    avenant to the structure's current signed convention (« Modèle d'avenant n° N »)."""
    ligne = LigneAnnexe.objects.select_for_update().select_related("deliberation", "structure").get(pk=ligne.pk)
    if not (ligne.retenue and ligne.deliberation.adoptee):
        raise FinancementError("Seule une ligne retenue d'une délibération adoptée donne lieu à un acte.")
    if Convention.objects.filter(ligne_annexe=ligne).exists() or Avenant.objects.filter(ligne_annexe=ligne).exists():
        raise FinancementError("Action déjà effectuée : cette ligne a déjà son acte.")
    start = ligne.date_debut or ligne.deliberation.date
    end = ligne.date_fin or start.replace(month=12, day=31)
    fiche = {
        "numero": 2,
        "titre": ligne.operation_libelle,
        "duree": f"{start:%d/%m/%Y} au {end:%d/%m/%Y}",
        "cout": format_euros(ligne.montant),
        "deroulement": ligne.description,
        "territoire": ligne.territoire_libelle,
    }
    if ligne.type_acte == TypeActe.CONVENTION:
        convention = Convention.objects.create(
            numero=_next_convention_number(start.year),
            structure=ligne.structure,
            intitule=ligne.operation_libelle[:1].lower() + ligne.operation_libelle[1:],
            objet=ligne.description,
            date_debut=start,
            date_fin=end,
            montant_max=ligne.montant,
            deliberation=ligne.deliberation,
            ligne_annexe=ligne,
            ligne_budgetaire=ligne.ligne_budgetaire,
            places_conventionnees=ligne.places,
            etp_finances=ligne.etp,
        )
        FicheAnnexe.objects.create(convention=convention, **fiche)
        return convention
    convention = (
        Convention.objects.filter(structure=ligne.structure, etat=EtatActe.SIGNEE).order_by("-date_fin").first()
    )
    if convention is None:
        raise FinancementError(
            f"{ligne.structure.nom} n'a pas de convention signée en cours : un avenant ne peut pas être préparé."
        )
    numero = (convention.avenants.order_by("-numero").values_list("numero", flat=True).first() or 0) + 1
    avenant = Avenant.objects.create(
        convention=convention,
        numero=numero,
        numero_modele=ligne.numero_modele,
        articles_modifies="1, 4, 12",
        objet=ligne.description,
        montant_supplementaire=ligne.montant,
        date_debut_supplement=ligne.date_debut,
        nouvelle_date_fin=end if end > convention.date_fin else None,
        deliberation=ligne.deliberation,
        ligne_annexe=ligne,
    )
    FicheAnnexe.objects.create(avenant=avenant, **fiche)
    return avenant


@transaction.atomic
def deliberation_voter(
    *,
    deliberation: Deliberation,
    date,
    vote_pour: int,
    vote_contre: int,
    vote_abstention: int,
    vote_absents: int,
    membres_interesses: str,
    adoptee: bool,
    articles: dict,
    user,
) -> Deliberation:
    """Record the vote; an adopted deliberation gets one article per thématique of its retained
    lines, with the amount voted as typed (`articles`: thématique → (libellé, montant)), which may
    differ from the sum of the lines: the page then shows the gap."""
    deliberation = Deliberation.objects.select_for_update().get(pk=deliberation.pk)
    if deliberation.is_voted:
        raise FinancementError("Action déjà effectuée : le vote est enregistré.")
    if date > timezone.localdate():
        raise FinancementError("La date du vote ne peut pas être postérieure à aujourd'hui.")
    deliberation.date = date
    deliberation.vote_pour = vote_pour
    deliberation.vote_contre = vote_contre
    deliberation.vote_abstention = vote_abstention
    deliberation.vote_absents = vote_absents
    deliberation.membres_interesses = membres_interesses.strip()
    deliberation.adoptee = adoptee
    deliberation.save()
    if not adoptee:
        return deliberation
    budget_lines = {}
    for thematique, ligne_budgetaire_id in (
        LigneAnnexe.objects.filter(deliberation=deliberation, retenue=True)
        .values_list("thematique", "ligne_budgetaire")
        .distinct()
    ):
        budget_lines.setdefault(thematique, set()).add(ligne_budgetaire_id)
    for numero, thematique in enumerate(sorted(budget_lines, key=lambda code: (len(code), code)), start=1):
        if len(budget_lines[thematique]) > 1:
            raise FinancementError(f"La thématique {thematique} est imputée sur plusieurs lignes budgétaires.")
        libelle, montant = articles[thematique]
        Article.objects.create(
            deliberation=deliberation,
            numero=numero,
            thematique=thematique,
            thematique_libelle=libelle,
            montant_vote=round_money(montant),
            ligne_budgetaire_id=next(iter(budget_lines[thematique])),
        )
    return deliberation
