"""The duration rules of a contract, in one place: the CER of a kind with a fixed duration
(seed 000 l. 46: 6 months in référent solidarité; seed 003 l. 462: 6 months in équilibré) and
the CERP of the self-employed (seed 003 l. 870–925, see `accompagnement.cerp`)."""

import datetime

from portal.core.dates import add_months
from portal.core.formats import format_date, pluriel


def cer_end_limit(kind, date_debut: datetime.date) -> datetime.date | None:
    """The last day of a CER of this kind starting that day (None: no fixed duration)."""
    if not kind.duree_cer_mois:
        return None
    return add_months(date_debut, kind.duree_cer_mois) - datetime.timedelta(days=1)


def cer_duration_error(kind, date_debut, date_fin) -> str | None:
    """Why this end date breaks the kind's duration (None: it does not). An earlier end is allowed
    (a contract may be shorter), a later one is not."""
    limit = cer_end_limit(kind, date_debut) if date_debut else None
    if limit is None or date_fin is None or date_fin <= limit:
        return None
    return (
        f"Un CER dure {pluriel(kind.duree_cer_mois, 'mois', 'mois')} au plus en {kind.libelle[:1].lower()}"
        f"{kind.libelle[1:]} : il se termine au plus tard le {format_date(limit)}."
    )
