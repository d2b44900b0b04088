"""Import of the Département's orientation file (CSV exported from a spreadsheet).

Three steps, usable by the web upload and by `manage.py import_orientations`:

    rows, notes = read_file(raw)          # bytes -> rows; raises UnreadableFile (French message)
    report = validate(rows, notes=notes)  # pure check, nothing written; report.to_json() for ImportOrientations
    result = apply(report, user=user, partial=False)  # writes; raises ImportRefused when lines are refused

`check_file(raw)` chains the first two. Validation and import query the database a bounded number
of times (referentials once, then a few queries per batch of 1 000 lines), whatever the file size.
"""

import csv
import datetime
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from accompagnement import gardes
from accompagnement.enums import Sexe, SourceOrientation
from accompagnement.models import Beneficiaire, Orientation, TypeAccompagnement
from portal.audit.enums import Action
from portal.audit.models import AuditEntry
from portal.core.formats import format_date, plural_suffix, pluriel
from portal.core.scale import analyze_tables
from portal.referentiels.models import Structure, Territoire
from portal.referentiels.validators import normalize_siret

COLUMNS = (
    "numero_caf",
    "nom",
    "prenom",
    "date_naissance",
    "sexe",
    "code_postal",
    "commune",
    "territoire",
    "siret_structure",
    "type_accompagnement",
    "date_orientation",
)
BATCH_SIZE = 1000
# The key of a row's line number as a spreadsheet shows it (header = line 1).
LINE = "ligne"
# Set on a row that has more values than the header has columns (a stray separator in a value).
ROW_ERROR = "_erreur"
REPORT_VERSION = 1

DELIMITERS = (";", ",", "\t")
DATE_RE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
NUMERO_CAF_RE = re.compile(r"^\d{7,13}$")
CODE_POSTAL_RE = re.compile(r"^\d{5}$")
MAX_LENGTHS = {"nom": 150, "prenom": 150, "commune": 120}
ZIP_MAGIC = b"PK\x03\x04"
SEP_HINT_RE = re.compile(r"sep=([;,\t])[ ]*(?:\r\n|\n|\r)", re.IGNORECASE)
CONTROL_CHARS_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
BLANKS = " \u00a0\u202f"


class UnreadableFile(Exception):
    """The file itself cannot be read as the expected CSV; the message is French and shown as is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ImportRefused(Exception):
    """Lines were refused and a partial import was not asked for: nothing was written."""

    def __init__(self, report: "Report"):
        self.report = report
        count = report.refused_lines
        self.message = (
            f"Import refusé : {_lines(count)} {_plural(count, 'comporte', 'comportent')} des erreurs, "
            "aucune ligne n'a été importée. Corrigez le fichier, ou importez seulement les lignes valides."
        )
        super().__init__(self.message)


# --- Reading ----------------------------------------------------------------------------------


def read_file(raw: bytes) -> tuple[list[dict], list[str]]:
    """Decode and split the CSV file.

    Returns the data rows — dicts keyed by the canonical column names (stripped strings) plus
    `ligne`, the line number a spreadsheet shows — and French remarks on the header that do not
    block the import (unknown columns, ignored). Raises UnreadableFile when the file is empty, not
    text, has no header or misses columns.
    """
    text = _decode(raw)
    # Excel may write a first line "sep=;" that it hides when opening the file: drop it too.
    hint = SEP_HINT_RE.match(text)
    if hint:
        text = text[hint.end() :]
    records = _records(text, hint.group(1) if hint else _detect_delimiter(text))
    header_line, header = next(((number, record) for number, record in records if _filled(record)), (None, None))
    if header is None:
        raise UnreadableFile("le fichier est vide.")
    positions, notes = _read_header(header)
    rows = []
    width = len(header)
    for number, record in records:
        if number <= header_line or not _filled(record):
            continue
        row = {column: _clean(record[index]) if index < len(record) else "" for column, index in positions.items()}
        row[LINE] = number
        if len(record) > width and _filled(record[width:]):
            row[ROW_ERROR] = (
                f"{len(record)} valeurs au lieu de {width} (une valeur contient sans doute le séparateur : "
                "mettez-la entre guillemets)"
            )
        rows.append(row)
    if not rows:
        raise UnreadableFile("le fichier ne contient aucune ligne de données (seulement l'en-tête).")
    return rows, notes


def _decode(raw: bytes) -> str:
    if not raw or not raw.strip():
        raise UnreadableFile("le fichier est vide.")
    if raw.startswith(ZIP_MAGIC):
        raise UnreadableFile(
            "le fichier est un classeur (Excel ou LibreOffice), pas un CSV : enregistrez-le au format "
            "« CSV (séparateur : point-virgule) »."
        )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            raise UnreadableFile("le fichier n'est pas un fichier texte lisible (encodage UTF-16 invalide).") from None
    else:
        if b"\x00" in raw:
            raise UnreadableFile("le fichier contient des données binaires : ce n'est pas un fichier CSV.")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = raw.decode("cp1252")
            except UnicodeDecodeError:
                raise UnreadableFile(
                    "l'encodage du fichier n'est pas reconnu (UTF-8 ou Windows-1252 attendu)."
                ) from None
    if CONTROL_CHARS_RE.search(text):
        raise UnreadableFile("le fichier contient des données binaires : ce n'est pas un fichier CSV.")
    return text.lstrip("\ufeff")


def _detect_delimiter(text: str) -> str:
    """The separator with which the first non-empty line splits into the most known columns."""
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    best, best_count = DELIMITERS[0], 0
    for delimiter in DELIMITERS:
        names = {_header_name(name) for name in first_line.split(delimiter)}
        count = len(names & set(COLUMNS))
        if count > best_count:
            best, best_count = delimiter, count
    return best


def _records(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """Records numbered as a spreadsheet numbers its rows (blank lines count, quoted newlines don't)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records = []
    try:
        for record in reader:
            records.append((len(records) + 1, record))
    except csv.Error:
        raise UnreadableFile(f"le fichier n'est pas un CSV lisible (ligne {len(records) + 1}).") from None
    return records


def _read_header(header: list[str]) -> tuple[dict[str, int], list[str]]:
    positions: dict[str, int] = {}
    notes = []
    for index, name in enumerate(header):
        column = _header_name(name)
        if not column:
            continue
        if column in COLUMNS:
            if column in positions:
                raise UnreadableFile(f"la colonne « {column} » apparaît deux fois dans l'en-tête.")
            positions[column] = index
        else:
            notes.append(f"colonne inconnue ignorée : « {name.strip()} »")
    if not positions:
        raise UnreadableFile(
            "en-tête introuvable : la première ligne doit donner les noms des colonnes (" + ";".join(COLUMNS) + ")."
        )
    missing = [column for column in COLUMNS if column not in positions]
    if missing:
        label = "colonne manquante" if len(missing) == 1 else "colonnes manquantes"
        raise UnreadableFile(f"{label} dans l'en-tête : {', '.join(missing)}.")
    return positions, notes


def _header_name(name: str) -> str:
    return _strip_accents(name.strip().strip("\ufeff").strip()).lower()


def _filled(values: Iterable[str]) -> bool:
    return any(value.strip(BLANKS) for value in values)


def _clean(value: str) -> str:
    """Trim and collapse inner whitespace (non-breaking spaces included)."""
    return " ".join(value.replace("\u00a0", " ").replace("\u202f", " ").split())


# --- Validation -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ValidLine:
    """A line that passed every check, with its values converted (ids for the referentials)."""

    ligne: int
    numero_caf: str
    nom: str
    prenom: str
    date_naissance: datetime.date
    sexe: str
    code_postal: str
    commune: str
    territoire_id: int
    structure_id: int
    type_accompagnement_id: int
    date_orientation: datetime.date

    @property
    def orientation_key(self):
        return (self.numero_caf, self.structure_id, self.date_orientation)


@dataclass
class Report:
    """What validation found. `errors` and `duplicates` are lists of {ligne, colonne, message} and
    {ligne, message}; the lines to import (`lines`) are kept in memory only, not in the JSON."""

    total_lines: int = 0
    valid_lines: int = 0
    errors: list[dict] = field(default_factory=list)
    duplicates: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    lines: list[ValidLine] | None = field(default=None, repr=False, compare=False)

    @property
    def has_errors(self) -> bool:
        return bool(self.errors)

    @property
    def refused_lines(self) -> int:
        return len({error["ligne"] for error in self.errors})

    @property
    def duplicate_lines(self) -> int:
        return len(self.duplicates)

    @property
    def importable_lines(self) -> int:
        return self.valid_lines - self.duplicate_lines

    def error_messages(self) -> list[str]:
        """Each error as "ligne 3, colonne date_naissance : …"."""
        return [format_error(error) for error in self.errors]

    def summary(self) -> list[str]:
        return [
            f"Lignes lues : {self.total_lines}",
            f"Lignes valides : {self.valid_lines}",
            f"Lignes refusées : {self.refused_lines}",
            f"Orientations déjà importées (ignorées) : {self.duplicate_lines}",
            f"Orientations à importer : {self.importable_lines}",
        ]

    def to_json(self) -> dict:
        return {
            "version": REPORT_VERSION,
            "total_lines": self.total_lines,
            "valid_lines": self.valid_lines,
            "refused_lines": self.refused_lines,
            "duplicate_lines": self.duplicate_lines,
            "errors": [dict(error) for error in self.errors],
            "duplicates": [dict(duplicate) for duplicate in self.duplicates],
            "notes": list(self.notes),
        }

    @classmethod
    def from_json(cls, data: dict) -> "Report":
        """A report read back from ImportOrientations.rapport: for display; to import, validate the file again."""
        return cls(
            total_lines=data.get("total_lines", 0),
            valid_lines=data.get("valid_lines", 0),
            errors=[dict(error) for error in data.get("errors", [])],
            duplicates=[dict(duplicate) for duplicate in data.get("duplicates", [])],
            notes=list(data.get("notes", [])),
        )


def format_error(error: dict) -> str:
    if error.get("colonne"):
        return f"ligne {error['ligne']}, colonne {error['colonne']} : {error['message']}"
    return f"ligne {error['ligne']} : {error['message']}"


def check_file(raw: bytes) -> Report:
    """read_file then validate; raises UnreadableFile."""
    rows, notes = read_file(raw)
    return validate(rows, notes=notes)


@dataclass
class _Referentials:
    territoires: dict[str, int]
    territoire_names: list[str]
    structures: dict[str, int]
    types: dict[str, int]
    structure_territoires: set[tuple[int, int]]

    @classmethod
    def load(cls):
        territoires, names = {}, []
        for pk, nom, code in Territoire.objects.order_by("nom").values_list("pk", "nom", "code"):
            names.append(nom)
            territoires[_key(nom)] = pk
            territoires.setdefault(_key(code), pk)
        types = {}
        for pk, code, libelle in TypeAccompagnement.objects.order_by().values_list("pk", "code", "libelle"):
            types[_key(code)] = pk
            types.setdefault(_key(libelle), pk)
        structures = dict(Structure.objects.order_by().values_list("siret", "pk"))
        links = set(Structure.territoires.through.objects.values_list("structure_id", "territoire_id"))
        return cls(territoires, sorted(names), structures, types, links)


def validate(rows: list[dict], *, notes: Iterable[str] = ()) -> Report:
    """Check every line; nothing is written. Lines already imported (same N° CAF, structure and
    date d'orientation) are not errors: they are listed in `duplicates` and will be skipped."""
    referentials = _Referentials.load()
    today = timezone.localdate()
    report = Report(total_lines=len(rows), notes=list(notes))
    candidates: list[ValidLine] = []
    first_seen: dict[str, tuple[int, tuple]] = {}  # N° CAF -> (line, identity) of its first occurrence

    for row in rows:
        errors = _check_row(row, referentials, today)
        ligne = row[LINE]
        caf = _digits(row.get("numero_caf", ""))
        if NUMERO_CAF_RE.match(caf) and not row.get(ROW_ERROR):
            identity = (
                _key(row.get("nom", "")),
                _key(row.get("prenom", "")),
                _parse_date(row.get("date_naissance", "")) or row.get("date_naissance", ""),
            )
            if caf not in first_seen:
                first_seen[caf] = (ligne, identity)
            elif first_seen[caf][1] != identity:
                errors.append(
                    (
                        "numero_caf",
                        f"N° CAF déjà présent ligne {first_seen[caf][0]} avec une autre identité "
                        "(nom, prénom ou date de naissance)",
                    )
                )
        if errors:
            report.errors.extend({"ligne": ligne, "colonne": column, "message": message} for column, message in errors)
        else:
            candidates.append(_valid_line(row, referentials))

    # Against the database, by batches of N° CAF: a bounded number of queries.
    known_birth_dates: dict[str, datetime.date] = {}
    known_orientations: set[tuple] = set()
    cafs = list(dict.fromkeys(line.numero_caf for line in candidates))
    for batch in _chunks(cafs, BATCH_SIZE):
        known_birth_dates.update(
            Beneficiaire.objects.filter(numero_caf__in=batch).values_list("numero_caf", "date_naissance")
        )
        known_orientations.update(_existing_orientations(batch))

    seen_in_file: dict[tuple, int] = {}
    lines = []
    for line in candidates:
        known = known_birth_dates.get(line.numero_caf)
        if known is not None and known != line.date_naissance:
            report.errors.append(
                {
                    "ligne": line.ligne,
                    "colonne": "numero_caf",
                    "message": "N° CAF déjà connu avec une autre date de naissance",
                }
            )
            continue
        report.valid_lines += 1
        key = line.orientation_key
        if key in known_orientations:
            report.duplicates.append({"ligne": line.ligne, "message": "orientation déjà importée"})
        elif key in seen_in_file:
            report.duplicates.append(
                {"ligne": line.ligne, "message": f"même orientation que la ligne {seen_in_file[key]}"}
            )
        else:
            seen_in_file[key] = line.ligne
            lines.append(line)
    report.errors.sort(key=lambda error: error["ligne"])
    report.lines = lines
    return report


def _check_row(row: dict, referentials: _Referentials, today: datetime.date) -> list[tuple[str, str]]:
    """The errors of one line on its own, as (column, message)."""
    if row.get(ROW_ERROR):
        return [("", row[ROW_ERROR])]  # the values after the stray separator are shifted: checking them is noise
    errors = []
    for column in COLUMNS:
        if not row.get(column):
            errors.append((column, "valeur manquante"))
    values = {column: row.get(column, "") for column in COLUMNS}

    caf = values["numero_caf"]
    if caf and not NUMERO_CAF_RE.match(_digits(caf)):
        errors.append(("numero_caf", f"N° CAF invalide {_quote(caf)} (7 à 13 chiffres attendus)"))
    for column, limit in MAX_LENGTHS.items():
        if len(values[column]) > limit:
            errors.append((column, f"valeur trop longue ({limit} caractères au plus)"))

    dates = {}
    for column in ("date_naissance", "date_orientation"):
        if values[column]:
            dates[column] = _parse_date(values[column])
            if dates[column] is None:
                errors.append((column, f"date invalide {_quote(values[column])} (format attendu JJ/MM/AAAA)"))
    naissance, orientation = dates.get("date_naissance"), dates.get("date_orientation")
    if orientation and orientation > today:
        errors.append(
            (
                "date_orientation",
                f"date d'orientation dans le futur {_quote(values['date_orientation'])} "
                f"(nous sommes le {format_date(today)})",
            )
        )
    if naissance and orientation and naissance >= orientation:
        errors.append(
            (
                "date_naissance",
                f"la date de naissance {_quote(values['date_naissance'])} doit précéder "
                f"la date d'orientation {_quote(values['date_orientation'])}",
            )
        )

    if values["sexe"] and values["sexe"].upper() not in Sexe.values:
        errors.append(("sexe", f"sexe invalide {_quote(values['sexe'])} (F ou M attendu)"))
    if values["code_postal"] and not CODE_POSTAL_RE.match(values["code_postal"]):
        errors.append(("code_postal", f"code postal invalide {_quote(values['code_postal'])} (5 chiffres attendus)"))
    if values["territoire"] and _key(values["territoire"]) not in referentials.territoires:
        errors.append(
            (
                "territoire",
                f"territoire inconnu {_quote(values['territoire'])} "
                f"(territoires SLAI : {', '.join(referentials.territoire_names)})",
            )
        )
    siret = values["siret_structure"]
    if siret:
        normalized = normalize_siret(siret)
        if len(normalized) != 14 or not normalized.isdigit():
            errors.append(("siret_structure", f"SIRET invalide {_quote(siret)} (14 chiffres attendus)"))
        elif normalized not in referentials.structures:
            errors.append(
                ("siret_structure", f"SIRET inconnu {_quote(siret)} : aucune structure enregistrée avec ce SIRET")
            )
        elif (
            values["territoire"]
            and _key(values["territoire"]) in referentials.territoires
            and (
                referentials.structures[normalized],
                referentials.territoires[_key(values["territoire"])],
            )
            not in referentials.structure_territoires
        ):
            errors.append(
                (
                    "siret_structure",
                    f"la structure de SIRET {_quote(siret)} n'intervient pas sur le territoire "
                    f"{_quote(values['territoire'])}",
                )
            )
    type_value = values["type_accompagnement"]
    if type_value and _key(type_value) not in referentials.types:
        errors.append(
            (
                "type_accompagnement",
                f"type d'accompagnement inconnu {_quote(type_value)} "
                "(attendu : solidarite, equilibre, independants ou leur intitulé)",
            )
        )
    return errors


def _valid_line(row: dict, referentials: _Referentials) -> ValidLine:
    return ValidLine(
        ligne=row[LINE],
        numero_caf=_digits(row["numero_caf"]),
        nom=row["nom"],
        prenom=row["prenom"],
        date_naissance=_parse_date(row["date_naissance"]),
        sexe=row["sexe"].upper(),
        code_postal=row["code_postal"],
        commune=row["commune"],
        territoire_id=referentials.territoires[_key(row["territoire"])],
        structure_id=referentials.structures[normalize_siret(row["siret_structure"])],
        type_accompagnement_id=referentials.types[_key(row["type_accompagnement"])],
        date_orientation=_parse_date(row["date_orientation"]),
    )


def _existing_orientations(cafs: list[str]) -> Iterator[tuple]:
    return Orientation.objects.filter(beneficiaire__numero_caf__in=cafs).values_list(
        "beneficiaire__numero_caf", "structure_id", "date_orientation"
    )


# --- Import -----------------------------------------------------------------------------------


@dataclass
class ImportResult:
    created_beneficiaries: int = 0
    created_orientations: int = 0
    skipped_duplicates: int = 0
    refused_lines: int = 0

    def summary(self) -> list[str]:
        return [
            f"Bénéficiaires créés : {self.created_beneficiaries}",
            f"Orientations créées : {self.created_orientations}",
            f"Orientations déjà importées (ignorées) : {self.skipped_duplicates}",
            f"Lignes refusées (non importées) : {self.refused_lines}",
        ]

    def to_json(self) -> dict:
        return {
            "created_beneficiaries": self.created_beneficiaries,
            "created_orientations": self.created_orientations,
            "skipped_duplicates": self.skipped_duplicates,
            "refused_lines": self.refused_lines,
        }


def apply(
    source: Report | list[dict],
    *,
    user,
    partial: bool = False,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Write the valid lines: missing beneficiaries, then their orientations (source « import »).

    `source` is a Report fresh from `validate` or the rows from `read_file` (validated here). With
    refused lines and `partial=False`, raises ImportRefused and writes nothing. Existing
    beneficiaries are left as they are; orientations already present are skipped, so importing
    the same file twice creates nothing the second time. All or nothing: one transaction.
    `progress(done, total)` is called after each batch, with counts of lines to import.
    """
    report = validate(source) if isinstance(source, list) else source
    if report.lines is None:
        raise ValueError("Report read back from JSON: validate the file again before importing.")
    if report.has_errors and not partial:
        raise ImportRefused(report)

    result = ImportResult(skipped_duplicates=report.duplicate_lines, refused_lines=report.refused_lines)
    lines = report.lines
    total = len(lines)
    done = 0
    kinds = {kind.pk: kind for kind in TypeAccompagnement.objects.all()}
    structures, reopened = set(), set()
    with transaction.atomic():
        for batch in _chunks(lines, max(1, batch_size)):
            _apply_batch(batch, user=user, result=result, kinds=kinds, structures=structures, reopened=reopened)
            done += len(batch)
            if progress is not None:
                progress(done, total)
        # bulk_create sends no signal: the kept indicators of the structures oriented to, and of
        # the re-opened people's other structures (archived no more), are forgotten (one DELETE).
        if structures:
            gardes.invalider(
                Orientation.objects.filter(beneficiaire_id__in=sorted(reopened)).values("structure_id"),
                structures,
            )
    # A Département's first file fills empty tables: without fresh statistics PostgreSQL plans the
    # deadline and caseload queries as if they were still empty (minutes instead of a second).
    analyze_tables([Beneficiaire, Orientation, AuditEntry])
    return result


def _apply_batch(batch: list[ValidLine], *, user, result: ImportResult, kinds, structures, reopened) -> None:
    """About five queries whatever the batch size: read what exists, then two bulk inserts."""
    cafs = list(dict.fromkeys(line.numero_caf for line in batch))
    beneficiaries = {
        beneficiary.numero_caf: beneficiary
        for beneficiary in Beneficiaire.objects.filter(numero_caf__in=cafs)
        .select_for_update()  # the retention run locks the same rows before purging
        .only("pk", "numero_caf", "date_naissance", "archive_le", "territoire_id")
    }
    existing = set(_existing_orientations(cafs))

    new_beneficiaries = {}
    to_create = []
    for line in batch:
        known = beneficiaries.get(line.numero_caf)
        if known is not None and known.date_naissance != line.date_naissance:
            # Created with another birth date since the file was checked: refuse rather than guess.
            result.refused_lines += 1
            continue
        if line.orientation_key in existing:
            result.skipped_duplicates += 1
            continue
        existing.add(line.orientation_key)
        if known is None and line.numero_caf not in new_beneficiaries:
            new_beneficiaries[line.numero_caf] = Beneficiaire(
                numero_caf=line.numero_caf,
                nom=line.nom,
                prenom=line.prenom,
                date_naissance=line.date_naissance,
                sexe=line.sexe,
                code_postal=line.code_postal,
                commune=line.commune,
                territoire_id=line.territoire_id,
            )
        to_create.append(line)

    # An archived record oriented again comes back into use at once (not at the next retention run).
    reouverts = {
        beneficiaries[line.numero_caf].pk
        for line in to_create
        if line.numero_caf in beneficiaries and beneficiaries[line.numero_caf].archive_le is not None
    }
    reopened.update(reouverts)
    if reouverts:
        Beneficiaire.objects.filter(pk__in=reouverts).update(archive_le=None)
    if new_beneficiaries:
        created = Beneficiaire.objects.bulk_create(new_beneficiaries.values())
        if any(beneficiary.pk is None for beneficiary in created):  # a backend that returns no ids
            created = Beneficiaire.objects.filter(numero_caf__in=list(new_beneficiaries)).only(
                "pk", "numero_caf", "territoire_id"
            )
        beneficiaries.update((beneficiary.numero_caf, beneficiary) for beneficiary in created)
        result.created_beneficiaries += len(new_beneficiaries)

    orientations = [
        Orientation(
            beneficiaire_id=beneficiaries[line.numero_caf].pk,
            territoire_id=beneficiaries[line.numero_caf].territoire_id,  # the person's, kept on the orientation
            structure_id=line.structure_id,
            type_accompagnement_id=line.type_accompagnement_id,
            date_orientation=line.date_orientation,
            source=SourceOrientation.IMPORT,
            created_by=user,
            **kinds[line.type_accompagnement_id].date_limits(line.date_orientation),
        )
        for line in to_create
    ]
    if orientations:
        Orientation.objects.bulk_create(orientations)
        result.created_orientations += len(orientations)
        structures.update(line.structure_id for line in to_create)
        # Every write of a beneficiary record is traced, imports included (one bulk insert).
        content_type = ContentType.objects.get_for_model(Beneficiaire)
        AuditEntry.objects.bulk_create(
            AuditEntry(
                user=user,
                user_email=getattr(user, "email", "") or "import en ligne de commande",
                role=getattr(user, "role", "") or "",
                action=Action.CREATION,
                content_type=content_type,
                object_id=str(beneficiaries[line.numero_caf].pk),
                object_repr=f"N° CAF {line.numero_caf}"[:250],
                detail="orientation importée"
                + (" ; désarchivé : nouvelle orientation" if beneficiaries[line.numero_caf].pk in reouverts else ""),
            )
            for line in to_create
        )


# --- Helpers ----------------------------------------------------------------------------------


def _strip_accents(value: str) -> str:
    return "".join(char for char in unicodedata.normalize("NFKD", value) if not unicodedata.combining(char))


def _key(value: str) -> str:
    """Case-, accent-, space- and hyphen-insensitive comparison key ("HENIN carvin" = "Hénin-Carvin")."""
    return re.sub(r"[\s\-_'’.]+", "", _strip_accents(str(value)).casefold())


def _digits(value: str) -> str:
    return "".join(char for char in value if char not in BLANKS)


def _parse_date(value: str) -> datetime.date | None:
    match = DATE_RE.match(value.strip())
    if not match:
        return None
    day, month, year = (int(part) for part in match.groups())
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _quote(value: str, limit: int = 60) -> str:
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    return f"« {value} »"


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _lines(count: int) -> str:
    return pluriel(count, "ligne")


def _plural(count: int, singular: str, plural: str) -> str:
    return plural if plural_suffix(count) else singular
