"""A programme as a blueprint: new cohorts with everything it holds, re-runs of a past cohort,
and applying a changed blueprint to the parts of a cohort that have not started.

The pieces live in the apps that own them (module templates, milestones and close-downs in
``modules``; assignment templates in ``redesign_projects``); this app sits above both and is
the one place that puts a whole cohort together."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cohorts import services as cohort_services
from cohorts.models import Cohort, Programme
from cohorts.programme_models import install_blueprint_with
from leadership.models import User
from leadership.services import audit_record
from modules import services as module_services
from modules.models import CloseDown, Milestone, MilestoneTemplate, Module, ModuleTemplate, Session
from modules.workdays import Closure, closures_for, first_working_run
from redesign_projects import services as project_services
from redesign_projects.models import Assignment, AssignmentTemplate

from . import selectors


@transaction.atomic
def programme_models_install() -> list[Programme]:
    """The shipped programme models (``modules.services.programme_models_install``) completed
    as blueprints (``cohorts.programme_models.install_blueprint_with``); idempotent."""
    programmes = module_services.programme_models_install()
    install_blueprint_with(
        Programme, ModuleTemplate, MilestoneTemplate, AssignmentTemplate, CloseDown
    )
    return programmes


@dataclass
class CohortBuild:
    """A cohort put together from a blueprint, and what the scheduler says about its dates."""

    cohort: Cohort
    modules: int = 0
    sessions: int = 0
    milestones: int = 0
    assignments: int = 0
    notes: list[str] = field(default_factory=list)


@transaction.atomic
def cohort_create_from_blueprint(
    *,
    programme: Programme,
    name: str,
    starts_on: datetime.date,
    acting_user: User,
    **cohort_fields,
) -> CohortBuild:
    """Create a cohort of ``programme`` (``cohorts.services.cohort_create`` with
    ``cohort_fields``) with everything its blueprint holds, on real dates: the schedule
    (``modules.services.schedule_generate``, short courses with their seats), its milestones
    (``modules.services.milestones_generate``) and its assignments with their rubrics
    (``redesign_projects.services.assignments_from_templates``), each on a working day of the
    cohort outside public holidays and close-downs. A programme without module templates still
    gets the cohort (and what else it holds). All in one transaction; each part audited by
    the service that writes it."""
    cohort = cohort_services.cohort_create(
        programme=programme,
        name=name,
        starts_on=starts_on,
        acting_user=acting_user,
        **cohort_fields,
    )
    build = CohortBuild(cohort=cohort)
    if programme.module_templates.exists():
        schedule = module_services.schedule_generate(cohort=cohort, acting_user=acting_user)
        build.modules, build.sessions = len(schedule.modules), schedule.sessions
        build.notes += schedule.notes
    milestones = module_services.milestones_generate(cohort=cohort, acting_user=acting_user)
    build.milestones = len(milestones)
    build.notes += [f"{m.name}: {m.schedule_note}" for m in milestones if m.schedule_note]
    before = cohort.assignments.count()
    build.notes += project_services.assignments_from_templates(
        cohort=cohort, acting_user=acting_user
    )
    build.assignments = cohort.assignments.count() - before
    return build


# --- Running a past cohort again ---------------------------------------------------------------


def _local(moment: datetime.datetime, cohort: Cohort) -> datetime.datetime:
    return moment.astimezone(cohort.tzinfo)


def _on(day: datetime.date, moment: datetime.datetime, cohort: Cohort) -> datetime.datetime:
    """``moment``'s wall-clock time on ``day`` in ``cohort``'s time zone."""
    return datetime.datetime.combine(day, _local(moment, cohort).time(), tzinfo=cohort.tzinfo)


def _shifted(
    cohort: Cohort, day: datetime.date, offset: int, days: int, closed: Iterable[Closure]
) -> tuple[int, str]:
    """The offset in days that puts a run of ``days`` working days starting on ``day`` +
    ``offset`` on working days of ``cohort``: ``offset`` itself, or more when the shifted day
    falls on a weekend, holiday or close-down; and the note saying why."""
    wanted = day + datetime.timedelta(days=offset)
    first, skipped = first_working_run(cohort.holiday_region, wanted, days, tuple(closed))
    if first == wanted:
        return offset, ""
    return (
        offset + (first - wanted).days,
        f"Moved from {wanted:%a %-d %b %Y} to {first:%a %-d %b %Y} to avoid {'; '.join(skipped)}.",
    )


@transaction.atomic
def cohort_rerun(
    *, source: Cohort, name: str, starts_on: datetime.date, acting_user: User
) -> CohortBuild:
    """Run ``source`` again from ``starts_on``: a new cohort of the same programme with the
    same settings, modules, sessions (times of day, venues, seats), milestones and
    assignments with their rubrics, every date moved by the same offset. The offset is
    working-day adjusted: the new start is ``starts_on`` or the first working day after it,
    and the offset is new start − old start in days; a module, milestone or due date that
    the offset puts on a weekend, holiday or close-down moves on to the next working run and
    its note says so. Nothing personal is copied: no enrolments, sponsors, facilitators,
    teams, submissions, attendance or sign-ups. Audited as ``cohort.rerun`` (and
    ``cohort.create``)."""
    source = Cohort.objects.select_related("programme").get(pk=source.pk)
    # The new cohort shares the programme and the region, so the close-downs are the same.
    closed = closures_for(source)
    new_start, _skipped = first_working_run(source.holiday_region, starts_on, 1, closed)
    cohort = cohort_services.cohort_create(
        programme=source.programme,
        name=name,
        starts_on=new_start,
        acting_user=acting_user,
        capacity=source.capacity,
        time_zone=source.time_zone,
        holiday_region=source.holiday_region,
        venue_name=source.venue_name,
        venue_address=source.venue_address,
    )
    offset = (new_start - source.starts_on).days
    build = CohortBuild(cohort=cohort)

    module_of: dict[int, Module] = {}
    module_offset: dict[int, int] = {}
    sessions = list(Session.objects.filter(module__cohort=source).order_by("starts_at"))
    by_module: dict[int, list[Session]] = {}
    for session in sessions:
        by_module.setdefault(session.module_id, []).append(session)
    for old in source.modules.order_by("position"):
        own = by_module.get(old.pk, [])
        days = sorted({_local(s.starts_at, source).date() for s in own})
        shift, note = (offset, "")
        if days:
            shift, note = _shifted(cohort, days[0], offset, len(days), closed)
        if note:
            build.notes.append(f"{old.title}: {note}")
        module = Module(
            cohort=cohort,
            template=old.template,
            position=old.position,
            title=old.title,
            theme=old.theme,
            description=old.description,
            kind=old.kind,
            venue_name=old.venue_name,
            venue_address=old.venue_address,
            schedule_note=note[:500],
        )
        module.full_clean()
        module.save()
        module_of[old.pk], module_offset[old.pk] = module, shift
        for session in own:
            day = _local(session.starts_at, source).date() + datetime.timedelta(days=shift)
            copy = Session(
                module=module,
                title=session.title,
                starts_at=_on(day, session.starts_at, source),
                ends_at=_on(day, session.ends_at, source),
                venue_name=session.venue_name,
                venue_address=session.venue_address,
                what_to_prepare=session.what_to_prepare,
                status=session.status,
                seat_limit=session.seat_limit,
            )
            copy.full_clean()
            copy.save()
            build.sessions += 1
        build.modules += 1

    for milestone in source.milestones.order_by("due_on"):
        shift, note = _shifted(cohort, milestone.due_on, offset, 1, closed)
        copy_milestone = Milestone(
            cohort=cohort,
            template=milestone.template,
            module=module_of.get(milestone.module_id or 0),
            name=milestone.name,
            kind=milestone.kind,
            description=milestone.description,
            due_on=milestone.due_on + datetime.timedelta(days=shift),
            schedule_note=note[:500],
        )
        copy_milestone.full_clean()
        copy_milestone.save()
        build.milestones += 1
        if note:
            build.notes.append(f"{milestone.name}: {note}")

    for assignment in source.assignments.prefetch_related("rubric_criteria__levels"):
        due_day = _local(assignment.due_at, source).date()
        shift, note = _shifted(cohort, due_day, offset, 1, closed)
        if note:
            build.notes.append(f"{assignment.title}: due date {note[0].lower()}{note[1:]}")
        project_services.assignment_create(
            cohort=cohort,
            title=assignment.title,
            due_at=_on(due_day + datetime.timedelta(days=shift), assignment.due_at, source),
            acting_user=acting_user,
            rubric=[
                (criterion.title, [level.label for level in criterion.levels.all()])
                for criterion in assignment.rubric_criteria.all()
            ],
            template=assignment.template,
            module=module_of.get(assignment.module_id or 0),
            brief=assignment.brief,
            kind=assignment.kind,
            accepted_types=list(assignment.accepted_types),
            max_size_mb=assignment.max_size_mb,
        )
        build.assignments += 1

    audit_record(
        actor=acting_user,
        action="cohort.rerun",
        target=cohort,
        cohort_id=cohort.pk,
        changes={
            "from_cohort": source.name,
            "offset_days": offset,
            "modules": build.modules,
            "milestones": build.milestones,
            "assignments": build.assignments,
            "notes": build.notes,
        },
    )
    return build


# --- Applying a changed blueprint --------------------------------------------------------------


@transaction.atomic
def blueprint_apply(*, cohort: Cohort, acting_user: User) -> int:
    """Bring the parts of ``cohort`` that have not started into line with its programme's
    blueprint (``selectors.cohort_differences``): changed details of modules whose sessions
    are all ahead, of assignments not yet due and without submissions, and of milestones
    ahead; missing assignments and milestones that would fall in the future are added. Dates
    are never moved (moving is the schedule page's job, with its e-mails) and nothing that
    started or that people have worked on changes. Returns how many changes were applied.
    Audited as ``blueprint.apply``."""
    cohort = Cohort.objects.select_for_update().select_related("programme").get(pk=cohort.pk)
    differences = selectors.cohort_differences(cohort)
    applicable = [d for d in differences if d.applicable]
    if not applicable:
        raise ValidationError(
            f"Nothing of {cohort.name} that has not started differs from the blueprint."
        )
    new_milestones = [d.template_id for d in applicable if d.part == "milestone" and d.is_new]
    new_assignments = [d.template_id for d in applicable if d.part == "assignment" and d.is_new]
    for difference in applicable:
        item_id = difference.item_id
        if difference.is_new or item_id is None:
            continue
        if difference.part == "module":
            Module.objects.filter(pk=item_id).update(**difference.new_values)
        elif difference.part == "milestone":
            Milestone.objects.filter(pk=item_id).update(**difference.new_values)
        else:
            values = dict(difference.new_values)
            rubric = values.pop("rubric", None)
            assignment = Assignment.objects.get(pk=item_id)
            project_services.assignment_update(
                assignment=assignment,
                acting_user=acting_user,
                rubric=(project_services.parse_rubric(rubric) if rubric is not None else None),
                **values,
            )
    if new_milestones:
        module_services.milestones_generate(
            cohort=cohort, acting_user=acting_user, only=new_milestones
        )
    if new_assignments:
        project_services.assignments_from_templates(
            cohort=cohort, acting_user=acting_user, only=new_assignments
        )
    audit_record(
        actor=acting_user,
        action="blueprint.apply",
        target=cohort,
        cohort_id=cohort.pk,
        changes={"applied": [d.label for d in applicable], "at": timezone.now().isoformat()},
    )
    return len(applicable)
