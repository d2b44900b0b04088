"""Default kinds of accompaniment (seeds 000, 003); each Département adjusts them in the admin."""

from decimal import Decimal

TYPES = [
    # code, label, places per ETP (ceiling), minimum, first appointment (days), CER (months)
    ("solidarite", "Référent solidarité", Decimal("250"), None, None, 2),
    ("equilibre", "Accompagnement équilibré social-professionnel", Decimal("70"), Decimal("55"), 15, 2),
    ("independants", "Travailleurs indépendants", Decimal("70"), None, None, 2),
]


def ensure_types(model=None):
    """Create the missing default kinds, leaving alone those a Département has adjusted; `model`
    is the historical model inside a migration."""
    if model is None:
        from accompagnement.models import TypeAccompagnement as model
    for code, libelle, places, minimum, rdv, cer in TYPES:
        model.objects.get_or_create(
            code=code,
            defaults={
                "libelle": libelle,
                "places_par_etp": places,
                "places_par_etp_min": minimum,
                "delai_premier_rdv_jours": rdv,
                "delai_cer_mois": cer,
            },
        )
