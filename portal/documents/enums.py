from django.db import models


class DocumentStatus(models.TextChoices):
    EN_ATTENTE = "en_attente", "En attente"
    EN_COURS = "en_cours", "En cours de production"
    PRET = "pret", "Prêt"
    ECHEC = "echec", "Échec"
