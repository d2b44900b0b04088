"""What the accompaniment already knows about a convention's results: the structure's indicators
over the convention's period, so that the DPID confirms rather than retypes."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from financement.enums import IndicateurPortail


def valeurs_accompagnement(convention, today: datetime.date) -> dict:
    """{code: Decimal or None} for the indicators of `IndicateurPortail`, and "file_active" (people
    in file active at the end of the period). Three grouped queries."""
    # The accompaniment's own read-side computation of its indicators.
    from accompagnement.indicateurs import Periode, tableau
    from accompagnement.models import Orientation

    au = min(convention.date_fin, today)
    if au < convention.date_debut:
        return {}
    periode = Periode(du=convention.date_debut, au=au)
    _lignes, total = tableau(
        Orientation.objects.filter(structure=convention.structure), periode=periode, grouper="structure", today=today
    )
    values, taux = total.valeurs, total.taux
    sorties = values.get("sorties") or 0
    return {
        IndicateurPortail.TAUX_CONTRACTUALISATION: taux.get("taux_contractualisation"),
        IndicateurPortail.TAUX_CER_DANS_DELAI: taux.get("taux_cer_dans_delai"),
        IndicateurPortail.ENTRETIENS_PAR_PLACE: taux.get("entretiens_par_place"),
        IndicateurPortail.TAUX_SORTIES_DYNAMIQUES: (
            (Decimal(values["sorties_dynamiques"]) * 100 / sorties).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
            if sorties
            else None
        ),
        "file_active": values.get("file_active"),
    }


def prefill(resultats, indicateurs, portail: dict) -> list:
    """Fill, in memory, what was not entered yet with the accompaniment's values; returns the
    indicators changed (the caller saves them when it freezes the balance)."""
    changed = []
    if resultats is not None and resultats.places_realisees is None and portail.get("file_active") is not None:
        resultats.places_realisees = portail["file_active"]
    for indicateur in indicateurs:
        value = portail.get(indicateur.code_portail) if indicateur.code_portail else None
        if indicateur.valeur is None and value is not None:
            indicateur.valeur = value
            changed.append(indicateur)
    return changed
