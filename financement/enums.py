from django.db import models


class TypeActe(models.TextChoices):
    """What an annex line leads to once voted (seed 003 annex 4, last column)."""

    CONVENTION = "convention", "Convention type"
    AVENANT = "avenant", "Avenant"


class EtatActe(models.TextChoices):
    """States of a convention or an avenant (DESIGN.md §3)."""

    BROUILLON = "brouillon", "Brouillon"
    A_SIGNER = "a_signer", "À signer"
    SIGNEE = "signee", "Signé(e)"
    RESILIEE = "resiliee", "Résilié(e)"
    ECHUE = "echue", "Échu(e)"


class NatureVersement(models.TextChoices):
    AVANCE = "avance", "Avance"
    INTERMEDIAIRE = "intermediaire", "Paiement intermédiaire"
    SOLDE = "solde", "Solde"
    COMPLEMENT = "complement", "Versement complémentaire"


class ModeleCout(models.TextChoices):
    """How the Département's contribution is computed (DOMAIN.md §3, cost models)."""

    PAR_PLACE = "par_place", "Coût à la place"
    FORFAIT_PLACES = "forfait_places", "Forfait pour N places, au prorata"
    PAR_ETP = "par_etp", "Coût à l'ETP"
    MONTANT_FIXE = "montant_fixe", "Montant fixé par projet"


class IndicateurPortail(models.TextChoices):
    """Qualitative indicators the accompaniment computes for a structure over the convention's period."""

    TAUX_CONTRACTUALISATION = "taux_contractualisation", "Taux de contractualisation (%)"
    TAUX_CER_DANS_DELAI = "taux_cer_dans_delai", "CER signés dans les 2 mois (%)"
    ENTRETIENS_PAR_PLACE = "entretiens_par_place", "Entretiens physiques par place sur un an"
    TAUX_SORTIES_DYNAMIQUES = "taux_sorties_dynamiques", "Sorties dynamiques (% des sorties)"


class RegleBilan(models.TextChoices):
    """When the final bilan is due (DOMAIN.md §6; the seed line is cited in financement/bilans.py)."""

    MARS_N1 = "31_mars_n1", "Au plus tard le 31 mars de l'année suivant la fin de l'opération"
    SIX_MOIS = "6_mois", "Au plus tard 6 mois après la fin de l'opération (accompagnement équilibré)"
    TROIS_MOIS = "3_mois", "Dans les 3 mois suivant la fin effective de la convention"


class NatureBilan(models.TextChoices):
    INTERMEDIAIRE = "intermediaire", "Bilan intermédiaire"
    FINAL = "final", "Bilan final"


class EtatBilan(models.TextChoices):
    A_PRODUIRE = "a_produire", "À produire"
    DEPOSE = "depose", "Déposé"
    A_CORRIGER = "a_corriger", "Rendu pour correction"
    VALIDE = "valide", "Validé"
