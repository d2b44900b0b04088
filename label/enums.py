from django.db import models


class NatureFormation(models.TextChoices):
    SESSION = "session", "Session suivie (attestation de présence)"
    EQUIVALENCE = "equivalence", "Formation antérieure équivalente"
    ABSENCE = "absence", "Absence justifiée à une session"
    PREVUE = "prevue", "Session prévue (plan de formation)"


class TypeDemande(models.TextChoices):
    INITIALE = "initiale", "Première demande"
    APRES_MORATOIRE = "apres_moratoire", "Nouvelle demande après moratoire"
    RENOUVELLEMENT = "renouvellement", "Renouvellement (procédure allégée)"
    # After 6 months of SLAI support for a CER quality no longer assured, "la procédure relative à
    # la labélisation est réenclenchée" (seed 001 l. 352–356): a new draw graded on the same grid.
    ETUDE_RETRAIT = "etude_retrait", "Nouvelle étude de la qualité des CER (procédure de retrait)"


class EtatDemande(models.TextChoices):
    BROUILLON = "brouillon", "Brouillon"
    DEPOSEE = "deposee", "Déposée"
    AVIS_DPID = "avis_dpid", "Évaluée par la DPID"
    AVIS_SLAI = "avis_slai", "Avis confirmé avec le SLAI"
    ACCORDEE = "accordee", "Label accordé"
    MORATOIRE = "moratoire", "Refusée : moratoire de 6 mois"
    REFUSEE = "refusee", "Refusée"
    ETUDE_CLOSE = "etude_close", "Nouvelle étude conclue"


class Avis(models.TextChoices):
    FAVORABLE = "favorable", "Favorable"
    DEFAVORABLE = "defavorable", "Défavorable"


class Evaluateur(models.TextChoices):
    STRUCTURE = "structure", "Auto-évaluation de la structure"
    DPID = "dpid", "Contrôle de la DPID"


class EtatRecours(models.TextChoices):
    DEPOSE = "depose", "Déposé"
    ACCUEILLI = "accueilli", "Accueilli : label accordé"
    REJETE = "rejete", "Rejeté"


class MotifRetrait(models.TextChoices):
    FIN_MISSION = "fin_mission", "Fin de la mission d'accompagnement RSA (le label tombe de plein droit)"
    ENGAGEMENTS = "engagements", "Engagements non tenus (formation des référents absents ou nouveaux)"
    QUALITE_CER = "qualite_cer", "Qualité des CER plus assurée (après 6 mois d'accompagnement du SLAI)"


class EtatRetrait(models.TextChoices):
    ACCOMPAGNEMENT = "accompagnement", "Accompagnement du SLAI (6 mois)"
    ETUDE = "etude", "Nouvelle étude des CER : tirage et évaluation sur la grille en cours"
    CONTRADICTOIRE = "contradictoire", "Procédure contradictoire : observations de la structure attendues"
    RETIRE = "retire", "Label retiré"
    ABANDONNE = "abandonne", "Procédure abandonnée : label maintenu"
