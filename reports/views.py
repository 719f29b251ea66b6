"""Pages for reports and certificates and the cohort page's cards (the clinical leader's start
page, made of report figures, is ``home:leader_home``).

Sponsors (administrators, clinical leaders) build and read every report of the cohort;
participants only their own transcript and certificate. Files are served only by
``report_download``, after the same check."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from cohorts import selectors as cohort_selectors
from cohorts.models import Enrolment
from cohorts.selectors import (
    ADMINISTRATOR,
    COHORT_PAGE_ROLES,
    cohorts_for_role,
    get_cohort_for_user,
)
from cohorts.shortcuts import render
from leadership.downloads import download_filename
from leadership.services import audit_record
from leadership.storage import private_download
from learning_sets.selectors import person_challenge_outcomes
from modules.selectors import attendance_summary_for_cohort
from pairings.selectors import support_pairings_of

from . import cards, certificates, data, exports, forms, portfolio, selectors, services
from .models import ReportRequest

ADMIN_ONLY = frozenset({ADMINISTRATOR})


@login_required
def cohort_card(request, cohort_id, card):
    """One card of the cohort page, loaded by htmx after the page (see ``reports.cards``), or
    followed from its placeholder's link without JavaScript."""
    cohort, access = get_cohort_for_user(request.user, cohort_id, roles=COHORT_PAGE_ROLES)
    if card not in cards.CARDS:
        raise Http404("No such card.")
    context = {
        "cohort": cohort,
        "section": cards.CARDS[card].section(card, cohort),
        "can_manage": access.is_admin,
    }
    return render(request, "reports/_card.html", context)


def _portfolio(request) -> tuple[portfolio.Portfolio, portfolio.PortfolioFilterForm]:
    """The viewer's portfolio filtered by the query string; 404 for anyone who neither
    sponsors nor administers a cohort."""
    scope = portfolio.portfolio_scope(request.user)
    if not scope.cohorts:
        raise Http404
    form = portfolio.PortfolioFilterForm(request.GET or None, programmes=scope.programmes)
    chosen = portfolio.portfolio_for(scope, **form.filters())
    return chosen, form


@login_required
def portfolio_page(request):
    """The sponsor's portfolio: every cohort they sponsor or administer, and every team's and
    pair's measures with headline and icons, filterable by programme and cohort status."""
    chosen, form = _portfolio(request)
    return render(
        request,
        "reports/portfolio.html",
        {
            "portfolio": chosen,
            "form": form,
            "query": request.GET.urlencode(),
            # One reverse for 600 links: each row appends its measure's id.
            "measure_url": reverse("measures:measure_detail", args=[0]).removesuffix("0/"),
        },
    )


@login_required
def portfolio_download(request):
    """The portfolio as it is filtered, as a tagged PDF, built while the viewer waits: it is
    tables and icons only (no charts), a page or two a cohort. Audited as a download."""
    chosen, _form = _portfolio(request)
    now = timezone.now()
    # WeasyPrint loads on the first PDF a process builds, not when the web worker starts (why:
    # reports.services.report_build).
    from . import rendering

    pdf = rendering.portfolio_pdf(chosen, now=now)
    audit_record(
        actor=request.user,
        action="report.download",
        target=request.user,  # the portfolio is the viewer's own
        changes={"kind": "portfolio", "cohorts": [item.cohort.pk for item in chosen.cohorts]},
    )
    return _attachment(pdf, "application/pdf", f"portfolio-{now:%Y%m%d}.pdf")


@login_required
def report_list(request, cohort_id):
    """The cohort's reports: build one, follow it, download earlier ones."""
    cohort, access = get_cohort_for_user(request.user, cohort_id, roles=selectors.REPORT_ROLES)
    page = selectors.report_page(cohort, request.user, access)
    return render(
        request,
        "reports/report_list.html",
        {
            "cohort": cohort,
            "page": page,
            "is_sponsor": selectors.is_sponsor(access),
            "is_admin": access.is_admin,
            "kinds": ReportRequest.Kind,
            "figures": exports.FIGURES,
        },
    )


@login_required
@require_POST
def report_generate(request, cohort_id):
    """Ask for a report; it is built in the background (an identical one in progress is
    reused) and its page follows the build."""
    cohort, access = get_cohort_for_user(request.user, cohort_id, roles=selectors.REPORT_ROLES)
    form = forms.ReportRequestForm(request.POST, participants=selectors.report_subjects(cohort))
    if not form.is_valid():
        messages.error(request, "Choose a kind of report (and a participant from the list).")
        return redirect("reports:report_list", cohort_id=cohort.pk)
    kind, person = form.cleaned_data["kind"], form.cleaned_data["person"]
    if person is None and kind == ReportRequest.Kind.TRANSCRIPT:
        person = request.user
    if person is None and kind == ReportRequest.Kind.CERTIFICATES:
        person = None if selectors.is_sponsor(access) else request.user
    selectors.check_may_request(access, request.user, kind, person)
    try:
        report, created = services.report_request(
            cohort=cohort, kind=kind, person=person, acting_user=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("reports:report_list", cohort_id=cohort.pk)
    if created:
        messages.success(request, f"Building the {report.get_kind_display().lower()}.")
    else:
        messages.info(request, "That report is already being built: here it is.")
    return redirect("reports:report_detail", cohort_id=cohort.pk, report_id=report.pk)


@login_required
def report_detail(request, cohort_id, report_id):
    """One report's progress; htmx asks again every two seconds until it is ready or failed."""
    report, _access = selectors.get_report_for_user(request.user, cohort_id, report_id)
    cohort = report.cohort
    context = {
        "cohort": cohort,
        "report": report,
        "can_retry": services.can_retry(report),
    }
    if request.headers.get("HX-Request"):
        return render(request, "reports/report_status.html", context)
    return render(request, "reports/report_detail.html", context)


@login_required
@require_POST
def report_retry(request, cohort_id, report_id):
    """Build a failed report again."""
    report, access = selectors.get_report_for_user(request.user, cohort_id, report_id)
    cohort = report.cohort
    selectors.check_may_request(access, request.user, report.kind, report.person)
    try:
        report = services.report_retry(report=report, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Building it again.")
    return redirect("reports:report_detail", cohort_id=cohort.pk, report_id=report.pk)


@login_required
def report_download(request, cohort_id, report_id):
    """The report's PDF, as an attachment that no cache keeps."""
    report, _access = selectors.get_report_for_user(request.user, cohort_id, report_id)
    cohort = report.cohort
    if report.status != ReportRequest.Status.READY or not report.file:
        raise Http404("This report is not ready.")
    audit_record(
        actor=request.user,
        action="report.download",
        target=report,
        cohort_id=cohort.pk,
        person_id=report.person_id,
    )
    # Streamed through this view after the check, never a redirect to a signed bucket URL
    # (why: leadership/storage.py).
    return private_download(
        report.file, filename=selectors.download_name(report), content_type="application/pdf"
    )


def _figures(request, cohort_id):
    cohort, _access = get_cohort_for_user(request.user, cohort_id, roles=selectors.SPONSOR_ROLES)
    return cohort, data.progress_report_data(cohort)


def _audit_figures_export(request, cohort, figure: str) -> None:
    audit_record(
        actor=request.user,
        action="report.export",
        target=cohort,
        cohort_id=cohort.pk,
        changes={"figures": figure},
    )


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def report_export_csv(request, cohort_id, figure):
    """One of the report's figures (attendance, assignments, measures) as CSV."""
    if figure not in exports.FIGURES:
        raise Http404("No such figure.")
    cohort, report = _figures(request, cohort_id)
    _audit_figures_export(request, cohort, figure)
    stamp = timezone.localdate().isoformat()
    return _attachment(
        exports.figure_csv(report, figure),
        "text/csv; charset=utf-8",
        download_filename(cohort.download_stem, figure, stamp, ext="csv"),
    )


@login_required
def report_export_xlsx(request, cohort_id):
    """All of the report's figures as one workbook, a sheet each."""
    cohort, report = _figures(request, cohort_id)
    _audit_figures_export(request, cohort, "all (xlsx)")
    stamp = timezone.localdate().isoformat()
    return _attachment(
        exports.figures_xlsx(report),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        download_filename(cohort.download_stem, "figures", stamp, ext="xlsx"),
    )


@login_required
@require_POST
def certificate_revoke(request, cohort_id, certificate_id):
    """Revoke a certificate, with a reason; the verification page says so from then on."""
    cohort, _access = get_cohort_for_user(request.user, cohort_id, roles=ADMIN_ONLY)
    certificate = selectors.get_certificate_for_administrator(cohort, certificate_id)
    form = forms.CertificateRevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the certificate is revoked.")
    else:
        try:
            certificates.certificate_revoke(
                certificate=certificate,
                reason=form.cleaned_data["reason"],
                acting_user=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Revoked the certificate {certificate.code}.")
    return redirect("reports:report_list", cohort_id=cohort.pk)


def certificate_verify(request):
    """Public: is a certificate code genuine? Says valid or revoked, with only the name and
    programme printed on it; an unknown code says just that."""
    form = forms.CertificateVerifyForm(request.GET or None)
    certificate, checked = None, False
    if form.is_valid():
        checked = True
        certificate = selectors.certificate_for_code(form.cleaned_data["code"])
    response = render(
        request,
        "reports/report_certificate_verify.html",
        {"form": form, "certificate": certificate, "checked": checked},
    )
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
def my_documents(request):
    """A participant's way to their transcript and certificate: the report page of their
    newest cohort."""
    cohort = cohorts_for_role(request.user, Enrolment.Role.PARTICIPANT).first()
    if cohort is None:
        raise Http404
    return redirect("reports:report_list", cohort_id=cohort.pk)


@login_required
def person_detail(request, cohort_id, person_id):
    """A person's record in the cohort: details, enrolments, who changed them when, and their
    attendance (administrators)."""
    cohort, _access = get_cohort_for_user(request.user, cohort_id, roles=ADMIN_ONLY)
    person = cohort_selectors.get_person_in_cohort(cohort, person_id)
    return render(
        request,
        "reports/person_detail.html",
        {
            "cohort": cohort,
            "person": person,
            "enrolments": cohort_selectors.person_enrolments(person, request.user),
            "history": cohort_selectors.person_history(person, request.user),
            "attendance_summary": attendance_summary_for_cohort(cohort, people=[person]),
            "challenge_outcomes": person_challenge_outcomes(cohort, person),
            "support_pairings": support_pairings_of(cohort, person),
        },
    )
