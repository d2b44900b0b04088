from django.core.management.base import BaseCommand, CommandError

from financement.subventions import SubventionsError, subventions_csv, subventions_json, subventions_rows


class Command(BaseCommand):
    help = (
        "Exporte les données essentielles des conventions de subvention (format SCDL « subventions » 2.1.1) : "
        "une ligne par convention ou avenant signé au-delà du seuil légal."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["csv", "json"], default="csv")

    def handle(self, *args, format, **options):
        try:
            rows = subventions_rows()
        except SubventionsError as error:
            raise CommandError(str(error)) from error
        output = subventions_csv(rows) if format == "csv" else subventions_json(rows) + "\n"
        self.stdout.write(output, ending="")
