"""Each role's start page is a to-do list: every item links to the page where the work is done,
empty lists say what will appear and when, and each page runs the same number of queries for a
small and a large cohort."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cohorts.models import Enrolment
from leadership.models import AuditEvent, Notification
from measures import services as measure_services
from modules.models import Session
from pairings.models import Pairing
from redesign_projects import services as project_services
from redesign_projects.models import Assignment, FeedbackRead
from reports.models import ReportRequest
from tests.factories import CohortFactory, EnrolmentFactory, UserFactory
from tests.modules.helpers import make_module, register_taken
from tests.pairings.helpers import manager_in, pair
from tests.redesign_projects.helpers import make_assignment, make_team, participant_in, submit

pytestmark = pytest.mark.django_db


def _held(module, hours_ago: float, *, taken: bool = False) -> Session:
    start = timezone.now() - datetime.timedelta(hours=hours_ago)
    session = Session.objects.create(
        module=module, starts_at=start, ends_at=start + datetime.timedelta(hours=2)
    )
    if taken:
        register_taken(session)
    return session


def teaching_world(cohort, faculty, *, teams: int, sessions: int) -> dict:
    """``teams`` teams of three, a team assignment every team submitted (one version each,
    then a second version for the first team), an individual assignment everyone submitted,
    draft feedback by ``faculty`` on one team's work, ``sessions`` held sessions without a
    register, one with, and an extension."""
    made, people = [], []
    for n in range(teams):
        members = [participant_in(cohort, profession="doctor") for _ in range(3)]
        people += members
        made.append(make_team(cohort, lead=members[0], members=members[1:], name=f"Team {n:02d}"))
    team_work = make_assignment(cohort, title="Aim statement", days=3)
    own_work = make_assignment(cohort, title="Reflection", days=5, kind=Assignment.Kind.INDIVIDUAL)
    firsts = [submit(team_work, by=t.clinical_lead, team=t) for t in made]
    second = submit(team_work, by=made[0].clinical_lead, team=made[0], text="Version 2")
    for person in people:
        submit(own_work, by=person, owner=person)
    draft = project_services.feedback_save(
        submission=firsts[-1],
        comments="Good start",
        decision="accepted",
        levels={},
        acting_user=faculty,
    )
    module = make_module(cohort, title="Strategy")
    missing = [_held(module, 30 * (n + 1)) for n in range(sessions)]
    _held(module, 5, taken=True)
    project_services.extension_grant(
        assignment=team_work,
        team=made[-1],
        due_at=team_work.due_at + datetime.timedelta(days=7),
        reason="Lead on leave",
        acting_user=faculty,
    )
    return {"teams": made, "second": second, "draft": draft, "missing": missing}


# --- Faculty -------------------------------------------------------------------------------


@pytest.mark.parametrize(("teams", "sessions"), [(1, 1), (5, 4)])
def test_faculty_see_their_work_in_seven_queries_whatever_the_size(
    client, cohort, faculty, teams, sessions, django_assert_num_queries
):
    world = teaching_world(cohort, faculty, teams=teams, sessions=sessions)
    client.force_login(faculty)
    # the session with its person, their roles (menu); their cohorts, submissions waiting, their
    # unreleased feedback, registers to take, extensions in force.
    with django_assert_num_queries(7):
        response = client.get(reverse("home:faculty_home"))
    todo = response.context["todo"]
    # Every team's latest version but the one with (draft) feedback — with one team, its
    # second version is the latest — and every person's own.
    assert len(todo.waiting) == (teams - 1 if teams > 1 else 1) + teams * 3
    assert world["second"] in todo.waiting
    assert [f.pk for f in todo.drafts] == [world["draft"].pk]
    assert [s.pk for s in todo.registers] == [s.pk for s in world["missing"]]
    assert len(todo.extensions) == 1


def test_each_faculty_item_links_to_where_the_work_is_done(client, cohort, faculty):
    world = teaching_world(cohort, faculty, teams=2, sessions=1)
    client.force_login(faculty)
    page = client.get(reverse("home:faculty_home")).content.decode()
    second = world["second"]
    assert reverse("redesign_projects:submission_detail", args=[second.pk]) in page
    assert reverse("redesign_projects:feedback_edit", args=[second.pk]) in page
    draft_submission = world["draft"].submission_id
    assert reverse("redesign_projects:submission_detail", args=[draft_submission]) in page
    assert reverse("modules:attendance_register", args=[world["missing"][0].pk]) in page
    assert reverse("redesign_projects:assignment_overview", args=[cohort.pk]) in page
    # A superseded version is not waiting: only the team's latest is.
    first_of_team_0 = world["teams"][0].submissions.get(version=1)
    assert (
        f'href="{reverse("redesign_projects:submission_detail", args=[first_of_team_0.pk])}"'
        not in page
    )


def test_todays_registers_come_first(client, cohort, faculty):
    module = make_module(cohort)
    older = _held(module, 24 * 3)
    tz = cohort.tzinfo
    local_now = timezone.now().astimezone(tz)
    today_start = local_now.replace(hour=0, minute=1, second=0, microsecond=0)
    today = Session.objects.create(
        module=module, starts_at=today_start, ends_at=today_start + datetime.timedelta(minutes=1)
    )
    client.force_login(faculty)
    todo = client.get(reverse("home:faculty_home")).context["todo"]
    assert [s.pk for s in todo.registers] == [today.pk, older.pk]
    assert todo.registers[0].is_today


def test_faculty_see_nothing_of_cohorts_they_do_not_teach(client, cohort, other_cohort, faculty):
    teaching_world(other_cohort, UserFactory(), teams=1, sessions=1)
    client.force_login(faculty)
    todo = client.get(reverse("home:faculty_home")).context["todo"]
    assert (todo.waiting, todo.drafts, todo.registers, todo.extensions) == ([], [], [], [])


def test_an_empty_faculty_page_says_what_will_appear_and_when(client, cohort, faculty):
    client.force_login(faculty)
    page = client.get(reverse("home:faculty_home")).content.decode()
    assert "Nothing is waiting for you right now." in page
    assert "When a team or a participant submits work in a cohort you teach" in page
    assert "Feedback you save as a draft appears here until you release it." in page
    assert "Once a session of a cohort you teach starts, its register appears here" in page


def test_names_people_typed_are_escaped_on_the_faculty_page(client, cohort, faculty):
    lead = participant_in(cohort, profession="doctor")
    team = make_team(cohort, lead=lead, name="<script>alert(1)</script>")
    submit(make_assignment(cohort, title="<b>Aim</b>"), by=lead, team=team)
    client.force_login(faculty)
    page = client.get(reverse("home:faculty_home")).content.decode()
    assert "<script>alert(1)</script>" not in page and "<b>Aim</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# --- Participants ----------------------------------------------------------------------------


def participant_world(cohort, participant, *, teams: int) -> dict:
    """The participant leads a team among ``teams``; team and individual assignments due,
    overdue and sent back for changes; released feedback; a pairing; a team measure."""
    participant.profession = "doctor"
    participant.save()
    mine = make_team(cohort, lead=participant, name="Flow team")
    for n in range(teams - 1):
        make_team(cohort, lead=participant_in(cohort, profession="doctor"), name=f"Team {n}")
    due_team = make_assignment(cohort, title="Driver diagram", days=4)
    due_own = make_assignment(
        cohort, title="Personal leadership plan", days=9, kind=Assignment.Kind.INDIVIDUAL
    )
    late = make_assignment(cohort, title="Stakeholder map", days=-2)
    sent_back = make_assignment(cohort, title="Aim statement", days=-10)
    version = submit(sent_back, by=participant, team=mine)
    feedback = project_services.feedback_save(
        submission=version,
        comments="Say by when.",
        decision="changes_requested",
        levels={},
        acting_user=UserFactory(),
        release=True,
    )
    partner = manager_in(cohort)
    pairing = pair(cohort, participant, partner)
    measure = measure_services.measure_create(
        team=mine, acting_user=participant, name="Discharges before noon", unit="%"
    )
    return {
        "team": mine,
        "due": [due_team, due_own],
        "late": late,
        "sent_back": sent_back,
        "feedback": feedback,
        "pairing": pairing,
        "measure": measure,
    }


@pytest.mark.parametrize("teams", [1, 4])
def test_a_participant_sees_their_work_in_three_queries_whatever_the_size(
    client, cohort, participant, teams, django_assert_num_queries
):
    world = participant_world(cohort, participant, teams=teams)
    client.force_login(participant)
    # the session with its person, their roles (menu); their whole to-do list
    # (home/participant_todo.py).
    with django_assert_num_queries(3):
        response = client.get(reverse("home:participant_home"))
    todo = response.context["todo"]
    assert [item.assignment for item in todo.due] == world["due"]
    assert [item.assignment for item in todo.overdue] == [world["late"]]
    assert [item.assignment for item in todo.to_revise] == [world["sent_back"]]
    assert todo.unread_feedback == [world["feedback"]]
    assert todo.stale_measures == [world["measure"]]
    (step,) = todo.pairing_steps
    assert step.text == "Log your first shadowing session."


def test_a_participant_is_led_to_individual_work_and_feedback_stops_being_unread(
    client, cohort, participant
):
    world = participant_world(cohort, participant, teams=1)
    client.force_login(participant)
    page = client.get(reverse("home:participant_home")).content.decode()
    own = world["due"][1]
    assert reverse("redesign_projects:assignment_detail", args=[own.pk]) in page
    assert "Individual" in page and "Team: Flow team" in page
    submission_url = reverse(
        "redesign_projects:submission_detail", args=[world["feedback"].submission_id]
    )
    assert submission_url in page
    assert reverse("pairings:pairing_detail", args=[world["pairing"].pk]) in page
    assert reverse("measures:measure_detail", args=[world["measure"].pk]) in page

    client.get(submission_url)  # reading it
    client.get(submission_url)  # twice is still once
    assert FeedbackRead.objects.filter(person=participant).count() == 1
    todo = client.get(reverse("home:participant_home")).context["todo"]
    assert todo.unread_feedback == []


def test_next_sessions_offer_apologies_until_they_are_sent(client, cohort, participant):
    module = make_module(cohort)
    start = timezone.now() + datetime.timedelta(days=3)
    session = Session.objects.create(
        module=module, starts_at=start, ends_at=start + datetime.timedelta(hours=3)
    )
    client.force_login(participant)
    page = client.get(reverse("home:participant_home")).content.decode()
    assert reverse("modules:apology_send", args=[session.pk]) in page
    client.post(reverse("modules:apology_send", args=[session.pk]), {"reason": "On call"})
    page = client.get(reverse("home:participant_home")).content.decode()
    assert reverse("modules:apology_send", args=[session.pk]) not in page
    assert "Apologies sent" in page


def test_a_participant_without_a_team_is_told_why_team_work_is_missing(client, cohort, participant):
    make_assignment(cohort, title="Driver diagram")
    own = make_assignment(cohort, title="Reflection", kind=Assignment.Kind.INDIVIDUAL)
    client.force_login(participant)
    response = client.get(reverse("home:participant_home"))
    assert [item.assignment for item in response.context["todo"].due] == [own]
    assert "You are not in a redesign team in Cohort 3 yet" in response.content.decode()


def test_an_empty_participant_page_says_what_will_appear_and_when(client, cohort, participant):
    client.force_login(participant)
    page = client.get(reverse("home:participant_home")).content.decode()
    assert "Nothing is due." in page and "when the programme office sets them" in page
    assert "When faculty release feedback on your (or your team" in page
    assert "Sessions appear here once the programme office schedules them." in page
    assert "When the programme office pairs you with a partner" in page


# --- The programme office ------------------------------------------------------------------


def office_world(cohort, *, teams: int, sessions: int) -> None:
    """Every cause: registers not taken, invitations not accepted, overdue work (team and
    individual), participants in no team, an active pairing without shadowing, a failed
    report."""
    made = []
    for n in range(teams):
        lead = participant_in(cohort, profession="doctor")
        made.append(make_team(cohort, lead=lead, name=f"Team {n:02d}"))
    participant_in(cohort, profession="doctor")  # in no team
    invited = UserFactory()
    invited.set_unusable_password()
    invited.save()
    EnrolmentFactory(cohort=cohort, person=invited, role=Enrolment.Role.PARTICIPANT)
    make_assignment(cohort, title="Overdue team work", days=-3)
    make_assignment(cohort, title="Overdue own work", days=-3, kind=Assignment.Kind.INDIVIDUAL)
    module = make_module(cohort, title="Strategy")
    for n in range(sessions):
        _held(module, 30 * (n + 1))
    pair(cohort, participant_in(cohort, profession="doctor"), manager_in(cohort))
    ReportRequest.objects.create(
        cohort=cohort,
        kind=ReportRequest.Kind.PROGRESS,
        requested_by=UserFactory(),
        status=ReportRequest.Status.FAILED,
        error="boom",
    )


@pytest.mark.parametrize(("cohorts", "teams"), [(1, 1), (3, 4)])
def test_the_office_sees_every_cause_in_twelve_queries_whatever_the_size(
    client, programme, cohort, administrator, cohorts, teams, django_assert_num_queries
):
    office_world(cohort, teams=teams, sessions=2)
    for n in range(cohorts - 1):
        office_world(CohortFactory(programme=programme, name=f"Extra {n}"), teams=teams, sessions=3)
    client.force_login(administrator)
    # the session with its person, their roles (check and menu); live cohorts; then the nine of
    # attention_for_cohorts: enrolments, registers, teams, memberships, assignments past
    # due, their extensions, their submitted units, pairings without shadowing, failed reports.
    with django_assert_num_queries(12):
        response = client.get(reverse("home:office_home"))
    (first,) = [a for a in response.context["attention"] if a.cohort == cohort]
    # Participants: the team leads, one in no team, one invited, the pair (in no team).
    assert [(item.key, item.count) for item in first.items] == [
        ("setup", 1),  # no clinical leader
        ("setup", 1),  # no faculty
        ("registers", 2),
        ("invitations", 1),
        ("overdue", teams + (teams + 4)),  # each team's work, everyone's own
        ("unplaced", 4),
        ("shadowing", 1),
        ("reports", 1),
    ]


def test_each_cause_has_a_link_and_the_overdue_work_is_split_by_team(
    client, cohort, administrator, clinical_leader, faculty
):
    office_world(cohort, teams=2, sessions=1)
    client.force_login(administrator)
    page = client.get(reverse("home:office_home")).content.decode()
    for url in (
        reverse("modules:cohort_attendance", args=[cohort.pk]) + "#registers-missing",
        reverse("cohorts:invitation_list", args=[cohort.pk]),
        reverse("redesign_projects:assignment_overview", args=[cohort.pk]),
        reverse("redesign_projects:team_formation", args=[cohort.pk]),
        reverse("pairings:cohort_overview", args=[cohort.pk]),
        reverse("reports:report_list", args=[cohort.pk]),
    ):
        assert f'href="{url}"' in page, url
    assert "1 register not taken" in page
    assert "1 invitation not accepted" in page
    assert "1 pairing with no shadowing logged" in page
    assert "1 report failed" in page
    overview = reverse("redesign_projects:assignment_overview", args=[cohort.pk])
    team = cohort.redesign_teams.get(name="Team 00")
    assert f'href="{overview}?team={team.pk}"' in page
    assert "Not in a team" in page


def test_a_report_built_since_it_failed_needs_no_attention(client, cohort, administrator):
    office_world(cohort, teams=1, sessions=0)
    ReportRequest.objects.create(
        cohort=cohort,
        kind=ReportRequest.Kind.PROGRESS,
        requested_by=administrator,
        status=ReportRequest.Status.READY,
        file="reports/progress.pdf",
        requested_at=timezone.now() + datetime.timedelta(minutes=1),
    )
    client.force_login(administrator)
    (item,) = client.get(reverse("home:office_home")).context["attention"]
    assert "reports" not in {cause.key for cause in item.items}


def test_the_cohort_page_loads_the_same_list(client, cohort, administrator, clinical_leader):
    office_world(cohort, teams=1, sessions=1)
    client.force_login(administrator)
    url = reverse("home:cohort_attention", args=[cohort.pk])
    assert (
        f'hx-get="{url}"'
        in client.get(reverse("cohorts:cohort_detail", args=[cohort.pk])).content.decode()
    )
    page = client.get(url).content.decode()
    assert reverse("cohorts:invitation_list", args=[cohort.pk]) in page
    # The clinical leader reads the causes; links only to pages they may open.
    client.force_login(clinical_leader)
    page = client.get(url).content.decode()
    assert "1 invitation not accepted" in page
    assert reverse("cohorts:invitation_list", args=[cohort.pk]) not in page
    assert reverse("reports:report_list", args=[cohort.pk]) in page


def test_an_office_without_live_cohorts_is_told_what_will_appear(
    client, cohort, other_cohort, administrator
):
    cohort.status = other_cohort.status = "completed"
    cohort.save()
    other_cohort.save()
    client.force_login(administrator)
    page = client.get(reverse("home:office_home")).content.decode()
    assert "No cohort of your programmes is planned or running." in page
    assert reverse("blueprints:cohort_create") in page


def test_a_cohort_with_nothing_to_do_is_all_clear(
    client, cohort, administrator, faculty, clinical_leader, participant
):
    cohort.refresh_from_db()
    client.force_login(administrator)
    response = client.get(reverse("home:office_home"))
    item = next(a for a in response.context["attention"] if a.cohort == cohort)
    assert item.items == []
    assert "Nothing needs attention in Cohort 3 right now." in response.content.decode()


# --- Invitations ----------------------------------------------------------------------------


def _invited(cohort, email):
    person = UserFactory(email=email)
    person.set_unusable_password()
    person.save()
    EnrolmentFactory(cohort=cohort, person=person, role=Enrolment.Role.PARTICIPANT)
    return person


def test_the_office_resends_an_invitation_to_one_person_once_a_day(
    client, cohort, administrator, participant
):
    first = _invited(cohort, "first@example.org")
    second = _invited(cohort, "second@example.org")
    client.force_login(administrator)
    page = client.get(reverse("cohorts:invitation_list", args=[cohort.pk])).content.decode()
    assert "first@example.org" in page and "second@example.org" in page
    assert participant.email not in page  # has a password

    url = reverse("cohorts:invitation_resend", args=[cohort.pk, first.pk])
    client.post(url)
    client.post(url)
    rows = Notification.objects.filter(kind="invitation", recipient=first)
    assert rows.count() == 1
    assert rows.get().context["set_password_url"].startswith("http")
    assert AuditEvent.objects.filter(action="person.invite", person_id=first.pk).count() == 1
    assert not Notification.objects.filter(recipient=second).exists()


def test_the_office_resends_every_invitation_at_once(client, cohort, administrator, participant):
    people = [_invited(cohort, f"p{n}@example.org") for n in range(3)]
    client.force_login(administrator)
    response = client.post(reverse("cohorts:invitation_resend_all", args=[cohort.pk]))
    assert response.status_code == 302
    assert set(
        Notification.objects.filter(kind="invitation").values_list("recipient", flat=True)
    ) == {p.pk for p in people}
    assert not Notification.objects.filter(recipient=participant).exists()


def test_no_invitation_goes_to_someone_outside_the_cohort(
    client, cohort, other_cohort, administrator
):
    outsider = _invited(other_cohort, "outside@example.org")
    client.force_login(administrator)
    response = client.post(reverse("cohorts:invitation_resend", args=[cohort.pk, outsider.pk]))
    assert response.status_code == 404
    assert not Notification.objects.exists()


def test_everyone_accepted_says_who_will_appear(client, cohort, administrator, participant):
    client.force_login(administrator)
    page = client.get(reverse("cohorts:invitation_list", args=[cohort.pk])).content.decode()
    assert "Everyone enrolled in Cohort 3 has set a password." in page


# --- Clinical leaders -------------------------------------------------------------------------


@pytest.mark.parametrize("cohorts", [1, 3])
def test_the_leader_reads_what_needs_attention_in_words_in_a_fixed_number_of_queries(
    client, programme, cohort, clinical_leader, cohorts, django_assert_num_queries
):
    office_world(cohort, teams=2, sessions=1)
    for n in range(cohorts - 1):
        extra = CohortFactory(programme=programme, name=f"Extra {n}")
        EnrolmentFactory(cohort=extra, person=clinical_leader, role="clinical_leader")
        office_world(extra, teams=2, sessions=2)
    client.force_login(clinical_leader)
    # the session with its person, their roles (menu); the four of sponsor_dashboard; the nine of
    # attention_for_cohorts.
    with django_assert_num_queries(15):
        response = client.get(reverse("home:leader_home"))
    page = response.content.decode()
    assert (
        "No faculty are enrolled; 1 register not taken; 1 invitation not accepted; 8 pieces of "
        "work overdue (Team 00 2, Team 01 2, Not in a team 4); 4 participants in no team; "
        "1 pairing with no shadowing logged; 1 report failed."
    ) in page
    assert Pairing.objects.count() == cohorts
