"""Session evaluations: who is asked and reminded, answering once and anonymously, and the
anonymity threshold held by the selectors (the query layer) for every page, export and PDF
built on them."""

import csv
import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from evaluation import selectors, services
from evaluation.models import (
    EvaluationAnswer,
    EvaluationInvitation,
    EvaluationQuestion,
    EvaluationResponse,
)
from evaluation.reminders import plan_evaluation_reminders, plan_session_evaluations
from frameworks.models import SelfAssessment
from leadership.models import Notification, User
from modules.models import Attendance
from reports.rendering import progress_report_pdf
from tests.evaluation.helpers import answer, attendees, held_session, make_form, open_evaluation
from tests.frameworks.helpers import assess, last_session_on, use_example
from tests.pairings.helpers import enrol

pytestmark = pytest.mark.django_db

SECRET = "SECRET-COMMENT-7f3a"


@pytest.fixture
def form(programme, administrator):
    return make_form(programme, administrator)


def _answers_read(queries) -> bool:
    return any("evaluation_evaluationanswer" in q["sql"] for q in queries.captured_queries)


# --- who is asked ------------------------------------------------------------------------------


def test_attendees_present_or_late_are_asked_once_and_reminded_at_most_once(cohort, form):
    session = held_session(cohort)
    present = attendees(cohort, session, 2, prefix="present")
    late = attendees(cohort, session, 1, prefix="late", status="late")
    attendees(cohort, session, 1, prefix="absent", status="absent")
    attendees(cohort, session, 1, prefix="sorry", status="apologies")
    now = timezone.now()

    assert plan_session_evaluations(now=now) == 3
    assert plan_session_evaluations(now=now) == 0
    asked = EvaluationInvitation.objects.filter(evaluation__session=session)
    assert {i.person for i in asked} == {*present, *late}
    sent = Notification.objects.filter(kind="session_evaluation", template="session_evaluation")
    assert sent.count() == 3
    assert reverse("evaluation:respond", args=[session.pk]) in sent.first().context["link"]

    evaluation = asked.first().evaluation
    answer(evaluation, present[0])
    later = now + datetime.timedelta(days=3, minutes=1)
    assert plan_evaluation_reminders(now=later) == 2  # not the one who answered
    assert plan_evaluation_reminders(now=later + datetime.timedelta(days=1)) == 0
    assert Notification.objects.filter(template="session_evaluation_reminder").count() == 2


def test_no_one_is_asked_before_the_register_is_taken_or_without_a_form(cohort, programme):
    session = held_session(cohort)
    attendees(cohort, session, 2)
    assert plan_session_evaluations(now=timezone.now()) == 0  # no form for modules
    session.register_taken_at = None
    session.save(update_fields=["register_taken_at"])
    make_form(programme, programme.administrators.first() or User.objects.first())
    assert plan_session_evaluations(now=timezone.now()) == 0  # register not taken


def test_no_reminder_when_the_evaluation_closes_within_a_day(cohort, form):
    session = held_session(cohort, days_ago=13)
    attendees(cohort, session, 1)
    plan_session_evaluations(now=timezone.now())
    assert plan_evaluation_reminders(now=timezone.now() + datetime.timedelta(days=3)) == 0


# --- answering ---------------------------------------------------------------------------------


def test_answers_carry_no_link_to_the_person_and_each_person_answers_once(cohort, form):
    session = held_session(cohort)
    (person,) = attendees(cohort, session, 1)
    evaluation = open_evaluation(session, form, [person])
    response = answer(evaluation, person, text="Loved it")

    assert isinstance(response.pk, type(EvaluationResponse().pk))  # random (UUID) keys
    for model in (EvaluationResponse, EvaluationAnswer):
        for field in model._meta.concrete_fields:
            assert not (field.is_relation and field.related_model is User), field
            assert not isinstance(field, models.DateTimeField | models.DateField), field
    invitation = EvaluationInvitation.objects.get(evaluation=evaluation, person=person)
    assert invitation.responded_on is not None
    with pytest.raises(ValidationError, match="already answered"):
        answer(evaluation, person)
    assert EvaluationResponse.objects.count() == 1


def test_a_bad_answer_or_someone_not_asked_leaves_nothing_stored(cohort, form, participant):
    session = held_session(cohort)
    (person,) = attendees(cohort, session, 1)
    evaluation = open_evaluation(session, form, [person])
    with pytest.raises(ValidationError):
        answer(evaluation, person, rating="9")
    with pytest.raises(ValidationError, match="not asked"):
        answer(evaluation, participant)
    assert not EvaluationResponse.objects.exists() and not EvaluationAnswer.objects.exists()
    assert EvaluationInvitation.objects.get(person=person).responded_on is None


def test_the_participant_answers_from_the_form_and_it_leaves_their_start_page(
    client, cohort, form, participant
):
    session = held_session(cohort)
    Attendance.objects.create(session=session, person=participant, status="present")
    evaluation = open_evaluation(session, form, [participant])
    client.force_login(participant)
    url = reverse("evaluation:respond", args=[session.pk])
    assert url in client.get(reverse("home:participant_home")).content.decode()
    page = client.get(url).content.decode()
    assert "<fieldset" in page and "<legend" in page  # each scale is a group with its question

    questions = {
        q.kind: q for q in EvaluationQuestion.objects.in_bulk(evaluation.questions).values()
    }
    empty = client.post(url, {})
    assert empty.status_code == 200 and empty.context["form"].errors
    assert not EvaluationResponse.objects.exists()
    response = client.post(
        url, {f"q{questions['rating'].pk}": "5", f"q{questions['choice'].pk}": "Too fast"}
    )
    assert response.status_code == 302
    assert url not in client.get(reverse("home:participant_home")).content.decode()
    assert "You answered this evaluation" in client.get(url).content.decode()


# --- the threshold, in the query layer ---------------------------------------------------------


def test_below_the_threshold_the_selectors_never_read_an_answer(cohort, form):
    session = held_session(cohort)
    people = attendees(cohort, session, 5)
    evaluation = open_evaluation(session, form, people)
    for person in people[:2]:
        answer(evaluation, person, text=SECRET)

    with CaptureQueriesContext(connection) as queries:
        results = selectors.session_results(session)
    assert not results.released and results.questions == []
    assert (results.invited, results.responded, results.rate) == (5, 2, 40)
    assert not _answers_read(queries)

    answer(evaluation, people[2], rating="2", choice="Too fast")
    results = selectors.session_results(session)
    assert results.released
    rating, choice, text = results.questions
    assert [o.count for o in rating.options] == [0, 1, 0, 2, 0] and rating.mean == pytest.approx(
        10 / 3
    )
    assert [o.count for o in choice.options] == [0, 2, 1]
    assert text.comments == [SECRET, SECRET]


def test_a_programme_may_raise_its_threshold_but_not_below_three(cohort, form, administrator):
    programme = cohort.programme
    with pytest.raises(ValidationError):
        services.evaluation_settings_save(
            programme=programme, min_responses=2, acting_user=administrator
        )
    services.evaluation_settings_save(
        programme=programme, min_responses=4, acting_user=administrator
    )
    session = held_session(cohort)
    people = attendees(cohort, session, 4)
    evaluation = open_evaluation(session, form, people)
    for person in people[:3]:
        answer(evaluation, person)
    assert not selectors.session_results(session).released
    answer(evaluation, people[3])
    assert selectors.session_results(session).released


def test_a_module_pools_only_sessions_that_each_reach_the_threshold(cohort, form):
    """Otherwise the module's figures minus a released session's would give away a session
    below the threshold."""
    first = held_session(cohort, days_ago=2)
    second = held_session(cohort, days_ago=1, module=first.module)
    many = attendees(cohort, first, 3, prefix="first")
    few = attendees(cohort, second, 2, prefix="second")
    for session, people, rating in ((first, many, "5"), (second, few, "1")):
        evaluation = open_evaluation(session, form, people)
        for person in people:
            answer(evaluation, person, rating=rating, text=f"{SECRET}-{rating}")

    pooled, sessions = selectors.module_results(first.module)
    assert pooled.released and pooled.held_back == 1 and pooled.released_responses == 3
    rating = pooled.questions[0]
    assert rating.mean == 5 and rating.answered == 3
    assert f"{SECRET}-1" not in pooled.questions[2].comments
    (_s1, released), (_s2, held) = sessions
    assert released.released and not held.released and held.questions == []
    report = selectors.cohort_evaluation_report(cohort)
    (module,) = report.reaction
    assert module.results.mean_rating == 5 and module.results.responded == 5


def test_no_page_export_or_pdf_shows_answers_below_the_threshold(
    client, cohort, form, administrator
):
    session = held_session(cohort)
    people = attendees(cohort, session, 4)
    evaluation = open_evaluation(session, form, people)
    for person in people[:2]:
        answer(evaluation, person, text=SECRET)
    client.force_login(administrator)
    urls = [
        reverse("evaluation:session_results", args=[session.pk]),
        reverse("evaluation:module_results", args=[session.module_id]),
        reverse("evaluation:cohort_report", args=[cohort.pk]),
        reverse("evaluation:cohort_report_csv", args=[cohort.pk, "comments"]),
        reverse("evaluation:cohort_report_csv", args=[cohort.pk, "reaction"]),
    ]

    def everything() -> str:
        texts = [client.get(url).content.decode("utf-8-sig") for url in urls]
        workbook = load_workbook(
            io.BytesIO(
                client.get(reverse("evaluation:cohort_report_xlsx", args=[cohort.pk])).content
            )
        )
        texts += [
            str(cell.value) for sheet in workbook for row in sheet.iter_rows() for cell in row
        ]
        pdf = PdfReader(io.BytesIO(progress_report_pdf(cohort)))
        texts += [page.extract_text() for page in pdf.pages]
        return "\n".join(texts)

    below = everything()
    assert SECRET not in below
    assert (
        "<strong>2</strong> of 4 asked answered" in below
        and "Results appear once at least 3" in below
    )
    answer(evaluation, people[2], text=SECRET)
    assert SECRET in everything()  # the same paths do show it once three have answered


def test_exports_neutralise_formulas_typed_into_questions_and_comments(
    client, cohort, administrator
):
    programme = cohort.programme
    hostile = services.evaluation_question_create(
        programme=programme,
        text='=HYPERLINK("http://evil")',
        kind="text",
        acting_user=administrator,
    )
    form = services.evaluation_form_save(
        programme=programme, name="F", module_kind="module", questions=[hostile],
        acting_user=administrator,
    )  # fmt: skip
    session = held_session(cohort)
    people = attendees(cohort, session, 3)
    evaluation = open_evaluation(session, form, people)
    for person in people:
        answer(evaluation, person, text="+cmd|' /C calc'!A0")
    client.force_login(administrator)
    body = client.get(reverse("evaluation:cohort_report_csv", args=[cohort.pk, "comments"]))
    rows = list(csv.reader(io.StringIO(body.content.decode("utf-8-sig"))))
    assert all(cell[:1] not in "=+-@" or cell == "" for row in rows for cell in row)
    assert rows[1][1].startswith("'=") and rows[1][2].startswith("'+")


@pytest.mark.parametrize("modules", [1, 4])
def test_the_cohort_report_runs_the_same_queries_whatever_the_size(
    client, cohort, administrator, form, modules, django_assert_num_queries
):
    for position in range(modules):
        session = held_session(cohort, position=10 + position, title=f"M{position}")
        people = attendees(cohort, session, 3, prefix=f"m{position}-")
        evaluation = open_evaluation(session, form, people)
        for person in people:
            answer(evaluation, person, text="Good")
    client.force_login(administrator)
    client.get(reverse("evaluation:cohort_report", args=[cohort.pk]))  # measure summaries kept
    # the session with its person; the cohort with access and the roles for the menu; threshold;
    # evaluations; invitation and response counts; modules; questions, answer counts,
    # comments; attendance (4); participants' statuses; measure summaries (their teams' and
    # pairs' names are read only when there are measures: none here); registers missing; the
    # learning summary's framework and participant count (the programme has no framework
    # here, so nothing more).
    with django_assert_num_queries(19):
        response = client.get(reverse("evaluation:cohort_report", args=[cohort.pk]))
    assert len(response.context["report"].reaction) == modules


def test_subject_access_lists_what_was_asked_but_never_the_answers(cohort, form):
    from governance.privacy import subject_access_data

    session = held_session(cohort)
    people = attendees(cohort, session, 3)
    evaluation = open_evaluation(session, form, people)
    answer(evaluation, people[0], text=SECRET)
    data = subject_access_data(people[0], None)
    (row,) = data.sections["session_evaluations"]
    assert row["answered_on"] and row["module"] == session.module.title
    assert SECRET not in str(data.sections)


def test_a_form_for_a_kind_already_covered_is_refused_and_nothing_is_saved(
    programme, administrator, form
):
    question = form.items.first().question
    with pytest.raises(ValidationError):
        services.evaluation_form_save(
            programme=programme, name="Second", module_kind="module", questions=[question],
            acting_user=administrator,
        )  # fmt: skip
    assert programme.evaluation_forms.count() == 1


def test_the_report_and_its_learning_export_give_the_cohorts_paired_change(
    client, cohort, administrator, participant
):
    """Learning and behaviour comes from the frameworks' cohort summary: three people who
    moved +1, +2 and +3 in every dimension give 3 pairs and a mean change of +2 on the page,
    in the CSV and in the workbook; nobody's own ratings appear."""
    cohort.starts_on = timezone.localdate() - datetime.timedelta(days=7)
    cohort.save()
    use_example(cohort.programme, administrator)
    last_session_on(cohort, timezone.localdate() + datetime.timedelta(days=10))
    end_time = timezone.now() + datetime.timedelta(days=5)
    for person, start, end in zip(
        [participant, enrol(cohort), enrol(cohort)], [2, 1, 1], [3, 3, 4], strict=True
    ):
        assess(cohort, person, SelfAssessment.Kind.START, start)
        assess(cohort, person, SelfAssessment.Kind.END, end, now=end_time)
    client.force_login(administrator)
    page = client.get(reverse("evaluation:cohort_report", args=[cohort.pk])).content.decode()
    assert "Setting direction" in page and "+2.00" in page
    learning = client.get(reverse("evaluation:cohort_report_csv", args=[cohort.pk, "learning"]))
    rows = list(csv.reader(io.StringIO(learning.content.decode("utf-8-sig"))))
    setting = next(row for row in rows if row and row[0] == "Setting direction")
    assert setting[1:3] == ["3", "2.0"]
    workbook = load_workbook(
        io.BytesIO(client.get(reverse("evaluation:cohort_report_xlsx", args=[cohort.pk])).content)
    )
    assert workbook["Learning and behaviour"]["A2"].value == "Setting direction"
