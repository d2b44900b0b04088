"""Territories and DPID sectors, structures (seed 003, annex 4) and referents for the demo.

Territories and structures come from fixtures/pas-de-calais/ (territoires.csv, structures.csv), each
row with its seed line; only Pas-de-Calais Actif's SIRET and address are real (seed 003 l. 785), the
other SIRETs, the addresses and every referent are fictitious.
"""

import datetime
from decimal import Decimal

from portal.core.demo import register, upsert
from portal.core.fixtures import DEFAULT_DEPARTEMENT, as_bool, as_list, read_fixture
from portal.referentiels.enums import TypeAccompagnement as T
from portal.referentiels.models import Contact, Referent, SecteurDpid, Structure, Territoire
from portal.referentiels.validators import luhn_is_valid


def fictitious_siret(number: int) -> str:
    """A SIRET that passes the Luhn key, built from a 13-digit fictitious prefix (how the fictitious
    SIRETs of structures.csv were made)."""
    prefix = f"9{number:08d}0001"
    return next(prefix + str(key) for key in range(10) if luhn_is_valid(prefix + str(key)))


def territoires_rows():
    return read_fixture(DEFAULT_DEPARTEMENT, "territoires.csv")


def structures_rows():
    return read_fixture(DEFAULT_DEPARTEMENT, "structures.csv")


def structures_with_rsa_accompaniment() -> set[str]:
    """SIRETs of the structures that run an RSA accompaniment mission (annex 4, thématique 1,
    operations 1 to 3): the only ones a label can concern (seed 001 §2)."""
    return {row["siret"] for row in structures_rows() if as_bool(row["accompagnement_rsa"])}


# Fictitious referents, by structure code: (last name, first name, ETP, kind, arrival date).
# Seed 000 (the 2025 "Référent solidarité" call) names no structure: ID formation carries the
# demo's référent solidarité caseload. The CCAS de Liévin's one ETP is the family coach of the
# coaching familial experiment (seed 003 l. 164–172), with no référent caseload.
REFERENTS = {
    "mempa": [
        ("Lefebvre", "Camille", "1.00", T.EQUILIBRE, "2021-03-01"),
        ("Dupont", "Julien", "0.80", T.EQUILIBRE, "2023-09-04"),
        ("Martin", "Sophie", "1.00", T.DYNAMISATION, "2026-02-02"),
    ],
    "pbi": [
        ("Bernard", "Nadia", "1.00", T.EQUILIBRE, "2020-01-06"),
        ("Petit", "Thomas", "0.50", T.DYNAMISATION, "2024-05-13"),
    ],
    "mipe": [
        ("Robert", "Élodie", "1.00", T.EQUILIBRE, "2019-10-01"),
        ("Richard", "Karim", "0.60", T.DYNAMISATION, "2022-02-14"),
    ],
    "tous-parrains": [
        ("Durand", "Léa", "1.00", T.EQUILIBRE, "2022-06-01"),
        ("Moreau", "Hugo", "0.70", T.DYNAMISATION, "2025-01-06"),
    ],
    "pif": [
        ("Laurent", "Inès", "1.00", T.EQUILIBRE, "2018-09-03"),
        ("Simon", "Mathieu", "1.00", T.DYNAMISATION, "2023-03-20"),
    ],
    "id-formation": [
        ("Michel", "Aurélie", "1.00", T.EQUILIBRE, "2021-11-15"),
        ("Garcia", "Yanis", "0.20", T.DYNAMISATION, "2024-10-01"),
        ("Garnier", "Rachid", "1.00", T.SOLIDARITE, "2023-11-06"),
    ],
    "meill-hc": [
        ("David", "Claire", "1.00", T.EQUILIBRE, "2017-04-03"),
        ("Bertrand", "Samir", "1.00", T.EQUILIBRE, "2020-09-01"),
        ("Roux", "Manon", "1.00", T.DYNAMISATION, "2026-03-16"),
    ],
    "adefi": [
        ("Vincent", "Pauline", "1.00", T.EQUILIBRE, "2019-02-11"),
        ("Fournier", "Louis", "0.40", T.DYNAMISATION, "2022-08-29"),
    ],
    "amie-du-boulonnais": [
        ("Morel", "Chloé", "1.00", T.EQUILIBRE, "2023-01-09"),
        ("Girard", "Nicolas", "1.00", T.EQUILIBRE, "2024-04-02"),
    ],
    "la-fabrique-defi": [
        ("André", "Sarah", "1.00", T.EQUILIBRE, "2022-10-03"),
        ("Lefèvre", "Antoine", "1.00", T.EQUILIBRE, "2025-06-02"),
    ],
    "pas-de-calais-actif": [
        ("Mercier", "Valérie", "1.00", T.INDEPENDANTS, "2018-03-05"),
        ("Blanc", "Olivier", "1.00", T.INDEPENDANTS, "2021-05-17"),
        ("Guerin", "Amandine", "0.20", T.INDEPENDANTS, "2024-07-01"),
    ],
    "ccas-lievin": [("Boyer", "Émilie", "1.00", T.COACHING_FAMILIAL, "2025-01-06")],
    "aifor": [
        ("Chevalier", "Justine", "0.80", T.AUTRE, "2021-09-01"),
        ("François", "Maxime", "0.50", T.AUTRE, "2024-11-04"),
    ],
    "les-amis-copeaux": [
        ("Legrand", "Margaux", "0.50", T.AUTRE, "2022-03-07"),
        ("Gauthier", "Romain", "0.50", T.AUTRE, "2025-09-01"),
    ],
    "impact-oval": [
        ("Perrin", "Lucie", "1.00", T.AUTRE, "2023-02-01"),
        ("Lambert", "Kevin", "0.60", T.AUTRE, "2024-09-02"),
    ],
}


@register("Territoires et structures", order=10)
def load():
    rows = territoires_rows()
    secteurs = {name: upsert(SecteurDpid, {"nom": name}, {})[0] for name in sorted({r["secteur_dpid"] for r in rows})}
    territoires = {}
    for row in rows:
        territoires[row["code"]], _ = upsert(
            Territoire,
            {"code": row["code"]},
            {
                "nom": row["nom"],
                "secteur": secteurs[row["secteur_dpid"]],
                "bassin_minier": as_bool(row["bassin_minier"]),
            },
        )
    structures = structures_rows()
    nb_referents = 0
    for row in structures:
        structure, _ = upsert(
            Structure,
            {"siret": row["siret"]},
            {
                "nom": row["nom"],
                "forme_juridique": row["forme_juridique"],
                "adresse": row["adresse"],
                "code_postal": row["code_postal"],
                "commune": row["commune"],
            },
        )
        codes = list(territoires) if row["territoires"] == "tous" else as_list(row["territoires"])
        structure.territoires.set([territoires[code] for code in codes])
        upsert(
            Contact,
            {"structure": structure, "nom": "Accueil"},
            {"fonction": "Secrétariat", "email": f"contact.{structure.pk}@demo.rsa62.test", "telephone": ""},
        )
        for last, first, etp, kind, arrival in REFERENTS.get(row["code"], []):
            upsert(
                Referent,
                {"structure": structure, "nom": last, "prenom": first},
                {
                    "etp": Decimal(etp),
                    "type_accompagnement": kind,
                    "date_arrivee": datetime.date.fromisoformat(arrival),
                    "email": "",
                },
            )
            nb_referents += 1
    return f"{len(territoires)} territoires, {len(structures)} structures, {nb_referents} référents"
