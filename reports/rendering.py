"""The PDFs: the cohort progress report, a participant's transcript and certificates of
completion, each rendered from data read as of one moment. Rendering reads and never writes:
the certificates a build prints are issued before it renders (``services.report_build``)."""

import datetime
from collections.abc import Sequence

from django.conf import settings
from django.urls import reverse
from weasyprint.urls import URLFetcherResponse

from cohorts.models import Cohort
from leadership.models import User
from leadership.pdf import BASE_URL, PdfBytes, StaticFilesOnlyFetcher, render_pdf
from measures.charts import render_legend_svg

from . import data
from .models import Certificate, ReportRequest

AUTHOR = "Clinical leadership programmes"


def render_report(
    report: ReportRequest,
    *,
    now: datetime.datetime | None = None,
    certificates: Sequence[Certificate] = (),
) -> PdfBytes:
    """The PDF bytes for a request, with the data as of ``now``. A certificates request prints
    ``certificates``, which its build issued first (``certificates.certificates_issue``)."""
    cohort = report.cohort
    if report.kind == ReportRequest.Kind.PROGRESS:
        return progress_report_pdf(cohort, now=now)
    if report.kind == ReportRequest.Kind.TRANSCRIPT:
        assert report.person is not None  # report_transcript_has_person
        return transcript_pdf(cohort, report.person)
    if not certificates:
        raise ValueError("A certificates report prints the certificates its build issued.")
    return certificates_pdf(cohort, certificates)


class ReportFetcher(StaticFilesOnlyFetcher):
    """The locked-down fetcher, plus the charts drawn for this one report, held in memory.

    Charts go in as SVG images (``<img src="charts/N.svg">``) rather than inline ``<svg>``:
    WeasyPrint then reads each with its SVG parser instead of running thirty charts' worth
    of elements through the HTML parser and the CSS cascade, which made up half of the
    render time. They are still vector drawings from our own chart code; nothing but the
    registered charts and our static files can be fetched."""

    def __init__(self) -> None:
        super().__init__()
        self.charts: dict[str, bytes] = {}

    def add_chart(self, svg: str) -> str:
        """Register a chart's SVG; returns the relative URL to put in the template."""
        name = f"charts/{len(self.charts) + 1}.svg"
        self.charts[BASE_URL + name] = svg.encode()
        return name

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        body = self.charts.get(url)
        if body is None:
            return super().fetch(url, headers)
        return URLFetcherResponse(url, body=body, headers={"Content-Type": "image/svg+xml"})


def progress_report_context(
    cohort: Cohort, *, fetcher: ReportFetcher, now: datetime.datetime | None = None
) -> dict:
    """The report's template context; its charts are registered with ``fetcher``."""
    report = data.progress_report_data(cohort, now=now)
    for section in report.teams:
        for view in section.charts:
            if view.chart.svg:
                view.src = fetcher.add_chart(view.chart.svg)
    return {
        "report": report,
        "chart_legend_src": fetcher.add_chart(render_legend_svg()) if report.chart_count else "",
        "cohort": cohort,
        "title": f"{cohort.programme.name} — {cohort.name}: progress report",
        "author": AUTHOR,
    }


def progress_report_pdf(
    cohort: Cohort,
    *,
    now: datetime.datetime | None = None,
    fetcher: ReportFetcher | None = None,
) -> PdfBytes:
    """The cohort progress report as PDF bytes (see ``data.progress_report_data``)."""
    fetcher = fetcher or ReportFetcher()
    context = progress_report_context(cohort, fetcher=fetcher, now=now)
    return render_pdf("reports/progress.html", context, fetcher=fetcher)


def transcript_pdf(cohort: Cohort, person: User) -> PdfBytes:
    transcript = data.transcript_data(cohort, person)
    return render_pdf(
        "reports/transcript.html",
        {
            "cohort": cohort,  # its language (<html lang>)
            "transcript": transcript,
            "title": f"Transcript — {person.get_full_name() or person.email} — {cohort.name}",
            "author": AUTHOR,
        },
    )


def certificates_pdf(cohort: Cohort, certificates: Sequence[Certificate]) -> PdfBytes:
    return render_pdf(
        "reports/certificates.html",
        {
            "cohort": cohort,
            "certificates": certificates,
            "title": f"Certificates of completion — {cohort.programme.name} — {cohort.name}",
            "author": AUTHOR,
            "verify_url": settings.SITE_URL.rstrip("/") + reverse("reports:certificate_verify"),
        },
    )
