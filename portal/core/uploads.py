"""Uploads are checked by their content, never by their name.

- The type comes from the first bytes (PDF, JPEG, PNG); the stored name is random and its
  extension is the detected type's: the uploaded name (`payload.html`, `tool.exe`) is never used.
- Each kind of upload has its own size limit (settings.UPLOAD_MAX_BYTES).
- With ClamAV configured (CLAMD_SOCKET or CLAMD_HOST), each file is scanned before anything is
  stored: until the scan says it is clean it stays in the upload's temporary file (quarantine);
  infected, or no answer from the scanner, it is refused and never stored.
- Files are served as attachments, with the detected content type and `nosniff`.
"""

import socket
import struct
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse

MAX_UPLOAD_BYTES = 5 * 1024 * 1024  # default, see settings.UPLOAD_MAX_BYTES
SIGNATURES = {
    b"%PDF-": "PDF",
    b"\xff\xd8\xff": "JPEG",
    b"\x89PNG\r\n\x1a\n": "PNG",
}
EXTENSIONS = {"PDF": "pdf", "JPEG": "jpg", "PNG": "png"}
CONTENT_TYPES = {"PDF": "application/pdf", "JPEG": "image/jpeg", "PNG": "image/png"}


def detect_type(head: bytes) -> str | None:
    return next((name for magic, name in SIGNATURES.items() if head.startswith(magic)), None)


def _head(fileobj, size=16) -> bytes:
    position = fileobj.tell() if hasattr(fileobj, "tell") else 0
    fileobj.seek(0)
    head = fileobj.read(size)
    fileobj.seek(position)
    return head


# Each kind's default limit; settings.UPLOAD_MAX_BYTES overrides it.
DEFAULT_MAX_BYTES = {"piece": MAX_UPLOAD_BYTES, "aap": 10 * 1024 * 1024}


def max_bytes(kind: str) -> int:
    return getattr(settings, "UPLOAD_MAX_BYTES", {}).get(kind, DEFAULT_MAX_BYTES.get(kind, MAX_UPLOAD_BYTES))


def _size_label(size: int) -> str:
    return f"{size // (1024 * 1024)} Mo" if size >= 1024 * 1024 else f"{size // 1024} ko"


# --- Antivirus ------------------------------------------------------------------------------


class ScanError(Exception):
    """The scanner could not give a verdict."""


class ClamdScanner:
    """A minimal clamd client (INSTREAM command) over a Unix socket or TCP."""

    CHUNK = 64 * 1024

    def __init__(self, *, socket_path="", host="", port=3310, timeout=30):
        self.socket_path, self.host, self.port, self.timeout = socket_path, host, port, timeout

    def _connect(self):
        if self.socket_path:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(self.timeout)
            sock.connect(self.socket_path)
            return sock
        return socket.create_connection((self.host, self.port), timeout=self.timeout)

    def scan(self, fileobj) -> str | None:
        """None if clean, the virus name if infected; ScanError if no verdict."""
        try:
            with self._connect() as sock:
                sock.sendall(b"zINSTREAM\0")
                fileobj.seek(0)
                while chunk := fileobj.read(self.CHUNK):
                    sock.sendall(struct.pack("!L", len(chunk)) + chunk)
                sock.sendall(struct.pack("!L", 0))
                reply = b""
                while not reply.endswith(b"\0"):
                    data = sock.recv(4096)
                    if not data:
                        break
                    reply += data
        except OSError as error:
            raise ScanError(str(error)) from error
        finally:
            fileobj.seek(0)
        answer = reply.rstrip(b"\0").decode("utf-8", "replace")
        if answer.endswith("OK"):
            return None
        if answer.endswith("FOUND"):
            return answer.split(":", 1)[-1].removesuffix("FOUND").strip()
        raise ScanError(answer or "réponse vide")


_scanner_override = None


def get_scanner():
    """The configured scanner, or None (no antivirus configured). Tests set a fake one with
    `use_scanner`."""
    if _scanner_override is not None:
        return _scanner_override
    if settings.CLAMD_SOCKET or settings.CLAMD_HOST:
        return ClamdScanner(socket_path=settings.CLAMD_SOCKET, host=settings.CLAMD_HOST, port=settings.CLAMD_PORT)
    return None


def use_scanner(scanner):
    global _scanner_override
    _scanner_override = scanner


# --- Validation and storage ------------------------------------------------------------------


def validate_document_upload(uploaded, kind: str = "piece"):
    """A supporting document: PDF, JPEG or PNG by its first bytes, within the kind's size limit,
    clean for the antivirus when one is configured. Renames the upload after its detected type
    (random name): the uploaded name is never stored. Returns the detected type."""
    limit = max_bytes(kind)
    if uploaded.size > limit:
        raise ValidationError(f"Le fichier dépasse {_size_label(limit)}.")
    detected = detect_type(_head(uploaded))
    if detected is None:
        raise ValidationError(
            "Ce fichier n'est ni un PDF, ni une image JPEG ou PNG (son contenu a été vérifié, pas son nom)."
        )
    _scan(uploaded)
    rename_after_content(uploaded, detected)
    return detected


def serve_upload(fieldfile, stem: str) -> FileResponse:
    """A stored upload as an attachment named `stem.<detected extension>`, with the detected
    content type (never one guessed from a name) and `nosniff`."""
    handle = fieldfile.open("rb")
    detected = detect_file_type(handle)
    handle.seek(0)
    extension = EXTENSIONS.get(detected, "bin")
    response = FileResponse(handle, as_attachment=True, filename=f"{stem}.{extension}")
    response["Content-Type"] = CONTENT_TYPES.get(detected, "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


# Applications to calls for projects also take office documents (budgets, statutes, CVs). Their
# type is read from the content too: the streams of an OLE2 file (Word, Excel, PowerPoint 97-2003),
# the parts of an OOXML package, the `mimetype` entry of an OpenDocument file.
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
OLE_STREAMS = {
    "WordDocument": "DOC",
    "Workbook": "XLS",
    "Book": "XLS",
    "PowerPoint Document": "PPT",
}
OOXML_PARTS = {"word/document.xml": "DOCX", "xl/workbook.xml": "XLSX", "ppt/presentation.xml": "PPTX"}
ODF_MIMETYPES = {
    "application/vnd.oasis.opendocument.text": "ODT",
    "application/vnd.oasis.opendocument.spreadsheet": "ODS",
    "application/vnd.oasis.opendocument.presentation": "ODP",
}
OFFICE_TYPES = {
    "DOC": ("doc", "application/msword"),
    "XLS": ("xls", "application/vnd.ms-excel"),
    "PPT": ("ppt", "application/vnd.ms-powerpoint"),
    "DOCX": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "XLSX": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "PPTX": ("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    "ODT": ("odt", "application/vnd.oasis.opendocument.text"),
    "ODS": ("ods", "application/vnd.oasis.opendocument.spreadsheet"),
    "ODP": ("odp", "application/vnd.oasis.opendocument.presentation"),
}
for _name, (_extension, _content_type) in OFFICE_TYPES.items():
    EXTENSIONS[_name] = _extension
    CONTENT_TYPES[_name] = _content_type
KNOWN_EXTENSIONS = frozenset(EXTENSIONS.values())


def _office_zip_type(fileobj) -> str | None:
    """DOCX, XLSX, PPTX by their main part; ODT, ODS, ODP by their `mimetype` entry."""
    import zipfile

    position = fileobj.tell() if hasattr(fileobj, "tell") else 0
    try:
        fileobj.seek(0)
        with zipfile.ZipFile(fileobj) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" in names:
                return next((kind for part, kind in OOXML_PARTS.items() if part in names), None)
            if "mimetype" in names:
                mimetype = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
                return ODF_MIMETYPES.get(mimetype)
    except (zipfile.BadZipFile, OSError, ValueError, KeyError):
        return None
    finally:
        fileobj.seek(position)
    return None


def _ole_type(fileobj) -> str | None:
    """Word, Excel or PowerPoint 97-2003: the directory of an OLE2 file names its streams in
    UTF-16LE; the first main stream found gives the type."""
    position = fileobj.tell() if hasattr(fileobj, "tell") else 0
    try:
        fileobj.seek(0)
        content = fileobj.read(20 * 1024 * 1024)
    finally:
        fileobj.seek(position)
    found = [
        (content.find(stream.encode("utf-16-le") + b"\x00\x00"), kind)
        for stream, kind in OLE_STREAMS.items()
        if stream.encode("utf-16-le") + b"\x00\x00" in content
    ]
    return min(found)[1] if found else None


def detect_file_type(fileobj) -> str | None:
    """The type of a whole file by its content: PDF, JPEG, PNG, or an office document."""
    head = _head(fileobj)
    if detected := detect_type(head):
        return detected
    if head.startswith(OLE_MAGIC):
        return _ole_type(fileobj)
    if head.startswith(ZIP_MAGIC):
        return _office_zip_type(fileobj)
    return None


def _scan(uploaded):
    scanner = get_scanner()
    if scanner is None:
        return
    try:
        virus = scanner.scan(uploaded)
    except ScanError:
        raise ValidationError(
            "L'analyse antivirus est momentanément indisponible : le fichier n'a pas été enregistré. "
            "Réessayez dans quelques minutes."
        ) from None
    if virus:
        raise ValidationError(f"Ce fichier contient un virus ({virus}) : il a été refusé et n'est pas enregistré.")


def rename_after_content(uploaded, detected: str):
    """A random stored name with the detected type's extension; the uploaded name is kept apart
    (`original_name`) for display only."""
    if not hasattr(uploaded, "original_name"):
        uploaded.original_name = (uploaded.name or "").rsplit("/", 1)[-1][:200]
    uploaded.name = f"{uuid.uuid4().hex}.{EXTENSIONS[detected]}"


def stored_extension(filename: str) -> str:
    """The extension a stored name may carry: only one of a detected type, else `bin`."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return extension if extension in KNOWN_EXTENSIONS else "bin"


def validate_office_upload(uploaded, *, kind: str = "aap") -> str:
    """A PDF, an image (JPEG, PNG) or an office document (Word, Excel, PowerPoint, OpenDocument),
    checked by content; empty files and files over the kind's limit (10 Mo for the calls for
    projects, settings.UPLOAD_MAX_BYTES["aap"]) are refused; scanned when an
    antivirus is configured. Renames the upload after its detected type (random name, extension of
    the detected type); the uploaded name stays in `uploaded.original_name` for display. Returns
    the detected type."""
    if uploaded.size == 0:
        raise ValidationError("Le fichier est vide.")
    limit = max_bytes(kind)
    if uploaded.size > limit:
        raise ValidationError(f"Le fichier dépasse {_size_label(limit)}.")
    detected = detect_file_type(uploaded)
    if detected is None:
        raise ValidationError(
            "Ce fichier n'est ni un PDF, ni une image JPEG ou PNG, ni un document bureautique "
            "(Word, Excel, PowerPoint, OpenDocument) : son contenu a été vérifié, pas son nom."
        )
    _scan(uploaded)
    rename_after_content(uploaded, detected)
    return detected
