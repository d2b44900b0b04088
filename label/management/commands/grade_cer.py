"""Grade CERs from a JSON file with the grid of annexe 2 (label référent RSA) and print the result as JSON."""

import json

from django.core.management.base import BaseCommand, CommandError

from portal.core.textfiles import ensure_utf8
from portal.grille_cer import CerFormatError, grade, parse_cer

EXIT_INVALID_CONTENT = 1
EXIT_UNREADABLE_FILE = 2


class Command(BaseCommand):
    help = (
        "Évalue un CER (objet JSON) ou une liste de CER (tableau JSON) selon la grille de l'annexe 2 "
        "du cahier des charges « Label référent RSA » et affiche le résultat en JSON."
    )
    # Pure computation on a file: no models involved, so no reason to fail on another app's check.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("fichier", help="chemin du fichier JSON contenant le ou les CER")

    def handle(self, *args, **options):
        for stream in (self.stdout, self.stderr):
            ensure_utf8(stream)

        data = self._load(options["fichier"])
        if isinstance(data, dict):
            result = self._grade_one(data, prefix="")
        elif isinstance(data, list):
            result, errors = [], []
            for position, item in enumerate(data, start=1):
                try:
                    result.append(self._grade_one(item, prefix=f"CER n° {position} : "))
                except CommandError as error:
                    errors.append(str(error))
            if errors:
                raise CommandError("\n".join(errors), returncode=EXIT_INVALID_CONTENT)
        else:
            raise CommandError(
                "le fichier doit contenir un objet JSON (un CER) ou un tableau JSON (une liste de CER)",
                returncode=EXIT_INVALID_CONTENT,
            )
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))

    def _load(self, path):
        try:
            with open(path, encoding="utf-8-sig") as handle:
                text = handle.read()
        except FileNotFoundError:
            raise CommandError(f"fichier introuvable : {path}", returncode=EXIT_UNREADABLE_FILE) from None
        except IsADirectoryError:
            raise CommandError(f"{path} est un dossier, pas un fichier", returncode=EXIT_UNREADABLE_FILE) from None
        except PermissionError:
            raise CommandError(f"lecture du fichier refusée : {path}", returncode=EXIT_UNREADABLE_FILE) from None
        except UnicodeDecodeError:
            raise CommandError(
                f"le fichier {path} n'est pas encodé en UTF-8", returncode=EXIT_INVALID_CONTENT
            ) from None
        except OSError as error:
            raise CommandError(
                f"lecture impossible du fichier {path} : {error.strerror}", returncode=EXIT_UNREADABLE_FILE
            ) from None
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise CommandError(
                f"JSON invalide dans {path} (ligne {error.lineno}, colonne {error.colno})",
                returncode=EXIT_INVALID_CONTENT,
            ) from None
        except RecursionError:
            raise CommandError(f"JSON trop imbriqué dans {path}", returncode=EXIT_INVALID_CONTENT) from None

    def _grade_one(self, data, prefix):
        try:
            cer = parse_cer(data)
        except CerFormatError as error:
            raise CommandError(f"{prefix}{error.message}", returncode=EXIT_INVALID_CONTENT) from None
        return grade(cer)
