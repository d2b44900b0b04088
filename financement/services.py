"""Writes of the funding domain: what-if programmings (then conventions, avenants, payments)."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from financement import bilans
from financement.enums import EtatActe, NatureVersement, TypeActe
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
    SessionCommissionPermanente,
    SimulationProgrammation,
    Versement,
)
from financement.resultats_portail import prefill, valeurs_accompagnement
from financement.solde import calcul_solde
from portal.core.formats import format_date, format_euros, round_money


class FinancementError(Exception):
    """An action the record's state does not allow (shown to the user as is); `field` names the
    form field it is about, when there is one."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


SOLDE_AVANT_BILAN = (
    "Le solde ne peut être ni validé ni versé avant la validation du bilan final de la convention par la DPID."
)


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
    if echeance.nature == NatureVersement.SOLDE and not bilans.bilan_final_valide(convention):
        raise FinancementError(SOLDE_AVANT_BILAN)
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
    if not bilans.bilan_final_valide(convention):
        raise FinancementError(SOLDE_AVANT_BILAN)
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


def regle_bilan_de(ligne) -> str:
    """The final bilan's rule of the operation an annex line funds: 6 months after the end for the
    accompagnement équilibré (seed 003 l. 470), 3 months for Pas-de-Calais Actif (seed 003 l. 935),
    otherwise 31 March N+1 (seed 000 l. 136, 003 l. 328)."""
    from financement.enums import RegleBilan

    libelle = f"{ligne.operation_libelle} {ligne.structure.nom}".lower()
    if "équilibré" in libelle or "equilibre" in libelle:
        return RegleBilan.SIX_MOIS
    if "pas-de-calais actif" in libelle:
        return RegleBilan.TROIS_MOIS
    return RegleBilan.MARS_N1


# The payment schedule a drafted act starts with (the DPID records each payment against it). A
# convention: an advance at signature, then the balance according to the objectives and the final
# bilan (seed 000 l. 129-132; the advance's share is the portal's choice, as in the demo's
# référent solidarité convention); an avenant: 60 % at its signature, 40 % at the convention's
# balance (seed 003 l. 934).
PART_AVANCE_CONVENTION = Decimal("0.50")
PART_AVANCE_AVENANT = Decimal("0.60")


def _pourcent(part: Decimal) -> str:
    return f"{part * 100:.0f}\u00a0%"


@transaction.atomic
def acte_from_ligne(*, ligne: LigneAnnexe, user):
    """A retained, voted annex line becomes a draft convention (« Convention type ») or a draft
    avenant to the structure's current signed convention (« Modèle d'avenant n° N »), each with
    its payment schedule."""
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
            regle_bilan=regle_bilan_de(ligne),
        )
        FicheAnnexe.objects.create(convention=convention, **fiche)
        avance = (ligne.montant * PART_AVANCE_CONVENTION).quantize(Decimal("0.01"))
        EcheanceVersement.objects.bulk_create(
            [
                EcheanceVersement(
                    convention=convention,
                    ordre=1,
                    nature=NatureVersement.AVANCE,
                    libelle=f"Avance versée dès signature de la convention ({_pourcent(PART_AVANCE_CONVENTION)})",
                    montant_prevu=avance,
                ),
                EcheanceVersement(
                    convention=convention,
                    ordre=2,
                    nature=NatureVersement.SOLDE,
                    libelle="Solde sous réserve du respect des objectifs et du bilan final",
                    montant_prevu=None,
                ),
            ]
        )
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
    first = (convention.echeances.order_by("-ordre").values_list("ordre", flat=True).first() or 0) + 1
    a_la_signature = (ligne.montant * PART_AVANCE_AVENANT).quantize(Decimal("0.01"))
    EcheanceVersement.objects.bulk_create(
        [
            EcheanceVersement(
                convention=convention,
                avenant=avenant,
                ordre=first,
                nature=NatureVersement.AVANCE,
                libelle=f"{_pourcent(PART_AVANCE_AVENANT)} à la signature de l'avenant n° {numero}",
                montant_prevu=a_la_signature,
            ),
            EcheanceVersement(
                convention=convention,
                avenant=avenant,
                ordre=first + 1,
                nature=NatureVersement.SOLDE,
                libelle=f"{_pourcent(1 - PART_AVANCE_AVENANT)} au solde de la convention (avenant n° {numero})",
                montant_prevu=ligne.montant - a_la_signature,
            ),
        ]
    )
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
    _decide_applications(deliberation, user)
    return deliberation


# --- a Commission Permanente session from the calls for projects' proposals ------------------------


def propositions_disponibles():
    """Applications the DPID proposed to the Commission Permanente (proposed, or already retained
    in the call-for-projects tool) that are on no line of a deliberation in preparation, nor on a
    retained line of an adopted one: a proposal left out of a vote may come back at the next
    session."""
    from django.db.models import Q

    from aap.models import Candidature

    taken = LigneAnnexe.objects.filter(candidature__isnull=False).filter(
        Q(deliberation__adoptee__isnull=True) | Q(deliberation__adoptee=True, retenue=True)
    )
    return (
        Candidature.objects.proposals()
        .exclude(pk__in=taken.values("candidature_id"))
        .select_related("dispositif__thematique", "dispositif__appel", "structure", "territoire")
        .order_by("dispositif__thematique__numero", "dispositif__ordre", "dispositif__code", "territoire__nom", "pk")
    )


def _numero_modele(candidature):
    digits = "".join(ch for ch in candidature.modele_acte if ch.isdigit())
    return int(digits) if digits else None


def _imputations_par_thematique():
    """thématique → the budget line its most recent annex line was imputed on."""
    result = {}
    for thematique, ligne_budgetaire_id in LigneAnnexe.objects.order_by("-deliberation__date", "-pk").values_list(
        "thematique", "ligne_budgetaire_id"
    ):
        result.setdefault(thematique, ligne_budgetaire_id)
    return result


@transaction.atomic
def session_from_proposals(
    *, date, phase: int, annee_appel: int, numero: str, intitule: str, candidatures, ligne_budgetaire, user
) -> Deliberation:
    """The DPID groups proposals into a Commission Permanente session: a deliberation in
    preparation whose annex has one line per chosen application (thématique, operation, territory,
    structure, description, ETP, places or diagnostics, amount, convention or avenant model), each
    linked to its application; then the simulations and the vote follow as for any deliberation.

    Imputation (product choice, no seed states it): each thématique goes on the budget line of its
    most recent annex line; a thématique never imputed yet goes on `ligne_budgetaire`."""
    from aap.models import Candidature

    candidatures = list(candidatures)
    if not candidatures:
        raise FinancementError("Choisissez au moins une proposition.", field="candidatures")
    if SessionCommissionPermanente.objects.filter(annee_appel=annee_appel, phase=phase).exists():
        raise FinancementError(
            f"Une séance existe déjà pour la phase {phase} de l'appel à projets {annee_appel}.", field="phase"
        )
    if Deliberation.objects.filter(numero=numero).exists():
        raise FinancementError(f"Le numéro « {numero} » est déjà celui d'une délibération.", field="numero")
    available = set(
        propositions_disponibles().filter(pk__in=[c.pk for c in candidatures]).values_list("pk", flat=True)
    )
    if any(c.pk not in available for c in candidatures):
        raise FinancementError(
            "Une proposition choisie est déjà dans une séance, ou n'est plus proposée.", field="candidatures"
        )
    candidatures = list(
        Candidature.objects.filter(pk__in=available)
        .select_related("dispositif__thematique", "structure", "territoire")
        .order_by("dispositif__thematique__numero", "dispositif__ordre", "dispositif__code", "territoire__nom", "pk")
    )
    for candidature in candidatures:
        if candidature.acte_propose == TypeActe.AVENANT and _numero_modele(candidature) is None:
            raise FinancementError(
                f"La proposition « {candidature} » est un avenant sans numéro de modèle : complétez-la dans "
                "l'appel à projets.",
                field="candidatures",
            )
    imputations = _imputations_par_thematique()
    for candidature in candidatures:
        dispositif = candidature.dispositif
        thematique = str(dispositif.thematique.numero) if dispositif.thematique_id else dispositif.code.split(".")[0]
        if thematique not in imputations and ligne_budgetaire is None:
            raise FinancementError(
                f"La thématique {thematique} n'a encore jamais été imputée : choisissez sa ligne budgétaire.",
                field="ligne_budgetaire",
            )
    session = SessionCommissionPermanente.objects.create(
        date=date, phase=phase, annee_appel=annee_appel, libelle=f"Réunion du {format_date(date)}"
    )
    deliberation = Deliberation.objects.create(session=session, numero=numero, date=date, intitule=intitule)
    operations = {}
    for ordre, candidature in enumerate(candidatures, start=1):
        dispositif = candidature.dispositif
        thematique = str(dispositif.thematique.numero) if dispositif.thematique_id else dispositif.code.split(".")[0]
        # Operations are numbered within their thématique, in the order of the dispositifs.
        numbering = operations.setdefault(thematique, {})
        operation = numbering.setdefault(dispositif.pk, len(numbering) + 1)
        type_acte = TypeActe.AVENANT if candidature.acte_propose == TypeActe.AVENANT else TypeActe.CONVENTION
        LigneAnnexe.objects.create(
            deliberation=deliberation,
            candidature=candidature,
            ordre=ordre,
            thematique=thematique,
            operation=operation,
            operation_libelle=dispositif.libelle[:200],
            dispositif=dispositif.code,
            territoire=candidature.territoire,
            structure=candidature.structure,
            description=candidature.description or candidature.intitule or str(candidature),
            etp=candidature.etp_propose if candidature.etp_propose is not None else candidature.etp,
            places=candidature.places_proposees if candidature.places_proposees is not None else candidature.places,
            diagnostics=candidature.diagnostics,
            montant=round_money(candidature.montant_propose),
            type_acte=type_acte,
            numero_modele=_numero_modele(candidature) if type_acte == TypeActe.AVENANT else None,
            date_debut=candidature.date_debut,
            date_fin=candidature.date_fin,
            ligne_budgetaire_id=imputations.get(thematique) or ligne_budgetaire.pk,
            source=f"Candidature n° {candidature.pk} (appel à projets {dispositif.appel.annee})",
        )
    simulation = SimulationProgrammation.objects.create(
        deliberation=deliberation, nom="Toutes les propositions", created_by=user
    )
    simulation.lignes.set(deliberation.lignes.all())
    return deliberation


def _decide_applications(deliberation, user):
    """After an adopted vote, the retained lines' applications still "proposed" become "retained"
    in the call-for-projects tool (which tells their structure)."""
    from aap.enums import EtatCandidature
    from aap.services import candidature_decide

    lignes = LigneAnnexe.objects.filter(
        deliberation=deliberation, retenue=True, candidature__etat=EtatCandidature.PROPOSEE
    ).select_related("candidature")
    for ligne in lignes:
        candidature_decide(
            candidature=ligne.candidature,
            retenue=True,
            motif=f"Commission Permanente du {format_date(deliberation.date)}, délibération {deliberation.numero}.",
            user=user,
        )
