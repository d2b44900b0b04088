"""Demo deadlines set by the DPID around today, so the home pages show overdue and upcoming items.

The monthly report has its own deadline, declared by accompagnement and met when the structure
validates it: a manual deadline for it would stay open after the validation, so there is none.
"""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from portal.accounts.models import User
from portal.core.demo import register, upsert
from portal.core.formats import plural_suffix, pluriel
from portal.echeances.models import EcheanceManuelle
from portal.referentiels.models import Structure


@register("Échéances", order=30)
def load():
    today = timezone.localdate()
    dpid = User.objects.get(email="dpid@demo.rsa62.test")
    rows = []
    for structure_name in ("MEMPA", "PBI", "MEILL HC"):
        structure = Structure.objects.get(nom=structure_name)
        rows += [
            (
                structure,
                "Mise à jour des contacts de la structure",
                "Vérifier sur le portail l'adresse, les contacts et les référents avant la relance des conventions.",
                today - timedelta(days=6),
            ),
            (
                structure,
                "Indicateurs pour le comité de pilotage",
                "Nombre d'accueils, de bénéficiaires et de diagnostics, délai moyen du premier rendez-vous, à "
                "transmettre avant le comité de pilotage annuel (seed 003 : au moins un comité par an).",
                today + timedelta(days=20),
            ),
            (
                structure,
                f"Bilan final de l'action {today.year}",
                "Bilan quantitatif et qualitatif, indicateurs de la fiche action, à déposer au plus tard le 31 mars.",
                date(today.year + 1, 3, 31),
            ),
        ]
    for structure, titre, description, date_echeance in rows:
        echeance, created = upsert(
            EcheanceManuelle,
            {"structure": structure, "titre": titre},
            {"description": description, "date_echeance": date_echeance, "created_by": dpid},
            clean_exclude=["done_by"],
        )
        if created:  # set by the DPID a month before it falls due, or a month ago
            set_on = min(date_echeance, today) - timedelta(days=30)
            EcheanceManuelle.objects.filter(pk=echeance.pk).update(
                created_at=timezone.make_aware(datetime.combine(set_on, time(9)))
            )
    return f"{len(rows)} échéances"


@register("Rappels du jour", order=1000)  # last: every domain's data is loaded
def send_todays_reminders():
    """What the daily beat task does each morning, so notifications show at once in the demo (after
    every other loader, so that a second load sends nothing new)."""
    from portal.echeances.services import reminders_send_due

    sent = reminders_send_due()
    return f"{pluriel(sent, 'rappel')} envoyé{plural_suffix(sent)}"
