"""Journey 1 of issue 11, in Chromium against a live server: a programme administrator sets up
a cohort from a programme and runs its first week, and the cohort page reflects all of it.

Log in, setting up two-factor authentication on the way → create a cohort → import
participants, fixing a bad row → generate the schedule and move a module → form redesign teams
from the suggestion → pair clinicians with managers from the suggestion → take the register of
the first session → grant an extension → the cohort page shows teams, pairs, the session held
and the overdue work the extension excused.

axe-core checks the pages the main-pages test does not reach: the import with its errors
shown, team formation and the pairing suggestions.

A programme administrator must use two-factor authentication: at their first log-in they are
held at the set-up page until they have confirmed their password and turned on an authenticator
app, and they are shown their recovery codes; the next day's log-in asks for the app's code.

The clock is pinned (the live server runs in this process, so it sees the same time): a week
before the cohort starts, then the evening after its first session.
"""

import datetime
import re
import zoneinfo

import pytest
import time_machine
from playwright.sync_api import Page, expect

from cohorts.models import Cohort, Enrolment
from leadership.models import AuditEvent
from modules.models import Attendance, Module, Session
from modules.services import programme_models_install
from pairings.models import Pairing
from redesign_projects import services as project_services
from redesign_projects.models import Assignment, Extension, RedesignTeam
from tests.a11y.axe import describe, serious_violations
from tests.browser import log_in, set_up_authenticator_app
from tests.cohorts.helpers import csv_bytes, participant_rows
from tests.conftest import PASSWORD
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AUCKLAND = zoneinfo.ZoneInfo("Pacific/Auckland")
STARTS_ON = datetime.date(2027, 3, 1)  # a Monday
A_WEEK_BEFORE = datetime.datetime(2027, 2, 22, 9, 0, tzinfo=AUCKLAND)
AFTER_THE_FIRST_SESSION = datetime.datetime(2027, 3, 2, 18, 0, tzinfo=AUCKLAND)
PARTICIPANTS = 12  # doctors, nurses, allied health, managers and other clinicians in turn


def _csv(rows) -> dict:
    return {"name": "cohort-5.csv", "mimeType": "text/csv", "buffer": csv_bytes(rows)}


def test_an_administrator_sets_up_a_cohort_and_runs_its_first_week(page: Page, live_server):
    page.set_default_timeout(15_000)
    with time_machine.travel(A_WEEK_BEFORE, tick=True) as clock:
        ecm = {p.slug: p for p in programme_models_install()}["enhanced-care-management"]
        admin = UserFactory(email="office@example.org", first_name="Alexandra", last_name="Reid")
        ecm.administrators.add(admin)

        # Log in: the role needs two-factor authentication, so nothing opens until it is on.
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label(re.compile("e-?mail", re.IGNORECASE)).fill(admin.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it is you")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Confirm").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Set up an authenticator app")
        expect(page.get_by_text("Your role needs two-factor authentication")).to_be_visible()
        assert describe(serious_violations(page)) == ""
        page.goto(f"{live_server.url}/cohorts/")  # held at set-up until it is done
        expect(page).to_have_url(re.compile("/accounts/2fa/totp/activate/$"))
        set_up_authenticator_app(page)
        expect(page.get_by_role("heading", level=1)).to_have_text("Recovery codes")
        expect(
            page.get_by_role("list", name="Unused recovery codes").get_by_role("listitem")
        ).to_have_count(10)
        assert describe(serious_violations(page)) == ""
        page.get_by_role("link", name="Continue").click()

        # Create the cohort from the programme.
        page.get_by_role("link", name="New cohort").click()
        page.get_by_label("Programme").select_option(label=ecm.name)
        page.locator("#id_name").fill("Cohort 5")
        page.get_by_label("Start date").fill(STARTS_ON.isoformat())
        page.get_by_role("button", name="Create cohort").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Cohort 5")
        cohort = Cohort.objects.get(name="Cohort 5")
        cohort_page = page.url

        # Import the participants: a bad row is refused with nothing saved, then fixed.
        rows = participant_rows(PARTICIPANTS)
        bad = [row.copy() for row in rows]
        bad[2][0] = "person.3.hospital.example.org"
        page.get_by_role("link", name="Import participants").click()
        page.get_by_label("Participant list").set_input_files(_csv(bad))
        page.get_by_role("button", name="Check the file").click()
        expect(page.get_by_role("alert")).to_contain_text("Row 4, E-mail")
        assert not Enrolment.objects.filter(cohort=cohort).exists()
        assert describe(serious_violations(page)) == ""  # the page with errors is accessible too
        page.get_by_label("Participant list").set_input_files(_csv(rows))
        page.get_by_role("button", name="Check the file").click()
        page.get_by_role("button", name=f"Import {PARTICIPANTS} participants").click()
        expect(
            page.get_by_text(f"Imported {PARTICIPANTS} participants into Cohort 5.")
        ).to_be_visible()

        # Generate the schedule, then move the second module a fortnight later.
        page.goto(f"{live_server.url}/schedule/cohort/{cohort.pk}/")
        page.get_by_role("button", name="Generate schedule").click()
        second = Module.objects.get(cohort=cohort, position=2)
        first_day = second.sessions.order_by("starts_at").first().starts_at.astimezone(AUCKLAND)
        page.get_by_role("link", name=f"Move {second.title}").click()
        page.get_by_label("New first day").fill(
            (first_day.date() + datetime.timedelta(days=14)).isoformat()
        )
        page.get_by_role("button", name="Move", exact=True).click()
        expect(page.get_by_text(f"Moved {second.title}.")).to_be_visible()
        moved = second.sessions.order_by("starts_at").first().starts_at.astimezone(AUCKLAND)
        assert moved.date() == first_day.date() + datetime.timedelta(days=14)

        # Form three redesign teams from the suggestion.
        page.goto(cohort_page)
        page.get_by_role("link", name="Form teams").click()
        page.get_by_role("spinbutton", name="Number of teams").fill("3")
        page.get_by_role("button", name="Suggest again").click()
        assert describe(serious_violations(page)) == ""
        page.get_by_role("button", name="Save all teams").click()
        expect(page.get_by_role("status").filter(has_text="teams were saved")).to_have_text(
            "3 teams were saved."
        )
        assert RedesignTeam.objects.filter(cohort=cohort).count() == 3

        # Pair clinicians with the managers from the suggestion.
        page.goto(f"{live_server.url}/pairings/cohort/{cohort.pk}/suggestions/")
        assert describe(serious_violations(page)) == ""
        page.get_by_role("button", name="Save accepted pairs").click()
        expect(page.get_by_role("status")).to_have_text("Saved 2 pair(s).")
        assert Pairing.objects.filter(cohort=cohort, status="active").count() == 2

        # The first assignment is due the evening after the first session.
        assignment = project_services.assignment_create(
            cohort=cohort,
            title="Problem statement",
            due_at=AFTER_THE_FIRST_SESSION - datetime.timedelta(hours=1),
            kind=Assignment.Kind.TEAM,
            acting_user=admin,
        )

        # The evening after the first session: a new day, so log in again, with the code the
        # authenticator app shows now.
        clock.move_to(AFTER_THE_FIRST_SESSION)
        log_in(page, live_server, admin.email)
        assert AuditEvent.objects.filter(action="auth.login", actor=admin).latest("id").changes[
            "methods"
        ] == ["password", "mfa"]
        page.goto(f"{live_server.url}/schedule/cohort/{cohort.pk}/")
        page.get_by_role("link", name=re.compile("^Register")).first.click()
        present = page.locator("label", has_text=re.compile("^Present$"))
        for index in range(present.count()):
            present.nth(index).click()
        page.get_by_role("button", name="Save register").click()
        expect(page.get_by_text(f"Register saved ({PARTICIPANTS} changed).")).to_be_visible()
        first_session = Session.objects.filter(module__cohort=cohort).order_by("starts_at")[0]
        assert set(Attendance.objects.values_list("session", "status")) == {
            (first_session.pk, "present")
        }

        # Grant the first team an extension.
        first_team = RedesignTeam.objects.filter(cohort=cohort).order_by("name").first()
        page.goto(f"{live_server.url}/projects/assignments/{assignment.pk}/")
        page.get_by_role("link", name="Grant an extension").click()
        page.get_by_role("combobox", name="For").select_option(label=first_team.name)
        page.get_by_label("New due date").fill("2027-03-09T17:00")
        page.get_by_label("Reason").fill("Their clinical lead was on nights.")
        page.get_by_role("button", name="Grant extension").click()
        expect(page.get_by_role("status")).to_have_text("The extension was granted.")
        assert Extension.objects.filter(assignment=assignment, team=first_team).exists()

        # The cohort page reflects all of it.
        page.goto(cohort_page)
        expect(page.locator("[aria-busy=true]")).to_have_count(0)
        teams = page.get_by_role("region", name="Redesign teams")
        expect(teams).to_contain_text(first_team.name)
        expect(teams).to_contain_text("Every participant is in a team.")
        expect(teams).to_contain_text("2 pieces of work overdue.")  # 3 teams, 1 extended
        pairs = page.get_by_role("region", name="Clinician–manager pairings")
        expect(pairs).to_contain_text(re.compile(r"Active pairs\s*2"))
        schedule = page.get_by_role("region", name="Schedule", exact=True)
        expect(schedule).to_contain_text("2 sessions held")  # the first module's two days
        # Present at the first of the two sessions held; the second's register is not taken,
        # so it is left out (not counted as an absence) and the card says so.
        attendance = page.get_by_role("region", name="Attendance", exact=True)
        row = attendance.get_by_role("row", name=re.compile("Given1 Surname-1 "))
        expect(row).to_contain_text("100%")
        expect(attendance).to_contain_text("1 register not taken.")
        expect(page.locator("#needs-attention")).to_contain_text("1 register not taken")
