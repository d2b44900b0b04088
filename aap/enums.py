from django.db import models


class EtatAppel(models.TextChoices):
    BROUILLON = "brouillon", "Brouillon (non publié)"
    PUBLIE = "publie", "Publié"


class ModeleCout(models.TextChoices):
    PAR_PLACE = "par_place", "Coût par place d'accompagnement"
    FORFAIT_PLACES = "forfait_places", "Forfait pour un nombre de places, versé au prorata"
    PAR_ETP = "par_etp", "Coût par ETP (financé ou valorisé à 0 €)"
    VOLUME_DIAGNOSTICS = "volume_diagnostics", "ETP et volume de diagnostics"
    PROJET = "projet", "Montant fixé par projet"


class EtatCandidature(models.TextChoices):
    BROUILLON = "brouillon", "Brouillon"
    DEPOSEE = "deposee", "Déposée"
    CORRECTION = "correction", "Correction demandée"
    RECEVABLE = "recevable", "Recevable"
    IRRECEVABLE = "irrecevable", "Irrecevable"
    EN_INSTRUCTION = "en_instruction", "En instruction"
    AVIS_RENDU = "avis_rendu", "Avis territorial rendu"
    PROPOSEE = "proposee", "Proposée à la Commission Permanente"
    RETENUE = "retenue", "Retenue"
    NON_RETENUE = "non_retenue", "Non retenue"
    RETIREE = "retiree", "Retirée par la structure"


DECIDED = (EtatCandidature.IRRECEVABLE, EtatCandidature.RETENUE, EtatCandidature.NON_RETENUE)
CLOSED = (*DECIDED, EtatCandidature.RETIREE)


class AvisSlai(models.TextChoices):
    FAVORABLE = "favorable", "Favorable"
    RESERVE = "reserve", "Réservé"
    DEFAVORABLE = "defavorable", "Défavorable"


class ValidationSlai(models.TextChoices):
    VALIDEE = "validee", "Validée par le chef de SLAI"
    REFUSEE = "refusee", "Refusée par le chef de SLAI"


class Acte(models.TextChoices):
    CONVENTION = "convention", "Convention"
    AVENANT = "avenant", "Avenant"


class MotifCorrection(models.TextChoices):
    INCOMPLET = "incomplet", "Incomplet"
    INCORRECT = "incorrect", "Incorrect"
    PERIME = "perime", "Périmé (document plus valable)"


class Section(models.TextChoices):
    """The parts of an application form; a correction request reopens only the named ones."""

    PROJET = "projet", "Projet (description, calendrier, partenaires, indicateurs)"
    BUDGET = "budget", "Budget prévisionnel"
    PERSONNEL = "personnel", "Personnel et CV"
    PIECES = "pieces", "Pièces jointes"
