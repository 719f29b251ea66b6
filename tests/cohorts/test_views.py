"""The cohorts pages as an administrator, a clinical leader and members use them."""

import contextlib
import datetime
import io

import pytest
from django.db import connection
from django.template.backends.django import Template
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cohorts.models import Cohort, Enrolment, Programme
from leadership.models import AuditEvent, User
from modules.models import Attendance, ModuleTemplate
from modules.services import programme_models_install
from redesign_projects.models import Assignment
from redesign_projects.services import assignment_create
from tests.cohorts.helpers import csv_bytes, participant_rows
from tests.factories import CohortFactory, EnrolmentFactory, ProgrammeFactory, UserFactory
from tests.modules.helpers import add_attended_sessions

pytestmark = pytest.mark.django_db


@contextlib.contextmanager
def no_queries_from_templates(monkeypatch):
    """Fail any SQL issued while a template renders: pages compute first, then display."""
    rendering = {"depth": 0}
    original = Template.render

    def render(self, *args, **kwargs):
        rendering["depth"] += 1
        try:
            return original(self, *args, **kwargs)
        finally:
            rendering["depth"] -= 1

    def refuse(execute, sql, params, many, context):
        assert not rendering["depth"], f"query from inside a template: {sql[:200]}"
        return execute(sql, params, many, context)

    monkeypatch.setattr(Template, "render", render)
    with connection.execute_wrapper(refuse):
        yield


def _upload(client, cohort, data: bytes, name="people.csv"):
    upload = io.BytesIO(data)
    upload.name = name
    return client.post(reverse("cohorts:import_upload", args=[cohort.pk]), {"file": upload})


# The cohort page -------------------------------------------------------------------------------


@pytest.mark.parametrize("people", [5, 50])
def test_the_cohort_page_runs_eight_queries_whatever_the_cohort_size(
    client,
    cohort,
    administrator,
    faculty,
    clinical_leader,
    django_assert_num_queries,
    monkeypatch,
    people,
):
    from modules.models import Module, Session

    EnrolmentFactory.create_batch(people, cohort=cohort)
    EnrolmentFactory(
        cohort=cohort,
        status=Enrolment.Status.WITHDRAWN,
        withdrawn_on=timezone.localdate(),
        withdrawal_reason="Moved",
    )
    for position in range(2):  # a schedule (no modules: no query for their sessions)
        module = Module.objects.create(cohort=cohort, position=position, title=f"M{position}")
        starts = timezone.now() + datetime.timedelta(days=7 + position)
        Session.objects.create(
            module=module, starts_at=starts, ends_at=starts + datetime.timedelta(hours=4)
        )
    assignment_create(
        cohort=cohort,
        title="Reflection",
        kind=Assignment.Kind.INDIVIDUAL,
        due_at=timezone.now() - datetime.timedelta(days=1),
        acting_user=None,
    )  # past due: overdue for every participant
    client.force_login(administrator)
    # 1 session, 2 user, 3 cohort with programme, the viewer's roles in it and everywhere
    # (navigation), 4 every enrolment with its person, 5 the sessions still to come (whether
    # "Mark as completed" can be offered); the cards drawn in the page (reports.cards): 6 the
    # schedule's modules with their sessions, 7 the teams' columns the card shows, 8 the
    # participant, unplaced and overdue counts, 9 the pairings. (Ten before the teams card read
    # its counts in one statement; eleven before that, and thirteen with work past due; six
    # before the cards were drawn in the page, plus each card's own request.)
    with no_queries_from_templates(monkeypatch), django_assert_num_queries(8):
        response = client.get(reverse("cohorts:cohort_detail", args=[cohort.pk]))
    assert response.status_code == 200
    overview = response.context["overview"]
    assert overview.participants == people
    assert [g.label for g in overview.groups] == [
        "Participant",
        "Faculty",
        "Clinical leader (sponsor)",
    ]
    assert len(overview.withdrawn) == 1
    assert f"<strong>{people}</strong> pieces of work overdue." in response.content.decode()
    assert f"{people} of 50 participant places taken" in response.content.decode().replace(
        "<strong>", ""
    ).replace("</strong>", "")


def test_the_cohort_page_lists_what_needs_attention(client, programme, administrator):
    cohort = CohortFactory(
        programme=programme,
        status=Cohort.Status.PLANNED,
        starts_on=timezone.localdate() - datetime.timedelta(days=2),
    )
    invited = UserFactory(password=None)
    invited.set_unusable_password()
    invited.save()
    EnrolmentFactory(cohort=cohort, person=invited)
    client.force_login(administrator)
    attention = (
        client.get(reverse("cohorts:cohort_detail", args=[cohort.pk])).context["overview"].attention
    )
    assert any("still planned: start it" in note for note in attention)
    assert "No clinical leader sponsors this cohort." in attention
    assert "No faculty are enrolled." in attention
    assert "1 person has not accepted their invitation (no password set yet)." in attention


def test_a_clinical_leader_reads_the_cohort_page_without_e_mails_or_actions(
    client, cohort, participant, clinical_leader
):
    client.force_login(clinical_leader)
    page = client.get(reverse("cohorts:cohort_detail", args=[cohort.pk])).content.decode()
    assert "Aroha" in page
    assert participant.email not in page
    assert reverse("cohorts:enrolment_create", args=[cohort.pk]) not in page
    assert reverse("cohorts:cohort_status", args=[cohort.pk]) not in page


def test_completing_a_cohort_with_sessions_to_come_is_refused_with_a_message(
    client, cohort, administrator
):
    from modules.models import Module, Session

    module = Module.objects.create(cohort=cohort, position=1, title="Strategy")
    starts = timezone.now() + datetime.timedelta(days=7)
    Session.objects.create(
        module=module, starts_at=starts, ends_at=starts + datetime.timedelta(hours=4)
    )
    client.force_login(administrator)
    response = client.post(
        reverse("cohorts:cohort_status", args=[cohort.pk]), {"status": "completed"}, follow=True
    )
    assert "still has 1 session to come" in response.content.decode()
    cohort.refresh_from_db()
    assert cohort.status == Cohort.Status.RUNNING


def test_the_cohort_page_offers_completing_only_once_every_session_is_over(
    client, cohort, administrator
):
    from modules.models import Module, Session

    module = Module.objects.create(cohort=cohort, position=1, title="Strategy")
    starts = timezone.now() + datetime.timedelta(days=7)
    session = Session.objects.create(
        module=module, starts_at=starts, ends_at=starts + datetime.timedelta(hours=4)
    )
    client.force_login(administrator)
    url = reverse("cohorts:cohort_detail", args=[cohort.pk])
    page = client.get(url).content.decode()
    assert "Mark as cancelled" in page
    assert "Mark as completed" not in page
    Session.objects.filter(pk=session.pk).update(status=Session.Status.CANCELLED)
    assert "Mark as completed" in client.get(url).content.decode()


# The cohort list ---------------------------------------------------------------------------------


@pytest.mark.parametrize("cohorts", [3, 30])
def test_the_cohort_list_runs_five_queries_whatever_the_number_of_cohorts(
    client, programme, administrator, django_assert_num_queries, monkeypatch, cohorts
):
    for n in range(cohorts):
        cohort = CohortFactory(
            programme=programme, starts_on=datetime.date(2020 + n % 5, 3, 1), name=f"C{n}"
        )
        EnrolmentFactory.create_batch(2, cohort=cohort)
    client.force_login(administrator)
    # 1 session, 2 user, 3 the viewer's roles (navigation and access), 4 the programmes for
    # the filter, 5 the start years for the filter, 6 the cohorts with programme and counts.
    with no_queries_from_templates(monkeypatch), django_assert_num_queries(5):
        response = client.get(reverse("cohorts:cohort_list"))
    assert len(response.context["cohorts"]) == cohorts
    assert all(c.participant_count == 2 for c in response.context["cohorts"])


def test_the_cohort_list_filters_by_programme_status_and_year(client, programme, administrator):
    other_programme = ProgrammeFactory()
    other_programme.administrators.add(administrator)
    CohortFactory(programme=programme, name="A", starts_on=datetime.date(2025, 2, 1))
    CohortFactory(
        programme=programme,
        name="B",
        starts_on=datetime.date(2026, 2, 1),
        status=Cohort.Status.COMPLETED,
    )
    CohortFactory(programme=other_programme, name="C", starts_on=datetime.date(2026, 5, 1))
    CohortFactory(name="Not mine")
    client.force_login(administrator)
    url = reverse("cohorts:cohort_list")

    def names(**params):
        return sorted(c.name for c in client.get(url, params).context["cohorts"])

    assert names() == ["A", "B", "C"]
    assert names(programme=programme.pk) == ["A", "B"]
    assert names(status="completed") == ["B"]
    assert names(year=2026) == ["B", "C"]
    assert names(programme=other_programme.pk, year=2025) == []
    assert names(status="nonsense", year="x") == ["A", "B", "C"]
    assert client.get(url).context["years"] == [2026, 2025]


# Creating a cohort -------------------------------------------------------------------------------


def _cohort_data(programme, **overrides):
    data = {
        "programme": programme.pk,
        "name": "Cohort 4",
        "starts_on": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
        "capacity": "",
        "time_zone": "Pacific/Auckland",
        "holiday_region": "NZ-AUK",
        "venue_name": "Learning Centre",
        "sponsor_emails": "",
    }
    return {**data, **overrides}


def test_an_administrator_creates_a_cohort_with_its_sponsor(client, programme, administrator):
    sponsor = UserFactory(email="sponsor@example.org")
    client.force_login(administrator)
    response = client.post(
        reverse("blueprints:cohort_create"),
        _cohort_data(programme, name="Cohort 5", sponsor_emails="Sponsor@Example.org\n"),
    )
    cohort = Cohort.objects.get(name="Cohort 5")
    assert response["Location"] == reverse("cohorts:cohort_detail", args=[cohort.pk])
    assert cohort.capacity == programme.default_capacity
    assert cohort.status == Cohort.Status.PLANNED
    assert cohort.enrolments.get().person == sponsor
    assert not cohort.modules.exists()  # the schedule is generated elsewhere


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"starts_on": "2020-01-01"},
            "starts_on",
            "A new cohort cannot start in the past.",
        ),
        ({"name": "cohort 3"}, "name", "already has a cohort called cohort 3"),
        ({"capacity": "0"}, "capacity", "A cohort takes at least one participant."),
        ({"sponsor_emails": "ghost@example.org"}, "sponsor_emails", "ghost@example.org"),
    ],
)
def test_cohort_creation_explains_bad_input_next_to_the_field(
    client, cohort, administrator, overrides, field, message
):
    client.force_login(administrator)
    response = client.post(
        reverse("blueprints:cohort_create"), _cohort_data(cohort.programme, **overrides)
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert Cohort.objects.count() == 1


def test_the_programme_list_offers_only_programmes_the_administrator_runs(
    client, programme, administrator
):
    ProgrammeFactory(name="Somebody else's")
    client.force_login(administrator)
    form = client.get(reverse("blueprints:cohort_create")).context["form"]
    assert list(form.fields["programme"].queryset) == [programme]


# People --------------------------------------------------------------------------------------


def test_members_see_names_roles_and_professions_but_no_e_mails(
    client, cohort, participant, faculty, clinical_leader
):
    client.force_login(participant)
    page = client.get(reverse("cohorts:cohort_people", args=[cohort.pk])).content.decode()
    assert "Margaret" in page and "Faculty" in page and "Doctor" in page
    for person in (participant, faculty, clinical_leader):
        assert person.email not in page


def test_enrolling_into_a_full_cohort_shows_a_clear_message(client, programme, administrator):
    cohort = CohortFactory(programme=programme, capacity=1)
    EnrolmentFactory(cohort=cohort)
    client.force_login(administrator)
    response = client.post(
        reverse("cohorts:enrolment_create", args=[cohort.pk]),
        {
            "email": "late@example.org",
            "role": "participant",
            "first_name": "Late",
            "profession": "nurse",
        },
    )
    assert response.status_code == 200
    assert "is full: all 1 participant places are taken." in response.content.decode()
    assert not User.objects.filter(email="late@example.org").exists()


def test_the_person_page_shows_who_changed_their_enrolment_and_when(client, cohort, administrator):
    client.force_login(administrator)
    client.post(
        reverse("cohorts:enrolment_create", args=[cohort.pk]),
        {
            "email": "mele@example.org",
            "role": "participant",
            "first_name": "Mele",
            "profession": "nurse",
        },
    )
    mele = User.objects.get(email="mele@example.org")
    enrolment = mele.enrolments.get()
    response = client.post(
        reverse("cohorts:enrolment_withdraw", args=[cohort.pk, enrolment.pk]),
        {"withdrawn_on": timezone.localdate().isoformat(), "reason": "Took a new post"},
    )
    assert response["Location"] == reverse("reports:person_detail", args=[cohort.pk, mele.pk])
    page = client.get(response["Location"])
    labels = [event.label for event in page.context["history"]]
    assert labels == [
        "Enrolment status changed",
        "Enrolled (role given)",
        "Invited to set a password",
        "Account created",
    ]
    assert all(event.actor == administrator for event in page.context["history"])
    html = page.content.decode()
    assert "status: enrolled → withdrawn" in html
    assert "Took a new post" in html
    assert "Alex Reid" in html


def test_a_withdrawal_without_a_reason_is_refused_next_to_the_field(
    client, cohort, participant, administrator
):
    client.force_login(administrator)
    enrolment = participant.enrolments.get()
    response = client.post(
        reverse("cohorts:enrolment_withdraw", args=[cohort.pk, enrolment.pk]),
        {"withdrawn_on": timezone.localdate().isoformat(), "reason": ""},
    )
    assert response.context["form"].errors["reason"]
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.ENROLLED


def test_an_enrolment_of_another_cohort_is_not_found(
    client, cohort, other_participant, administrator
):
    client.force_login(administrator)
    enrolment = other_participant.enrolments.get()
    url = reverse("cohorts:enrolment_withdraw", args=[cohort.pk, enrolment.pk])
    assert client.get(url).status_code == 404
    other = reverse("reports:person_detail", args=[cohort.pk, other_participant.pk])
    assert client.get(other).status_code == 404


# Import ----------------------------------------------------------------------------------------


def test_an_upload_with_bad_rows_shows_each_problem_and_stages_nothing(
    client, cohort, administrator
):
    rows = participant_rows(10)
    rows[3][0] = "nobody-at-example.org"
    client.force_login(administrator)
    response = _upload(client, cohort, csv_bytes(rows))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Row 5, E-mail: “nobody-at-example.org” is not a valid e-mail address." in html
    assert 'id="row-5" ' not in html and 'class="table-danger" id="row-5"' in html
    assert "import_confirm" not in str(response.context["token"])
    assert f"cohort_import:{cohort.pk}" not in client.session
    assert not cohort.enrolments.exists()


def test_the_import_writes_nothing_until_confirmed_then_everything(client, cohort, administrator):
    client.force_login(administrator)
    response = _upload(client, cohort, csv_bytes(participant_rows(12)))
    token = response.context["token"]
    assert token and response.context["preview"].is_valid
    assert not User.objects.filter(email__endswith="@hospital.example.org").exists()
    response = client.post(reverse("cohorts:import_confirm", args=[cohort.pk]), {"token": token})
    assert response["Location"] == reverse("cohorts:cohort_detail", args=[cohort.pk])
    assert cohort.enrolments.filter(role="participant").count() == 12
    assert AuditEvent.objects.filter(action="cohort.import", actor=administrator).exists()
    # The preview is used up: confirming again imports nothing more.
    again = client.post(
        reverse("cohorts:import_confirm", args=[cohort.pk]), {"token": token}, follow=True
    )
    assert "That preview has expired" in again.content.decode()
    assert cohort.enrolments.filter(role="participant").count() == 12


def test_a_confirm_that_finds_the_cohort_changed_writes_nothing_and_says_why(
    client, programme, administrator
):
    cohort = CohortFactory(programme=programme, capacity=3)
    client.force_login(administrator)
    token = _upload(client, cohort, csv_bytes(participant_rows(3))).context["token"]
    EnrolmentFactory(cohort=cohort)  # someone takes a place meanwhile
    response = client.post(reverse("cohorts:import_confirm", args=[cohort.pk]), {"token": token})
    html = response.content.decode()
    assert "The cohort has changed since the preview; nothing was imported." in html
    assert "Over capacity" in html
    assert cohort.enrolments.count() == 1


def test_an_upload_that_is_not_a_spreadsheet_is_refused(client, cohort, administrator):
    client.force_login(administrator)
    response = _upload(client, cohort, b"%PDF-1.7", name="people.pdf")
    assert response.context["form"].errors["file"] == ["Upload a .csv or .xlsx file."]


# Export ----------------------------------------------------------------------------------------


def _dangerous_person(cohort):
    person = UserFactory(
        email="evil@example.org",
        first_name='=HYPERLINK("http://x")',
        last_name="+SUM(1)",
        job_title="-2+3",
        department="@cmd",
    )
    EnrolmentFactory(cohort=cohort, person=person)
    return person


def test_the_csv_export_neutralises_formulas(client, cohort, administrator, participant):
    _dangerous_person(cohort)
    client.force_login(administrator)
    response = client.get(reverse("cohorts:people_export_csv", args=[cohort.pk]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'+SUM(1)" in text and "'-2+3" in text and "'@cmd" in text
    assert participant.email in text
    for line in text.splitlines()[1:]:
        assert not line.startswith(("=", "+", "-", "@"))


def test_the_xlsx_export_writes_no_formula_cells(client, cohort, administrator):
    _dangerous_person(cohort)
    client.force_login(administrator)
    response = client.get(reverse("cohorts:people_export_xlsx", args=[cohort.pk]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    values = {cell.value for cell in cells}
    assert {'\'=HYPERLINK("http://x")', "'+SUM(1)", "'-2+3", "'@cmd"} <= values


# Programmes ------------------------------------------------------------------------------------


def test_an_administrator_copies_a_programme_and_edits_the_copy(client, programme, administrator):
    ModuleTemplate.objects.create(programme=programme, position=1, title="Strategy")
    ModuleTemplate.objects.create(programme=programme, position=2, title="Culture")
    client.force_login(administrator)
    response = client.post(reverse("modules:programme_copy", args=[programme.pk]))
    copy = Programme.objects.get(name=f"{programme.name} (copy)")
    assert response["Location"] == reverse("modules:programme_edit", args=[copy.pk])
    templates = list(copy.module_templates.order_by("position"))
    data = {
        "programme-name": "ECM for primary care",
        "programme-description": "",
        "programme-organisation": "",
        "programme-default_capacity": "24",
        "programme-phases": "Phase 1\nPhase 2",
        "programme-project_kinds": "",
        "programme-completion_min_attendance_percent": "75",
        "programme-email_greeting": "Dear",
        "programme-email_sign_off": "The programme office",
        "modules-TOTAL_FORMS": "3",
        "modules-INITIAL_FORMS": "2",
        "modules-MIN_NUM_FORMS": "0",
        "modules-MAX_NUM_FORMS": "1000",
    }
    for i, (template, title, delete) in enumerate(
        [(templates[0], "Strategy", True), (templates[1], "Culture and change", False)]
    ):
        data.update(
            {
                f"modules-{i}-id": str(template.pk),
                f"modules-{i}-title": title,
                f"modules-{i}-theme": "",
                f"modules-{i}-kind": "module",
                f"modules-{i}-length_half_days": "3",
                f"modules-{i}-offset_weeks": "0",
                f"modules-{i}-phase": "",
            }
        )
        if delete:
            data[f"modules-{i}-DELETE"] = "on"
    data.update(
        {
            "modules-2-title": "Financial literacy",
            "modules-2-kind": "short_course",
            "modules-2-length_half_days": "1",
            "modules-2-offset_weeks": "20",
            "modules-2-theme": "",
            "modules-2-phase": "Phase 2",
        }
    )
    response = client.post(reverse("modules:programme_edit", args=[copy.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    copy.refresh_from_db()
    assert (copy.name, copy.default_capacity, copy.phases) == (
        "ECM for primary care",
        24,
        ["Phase 1", "Phase 2"],
    )
    assert copy.email_voice() == {"greeting": "Dear", "sign_off": "The programme office"}
    assert list(copy.module_templates.values_list("position", "title")) == [
        (1, "Culture and change"),
        (2, "Financial literacy"),
    ]
    # The original is untouched.
    assert list(programme.module_templates.values_list("title", flat=True)) == [
        "Strategy",
        "Culture",
    ]


def test_a_programme_someone_else_runs_is_not_found(client, administrator):
    theirs = ProgrammeFactory()
    client.force_login(administrator)
    for name in ("cohorts:programme_detail", "modules:programme_edit"):
        assert client.get(reverse(name, args=[theirs.pk])).status_code == 404
    assert client.post(reverse("modules:programme_copy", args=[theirs.pk])).status_code == 404


# A new cohort's schedule; a person's attendance ----------------------------------------------


def test_creating_a_cohort_lays_out_its_schedule_from_the_programme(client, administrator):
    programme_models_install()
    programme = Programme.objects.get(slug="enhanced-care-management")
    programme.administrators.add(administrator)
    client.force_login(administrator)
    starts = datetime.date.today() + datetime.timedelta(days=60)
    response = client.post(
        reverse("blueprints:cohort_create"),
        {
            "programme": programme.pk,
            "name": "Cohort 9",
            "starts_on": starts.isoformat(),
            "capacity": 40,
            "time_zone": "Pacific/Auckland",
            "holiday_region": "NZ-AUK",
            "venue_name": "",
            "venue_address": "",
            "sponsor_emails": "",
        },
        follow=True,
    )
    cohort = Cohort.objects.get(name="Cohort 9")
    assert cohort.modules.count() == programme.module_templates.count()
    sessions = sum(m.sessions.count() for m in cohort.modules.all())
    assert str(list(response.context["messages"])[0]).startswith(
        f"Created Cohort 9: {cohort.modules.count()} modules in {sessions} sessions,"
    )


def test_a_participants_page_shows_their_attendance_against_the_rule(client, administrator, cohort):
    people = add_attended_sessions(cohort, 1, 4)
    Attendance.objects.filter(person=people[0]).order_by("session__starts_at").first().delete()
    client.force_login(administrator)
    page = client.get(reverse("reports:person_detail", args=[cohort.pk, people[0].pk]))
    text = page.content.decode()
    assert "Attendance in Cohort 3" in text
    assert "75%" in text
