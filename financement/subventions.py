"""Open data of subsidies: one row per signed convention or avenant above the legal threshold, in
the SCDL « subventions » 2.1.1 format (schema shipped in financement/schemas/)."""

import csv
import io
import json
import re
from decimal import Decimal
from pathlib import Path

from django.conf import settings

from financement.models import Avenant, Convention, EcheanceVersement

SCHEMA_PATH = Path(__file__).resolve().parent / "schemas" / "scdl-subventions-2.1.1.json"
COLUMNS = [
    "nomAttribuant",
    "idAttribuant",
    "dateConvention",
    "referenceDecision",
    "nomBeneficiaire",
    "idBeneficiaire",
    "rnaBeneficiaire",
    "objet",
    "montant",
    "nature",
    "conditionsVersement",
    "datesPeriodeVersement",
    "idRAE",
    "notificationUE",
    "pourcentageSubvention",
    "dispositifAide",
]
SIGNED = ("signee", "echue", "resiliee")
OBJET_MAX = 256


class SubventionsError(Exception):
    pass


def _objet(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= OBJET_MAX else text[: OBJET_MAX - 1].rstrip() + "…"


def _conditions(dates) -> str:
    return "échelonné" if len(dates) > 1 else "unique"


def _periode(dates, start, end) -> str:
    """The instalments' dates as a period, or the operation's period when none is dated."""
    known = sorted(date for date in dates if date)
    first, last = (known[0], known[-1]) if known else (start, end)
    return first.isoformat() if first == last else f"{first.isoformat()}/{last.isoformat()}"


def subventions_rows(*, seuil: Decimal | None = None) -> list[dict]:
    siret = settings.FINANCEMENT_SIRET_DEPARTEMENT
    if not re.fullmatch(r"\d{14}", siret or ""):
        raise SubventionsError(
            "Renseignez le SIRET du Département (variable FINANCEMENT_SIRET_DEPARTEMENT, 14 chiffres)."
        )
    seuil = Decimal(settings.FINANCEMENT_SEUIL_SUBVENTIONS) if seuil is None else seuil
    common = {
        "nomAttribuant": settings.FINANCEMENT_NOM_ATTRIBUANT,
        "idAttribuant": siret,
        "rnaBeneficiaire": "",
        "nature": "aide en numéraire",
        "idRAE": "",
        "notificationUE": "non",
        "pourcentageSubvention": "1.00",
        "dispositifAide": "",
    }
    # Planned instalments per convention (avenant None) or avenant: their dates and their number.
    schedule: dict[tuple, list] = {}
    for convention_id, avenant_id, date in EcheanceVersement.objects.values_list(
        "convention", "avenant", "date_prevue"
    ):
        schedule.setdefault((convention_id, avenant_id), []).append(date)

    rows = []
    conventions = (
        Convention.objects.filter(etat__in=SIGNED, montant_max__gt=seuil)
        .select_related("structure", "deliberation")
        .order_by("signe_departement_le", "numero")
    )
    for convention in conventions:
        dates = schedule.get((convention.pk, None), [])
        rows.append(
            {
                **common,
                "dateConvention": convention.date_signature.isoformat(),
                "referenceDecision": convention.deliberation.numero if convention.deliberation else "",
                "nomBeneficiaire": convention.structure.nom,
                "idBeneficiaire": convention.structure.siret,
                "objet": _objet(f"Convention n° {convention.numero} : {convention.objet}"),
                "montant": f"{convention.montant_max:.2f}",
                "conditionsVersement": _conditions(dates),
                "datesPeriodeVersement": _periode(dates, convention.date_debut, convention.date_fin),
            }
        )
    avenants = (
        Avenant.objects.filter(etat__in=SIGNED, montant_supplementaire__gt=seuil)
        .select_related("convention__structure", "deliberation")
        .order_by("signe_departement_le", "convention__numero", "numero")
    )
    for avenant in avenants:
        convention = avenant.convention
        dates = schedule.get((convention.pk, avenant.pk), [])
        rows.append(
            {
                **common,
                "dateConvention": avenant.date_signature.isoformat(),
                "referenceDecision": avenant.deliberation.numero if avenant.deliberation else "",
                "nomBeneficiaire": convention.structure.nom,
                "idBeneficiaire": convention.structure.siret,
                "objet": _objet(
                    f"Avenant n° {avenant.numero} à la convention n° {convention.numero} : {avenant.objet}"
                ),
                "montant": f"{avenant.montant_supplementaire:.2f}",
                "conditionsVersement": _conditions(dates),
                "datesPeriodeVersement": _periode(
                    dates, avenant.date_debut_supplement or convention.date_debut, avenant.date_fin
                ),
            }
        )
    rows.sort(key=lambda row: row["dateConvention"])
    return [{column: row[column] for column in COLUMNS} for row in rows]


def subventions_csv(rows) -> str:
    """Comma-separated UTF-8 without BOM, as the SCDL expects."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def subventions_json(rows) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=2)
