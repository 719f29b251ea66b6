"""Schedule, session, register and calendar pages. Each view: access → form → service →
redirect. Access follows design.md: anyone in a cohort sees its schedule; faculty and
administrators take registers; administrators change the schedule; participants send
apologies and sign up."""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from cohorts import selectors as cohort_selectors
from cohorts.forms import ProgrammeForm
from cohorts.models import Enrolment
from cohorts.selectors import ADMINISTRATOR, COHORT_PAGE_ROLES, get_cohort_for_user
from leadership.downloads import download_filename
from leadership.forms import add_service_errors
from leadership.notifications import absolute_url
from leadership.services import audit_record

from . import calendars, exports, selectors, services
from .forms import (
    ApologyForm,
    AttendanceRegisterForm,
    ModuleForm,
    ModuleMoveForm,
    ScheduleGenerateForm,
    SessionForm,
    module_template_formset,
)
from .models import Attendance

PARTICIPANT = Enrolment.Role.PARTICIPANT
TAKES_REGISTER = {ADMINISTRATOR, Enrolment.Role.FACULTY}
READS_ATTENDANCE = {ADMINISTRATOR, Enrolment.Role.FACULTY, Enrolment.Role.CLINICAL_LEADER}


def _posted(request):
    """The submitted data for a POST (even an empty one), None for a GET."""
    return request.POST if request.method == "POST" else None


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _schedule_url(cohort_id: int) -> str:
    return reverse("modules:cohort_schedule", args=[cohort_id])


def _session_url(session) -> str:
    return reverse("modules:session_detail", args=[session.pk])


@login_required
def cohort_schedule(request, cohort_id):
    """The cohort's modules and sessions; administrators also see clashes and the tools."""
    cohort, access = get_cohort_for_user(request.user, cohort_id)
    modules = selectors.cohort_schedule(cohort, viewer=request.user)
    is_admin = access.is_admin
    clashes = []
    if is_admin:
        sessions = [s for m in modules for s in m.session_list]
        clashes = selectors.schedule_clashes(cohort, sessions)
    return render(
        request,
        "modules/cohort_schedule.html",
        {
            "cohort": cohort,
            "modules": modules,
            "milestones": list(cohort.milestones.all()),
            "clashes": clashes,
            "is_admin": is_admin,
            # Faculty and participants have no cohort page: the breadcrumb names the cohort
            # without linking to a page that would refuse them.
            "opens_cohort_page": access.holds_any(COHORT_PAGE_ROLES),
            "is_participant": access.is_participant,
            "takes_register": access.holds_any(TAKES_REGISTER),
            "reads_attendance": access.holds_any(READS_ATTENDANCE),
            "generate_form": ScheduleGenerateForm(),
        },
    )


# --- Setting up: a programme's module sequence, and new cohorts with their schedule ---------


def _render_with_roles(request, template: str, context: dict) -> HttpResponse:
    """Render, having asked for the person's roles first: the navigation needs them, and asking
    here keeps every query out of the template (the answer is remembered for the request)."""
    cohort_selectors.roles_for_user(request.user)
    return render(request, template, context)


@login_required
@require_POST
def programme_copy(request, programme_id):
    """Duplicate a programme with its module templates, then edit the copy."""
    programme = cohort_selectors.get_programme_for_user(request.user, programme_id)
    copy = services.programme_copy_with_modules(programme=programme, acting_user=request.user)
    messages.success(request, f"Copied {programme.name}. Edit the copy below.")
    return redirect("modules:programme_edit", programme_id=copy.pk)


@login_required
def programme_edit(request, programme_id):
    """Edit a programme and its module sequence in one form; saved in one transaction."""
    programme = cohort_selectors.get_programme_for_user(request.user, programme_id)
    data = _posted(request)
    # A copy: validating writes the typed values onto the instance, and then the service would
    # see no change to audit (and an invalid form would rename the page's programme).
    form = ProgrammeForm(data, instance=copy.copy(programme), prefix="programme")
    formset = module_template_formset(data, programme=programme)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        kept = [f for f in formset.forms if f.has_changed() or f.instance.pk]
        try:
            services.programme_update_with_modules(
                programme=programme,
                acting_user=request.user,
                fields=form.cleaned_data,
                module_templates=[
                    {**f.cleaned_data, "id": f.instance.pk}
                    for f in kept
                    if not f.cleaned_data.get("DELETE")
                ],
                deleted_template_ids=[
                    f.instance.pk for f in kept if f.cleaned_data.get("DELETE") and f.instance.pk
                ],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Saved {programme.name}.")
            return redirect("cohorts:programme_detail", programme_id=programme.pk)
    return _render_with_roles(
        request,
        "modules/programme_edit.html",
        {"programme": programme, "form": form, "formset": formset},
    )


@login_required
@require_POST
def schedule_generate(request, cohort_id):
    """Lay out the cohort's schedule from its programme (administrators)."""
    cohort, _access = get_cohort_for_user(request.user, cohort_id, roles={ADMINISTRATOR})
    form = ScheduleGenerateForm(request.POST)
    form.is_valid()
    try:
        result = services.schedule_generate(
            cohort=cohort,
            acting_user=request.user,
            replace=form.cleaned_data.get("replace", False),
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            f"Scheduled {_count(len(result.modules), 'module')} "
            f"({_count(result.sessions, 'session')})."
            + (
                f" Replaced {result.replaced} modules that had not happened."
                if result.replaced
                else ""
            ),
        )
        for note in result.notes:
            messages.info(request, note)
    return redirect(_schedule_url(cohort.pk))


@login_required
def module_move(request, module_id):
    """Move a module (and optionally every later one) to a new first day (administrators)."""
    module, _access = selectors.get_module_for_user(request.user, module_id, roles={ADMINISTRATOR})
    form = ModuleMoveForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            warnings = services.module_move(
                module=module, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Moved {module.title}.")
            for warning in warnings:
                messages.warning(request, warning)
            return redirect(_schedule_url(module.cohort_id))
    return render(request, "modules/module_move.html", {"module": module, "form": form})


@login_required
def module_edit(request, module_id):
    """Change a module's title, theme, description, venue and facilitators (administrators)."""
    module, _access = selectors.get_module_for_user(request.user, module_id, roles={ADMINISTRATOR})
    initial = {
        "title": module.title,
        "theme": module.theme,
        "description": module.description,
        "venue_name": module.venue_name,
        "venue_address": module.venue_address,
        "facilitators": list(module.facilitators.all()),
    }
    form = ModuleForm(
        _posted(request),
        initial=initial,
        facilitators=selectors.possible_facilitators(module.cohort),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.module_update(module=module, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Saved {form.cleaned_data['title']}.")
            return redirect(_schedule_url(module.cohort_id))
    return render(request, "modules/module_edit.html", {"module": module, "form": form})


@login_required
def session_detail(request, session_id):
    """One session: when, where, what to prepare, who is expected; the participant's own
    apologies or sign-up; links to the register, edit and .ics download."""
    session, access = selectors.get_session_for_user(request.user, session_id)
    annotated = selectors.cohort_session(session, viewer=request.user)
    takes_register = access.holds_any(TAKES_REGISTER)
    return render(
        request,
        "modules/session_detail.html",
        {
            "session": annotated,
            "cohort": session.module.cohort,
            "is_admin": access.is_admin,
            "is_participant": access.is_participant,
            "takes_register": takes_register,
            "apologies": selectors.session_apologies(session) if takes_register else [],
        },
    )


@login_required
def session_edit(request, session_id):
    """Move a session, change its details, or cancel it (administrators)."""
    session, _access = selectors.get_session_for_user(
        request.user, session_id, roles={ADMINISTRATOR}
    )
    cohort = session.module.cohort
    tz = cohort.tzinfo
    initial = {
        "day": session.starts_at.astimezone(tz).date(),
        "start_time": session.starts_at.astimezone(tz).time(),
        "end_time": session.ends_at.astimezone(tz).time(),
        "title": session.title,
        "venue_name": session.venue_name,
        "venue_address": session.venue_address,
        "facilitator": session.facilitator,
        "what_to_prepare": session.what_to_prepare,
        "seat_limit": session.seat_limit,
        "status": session.status,
    }
    form = SessionForm(
        _posted(request),
        initial=initial,
        facilitators=selectors.possible_facilitators(cohort),
    )
    if request.method == "POST" and form.is_valid():
        try:
            warnings = services.session_update(
                session=session, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Session saved.")
            for warning in warnings:
                messages.warning(request, warning)
            return redirect(_session_url(session))
    return render(
        request, "modules/session_edit.html", {"session": session, "cohort": cohort, "form": form}
    )


def _marked_present(data, rows) -> tuple[object, int]:
    """A copy of the posted register with everyone not yet marked set to present, and how
    many that was: the page shows it to check before it is saved."""
    data = data.copy()
    filled = 0
    for person, _row in rows:
        if not data.get(f"status_{person.pk}"):
            data[f"status_{person.pk}"] = Attendance.Status.PRESENT
            filled += 1
    return data, filled


@login_required
def attendance_register(request, session_id):
    """Take the register: one tap per person, the whole register saved in one request. A
    cancelled session, or one whose day has not come, has no register: the page says so
    before anyone marks anything. "Mark everyone not yet marked as present" fills the rest in
    and shows the register again to check; nothing is saved until "Save register"."""
    session, _access = selectors.get_session_for_user(
        request.user, session_id, roles=TAKES_REGISTER, with_facilitator=False
    )
    context = {"session": session, "cohort": session.module.cohort}
    closed = services.register_closed_reason(session)
    if closed:
        return render(request, "modules/attendance_register.html", {**context, "closed": closed})
    rows = selectors.register_rows(session)
    data = _posted(request)
    if data is not None and data.get("action") == "mark_present":
        data, filled = _marked_present(data, rows)
        form = AttendanceRegisterForm(data, rows=rows)
        form.is_valid()
        if filled:
            messages.info(
                request,
                f"Marked {filled} {'person' if filled == 1 else 'people'} as present. "
                "Check the register, then save it.",
            )
        else:
            messages.info(request, "Everyone is already marked.")
        return render(request, "modules/attendance_register.html", {**context, "form": form})
    form = AttendanceRegisterForm(data, rows=rows)
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.attendance_register_save(
                session=session, entries=form.entries(), acting_user=request.user
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Register saved ({changed} changed).")
            return redirect(_session_url(session))
    return render(request, "modules/attendance_register.html", {**context, "form": form})


@login_required
def apology_send(request, session_id):
    """A participant sends apologies ahead of a session, with a reason."""
    session, _access = selectors.get_session_for_user(request.user, session_id, roles={PARTICIPANT})
    form = ApologyForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.apology_send(
                session=session,
                person=request.user,
                reason=form.cleaned_data["reason"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Your apologies have been sent.")
            return redirect(_session_url(session))
    return render(
        request,
        "modules/apology_form.html",
        {"session": session, "cohort": session.module.cohort, "form": form},
    )


def _participant_action(request, session_id, action, success: str):
    session, _access = selectors.get_session_for_user(request.user, session_id, roles={PARTICIPANT})
    try:
        action(session=session, person=request.user, acting_user=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, success)
    return redirect(_session_url(session))


@login_required
@require_POST
def apology_withdraw(request, session_id):
    return _participant_action(
        request, session_id, services.apology_withdraw, "Your apologies are withdrawn."
    )


@login_required
@require_POST
def signup_create(request, session_id):
    return _participant_action(
        request, session_id, services.short_course_signup, "You have a seat on this course."
    )


@login_required
@require_POST
def signup_cancel(request, session_id):
    return _participant_action(
        request, session_id, services.short_course_signup_cancel, "You have given up your seat."
    )


def _ics_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def session_ics(request, session_id):
    """The one session as an .ics file to add to a calendar."""
    session, _access = selectors.get_session_for_user(request.user, session_id)
    body = calendars.calendar_for([session], name=session.module.title)
    start = timezone.localtime(session.starts_at, session.module.cohort.tzinfo).date()
    name = download_filename(session.title or session.module.title, start.isoformat(), ext="ics")
    return _ics_response(body, name)


def calendar_feed(request, token):
    """A person's calendar subscription. No login: the unguessable token is the credential;
    unknown or revoked tokens get 404."""
    feed = selectors.live_feed_for_token(token)
    body = calendars.calendar_for(
        selectors.calendar_sessions_for(feed.person), name="Leadership programme"
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def my_schedule(request):
    """The person's own sessions, with apologies, sign-ups and their calendar link."""
    feed = selectors.live_feed_for_person(request.user)
    # From SITE_URL, as links in e-mails are: the address outlives the request's Host.
    feed_url = absolute_url(reverse("modules:calendar_feed", args=[feed.token])) if feed else None
    return render(
        request,
        "modules/my_schedule.html",
        {
            "sessions": selectors.my_schedule(request.user),
            "attendance": selectors.attendance_for_person(request.user),
            "feed_url": feed_url,
        },
    )


@login_required
@require_POST
def calendar_feed_create(request):
    services.calendar_feed_create(person=request.user, acting_user=request.user)
    messages.success(request, "Your calendar link is ready; any older link has stopped working.")
    return redirect("modules:my_schedule")


@login_required
@require_POST
def calendar_feed_revoke(request):
    services.calendar_feed_revoke(person=request.user, acting_user=request.user)
    messages.success(request, "Your calendar link has stopped working.")
    return redirect("modules:my_schedule")


@login_required
def cohort_attendance(request, cohort_id):
    """Each participant's attendance rate against the programme's rule, and the registers not
    taken (left out of the rates), with a link to each for those who take registers."""
    cohort, access = get_cohort_for_user(request.user, cohort_id, roles=READS_ATTENDANCE)
    return render(
        request,
        "modules/cohort_attendance.html",
        {
            "cohort": cohort,
            "attendance": selectors.cohort_attendance(cohort),
            "takes_register": access.holds_any(TAKES_REGISTER),
        },
    )


@login_required
def attendance_export(request, cohort_id, fmt):
    """The cohort's attendance, one row per session and person, as CSV or XLSX."""
    if fmt not in ("csv", "xlsx"):
        raise Http404
    cohort, _access = get_cohort_for_user(request.user, cohort_id, roles=READS_ATTENDANCE)
    rows = selectors.attendance_export_rows(cohort)
    audit_record(
        actor=request.user,
        action="attendance.export",
        target=cohort,
        cohort_id=cohort.pk,
        changes={"format": fmt, "rows": len(rows)},
    )
    filename = download_filename("attendance", cohort.download_stem, ext=fmt)
    if fmt == "csv":
        return exports.csv_response(selectors.EXPORT_HEADER, rows, filename)
    return exports.xlsx_response(selectors.EXPORT_HEADER, rows, filename, title=cohort.name)


@login_required
def programme_attendance(request, programme_id):
    """Attendance across a programme's cohorts, cohort vs cohort and module vs module."""
    programme = cohort_selectors.get_programme_for_user(request.user, programme_id)
    return render(
        request,
        "modules/programme_attendance.html",
        {"programme": programme, **selectors.programme_attendance_comparison(programme)},
    )
