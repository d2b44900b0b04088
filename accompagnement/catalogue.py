"""Default kinds of accompaniment (seeds 000, 003), read from
`fixtures/pas-de-calais/types_accompagnement.csv`; each Département adjusts them in the admin."""

from portal.core.fixtures import DEFAULT_DEPARTEMENT, as_decimal, as_int, read_fixture

TYPES_FILE = "types_accompagnement.csv"


def types(departement=DEFAULT_DEPARTEMENT) -> list[dict]:
    """The default kinds: code, libelle, places per ETP (ceiling and minimum), first appointment
    (days), CER (months)."""
    return [
        {
            "code": row["code"],
            "libelle": row["libelle"],
            "places_par_etp": as_decimal(row["places_par_etp"]),
            "places_par_etp_min": as_decimal(row["places_par_etp_min"]),
            "delai_premier_rdv_jours": as_int(row["delai_premier_rdv_jours"]),
            "delai_cer_mois": as_int(row["delai_cer_mois"]),
        }
        for row in read_fixture(departement, TYPES_FILE)
    ]


def ensure_types(model=None):
    """Create the missing default kinds, keyed by code, leaving alone those a Département has
    adjusted; `model` is the historical model inside a migration."""
    if model is None:
        from accompagnement.models import TypeAccompagnement as model
    for kind in types():
        code = kind.pop("code")
        model.objects.get_or_create(code=code, defaults=kind)
