"""The three people who use this app, each from their start page in a real browser: the
facilitator records a set's meeting and an action and observes a participant's leadership
challenge; the participant finds both; a coach signs the code of ethics and logs a session."""

import re

import pytest
from playwright.sync_api import Page, expect

from cohorts.models import Enrolment
from learning_sets.models import ChallengeOutcome, CoachingSession, LearningSetMeeting
from tests.browser import log_in
from tests.learning_sets.helpers import challenge, coaching, enrol, learning_set

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_facilitator_a_participant_and_a_coach_use_sets_challenges_and_coaching(
    page: Page, live_server, cohort, faculty, participant
):
    others = [enrol(cohort, first_name=name, last_name="Test") for name in ("Ben", "Cat", "Dan")]
    the_set = learning_set(cohort, faculty, [participant, *others])
    made = challenge(cohort)
    coach = enrol(cohort, role=Enrolment.Role.COACH, first_name="Judith", last_name="Okoro")
    coaching(cohort, coach, participant, sign=False)

    # The facilitator: start page → their set → a meeting (Dan absent) and an action.
    log_in(page, live_server, faculty.email)
    page.get_by_role("link", name=re.compile("^Learning sets and challenges")).click()
    page.get_by_role("link", name="Set A").click()
    page.get_by_role("link", name="Record a meeting").click()
    page.get_by_label("Dan Test").uncheck()
    page.get_by_label("Notes").fill("Winter access: what the data says.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Meeting recorded.")
    expect(page.get_by_role("article")).to_contain_text("Absent: Dan Test")
    page.get_by_role("link", name="Record an action").click()
    page.get_by_label("Whose action").select_option(label=str(participant))
    page.get_by_label(re.compile(r"^\s*Action")).fill("Pull three months of same-day demand data")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Action recorded.")
    assert LearningSetMeeting.objects.get().attendees.count() == 3

    # …then observes the participant in the challenge.
    page.get_by_role("link", name="Learning sets and coaching").first.click()
    page.get_by_role("link", name=str(made)).click()
    page.get_by_role("link", name=f"Record the outcome of {participant}").click()
    page.get_by_role("group", name=re.compile("Holds the room")).get_by_label("Strong").check()
    page.get_by_role("group", name=re.compile("Uses data")).get_by_label("Developing").check()
    page.get_by_label("Observation").fill("Opened with the chart; calm under challenge.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text(f"Outcome recorded for {participant}.")
    assert ChallengeOutcome.objects.get().levels == [3, 2]

    # The participant: start page → their action, their set's meeting, their outcome.
    page.context.clear_cookies()
    log_in(page, live_server, participant.email)
    page.get_by_role("link", name=re.compile("^Your action learning set")).click()
    expect(page.get_by_role("region", name="Your actions")).to_contain_text("same-day demand")
    expect(page.get_by_role("region", name="Leadership challenges")).to_contain_text(
        "Holds the room: Strong; Uses data: Developing"
    )
    page.get_by_role("link", name="Set A").click()
    expect(page.get_by_role("article")).to_contain_text("Winter access: what the data says.")

    # The coach starts on their coaching page, signs the code, then logs a session.
    page.context.clear_cookies()
    log_in(page, live_server, coach.email)
    page.get_by_role("link", name="Sign the coaching code of ethics").click()
    page.get_by_label("Your full name").fill("Judith Okoro")
    page.get_by_label("I have read the code of ethics").check()
    page.get_by_role("button", name="Sign").click()
    expect(page.get_by_role("status")).to_have_text("Thank you: your agreement is recorded.")
    page.get_by_role("link", name=f"Log a session with {participant}").click()
    page.get_by_label("Minutes").fill("45")
    page.get_by_label("Private note").fill("Goals for the year.")
    page.get_by_role("button", name="Log the session").click()
    expect(page.get_by_role("status")).to_have_text("Coaching session logged.")
    expect(page.get_by_role("region", name="People you coach")).to_contain_text(
        "Goals for the year."
    )
    assert CoachingSession.objects.get().duration_minutes == 45
    assert the_set.actions.get().owner == participant
