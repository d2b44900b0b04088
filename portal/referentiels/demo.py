"""Territories, structures (seed 003, annex 4) and referents for the demo.

Only Pas-de-Calais Actif's SIRET is real (seed 003); the other SIRETs, the addresses and every
person are fictitious.
"""

import datetime
from decimal import Decimal

from portal.core.demo import register, upsert
from portal.referentiels.enums import FormeJuridique
from portal.referentiels.enums import TypeAccompagnement as T
from portal.referentiels.models import Contact, Referent, SecteurDpid, Structure, Territoire
from portal.referentiels.validators import luhn_is_valid

SECTEUR_HC = "Secteur Hénin-Carvin"
SECTEUR_AMT = "Secteur Artois, Montreuillois et Ternois"
SECTEUR_ABA = "Secteur Arrageois, Boulonnais et Audomarois"
SECTEUR_CLL = "Secteur Calaisis et Lens-Liévin"

# (code, name, DPID sector, bassin minier) — seed 000 l. 243–258, DOMAIN.md.
TERRITOIRES = [
    ("arrageois", "Arrageois", SECTEUR_ABA, False),
    ("artois", "Artois", SECTEUR_AMT, True),
    ("audomarois", "Audomarois", SECTEUR_ABA, False),
    ("boulonnais", "Boulonnais", SECTEUR_ABA, False),
    ("calaisis", "Calaisis", SECTEUR_CLL, False),
    ("henin-carvin", "Hénin-Carvin", SECTEUR_HC, True),
    ("lens-lievin", "Lens-Liévin", SECTEUR_CLL, True),
    ("montreuillois", "Montreuillois", SECTEUR_AMT, False),
    ("ternois", "Ternois", SECTEUR_AMT, False),
]
ALL_TERRITOIRES = [code for code, *_ in TERRITOIRES]


def fictitious_siret(number: int) -> str:
    """A SIRET that passes the Luhn key, built from a 13-digit fictitious prefix."""
    prefix = f"9{number:08d}0001"
    return next(prefix + str(key) for key in range(10) if luhn_is_valid(prefix + str(key)))


# (name, legal form, SIRET, address, postcode, town, territories, referents)
# referents: (last name, first name, ETP, kind, arrival date)
STRUCTURES = [
    (
        "MEMPA",
        FormeJuridique.ASSOCIATION,
        fictitious_siret(1),
        "12 rue de la Gare",
        "62000",
        "Arras",
        ["arrageois"],
        [
            ("Lefebvre", "Camille", "1.00", T.EQUILIBRE, "2021-03-01"),
            ("Dupont", "Julien", "0.80", T.EQUILIBRE, "2023-09-04"),
            ("Martin", "Sophie", "1.00", T.DYNAMISATION, "2026-02-02"),
        ],
    ),
    (
        "PBI",
        FormeJuridique.ASSOCIATION,
        fictitious_siret(2),
        "5 place Clemenceau",
        "62400",
        "Béthune",
        ["artois"],
        [
            ("Bernard", "Nadia", "1.00", T.EQUILIBRE, "2020-01-06"),
            ("Petit", "Thomas", "0.50", T.DYNAMISATION, "2024-05-13"),
        ],
    ),
    (
        "MIPE",
        FormeJuridique.ASSOCIATION,
        fictitious_siret(3),
        "8 rue Carnot",
        "62500",
        "Saint-Omer",
        ["audomarois"],
        [
            ("Robert", "Élodie", "1.00", T.EQUILIBRE, "2019-10-01"),
            ("Richard", "Karim", "0.60", T.DYNAMISATION, "2022-02-14"),
        ],
    ),
    (
        "Tous Parrains",
        FormeJuridique.ASSOCIATION,
        fictitious_siret(4),
        "21 boulevard Daunou",
        "62200",
        "Boulogne-sur-Mer",
        ["boulonnais"],
        [
            ("Durand", "Léa", "1.00", T.EQUILIBRE, "2022-06-01"),
            ("Moreau", "Hugo", "0.70", T.DYNAMISATION, "2025-01-06"),
        ],
    ),
    (
        "PIF",
        FormeJuridique.ASSOCIATION,
        fictitious_siret(5),
        "3 rue Royale",
        "62100",
        "Calais",
        ["calaisis"],
        [
            ("Laurent", "Inès", "1.00", T.EQUILIBRE, "2018-09-03"),
            ("Simon", "Mathieu", "1.00", T.DYNAMISATION, "2023-03-20"),
        ],
    ),
    (
        "ID formation",
        FormeJuridique.ASSOCIATION,
        fictitious_siret(6),
        "14 rue Élie Gruyelle",
        "62110",
        "Hénin-Beaumont",
        ["henin-carvin"],
        [
            ("Michel", "Aurélie", "1.00", T.EQUILIBRE, "2021-11-15"),
            ("Garcia", "Yanis", "0.20", T.DYNAMISATION, "2024-10-01"),
        ],
    ),
    (
        "MEILL HC",
        FormeJuridique.ASSOCIATION,
        fictitious_siret(7),
        "9 rue de Paris",
        "62300",
        "Lens",
        ["lens-lievin", "henin-carvin"],
        [
            ("David", "Claire", "1.00", T.EQUILIBRE, "2017-04-03"),
            ("Bertrand", "Samir", "1.00", T.EQUILIBRE, "2020-09-01"),
            ("Roux", "Manon", "1.00", T.DYNAMISATION, "2026-03-16"),
        ],
    ),
    (
        "ADEFI",
        FormeJuridique.ASSOCIATION,
        fictitious_siret(8),
        "2 rue d'Hesdin",
        "62130",
        "Saint-Pol-sur-Ternoise",
        ["montreuillois", "ternois"],
        [
            ("Vincent", "Pauline", "1.00", T.EQUILIBRE, "2019-02-11"),
            ("Fournier", "Louis", "0.40", T.DYNAMISATION, "2022-08-29"),
        ],
    ),
    (
        "AMIE du Boulonnais",
        FormeJuridique.ASSOCIATION,
        fictitious_siret(9),
        "40 rue Nationale",
        "62200",
        "Boulogne-sur-Mer",
        ["boulonnais"],
        [
            ("Morel", "Chloé", "1.00", T.EQUILIBRE, "2023-01-09"),
            ("Girard", "Nicolas", "1.00", T.EQUILIBRE, "2024-04-02"),
        ],
    ),
    (
        "La Fabrique DEFI",
        FormeJuridique.ASSOCIATION,
        fictitious_siret(10),
        "17 rue des Prairies",
        "62100",
        "Calais",
        ["calaisis"],
        [
            ("André", "Sarah", "1.00", T.EQUILIBRE, "2022-10-03"),
            ("Lefèvre", "Antoine", "1.00", T.EQUILIBRE, "2025-06-02"),
        ],
    ),
    (
        "Pas-de-Calais Actif",
        FormeJuridique.GIP,
        "18620009300083",
        "6 rue du 29 juillet",
        "62000",
        "Arras",
        ALL_TERRITOIRES,
        [
            ("Mercier", "Valérie", "1.00", T.INDEPENDANTS, "2018-03-05"),
            ("Blanc", "Olivier", "1.00", T.INDEPENDANTS, "2021-05-17"),
            ("Guerin", "Amandine", "0.20", T.INDEPENDANTS, "2024-07-01"),
        ],
    ),
    (
        "CCAS de Liévin",
        FormeJuridique.CCAS,
        fictitious_siret(11),
        "Place Gambetta",
        "62800",
        "Liévin",
        ["lens-lievin"],
        [
            ("Boyer", "Émilie", "1.00", T.SOLIDARITE, "2020-02-03"),
            ("Garnier", "Rachid", "1.00", T.SOLIDARITE, "2023-11-06"),
        ],
    ),
    (
        "AIFOR",
        FormeJuridique.ASSOCIATION,
        fictitious_siret(12),
        "11 rue Pierre Ledent",
        "62170",
        "Montreuil-sur-Mer",
        ["montreuillois"],
        [
            ("Chevalier", "Justine", "0.80", T.AUTRE, "2021-09-01"),
            ("François", "Maxime", "0.50", T.AUTRE, "2024-11-04"),
        ],
    ),
    (
        "Les Amis Copeaux",
        FormeJuridique.ASSOCIATION,
        fictitious_siret(13),
        "4 chemin du Halage",
        "62500",
        "Saint-Omer",
        ["audomarois"],
        [("Legrand", "Margaux", "0.50", T.AUTRE, "2022-03-07"), ("Gauthier", "Romain", "0.50", T.AUTRE, "2025-09-01")],
    ),
    (
        "Impact Oval",
        FormeJuridique.ASSOCIATION,
        fictitious_siret(14),
        "1 allée du Stade",
        "62400",
        "Béthune",
        ["artois"],
        [("Perrin", "Lucie", "1.00", T.AUTRE, "2023-02-01"), ("Lambert", "Kevin", "0.60", T.AUTRE, "2024-09-02")],
    ),
]


@register("Territoires et structures", order=10)
def load():
    secteurs = {name: upsert(SecteurDpid, {"nom": name}, {})[0] for name in {t[2] for t in TERRITOIRES}}
    territoires = {}
    for code, nom, secteur, bassin in TERRITOIRES:
        territoires[code], _ = upsert(
            Territoire, {"code": code}, {"nom": nom, "secteur": secteurs[secteur], "bassin_minier": bassin}
        )
    nb_referents = 0
    for nom, forme, siret, adresse, cp, commune, codes, referents in STRUCTURES:
        structure, _ = upsert(
            Structure,
            {"siret": siret},
            {"nom": nom, "forme_juridique": forme, "adresse": adresse, "code_postal": cp, "commune": commune},
        )
        structure.territoires.set([territoires[code] for code in codes])
        upsert(
            Contact,
            {"structure": structure, "nom": "Accueil"},
            {"fonction": "Secrétariat", "email": f"contact.{structure.pk}@demo.rsa62.test", "telephone": ""},
        )
        for last, first, etp, kind, arrival in referents:
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
    return f"{len(territoires)} territoires, {len(STRUCTURES)} structures, {nb_referents} référents"
