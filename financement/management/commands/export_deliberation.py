import json

from django.core.management.base import BaseCommand, CommandError

from financement import tables
from financement.exports import ANNEX_HEADER, annex_rows, deliberation_payload
from financement.models import Deliberation


class Command(BaseCommand):
    help = "Exporte une délibération (articles, annexe, imputations) en JSON ou l'annexe en CSV."

    def add_arguments(self, parser):
        parser.add_argument("numero", help="Numéro de la délibération, par exemple 2024-587.")
        parser.add_argument("--format", choices=["json", "csv"], default="json")

    def handle(self, *args, numero, format, **options):
        deliberation = (
            Deliberation.objects.select_related("session").prefetch_related("articles").filter(numero=numero).first()
        )
        if deliberation is None:
            raise CommandError(f"Aucune délibération ne porte le numéro « {numero} ».")
        if format == "json":
            self.stdout.write(json.dumps(deliberation_payload(deliberation), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(tables.csv_bytes(ANNEX_HEADER, annex_rows(deliberation)).decode("utf-8"), ending="")
