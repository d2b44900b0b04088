from django.db import models


class Action(models.TextChoices):
    LECTURE = "lecture", "Consultation"
    CREATION = "creation", "Création"
    MODIFICATION = "modification", "Modification"
    SUPPRESSION = "suppression", "Suppression"
    EXPORT = "export", "Export"
    TELECHARGEMENT = "telechargement", "Téléchargement"
    LISTE = "liste", "Consultation d'une liste"
    REFUS = "refus", "Accès refusé"
    CONNEXION_REFUSEE = "connexion_refusee", "Connexion refusée"
    VERROUILLAGE = "verrouillage", "Compte bloqué"
