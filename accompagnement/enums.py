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
