"""Pages for programmes, cohorts and people. Each view: access → form → service → redirect."""

import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from leadership import notifications
from leadership.downloads import download_filename
from leadership.forms import NotificationFilterForm, add_service_errors
from leadership.keyset import Cursor
from leadership.links import link
from leadership.models import Notification
from leadership.selectors import NOTIFICATION_PAGE_SIZE, notifications_for_cohort
from leadership.services import audit_record

from . import bulk, exports, forms, imports, sections, selectors, services
from .models import Cohort, Enrolment
from .shortcuts import render

ADMIN_ONLY = frozenset({selectors.ADMINISTRATOR})


def _require_administrator(request) -> None:
    if not selectors.roles_for_user(request.user).is_admin:
        raise Http404


# Programmes ----------------------------------------------------------------------------------


@login_required
def programme_list(request):
    """The programmes the administrator runs."""
    _require_administrator(request)
    programmes = list(selectors.programmes_administered_by(request.user))
    return render(request, "cohorts/programme_list.html", {"programmes": programmes})


@login_required
def programme_create(request):
    """A new programme from blank: its details here, then its module sequence on its edit
    page (``modules:programme_edit``). Copying an existing one is on the programme's page."""
    _require_administrator(request)
    form = forms.ProgrammeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.programme_create(
                fields=form.cleaned_data, acting_user=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Created {programme.name}. Add its modules below.")
            return redirect("modules:programme_edit", programme_id=programme.pk)
    return render(request, "cohorts/programme_create.html", {"form": form})


@login_required
def programme_detail(request, programme_id):
    """A programme as a template: its module sequence, phases, completion rule and cohorts."""
    programme = selectors.with_sequence_and_cohorts(
        selectors.get_programme_for_user(request.user, programme_id)
    )
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
    cohort, access = selectors.get_cohort_for_user(
        request.user, cohort_id, roles=selectors.COHORT_PAGE_ROLES
    )
    overview = selectors.cohort_overview(cohort)
    return render(
        request,
        "cohorts/cohort_detail.html",
        {
            "cohort": cohort,
            "overview": overview,
            "can_manage": access.is_admin,
            "next_statuses": services.cohort_next_statuses(
                cohort, sessions_to_come=overview.sessions_to_come
            ),
            # The cards of the apps built on this one (``reports.cards``), their data computed
            # here: each drawn in the page or a placeholder that loads it.
            "cohort_sections": sections.cohort_sections(cohort, access),
            # One reverse for every person's link (each row appends its person's id): a
            # ``{% url %}`` per row was a tenth of the page's time with 50 people.
            "person_url": link("reports:person_detail", cohort.pk, 0).removesuffix("0/"),
        },
    )


@login_required
def cohort_edit(request, cohort_id):
    """Edit a cohort's details. Two administrators editing at once: the second save is refused
    with what changed, and the form keeps their input to check and save again."""
    cohort, _access = selectors.get_cohort_for_user(request.user, cohort_id, roles=ADMIN_ONLY)
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
    cohort, _access = selectors.get_cohort_for_user(request.user, cohort_id, roles=ADMIN_ONLY)
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
    """Who is in the cohort: names, roles, professions. Every member may read it; no e-mails.
    Administrators also filter it, page through it, and select people (on the page, or all
    matching the filter) for a bulk action (``cohorts.bulk``)."""
    cohort, access = selectors.get_cohort_for_user(
        request.user, cohort_id, roles=selectors.PEOPLE_LIST_ROLES
    )
    if not access.is_admin:
        people = selectors.cohort_people(cohort)
        return render(request, "cohorts/cohort_people.html", {"cohort": cohort, "people": people})
    filters = selectors.PeopleFilters.from_query(request.GET)
    page = Paginator(selectors.people_matching(cohort, filters), selectors.PEOPLE_PAGE_SIZE)
    people_page = page.get_page(request.GET.get("page"))
    return render(
        request,
        "cohorts/cohort_people.html",
        {
            "cohort": cohort,
            "people": people_page.object_list,
            "page": people_page,
            "filters": filters,
            "filter_query": urlencode(filters.as_query()),
            "roles": Enrolment.Role.choices,
            "statuses": selectors.PeopleFilters.STATUSES,
            "bulk_actions": bulk.actions(),
        },
    )


def _bulk_preview(request, cohort, action, enrolments, form, status=200) -> HttpResponse:
    chosen, skipped_reason = action.eligible(enrolments)
    chosen_ids = {e.pk for e in chosen}
    skipped = [e for e in enrolments if e.pk not in chosen_ids]
    return render(
        request,
        "cohorts/people_bulk.html",
        {
            "cohort": cohort,
            "action": action,
            "form": form,
            "selected": enrolments,
            "chosen": chosen[: bulk.NAMES_SHOWN],
            "chosen_count": len(chosen),
            "more_names": max(len(chosen) - bulk.NAMES_SHOWN, 0),
            "skipped": skipped,
            "skipped_reason": skipped_reason,
        },
        status=status,
    )


@login_required
def people_bulk(request, cohort_id):
    """A bulk action on the people chosen on the people list. GET: the preview, with how many
    it applies to and their names, the action's own questions (a date and reason, a course,
    a message) and a confirm button; "all matching the filter" is resolved here, on the server,
    to the people it matches now, and the preview carries exactly those. POST: run it in one
    transaction (``bulk.run_bulk_action``), audited once per person, then back to the list with
    what was done (or the file, for an export)."""
    cohort, _access = selectors.get_cohort_for_user(request.user, cohort_id, roles=ADMIN_ONLY)
    query = request.POST if request.method == "POST" else request.GET
    action = bulk.get_action(query.get("action", ""))
    back = redirect("cohorts:cohort_people", cohort_id=cohort.pk)
    if action is None:
        messages.error(request, "Choose what to do with the people you selected.")
        return back
    everyone = request.method == "GET" and query.get("all") == "1"
    enrolments = selectors.people_selected(
        cohort,
        enrolment_ids=query.getlist("enrolment"),
        filters=selectors.PeopleFilters.from_query(query) if everyone else None,
    )
    if not enrolments:
        messages.error(request, "Select at least one person first.")
        return back
    if request.method == "GET":
        return _bulk_preview(request, cohort, action, enrolments, action.form_class(cohort=cohort))
    form = action.form_class(request.POST, cohort=cohort)
    if form.is_valid():
        try:
            done = bulk.run_bulk_action(
                action=action,
                cohort=cohort,
                enrolment_ids=[e.pk for e in enrolments],
                data=form.cleaned_data,
                acting_user=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if done.download is not None:
                stem, kind, content = done.download
                return _download(cohort, stem, kind, content)
            messages.success(request, done.message)
            return back
    return _bulk_preview(request, cohort, action, enrolments, form, status=400)


def _export(request, cohort_id, kind: str) -> HttpResponse:
    cohort, _access = selectors.get_cohort_for_user(request.user, cohort_id, roles=ADMIN_ONLY)
    rows = selectors.cohort_export_rows(cohort)
    # Who took a copy of people's details out of the product, and when.
    audit_record(
        actor=request.user,
        action="cohort.people_export",
        target=cohort,
        cohort_id=cohort.pk,
        changes={"format": kind, "rows": len(rows)},
    )
    content = (
        exports.people_csv(rows) if kind == "csv" else exports.people_xlsx(rows, title=cohort.name)
    )
    return _download(cohort, "people", kind, content)


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _download(cohort: Cohort, what: str, kind: str, content: bytes) -> HttpResponse:
    """A people file named from the cohort's current names and today's date."""
    response = HttpResponse(content, content_type=CONTENT_TYPES[kind])
    name = download_filename(cohort.download_stem, what, timezone.localdate().isoformat(), ext=kind)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
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
    cohort, _access = selectors.get_cohort_for_user(request.user, cohort_id, roles=ADMIN_ONLY)
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
    cohort, _access = selectors.get_cohort_for_user(request.user, cohort_id, roles=ADMIN_ONLY)
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
                "reports:person_detail", cohort_id=cohort.pk, person_id=enrolment.person_id
            )
    return render(
        request,
        "cohorts/enrolment_withdraw.html",
        {"cohort": cohort, "enrolment": enrolment, "form": form},
    )


# Invitations ---------------------------------------------------------------------------------


@login_required
def invitation_list(request, cohort_id):
    """Who has not accepted their invitation yet (no password set), when they were last
    invited, and a resend button for each and for everyone."""
    cohort, _access = selectors.get_cohort_for_user(request.user, cohort_id, roles=ADMIN_ONLY)
    return render(
        request,
        "cohorts/invitation_list.html",
        {"cohort": cohort, "pending": selectors.invitations_pending(cohort)},
    )


def _resent(request, cohort: Cohort, people: list, asked: int) -> HttpResponse:
    sent = services.invitations_resend(cohort=cohort, people=people, acting_user=request.user)
    if sent:
        messages.success(request, f"Sent {sent} new invitation{'' if sent == 1 else 's'}.")
    if sent < asked:
        messages.info(
            request,
            f"{asked - sent} already had a new invitation today, or have set their password "
            "since: nothing more was sent to them.",
        )
    return redirect("cohorts:invitation_list", cohort_id=cohort.pk)


@login_required
@require_POST
def invitation_resend(request, cohort_id, person_id):
    """Send one person a new invitation (at most one a day)."""
    cohort, _access = selectors.get_cohort_for_user(request.user, cohort_id, roles=ADMIN_ONLY)
    person = selectors.get_person_in_cohort(cohort, person_id)
    return _resent(request, cohort, [person], 1)


@login_required
@require_POST
def invitation_resend_all(request, cohort_id):
    """Send everyone who has not accepted a new invitation (at most one each a day)."""
    cohort, _access = selectors.get_cohort_for_user(request.user, cohort_id, roles=ADMIN_ONLY)
    people = [row.person for row in selectors.invitations_pending(cohort)]
    return _resent(request, cohort, people, len(people))


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
    cohort, _access = selectors.get_cohort_for_user(request.user, cohort_id, roles=ADMIN_ONLY)
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
    cohort, access = selectors.get_cohort_for_user(request.user, cohort_id, roles=ADMIN_ONLY)
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
    done = imports.imported_text([e.role for e in enrolments])
    messages.success(request, f"Imported {done} into {cohort.name}.")
    return redirect("cohorts:cohort_detail", cohort_id=cohort.pk)


# E-mails of a cohort ---------------------------------------------------------------------------
# The notifications outbox is leadership's; these pages are here because they need a cohort's
# access rules.


@login_required
def notification_log(request, cohort_id: int):
    """Administrators see every e-mail of a cohort, 50 a page ("Newer", "Older"), filtered by
    kind, status and person."""
    cohort, _access = selectors.get_cohort_for_user(request.user, cohort_id, roles=ADMIN_ONLY)
    filtering = {
        key: value
        for key, value in request.GET.items()
        if key in NotificationFilterForm.base_fields
    }
    filters = NotificationFilterForm(filtering or None)
    page = notifications_for_cohort(
        cohort, filters.cleaned() if filters.is_valid() else {}, Cursor.from_query(request.GET)
    )
    return render(
        request,
        "cohorts/notification_log.html",
        {"cohort": cohort, "filters": filters, "page": page, "page_size": NOTIFICATION_PAGE_SIZE},
    )


@login_required
@require_POST
def notification_retry(request, pk: int):
    """Send a failed notification again."""
    row = get_object_or_404(Notification, pk=pk, cohort_id__isnull=False)
    cohort, _access = selectors.get_cohort_for_user(request.user, row.cohort_id, roles=ADMIN_ONLY)
    notifications.notification_retry(notification=row, acting_user=request.user)
    messages.success(request, f"Sending again to {row.recipient}.")
    return redirect("notification_log", cohort_id=cohort.pk)
