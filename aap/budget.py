"""The provisional budget of an application, laid out like the association subsidy form (Cerfa
n° 12156): expenses by account 60–68, resources 70–78 with account 74 split by funder, own funds,
and volunteer contributions (86/87) shown apart, outside the balance.

`static/js/aap-budget.js` mirrors `summarize` so the form shows the figures while the user types;
the server's figures are the ones that count (deposit, instruction, exports).
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from portal.core.formats import round_money, to_decimal

ZERO = Decimal("0.00")
HUNDRED = Decimal("100")
# Département share of the total financing when the action is the public counterpart of a
# European fund (seed 003 l. 933): 40 % for FSE+ outside the bassin minier, 30 % for FTJ inside.
PART_DEPARTEMENT_FSE = Decimal("40")
PART_DEPARTEMENT_FTJ = Decimal("30")

# (code, label)
CHARGES = [
    ("60", "60 – Achats"),
    ("61", "61 – Services extérieurs"),
    ("62", "62 – Autres services extérieurs"),
    ("63", "63 – Impôts et taxes"),
    ("64", "64 – Charges de personnel"),
    ("65", "65 – Autres charges de gestion courante"),
    ("66", "66 – Charges financières"),
    ("67", "67 – Charges exceptionnelles"),
    ("68", "68 – Dotations aux amortissements"),
]
PRODUITS = [
    ("70", "70 – Ventes de produits finis, prestations de services"),
    ("73", "73 – Dotations et produits de tarification"),
    ("74_departement", "74 – Subvention du Département du Pas-de-Calais"),
    ("74_fse", "74 – Fonds social européen (FSE+)"),
    ("74_ftj", "74 – Fonds pour une transition juste (FTJ)"),
    ("74_etat", "74 – État"),
    ("74_collectivites", "74 – Autres collectivités (région, intercommunalité, commune)"),
    ("74_autres", "74 – Autres financeurs (organismes sociaux, fondations…)"),
    ("75", "75 – Autres produits de gestion courante"),
    ("76", "76 – Produits financiers"),
    ("77", "77 – Produits exceptionnels"),
    ("78", "78 – Reprises sur amortissements et provisions"),
    ("fonds_propres", "Fonds propres de la structure"),
]
CONTRIBUTIONS = [
    ("86", "86 – Emplois des contributions volontaires en nature"),
    ("87", "87 – Contributions volontaires en nature"),
]
ACCOUNTS = dict(CHARGES + PRODUITS + CONTRIBUTIONS)
CHARGE_CODES = [code for code, _ in CHARGES]
PRODUIT_CODES = [code for code, _ in PRODUITS]


def _percent(part: Decimal, whole: Decimal) -> Decimal | None:
    if not whole:
        return None
    return (part * HUNDRED / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _per(total: Decimal, count) -> Decimal | None:
    if not count:
        return None
    return round_money(total / Decimal(count))


@dataclass
class Summary:
    total_charges: Decimal
    total_produits: Decimal
    desequilibre: Decimal  # resources − expenses; 0 when balanced
    departement: Decimal
    part_departement: Decimal | None  # % of the expenses
    cout_par_place: Decimal | None
    cout_par_beneficiaire: Decimal | None
    contributions_emplois: Decimal
    contributions_ressources: Decimal
    fonds_europeen: str  # "FSE+" or "FTJ"
    part_departement_attendue: Decimal
    alerts: list[str] = field(default_factory=list)

    @property
    def is_balanced(self):
        return self.desequilibre == ZERO and self.total_charges > ZERO


def summarize(amounts: dict, *, places=None, beneficiaires=None, bassin_minier=False) -> Summary:
    """The figures the form shows and the instructors read. `amounts` maps account codes to
    amounts (missing codes count as 0)."""
    values = {code: round_money(to_decimal(amounts.get(code) or 0)) for code in ACCOUNTS}
    charges = sum((values[code] for code in CHARGE_CODES), ZERO)
    produits = sum((values[code] for code in PRODUIT_CODES), ZERO)
    departement = values["74_departement"]
    fund, expected = ("FTJ", PART_DEPARTEMENT_FTJ) if bassin_minier else ("FSE+", PART_DEPARTEMENT_FSE)
    summary = Summary(
        total_charges=charges,
        total_produits=produits,
        desequilibre=produits - charges,
        departement=departement,
        part_departement=_percent(departement, charges),
        cout_par_place=_per(charges, places),
        cout_par_beneficiaire=_per(charges, beneficiaires),
        contributions_emplois=values["86"],
        contributions_ressources=values["87"],
        fonds_europeen=fund,
        part_departement_attendue=expected,
    )
    summary.alerts = _alerts(summary, values, bassin_minier)
    return summary


def _alerts(summary: Summary, values: dict, bassin_minier: bool) -> list[str]:
    from portal.core.formats import format_euros

    alerts = []
    if summary.desequilibre > 0:
        alerts.append(f"Les ressources dépassent les charges de {format_euros(summary.desequilibre)}.")
    elif summary.desequilibre < 0:
        alerts.append(f"Il manque {format_euros(-summary.desequilibre)} de ressources pour équilibrer le budget.")
    if summary.contributions_emplois != summary.contributions_ressources:
        alerts.append("Les contributions volontaires en nature (comptes 86 et 87) doivent être égales.")
    european = values["74_fse"] + values["74_ftj"]
    if values["74_ftj"] and not bassin_minier:
        alerts.append("Le FTJ ne finance que les actions du bassin minier (Artois, Lens-Liévin, Hénin-Carvin).")
    if values["74_fse"] and bassin_minier:
        alerts.append("Dans le bassin minier, la contrepartie européenne relève du FTJ et non du FSE+.")
    if (
        european
        and summary.part_departement is not None
        and summary.part_departement != summary.part_departement_attendue
    ):
        alerts.append(
            f"Action cofinancée par le {summary.fonds_europeen} : la part du Département attendue est de "
            f"{summary.part_departement_attendue} % du financement total "
            f"({format_euros(expected_departement(summary))}), elle est de "
            f"{str(summary.part_departement).replace('.', ',')} %."
        )
    return alerts


def expected_departement(summary: Summary) -> Decimal:
    return round_money(summary.total_charges * summary.part_departement_attendue / HUNDRED)
