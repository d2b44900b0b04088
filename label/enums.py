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


class EtatDemande(models.TextChoices):
    BROUILLON = "brouillon", "Brouillon"
    DEPOSEE = "deposee", "Déposée"
    AVIS_DPID = "avis_dpid", "Évaluée par la DPID"
    AVIS_SLAI = "avis_slai", "Avis confirmé avec le SLAI"
    ACCORDEE = "accordee", "Label accordé"
    MORATOIRE = "moratoire", "Refusée : moratoire de 6 mois"
    REFUSEE = "refusee", "Refusée"


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
