from django.db import models


class FormeJuridique(models.TextChoices):
    ASSOCIATION = "association", "Association"
    CCAS = "ccas", "CCAS"
    CIAS = "cias", "CIAS"
    EPCI = "epci", "EPCI"
    GIP = "gip", "GIP"
    SIAE = "siae", "SIAE"
    AUTRE = "autre", "Autre"


class TypeAccompagnement(models.TextChoices):
    """Kinds of accompaniment a referent works on (seeds 000 and 003); extended by accompagnement."""

    SOLIDARITE = "solidarite", "Référent solidarité"
    EQUILIBRE = "equilibre", "Accompagnement équilibré social-professionnel"
    INDEPENDANTS = "independants", "Travailleurs indépendants"
    DYNAMISATION = "dynamisation", "Dynamisation des parcours"
    COACHING_FAMILIAL = "coaching_familial", "Coaching familial"  # 003 l. 164–172
    AUTRE = "autre", "Autre"
