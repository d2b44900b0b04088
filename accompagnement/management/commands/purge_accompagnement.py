import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accompagnement import retention
from portal.core.formats import format_date, pluriel


class Command(BaseCommand):
    help = (
        "Conservation des dossiers d'accompagnement : liste (par défaut) ce qui serait archivé et supprimé, "
        "archive et supprime avec --wet-run. La tâche Celery hebdomadaire fait la même chose."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Date de référence AAAA-MM-JJ (par défaut : aujourd'hui, heure de Paris).")
        parser.add_argument("--wet-run", action="store_true", help="Archiver et supprimer réellement.")

    def handle(self, *args, date=None, wet_run=False, **options):
        try:
            today = datetime.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError:
            raise CommandError(f"Date invalide : {date!r} (format attendu : AAAA-MM-JJ).") from None
        if wet_run and today > timezone.localdate():
            # A future date previews a later run; acting on it would delete records before their time.
            raise CommandError("--wet-run s'exécute à la date du jour ou à une date passée, jamais à une date future.")
        plan = retention.retention_plan(today=today)
        sections = (
            (
                f"À archiver (dernière sortie au plus tard le {format_date(plan.archive_cutoff)}, "
                f"{plan.archive_months} mois)",
                plan.to_archive,
            ),
            (
                f"À supprimer (dernière sortie au plus tard le {format_date(plan.purge_cutoff)}, "
                f"{plan.purge_months} mois)",
                plan.to_purge,
            ),
        )
        for title, queryset in sections:
            numbers = list(queryset.values_list("numero_caf", flat=True).iterator(chunk_size=2000))
            self.stdout.write(f"{title} : {pluriel(len(numbers), 'dossier')}")
            for numero_caf in numbers:
                self.stdout.write(f"- N° CAF {numero_caf}")
        if not wet_run:
            self.stdout.write(
                f"Au {format_date(today)} : rien n'a été modifié (--wet-run pour archiver et supprimer)."
            )
            return
        result = retention.retention_apply(today=today)
        self.stdout.write(self.style.SUCCESS(f"Au {format_date(today)} : {result.summary()}."))
