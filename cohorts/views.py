"""Pages for programmes, cohorts and people. Each view: access → form → service → redirect."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.shortcuts import render as django_render
from django.utils import timezone
from django.views.decorators.http import require_POST

from leadership.forms import add_service_errors
from leadership.services import audit_record
from leadership.storage import private_download
from modules.selectors import attendance_summary_for_cohort, upcoming_sessions_for

from . import (
    cards,
    exports,
    forms,
    imports,
    report_exports,
    report_forms,
    report_services,
    reports,
    selectors,
    services,
)
from .models import Cohort, Enrolment, ReportRequest

ADMIN_ONLY = frozenset({selectors.ADMINISTRATOR})


def render(request, template: str, context: dict | None = None, **kwargs) -> HttpResponse:
    """Render, having asked for the person's roles first: the navigation needs them, and asking
    here keeps every query out of the template (the answer is remembered for the request)."""
    selectors.roles_for_user(request.user)
    return django_render(request, template, context, **kwargs)


def _require_administrator(request) -> None:
    if not selectors.roles_for_user(request.user).is_administrator:
        raise Http404


# Programmes ----------------------------------------------------------------------------------


@login_required
def programme_list(request):
    """The programmes the administrator runs."""
    _require_administrator(request)
    programmes = list(selectors.programmes_administered_by(request.user))
    return render(request, "cohorts/programme_list.html", {"programmes": programmes})


@login_required
def programme_detail(request, programme_id):
    """A programme as a template: its module sequence, phases, completion rule and cohorts."""
    programme = selectors.get_programme_for_user(request.user, programme_id)
    return render(request, "cohorts/programme_detail.html", {"programme": programme})


# Cohorts -------------------------------------------------------------------------------------


@login_required
def cohort_list(request):
    """The programme administrator's start page: their cohorts, filterable by programme,
    status and start year."""
    _require_administrator(request)
    programmes = list(selectors.programmes_administered_by(request.user))
    years = selectors.cohort_years(request.user)

    def number(name):
        value = request.GET.get(name, "")
        return int(value) if value.isdigit() else None

    filters = selectors.CohortFilters(
        programme_id=number("programme"),
        status=request.GET.get("status")
        if request.GET.get("status") in Cohort.Status.values
        else None,
        year=number("year"),
    )
    cohorts = list(selectors.cohort_list(request.user, filters))
    return render(
        request,
        "cohorts/cohort_list.html",
        {
            "cohorts": cohorts,
            "programmes": programmes,
            "years": years,
            "statuses": Cohort.Status.choices,
            "filters": filters,
        },
    )


@login_required
def cohort_detail(request, cohort_id):
    """The cohort page: the administrator's dashboard for one cohort; clinical leaders read it."""
    cohort = selectors.get_cohort_for_user(
        request.user, cohort_id, roles=selectors.COHORT_PAGE_ROLES
    )
    overview = selectors.cohort_overview(cohort)
    return render(
        request,
        "cohorts/cohort_detail.html",
        {
            "cohort": cohort,
            "overview": overview,
            "can_manage": selectors.ADMINISTRATOR in cohort.user_roles,
            "next_statuses": services.cohort_next_statuses(cohort),
            "cards": cards.CARDS,
        },
    )


@login_required
def cohort_card(request, cohort_id, card):
    """One card of the cohort page, loaded by htmx after the page (see ``cohorts.cards``)."""
    cohort = selectors.get_cohort_for_user(
        request.user, cohort_id, roles=selectors.COHORT_PAGE_ROLES
    )
    if card not in cards.CARDS:
        raise Http404("No such card.")
    chosen = cards.CARDS[card]
    context = {
        **chosen.context(cohort),
        "card": chosen,
        "name": card,
        "can_manage": selectors.ADMINISTRATOR in cohort.user_roles,
    }
    return render(request, "cohorts/_card.html", context)


@login_required
def cohort_edit(request, cohort_id):
    """Edit a cohort's details. Two administrators editing at once: the second save is refused
    with what changed, and the form keeps their input to check and save again."""
    cohort = selectors.get_cohort_for_user(request.user, cohort_id, roles=ADMIN_ONLY)
    form = forms.CohortEditForm(request.POST or None, instance=cohort)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.cohort_update(
                cohort=cohort,
                version=data["version"],
                fields={name: data[name] for name in services.COHORT_EDITABLE_FIELDS},
                acting_user=request.user,
            )
        except services.EditConflict as conflict:
            add_service_errors(form, conflict)
            # Saving again now is a decision made knowing the other change.
            form.data = form.data.copy()
            form.data["version"] = Cohort.objects.values_list("version", flat=True).get(
                pk=cohort.pk
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Saved the details of {data['name']}.")
            return redirect("cohorts:cohort_detail", cohort_id=cohort.pk)
    return render(request, "cohorts/cohort_edit.html", {"cohort": cohort, "form": form})


@login_required
@require_POST
def cohort_status(request, cohort_id):
    """Move the cohort to its next status (start, complete or cancel it)."""
    cohort = selectors.get_cohort_for_user(request.user, cohort_id, roles=ADMIN_ONLY)
    form = forms.CohortStatusForm(request.POST)
    if form.is_valid():
        try:
            services.cohort_set_status(
                cohort=cohort, status=form.cleaned_data["status"], acting_user=request.user
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, f"{cohort.name} is now {form.cleaned_data['status']}.")
    else:
        messages.error(request, "Choose a status from the list.")
    return redirect("cohorts:cohort_detail", cohort_id=cohort.pk)


@login_required
def cohort_people(request, cohort_id):
    """Who is in the cohort: names, roles, professions. Every member may read it; no e-mails."""
    cohort = selectors.get_cohort_for_user(
        request.user, cohort_id, roles=selectors.PEOPLE_LIST_ROLES
    )
    people = selectors.cohort_people(cohort)
    return render(request, "cohorts/cohort_people.html", {"cohort": cohort, "people": people})


def _export(request, cohort_id, kind: str) -> HttpResponse:
    cohort = selectors.get_cohort_for_user(request.user, cohort_id, roles=ADMIN_ONLY)
    rows = selectors.cohort_export_rows(cohort)
    stamp = timezone.localdate().isoformat()
    # Who took a copy of people's details out of the product, and when.
    audit_record(
        actor=request.user,
        action="cohort.people_export",
        target=cohort,
        cohort_id=cohort.pk,
        changes={"format": kind, "rows": len(rows)},
    )
    if kind == "csv":
        response = HttpResponse(exports.people_csv(rows), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            exports.people_xlsx(rows, title=cohort.name),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{cohort.slug}-people-{stamp}.{kind}"'
    return response


@login_required
def people_export_csv(request, cohort_id):
    """The cohort's people (withdrawn included) as CSV, formulas neutralised."""
    return _export(request, cohort_id, "csv")


@login_required
def people_export_xlsx(request, cohort_id):
    """The cohort's people (withdrawn included) as an Excel workbook, formulas neutralised."""
    return _export(request, cohort_id, "xlsx")


# People and enrolments -----------------------------------------------------------------------


@login_required
def enrolment_create(request, cohort_id):
    """Enrol one person, creating (and inviting) an account when there is none."""
    cohort = selectors.get_cohort_for_user(request.user, cohort_id, roles=ADMIN_ONLY)
    form = forms.EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            enrolment = services.person_enrol(
                cohort=cohort, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Enrolled {enrolment.person} as {enrolment.get_role_display().lower()}.",
            )
            return redirect("cohorts:cohort_detail", cohort_id=cohort.pk)
    return render(request, "cohorts/enrolment_create.html", {"cohort": cohort, "form": form})


@login_required
def enrolment_withdraw(request, cohort_id, enrolment_id):
    """Withdraw someone from the cohort with a date and a reason."""
    cohort = selectors.get_cohort_for_user(request.user, cohort_id, roles=ADMIN_ONLY)
    enrolment = get_object_or_404(
        Enrolment.objects.select_related("person"), pk=enrolment_id, cohort=cohort
    )
    form = forms.WithdrawForm(request.POST or None, initial={"withdrawn_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.enrolment_withdraw(
                enrolment=enrolment,
                withdrawn_on=form.cleaned_data["withdrawn_on"],
                reason=form.cleaned_data["reason"],
                acting_user=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Withdrew {enrolment.person} from {cohort.name}.")
            return redirect(
                "cohorts:person_detail", cohort_id=cohort.pk, person_id=enrolment.person_id
            )
    return render(
        request,
        "cohorts/enrolment_withdraw.html",
        {"cohort": cohort, "enrolment": enrolment, "form": form},
    )


@login_required
def person_detail(request, cohort_id, person_id):
    """A person's details, their enrolments and who changed them when."""
    cohort = selectors.get_cohort_for_user(request.user, cohort_id, roles=ADMIN_ONLY)
    person = selectors.get_person_in_cohort(cohort, person_id)
    return render(
        request,
        "cohorts/person_detail.html",
        {
            "cohort": cohort,
            "person": person,
            "enrolments": selectors.person_enrolments(person, request.user),
            "history": selectors.person_history(person, request.user),
            "attendance_summary": attendance_summary_for_cohort(cohort, people=[person]),
        },
    )


# Participant import --------------------------------------------------------------------------
# Between preview and confirm the checked rows wait in the person's session (not a staging
# table): nothing is written to the domain tables, the rows expire with the session, one
# administrator's preview cannot leak to another, and a token ties the confirm to the preview
# that was shown. The confirm checks the rows again against the cohort as it is then.


def _session_key(cohort: Cohort) -> str:
    return f"cohort_import:{cohort.pk}"


@login_required
def import_upload(request, cohort_id):
    """Upload a CSV/XLSX list and see a preview with every problem per row and column."""
    cohort = selectors.get_cohort_for_user(request.user, cohort_id, roles=ADMIN_ONLY)
    form = forms.ImportUploadForm(request.POST or None, request.FILES or None)
    preview, token = None, None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        preview = imports.read_file(upload.name, upload.read())
        if not preview.file_errors:
            imports.check_rows(preview, cohort)
        request.session.pop(_session_key(cohort), None)
        if preview.is_valid:
            token = uuid.uuid4().hex
            request.session[_session_key(cohort)] = {
                "token": token,
                "filename": upload.name,
                "rows": preview.to_session(),
            }
            form = forms.ImportUploadForm()
    return render(
        request,
        "cohorts/import_upload.html",
        {"cohort": cohort, "form": form, "preview": preview, "token": token},
    )


@login_required
@require_POST
def import_confirm(request, cohort_id):
    """Enrol every previewed row, all or nothing."""
    cohort = selectors.get_cohort_for_user(request.user, cohort_id, roles=ADMIN_ONLY)
    staged = request.session.get(_session_key(cohort))
    if not staged or staged["token"] != request.POST.get("token"):
        messages.error(request, "That preview has expired or was replaced: upload the file again.")
        return redirect("cohorts:import_upload", cohort_id=cohort.pk)
    preview = imports.ImportPreview.from_session(staged["rows"])
    try:
        enrolments = services.participants_import(
            cohort=cohort, preview=preview, acting_user=request.user
        )
    except services.ImportRejected as rejected:
        request.session.pop(_session_key(cohort), None)
        messages.error(request, "The cohort has changed since the preview; nothing was imported.")
        return render(
            request,
            "cohorts/import_upload.html",
            {"cohort": cohort, "form": forms.ImportUploadForm(), "preview": rejected.preview},
        )
    request.session.pop(_session_key(cohort), None)
    messages.success(request, f"Imported {len(enrolments)} participants into {cohort.name}.")
    return redirect("cohorts:cohort_detail", cohort_id=cohort.pk)


# Start pages ---------------------------------------------------------------------------------


def _role_home(request, role: str, template: str, link: str, **extra):
    cohorts = list(selectors.cohorts_for_role(request.user, role))
    if not cohorts:
        raise Http404
    return render(request, template, {"cohorts": cohorts, "link": link, **extra})


@login_required
def leader_home(request):
    """The clinical leader's start page: the cohorts they sponsor with their key figures, the
    latest progress report and a button to build a new one."""
    sponsored = reports.sponsor_dashboard(request.user)
    if not sponsored:
        raise Http404
    return render(request, "cohorts/leader_home.html", {"sponsored": sponsored})


@login_required
def faculty_home(request):
    """Faculty's start page: the cohorts they teach."""
    return _role_home(
        request, Enrolment.Role.FACULTY, "cohorts/faculty_home.html", "cohorts:cohort_people"
    )


@login_required
def participant_home(request):
    """A participant's start page: their cohort(s)."""
    return _role_home(
        request,
        Enrolment.Role.PARTICIPANT,
        "cohorts/participant_home.html",
        "cohorts:cohort_people",
        upcoming_sessions=upcoming_sessions_for(request.user),
    )


# Reports and certificates ----------------------------------------------------------------------
# Sponsors (administrators, clinical leaders) build and read every report of the cohort;
# participants only their own transcript and certificate. Files are served only by
# ``report_download``, after the same check.


@login_required
def report_list(request, cohort_id):
    """The cohort's reports: build one, follow it, download earlier ones."""
    cohort = selectors.get_cohort_for_user(
        request.user, cohort_id, roles=report_services.REPORT_ROLES
    )
    page = report_services.report_page(cohort, request.user)
    return render(
        request,
        "cohorts/report_list.html",
        {
            "cohort": cohort,
            "page": page,
            "is_sponsor": report_services.is_sponsor(cohort),
            "is_admin": selectors.ADMINISTRATOR in cohort.user_roles,
            "kinds": ReportRequest.Kind,
            "figures": report_exports.FIGURES,
        },
    )


@login_required
@require_POST
def report_generate(request, cohort_id):
    """Ask for a report; it is built in the background (an identical one in progress is
    reused) and its page follows the build."""
    cohort = selectors.get_cohort_for_user(
        request.user, cohort_id, roles=report_services.REPORT_ROLES
    )
    form = report_forms.ReportRequestForm(
        request.POST, participants=report_services.report_subjects(cohort)
    )
    if not form.is_valid():
        messages.error(request, "Choose a kind of report (and a participant from the list).")
        return redirect("cohorts:report_list", cohort_id=cohort.pk)
    kind, person = form.cleaned_data["kind"], form.cleaned_data["person"]
    if person is None and kind == ReportRequest.Kind.TRANSCRIPT:
        person = request.user
    if person is None and kind == ReportRequest.Kind.CERTIFICATES:
        person = None if report_services.is_sponsor(cohort) else request.user
    report_services.check_may_request(cohort, request.user, kind, person)
    try:
        report, created = report_services.report_request(
            cohort=cohort, kind=kind, person=person, acting_user=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("cohorts:report_list", cohort_id=cohort.pk)
    if created:
        messages.success(request, f"Building the {report.get_kind_display().lower()}.")
    else:
        messages.info(request, "That report is already being built: here it is.")
    return redirect("cohorts:report_detail", cohort_id=cohort.pk, report_id=report.pk)


@login_required
def report_detail(request, cohort_id, report_id):
    """One report's progress; htmx asks again every two seconds until it is ready or failed."""
    cohort, report = report_services.get_report_for_user(request.user, cohort_id, report_id)
    context = {
        "cohort": cohort,
        "report": report,
        "can_retry": report_services.can_retry(report),
    }
    if request.headers.get("HX-Request"):
        return render(request, "cohorts/report_status.html", context)
    return render(request, "cohorts/report_detail.html", context)


@login_required
@require_POST
def report_retry(request, cohort_id, report_id):
    """Build a failed report again."""
    cohort, report = report_services.get_report_for_user(request.user, cohort_id, report_id)
    report_services.check_may_request(cohort, request.user, report.kind, report.person)
    try:
        report = report_services.report_retry(report=report, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Building it again.")
    return redirect("cohorts:report_detail", cohort_id=cohort.pk, report_id=report.pk)


@login_required
def report_download(request, cohort_id, report_id):
    """The report's PDF, as an attachment that no cache keeps."""
    cohort, report = report_services.get_report_for_user(request.user, cohort_id, report_id)
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
        report.file, filename=report_services.download_name(report), content_type="application/pdf"
    )


def _figures(request, cohort_id):
    cohort = selectors.get_cohort_for_user(
        request.user, cohort_id, roles=report_services.SPONSOR_ROLES
    )
    return cohort, reports.progress_report_data(cohort)


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
    if figure not in report_exports.FIGURES:
        raise Http404("No such figure.")
    cohort, data = _figures(request, cohort_id)
    _audit_figures_export(request, cohort, figure)
    stamp = timezone.localdate().isoformat()
    return _attachment(
        report_exports.figure_csv(data, figure),
        "text/csv; charset=utf-8",
        f"{cohort.slug}-{figure}-{stamp}.csv",
    )


@login_required
def report_export_xlsx(request, cohort_id):
    """All of the report's figures as one workbook, a sheet each."""
    cohort, data = _figures(request, cohort_id)
    _audit_figures_export(request, cohort, "all (xlsx)")
    stamp = timezone.localdate().isoformat()
    return _attachment(
        report_exports.figures_xlsx(data),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"{cohort.slug}-figures-{stamp}.xlsx",
    )


@login_required
@require_POST
def certificate_revoke(request, cohort_id, certificate_id):
    """Revoke a certificate, with a reason; the verification page says so from then on."""
    cohort = selectors.get_cohort_for_user(request.user, cohort_id, roles=ADMIN_ONLY)
    certificate = report_services.get_certificate_for_administrator(cohort, certificate_id)
    form = report_forms.CertificateRevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the certificate is revoked.")
    else:
        try:
            report_services.certificate_revoke(
                certificate=certificate,
                reason=form.cleaned_data["reason"],
                acting_user=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Revoked the certificate {certificate.code}.")
    return redirect("cohorts:report_list", cohort_id=cohort.pk)


def certificate_verify(request):
    """Public: is a certificate code genuine? Says valid or revoked, with only the name and
    programme printed on it; an unknown code says just that."""
    form = report_forms.CertificateVerifyForm(request.GET or None)
    certificate, checked = None, False
    if form.is_valid():
        checked = True
        certificate = report_services.certificate_for_code(form.cleaned_data["code"])
    response = render(
        request,
        "cohorts/report_certificate_verify.html",
        {"form": form, "certificate": certificate, "checked": checked},
    )
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
def my_documents(request):
    """A participant's way to their transcript and certificate: the report page of their
    newest cohort."""
    cohort = selectors.cohorts_for_role(request.user, Enrolment.Role.PARTICIPANT).first()
    if cohort is None:
        raise Http404
    return redirect("cohorts:report_list", cohort_id=cohort.pk)
