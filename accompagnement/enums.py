from django.db import models


class Sexe(models.TextChoices):
    F = "F", "Femme"
    M = "M", "Homme"


class StatutDroits(models.TextChoices):
    OUVERTS = "ouverts", "Droits ouverts"
    SUSPENDUS = "suspendus", "Droits suspendus"
    CLOS = "clos", "Droits clos"


class SourceOrientation(models.TextChoices):
    SAISIE = "saisie", "Saisie dans le portail"
    IMPORT = "import", "Import du fichier du Département"


class ModeEntretien(models.TextChoices):
    PHYSIQUE = "physique", "Physique"
    TELEPHONE = "telephone", "Téléphone"
    VISIO = "visio", "Visioconférence"
    COLLECTIF = "collectif", "Collectif"


class NatureEntretien(models.TextChoices):
    PREMIER = "premier", "Premier entretien"
    INTERMEDIAIRE = "intermediaire", "Entretien intermédiaire"
    BILAN_FINAL = "bilan_final", "Bilan final"


class Presence(models.TextChoices):
    PRESENT = "present", "Présent(e)"
    EXCUSE = "excuse", "Absence excusée"
    ABSENT = "absent", "Absence injustifiée"


class TypeCer(models.TextChoices):
    SOLIDARITE = "solidarite", "CER solidarité"
    SOCIOPROFESSIONNEL = "socioprofessionnel", "CER socio-professionnel"


class PhaseCerp(models.TextChoices):
    """The steps of the self-employed accompaniment (seed 003 l. 870–925)."""

    DIAGNOSTIC = "diagnostic", "CERP n°1 – diagnostic (3 mois, 3 entretiens)"
    DEVELOPPEMENT = "developpement", "Développement de l'activité (3, 6, 9 ou 12 mois, 18 mois au plus)"
    CESSATION = "cessation", "Cessation d'activité et réorientation (3 ou 6 mois)"


class MomentDiagnostic(models.TextChoices):
    ENTREE = "entree", "À l'entrée"
    INTERMEDIAIRE = "intermediaire", "En cours d'accompagnement"
    FINAL = "final", "Bilan final (actualisation obligatoire)"


class Frein(models.TextChoices):
    """Areas of the 360° diagnostic. A category only: details stay out of the portal (secrecy)."""

    LOGEMENT = "logement", "Logement"
    MOBILITE = "mobilite", "Mobilité"
    SANTE = "sante", "Santé (sans détail médical)"
    GARDE_ENFANTS = "garde_enfants", "Garde d'enfants"
    BUDGET = "budget", "Budget, endettement"
    ACCES_DROITS = "acces_droits", "Accès aux droits, démarches administratives"
    NUMERIQUE = "numerique", "Numérique"
    LANGUE = "langue", "Maîtrise du français"
    QUALIFICATION = "qualification", "Qualification, expérience professionnelle"
    ISOLEMENT = "isolement", "Isolement, lien social"


class StatutPrescription(models.TextChoices):
    PRESCRITE = "prescrite", "Prescrite"
    EN_COURS = "en_cours", "En cours"
    REALISEE = "realisee", "Réalisée"
    ABANDONNEE = "abandonnee", "Abandonnée"


class EtatDemande(models.TextChoices):
    """Reorientation and renewal requests, decided by the SLAI."""

    DEPOSEE = "deposee", "En attente de la décision du SLAI"
    ACCEPTEE = "acceptee", "Acceptée"
    REFUSEE = "refusee", "Refusée"


class DecisionSuspension(models.TextChoices):
    SUSPENSION = "suspension", "Procédure de suspension engagée (saisine de l'équipe pluridisciplinaire)"
    CLASSEE = "classee", "Classée : reprise de contact ou absence justifiée après coup"


class CategorieSortie(models.TextChoices):
    """Exit typology (seed 004 l. 175–181, seed 000 l. 88–90)."""

    EMPLOI_DURABLE = "emploi_durable", "Emploi durable"
    EMPLOI_TRANSITION = "emploi_transition", "Emploi de transition"
    SORTIE_POSITIVE = "sortie_positive", "Sortie positive"
    SITUATION_FINANCIERE = "situation_financiere", "Changement de situation financière"
    REORIENTATION = "reorientation", "Réorientation"
    AUTRE = "autre", "Autre sortie"


class MotifSortie(models.TextChoices):
    CDI = "cdi", "Emploi durable – CDI"
    CDD_LONG = "cdd_long", "Emploi durable – CDD de plus de 6 mois"
    CDD_COURT = "cdd_court", "Emploi de transition – CDD de moins de 6 mois"
    FORMATION_QUALIFIANTE = "formation_qualifiante", "Sortie positive – formation qualifiante"
    ACTION_INSERTION = "action_insertion", "Sortie positive – autre action d'insertion"
    # AAH, unemployment, invalidity, daily allowances and retirement are "situation financière"
    # (seed 000 l. 88–90): one motive, one category.
    AUTRES_DROITS = (
        "autres_droits",
        "Sortie positive – ouverture d'autres droits (hors AAH, chômage, invalidité, IJ, retraite/ASPA)",
    )
    CONTRAT_SIAE = "contrat_siae", "Sortie positive – contrat en SIAE"
    AAH = "aah", "Situation financière – Allocation aux adultes handicapés"
    CHOMAGE = "chomage", "Situation financière – allocations chômage"
    INVALIDITE = "invalidite", "Situation financière – pension d'invalidité"
    INDEMNITES_JOURNALIERES = "ij", "Situation financière – indemnités journalières"
    RETRAITE = "retraite", "Situation financière – pension de retraite, ASPA"
    REORIENTATION = "reorientation", "Réorientation (décidée par le SLAI)"
    DEMENAGEMENT = "demenagement", "Déménagement hors du département"
    FIN_DROITS = "fin_droits", "Fin de droits RSA pour un autre motif"
    AUTRE = "autre", "Autre motif"


CATEGORIE_DU_MOTIF = {
    MotifSortie.CDI: CategorieSortie.EMPLOI_DURABLE,
    MotifSortie.CDD_LONG: CategorieSortie.EMPLOI_DURABLE,
    MotifSortie.CDD_COURT: CategorieSortie.EMPLOI_TRANSITION,
    MotifSortie.FORMATION_QUALIFIANTE: CategorieSortie.SORTIE_POSITIVE,
    MotifSortie.ACTION_INSERTION: CategorieSortie.SORTIE_POSITIVE,
    MotifSortie.AUTRES_DROITS: CategorieSortie.SORTIE_POSITIVE,
    MotifSortie.CONTRAT_SIAE: CategorieSortie.SORTIE_POSITIVE,
    MotifSortie.AAH: CategorieSortie.SITUATION_FINANCIERE,
    MotifSortie.CHOMAGE: CategorieSortie.SITUATION_FINANCIERE,
    MotifSortie.INVALIDITE: CategorieSortie.SITUATION_FINANCIERE,
    MotifSortie.INDEMNITES_JOURNALIERES: CategorieSortie.SITUATION_FINANCIERE,
    MotifSortie.RETRAITE: CategorieSortie.SITUATION_FINANCIERE,
    MotifSortie.REORIENTATION: CategorieSortie.REORIENTATION,
    MotifSortie.DEMENAGEMENT: CategorieSortie.AUTRE,
    MotifSortie.FIN_DROITS: CategorieSortie.AUTRE,
    MotifSortie.AUTRE: CategorieSortie.AUTRE,
}
# Sortie dynamique = emploi durable + emploi de transition + sortie positive (seed 004 l. 181).
CATEGORIES_DYNAMIQUES = (
    CategorieSortie.EMPLOI_DURABLE,
    CategorieSortie.EMPLOI_TRANSITION,
    CategorieSortie.SORTIE_POSITIVE,
)


def motifs_of(*categories) -> list[str]:
    return [motif.value for motif, categorie in CATEGORIE_DU_MOTIF.items() if categorie in categories]


# The kinds outside the socio-professional sphere: a reorientation toward any other kind counts as
# a result of the référent solidarité (seed 000 l. 86–91, 211–215).
HORS_SPHERE_SOCIOPRO = ("solidarite", "coaching_familial")
