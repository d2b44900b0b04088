"""Queue exports with the columns the instructor picks, written by the portal's shared writer
(`portal.core.tabular`): CSV for French spreadsheet software (`;`, decimal comma) and XLSX with real
numbers and dates. Text typed by users never runs as a formula."""

from portal.core import tabular

# (key, header, getter)
COLUMNS = [
    ("appel", "Appel à projets", lambda c: c.dispositif.appel.titre),
    ("dispositif", "Dispositif", lambda c: f"{c.dispositif.code} {c.dispositif.libelle}"),
    ("structure", "Structure", lambda c: c.structure.nom),
    ("siret", "SIRET", lambda c: c.structure.siret),
    ("territoire", "Territoire", lambda c: c.territoire.nom),
    ("intitule", "Intitulé de l'action", lambda c: c.intitule),
    ("etat", "État", lambda c: c.get_etat_display()),
    ("deposee_at", "Déposée le", lambda c: c.deposee_at),
    ("places", "Places", lambda c: c.places),
    ("etp", "ETP", lambda c: c.etp),
    (
        "avis_slai",
        "Avis ou validation du SLAI",
        lambda c: c.get_validation_slai_display() or c.get_avis_slai_display(),
    ),
    ("avis", "Avis demandés / rendus", lambda c: f"{c.avis_demandes} demandés / {c.avis_rendus} rendus"),
    ("montant_propose", "Montant proposé (€)", lambda c: (c.montant_propose, tabular.MONEY)),
    ("places_proposees", "Places proposées", lambda c: c.places_proposees),
    ("acte", "Acte proposé", lambda c: c.get_acte_propose_display()),
]
COLUMN_KEYS = [key for key, _, _ in COLUMNS]
DEFAULT_COLUMNS = ["dispositif", "structure", "territoire", "etat", "deposee_at", "montant_propose"]
_BY_KEY = {key: (header, getter) for key, header, getter in COLUMNS}


def table(candidatures, columns):
    header = [_BY_KEY[key][0] for key in columns]
    rows = [[_BY_KEY[key][1](c) for key in columns] for c in candidatures.iterator(chunk_size=500)]
    return header, rows
