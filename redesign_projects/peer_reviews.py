"""Allocated peer review: the programme office gives each submitted piece of redesign work
reviewers from the cohort (one by one, or round-robin avoiding each reviewer's own team); a
reviewer scores it against ``PeerReview.RUBRIC`` and writes what works and what would make it
stronger; the authors read it, anonymously ("Reviewer 2") when the allocation says so.

Writes (``peer_review_*``) and the reads they need live together here rather than in
``services.py``/``selectors.py``, which are at the size where an app splits a module. Every
write runs in one transaction, calls ``full_clean()`` and is audited naming the acting user.
The free-text ``PeerComment`` stays as it was: anyone may comment when peer review is on.
"""

import datetime
from collections import Counter
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.http import Http404
from django.utils import timezone

from cohorts.models import Enrolment
from leadership.models import User
from leadership.services import audit_record

from .models import Assignment, PeerReview, Submission, TeamMembership
from .selectors import ProjectAccess, participants_of, project_access

# --- reads ---------------------------------------------------------------------------------


def latest_submitted(assignment: Assignment) -> list[Submission]:
    """The latest submitted version of each team's (or person's) work on ``assignment``, by
    team or owner name, with its team, owner and members: two queries."""
    latest: dict[tuple[int | None, int | None], Submission] = {}
    for submission in (
        Submission.objects.filter(assignment=assignment, status=Submission.Status.SUBMITTED)
        .select_related("team", "owner")
        .prefetch_related("members")
        .order_by("version", "pk")
    ):
        latest[(submission.team_id, submission.owner_id)] = submission
    return sorted(latest.values(), key=lambda s: (str(s.team or s.owner), s.pk))


def authors_of(submission: Submission) -> set[int]:
    """Whose work it is: its owner, the members recorded when it was submitted and the team's
    current members (reads ``members``; one query for a team's current members)."""
    people = {m.pk for m in submission.members.all()}
    if submission.owner_id:
        people.add(submission.owner_id)
    if submission.team_id:
        people |= set(
            TeamMembership.objects.current()
            .filter(team_id=submission.team_id)
            .values_list("person_id", flat=True)
        )
    return people


@dataclass
class AllocationRow:
    """One piece of work on the office's allocation page, with its reviews."""

    submission: Submission
    reviews: list[PeerReview]


def allocation_rows(assignment: Assignment) -> list[AllocationRow]:
    """Each latest submitted version with its reviews and their reviewers: three queries."""
    submissions = latest_submitted(assignment)
    reviews: dict[int, list[PeerReview]] = {}
    for review in PeerReview.objects.filter(submission__in=submissions).select_related("reviewer"):
        reviews.setdefault(review.submission_id, []).append(review)
    return [AllocationRow(s, reviews.get(s.pk, [])) for s in submissions]


def reviews_for_authors(submission: Submission, *, show_names: bool) -> list[PeerReview]:
    """The submitted reviews of ``submission`` with ``shown_as`` set: the reviewer's name, or
    "Reviewer N" for an anonymous review unless ``show_names`` (the office): one query."""
    reviews = list(
        submission.peer_reviews.filter(submitted_at__isnull=False).select_related("reviewer")
    )
    for review in reviews:
        review.shown_as = review.reviewer_label(show_name=show_names)  # type: ignore[attr-defined]
    return reviews


def reviews_to_do(user: User) -> list[PeerReview]:
    """The reviews allocated to ``user`` and not yet submitted, in cohorts where they still
    take part, soonest due first, with the work's assignment and team or owner: one query."""
    return list(
        PeerReview.objects.filter(
            reviewer=user,
            submitted_at__isnull=True,
            submission__assignment__cohort__enrolments__person=user,
            submission__assignment__cohort__enrolments__role=Enrolment.Role.PARTICIPANT,
            submission__assignment__cohort__enrolments__status__in=Enrolment.ACTIVE_STATUSES,
        )
        .select_related("submission__assignment", "submission__team", "submission__owner")
        .order_by("due_on", "pk")
    )


def get_peer_review_for_user(user, review_id) -> tuple[PeerReview, ProjectAccess]:
    """The review and the viewer's access: its reviewer (to write it) and the cohort's
    administrators (to read it). Everyone else gets 404, even the authors, who read submitted
    reviews on their work's page."""
    review = (
        PeerReview.objects.select_related(
            "reviewer",
            "submission__assignment__cohort__programme",
            "submission__team",
            "submission__owner",
        )
        .filter(pk=review_id)
        .first()
    )
    if review is None or not user.is_authenticated:
        raise Http404("Not found.")
    access = project_access(user, review.submission.assignment.cohort)
    if not (review.reviewer_id == user.pk and access.is_participant) and not access.is_admin:
        raise Http404("Not found.")
    return review, access


# --- writes --------------------------------------------------------------------------------


def _check_reviewable(submission: Submission) -> None:
    cohort = submission.assignment.cohort
    if not cohort.peer_review_enabled:
        raise ValidationError(
            "Peer review is off for this cohort: turn it on in the cohort's settings first."
        )
    if submission.status != Submission.Status.SUBMITTED:
        raise ValidationError("Only submitted work is reviewed.")
    if submission.owner_id and not cohort.peer_review_shows_individual_work:
        raise ValidationError(
            "This cohort does not show individual work to peers, so it cannot be peer reviewed."
        )


def _allocate(
    *,
    submission: Submission,
    reviewer: User,
    due_on: datetime.date,
    anonymous: bool,
    authors: set[int],
    participants: set[int],
    acting_user: User,
) -> PeerReview:
    if reviewer.pk not in participants:
        raise ValidationError({"reviewer": f"{reviewer} is not a participant of this cohort."})
    if reviewer.pk in authors:
        raise ValidationError({"reviewer": f"{reviewer} cannot review their own team's work."})
    if submission.peer_reviews.filter(reviewer=reviewer).exists():
        raise ValidationError({"reviewer": f"{reviewer} already reviews this work."})
    number = (submission.peer_reviews.aggregate(n=Max("number"))["n"] or 0) + 1
    review = PeerReview(
        submission=submission,
        reviewer=reviewer,
        number=number,
        anonymous=anonymous,
        due_on=due_on,
        allocated_by=acting_user,
    )
    review.full_clean()
    review.save()
    audit_record(
        actor=acting_user,
        action="peer_review.allocate",
        target=review,
        cohort_id=submission.assignment.cohort_id,
        person_id=reviewer.pk,
        changes={
            "submission": submission.pk,
            "due_on": due_on.isoformat(),
            "anonymous": anonymous,
        },
    )
    return review


def _check_due(due_on: datetime.date, submission_or_assignment) -> None:
    cohort = submission_or_assignment.cohort
    if due_on < timezone.now().astimezone(cohort.tzinfo).date():
        raise ValidationError({"due_on": "Give a due date from today on."})


@transaction.atomic
def peer_review_allocate(
    *,
    submission: Submission,
    reviewer: User,
    due_on: datetime.date,
    anonymous: bool,
    acting_user: User,
) -> PeerReview:
    """Allocate ``reviewer`` (an active participant who is not one of its authors) to review
    ``submission`` by ``due_on``. The submission row is locked so two allocations at once
    cannot take the same reviewer number. Audited as ``peer_review.allocate``; the reviewer
    sees it on their start page and is reminded by ``plan_peer_review_reminders``."""
    submission = (
        Submission.objects.select_for_update()
        .select_related("assignment__cohort")
        .get(pk=submission.pk)
    )
    _check_reviewable(submission)
    _check_due(due_on, submission.assignment)
    return _allocate(
        submission=submission,
        reviewer=reviewer,
        due_on=due_on,
        anonymous=anonymous,
        authors=authors_of(submission),
        participants=set(
            participants_of(submission.assignment.cohort).values_list("pk", flat=True)
        ),
        acting_user=acting_user,
    )


@transaction.atomic
def peer_reviews_allocate_round_robin(
    *,
    assignment: Assignment,
    per_submission: int,
    due_on: datetime.date,
    anonymous: bool,
    acting_user: User,
) -> list[PeerReview]:
    """Give each latest submitted version up to ``per_submission`` reviewers, all or none.

    Reviewers are the cohort's active participants outside the work's team (and not its
    authors), each next one the least loaded in this assignment, ties broken by a rotation
    through the participants in name order, so the load spreads evenly. Work that already has
    enough reviewers is left alone, so running it twice adds nothing. Raises
    ``ValidationError`` naming the work that cannot get enough reviewers. Each allocation is
    audited as ``peer_review.allocate``."""
    if not 1 <= per_submission <= 3:
        raise ValidationError({"per_submission": "Give each piece of work 1 to 3 reviewers."})
    _check_due(due_on, assignment)
    submissions = latest_submitted(assignment)
    if not submissions:
        raise ValidationError("Nothing has been submitted for this assignment yet.")
    locked = {
        s.pk: s
        for s in Submission.objects.select_for_update(of=("self",))
        .select_related("assignment__cohort")
        .filter(pk__in=[s.pk for s in submissions])
        .order_by("pk")
    }
    people = list(participants_of(assignment.cohort).order_by("last_name", "first_name", "pk"))
    participants = {p.pk for p in people}
    team_of = dict(
        TeamMembership.objects.current()
        .filter(cohort=assignment.cohort)
        .values_list("person_id", "team_id")
    )
    existing = list(PeerReview.objects.filter(submission__assignment=assignment))
    load = Counter(r.reviewer_id for r in existing)
    reviewing: dict[int, set[int]] = {}
    for review in existing:
        reviewing.setdefault(review.submission_id, set()).add(review.reviewer_id)
    created: list[PeerReview] = []
    turn = 0
    for submission in submissions:
        _check_reviewable(locked[submission.pk])
        authors = authors_of(submission)
        already = reviewing.get(submission.pk, set())
        needed = per_submission - len(already)
        candidates = [p for p in people if p.pk not in authors and p.pk not in already]
        if len(candidates) < needed:
            raise ValidationError(
                f"There are not enough participants outside {submission.team or submission.owner} "
                f"to give it {per_submission} reviewer(s)."
            )
        from_team: Counter[int | None] = Counter(team_of.get(p) for p in already)
        for _ in range(max(needed, 0)):
            order = {p.pk: (i - turn) % len(people) for i, p in enumerate(people)}
            # Least loaded first; then someone whose teammates do not review this work yet
            # (spreading one team's reviewers keeps the later teams' reviewers free).
            chosen = min(
                candidates,
                key=lambda p: (load[p.pk], from_team[team_of.get(p.pk)], order[p.pk]),
            )
            from_team[team_of.get(chosen.pk)] += 1
            candidates.remove(chosen)
            load[chosen.pk] += 1
            turn += 1
            created.append(
                _allocate(
                    submission=locked[submission.pk],
                    reviewer=chosen,
                    due_on=due_on,
                    anonymous=anonymous,
                    authors=authors,
                    participants=participants,
                    acting_user=acting_user,
                )
            )
    return created


@transaction.atomic
def peer_review_submit(
    *,
    review: PeerReview,
    aim_score: int,
    evidence_score: int,
    next_steps_score: int,
    strengths: str,
    suggestions: str,
    acting_user: User,
) -> PeerReview:
    """The reviewer sends their review; from then on the authors read it on their work's page
    (as "Reviewer N" when anonymous). Only the reviewer, once. Audited as
    ``peer_review.submit``."""
    review = PeerReview.objects.select_for_update().get(pk=review.pk)
    if review.reviewer_id != acting_user.pk:
        raise PermissionDenied("Only the allocated reviewer writes this review.")
    if review.is_submitted:
        raise ValidationError("This review has already been sent.")
    if not (strengths.strip() or suggestions.strip()):
        raise ValidationError({"strengths": "Say what works well or what would make it stronger."})
    review.aim_score = aim_score
    review.evidence_score = evidence_score
    review.next_steps_score = next_steps_score
    review.strengths = strengths.strip()
    review.suggestions = suggestions.strip()
    review.submitted_at = timezone.now()
    review.full_clean()
    review.save()
    audit_record(
        actor=acting_user,
        action="peer_review.submit",
        target=review,
        cohort_id=review.submission.assignment.cohort_id,
        person_id=acting_user.pk,
        changes={
            "aim_score": aim_score,
            "evidence_score": evidence_score,
            "next_steps_score": next_steps_score,
        },
    )
    return review
