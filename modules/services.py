"""Writes for the schedule, attendance, short-course sign-ups and calendar feeds.

Every function runs in one transaction (nothing half-moved or half-saved), validates before it
writes, and records an audit event naming ``acting_user``. Any change to a session's time,
place or status bumps ``Session.sequence`` so calendar clients update the event they hold.
"""

import datetime
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from cohorts import services as cohort_services
from cohorts.models import Cohort, Enrolment, Programme
from cohorts.programme_models import install_with
from leadership.models import User
from leadership.services import audit_record

from . import reminders, selectors
from .models import (
    Attendance,
    CalendarFeed,
    CloseDown,
    Milestone,
    MilestoneTemplate,
    Module,
    ModuleTemplate,
    Session,
    ShortCourseSignup,
)
from .workdays import Closure, closures_for, day_plan, first_working_run, non_working_reason

# Seats on a generated short course until an administrator says otherwise.
SHORT_COURSE_DEFAULT_SEATS = 20


def _fmt(day: datetime.date) -> str:
    return f"{day:%a %-d %b %Y}"


def _at(day: datetime.date, time: datetime.time, tz) -> datetime.datetime:
    """``day`` at wall-clock ``time`` in ``tz`` (so 09:00 stays 09:00 across daylight saving)."""
    return datetime.datetime.combine(day, time, tzinfo=tz)


# --- A programme's module sequence --------------------------------------------------------

MODULE_TEMPLATE_FIELDS = ("title", "theme", "kind", "length_half_days", "offset_weeks", "phase")
MILESTONE_TEMPLATE_FIELDS = ("name", "kind", "description", "offset_days")


@transaction.atomic
def programme_copy_with_modules(*, programme: Programme, acting_user: User) -> Programme:
    """Duplicate ``programme`` (``cohorts.services.programme_copy``: named "<name> (copy)",
    administered by the person copying it, audited as ``programme.copy``) with its module
    templates."""
    copy = cohort_services.programme_copy(programme=programme, acting_user=acting_user)
    copies = ModuleTemplate.objects.bulk_create(
        ModuleTemplate(
            programme=copy,
            position=template.position,
            description=template.description,
            seat_limit=template.seat_limit,
            **{field: getattr(template, field) for field in MODULE_TEMPLATE_FIELDS},
        )
        for template in programme.module_templates.order_by("position")
    )
    by_position = {template.position: template for template in copies}
    MilestoneTemplate.objects.bulk_create(
        MilestoneTemplate(
            programme=copy,
            module_template=(
                by_position[milestone.module_template.position]
                if milestone.module_template
                else None
            ),
            **{field: getattr(milestone, field) for field in MILESTONE_TEMPLATE_FIELDS},
        )
        for milestone in programme.milestone_templates.select_related("module_template")
    )
    return copy


@transaction.atomic
def programme_update_with_modules(
    *,
    programme: Programme,
    acting_user: User,
    fields: dict,
    module_templates: Sequence[dict],
    deleted_template_ids: Iterable[int] = (),
) -> Programme:
    """Change a programme's own fields and its module sequence in one transaction, audited as
    one ``programme.update`` event.

    ``module_templates`` is the new sequence in order: each dict has the template fields and
    ``id`` (an existing template of this programme, or None for a new one). Positions are
    renumbered 1..n in that order. ``deleted_template_ids`` are removed (scheduled modules made
    from them keep their own copy of the details)."""
    templates = ModuleTemplate.objects.filter(programme=programme)
    templates.filter(pk__in=list(deleted_template_ids)).delete()
    existing: dict[int | None, ModuleTemplate] = {t.pk: t for t in templates}
    # Move every remaining template out of the way first: positions are unique per programme,
    # and a reorder would otherwise collide half-way through.
    templates.update(position=F("position") + 1000)
    for position, row in enumerate(module_templates, start=1):
        template = existing.get(row.get("id")) or ModuleTemplate(programme=programme)
        template.position = position
        for name in MODULE_TEMPLATE_FIELDS:
            setattr(template, name, row[name])
        template.full_clean(validate_unique=False)
        template.save()
    return cohort_services.programme_update(
        programme=programme,
        acting_user=acting_user,
        fields=fields,
        also_changed={"modules": [len(existing), len(module_templates)]},
    )


@transaction.atomic
def programme_models_install() -> list[Programme]:
    """Create the shipped programme models (``cohorts/programme_models.py``) that do not exist
    yet, matched by slug, with their module sequences."""
    return install_with(Programme, ModuleTemplate)


# --- Milestones and close-downs -------------------------------------------------------------


@transaction.atomic
def milestone_template_save(
    *,
    programme: Programme,
    acting_user: User,
    name: str,
    kind: str,
    description: str = "",
    module_template: ModuleTemplate | None = None,
    offset_days: int = 0,
    template: MilestoneTemplate | None = None,
) -> MilestoneTemplate:
    """Create (``template`` None) or change a milestone of ``programme``'s blueprint. Cohorts
    made earlier keep their milestones until an administrator applies the change to them.
    Audited as ``milestone_template.save``."""
    template = template or MilestoneTemplate(programme=programme)
    if module_template is not None and module_template.programme_id != programme.pk:
        raise ValidationError({"module_template": "Choose a module of this programme."})
    template.name = name
    template.kind = kind
    template.description = description
    template.module_template = module_template
    template.offset_days = offset_days
    template.full_clean()
    template.save()
    audit_record(
        actor=acting_user,
        action="milestone_template.save",
        target=programme,
        changes={"name": name, "kind": kind, "offset_days": offset_days},
    )
    return template


@transaction.atomic
def close_down_create(
    *,
    programme: Programme,
    acting_user: User,
    name: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    every_year: bool = False,
) -> CloseDown:
    """Add a close-down period to ``programme``: sessions and milestones scheduled from now on
    avoid it (existing schedules are not moved). Audited as ``close_down.create``."""
    close_down = CloseDown(
        programme=programme,
        name=name,
        starts_on=starts_on,
        ends_on=ends_on,
        every_year=every_year,
    )
    close_down.full_clean()
    close_down.save()
    audit_record(
        actor=acting_user,
        action="close_down.create",
        target=programme,
        changes={"name": name, "from": starts_on.isoformat(), "to": ends_on.isoformat()},
    )
    return close_down


@transaction.atomic
def close_down_delete(*, close_down: CloseDown, acting_user: User) -> None:
    """Remove a programme's close-down period. Audited as ``close_down.delete``."""
    programme = close_down.programme
    audit_record(
        actor=acting_user,
        action="close_down.delete",
        target=programme or close_down,
        changes={"name": close_down.name},
    )
    close_down.delete()


def working_day_on_or_after(
    cohort: Cohort, wanted: datetime.date, closed: Sequence[Closure]
) -> tuple[datetime.date, str]:
    """The first working day of ``cohort`` on or after ``wanted`` and, when it is not
    ``wanted``, the note saying why (the same words as a module's ``schedule_note``)."""
    day, skipped = first_working_run(cohort.holiday_region, wanted, 1, closed)
    if day == wanted:
        return day, ""
    return day, f"Moved from {_fmt(wanted)} to {_fmt(day)} to avoid {'; '.join(skipped)}."


def milestone_date(
    cohort: Cohort,
    template: MilestoneTemplate,
    module_starts: dict[int, datetime.date],
    closed: Sequence[Closure],
) -> tuple[datetime.date, str]:
    """Where ``template`` falls in ``cohort``: ``offset_days`` after its module's first day
    (``module_starts`` maps module template id → first day) or after the cohort's start."""
    base = module_starts.get(template.module_template_id or 0, cohort.starts_on)
    return working_day_on_or_after(
        cohort, base + datetime.timedelta(days=template.offset_days), closed
    )


def module_first_days(cohort: Cohort) -> dict[int, datetime.date]:
    """Module template id → the first day (cohort time) of the cohort's module made from it."""
    firsts: dict[int, datetime.date] = {}
    sessions = (
        Session.objects.filter(module__cohort=cohort, module__template__isnull=False)
        .order_by("starts_at")
        .values_list("module__template_id", "starts_at")
    )
    for template_id, starts_at in sessions:
        firsts.setdefault(template_id, starts_at.astimezone(cohort.tzinfo).date())
    return firsts


@transaction.atomic
def milestones_generate(
    *, cohort: Cohort, acting_user: User | None, only: Iterable[int] | None = None
) -> list[Milestone]:
    """Give ``cohort`` a milestone for each of its programme's milestone templates (``only``:
    those template ids) that it does not have yet, dated by ``milestone_date`` on a working
    day outside holidays and close-downs. Audited as ``milestones.generate``."""
    templates = cohort.programme.milestone_templates.exclude(milestones__cohort=cohort)
    if only is not None:
        templates = templates.filter(pk__in=list(only))
    closed = closures_for(cohort)
    starts = module_first_days(cohort)
    modules_by_template = {m.template_id: m for m in cohort.modules.filter(template__isnull=False)}
    created = []
    for template in templates:
        due_on, note = milestone_date(cohort, template, starts, closed)
        milestone = Milestone(
            cohort=cohort,
            template=template,
            module=modules_by_template.get(template.module_template_id),
            name=template.name,
            kind=template.kind,
            description=template.description,
            due_on=due_on,
            schedule_note=note[:500],
        )
        milestone.full_clean()
        milestone.save()
        created.append(milestone)
    if created:
        audit_record(
            actor=acting_user,
            action="milestones.generate",
            target=cohort,
            cohort_id=cohort.pk,
            changes={"milestones": [m.name for m in created]},
        )
    return created


# --- Generating a schedule ---------------------------------------------------------------


@dataclass(frozen=True)
class ScheduleResult:
    modules: list[Module]
    sessions: int
    replaced: int
    notes: list[str]


def _kept_module_ids(cohort: Cohort) -> set[int]:
    """Modules a regeneration must not touch: any session started, any attendance recorded
    (apologies included) or any sign-up taken."""
    return set(
        Module.objects.filter(cohort=cohort)
        .filter(
            Q(sessions__starts_at__lte=timezone.now())
            | Q(sessions__attendances__isnull=False)
            | Q(sessions__signups__isnull=False)
        )
        .values_list("pk", flat=True)
        .distinct()
    )


@transaction.atomic
def schedule_generate(
    *, cohort: Cohort, acting_user: User | None, replace: bool = False
) -> ScheduleResult:
    """Lay out ``cohort``'s modules and sessions from its programme's module templates.

    Each module falls ``offset_weeks`` after the cohort's start, in the cohort's time zone:
    a full day (09:00–17:00) per two half-days and a morning (09:00–12:30) for an odd one, on
    consecutive working days. Weekends and the public holidays of the cohort's holiday region
    are skipped, and a multi-day module is never split by one: it moves to the next run of
    working days and ``Module.schedule_note`` says why.

    A cohort that already has a schedule is refused unless ``replace`` is true; then the part
    that has not happened (no session started, no attendance or sign-up) is deleted and laid
    out again, and the rest is kept. The cohort row is locked so two requests cannot both
    generate. Audited as ``schedule.generate``."""
    cohort = Cohort.objects.select_for_update().select_related("programme").get(pk=cohort.pk)
    existing = list(cohort.modules.all())
    if existing and not replace:
        raise ValidationError(
            f"{cohort.name} already has a schedule ({len(existing)} modules). To lay it out "
            "again, choose to replace the part that has not happened yet; past sessions and "
            "anything with attendance or sign-ups are kept."
        )
    templates = list(cohort.programme.module_templates.all())
    if not templates:
        raise ValidationError(
            f"{cohort.programme.name} has no module templates, so there is nothing to schedule."
        )

    kept_ids = _kept_module_ids(cohort) if existing else set()
    replaced = [m.pk for m in existing if m.pk not in kept_ids]
    Module.objects.filter(pk__in=replaced).delete()  # sessions go with them (CASCADE)
    kept = [m for m in existing if m.pk in kept_ids]
    kept_templates = {m.template_id for m in kept}
    taken_positions = {m.position for m in kept}

    tz = cohort.tzinfo
    closed = closures_for(cohort)
    # A replaced module is never laid out in the past.
    earliest_allowed = cohort.starts_on
    if replace:
        earliest_allowed = max(
            earliest_allowed, timezone.localdate(timezone=tz) + datetime.timedelta(days=1)
        )
    created: list[Module] = []
    notes: list[str] = []
    session_count = 0
    for template in templates:
        if template.pk in kept_templates:
            continue
        position = template.position
        if position in taken_positions:
            position = max(taken_positions) + 1
        taken_positions.add(position)
        plan = day_plan(template.length_half_days)
        wanted = max(
            cohort.starts_on + datetime.timedelta(weeks=template.offset_weeks), earliest_allowed
        )
        first_day, skipped = first_working_run(cohort.holiday_region, wanted, len(plan), closed)
        note = ""
        if first_day != wanted:
            note = f"Moved from {_fmt(wanted)} to {_fmt(first_day)} to avoid {'; '.join(skipped)}."
            notes.append(f"{template.title}: {note}")
        module = Module(
            cohort=cohort,
            template=template,
            position=position,
            title=template.title,
            theme=template.theme,
            description=template.description,
            kind=template.kind,
            venue_name=cohort.venue_name,
            venue_address=cohort.venue_address,
            schedule_note=note[:500],
        )
        module.full_clean()
        module.save()
        takes_signups = template.kind == template.Kind.SHORT_COURSE
        for index, (start, end) in enumerate(plan):
            day = first_day + datetime.timedelta(days=index)
            title = ""
            if len(plan) > 1:
                title = f"Day {index + 1}" + (" (morning)" if (start, end) != plan[0] else "")
            session = Session(
                module=module,
                title=title,
                starts_at=_at(day, start, tz),
                ends_at=_at(day, end, tz),
                venue_name=cohort.venue_name,
                venue_address=cohort.venue_address,
                seat_limit=(
                    template.seat_limit or min(SHORT_COURSE_DEFAULT_SEATS, cohort.capacity)
                    if takes_signups
                    else None
                ),
            )
            session.full_clean()
            session.save()
            session_count += 1
        created.append(module)

    audit_record(
        actor=acting_user,
        action="schedule.generate",
        target=cohort,
        cohort_id=cohort.pk,
        changes={
            "modules": len(created),
            "sessions": session_count,
            "replaced_modules": len(replaced),
            "kept_modules": len(kept),
            "notes": notes,
        },
    )
    return ScheduleResult(
        modules=created, sessions=session_count, replaced=len(replaced), notes=notes
    )


# --- Moving modules and sessions ---------------------------------------------------------


def _check_day(
    cohort: Cohort,
    label: str,
    starts_at: datetime.datetime,
    *,
    allow_non_working: bool,
    date_range: tuple[datetime.date, datetime.date],
    closed: Sequence[Closure] = (),
) -> tuple[list[str], list[str]]:
    """(errors, warnings) for a session of ``cohort`` starting at ``starts_at``."""
    day = starts_at.astimezone(cohort.tzinfo).date()
    first, last = date_range
    errors: list[str] = []
    warnings: list[str] = []
    if day < first:
        errors.append(f"{label} would be on {_fmt(day)}, before the cohort starts ({_fmt(first)}).")
    elif day > last:
        errors.append(
            f"{label} would be on {_fmt(day)}, after the cohort's schedule ends ({_fmt(last)})."
        )
    reason = non_working_reason(cohort.holiday_region, day, closed)
    if reason:
        message = f"{label} would be on {_fmt(day)}, which is {reason}."
        if allow_non_working:
            warnings.append(message + " Scheduled anyway, as you asked.")
        else:
            errors.append(message + " Tick “schedule on a weekend or holiday anyway” to do so.")
    return errors, warnings


def _shift(moment: datetime.datetime, days: int, tz) -> datetime.datetime:
    local = moment.astimezone(tz)
    return _at(local.date() + datetime.timedelta(days=days), local.time(), tz)


def _session_label(session: Session, module: Module) -> str:
    return f"{module.title}{f' — {session.title}' if session.title else ''}"


@transaction.atomic
def module_move(
    *,
    module: Module,
    starts_on: datetime.date,
    acting_user: User | None,
    cascade: bool = False,
    allow_non_working: bool = False,
) -> list[str]:
    """Move ``module`` so its first session is on ``starts_on``; its sessions keep their times
    of day and their spacing. With ``cascade``, every module that starts after it moves by the
    same number of days.

    Refuses (``ValidationError`` on ``starts_on``, nothing moved) a date outside the cohort's
    range, and a weekend or public holiday unless ``allow_non_working``; returns the warnings
    for the ones allowed. Each moved session's ``sequence`` goes up by one. Audited per
    module as ``module.move``; everyone in the cohort gets one e-mail about the whole move
    (``reminders.schedule_change_notify``)."""
    module = Module.objects.select_for_update().select_related("cohort").get(pk=module.pk)
    cohort = module.cohort
    tz = cohort.tzinfo
    own = list(module.sessions.select_for_update().order_by("starts_at"))
    if not own:
        raise ValidationError({"starts_on": f"{module.title} has no sessions to move."})
    current = own[0].starts_at.astimezone(tz).date()
    days = (starts_on - current).days
    if days == 0:
        raise ValidationError({"starts_on": f"{module.title} already starts on {_fmt(current)}."})

    moving: list[tuple[Module, list[Session]]] = [(module, own)]
    if cascade:
        later = (
            Session.objects.select_for_update()
            .filter(module__cohort=cohort)
            .exclude(module=module)
            .select_related("module")
            .order_by("starts_at")
        )
        by_module: dict[int, tuple[Module, list[Session]]] = {}
        for session in later:
            by_module.setdefault(session.module_id, (session.module, []))[1].append(session)
        moving += [
            (other, sessions)
            for other, sessions in by_module.values()
            if sessions[0].starts_at > own[0].starts_at
        ]

    date_range = selectors.cohort_date_range(cohort)
    closed = closures_for(cohort)
    errors: list[str] = []
    warnings: list[str] = []
    now = timezone.now()
    was: list[reminders.SessionChange] = []
    for mod, sessions in moving:
        mod.cohort = cohort
        for session in sessions:
            session.module = mod
            was.append(reminders.session_change(session))
            session.starts_at = _shift(session.starts_at, days, tz)
            session.ends_at = _shift(session.ends_at, days, tz)
            if session.is_cancelled:
                continue
            more_errors, more_warnings = _check_day(
                cohort,
                _session_label(session, mod),
                session.starts_at,
                allow_non_working=allow_non_working,
                date_range=date_range,
                closed=closed,
            )
            errors += more_errors
            warnings += more_warnings
    if errors:
        raise ValidationError({"starts_on": errors})

    for mod, sessions in moving:
        before = _fmt(sessions[0].starts_at.astimezone(tz).date() - datetime.timedelta(days))
        for session in sessions:
            session.sequence += 1
            session.updated_at = now
            session.full_clean()
        Session.objects.bulk_update(sessions, ["starts_at", "ends_at", "sequence", "updated_at"])
        for session in sessions:
            reminders.session_reminders_cancel(session)
        audit_record(
            actor=acting_user,
            action="module.move",
            target=mod,
            cohort_id=cohort.pk,
            changes={
                "from": before,
                "to": _fmt(sessions[0].starts_at.astimezone(tz).date()),
                "days": days,
                "cascade_from": module.title if mod.pk != module.pk else None,
                "override": allow_non_working,
                "warnings": [w for w in warnings if w.startswith(mod.title)],
            },
        )
    reminders.schedule_change_notify(cohort=cohort, changes=was)
    return warnings


@transaction.atomic
def module_update(
    *,
    module: Module,
    acting_user: User | None,
    title: str,
    theme: str,
    description: str,
    venue_name: str,
    venue_address: str,
    facilitators,
    venue_for_sessions: bool = False,
) -> Module:
    """Change a module's title, theme, description, venue and facilitators. With
    ``venue_for_sessions`` its sessions take the new venue too (their ``sequence`` goes up so
    calendars show the new LOCATION, and the cohort is e-mailed once about it). Audited as
    ``module.update``."""
    module = Module.objects.select_for_update().get(pk=module.pk)
    new = {
        "title": title,
        "theme": theme,
        "description": description,
        "venue_name": venue_name,
        "venue_address": venue_address,
    }
    changes: dict[str, object] = {
        name: [getattr(module, name), value]
        for name, value in new.items()
        if getattr(module, name) != value
    }
    for name, value in new.items():
        setattr(module, name, value)
    module.full_clean()
    module.save()
    before = set(module.facilitators.values_list("pk", flat=True))
    after = {person.pk for person in facilitators}
    if before != after:
        module.facilitators.set(facilitators)
        changes["facilitators"] = [sorted(before), sorted(after)]
    if venue_for_sessions:
        moved = list(
            module.sessions.select_for_update()
            .exclude(venue_name=venue_name, venue_address=venue_address)
            .select_related("module__cohort__programme")
        )
        was = [reminders.session_change(session) for session in moved]
        now = timezone.now()
        for session in moved:
            session.venue_name, session.venue_address = venue_name, venue_address
            session.sequence += 1
            session.updated_at = now
        Session.objects.bulk_update(
            moved, ["venue_name", "venue_address", "sequence", "updated_at"]
        )
        changes["sessions_venue"] = len(moved)
        reminders.schedule_change_notify(cohort=module.cohort, changes=was)
    if changes:
        audit_record(
            actor=acting_user,
            action="module.update",
            target=module,
            cohort_id=module.cohort_id,
            changes=changes,
        )
    return module


@transaction.atomic
def session_update(
    *,
    session: Session,
    acting_user: User | None,
    day: datetime.date,
    start_time: datetime.time,
    end_time: datetime.time,
    title: str,
    venue_name: str,
    venue_address: str,
    facilitator: User | None,
    what_to_prepare: str,
    seat_limit: int | None,
    status: str,
    allow_non_working: bool = False,
) -> list[str]:
    """Change a session: move it (date and times in the cohort's time zone), change its
    details or cancel it. Refuses an end before the start, a day outside the cohort's range,
    a weekend or holiday without ``allow_non_working`` and a seat limit below the sign-ups
    already taken; returns warnings for what was allowed. Bumps ``sequence`` when anything
    changed. Audited as ``session.update`` with the fields before and after; a new time, place
    or status is e-mailed to the cohort (``reminders.schedule_change_notify``)."""
    session = (
        Session.objects.select_for_update().select_related("module__cohort").get(pk=session.pk)
    )
    cohort = session.module.cohort
    tz = cohort.tzinfo
    starts_at, ends_at = _at(day, start_time, tz), _at(day, end_time, tz)
    errors: dict[str, list[str]] = {}
    warnings: list[str] = []
    if ends_at <= starts_at:
        errors["end_time"] = ["The session must end after it starts."]
    moved = starts_at != session.starts_at
    if moved and status == Session.Status.SCHEDULED:
        day_errors, warnings = _check_day(
            cohort,
            _session_label(session, session.module),
            starts_at,
            allow_non_working=allow_non_working,
            date_range=selectors.cohort_date_range(cohort),
            closed=closures_for(cohort),
        )
        if day_errors:
            errors["day"] = day_errors
    if seat_limit is not None:
        taken = session.signups.count()
        if seat_limit < taken:
            errors["seat_limit"] = [
                f"{taken} people have already signed up; the limit cannot be lower than that."
            ]
    if errors:
        raise ValidationError(errors)

    new = {
        "title": title,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "venue_name": venue_name,
        "venue_address": venue_address,
        "facilitator": facilitator,
        "what_to_prepare": what_to_prepare,
        "seat_limit": seat_limit,
        "status": status,
    }
    before = reminders.session_change(session)
    changes = {}
    for name, value in new.items():
        old = getattr(session, name)
        if old != value:
            changes[name] = [str(old) if old is not None else None, str(value)]
            setattr(session, name, value)
    if not changes:
        return warnings
    session.sequence += 1
    session.updated_at = timezone.now()
    session.full_clean()
    session.save()
    if {"starts_at", "ends_at", "status"} & changes.keys():
        reminders.session_reminders_cancel(session)
    if {"starts_at", "ends_at", "status", "venue_name", "venue_address"} & changes.keys():
        reminders.schedule_change_notify(cohort=cohort, changes=[before])
    audit_record(
        actor=acting_user,
        action="session.update",
        target=session,
        cohort_id=cohort.pk,
        changes={**changes, "override": allow_non_working, "warnings": warnings},
    )
    return warnings


# --- Attendance --------------------------------------------------------------------------


def register_closed_reason(session: Session) -> str:
    """Why ``session``'s register cannot be taken now ("" when it can): it was cancelled, or
    its day has not come (apologies are sent by participants ahead, not on the register)."""
    if session.is_cancelled:
        return "This session was cancelled; there is no register to take."
    tz = session.module.cohort.tzinfo
    day = session.starts_at.astimezone(tz).date()
    if day > timezone.localdate(timezone=tz):
        return (
            f"The register opens on the session's day ({_fmt(day)}). Until then participants "
            "send their own apologies from the session's page."
        )
    return ""


@transaction.atomic
def attendance_register_save(
    *,
    session: Session,
    entries: dict[int, tuple[str, str]],
    acting_user: User | None,
) -> int:
    """Save a whole register in one go: ``entries`` maps person id → (status, note), where an
    empty status means "not recorded" (an existing row is removed). Only the people on the
    session's register may appear. Refused for a cancelled session and before the session's
    day (``register_closed_reason``), and when nobody at all would be marked.

    The first save marks the register taken (``Session.register_taken_at``): from then on the
    session counts in attendance rates, and no register reminder is sent for it. Each changed
    row is audited as ``attendance.record``, the register itself as ``attendance.register``;
    returns how many rows changed."""
    session = (
        Session.objects.select_for_update().select_related("module__cohort").get(pk=session.pk)
    )
    cohort = session.module.cohort
    closed = register_closed_reason(session)
    if closed:
        raise ValidationError(closed)
    people = selectors.register_people(session)
    allowed = {person.pk for person in people}
    unknown = set(entries) - allowed
    if unknown:
        raise ValidationError("Some of the people in the register are not on this session.")
    existing = {a.person_id: a for a in session.attendances.select_for_update()}
    marked = {pk for pk, row in existing.items() if row.status} - set(entries)
    marked |= {pk for pk, (status, _note) in entries.items() if status}
    if people and not marked:
        raise ValidationError(
            "Nobody is marked: mark each person present, late, apologies or absent (or use "
            "“Mark everyone not yet marked as present”) before saving."
        )
    now = timezone.now()
    changed = 0
    for person_id, (status, note) in entries.items():
        row = existing.get(person_id)
        if not status:
            if row is None:
                continue
            before: object = row.status
            row.delete()
            audit_record(
                actor=acting_user,
                action="attendance.record",
                target=session,
                cohort_id=cohort.pk,
                person_id=person_id,
                changes={"status": [before, None]},
            )
            changed += 1
            continue
        if row is not None and row.status == status and row.note == note:
            continue
        before = (row.status, row.note) if row else (None, "")
        if row is None:
            row = Attendance(session=session, person_id=person_id)
        row.status, row.note = status, note
        row.recorded_by, row.recorded_at = acting_user, now
        row.full_clean(validate_unique=False)
        row.save()
        audit_record(
            actor=acting_user,
            action="attendance.record",
            target=session,
            cohort_id=cohort.pk,
            person_id=person_id,
            changes={"status": [before[0], status], "note": [before[1], note]},
        )
        changed += 1
    if session.register_taken_at is None:
        session.register_taken_at = now
        session.save(update_fields=["register_taken_at"])
        audit_record(
            actor=acting_user,
            action="attendance.register",
            target=session,
            cohort_id=cohort.pk,
            changes={"marked": len(marked), "on_register": len(people)},
        )
    return changed


def _require_participant(session: Session, person: User) -> None:
    if not Enrolment.objects.filter(
        cohort_id=session.module.cohort_id,
        person=person,
        role=Enrolment.Role.PARTICIPANT,
        status__in=Enrolment.ACTIVE_STATUSES,
    ).exists():
        raise ValidationError("Only participants of this cohort can do that.")


def _require_future(session: Session, what: str) -> None:
    if session.is_cancelled:
        raise ValidationError("This session was cancelled.")
    if session.starts_at <= timezone.now():
        raise ValidationError(f"The session has already started: {what} is closed.")


@transaction.atomic
def apology_send(
    *, session: Session, person: User, reason: str, acting_user: User | None
) -> Attendance:
    """``person`` sends apologies ahead of ``session`` with ``reason``. The register shows
    them pre-filled and the expected count drops by one, and the session's faculty are
    e-mailed (``reminders.apologies_notify``). Only before the session starts. Audited as
    ``attendance.apologies``."""
    session = (
        Session.objects.select_for_update(of=("self",))
        .select_related("module__cohort__programme", "facilitator")
        .get(pk=session.pk)
    )
    _require_participant(session, person)
    _require_future(session, "sending apologies")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say briefly why you cannot come."})
    row, _created = Attendance.objects.select_for_update().get_or_create(
        session=session,
        person=person,
        defaults={"status": Attendance.Status.APOLOGIES, "recorded_by": acting_user},
    )
    row.status, row.note = Attendance.Status.APOLOGIES, reason[:500]
    row.recorded_by, row.recorded_at = acting_user, timezone.now()
    row.full_clean(validate_unique=False)
    row.save()
    audit_record(
        actor=acting_user,
        action="attendance.apologies",
        target=session,
        cohort_id=session.module.cohort_id,
        person_id=person.pk,
        changes={"reason": row.note},
    )
    row.session, row.person = session, person
    reminders.apologies_notify(row)
    return row


@transaction.atomic
def apology_withdraw(*, session: Session, person: User, acting_user: User | None) -> None:
    """``person`` will come after all: their apologies for a future session are removed.
    Audited as ``attendance.apologies_withdrawn``."""
    session = Session.objects.select_related("module").get(pk=session.pk)
    _require_future(session, "changing apologies")
    deleted, _ = Attendance.objects.filter(
        session=session, person=person, status=Attendance.Status.APOLOGIES
    ).delete()
    if deleted:
        audit_record(
            actor=acting_user,
            action="attendance.apologies_withdrawn",
            target=session,
            cohort_id=session.module.cohort_id,
            person_id=person.pk,
        )


# --- Short courses -----------------------------------------------------------------------


@transaction.atomic
def short_course_signup(
    *, session: Session, person: User, acting_user: User | None
) -> ShortCourseSignup:
    """Give ``person`` a seat on a sign-up session. The session row is locked while the seats
    are counted, so two people cannot both take the last seat. Audited as
    ``short_course.signup``."""
    session = (
        Session.objects.select_for_update().select_related("module__cohort").get(pk=session.pk)
    )
    if not session.takes_signups:
        raise ValidationError("This session does not take sign-ups.")
    _require_participant(session, person)
    _require_future(session, "signing up")
    if session.signups.filter(person=person).exists():
        raise ValidationError("You have already signed up for this session.")
    assert session.seat_limit is not None  # it takes sign-ups
    if session.signups.count() >= session.seat_limit:
        raise ValidationError(f"All {session.seat_limit} seats are taken.")
    try:
        with transaction.atomic():
            signup = ShortCourseSignup.objects.create(session=session, person=person)
    except IntegrityError as exc:  # pragma: no cover - the lock above prevents it
        raise ValidationError("You have already signed up for this session.") from exc
    audit_record(
        actor=acting_user,
        action="short_course.signup",
        target=session,
        cohort_id=session.module.cohort_id,
        person_id=person.pk,
    )
    return signup


@transaction.atomic
def short_course_signup_cancel(*, session: Session, person: User, acting_user: User | None) -> None:
    """Give up a seat before the session starts. Audited as ``short_course.cancel``."""
    session = Session.objects.select_related("module").get(pk=session.pk)
    _require_future(session, "changing sign-ups")
    deleted, _ = ShortCourseSignup.objects.filter(session=session, person=person).delete()
    if deleted:
        audit_record(
            actor=acting_user,
            action="short_course.cancel",
            target=session,
            cohort_id=session.module.cohort_id,
            person_id=person.pk,
        )


# --- Calendar feeds ----------------------------------------------------------------------


@transaction.atomic
def calendar_feed_create(*, person: User, acting_user: User | None) -> CalendarFeed:
    """A new private feed URL for ``person``; any live one is revoked first, so an old URL
    that leaked stops working. Audited as ``calendar_feed.create``."""
    calendar_feed_revoke(person=person, acting_user=acting_user)
    feed = CalendarFeed.objects.create(person=person, token=secrets.token_urlsafe(32))
    audit_record(actor=acting_user, action="calendar_feed.create", target=feed, person_id=person.pk)
    return feed


@transaction.atomic
def calendar_feed_revoke(*, person: User, acting_user: User | None) -> int:
    """Revoke ``person``'s live feed (its URL answers 404 from now on). Audited as
    ``calendar_feed.revoke`` when there was one; returns how many were revoked."""
    live = list(CalendarFeed.objects.select_for_update().filter(person=person, revoked_at=None))
    for feed in live:
        feed.revoked_at = timezone.now()
        feed.save(update_fields=["revoked_at"])
        audit_record(
            actor=acting_user, action="calendar_feed.revoke", target=feed, person_id=person.pk
        )
    return len(live)
