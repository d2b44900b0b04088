"""Uploads are checked by their content, never by their name."""

from django.core.exceptions import ValidationError

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
SIGNATURES = {
    b"%PDF-": "PDF",
    b"\xff\xd8\xff": "JPEG",
    b"\x89PNG\r\n\x1a\n": "PNG",
}


def detect_type(head: bytes) -> str | None:
    return next((name for magic, name in SIGNATURES.items() if head.startswith(magic)), None)


def validate_document_upload(uploaded):
    """A supporting document: PDF, JPEG or PNG by its first bytes, 5 Mo at most."""
    if uploaded.size > MAX_UPLOAD_BYTES:
        raise ValidationError("Le fichier dépasse 5 Mo.")
    position = uploaded.tell() if hasattr(uploaded, "tell") else 0
    uploaded.seek(0)
    head = uploaded.read(16)
    uploaded.seek(position)
    if detect_type(head) is None:
        raise ValidationError(
            "Ce fichier n'est ni un PDF, ni une image JPEG ou PNG (son contenu a été vérifié, pas son nom)."
        )


# Applications to calls for projects also take office documents (budgets, statutes, CVs).
OFFICE_SIGNATURES = {
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "Office 97-2003",
}
ZIP_MAGIC = b"PK\x03\x04"


def _office_zip(uploaded) -> bool:
    """An OOXML (docx, xlsx, pptx) or OpenDocument file: a ZIP with its format's manifest."""
    import zipfile

    position = uploaded.tell() if hasattr(uploaded, "tell") else 0
    try:
        uploaded.seek(0)
        with zipfile.ZipFile(uploaded) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        uploaded.seek(position)
    return "[Content_Types].xml" in names or "mimetype" in names


def validate_office_upload(uploaded, *, max_bytes=10 * 1024 * 1024):
    """A PDF, an image (JPEG, PNG) or an office document, checked by content; empty files and
    files over `max_bytes` are refused."""
    if uploaded.size == 0:
        raise ValidationError("Le fichier est vide.")
    if uploaded.size > max_bytes:
        raise ValidationError(f"Le fichier dépasse {max_bytes // (1024 * 1024)} Mo.")
    position = uploaded.tell() if hasattr(uploaded, "tell") else 0
    uploaded.seek(0)
    head = uploaded.read(16)
    uploaded.seek(position)
    if detect_type(head) or any(head.startswith(magic) for magic in OFFICE_SIGNATURES):
        return
    if head.startswith(ZIP_MAGIC) and _office_zip(uploaded):
        return
    raise ValidationError(
        "Ce fichier n'est ni un PDF, ni une image JPEG ou PNG, ni un document bureautique "
        "(son contenu a été vérifié, pas son nom)."
    )
