"""`python manage.py import_cer FICHIER --structure ID [--dry-run] [--partiel]`: import a structure's CERs from a
JSON list in the exchange format, as the import page does. Exit codes: 0 every CER imported (or importable, with
--dry-run; duplicates are skipped), 1 some CERs refused, 2 the file cannot be read."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accompagnement.cer_json import UnreadableCerFile, check_import, load_cers
from accompagnement.services import cer as services
from portal.core.textfiles import ensure_utf8
from portal.referentiels.models import Structure

EXIT_REFUSED = 1
EXIT_UNREADABLE_FILE = 2


class DryRun(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Importe des CER (liste JSON au format d'échange) dans la file active d'une structure : chaque CER est "
        "rattaché à l'accompagnement en cours de son N° CAF, enregistré non signé ; les doublons sont ignorés. "
        "Sans --partiel, rien n'est importé si un CER est refusé."
    )

    def add_arguments(self, parser):
        parser.add_argument("fichier", help="chemin du fichier JSON")
        parser.add_argument("--structure", type=int, required=True, help="identifiant de la structure")
        parser.add_argument("--dry-run", action="store_true", help="vérifie le fichier sans rien enregistrer")
        parser.add_argument("--partiel", action="store_true", help="importe les CER valides malgré des refus")

    def handle(self, *args, **options):
        for stream in (self.stdout, self.stderr):
            ensure_utf8(stream)
        structure = Structure.objects.filter(pk=options["structure"]).first()
        if structure is None:
            raise CommandError(f"structure introuvable : {options['structure']}", returncode=EXIT_UNREADABLE_FILE)
        path = Path(options["fichier"])
        try:
            items = load_cers(path.read_bytes())
        except OSError as error:
            raise CommandError(
                f"lecture impossible de {path} : {error.strerror}", returncode=EXIT_UNREADABLE_FILE
            ) from None
        except UnreadableCerFile as error:
            raise CommandError(f"{path.name} : {error}", returncode=EXIT_UNREADABLE_FILE) from None
        report = check_import(items, structure=structure)
        for item in report:
            (self.stderr if item.errors else self.stdout).write(item.message)
        try:
            with transaction.atomic():
                result = services.cers_import(structure=structure, items=report, partial=options["partiel"], user=None)
                if options["dry_run"]:
                    raise DryRun
        except DryRun:
            self.stdout.write(f"Vérification seule (rien n'est enregistré) : {result.summary()}.")
        except services.ImportRefused as error:
            raise CommandError(
                f"{error} Corrigez le fichier ou relancez avec --partiel.", returncode=EXIT_REFUSED
            ) from None
        else:
            self.stdout.write(f"Import terminé : {result.summary()}.")
        if result.refused:
            raise CommandError(
                f"{result.refused} CER refusé{'s' if result.refused > 1 else ''}.", returncode=EXIT_REFUSED
            )
