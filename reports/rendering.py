"""The PDFs: the cohort progress report, a participant's transcript and certificates of
completion, each rendered from data read as of one moment. Rendering reads and never writes:
the certificates a build prints are issued before it renders (``services.report_build``)."""

import datetime
from collections.abc import Sequence

from django.conf import settings
from django.urls import reverse
from weasyprint.urls import URLFetcherResponse

from cohorts.models import Cohort
from evaluation.selectors import cohort_evaluation_report as evaluation_report
from leadership.models import User
from leadership.pdf import BASE_URL, PdfBytes, StaticFilesOnlyFetcher, render_pdf
from measures.charts import assurance_icon_svg, render_legend_svg, variation_icon_svg

from . import data
from .cpd import cpd_record
from .models import Certificate, ReportRequest
from .portfolio import Portfolio

AUTHOR = "Clinical leadership programmes"
# Every report's print styles, parsed once per process (``leadership.pdf.static_stylesheet``).
STYLESHEET = "css/print.css"


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
        self.names: dict[str, str] = {}

    def add_chart(self, svg: str) -> str:
        """Register a chart's SVG; returns the relative URL to put in the template. The same
        drawing (an icon) registered again gets the same URL, so it is read once."""
        if svg in self.names:
            return self.names[svg]
        name = f"charts/{len(self.charts) + 1}.svg"
        self.charts[BASE_URL + name] = svg.encode()
        self.names[svg] = name
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
    evaluation = evaluation_report(cohort, now=now)
    for item in evaluation.reaction:
        for question in item.results.questions:
            if question.svg:
                question.src = fetcher.add_chart(question.svg)
    for view in report.chart_views:
        chart = view.chart
        if chart.svg:
            view.src = fetcher.add_chart(chart.svg)
        if chart.variation is not None:
            view.variation_src = fetcher.add_chart(variation_icon_svg(chart.variation))
        if chart.assurance is not None:
            view.assurance_src = fetcher.add_chart(assurance_icon_svg(chart.assurance))
    return {
        "report": report,
        "evaluation": evaluation,
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
    pdf = render_pdf("reports/progress.html", context, fetcher=fetcher, stylesheet=STYLESHEET)
    pdf.summary = context["report"].snapshot()
    return pdf


def portfolio_pdf(chosen: Portfolio, *, now: datetime.datetime) -> PdfBytes:
    """The sponsor's portfolio (``portfolio.portfolio_for``) as a tagged PDF: one table of
    headlines and icons a cohort. British English unless every cohort in it is in New
    Zealand."""
    fetcher = ReportFetcher()
    sections = [
        (
            item,
            [
                (
                    project,
                    chart,
                    fetcher.add_chart(variation_icon_svg(chart.variation))
                    if chart.variation
                    else "",
                    fetcher.add_chart(assurance_icon_svg(chart.assurance))
                    if chart.assurance
                    else "",
                )
                for project, chart in item.rows
            ],
        )
        for item in chosen.cohorts
    ]
    languages = {item.cohort.language for item in chosen.cohorts}
    return render_pdf(
        "reports/portfolio_pdf.html",
        {
            "portfolio": chosen,
            "sections": sections,
            "now": now,
            "lang": languages.pop() if len(languages) == 1 else "en-GB",
            "title": "Improvement portfolio",
            "author": AUTHOR,
        },
        fetcher=fetcher,
        stylesheet=STYLESHEET,
    )


def transcript_pdf(cohort: Cohort, person: User) -> PdfBytes:
    transcript = data.transcript_data(cohort, person)
    return render_pdf(
        "reports/transcript.html",
        {
            "cohort": cohort,  # its language (<html lang>)
            "transcript": transcript,
            "cpd": cpd_record(cohort, person, now=transcript.produced_at),
            "title": f"Transcript — {person.get_full_name() or person.email} — {cohort.name}",
            "author": AUTHOR,
        },
        stylesheet=STYLESHEET,
    )


def certificates_pdf(cohort: Cohort, certificates: Sequence[Certificate]) -> PdfBytes:
    return render_pdf(
        "reports/certificates.html",
        {
            "cohort": cohort,
            # Each certificate with the modules and hours behind it (its own hours as issued).
            "certificates": [(c, cpd_record(cohort, c.person)) for c in certificates],
            "title": f"Certificates of completion — {cohort.programme.name} — {cohort.name}",
            "author": AUTHOR,
            "verify_url": settings.SITE_URL.rstrip("/") + reverse("reports:certificate_verify"),
        },
        stylesheet=STYLESHEET,
    )
