"""HTML → PDF with WeasyPrint: A4, the Département's header, "page N / M", shipped fonts."""

import io
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from pypdf import PdfReader
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError, URLFetcher

STATIC_DIR = Path(settings.BASE_DIR) / "static"
MAX_LAYOUT_PASSES = 3


class RenderError(Exception):
    """A rendering that will not succeed by trying again (bad template, missing data)."""


class LocalStaticFetcher(URLFetcher):
    """Documents never load anything from the network: only the project's own static files.
    A missing font or image stops the rendering instead of producing a degraded document."""

    def __init__(self):
        super().__init__(allowed_protocols={"file"}, fail_on_errors=True)

    def fetch(self, url, headers=None):
        path = Path(url.removeprefix("file://")).resolve()
        if not url.startswith("file://") or not path.is_relative_to(STATIC_DIR):
            raise RenderError(f"Ressource externe refusée dans un document : {url}")
        return super().fetch(url, headers)


def count_pages(pdf_bytes: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf_bytes)).pages)


def render_pdf(template: str, context: dict) -> tuple[bytes, int]:
    """Render a template to PDF; `page_count` in the context is the document's true length, so a
    template can state "Ce document comprend N pages" (seed 003)."""
    page_count = None
    for _ in range(MAX_LAYOUT_PASSES):
        html = render_to_string(template, {**context, "page_count": page_count})
        try:
            pdf = HTML(string=html, base_url=str(STATIC_DIR) + "/", url_fetcher=LocalStaticFetcher()).write_pdf()
        except FatalURLFetchingError as error:
            raise RenderError(str(error.__cause__ or error)) from error
        pages = count_pages(pdf)
        if pages == page_count:
            return pdf, pages
        page_count = pages
    raise RenderError("Le nombre de pages du document ne se stabilise pas.")
