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
