"""Journey 2 of issue 11, in Chromium against a live server: a participant joins a cohort from
their invitation and does a week's work in it.

The administrator enrols them → the invitation e-mail's link lets them set a password → they
see their schedule and subscribe to it (the test fetches the calendar address shown, as a
calendar client would, and parses it) → send apologies for the first session → submit their
team's assignment with a file → enter two values of the team's measure and see the run chart
→ faculty release feedback; the e-mail's link shows it → they resubmit.

axe-core checks the pages of this journey the main-pages test does not reach: setting a
password, sending apologies, adding a data point and a measure with its chart.

The clock is pinned a week before the cohort starts (the live server runs in this process, so
it sees the same time); the first session is still ahead, so apologies can be sent for it.
"""

import datetime
import re
import urllib.request
import zoneinfo

import pytest
import time_machine
from icalendar import Calendar
from playwright.sync_api import Page, expect

from cohorts import services as cohort_services
from cohorts.models import Enrolment
from measures import services as measure_services
from measures.models import DataPoint
from modules import services as module_services
from modules.calendars import session_uid
from modules.models import Attendance, Session
from modules.services import programme_models_install
from redesign_projects import services as project_services
from redesign_projects.models import Assignment, Submission
from tests.a11y.axe import describe, serious_violations
from tests.browser import log_in
from tests.factories import EnrolmentFactory, UserFactory
from tests.redesign_projects.helpers import PDF_BYTES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AUCKLAND = zoneinfo.ZoneInfo("Pacific/Auckland")
STARTS_ON = datetime.date(2027, 3, 1)  # a Monday
A_WEEK_BEFORE = datetime.datetime(2027, 2, 22, 9, 0, tzinfo=AUCKLAND)
EMAIL = "aroha.ngata@hospital.example.org"
NEW_PASSWORD = "kereru tui piwakawaka"


def _accessible(page: Page) -> None:
    assert describe(serious_violations(page)) == ""


def _cohort_with_a_team_and_an_assignment():
    """What the programme office has set up before this participant joins: a cohort with its
    schedule, a faculty member, a redesign team led by another participant, a team assignment
    and the team's measure."""
    ecm = {p.slug: p for p in programme_models_install()}["enhanced-care-management"]
    admin = UserFactory(email="office@example.org", first_name="Alexandra", last_name="Reid")
    ecm.administrators.add(admin)
    cohort = cohort_services.cohort_create(
        programme=ecm, name="Cohort 5", starts_on=STARTS_ON, acting_user=admin
    )
    module_services.schedule_generate(cohort=cohort, acting_user=admin)
    faculty = UserFactory(email="faculty@example.org", first_name="Margaret", last_name="Hume")
    EnrolmentFactory(cohort=cohort, person=faculty, role=Enrolment.Role.FACULTY)
    lead = UserFactory(first_name="Tama", last_name="Wiremu", profession="doctor")
    EnrolmentFactory(cohort=cohort, person=lead, role=Enrolment.Role.PARTICIPANT)
    assignment = project_services.assignment_create(
        cohort=cohort,
        title="Problem statement",
        due_at=datetime.datetime(2027, 3, 5, 17, 0, tzinfo=AUCKLAND),
        kind=Assignment.Kind.TEAM,
        accepted_types=["pdf"],
        acting_user=admin,
    )
    return admin, faculty, lead, cohort, assignment


def test_a_participant_joins_from_the_invitation_and_does_a_weeks_work(
    page: Page, live_server, settings, mailoutbox
):
    settings.SITE_URL = live_server.url  # links in e-mails point at the live server
    with time_machine.travel(A_WEEK_BEFORE, tick=True):
        admin, faculty, lead, cohort, assignment = _cohort_with_a_team_and_an_assignment()

        # The administrator enrols her; the invitation e-mail carries a set-password link.
        cohort_services.person_enrol(
            cohort=cohort,
            email=EMAIL,
            role=Enrolment.Role.PARTICIPANT,
            first_name="Aroha",
            last_name="Ngata",
            profession="nurse",
            acting_user=admin,
        )
        aroha = Enrolment.objects.get(cohort=cohort, person__email=EMAIL).person
        team = project_services.team_create(
            cohort=cohort, name="Flow", clinical_lead=lead, members=[aroha], acting_user=admin
        )
        measure = measure_services.measure_create(
            team=team, name="Discharges before noon", unit="%", better="up", acting_user=lead
        )
        (invitation,) = [m for m in mailoutbox if m.to == [EMAIL]]
        assert "Cohort 5" in invitation.body
        link = re.search(rf"{re.escape(live_server.url)}/\S+", invitation.body).group()

        # She follows the link and sets a password, then logs in with it.
        page.goto(link)
        expect(page.get_by_role("heading", level=1)).to_have_text("Set a new password")
        _accessible(page)
        page.get_by_label(re.compile(r"^\s*New password\W*$", re.IGNORECASE)).fill(NEW_PASSWORD)
        page.get_by_label("New Password (again)").fill(NEW_PASSWORD)
        page.get_by_role("button", name="Set password").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Your password is set")
        log_in(page, live_server, EMAIL, NEW_PASSWORD)

        # Her schedule, and a calendar address a calendar client can read without logging in.
        page.get_by_role("link", name="My schedule").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("My schedule")
        sessions = list(
            Session.objects.filter(module__cohort=cohort, seat_limit=None)
            .select_related("module")
            .order_by("starts_at")
        )
        first = sessions[0]
        expect(page.get_by_role("row")).to_have_count(len(sessions) + 2)  # + header, short course
        page.get_by_role("button", name="Create my calendar address").click()
        feed_url = page.get_by_label("Your calendar address").input_value()
        assert feed_url.startswith(live_server.url)
        with urllib.request.urlopen(feed_url, timeout=10) as response:
            assert response.headers["Content-Type"].startswith("text/calendar")
            feed = Calendar.from_ical(response.read())
        events = {str(e["uid"]): e for e in feed.walk("VEVENT")}
        assert set(events) == {session_uid(s) for s in sessions}
        opening = events[session_uid(first)]
        assert opening.decoded("dtstart") == datetime.datetime(2027, 3, 1, 9, 0, tzinfo=AUCKLAND)
        assert str(opening["summary"]).startswith(first.module.title)

        # Apologies for the first session.
        page.get_by_role("link", name=f"Send apologies for {first.module.title}").first.click()
        page.get_by_role("link", name="Send apologies").click()
        _accessible(page)
        page.get_by_label("Reason").fill("On call for the ward that week.")
        page.get_by_role("button", name="Send apologies").click()
        expect(page.get_by_text("Your apologies have been sent.")).to_be_visible()
        expect(
            page.get_by_text("You sent apologies: “On call for the ward that week.”")
        ).to_be_visible()
        row = Attendance.objects.get(session=first, person=aroha)
        assert (row.status, row.recorded_by) == (Attendance.Status.APOLOGIES, aroha)

        # The team's assignment, with a file.
        page.get_by_role("link", name="My team").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Flow")
        page.get_by_role("link", name="Problem statement").click()
        page.get_by_role("link", name="Start your submission").click()
        page.get_by_label("Text").fill("Half our discharges wait for the afternoon round.")
        page.get_by_label("Add files").set_input_files(
            {"name": "problem.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
        )
        page.get_by_role("button", name="Submit").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("version 1")
        expect(page.get_by_role("link", name="problem.pdf")).to_be_visible()
        version_1 = Submission.objects.get(assignment=assignment, team=team, version=1)
        assert version_1.submitted_by == aroha

        # Two months of the team's measure; the run chart and its text alternative show them.
        page.get_by_role("link", name="Flow").click()
        page.get_by_role("link", name="Discharges before noon").click()
        for n, (period, value) in enumerate((("2027-01-01", "31"), ("2027-02-01", "38"))):
            page.get_by_role("link", name="Add a data point").click()
            if n == 0:
                _accessible(page)  # the form, once
            page.get_by_label("Period").fill(period)
            page.get_by_label("Value").fill(value)
            page.get_by_role("button", name="Save").click()
            expect(page.get_by_role("heading", level=1)).to_have_text("Discharges before noon")
        assert sorted(
            DataPoint.objects.filter(measure=measure).values_list("value", flat=True)
        ) == [
            31,
            38,
        ]
        chart = page.get_by_role("img", name=re.compile("Discharges before noon"))
        expect(chart).to_be_visible()
        tips = chart.locator("g > title").all_text_contents()
        assert any("31" in tip and "Jan 2027" in tip for tip in tips), tips
        assert any("38" in tip and "Feb 2027" in tip for tip in tips), tips
        expect(page.locator(".measure-summary")).to_contain_text("Run chart of 2 points")
        expect(chart.locator("desc")).to_contain_text("Run chart of 2 points")
        table = page.locator(f"#measure-{measure.pk}").get_by_role("table")  # the data table
        expect(table.get_by_role("row", name=re.compile("^Jan 2027"))).to_contain_text("31")
        expect(table.get_by_role("row", name=re.compile("^Feb 2027"))).to_contain_text("38")
        _accessible(page)

        # Faculty release their feedback; the e-mail's link shows it, and she resubmits.
        project_services.feedback_save(
            submission=version_1,
            comments="Say which wards, and add the balancing measure.",
            decision="changes_requested",
            levels={},
            acting_user=faculty,
            release=True,
        )
        (notice,) = [m for m in mailoutbox if m.to == [EMAIL] and "Feedback" in m.subject]
        page.goto(re.search(rf"{re.escape(live_server.url)}/\S+", notice.body).group())
        expect(page.locator("#feedback-decision")).to_have_text("Changes requested")
        expect(page.get_by_text("Say which wards, and add the balancing measure.")).to_be_visible()
        page.get_by_role("link", name="Work on a new version").click()
        page.get_by_label("Text").fill("Wards 4 and 7; balancing measure: readmissions.")
        page.get_by_label("Add files").set_input_files(
            {"name": "problem v2.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
        )
        page.get_by_role("button", name="Submit").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("version 2")
        expect(page.get_by_role("link", name="Version 1")).to_be_visible()
        assert Submission.objects.filter(assignment=assignment, team=team).count() == 2
