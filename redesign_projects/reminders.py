"""E-mails about assignments: due reminders (7 and 1 days before), overdue notices (1 and 7
days after, by default: a programme may set its own days), feedback released, and a daily
digest to faculty of submissions waiting for feedback. Planners run in beat's sweep
(``home/planners.py``) and are idempotent; dedup keys carry the effective due date, so an
extension re-plans by itself and ``extension_reminders_cancel`` drops what was pending for the
old date."""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import cast

from django.conf import settings
from django.urls import reverse

from cohorts.models import Cohort, Enrolment, Programme
from leadership import notifications
from leadership.models import Notification, User

from .models import Assignment, Extension, Feedback, PeerReview, Submission, TeamMembership

LIVE_COHORTS = (Cohort.Status.PLANNED, Cohort.Status.RUNNING)


@dataclass(frozen=True)
class Unit:
    """Who owes one piece of work: a team (its current members) or one participant."""

    assignment: Assignment
    team_id: int | None
    person_id: int | None
    due_at: datetime.datetime
    recipients: tuple[User, ...]

    @property
    def key(self) -> str:
        owner = f"team{self.team_id}" if self.team_id else f"person{self.person_id}"
        return f"assignment:{self.assignment.pk}:{owner}:"


def outstanding_units(assignments: list[Assignment]) -> list[Unit]:
    """Every unit of work of ``assignments`` not yet submitted, with its effective (possibly
    extended) due date and the people to tell. Four queries however many there are."""
    if not assignments:
        return []
    ids = [a.pk for a in assignments]
    cohort_ids = {a.cohort_id for a in assignments}
    extended = {
        (e.assignment_id, e.team_id, e.person_id): e.due_at
        for e in Extension.objects.filter(assignment_id__in=ids)
    }
    done = set(
        Submission.objects.filter(assignment_id__in=ids, status=Submission.Status.SUBMITTED)
        .values_list("assignment_id", "team_id", "owner_id")
        .distinct()
    )
    participants: dict[int, list[User]] = defaultdict(list)
    for enrolment in (
        Enrolment.objects.filter(
            cohort_id__in=cohort_ids,
            role=Enrolment.Role.PARTICIPANT,
            status=Enrolment.Status.ENROLLED,
        )
        .select_related("person")
        .order_by("person_id")
    ):
        participants[enrolment.cohort_id].append(enrolment.person)
    active = {(cohort_id, p.pk) for cohort_id, people in participants.items() for p in people}
    teams: dict[int, dict[int, list[User]]] = defaultdict(lambda: defaultdict(list))
    for membership in (
        TeamMembership.objects.current()
        .filter(cohort_id__in=cohort_ids)
        .select_related("person")
        .order_by("team_id", "person_id")
    ):
        if (membership.cohort_id, membership.person_id) in active:
            teams[membership.cohort_id][membership.team_id].append(membership.person)

    units = []
    for assignment in assignments:
        owners: list[tuple[int | None, int | None, list[User]]]
        if assignment.is_team:
            owners = [
                (team_id, None, people) for team_id, people in teams[assignment.cohort_id].items()
            ]
        else:
            owners = [(None, p.pk, [p]) for p in participants[assignment.cohort_id]]
        for team_id, person_id, people in owners:
            unit = (assignment.pk, team_id, person_id)
            if unit in done:
                continue
            due = extended.get(unit, assignment.due_at)
            units.append(Unit(assignment, team_id, person_id, due, tuple(people)))
    return units


def _window(due_at: datetime.datetime, now: datetime.datetime, programme: Programme) -> str | None:
    """Which message ``now`` calls for: "7d"/"1d" before the due date, "overdue-1d"/"overdue-7d"
    after it (the programme's days, or the site's) — the latest whose time has come, so a late
    plan sends one, not a burst."""
    before = programme.effective_assignment_reminder_days
    after = programme.effective_assignment_overdue_days
    if now < due_at:
        passed = [d for d in before if now >= due_at - datetime.timedelta(days=d)]
        return f"{passed[-1]}d" if passed else None
    passed = [d for d in after if now >= due_at + datetime.timedelta(days=d)]
    if not passed or now > due_at + datetime.timedelta(days=passed[-1] + 1):
        return None  # only within a day of each overdue mark, never weeks of catch-up
    return f"overdue-{passed[-1]}d"


def _furthest_reminder_days() -> int:
    """The most days before a due date that any live cohort is reminded: the site's default
    or a programme's own rule, whichever is larger (one query)."""
    own = (
        Programme.objects.filter(cohorts__status__in=LIVE_COHORTS)
        .exclude(assignment_reminder_days=[])
        .values_list("assignment_reminder_days", flat=True)
        .distinct()
    )
    return max([*settings.ASSIGNMENT_REMINDER_DAYS, *(d for days in own for d in days)])


def plan_assignment_reminders(*, now: datetime.datetime) -> int:
    """Record due reminders and overdue notices for unsubmitted work in live cohorts, on the
    days their programme's rule says (or the site's default). Returns how many rows were
    created."""
    horizon_before = datetime.timedelta(days=_furthest_reminder_days() + 1)
    # An extension can only move a date later, so no assignment whose original date is still
    # beyond the horizon can be due; ones long past may have been extended, so they stay in.
    assignments = list(
        Assignment.objects.filter(
            cohort__status__in=LIVE_COHORTS, due_at__lte=now + horizon_before
        ).select_related("cohort__programme")
    )
    created = 0
    for unit in outstanding_units(assignments):
        label = _window(unit.due_at, now, unit.assignment.cohort.programme)
        if label is None:
            continue
        created += _notify_unit(unit, label)
    return created


def _notify_unit(unit: Unit, label: str) -> int:
    assignment = unit.assignment
    cohort = assignment.cohort
    overdue = label.startswith("overdue")
    due_local = unit.due_at.astimezone(cohort.tzinfo)
    due_text = f"{due_local:%A} {due_local.day} {due_local:%B %Y} at {due_local:%H:%M}"
    link = notifications.absolute_url(
        reverse("redesign_projects:assignment_detail", kwargs={"assignment_id": assignment.pk})
    )
    prefix = f"{unit.key}{unit.due_at:%Y%m%dT%H%M}:{label}"
    kind = (
        Notification.Kind.ASSIGNMENT_OVERDUE if overdue else Notification.Kind.ASSIGNMENT_REMINDER
    )
    # One unit's reminders in a fixed number of queries: the sweep replans every minute.
    return notifications.notify_many(
        recipients=unit.recipients,
        kind=kind,
        dedup_key=lambda person: f"{prefix}:{person.pk}",
        template=kind.value,
        context={
            "programme_name": cohort.programme.name,
            **cohort.email_voice(),
            "assignment_title": assignment.title,
            "due_text": due_text,
            "link": link,
        },
        subject=assignment,
        cohort_id=cohort.pk,
    )


def extension_reminders_cancel(extension: Extension) -> int:
    """An extension moved the due date: pending reminders for the old one are dropped (the
    next sweep plans against the new date)."""
    owner = f"team{extension.team_id}" if extension.team_id else f"person{extension.person_id}"
    return notifications.cancel_pending(
        dedup_key_prefix=f"assignment:{extension.assignment_id}:{owner}:"
    )


def feedback_released_notify(feedbacks: list[Feedback]) -> int:
    """Tell the team (or the person) that their feedback is released."""
    created = 0
    for feedback in feedbacks:
        submission = feedback.submission
        assignment = submission.assignment
        if submission.team_id:
            people = [
                m.person
                for m in TeamMembership.objects.current()
                .filter(team_id=submission.team_id)
                .select_related("person")
            ]
        else:
            people = [cast(User, submission.owner)]  # no team: its owner's
        link = notifications.absolute_url(
            reverse("redesign_projects:submission_detail", kwargs={"submission_id": submission.pk})
        )
        created += notifications.notify_many(
            recipients=people,
            kind=Notification.Kind.FEEDBACK_RELEASED,
            # mypy cannot infer a lambda with a default argument (the loop variable bound).
            dedup_key=lambda person, feedback=feedback: f"feedback:{feedback.pk}:{person.pk}",  # type: ignore[misc]
            template="feedback_released",
            context={
                "programme_name": assignment.cohort.programme.name,
                **assignment.cohort.email_voice(),
                "assignment_title": assignment.title,
                "version": submission.version,
                "decision": feedback.get_decision_display(),
                "link": link,
            },
            subject=feedback,
            cohort_id=assignment.cohort_id,
        )
    return created


def plan_faculty_digests(*, now: datetime.datetime) -> int:
    """Once a day per cohort, tell its faculty how many submitted versions await feedback."""
    waiting: defaultdict[int, int] = defaultdict(int)
    for cohort_id in Submission.objects.filter(
        status=Submission.Status.SUBMITTED,
        feedback__isnull=True,
        assignment__cohort__status__in=LIVE_COHORTS,
    ).values_list("assignment__cohort_id", flat=True):
        waiting[cohort_id] += 1
    if not waiting:
        return 0
    created = 0
    faculty = Enrolment.objects.filter(
        cohort_id__in=waiting,
        role=Enrolment.Role.FACULTY,
        status=Enrolment.Status.ENROLLED,
    ).select_related("person", "cohort__programme")
    for enrolment in faculty:
        cohort = enrolment.cohort
        count = waiting[cohort.pk]
        day = now.astimezone(cohort.tzinfo).date()
        row = notifications.notify(
            recipient=enrolment.person,
            kind=Notification.Kind.FACULTY_DIGEST,
            dedup_key=f"faculty-digest:{cohort.pk}:{enrolment.person_id}:{day.isoformat()}",
            template="faculty_digest",
            context={
                "programme_name": cohort.programme.name,
                **cohort.email_voice(),
                "count": count,
                "cohort_name": cohort.name,
                "link": notifications.absolute_url(
                    reverse(
                        "redesign_projects:assignment_overview", kwargs={"cohort_id": cohort.pk}
                    )
                ),
            },
            subject=cohort,
            cohort_id=cohort.pk,
        )
        created += row is not None
    return created


# A reviewer is reminded this many days before their review is due, and once the day after.
PEER_REVIEW_REMINDER_DAYS = 2


def plan_peer_review_reminders(*, now: datetime.datetime) -> int:
    """Remind each reviewer of an allocated review not yet sent: from two days before its due
    date (in the cohort's time zone), and once more the day after it if still not sent. Dedup
    keys carry the due date, so a review whose date moves is reminded afresh. Two queries
    when nothing is due."""
    today = now.date()
    reviews = PeerReview.objects.filter(
        submitted_at__isnull=True,
        # A day of slack either side: each cohort's own date is checked below.
        due_on__lte=today + datetime.timedelta(days=PEER_REVIEW_REMINDER_DAYS + 1),
        due_on__gte=today - datetime.timedelta(days=3),
        submission__assignment__cohort__status__in=LIVE_COHORTS,
    ).select_related(
        "reviewer",
        "submission__team",
        "submission__owner",
        "submission__assignment__cohort__programme",
    )
    created = 0
    for review in reviews:
        cohort = review.submission.assignment.cohort
        local_today = now.astimezone(cohort.tzinfo).date()
        days_left = (review.due_on - local_today).days
        if 0 <= days_left <= PEER_REVIEW_REMINDER_DAYS:
            label = "due"
        elif days_left == -1:
            label = "overdue"
        else:
            continue
        row = notifications.notify(
            recipient=review.reviewer,
            kind=Notification.Kind.PEER_REVIEW_REMINDER,
            dedup_key=f"peer-review:{review.pk}:{review.due_on.isoformat()}:{label}",
            template="peer_review_reminder",
            context={
                "programme_name": cohort.programme.name,
                **cohort.email_voice(),
                "assignment_title": review.submission.assignment.title,
                "work_label": str(review.submission.team or review.submission.owner),
                "due_text": f"{review.due_on:%A} {review.due_on.day} {review.due_on:%B %Y}",
                "overdue": label == "overdue",
                "link": notifications.absolute_url(
                    reverse("redesign_projects:peer_review_detail", kwargs={"review_id": review.pk})
                ),
            },
            subject=review,
            cohort_id=cohort.pk,
        )
        created += row is not None
    return created
