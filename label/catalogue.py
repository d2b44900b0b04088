"""The training catalogue of seed 001 §5-1 and annexe 1, read from
`fixtures/pas-de-calais/modules_formation.csv` (also loaded by migration 0002)."""

from portal.core.fixtures import DEFAULT_DEPARTEMENT, as_bool, as_int, read_fixture

MODULES_FILE = "modules_formation.csv"


def modules(departement=DEFAULT_DEPARTEMENT) -> list[dict]:
    """The catalogue's rows: code, libelle, duree, obligatoire, ordre (typed)."""
    return [
        {
            "code": row["code"],
            "libelle": row["libelle"],
            "duree": row["duree"],
            "obligatoire": as_bool(row["obligatoire"]),
            "ordre": as_int(row["ordre"]),
        }
        for row in read_fixture(departement, MODULES_FILE)
    ]


def ensure_modules(model=None):
    """Create or update the catalogue, keyed by code; `model` is the historical model inside a
    migration. Writes nothing when the table already matches the file."""
    if model is None:
        from label.models import ModuleFormation as model
    for module in modules():
        code = module.pop("code")
        existing = model.objects.filter(code=code).first()
        if existing is None:
            model.objects.create(code=code, **module)
        elif any(getattr(existing, name) != value for name, value in module.items()):
            model.objects.filter(pk=existing.pk).update(**module)
