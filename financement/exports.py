"""The deliberation's annex as data: the JSON export contract (issue 13), CSV and XLSX rows."""

from decimal import Decimal

from financement.selectors import annex_by_thematique, annex_lines, imputation_table

ANNEX_HEADER = [
    "Thématique",
    "Opération",
    "Libellé de l'opération",
    "Territoire",
    "Structure",
    "Description de l'action",
    "ETP",
    "Places",
    "Diagnostics",
    "Montant retenu (€)",
    "Avenant / convention",
]


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def deliberation_payload(deliberation) -> dict:
    """The JSON shape of `export_deliberation` (amounts as strings with two decimals)."""
    lignes = annex_lines(deliberation)
    groups = annex_by_thematique(deliberation, lignes)
    return {
        "numero": deliberation.numero,
        "date": deliberation.date.isoformat(),
        "intitule": deliberation.intitule,
        "articles": [
            {
                "thematique": group.code,
                "montant_vote": _amount(group.article.montant_vote),
                "total_lignes": _amount(group.total_lignes),
            }
            for group in groups
            if group.article is not None
        ],
        "lignes": [
            {
                "thematique": ligne.thematique,
                "operation": ligne.operation,
                "territoire": ligne.territoire_libelle,
                "structure": ligne.structure.nom,
                "description": ligne.description,
                "etp": _amount(ligne.etp),
                "places": ligne.places,
                "diagnostics": ligne.diagnostics,
                "montant": _amount(ligne.montant),
                "modele": ligne.modele,
            }
            for ligne in lignes
        ],
        "imputations": [
            {
                "code_operation": row.ligne_budgetaire.code_operation,
                "imputation": row.ligne_budgetaire.imputation,
                "libelle": row.ligne_budgetaire.libelle,
                "ae": _amount(row.ae),
                "disponible": _amount(row.disponible),
                "proposition": _amount(row.proposition),
                "solde": _amount(row.solde),
            }
            for row in imputation_table(deliberation)
        ],
    }


def annex_rows(deliberation) -> list[list]:
    return [
        [
            ligne.thematique,
            ligne.operation,
            ligne.operation_libelle,
            ligne.territoire_libelle,
            ligne.structure.nom,
            ligne.description,
            ligne.etp,
            ligne.places,
            ligne.diagnostics,
            ligne.montant,
            ligne.modele,
        ]
        for ligne in annex_lines(deliberation)
    ]
