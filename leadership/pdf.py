"""PDFs from Django templates through WeasyPrint, with a URL fetcher locked down to the
project's own static files: user-written text can never make a report fetch a remote URL or
read a local file."""

import mimetypes

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import HTML
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


def render_pdf(
    template: str, context: dict, *, fetcher: StaticFilesOnlyFetcher | None = None
) -> PdfBytes:
    """Render ``template`` with ``context`` to PDF bytes. The document's <title> and
    <meta name="author"> become the PDF's metadata."""
    html = render_to_string(template, context)
    fetcher = fetcher or StaticFilesOnlyFetcher()
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render()
    pdf = PdfBytes(document.write_pdf())
    pdf.pages = len(document.pages)
    return pdf
