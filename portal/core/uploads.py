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
