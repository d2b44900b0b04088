"""Demo data of the funding domain: the Commission Permanente of 9 December 2024, deliberation
2024-587 (phase 6) with its 31 annex-4 lines, its articles and budget lines, read from
fixtures/pas-de-calais/financement/ (seed 003)."""

import datetime

from django.db import transaction
from django.utils import timezone

from financement import bilans, services, workflow
from financement.enums import EtatActe, EtatBilan, NatureBilan, RegleBilan, TypeActe
from financement.fixtures import date_or_none, decimal_or_none, int_or_none, read_rows
from financement.models import (
    Article,
    AutorisationEngagement,
    Avenant,
    Bilan,
    Convention,
    Deliberation,
    EcheanceVersement,
    FicheAnnexe,
    IndicateurQualitatif,
    LigneAnnexe,
    LigneBudgetaire,
    SessionCommissionPermanente,
    SimulationProgrammation,
)
from financement.referentiel import match_territoires
from portal.core.demo import register, upsert
from portal.referentiels.demo import fictitious_siret
from portal.referentiels.enums import FormeJuridique
from portal.referentiels.models import Structure

# Fictitious SIRETs for annex structures missing from the referential start here.
MISSING_STRUCTURE_SIRET_BASE = 500


def load_budget():
    lignes = {}
    for row in read_rows("lignes_budgetaires.csv"):
        ligne, _ = upsert(
            LigneBudgetaire,
            {"code_operation": row["code_operation"]},
            {"imputation": row["imputation"], "libelle": row["libelle"]},
        )
        upsert(
            AutorisationEngagement,
            {"ligne_budgetaire": ligne, "annee": int(row["annee"])},
            {
                "montant": decimal_or_none(row["ae"]),
                "disponible_ouverture": decimal_or_none(row["disponible"]),
                "source": row["source"],
            },
        )
        lignes[ligne.code_operation] = ligne
    return lignes


def load_deliberations():
    today = timezone.localdate()
    deliberations = {}
    for row in read_rows("deliberations.csv"):
        date = date_or_none(row["date"])
        if date > today:
            continue  # nothing in the demo is dated after today
        session, _ = upsert(
            SessionCommissionPermanente,
            {"annee_appel": int(row["annee_appel"]), "phase": int(row["phase"])},
            {"date": date, "libelle": row["seance_libelle"]},
        )
        voted = row["adoptee"] in ("oui", "non")
        deliberations[row["numero"]], _ = upsert(
            Deliberation,
            {"numero": row["numero"]},
            {
                "session": session,
                "date": date,
                "intitule": row["intitule"],
                "rapport_numero": row["rapport_numero"],
                "vote_pour": int_or_none(row["vote_pour"]),
                "vote_contre": int_or_none(row["vote_contre"]),
                "vote_abstention": int_or_none(row["vote_abstention"]),
                "vote_absents": int_or_none(row["vote_absents"]),
                "membres_interesses": "\n".join(row["membres_interesses"].split("|")),
                "adoptee": (row["adoptee"] == "oui") if voted else None,
                "source": row["source"],
            },
        )
    return deliberations


def find_or_create_structure(nom: str, siret: str, index: int) -> tuple[Structure, bool]:
    """The annex's structure in the referential (by SIRET when the seed gives one, else by name);
    created with a fictitious SIRET when absent."""
    structure = None
    if siret:
        structure = Structure.objects.filter(siret=siret).first()
    if structure is None:
        structure = Structure.objects.filter(nom__iexact=nom).first()
    if structure is not None:
        return structure, False
    forme = FormeJuridique.CCAS if nom.upper().startswith("CCAS") else FormeJuridique.ASSOCIATION
    structure = Structure(
        nom=nom,
        siret=siret or fictitious_siret(MISSING_STRUCTURE_SIRET_BASE + index),
        forme_juridique=forme,
        adresse="Adresse à compléter",
        code_postal="62000",
        commune="Arras",
    )
    structure.full_clean()
    structure.save()
    return structure, True


def load_lines(deliberations, lignes_budgetaires):
    count, created_structures = 0, 0
    for index, row in enumerate(read_rows("annexe_2024-587.csv")):
        deliberation = deliberations.get(row["deliberation"])
        if deliberation is None:
            continue
        structure, created = find_or_create_structure(row["structure"], row["structure_siret"], index)
        created_structures += created
        territoire, territoire_secondaire = match_territoires(row["territoire_imprime"])
        upsert(
            LigneAnnexe,
            {"deliberation": deliberation, "ordre": int(row["ordre"])},
            {
                "thematique": row["thematique"],
                "operation": int(row["operation"]),
                "operation_libelle": row["operation_libelle"],
                "dispositif": row["dispositif"],
                "territoire": territoire,
                "territoire_secondaire": territoire_secondaire,
                "structure": structure,
                "description": row["description"],
                "etp": decimal_or_none(row["etp"]),
                "places": int_or_none(row["places"]),
                "diagnostics": int_or_none(row["diagnostics"]),
                "montant": decimal_or_none(row["montant"]),
                "type_acte": TypeActe(row["type_acte"]),
                "numero_modele": int_or_none(row["numero_modele"]),
                "date_debut": date_or_none(row["date_debut"]),
                "date_fin": date_or_none(row["date_fin"]),
                "ligne_budgetaire": lignes_budgetaires[row["code_operation"]],
                "source": row["source"],
            },
        )
        count += 1
    return count, created_structures


def load_articles(deliberations, lignes_budgetaires):
    for row in read_rows("articles.csv"):
        deliberation = deliberations.get(row["deliberation"])
        if deliberation is None:
            continue
        upsert(
            Article,
            {"deliberation": deliberation, "numero": int(row["numero"])},
            {
                "thematique": row["thematique"],
                "thematique_libelle": row["thematique_libelle"],
                "montant_vote": decimal_or_none(row["montant_vote"]),
                "ligne_budgetaire": lignes_budgetaires[row["code_operation"]],
                "source": row["source"],
            },
        )


def load_simulations(deliberation):
    """Two what-if programmings of phase 6: everything (promoted, it is what was voted) and one
    without the family-coaching experiment."""
    lignes = list(deliberation.lignes.all())
    everything, _ = upsert(
        SimulationProgrammation,
        {"deliberation": deliberation, "nom": "Toutes les propositions"},
        {"promue": True, "promue_at": timezone.make_aware(datetime.datetime(2024, 11, 20, 10, 0))},
    )
    everything.lignes.set(lignes)
    without, _ = upsert(
        SimulationProgrammation,
        {"deliberation": deliberation, "nom": "Sans l'expérimentation du coaching familial"},
        {"promue": False, "promue_at": None},
    )
    without.lignes.set([ligne for ligne in lignes if not (ligne.thematique == "1" and ligne.operation == 4)])


def _sign(acte, row, user):
    """Bring a demo text to its signed state through the workflow (never by assigning `etat`)."""
    if acte.etat == EtatActe.BROUILLON:
        acte = workflow.acte_transition(acte=acte, code="envoyer", user=user)
    if acte.etat == EtatActe.A_SIGNER:
        acte = workflow.acte_transition(
            acte=acte,
            code="signer",
            user=user,
            signe_structure_le=date_or_none(row["signe_structure_le"]),
            signe_departement_le=date_or_none(row["signe_departement_le"]),
        )
        redate_signature(acte)
    return acte


def redate_signature(acte):
    """A demo text signed on past dates was also sent for signature then, not on the day the demo
    was loaded: the sending and its log entries are moved to the signature dates."""
    first = min(acte.signe_structure_le, acte.signe_departement_le)
    last = max(acte.signe_structure_le, acte.signe_departement_le)
    sent = timezone.make_aware(datetime.datetime.combine(first, datetime.time(9)))
    signed = timezone.make_aware(datetime.datetime.combine(last, datetime.time(17)))
    type(acte).objects.filter(pk=acte.pk).update(a_signer_at=sent)
    acte.a_signer_at = sent
    acte.transitions.filter(transition="envoyer").update(at=sent)
    acte.transitions.filter(transition="signer").update(at=signed)


def load_conventions(deliberations, lignes_budgetaires):
    from portal.accounts.enums import Role
    from portal.accounts.models import User

    user = User.objects.filter(role=Role.DPID).order_by("pk").first()
    conventions, avenants = {}, {}
    for index, row in enumerate(read_rows("conventions.csv")):
        structure, _ = find_or_create_structure(row["structure"], row["structure_siret"], 100 + index)
        convention, _ = upsert(
            Convention,
            {"numero": row["numero"]},
            {
                "structure": structure,
                "intitule": row["intitule"],
                "objet": row["objet"],
                "date_debut": date_or_none(row["date_debut"]),
                "date_fin": date_or_none(row["date_fin"]),
                "montant_max": decimal_or_none(row["montant_max"]),
                "ligne_budgetaire": lignes_budgetaires.get(row["code_operation"]),
                "deliberation": deliberations.get(row["deliberation"]),
                "signataire_structure": row["signataire_structure"],
                "modele_cout": row["modele_cout"],
                "taux_place": decimal_or_none(row["taux_place"]),
                "places_conventionnees": int_or_none(row["places_conventionnees"]),
                "part_quantitative": decimal_or_none(row["part_quantitative"]),
                "regle_bilan": row["regle_bilan"] or RegleBilan.MARS_N1,
            },
        )
        conventions[convention.numero] = _sign(convention, row, user)
    for row in read_rows("indicateurs.csv"):
        upsert(
            IndicateurQualitatif,
            {"convention": conventions[row["convention"]], "ordre": int(row["ordre"])},
            {
                "famille": row["famille"],
                "libelle": row["libelle"],
                "poids": decimal_or_none(row["poids"]),
                "cible": decimal_or_none(row["cible"]),
                "calcule": row["calcule"] == "oui",
                "code_portail": row["code_portail"],
            },
        )
    for row in read_rows("avenants.csv"):
        convention = conventions[row["convention"]]
        deliberation = deliberations.get(row["deliberation"])
        ligne = (
            deliberation.lignes.filter(ordre=int(row["ordre_ligne_annexe"])).first()
            if deliberation and row["ordre_ligne_annexe"]
            else None
        )
        avenant, _ = upsert(
            Avenant,
            {"convention": convention, "numero": int(row["numero"])},
            {
                "numero_modele": int_or_none(row["numero_modele"]),
                "articles_modifies": row["articles_modifies"],
                "objet": row["objet"],
                "texte_cout": row["texte_cout"],
                "montant_supplementaire": decimal_or_none(row["montant_supplementaire"]),
                "date_debut_supplement": date_or_none(row["date_debut_supplement"]),
                "deliberation": deliberation,
                "ligne_annexe": ligne,
                "signataire_structure": row["signataire_structure"],
                "signataire_departement": row["signataire_departement"],
            },
        )
        avenants[(convention.numero, avenant.numero)] = _sign(avenant, row, user)
    for row in read_rows("fiches_annexes.csv"):
        owner = (
            {"avenant": avenants[(row["convention"], int(row["avenant"]))], "convention": None}
            if row["avenant"]
            else {"convention": conventions[row["convention"]], "avenant": None}
        )
        fields = ["titre", "duree", "cout", "public_cible", "objectifs", "deroulement", "territoire", "profil"]
        fields += ["modalites_financement", "modalites_versement", "bilan"]
        upsert(FicheAnnexe, {**owner, "numero": int(row["numero"])}, {name: row[name] for name in fields})
    for convention in conventions.values():
        bilans.synchroniser(convention)  # also for a database loaded before the bilans existed
    load_bilans(conventions, user)
    paid = 0
    for row in read_rows("echeances_versements.csv"):
        convention = conventions[row["convention"]]
        echeance, _ = upsert(
            EcheanceVersement,
            {"convention": convention, "ordre": int(row["ordre"])},
            {
                "avenant": avenants.get((convention.numero, int_or_none(row["avenant"]))),
                "nature": row["nature"],
                "libelle": row["libelle"],
                "montant_prevu": decimal_or_none(row["montant_prevu"]),
                "date_prevue": date_or_none(row["date_prevue"]),
            },
        )
        if row["date_versement"] and not hasattr(echeance, "versement"):
            services.versement_enregistrer(
                echeance=echeance,
                montant=echeance.montant_prevu,
                date_versement=date_or_none(row["date_versement"]),
                reference_mandat=row["reference_mandat"],
                user=user,
            )
            paid += 1
    return len(conventions), len(avenants), paid


def _at(day, hour=10):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _redate(bilan, transition, at, **fields):
    bilan.transitions.filter(transition=transition).update(at=at)
    Bilan.objects.filter(pk=bilan.pk).update(**fields)


# The bilans' history in the demo (product choice, the seeds give no dates): Pas-de-Calais Actif's
# intermediate bilan deposited before its 31 March 2025 deadline and validated before the
# intermediate payment of 15 April 2025; its final bilan deposited on 20 March 2026, within the 3
# months after the end (seed 003 l. 935), waiting for the DPID; the CCAS de Liévin's final bilan
# (31 March N+1, seed 000 l. 136) not produced: late.
BILANS_DEMO = {
    ("2024-01213", NatureBilan.INTERMEDIAIRE): (datetime.date(2025, 3, 24), datetime.date(2025, 4, 7)),
    ("2024-01213", NatureBilan.FINAL): (datetime.date(2026, 3, 20), None),
}


def load_bilans(conventions, user):
    today = timezone.localdate()
    for (numero, nature), (deposited, validated) in BILANS_DEMO.items():
        bilan = Bilan.objects.filter(convention=conventions[numero], nature=nature, avenant__isnull=True).first()
        if bilan is None or bilan.etat != EtatBilan.A_PRODUIRE or deposited > today:
            continue
        bilan = bilans.deposer(
            bilan=bilan,
            chiffres={
                "file_active": 118,
                "entrees": 64,
                "sorties": 41,
                "sorties_dynamiques": 17,
                "reorientations": 6,
                "sorties_autres": 18,
                "entretiens": 512,
            },
            commentaire="Chiffres tirés de notre suivi (Néogestion) : la file active comprend les créateurs "
            "accompagnés au développement comme à la cessation d'activité.",
            user=None,
            today=deposited,
        )
        _redate(bilan, "deposer", _at(deposited), depose_at=_at(deposited))
        if validated and validated <= today:
            bilan = bilans.valider(bilan=bilan, user=user)
            _redate(bilan, "valider", _at(validated, 15), valide_at=_at(validated, 15))


def link_candidatures(deliberations):
    """The annex-4 lines and the applications of the calls-for-projects demo (aap/demo.py, line
    number = order in the annex): each line links back to its application."""
    from aap.models import Candidature

    deliberation = deliberations.get("2024-587")
    if deliberation is None:
        return 0
    linked = 0
    for ligne in deliberation.lignes.filter(candidature__isnull=True):
        prefix = f"Ligne {ligne.ordre} de l'annexe 4 de la délibération 2024-587"
        candidature = Candidature.objects.filter(
            description__startswith=prefix + " ", structure_id=ligne.structure_id
        ).first()
        if candidature is not None:
            LigneAnnexe.objects.filter(pk=ligne.pk).update(candidature=candidature)
            linked += 1
    return linked


@register("Financement : lignes budgétaires et délibération 2024-587", order=100)
@transaction.atomic
def load():
    lignes_budgetaires = load_budget()
    deliberations = load_deliberations()
    count, created_structures = load_lines(deliberations, lignes_budgetaires)
    load_articles(deliberations, lignes_budgetaires)
    link_candidatures(deliberations)
    for deliberation in deliberations.values():
        load_simulations(deliberation)
    nb_conventions, nb_avenants, paid = load_conventions(deliberations, lignes_budgetaires)
    created = f", {created_structures} structure(s) ajoutée(s)" if created_structures else ""
    return (
        f"{len(lignes_budgetaires)} lignes budgétaires, {len(deliberations)} délibération(s), "
        f"{count} lignes d'annexe{created}, {nb_conventions} convention(s), {nb_avenants} avenant(s), "
        f"{paid} versement(s) enregistré(s)"
    )
