import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from portal.core.formats import format_date, plural_suffix, pluriel
from portal.echeances import services


class Command(BaseCommand):
    help = (
        "Liste (par défaut) ou envoie (--wet-run) les rappels d'échéance dus. "
        "La tâche Celery quotidienne fait la même chose chaque matin."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Date de référence AAAA-MM-JJ (par défaut : aujourd'hui, heure de Paris).")
        parser.add_argument("--wet-run", action="store_true", help="Envoyer réellement les rappels.")

    def handle(self, *args, date=None, wet_run=False, **options):
        try:
            today = datetime.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError:
            raise CommandError(f"Date invalide : {date!r} (format attendu : AAAA-MM-JJ).") from None
        due = services.reminders_due(today=today)
        for reminder in due:
            self.stdout.write(
                f"- {reminder.echeance.describe(reminder.obj)} (échéance le {format_date(reminder.due_date)}, "
                f"J{reminder.offset:+d}) → {reminder.recipient.email}"
            )
        if not wet_run:
            self.stdout.write(
                f"{pluriel(len(due), 'rappel')} à envoyer le {format_date(today)}. "
                "Rien n'a été envoyé (--wet-run pour envoyer)."
            )
            return
        sent = services.reminders_send_due(today=today)
        self.stdout.write(self.style.SUCCESS(f"{pluriel(sent, 'rappel')} envoyé{plural_suffix(sent)}."))
