"""Reports render from templates to real PDFs, and user text can't make them fetch anything."""

import io
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from pypdf import PdfReader

from leadership.pdf import StaticFilesOnlyFetcher, render_pdf


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def request_log():
    """A web server on loopback that records every request it gets."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], hits
    server.shutdown()


def _render(team_name: str, aim: str = "Discharge before noon", fetcher=None) -> bytes:
    return render_pdf(
        "reports/test_document.html",
        {
            "title": "Cohort 3 progress",
            "author": "Clinical leadership programmes",
            "produced": "22 Nov 2026",
            "team_name": team_name,
            "aim": aim,
        },
        fetcher=fetcher,
    )


def test_a_report_is_a_real_pdf_with_text_metadata_and_our_stylesheet():
    fetcher = StaticFilesOnlyFetcher()
    pdf = _render("Respiratory team", fetcher=fetcher)
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.metadata.title == "Cohort 3 progress"
    assert reader.metadata.author == "Clinical leadership programmes"
    assert "Respiratory team" in _text(pdf)
    assert "Page 1 of 1" in _text(pdf)  # print.css was fetched: its page footer is there
    assert fetcher.refused == []


@pytest.mark.parametrize(
    "hostile",
    [
        '<img src="http://127.0.0.1:{port}/pixel">',
        '<link rel="stylesheet" href="http://127.0.0.1:{port}/style.css">',
        "file:///etc/passwd",
        '<img src="file:///etc/passwd">',
    ],
)
def test_user_text_is_printed_literally_and_fetches_nothing(request_log, hostile):
    port, hits = request_log
    team_name = hostile.format(port=port)
    pdf = _render(team_name, aim=team_name)
    assert hits == []
    assert team_name in _text(pdf).replace("\n", "")
    assert "root:x:0:0" not in _text(pdf)


def test_the_fetcher_refuses_anything_but_our_static_files(request_log):
    port, hits = request_log
    fetcher = StaticFilesOnlyFetcher()
    for url in (
        f"http://127.0.0.1:{port}/x",
        "file:///etc/passwd",
        "data:text/plain,hello",
        "https://report.invalid/static/../../../etc/passwd",
        "https://report.invalid/static/css/missing.css",
        "https://report.invalid/media/secret.pdf",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert hits == []
    assert fetcher.fetch("https://report.invalid/static/css/print.css").read().startswith(b"/*")
