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
            "delai_cer_jours": as_int(row["delai_cer_jours"]),
            "duree_cer_mois": as_int(row["duree_cer_mois"]),
            "rdv_physiques": as_int(row["rdv_physiques"]),
        }
        for row in read_fixture(departement, TYPES_FILE)
    ]


NEW_RULES = ("delai_cer_jours", "duree_cer_mois", "rdv_physiques")


def set_new_rules(model=None):
    """Give the kinds created before these settings existed the seeds' values (only where still
    empty: a Département's own setting is kept)."""
    if model is None:
        from accompagnement.models import TypeAccompagnement as model
    for kind in types():
        for name in NEW_RULES:
            if kind[name] is not None:
                model.objects.filter(code=kind["code"], **{f"{name}__isnull": True}).update(**{name: kind[name]})


def ensure_types(model=None):
    """Create the missing default kinds, keyed by code, leaving alone those a Département has
    adjusted; `model` is the historical model inside a migration."""
    if model is None:
        from accompagnement.models import TypeAccompagnement as model
    known = {f.name for f in model._meta.get_fields()}  # a migration's model may predate some settings
    for kind in types():
        code = kind.pop("code")
        model.objects.get_or_create(code=code, defaults={k: v for k, v in kind.items() if k in known})
