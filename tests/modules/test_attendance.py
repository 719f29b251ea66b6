"""Registers, apologies, attendance summaries and exports."""

import csv
import datetime
import io

import openpyxl
import pytest
import time_machine
from django.http import Http404

from cohorts.selectors import roles_for_user
from leadership.models import AuditEvent, Notification
from modules import selectors
from modules.models import Attendance, Session, ShortCourseSignup
from tests.factories import CohortFactory, UserFactory
from tests.modules.helpers import add_participants, make_module, make_session, register_taken

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2027, 3, 10)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel("2027-03-10 12:00 +13:00", tick=False):
        yield


@pytest.fixture
def held(cohort):
    """A session that ran this morning."""
    return make_session(make_module(cohort, title="Strategy"), TODAY, end=(12, 0))


@pytest.fixture
def coming(cohort):
    """A session next week."""
    return make_session(make_module(cohort, position=2, title="Operations"), D(2027, 3, 17))


def test_the_register_starts_unrecorded_and_shows_apologies_sent_ahead(
    client, faculty, participant, held
):
    others = add_participants(held.module.cohort, 2)
    Attendance.objects.create(
        session=held, person=others[0], status="apologies", note="On call", recorded_by=others[0]
    )
    client.force_login(faculty)

    response = client.get(f"/schedule/session/{held.pk}/register/")

    form = response.context["form"]
    assert form.people == sorted(
        [participant, *others], key=lambda p: (p.last_name, p.first_name, p.pk)
    )
    assert form[f"status_{participant.pk}"].initial == ""
    assert form[f"status_{others[0].pk}"].initial == "apologies"
    assert form[f"note_{others[0].pk}"].initial == "On call"
    html = response.content.decode()
    assert 'class="btn-check"' in html and "Not recorded" in html


def test_one_request_saves_the_whole_register_and_audits_each_change(
    client, faculty, participant, held
):
    late, unrecorded = add_participants(held.module.cohort, 2)
    client.force_login(faculty)
    url = f"/schedule/session/{held.pk}/register/"

    response = client.post(
        url,
        {
            f"status_{participant.pk}": "present",
            f"note_{participant.pk}": "",
            f"status_{late.pk}": "late",
            f"note_{late.pk}": "Theatre overran",
            f"status_{unrecorded.pk}": "",
            f"note_{unrecorded.pk}": "",
        },
    )

    assert response.status_code == 302
    rows = {a.person_id: a for a in held.attendances.all()}
    assert set(rows) == {participant.pk, late.pk}
    assert rows[late.pk].status == "late" and rows[late.pk].note == "Theatre overran"
    assert rows[late.pk].recorded_by == faculty
    events = AuditEvent.objects.filter(action="attendance.record")
    assert sorted(e.person_id for e in events) == sorted([participant.pk, late.pk])
    assert all(e.actor == faculty for e in events)

    # Back to "not recorded" removes the row, and that is audited too.
    client.post(
        url,
        {
            f"status_{participant.pk}": "",
            f"status_{late.pk}": "late",
            f"note_{late.pk}": "Theatre overran",
        },
    )
    assert list(held.attendances.values_list("person_id", flat=True)) == [late.pk]
    assert AuditEvent.objects.filter(action="attendance.record").count() == 3


def test_an_invalid_status_is_shown_next_to_that_person_and_nothing_is_saved(
    client, faculty, participant, held
):
    other = add_participants(held.module.cohort, 1)[0]
    client.force_login(faculty)

    response = client.post(
        f"/schedule/session/{held.pk}/register/",
        {f"status_{participant.pk}": "present", f"status_{other.pk}": "asleep"},
    )

    assert response.status_code == 200
    assert f"status_{other.pk}" in response.context["form"].errors
    assert not Attendance.objects.exists()


def test_the_register_of_a_future_session_is_refused_before_anything_is_marked(
    client, faculty, participant, coming
):
    client.force_login(faculty)
    url = f"/schedule/session/{coming.pk}/register/"

    page = client.get(url)
    response = client.post(url, {f"status_{participant.pk}": "present"})

    for answer in (page, response):
        html = answer.content.decode()
        assert answer.status_code == 200
        assert "The register opens on the session&#x27;s day (Wed 17 Mar 2027)" in html
        assert 'name="action"' not in html and "form" not in answer.context
    assert not Attendance.objects.exists()
    coming.refresh_from_db()
    assert coming.register_taken_at is None


def test_a_participant_sends_apologies_ahead_with_a_reason(client, participant, faculty, coming):
    client.force_login(participant)
    url = f"/schedule/session/{coming.pk}/apologies/"

    missing = client.post(url, {"reason": ""})
    assert missing.status_code == 200 and "reason" in missing.context["form"].errors

    sent = client.post(url, {"reason": "Rostered on nights"})
    assert sent.status_code == 302
    row = Attendance.objects.get(session=coming, person=participant)
    assert (row.status, row.note, row.recorded_by) == (
        "apologies",
        "Rostered on nights",
        participant,
    )
    assert AuditEvent.objects.filter(
        action="attendance.apologies", person_id=participant.pk
    ).exists()
    # The session's faculty are told, with the reason.
    (told,) = Notification.objects.filter(kind="apologies_received")
    assert told.recipient == faculty
    assert told.context["reason"] == "Rostered on nights"
    assert told.context["participant_name"] == participant.get_full_name()

    annotated = selectors.cohort_session(coming, viewer=participant)
    assert annotated.apologies_count == 1 and annotated.expected_count == 0
    assert annotated.my_status == "apologies"

    client.post(f"/schedule/session/{coming.pk}/apologies/withdraw/")
    assert not Attendance.objects.exists()


def test_apologies_are_closed_once_the_session_has_started(client, participant, held):
    client.force_login(participant)
    response = client.post(f"/schedule/session/{held.pk}/apologies/", {"reason": "Sick"})
    assert response.status_code == 200
    assert "already started" in response.content.decode()
    assert not Attendance.objects.exists()


def _cohort_with_history(cohort, participants: int, sessions: int):
    people = add_participants(cohort, participants)
    module = make_module(cohort, title="Strategy")
    past = [
        make_session(module, TODAY - datetime.timedelta(days=7 * (i + 1))) for i in range(sessions)
    ]
    register_taken(*past)
    make_session(module, TODAY + datetime.timedelta(days=7))  # not held yet: not counted
    cancelled = make_session(module, TODAY - datetime.timedelta(days=1), status="cancelled")
    rows = []
    for i, person in enumerate(people):
        for j, session in enumerate(past):
            status = "present" if (i + j) % 4 else ("late" if i % 2 else "apologies")
            rows.append(Attendance(session=session, person=person, status=status))
        rows.append(Attendance(session=cancelled, person=person, status="absent"))
    Attendance.objects.bulk_create(rows)
    return people, past


@pytest.mark.parametrize("size", [(3, 2), (30, 8)])
def test_the_attendance_summary_runs_four_queries_whatever_the_size(
    cohort, django_assert_num_queries, size
):
    _cohort_with_history(cohort, *size)
    cohort.refresh_from_db()
    cohort.programme  # noqa: B018 - loaded beforehand, as a view's access check does
    # 1 participants, 2 counted sessions, 3 sign-ups to them, 4 attendance at them
    with django_assert_num_queries(4):
        summary = selectors.attendance_summary_for_cohort(cohort)
    assert len(summary) == size[0]


def test_the_summary_counts_present_and_late_against_the_programmes_rule(
    programme, cohort, participant
):
    programme.completion_min_attendance_percent = 75
    programme.save()
    module = make_module(cohort)
    sessions = [make_session(module, TODAY - datetime.timedelta(days=d)) for d in (1, 2, 3, 4)]
    course = make_session(module, TODAY - datetime.timedelta(days=5), seat_limit=10)
    register_taken(*sessions, course)
    other = add_participants(cohort, 1)[0]
    for session, status in zip(sessions, ["present", "late", "present", "apologies"], strict=True):
        Attendance.objects.create(session=session, person=participant, status=status)
    Attendance.objects.create(session=sessions[0], person=other, status="present")
    ShortCourseSignup.objects.create(session=course, person=other)
    Attendance.objects.create(session=course, person=other, status="present")

    summary = {row.person: row for row in selectors.attendance_summary_for_cohort(cohort)}

    mine = summary[participant]
    assert (mine.expected, mine.attended, mine.apologies, mine.percent) == (4, 3, 1, 75)
    assert mine.meets_rule is True
    theirs = summary[other]  # signed up to the short course, so it counts for them
    assert (theirs.expected, theirs.attended, theirs.meets_rule) == (5, 2, False)


def _fields(row) -> dict:
    return {f.attname: getattr(row, f.attname) for f in type(row)._meta.concrete_fields}


@pytest.mark.parametrize("with_facilitator", [True, False])
def test_a_session_and_the_viewers_access_read_by_hand_match_the_orms(
    personas, held, faculty, django_assert_num_queries, with_facilitator
):
    """``get_session_for_user`` writes its one statement by hand on PostgreSQL: the session,
    module, cohort, programme (its JSON columns too) and facilitator, the access and the roles
    everywhere are what the ORM's query (the quick start's) reads, for everyone."""
    Session.objects.filter(pk=held.pk).update(facilitator=faculty)
    superuser = UserFactory(email="root@example.org", is_superuser=True)
    for person in [*(p for p in personas.values() if p is not None), superuser]:
        viewer = type(person).objects.get(pk=person.pk)
        if person == personas["other_participant"]:
            with pytest.raises(Http404):
                selectors.get_session_for_user(viewer, held.pk)
            continue
        with django_assert_num_queries(1):
            session, access = selectors.get_session_for_user(
                viewer, held.pk, with_facilitator=with_facilitator
            )
        roles = roles_for_user(viewer)  # remembered: no query
        fresh = type(person).objects.get(pk=person.pk)
        orm, orm_access = selectors._session_for_user_orm(fresh, held.pk, None, with_facilitator)
        assert (access, roles) == (orm_access, roles_for_user(fresh)), person
        cohort, orm_cohort = session.module.cohort, orm.module.cohort
        pairs = [
            (session, orm),
            (session.module, orm.module),
            (cohort, orm_cohort),
            (cohort.programme, orm_cohort.programme),
        ]
        if with_facilitator:
            pairs.append((session.facilitator, orm.facilitator))
        for mine, theirs in pairs:
            assert _fields(mine) == _fields(theirs)
    with pytest.raises(Http404):
        selectors.get_session_for_user(superuser, held.pk + 1000)
    with pytest.raises(Http404):
        selectors.get_session_for_user(superuser, "nonsense")
    with pytest.raises(Http404):
        selectors.get_session_for_user(superuser, 10**30)


def test_the_attendance_pages_read_one_query_that_agrees_with_the_summary(
    programme, cohort, participant, django_assert_num_queries
):
    """``cohort_attendance`` (the attendance page and the cohort page's card) reads in one
    statement what ``attendance_summary_for_cohort`` and ``registers_missing`` read in five:
    the same figures, in the same order, on a world with every case the rule tells apart."""
    programme.completion_min_attendance_percent = 60
    programme.save()
    people, past = _cohort_with_history(cohort, 6, 4)
    participant.last_name = '<script>alert("x")</script>'
    participant.save()
    module = make_module(cohort, position=2, title="Short course")
    course = make_session(module, TODAY - datetime.timedelta(days=2), seat_limit=3)
    untaken = make_session(module, TODAY - datetime.timedelta(days=3), title="Catch-up")
    earlier = make_session(module, TODAY - datetime.timedelta(days=40))
    register_taken(course)
    ShortCourseSignup.objects.create(session=course, person=people[0])
    ShortCourseSignup.objects.create(session=course, person=participant)
    Attendance.objects.bulk_create(
        [
            Attendance(session=course, person=people[0], status="present"),
            Attendance(session=course, person=people[1], status="present"),  # not signed up
            Attendance(session=untaken, person=people[2], status="present"),  # not counted
            Attendance(session=past[0], person=participant, status="late"),
        ]
    )
    people[5].enrolments.update(status="withdrawn", withdrawn_on=TODAY)  # on no rate now
    other = CohortFactory(programme=programme, name="Another cohort")
    add_participants(other, 2, prefix="o")
    cohort.refresh_from_db()
    cohort.programme  # noqa: B018 - loaded beforehand, as a view's access check does

    with django_assert_num_queries(1):
        attendance = selectors.cohort_attendance(cohort)

    figures = [
        (row.person.pk, str(row.person), row.expected, row.attended, row.apologies, row.rate,
         row.meets_rule)
        for row in attendance.rows
    ]  # fmt: skip
    assert figures == [
        (row.person.pk, str(row.person), row.expected, row.attended, row.apologies, row.rate,
         row.meets_rule)
        for row in selectors.attendance_summary_for_cohort(cohort)
    ]  # fmt: skip
    assert len(figures) == 6 and {pk for pk, *_ in figures} >= {participant.pk, people[0].pk}
    assert [(s.pk, s.title, s.module.title, s.starts_at) for s in attendance.missing] == [
        (s.pk, s.title, s.module.title, s.starts_at) for s in selectors.registers_missing(cohort)
    ]
    assert [s.pk for s in attendance.missing] == [untaken.pk, earlier.pk]


def test_the_attendance_page_escapes_names_and_links_the_missing_registers(
    client, faculty, cohort, participant
):
    _people, past = _cohort_with_history(cohort, 2, 2)
    Session.objects.filter(pk=past[0].pk).update(register_taken_at=None)
    participant.first_name = '<script>alert("x")</script>'
    participant.save()
    client.force_login(faculty)

    html = client.get(f"/schedule/cohort/{cohort.pk}/attendance/").content.decode()

    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "<script>alert" not in html
    assert f'href="/schedule/session/{past[0].pk}/register/"' in html
    assert "1 register not taken." in html


def test_before_any_session_is_held_there_is_no_rate(cohort, participant, coming):
    (row,) = selectors.attendance_summary_for_cohort(cohort)
    assert row.rate is None and row.meets_rule is None and row.expected == 0


def test_the_csv_export_has_times_durations_and_defuses_formulas(
    client, administrator, participant, held
):
    Attendance.objects.create(
        session=held, person=participant, status="present", note='=HYPERLINK("http://x")'
    )
    register_taken(held)
    client.force_login(administrator)

    response = client.get(f"/schedule/cohort/{held.module.cohort_id}/attendance.csv")

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:7] == [
        "Cohort",
        "Module",
        "Session",
        "Date",
        "Start",
        "End",
        "Duration (hours)",
    ]
    (row,) = rows[1:]
    assert row[3:7] == ["2027-03-10", "09:00", "12:00", "3.0"]
    assert row[12] == "Present"
    assert row[13] == '\'=HYPERLINK("http://x")'


def test_the_xlsx_export_opens_and_defuses_formulas(client, faculty, participant, held):
    participant.department = "+SUM(A1)"
    participant.save()
    register_taken(held)
    client.force_login(faculty)

    response = client.get(f"/schedule/cohort/{held.module.cohort_id}/attendance.xlsx")

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[1][11] == "'+SUM(A1)"
    assert values[1][12] == "Not recorded"
    assert sheet.cell(row=2, column=7).value == 3


def test_an_unknown_export_format_is_not_found(client, administrator, cohort):
    client.force_login(administrator)
    assert client.get(f"/schedule/cohort/{cohort.pk}/attendance.pdf").status_code == 404


def test_the_programme_comparison_is_four_queries_and_compares_cohorts_and_modules(
    client, programme, cohort, administrator, django_assert_num_queries
):
    _cohort_with_history(cohort, 4, 2)
    second = CohortFactory(programme=programme, name="Cohort 5")
    people = add_participants(second, 2, prefix="s")
    module = make_module(second, title="Strategy")
    session = make_session(module, TODAY - datetime.timedelta(days=3))
    register_taken(session)
    Attendance.objects.create(session=session, person=people[0], status="present")

    # 1 cohorts, 2 participant counts, 3 held sessions per module, 4 attended per module
    with django_assert_num_queries(4):
        data = selectors.programme_attendance_comparison(programme)

    by_cohort = {row["cohort"]: row["cell"] for row in data["by_cohort"]}
    assert (by_cohort[second].attended, by_cohort[second].expected) == (1, 2)
    assert by_cohort[second].percent == 50
    assert by_cohort[cohort].expected == 4 * 2
    (strategy,) = data["by_module"]
    assert strategy["title"] == "Strategy" and len(strategy["cells"]) == 2

    client.force_login(administrator)
    page = client.get(f"/schedule/programme/{programme.pk}/attendance/")
    assert page.status_code == 200 and "50%" in page.content.decode()


def test_cohort_attendance_page_lists_each_participants_rate(client, clinical_leader, cohort):
    _cohort_with_history(cohort, 3, 4)
    client.force_login(clinical_leader)
    response = client.get(f"/schedule/cohort/{cohort.pk}/attendance/")
    assert response.status_code == 200
    assert response.content.decode().count('<th scope="row">') == 3
    assert Session.objects.count() == 6


def test_the_register_shows_what_was_posted_when_it_is_sent_back_with_an_error(
    client, faculty, participant, held
):
    other = add_participants(held.module.cohort, 1)[0]
    client.force_login(faculty)
    response = client.post(
        f"/schedule/session/{held.pk}/register/",
        {
            f"status_{participant.pk}": "late",
            f"note_{participant.pk}": '<b>"Stuck"</b>',
            f"status_{other.pk}": "asleep",
        },
    )
    html = response.content.decode()
    assert (
        f'name="status_{participant.pk}" value="late" class="btn-check" '
        f'id="id_status_{participant.pk}_2" checked>'
    ) in html
    assert 'value="&lt;b&gt;&quot;Stuck&quot;&lt;/b&gt;"' in html
    assert f'id="id_status_{other.pk}-errors"' in html
    assert html.count(" checked>") == 1  # "asleep" is no choice, so nothing is ticked for them


@pytest.mark.parametrize("size", [2, 50])
def test_the_register_runs_three_queries_whatever_the_number_of_people(
    client, faculty, held, django_assert_num_queries, size
):
    people = add_participants(held.module.cohort, size)
    people[0].first_name = '<i>"Al"</i>'
    people[0].save()
    Attendance.objects.create(
        session=held, person=people[1], status="late", note="Bus", recorded_by=faculty
    )
    client.force_login(faculty)
    client.get(f"/schedule/session/{held.pk}/register/")  # the session settles
    # 1 login session with its person, 2 the session with its module, cohort, programme, the
    # viewer's access to the cohort and their roles everywhere (navigation; prepared once per
    # connection), 3 who is on the register with their attendance rows
    with django_assert_num_queries(3):
        response = client.get(f"/schedule/session/{held.pk}/register/")
    html = response.content.decode()
    assert html.count('<fieldset class="register-row">') == size
    assert "&lt;i&gt;&quot;Al&quot;&lt;/i&gt;" in html and '<i>"Al"' not in html
    assert (
        f'name="status_{people[1].pk}" value="late" class="btn-check" '
        f'id="id_status_{people[1].pk}_2" checked>'
    ) in html
    assert 'value="Bus"' in html
