"""Action learning sets, leadership challenges and coaching: the rules the services keep, what
each role sees, and flat query counts on the list pages."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cohorts.models import Enrolment
from governance import privacy as governance_privacy
from leadership.privacy import ERASED_TEXT
from learning_sets import services
from learning_sets.models import (
    ActionLearningSet,
    ChallengeOutcome,
    CoachingSession,
    LearningSetMeeting,
)
from learning_sets.privacy import export_learning
from modules.models import Milestone
from reports.data import progress_report_data
from tests.learning_sets.helpers import challenge, coaching, enrol, learning_set

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def members(cohort, participant):
    return [participant, *(enrol(cohort, first_name=f"Member{n}") for n in range(3))]


@pytest.fixture
def the_set(cohort, faculty, members):
    return learning_set(cohort, faculty, members)


# Action learning sets --------------------------------------------------------------------------


def test_a_set_needs_four_to_eight_participants_without_a_set(cohort, faculty, the_set, members):
    with pytest.raises(ValidationError, match="4 to 8 members"):
        learning_set(cohort, faculty, [enrol(cohort) for _ in range(3)], name="Small")
    others = [enrol(cohort) for _ in range(3)]
    with pytest.raises(ValidationError, match="without a set"):
        learning_set(cohort, faculty, [members[0], *others], name="Twice")
    assert ActionLearningSet.objects.count() == 1


def test_only_faculty_or_a_coach_facilitates(cohort, clinical_leader):
    with pytest.raises(ValidationError, match="faculty or a coach"):
        learning_set(cohort, clinical_leader, [enrol(cohort) for _ in range(4)])


def test_the_office_forms_a_set_from_the_form(client, cohort, administrator, faculty):
    people = [enrol(cohort) for _ in range(4)]
    client.force_login(administrator)
    url = reverse("learning_sets:set_create", args=[cohort.pk])
    response = client.post(url, {"name": "Set A", "facilitator": faculty.pk, "members": []})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    data = {"name": "Set A", "facilitator": faculty.pk, "members": [p.pk for p in people]}
    assert client.post(url, data).status_code == 302
    assert set(ActionLearningSet.objects.get().memberships.values_list("person", flat=True)) == {
        p.pk for p in people
    }


def test_a_meeting_counts_only_members_as_present(the_set, faculty, cohort):
    with pytest.raises(ValidationError, match="not a member"):
        services.learning_set_meeting_record(
            learning_set=the_set, met_on=TODAY, attendees=[enrol(cohort)], notes="",
            acting_user=faculty,
        )  # fmt: skip
    assert not LearningSetMeeting.objects.exists()


def test_a_member_sees_the_meetings_and_only_their_own_actions(
    client, the_set, faculty, participant, members
):
    services.learning_set_meeting_record(
        learning_set=the_set, met_on=TODAY, attendees=members[:3], notes="Rota fairness.",
        acting_user=faculty,
    )  # fmt: skip
    for owner, text in ((participant, "Mine to do"), (members[1], "Someone else's")):
        services.learning_set_action_create(
            learning_set=the_set, owner=owner, text=text, due_on=None, acting_user=faculty
        )
    client.force_login(participant)
    html = client.get(reverse("learning_sets:set_detail", args=[the_set.pk])).content.decode()
    assert "Rota fairness." in html and "Absent:</strong> Member2" in html
    assert "Mine to do" in html and "Someone else" not in html
    assert "Record a meeting" not in html


def test_a_cohort_participant_outside_the_set_is_refused(client, cohort, the_set):
    client.force_login(enrol(cohort))
    assert client.get(reverse("learning_sets:set_detail", args=[the_set.pk])).status_code == 403


def test_the_owner_marks_their_action_done_and_a_second_click_changes_nothing(
    client, the_set, faculty, participant
):
    action = services.learning_set_action_create(
        learning_set=the_set, owner=participant, text="Ask", due_on=None, acting_user=faculty
    )
    client.force_login(participant)
    url = reverse("learning_sets:action_mark", args=[action.pk])
    client.post(url, {"done": "1", "next": "mine"})
    client.post(url, {"done": "1", "next": "mine"})
    action.refresh_from_db()
    assert action.done_on == TODAY


@pytest.mark.parametrize("sets", [1, 4])
def test_the_set_list_runs_the_same_queries_however_many_sets(
    client, cohort, administrator, faculty, sets, django_assert_num_queries
):
    for number in range(sets):
        made = learning_set(cohort, faculty, [enrol(cohort) for _ in range(4)], name=f"S{number}")
        services.learning_set_action_create(
            learning_set=made, owner=made.memberships.first().person, text="x", due_on=None,
            acting_user=faculty,
        )  # fmt: skip
    client.force_login(administrator)
    # the session with its person, cohort with roles (in it, and everywhere for the menu), sets with
    # counts, their members, participants in no set
    with django_assert_num_queries(5):
        response = client.get(reverse("learning_sets:set_list", args=[cohort.pk]))
    assert response.status_code == 200


# Leadership challenges --------------------------------------------------------------------------


def test_an_outcome_needs_a_level_for_every_criterion(cohort, faculty, participant):
    made = challenge(cohort)
    with pytest.raises(ValidationError, match="every criterion"):
        services.challenge_outcome_record(
            challenge=made, participant=participant, levels=[2], observation="", acting_user=faculty
        )  # fmt: skip
    assert not ChallengeOutcome.objects.exists()


def test_faculty_record_an_outcome_and_the_participant_sees_only_theirs(
    client, cohort, faculty, participant, administrator
):
    made = challenge(cohort)
    other = enrol(cohort, first_name="Other")
    services.challenge_outcome_record(
        challenge=made, participant=other, levels=[1, 1], observation="Quiet.", acting_user=faculty
    )
    client.force_login(faculty)
    url = reverse("learning_sets:outcome_record", args=[made.pk, participant.pk])
    assert client.post(url, {"criterion_0": "3"}).status_code == 200  # one level missing
    data = {"criterion_0": "3", "criterion_1": "2", "observation": "Held the room."}
    assert client.post(url, data).status_code == 302

    client.force_login(participant)
    html = client.get(reverse("learning_sets:challenge_detail", args=[made.pk])).content.decode()
    assert "Held the room." in html and "Quiet." not in html
    assert "Holds the room: <strong>Strong</strong>" in html

    client.force_login(administrator)
    record = reverse("reports:person_detail", args=[cohort.pk, participant.pk])
    assert "Held the room." in client.get(record).content.decode()
    (summary,) = progress_report_data(cohort).challenges
    assert summary.observed == 2
    assert summary.criteria[0] == (
        "Holds the room",
        [("Not yet", 1), ("Developing", 0), ("Strong", 1)],
    )


def test_the_office_sets_a_challenge_that_ends_a_trimester_milestone_of_the_cohort(
    client, cohort, other_cohort, administrator, participant
):
    ends = Milestone.objects.create(
        cohort=cohort,
        name="Trimester 1 leadership challenge",
        kind="leadership_challenge",
        due_on=datetime.date(2026, 12, 3),
    )
    elsewhere = Milestone.objects.create(
        cohort=other_cohort, name="Not this cohort's", due_on=datetime.date(2026, 12, 3)
    )
    client.force_login(administrator)
    url = reverse("learning_sets:challenge_create", args=[cohort.pk])
    form = client.get(url).content.decode()
    assert "Trimester 1 leadership challenge (3 Dec 2026)" in form
    assert "Not this cohort&#x27;s" not in form
    data = {
        "trimester": 1,
        "title": "The huddle",
        "held_on": "2026-11-26",
        "brief": "Lead a huddle.",
        "rubric_text": "Holds the room: Not yet | Strong",
    }
    response = client.post(url, {**data, "milestone": elsewhere.pk})
    assert response.status_code == 200
    assert not cohort.leadership_challenges.exists()
    with pytest.raises(ValidationError, match="milestone of this cohort"):
        services.challenge_create(
            cohort=cohort, trimester=1, title="T", held_on=TODAY, brief="B",
            rubric=[("C", ["1", "2"])], milestone=elsewhere, acting_user=administrator,
        )  # fmt: skip
    assert client.post(url, {**data, "milestone": ends.pk}).status_code == 302
    made = cohort.leadership_challenges.get()
    assert made.milestone == ends

    client.force_login(participant)
    html = client.get(reverse("learning_sets:challenge_detail", args=[made.pk])).content.decode()
    assert "Ends trimester 1 (3 December 2026)" in html


def test_a_participant_cannot_record_an_outcome(client, cohort, participant):
    made = challenge(cohort)
    client.force_login(participant)
    url = reverse("learning_sets:outcome_record", args=[made.pk, participant.pk])
    assert client.get(url).status_code == 403


# Coaching ---------------------------------------------------------------------------------------


def test_a_coach_cannot_log_a_session_before_signing_the_code(client, cohort, participant):
    coach = enrol(cohort, role=Enrolment.Role.COACH, first_name="Judith")
    assignment = coaching(cohort, coach, participant, sign=False)
    with pytest.raises(ValidationError, match="code of ethics"):
        services.coaching_session_log(
            assignment=assignment, held_on=TODAY, duration_minutes=60, private_note="",
            acting_user=coach,
        )  # fmt: skip
    client.force_login(coach)
    url = reverse("learning_sets:coaching_session_create", args=[assignment.pk])
    response = client.get(url)
    assert response["Location"] == reverse("learning_sets:ethics_agree")
    response = client.post(response["Location"], {"signed_name": "Judith", "agree": "on"})
    assert response.status_code == 302
    assert client.post(url, {"held_on": TODAY, "duration_minutes": 50}).status_code == 302
    assert CoachingSession.objects.get().duration_minutes == 50


def test_the_note_is_read_by_coach_and_coachee_and_the_office_sees_counts(
    client, cohort, participant, administrator
):
    coach = enrol(cohort, role=Enrolment.Role.COACH)
    assignment = coaching(cohort, coach, participant)
    services.coaching_session_log(
        assignment=assignment, held_on=TODAY - datetime.timedelta(days=1), duration_minutes=90,
        private_note="Boundaries with partners.", acting_user=coach,
    )  # fmt: skip
    for person in (coach, participant):
        client.force_login(person)
        assert (
            "Boundaries with partners."
            in client.get(reverse("learning_sets:my_learning")).content.decode()
        )
    client.force_login(enrol(cohort))
    assert "Boundaries" not in client.get(reverse("learning_sets:my_learning")).content.decode()
    client.force_login(administrator)
    html = client.get(reverse("learning_sets:coaching_overview", args=[cohort.pk])).content.decode()
    assert "Boundaries" not in html
    assert "<td>1</td>" in html and "<td>1.5</td>" in html


def test_someone_who_only_coaches_starts_on_their_coaching_page(client, cohort):
    client.force_login(enrol(cohort, role=Enrolment.Role.COACH))
    assert client.get(reverse("home"))["Location"] == reverse("learning_sets:my_learning")


@pytest.mark.parametrize("coachees", [1, 5])
def test_the_coaching_overview_runs_the_same_queries_however_many_coachees(
    client, cohort, administrator, coachees, django_assert_num_queries
):
    coach = enrol(cohort, role=Enrolment.Role.COACH)
    for _ in range(coachees):
        coaching(cohort, coach, enrol(cohort))
    client.force_login(administrator)
    # the session with its person, cohort with roles (in it, and everywhere for the menu), coaches,
    # signatures, assignments with counts, the form's two choice lists
    with django_assert_num_queries(7):
        response = client.get(reverse("learning_sets:coaching_overview", args=[cohort.pk]))
    assert response.status_code == 200


# Privacy ----------------------------------------------------------------------------------------


def test_the_export_holds_a_persons_notes_outcomes_and_coaching_and_erasure_clears_them(
    cohort, faculty, participant, the_set, administrator
):
    coach = enrol(cohort, role=Enrolment.Role.COACH)
    services.coaching_session_log(
        assignment=coaching(cohort, coach, participant), held_on=TODAY, duration_minutes=60,
        private_note="About delegation.", acting_user=coach,
    )  # fmt: skip
    services.challenge_outcome_record(
        challenge=challenge(cohort), participant=participant, levels=[2, 2],
        observation="Steady.", acting_user=faculty,
    )  # fmt: skip
    services.learning_set_action_create(
        learning_set=the_set, owner=participant, text="Call the PCN lead", due_on=None,
        acting_user=faculty,
    )  # fmt: skip
    data = export_learning(participant, None).sections
    assert data["coaching_sessions"][0]["note"] == "About delegation."
    assert data["coaching_sessions"][0]["with"] == f"person #{coach.pk}"
    assert data["leadership_challenge_outcomes"][0]["observation"] == "Steady."
    assert data["learning_set_actions"][0]["action"] == "Call the PCN lead"

    governance_privacy.person_erase(person=participant, acting_user=administrator)
    assert CoachingSession.objects.get().private_note == ERASED_TEXT
    assert ChallengeOutcome.objects.get().observation == ERASED_TEXT
    assert ChallengeOutcome.objects.get().levels == [2, 2]  # the figures stay
