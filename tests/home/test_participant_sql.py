"""The participant's start page reads its to-do list in one hand-written query
(home/participant_todo.py). Each section must list what the ORM definition lists
(home/participant_orm.py, built from the apps' own selectors), in the same order,
for everyone in a world with every kind of row: two cohorts and a withdrawn one, team and
individual work at every stage, extensions, read and unread feedback, sessions of every kind,
evaluations, pairings, measures, peer reviews and self-assessment windows."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cohorts.models import Enrolment
from cohorts.selectors import roles_for_user
from evaluation.models import EvaluationInvitation
from home.participant_orm import participant_to_do as reference_to_do
from home.participant_page import participant_page_body
from home.participant_todo import from_orm, participant_to_do
from leadership.models import User
from measures import services as measure_services
from measures.models import DataPoint
from modules.models import Attendance, Session, ShortCourseSignup
from pairings.models import Pairing, PreferenceRequest, ShadowingEntry
from redesign_projects import services as project_services
from redesign_projects.models import Assignment, FeedbackRead, PeerReview
from tests.evaluation.helpers import held_session, make_form, open_evaluation
from tests.factories import CohortFactory, EnrolmentFactory
from tests.frameworks.helpers import use_example
from tests.modules.helpers import make_module
from tests.pairings.helpers import manager_in, pair
from tests.redesign_projects.helpers import make_assignment, make_team, participant_in, submit

pytestmark = pytest.mark.django_db

NOW = timezone.now


def _session(module, *, days: float, hours: float = 2, **fields) -> Session:
    start = timezone.now() + datetime.timedelta(days=days)
    return Session.objects.create(
        module=module, starts_at=start, ends_at=start + datetime.timedelta(hours=hours), **fields
    )


def _feedback(submission, decision, *, release=True, by):
    return project_services.feedback_save(
        submission=submission,
        comments="Noted.",
        decision=decision,
        levels={},
        acting_user=by,
        release=release,
    )


@pytest.fixture
def world(programme, cohort, participant, administrator, faculty):
    """Everyone and everything; returns the people whose pages are compared."""
    second = CohortFactory(programme=programme, name="Second <cohort>")
    gone = CohortFactory(programme=programme, name="Withdrawn from")
    participant.profession = "doctor"
    participant.save()
    EnrolmentFactory(cohort=second, person=participant, role=Enrolment.Role.PARTICIPANT)
    EnrolmentFactory(
        cohort=gone,
        person=participant,
        role=Enrolment.Role.PARTICIPANT,
        status=Enrolment.Status.WITHDRAWN,
        withdrawn_on=datetime.date(2026, 1, 5),
        withdrawal_reason="Moved",
    )
    EnrolmentFactory(cohort=second, person=faculty, role=Enrolment.Role.PARTICIPANT)
    mate = participant_in(cohort, profession="nurse", first_name="", last_name="")
    other_lead = participant_in(cohort, profession="doctor")
    loner = participant_in(cohort, profession="doctor")  # in no team
    mine = make_team(cohort, lead=participant, members=[mate], name="Flow <team>")
    theirs = make_team(cohort, lead=other_lead, name="Beds team")

    # Team work at every stage, individual work, extensions, in both cohorts.
    not_started = make_assignment(cohort, title="Not started", days=4)
    overdue = make_assignment(cohort, title="Overdue", days=-2)
    extended = make_assignment(cohort, title="Extended", days=-1)
    project_services.extension_grant(
        assignment=extended,
        team=mine,
        due_at=timezone.now() + datetime.timedelta(days=6),
        reason="Leave",
        acting_user=faculty,
    )
    drafted = make_assignment(cohort, title="Drafted", days=3)
    project_services.submission_save(
        assignment=drafted, team=mine, text="Half", acting_user=participant
    )
    sent_back = make_assignment(cohort, title="Sent back", days=-10)
    _feedback(submit(sent_back, by=participant, team=mine), "changes_requested", by=faculty)
    redone = make_assignment(cohort, title="Resubmitted", days=-8)
    _feedback(submit(redone, by=participant, team=mine), "changes_requested", by=faculty)
    submit(redone, by=participant, team=mine, text="Better")
    accepted = make_assignment(cohort, title="Accepted", days=-6)
    read = _feedback(submit(accepted, by=participant, team=mine), "accepted", by=faculty)
    FeedbackRead.objects.create(feedback=read, person=participant)
    unreleased = make_assignment(cohort, title="Unreleased", days=-5)
    _feedback(submit(unreleased, by=other_lead, team=theirs), "accepted", by=faculty)
    _feedback(submit(unreleased, by=participant, team=mine), "accepted", release=False, by=faculty)
    own = make_assignment(cohort, title="Own work", days=2, kind=Assignment.Kind.INDIVIDUAL)
    own_late = make_assignment(cohort, title="Own late", days=-3, kind=Assignment.Kind.INDIVIDUAL)
    project_services.extension_grant(
        assignment=own_late,
        person=participant,
        due_at=timezone.now() - datetime.timedelta(days=1),
        reason="Ill",
        acting_user=faculty,
    )
    submit(own, by=mate, owner=mate)
    make_assignment(second, title="Second team work", days=5)  # no team there: teamless
    make_assignment(second, title="Second own", days=1, kind=Assignment.Kind.INDIVIDUAL)
    make_assignment(gone, title="Withdrawn own", days=1, kind=Assignment.Kind.INDIVIDUAL)
    assert not_started and overdue

    # Sessions: past, cancelled, sign-up (joined and not), apologies, more than three ahead.
    module = make_module(cohort, title="Strategy")
    _session(module, days=-3)
    _session(module, days=1, status=Session.Status.CANCELLED)
    soon = _session(module, days=2, title="With <apologies>", what_to_prepare="Read\nthis")
    Attendance.objects.create(session=soon, person=participant, status="apologies")
    joined = _session(module, days=3, seat_limit=5)
    ShortCourseSignup.objects.create(session=joined, person=participant)
    _session(module, days=2.5, seat_limit=5)
    for n in range(3):
        _session(module, days=10 + n, venue_name="Room <1>")
    _session(make_module(second, title="Second module"), days=1.5)
    _session(make_module(gone, title="Gone module"), days=0.5)
    started = _session(module, days=-0.01, hours=3)  # under way: still listed, no apologies
    assert started

    # Evaluations: open, answered, closed.
    form = make_form(programme, administrator)
    people = [participant, mate]
    open_evaluation(held_session(cohort, days_ago=1, position=5), form, people)
    answered = open_evaluation(held_session(cohort, days_ago=2, position=6), form, people)
    EvaluationInvitation.objects.filter(evaluation=answered, person=participant).update(
        responded_on=timezone.localdate()
    )
    closed = open_evaluation(held_session(cohort, days_ago=3, position=7), form, people)
    closed.closes_at = timezone.now() - datetime.timedelta(hours=1)
    closed.save()

    # Pairings: active with shadowing, proposed support in the second cohort; preferences
    # asked in both.
    partner = manager_in(cohort, first_name="Ana", last_name="<Partner>")
    active = pair(cohort, participant, partner)
    ShadowingEntry.objects.create(
        pairing=active,
        occurred_on=datetime.date(2026, 3, 4),
        direction="clinician_shadowed_manager",
        location="Ward",
        minutes=60,
        reflection="Useful",
        author=participant,
    )
    # Administrative support for the participant: it does not settle their preferences.
    Pairing.objects.create(
        cohort=second,
        kind=Pairing.Kind.ADMIN_SUPPORT,
        clinician=participant,
        manager=manager_in(second),
        status=Pairing.Status.PROPOSED,
    )
    PreferenceRequest.objects.create(cohort=cohort)
    PreferenceRequest.objects.create(cohort=second)
    pair(cohort, loner, manager_in(cohort))

    # Measures: no data, this month's data, old data, monthly and late, a pair's monthly.
    quiet = measure_services.measure_create(team=mine, acting_user=None, name="No data", unit="%")
    fresh = measure_services.measure_create(team=mine, acting_user=None, name="Fresh", unit="%")
    DataPoint.objects.create(measure=fresh, period=timezone.localdate(), value=Decimal(1))
    old = measure_services.measure_create(team=mine, acting_user=None, name="Old", unit="%")
    DataPoint.objects.create(
        measure=old,
        period=datetime.date(2024, 1, 1),
        value=Decimal(2),
        recorded_at=timezone.now() - datetime.timedelta(days=70),
    )
    for owner in ({"team": mine}, {"team": theirs}, {"pairing": active}):
        late = measure_services.measure_create(
            acting_user=None, name="Monthly <late>", unit="%", frequency="monthly", **owner
        )
        late.created_at = timezone.now() - datetime.timedelta(days=120)
        late.save()
    assert quiet

    # Peer reviews: one to write, one sent, one in the withdrawn cohort's work.
    cohort.peer_review_enabled = True
    cohort.save()
    theirs_work = submit(
        make_assignment(cohort, title="Reviewed", days=-20), by=other_lead, team=theirs
    )
    for number, sent in ((1, None), (2, timezone.now())):
        PeerReview.objects.create(
            submission=theirs_work,
            reviewer=participant if number == 1 else mate,
            number=number,
            due_on=timezone.localdate() - datetime.timedelta(days=1),
            submitted_at=sent,
            allocated_by=administrator,
        )
    mate_own = submit(own, by=other_lead, owner=other_lead)
    PeerReview.objects.create(
        submission=mate_own,
        reviewer=participant,
        number=1,
        due_on=timezone.localdate() + datetime.timedelta(days=3),
        allocated_by=administrator,
    )

    # Self-assessments: the programme has a framework; the cohorts start now.
    use_example(programme, administrator)
    return [participant, mate, other_lead, loner, faculty]


def _sections(todo) -> dict:
    def work(items):
        return [(i.assignment.pk, i.due_at, i.status, i.is_individual, i.latest_id) for i in items]

    return {
        "cohorts": [c.pk for c in todo.cohorts],
        "due": work(todo.due),
        "overdue": work(todo.overdue),
        "to_revise": work(todo.to_revise),
        "unread_feedback": [f.pk for f in todo.unread_feedback],
        "teamless": [c.pk for c in todo.teamless_cohorts],
        "preferences_asked": [c.pk for c in todo.preferences_asked],
        "self_assessments": [(c.pk, w) for c, w in todo.self_assessments],
        "stale": [(m.pk, m.last_recorded_at) for m in todo.stale_measures],
    }


def _reference_sections(todo) -> dict:
    return _sections(todo) | {
        "sessions": [(s.pk, s.starts_at, s.my_status) for s in todo.sessions],
        "evaluations": [
            (i.evaluation.session_id, i.evaluation.closes_at) for i in todo.evaluations
        ],
        "pairings": [(s.pairing.pk, str(s.partner), s.text) for s in todo.pairing_steps],
        "late": [(v.measure.pk, v.month, v.days_late, v.measure.name) for v in todo.late_values],
        "reviews": [r.pk for r in todo.peer_reviews],
    }


def _sql_sections(todo) -> dict:
    return _sections(todo) | {
        "sessions": [(s.id, s.starts_at, s.my_status) for s in todo.sessions],
        "evaluations": [(s.id, s.closes_at) for s in todo.evaluations],
        "pairings": [(s.pairing_id, s.partner, s.text) for s in todo.pairing_steps],
        "late": [(v.measure_id, v.month, v.days_late, v.name) for v in todo.late_values],
        "reviews": [r.id for r in todo.peer_reviews],
    }


def test_every_section_lists_what_the_orm_definition_lists_for_everyone(world):
    now = timezone.now()
    for person in world:
        expected = _reference_sections(reference_to_do(person, now=now))
        with CaptureQueriesContext(connection) as queries:
            got = _sql_sections(participant_to_do(person, now=now))
        assert len(queries) == 1
        assert got == expected, person
    # The world is varied enough to say something: every section has rows for someone.
    participant = world[0]
    sections = _reference_sections(reference_to_do(participant, now=now))
    assert all(sections.values()), [name for name, rows in sections.items() if not rows]


def test_the_roles_read_with_the_to_do_list_are_the_navigations(
    world, programme, django_assert_num_queries
):
    """The statement also reads the person's roles everywhere for the menu; they must be what
    ``roles_for_user`` reads on its own, for people with one role and with several."""
    faculty = world[-1]  # teaches the first cohort, takes part in the second
    programme.administrators.add(world[1])
    for person in world:
        fresh = User.objects.get(pk=person.pk)
        participant_to_do(fresh)
        with django_assert_num_queries(0):
            read_with_the_list = roles_for_user(fresh)
        assert read_with_the_list == roles_for_user(User.objects.get(pk=person.pk)), person
    assert roles_for_user(faculty).cohort_roles == {"faculty", "participant"}
    assert roles_for_user(User.objects.get(pk=world[1].pk)).is_admin


def test_on_sqlite_the_orm_definition_makes_the_same_page(world):
    """SQLite (the quick start) reads the ORM definition through ``from_orm``: every person's
    page from it is the page from the query, to the character."""
    now = timezone.now()
    for person in world:
        bodies = [
            participant_page_body(todo)
            for todo in (
                participant_to_do(person, now=now),
                from_orm(reference_to_do(person, now=now), user=person, now=now),
            )
        ]
        assert bodies[0] == bodies[1], person
        assert "Your programme" in bodies[0]


def test_the_page_shows_what_people_typed_escaped_and_times_in_the_cohorts_zone(
    client, world, cohort
):
    participant = world[0]
    client.force_login(participant)
    page = client.get("/cohorts/mine/").content.decode()
    assert "<team>" not in page and "Team: Flow &lt;team&gt;" in page
    assert "With &lt;apologies&gt;" in page and "Apologies sent" in page
    assert "Second &lt;cohort&gt;" in page
    assert "Ana &lt;Partner&gt;" in page
    extended = Assignment.objects.get(title="Extended")
    local = extended.extensions.get().due_at.astimezone(cohort.tzinfo)
    assert f"Due {local:%A} {local.day} {local:%B, %H:%M} · Not started (extended)" in page
