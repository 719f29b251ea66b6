"""Allocated peer review: the office allocates reviewers (one by one or round-robin avoiding
each reviewer's own team), a reviewer scores the work against the short rubric from their
start page, and the authors read it anonymously when the allocation says so."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cohorts.models import Enrolment
from leadership.models import AuditEvent, Notification, NotificationPreference
from redesign_projects import peer_reviews
from redesign_projects.models import PeerReview
from redesign_projects.reminders import plan_peer_review_reminders

from .helpers import make_assignment, make_team, participant_in, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def peer_world(cohort, participant):
    """Three teams of two (the participant persona leads the first), each with a submitted
    version of one team assignment; peer review on."""
    cohort.peer_review_enabled = True
    cohort.save()
    assignment = make_assignment(cohort, title="Driver diagram")
    teams, work = [], []
    for n in range(3):
        lead = participant if n == 0 else participant_in(cohort, profession="doctor")
        member = participant_in(cohort, profession="nurse")
        team = make_team(cohort, lead=lead, members=[lead, member], name=f"Team {n}")
        teams.append(team)
        work.append(submit(assignment, by=lead, team=team, text=f"Team {n}'s diagram"))
    return {"assignment": assignment, "teams": teams, "work": work}


def _due():
    return timezone.localdate() + datetime.timedelta(days=10)


def _members(team):
    return {m.person_id for m in team.memberships.filter(left_at__isnull=True)}


def test_round_robin_gives_everyone_reviewers_outside_their_own_team_evenly(
    peer_world, administrator
):
    created = peer_reviews.peer_reviews_allocate_round_robin(
        assignment=peer_world["assignment"],
        per_submission=2,
        due_on=_due(),
        anonymous=True,
        acting_user=administrator,
    )
    assert len(created) == 6
    for team, work in zip(peer_world["teams"], peer_world["work"], strict=True):
        reviewers = {r.reviewer_id for r in work.peer_reviews.all()}
        assert len(reviewers) == 2
        assert not reviewers & _members(team)
        assert sorted(r.number for r in work.peer_reviews.all()) == [1, 2]
    # Six people, six reviews: one each.
    loads = [r.reviewer_id for r in PeerReview.objects.all()]
    assert len(set(loads)) == 6
    assert AuditEvent.objects.filter(action="peer_review.allocate").count() == 6
    # Running it again adds nothing.
    again = peer_reviews.peer_reviews_allocate_round_robin(
        assignment=peer_world["assignment"],
        per_submission=2,
        due_on=_due(),
        anonymous=True,
        acting_user=administrator,
    )
    assert again == []


def test_nobody_reviews_their_own_teams_work_and_nothing_is_half_saved(
    peer_world, administrator, participant
):
    with pytest.raises(ValidationError, match="own team"):
        peer_reviews.peer_review_allocate(
            submission=peer_world["work"][0],
            reviewer=participant,
            due_on=_due(),
            anonymous=False,
            acting_user=administrator,
        )
    # With two people gone, Team 0 can have three reviewers but Team 1 cannot: nothing saved.
    gone = [
        person_id
        for team in (peer_world["teams"][0], peer_world["teams"][2])
        for person_id in _members(team) - {team.clinical_lead_id}
    ]
    Enrolment.objects.filter(person__in=gone).update(
        status=Enrolment.Status.WITHDRAWN,
        withdrawn_on=timezone.localdate(),
        withdrawal_reason="Moved away",
    )
    with pytest.raises(ValidationError, match="not enough participants"):
        peer_reviews.peer_reviews_allocate_round_robin(
            assignment=peer_world["assignment"],
            per_submission=3,
            due_on=_due(),
            anonymous=True,
            acting_user=administrator,
        )
    assert not PeerReview.objects.exists()


def test_allocation_needs_peer_review_on_for_the_cohort(peer_world, administrator, participant):
    cohort = peer_world["assignment"].cohort
    cohort.peer_review_enabled = False
    cohort.save()
    with pytest.raises(ValidationError, match="Peer review is off"):
        peer_reviews.peer_review_allocate(
            submission=peer_world["work"][1],
            reviewer=participant,
            due_on=_due(),
            anonymous=False,
            acting_user=administrator,
        )


def test_the_authors_read_reviewer_2_and_the_office_reads_the_name(
    client, peer_world, administrator, participant
):
    work = peer_world["work"][0]  # the participant persona's team's work
    first, second = (
        participant_in(peer_world["assignment"].cohort, first_name=name, last_name="Reviewer")
        for name in ("Aroha", "Mere")
    )
    for reviewer in (first, second):
        peer_reviews.peer_review_allocate(
            submission=work,
            reviewer=reviewer,
            due_on=_due(),
            anonymous=True,
            acting_user=administrator,
        )
    review = PeerReview.objects.get(reviewer=second)
    client.force_login(second)
    url = reverse("redesign_projects:peer_review_detail", args=[review.pk])
    response = client.post(url, {"aim_score": "3", "strengths": ""})
    assert response.status_code == 400  # missing scores and words: nothing saved
    assert not PeerReview.objects.get(pk=review.pk).is_submitted
    response = client.post(
        url,
        {
            "aim_score": "3",
            "evidence_score": "2",
            "next_steps_score": "4",
            "strengths": "<script>alert(1)</script> Clear aim",
            "suggestions": "Add a balancing measure.",
        },
    )
    assert response.status_code == 302
    client.force_login(participant)
    page = client.get(reverse("redesign_projects:submission_detail", args=[work.pk])).content
    page = page.decode()
    assert "Reviewer 2" in page
    assert "Mere Reviewer" not in page
    assert "Add a balancing measure." in page
    assert "&lt;script&gt;" in page and "<script>alert" not in page
    assert "Reviewer 1" not in page  # not sent yet
    client.force_login(administrator)
    page = client.get(reverse("redesign_projects:submission_detail", args=[work.pk])).content
    assert "Mere Reviewer" in page.decode()
    # Only the reviewer writes it, once.
    client.force_login(second)
    assert client.post(url, {"aim_score": "1"}).status_code == 403


def test_the_reviewers_start_page_lists_the_review_to_write(
    client, peer_world, administrator, participant
):
    peer_reviews.peer_review_allocate(
        submission=peer_world["work"][1],
        reviewer=participant,
        due_on=_due(),
        anonymous=True,
        acting_user=administrator,
    )
    client.force_login(participant)
    page = client.get(reverse("home:participant_home")).content.decode()
    assert "Peer reviews to write" in page
    assert "Review Team 1: Driver diagram" in page


def test_reviewers_are_reminded_two_days_before_and_the_day_after(peer_world, administrator):
    review = peer_reviews.peer_review_allocate(
        submission=peer_world["work"][1],
        reviewer=peer_world["teams"][2].clinical_lead,
        due_on=_due(),
        anonymous=True,
        acting_user=administrator,
    )
    tz = peer_world["assignment"].cohort.tzinfo
    due = datetime.datetime.combine(review.due_on, datetime.time(12), tzinfo=tz)
    with time_machine.travel(due - datetime.timedelta(days=5)):
        assert plan_peer_review_reminders(now=timezone.now()) == 0
    with time_machine.travel(due - datetime.timedelta(days=2)):
        assert plan_peer_review_reminders(now=timezone.now()) == 1
        assert plan_peer_review_reminders(now=timezone.now()) == 0
    with time_machine.travel(due + datetime.timedelta(days=1)):
        assert plan_peer_review_reminders(now=timezone.now()) == 1
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert kinds == {"peer_review_reminder"}
    # An opt-out is respected; a sent review is never chased.
    NotificationPreference.objects.create(person=review.reviewer, kind="peer_review_reminder")
    Notification.objects.all().delete()
    with time_machine.travel(due + datetime.timedelta(days=1)):
        assert plan_peer_review_reminders(now=timezone.now()) == 0


@pytest.mark.parametrize("teams", [2, 6])
def test_the_allocation_page_reads_in_the_same_queries_whatever_the_size(
    client, cohort, administrator, teams
):
    cohort.peer_review_enabled = True
    cohort.save()
    assignment = make_assignment(cohort, title="Driver diagram")
    for n in range(teams):
        lead = participant_in(cohort, profession="doctor")
        member = participant_in(cohort, profession="nurse")
        team = make_team(cohort, lead=lead, members=[lead, member], name=f"Team {n}")
        submit(assignment, by=lead, team=team)
    peer_reviews.peer_reviews_allocate_round_robin(
        assignment=assignment, per_submission=2, due_on=_due(), anonymous=True, acting_user=None
    )
    client.force_login(administrator)
    url = reverse("redesign_projects:peer_review_allocation", args=[assignment.pk])
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    # the session with its person; the assignment, its cohort; latest submissions, their members;
    # reviews with reviewers; the viewer's roles (menu); the work to review (rendered select, twice:
    # crispy asks the field and renders it); reviewers.
    assert len(queries) == 10
