"""Reads for blueprints: what a programme's blueprint holds, and where its cohorts differ from
it (the differences page and ``services.blueprint_apply`` read the same answer)."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, Max, Min, OuterRef, Prefetch
from django.http import Http404
from django.utils import timezone

from cohorts.models import Cohort, Programme, days_in_words
from modules.models import CloseDown, Milestone, MilestoneTemplate, Module, ModuleTemplate
from modules.services import milestone_date
from modules.workdays import closures_for_cohorts
from redesign_projects.models import (
    Assignment,
    AssignmentTemplate,
    RubricCriterion,
    Submission,
)
from redesign_projects.services import assignment_due, parse_rubric

ACTIVE = (Cohort.Status.PLANNED, Cohort.Status.RUNNING)
MODULE_FIELDS = ("title", "theme", "description", "kind")
MILESTONE_FIELDS = ("name", "kind", "description")
ASSIGNMENT_FIELDS = ("title", "brief", "kind", "accepted_types", "max_size_mb")
PARTS = {"module": "Module", "assignment": "Assignment", "milestone": "Milestone"}


@dataclass
class Difference:
    """One part of a cohort that is not what its blueprint now says.

    ``is_new``: the blueprint has it and the cohort does not. ``applicable``: it has not
    started, so applying the blueprint may change it; ``reason`` says why not otherwise."""

    part: str
    title: str
    template_id: int
    item_id: int | None = None
    fields: list[str] = field(default_factory=list)
    new_values: dict[str, Any] = field(default_factory=dict)
    is_new: bool = False
    applicable: bool = True
    reason: str = ""

    @property
    def label(self) -> str:
        what = "new in the blueprint" if self.is_new else "changed: " + ", ".join(self.fields)
        return f"{PARTS[self.part]} “{self.title}” ({what})"


@dataclass
class CohortDifferences:
    cohort: Cohort
    differences: list[Difference]

    @property
    def applicable(self) -> int:
        return sum(1 for d in self.differences if d.applicable)


def _rubric_lines(rubric: list[tuple[str, list[str]]]) -> str:
    return "\n".join(f"{title}: " + " | ".join(levels) for title, levels in rubric)


def _changed(item, template, names: tuple[str, ...]) -> dict[str, Any]:
    values = {}
    for name in names:
        wanted = getattr(template, name)
        if getattr(item, name) != wanted:
            values[name] = wanted
    return values


def programme_differences(programme: Programme, cohort: Cohort | None = None):
    """Where each planned or running cohort of ``programme`` (or just ``cohort``) differs from
    the blueprint: changed module, milestone and assignment details (compared with the
    template each was made from) and blueprint items the cohort lacks. Items made by hand
    (no template) are the cohort's own and never differ.

    Queries, whatever the number of cohorts and items: cohorts, module templates, milestone
    templates, assignment templates, close-downs, modules (with first and last session),
    milestones, assignments (with "has submissions"), rubric criteria, rubric levels — 10."""
    cohorts_qs = Cohort.objects.filter(programme=programme, status__in=ACTIVE)
    if cohort is not None:
        cohorts_qs = cohorts_qs.filter(pk=cohort.pk)
    cohorts = list(cohorts_qs.order_by("starts_on", "name"))
    module_templates = {t.pk: t for t in ModuleTemplate.objects.filter(programme=programme)}
    milestone_templates = list(MilestoneTemplate.objects.filter(programme=programme))
    assignment_templates = list(AssignmentTemplate.objects.filter(programme=programme))
    closures = closures_for_cohorts(cohorts)
    ids = [c.pk for c in cohorts]
    modules = defaultdict(list)
    for module in Module.objects.filter(cohort__in=ids).annotate(
        first_start=Min("sessions__starts_at"), last_start=Max("sessions__starts_at")
    ):
        modules[module.cohort_id].append(module)
    milestones = defaultdict(list)
    for row in Milestone.objects.filter(cohort__in=ids):
        milestones[row.cohort_id].append(row)
    assignments: dict[int, list[Any]] = defaultdict(list)
    for annotated in (
        Assignment.objects.filter(cohort__in=ids)
        .annotate(has_submissions=Exists(Submission.objects.filter(assignment=OuterRef("pk"))))
        .prefetch_related(
            Prefetch("rubric_criteria", queryset=RubricCriterion.objects.prefetch_related("levels"))
        )
    ):
        assignments[annotated.cohort_id].append(annotated)

    now = timezone.now()
    answer = []
    for each in cohorts:
        today = timezone.localdate(timezone=each.tzinfo)
        found: list[Difference] = []
        firsts: dict[int, datetime.date] = {}
        lasts: dict[int, datetime.date] = {}
        for module in modules[each.pk]:
            if module.template_id and module.first_start:
                firsts[module.template_id] = module.first_start.astimezone(each.tzinfo).date()
                lasts[module.template_id] = module.last_start.astimezone(each.tzinfo).date()
        seen_modules = set()
        for module in modules[each.pk]:
            template = module_templates.get(module.template_id or 0)
            if template is None:
                continue
            seen_modules.add(template.pk)
            values = _changed(module, template, MODULE_FIELDS)
            if values:
                started = module.first_start is not None and module.first_start <= now
                found.append(
                    Difference(
                        "module",
                        module.title,
                        template.pk,
                        module.pk,
                        list(values),
                        values,
                        applicable=not started,
                        reason="it has started" if started else "",
                    )
                )
        for template in module_templates.values():
            if template.pk not in seen_modules:
                found.append(
                    Difference(
                        "module",
                        template.title,
                        template.pk,
                        is_new=True,
                        applicable=False,
                        reason="lay out the schedule again on the schedule page to add it",
                    )
                )
        by_template = {m.template_id: m for m in milestones[each.pk] if m.template_id}
        for milestone_template in milestone_templates:
            milestone = by_template.get(milestone_template.pk)
            if milestone is None:
                due_on, _note = milestone_date(each, milestone_template, firsts, closures[each.pk])
                ahead = due_on > today
                found.append(
                    Difference(
                        "milestone",
                        milestone_template.name,
                        milestone_template.pk,
                        is_new=True,
                        applicable=ahead,
                        reason="" if ahead else "its date has passed",
                    )
                )
                continue
            values = _changed(milestone, milestone_template, MILESTONE_FIELDS)
            if values:
                ahead = milestone.due_on > today
                found.append(
                    Difference(
                        "milestone",
                        milestone.name,
                        milestone_template.pk,
                        milestone.pk,
                        list(values),
                        values,
                        applicable=ahead,
                        reason="" if ahead else "its date has passed",
                    )
                )
        by_assignment = {a.template_id: a for a in assignments[each.pk] if a.template_id}
        for assignment_template in assignment_templates:
            assignment = by_assignment.get(assignment_template.pk)
            if assignment is None:
                due_at, _note = assignment_due(each, assignment_template, lasts, closures[each.pk])
                ahead = due_at > now
                found.append(
                    Difference(
                        "assignment",
                        assignment_template.title,
                        assignment_template.pk,
                        is_new=True,
                        applicable=ahead,
                        reason="" if ahead else "its due date has passed",
                    )
                )
                continue
            values = _changed(assignment, assignment_template, ASSIGNMENT_FIELDS)
            rubric = _rubric_lines(
                [
                    (c.title, [level.label for level in c.levels.all()])
                    for c in assignment.rubric_criteria.all()
                ]
            )
            if rubric != _rubric_lines(parse_rubric(assignment_template.rubric)):
                values["rubric"] = assignment_template.rubric
            if values:
                reason = ""
                if assignment.has_submissions:
                    reason = "work has been handed in"
                elif assignment.due_at <= now:
                    reason = "its due date has passed"
                found.append(
                    Difference(
                        "assignment",
                        assignment.title,
                        assignment_template.pk,
                        assignment.pk,
                        list(values),
                        values,
                        applicable=not reason,
                        reason=reason,
                    )
                )
        answer.append(CohortDifferences(cohort=each, differences=found))
    return answer


def cohort_differences(cohort: Cohort) -> list[Difference]:
    """Where ``cohort`` differs from its programme's blueprint (``programme_differences``)."""
    found = programme_differences(cohort.programme, cohort=cohort)
    return found[0].differences if found else []


def blueprint_for_programme(programme: Programme) -> dict[str, list]:
    """What ``programme``'s blueprint holds besides its module sequence, for its page: four
    queries (milestones, assignments, short courses, close-downs); the rules take none."""
    return {
        "rules": programme_rules(programme),
        "milestones": list(
            MilestoneTemplate.objects.filter(programme=programme).select_related("module_template")
        ),
        "assignments": list(
            AssignmentTemplate.objects.filter(programme=programme).select_related("module_template")
        ),
        "short_courses": list(
            ModuleTemplate.objects.filter(
                programme=programme, kind=ModuleTemplate.Kind.SHORT_COURSE
            )
        ),
        "close_downs": list(CloseDown.objects.filter(programme=programme)),
    }


def _days_rule(own: list[int], effective: list[int], when: str) -> str:
    words = f"{days_in_words(effective)} {when}"
    return words if own else f"{words} (site default)"


def programme_rules(programme: Programme) -> list[tuple[str, str]]:
    """(rule, in words) of ``programme``'s reminder and attendance rules, for its blueprint
    page: the days each reminder goes out ("(site default)" when the programme has none of its
    own) and what completion needs. No queries."""
    completion = f"Completion needs {programme.completion_min_attendance_percent}% attendance"
    if programme.completion_requires_final_assignment:
        completion += " and the final assignment accepted"
    return [
        (
            "Session reminders",
            _days_rule(
                programme.session_reminder_days,
                programme.effective_session_reminder_days,
                "before each session",
            ),
        ),
        (
            "Assignment reminders",
            _days_rule(
                programme.assignment_reminder_days,
                programme.effective_assignment_reminder_days,
                "before the due date",
            ),
        ),
        (
            "Overdue notices",
            _days_rule(
                programme.assignment_overdue_days,
                programme.effective_assignment_overdue_days,
                "after the due date",
            ),
        ),
        ("Attendance", completion),
    ]


def _administered(model, user, pk, related: str):
    """A ``model`` row of a programme ``user`` administers, or 404 (one query)."""
    try:
        row = (
            model.objects.filter(pk=int(pk), programme__in=Programme.objects.administered_by(user))
            .select_related(related)
            .first()
        )
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    if row is None:
        raise Http404
    return row


def get_assignment_template_for_user(user, template_id) -> AssignmentTemplate:
    """An assignment template of a programme ``user`` administers; 404 otherwise."""
    return _administered(AssignmentTemplate, user, template_id, "programme")


def get_milestone_template_for_user(user, template_id) -> MilestoneTemplate:
    """A milestone template of a programme ``user`` administers; 404 otherwise."""
    return _administered(MilestoneTemplate, user, template_id, "programme")


def get_close_down_for_user(user, close_down_id) -> CloseDown:
    """A close-down period of a programme ``user`` administers (region-wide ones are kept in
    the Django admin); 404 otherwise."""
    return _administered(CloseDown, user, close_down_id, "programme")
