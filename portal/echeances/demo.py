"""Demo deadlines around today, so the home pages show overdue and upcoming items."""

from datetime import date, timedelta

from django.utils import timezone

from portal.accounts.models import User
from portal.core.demo import register, upsert
from portal.core.formats import MONTHS, plural_suffix, pluriel
from portal.echeances.models import EcheanceManuelle
from portal.referentiels.models import Structure


def _reporting_deadline(year, month):
    """Monthly reporting: by the 10th of the following month (seed 004 l. 187)."""
    following = (year + month // 12, month % 12 + 1)
    return date(following[0], following[1], 10)


def _de(word):
    return f"d'{word}" if word[0] in "aeiouyéèâ" else f"de {word}"


@register("Échéances", order=30)
def load():
    today = timezone.localdate()
    dpid = User.objects.get(email="dpid@demo.rsa62.test")
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    this_month = today.replace(day=1)
    rows = []
    for structure_name in ("MEMPA", "PBI", "MEILL HC"):
        structure = Structure.objects.get(nom=structure_name)
        for month_start in (last_month, this_month):
            rows.append(
                (
                    structure,
                    f"Reporting mensuel {_de(MONTHS[month_start.month - 1])} {month_start.year}",
                    "Nombre de personnes accompagnées, entrées, sorties et types de sortie du mois.",
                    _reporting_deadline(month_start.year, month_start.month),
                )
            )
        rows.append(
            (
                structure,
                f"Bilan final de l'action {today.year}",
                "Bilan quantitatif et qualitatif, indicateurs de la fiche action, à déposer au plus tard le 31 mars.",
                date(today.year + 1, 3, 31),
            )
        )
    for structure, titre, description, date_echeance in rows:
        upsert(
            EcheanceManuelle,
            {"structure": structure, "titre": titre},
            {"description": description, "date_echeance": date_echeance, "created_by": dpid},
            clean_exclude=["done_by"],
        )
    return f"{len(rows)} échéances"


@register("Rappels du jour", order=90)
def send_todays_reminders():
    """What the daily beat task does each morning, so notifications show at once in the demo."""
    from portal.echeances.services import reminders_send_due

    sent = reminders_send_due()
    return f"{pluriel(sent, 'rappel')} envoyé{plural_suffix(sent)}"
