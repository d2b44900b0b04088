"""`python manage.py import_orientations FICHIER [--dry-run] [--partiel]`: import the Département's
orientation file. Exit codes: 0 every line imported (or importable, with --dry-run), 1 some lines
refused, 2 the file itself cannot be read. French messages, no traceback."""

from pathlib import Path

from django.core.management.base import BaseCommand

from accompagnement.imports import BATCH_SIZE, UnreadableFile, check_file
from accompagnement.services.imports import import_orientations
from portal.core.formats import plural_suffix, pluriel
from portal.core.textfiles import ensure_utf8

EXIT_REFUSED_LINES = 1
EXIT_UNREADABLE_FILE = 2


def _lines(count, adjective=""):
    """ "1 ligne refusée", "3 lignes refusées"."""
    ending = plural_suffix(count)
    return f"{pluriel(count, 'ligne')} {adjective + ending if adjective else ''}".strip()


def _would_import(count):
    if count == 0:
        return "aucune ligne ne serait importée"
    return f"{_lines(count)} {'serait importée' if count == 1 else 'seraient importées'}"


class Command(BaseCommand):
    help = (
        "Importe le fichier CSV des orientations du Département (séparateur point-virgule, UTF-8 ou Windows-1252) : "
        "crée les bénéficiaires manquants et leurs orientations. Sans --partiel, rien n'est importé si une ligne "
        "est refusée."
    )

    def add_arguments(self, parser):
        parser.add_argument("fichier", help="chemin du fichier CSV")
        parser.add_argument("--dry-run", action="store_true", help="vérifie le fichier sans rien enregistrer")
        parser.add_argument(
            "--partiel", action="store_true", help="importe les lignes valides même si d'autres lignes sont refusées"
        )
        parser.add_argument(
            "--lot", type=int, default=BATCH_SIZE, help=f"lignes enregistrées par lot (défaut : {BATCH_SIZE})"
        )

    def handle(self, *args, **options):
        for stream in (self.stdout, self.stderr):
            ensure_utf8(stream)
        path = Path(options["fichier"])
        dry_run, partial = options["dry_run"], options["partiel"]
        batch_size = max(1, options["lot"])

        raw = self._read(path)
        try:
            report = check_file(raw)
        except UnreadableFile as error:
            self._exit(f"Fichier illisible ({path.name}) : {error.message}", EXIT_UNREADABLE_FILE)

        for note in report.notes:
            self.stdout.write(f"Remarque : {note}")
        for message in report.error_messages():
            self.stderr.write(message)
        for line in report.summary():
            self.stdout.write(line)

        if dry_run:
            self.stdout.write("Simulation (--dry-run) : aucune donnée n'a été enregistrée.")
            if report.has_errors:
                outcome = (
                    f"avec --partiel, {_would_import(report.importable_lines)}"
                    if partial
                    else "sans --partiel, aucune ligne ne serait importée"
                )
                self._exit(f"{_lines(report.refused_lines, 'refusée')} : {outcome}.", EXIT_REFUSED_LINES)
            self.stdout.write(f"Toutes les lignes sont valides : {_would_import(report.importable_lines)}.")
            return

        if report.has_errors and not partial:
            self._exit(
                f"Import refusé : {_lines(report.refused_lines, 'refusée')}, aucune ligne n'a été importée. "
                "Corrigez le fichier, ou relancez avec --partiel pour importer seulement les lignes valides.",
                EXIT_REFUSED_LINES,
            )

        show_progress = report.importable_lines > batch_size
        result = import_orientations(
            raw=raw,
            file_name=path.name,
            report=report,
            user=None,
            partial=partial,
            batch_size=batch_size,
            progress=self._progress if show_progress else None,
        ).result
        for line in result.summary():
            self.stdout.write(line)
        if result.refused_lines:
            verb = "n'a pas été importée" if result.refused_lines == 1 else "n'ont pas été importées"
            self._exit(
                "Import partiel (--partiel) : seules les lignes valides ont été importées ; "
                f"{_lines(result.refused_lines, 'refusée')} {verb}.",
                EXIT_REFUSED_LINES,
            )
        self.stdout.write("Import terminé : aucune ligne refusée.")

    def _read(self, path: Path) -> bytes:
        try:
            return path.read_bytes()
        except FileNotFoundError:
            self._exit(f"Fichier introuvable : {path}", EXIT_UNREADABLE_FILE)
        except IsADirectoryError:
            self._exit(f"{path} est un dossier, pas un fichier.", EXIT_UNREADABLE_FILE)
        except PermissionError:
            self._exit(f"Lecture du fichier refusée : {path}", EXIT_UNREADABLE_FILE)
        except OSError as error:
            self._exit(f"Lecture impossible du fichier {path} : {error.strerror}", EXIT_UNREADABLE_FILE)

    def _progress(self, done: int, total: int) -> None:
        self.stdout.write(f"Import : {done} / {total} lignes")

    def _exit(self, message: str, code: int):
        self.stderr.write(message)
        raise SystemExit(code)
