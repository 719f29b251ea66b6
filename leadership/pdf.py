"""PDFs from Django templates through WeasyPrint, with a URL fetcher locked down to the
project's own static files: user-written text can never make a report fetch a remote URL or
read a local file."""

import functools
import mimetypes
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Templates link static files with {% static %} ("/static/…"); relative to this made-up origin
# they become URLs the fetcher recognises. ".invalid" can never resolve (RFC 2606).
BASE_URL = "https://report.invalid/"


class RefusedURL(ValueError):
    """A report asked for something other than one of our static files."""


class StaticFilesOnlyFetcher(URLFetcher):
    """Answers only ``BASE_URL`` + ``STATIC_URL`` paths, from the static files finders (which
    refuse paths that climb out of the static directories). Anything else — http(s) elsewhere,
    file://, data: — is refused, and WeasyPrint renders without it."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=["https"], allow_redirects=False)
        self.refused: list[str] = []

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        prefix = BASE_URL + settings.STATIC_URL.lstrip("/")
        if not url.startswith(prefix):
            self.refused.append(url)
            raise RefusedURL(f"Reports may load only the project's static files, not {url!r}.")
        relative = url.removeprefix(prefix).split("?", 1)[0].split("#", 1)[0]
        path = finders.find(relative) if relative and ".." not in relative.split("/") else None
        if not path:
            self.refused.append(url)
            raise RefusedURL(f"No static file {relative!r}.")
        with open(path, "rb") as handle:
            body = handle.read()
        content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=body, headers={"Content-Type": content_type})


class PdfBytes(bytes):
    """A PDF's bytes that also know how many pages it has (WeasyPrint counted them while laying
    the document out, so nobody needs to parse the file again)."""

    pages: int = 0
    # What a progress report keeps for the next one to compare with (see reports.data).
    summary: dict | None = None


# Tagged PDF/UA-1: headings, tables with header cells and figures with their alt text reach
# screen readers; the document's language comes from <html lang>.
PDF_VARIANT = "pdf/ua-1"


@functools.lru_cache(maxsize=8)
def _parsed_stylesheet(path: str, modified: float) -> CSS:
    """A static stylesheet parsed once per process (and again when the file changes):
    parsing and compiling its selectors took a tenth of a report's render."""
    return CSS(string=Path(path).read_text(encoding="utf-8"), base_url=BASE_URL)


def static_stylesheet(relative: str) -> CSS:
    """One of our static stylesheets (e.g. "css/print.css"), parsed and cached."""
    path = finders.find(relative)
    if not path:
        raise RefusedURL(f"No static file {relative!r}.")
    return _parsed_stylesheet(path, Path(path).stat().st_mtime)


def render_pdf(
    template: str,
    context: dict,
    *,
    fetcher: StaticFilesOnlyFetcher | None = None,
    stylesheet: str | None = None,
) -> PdfBytes:
    """Render ``template`` with ``context`` to tagged PDF bytes (``PDF_VARIANT``). The
    document's <title>, <meta name="author"> and <html lang> become the PDF's metadata.
    ``stylesheet`` names a static stylesheet applied from the per-process cache (the template
    then does not link it)."""
    html = render_to_string(template, context)
    fetcher = fetcher or StaticFilesOnlyFetcher()
    sheets = [static_stylesheet(stylesheet)] if stylesheet else None
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render(stylesheets=sheets)
    pdf = PdfBytes(document.write_pdf(pdf_variant=PDF_VARIANT))
    pdf.pages = len(document.pages)
    return pdf
