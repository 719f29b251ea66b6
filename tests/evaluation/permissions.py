"""Who gets what from the evaluation URLs. The programme's forms are its administrators';
results and the cohort report are for the cohort's administrators, clinical leaders and
faculty (participants 403, outsiders 404); the response form only for the person asked.

``world.cohort`` gets a form, a session held yesterday with its evaluation open, the
participant asked (not yet answered) and one other attendee who answered (below the
threshold, so results show counts only)."""

from modules.models import Attendance
from tests.evaluation.helpers import answer, attendees, held_session, make_form, open_evaluation
from tests.permission_table import Expect, logged_in


def _evaluation(world):
    def make():
        admin = world.personas["administrator"]
        form = make_form(world.cohort.programme, admin)
        session = held_session(world.cohort)
        participant = world.personas["participant"]
        Attendance.objects.create(session=session, person=participant, status="present")
        (other,) = attendees(world.cohort, session, 1, prefix="evaluator")
        evaluation = open_evaluation(session, form, [participant, other])
        answer(evaluation, other, text="More time for the case study.")
        return evaluation

    return world.once("evaluation", make)


def _programme(world):
    return {"programme_id": world.cohort.programme_id}


def _form(world):
    return {"programme_id": world.cohort.programme_id, "form_id": _evaluation(world).form_id}


def _session(world):
    return {"session_id": _evaluation(world).session_id}


def _module(world):
    return {"module_id": _evaluation(world).session.module_id}


def _cohort(world):
    _evaluation(world)
    return {"cohort_id": world.cohort.pk}


ADMIN_PAGE = logged_in(404, administrator=200)
RESULTS = logged_in(403, other_participant=404, administrator=200, faculty=200, clinical_leader=200)

ROWS = {
    "evaluation:programme_setup": Expect(get=ADMIN_PAGE, kwargs=_programme),
    "evaluation:programme_settings": Expect(
        get=ADMIN_PAGE,
        post=logged_in(404, administrator=302),
        kwargs=_programme,
        data=lambda world: {"min_responses": "4"},
    ),
    "evaluation:question_create": Expect(
        get=ADMIN_PAGE,
        post=logged_in(404, administrator=302),
        kwargs=_programme,
        data=lambda world: {"text": "The room worked", "kind": "rating", "required": "on"},
    ),
    "evaluation:form_create": Expect(get=ADMIN_PAGE, kwargs=_programme),
    "evaluation:form_edit": Expect(
        get=ADMIN_PAGE,
        post=logged_in(404, administrator=302),
        kwargs=_form,
        data=lambda world: {
            "name": "Renamed",
            "module_kind": "module",
            "questions": [q.pk for q in world.cohort.programme.evaluation_questions.all()],
            "is_active": "on",
        },
    ),
    # Only the person asked: everyone else is told nothing exists.
    "evaluation:respond": Expect(
        get=logged_in(404, participant=200),
        post=logged_in(404, participant=302),
        kwargs=_session,
        data=lambda world: {
            f"q{q.pk}": {"rating": "5", "choice": "Too fast", "text": "Great"}[q.kind]
            for q in world.cohort.programme.evaluation_questions.all()
        },
    ),
    "evaluation:session_results": Expect(get=RESULTS, kwargs=_session),
    "evaluation:module_results": Expect(get=RESULTS, kwargs=_module),
    "evaluation:cohort_report": Expect(get=RESULTS, kwargs=_cohort),
    "evaluation:cohort_report_csv": Expect(
        get=RESULTS, kwargs=lambda world: {**_cohort(world), "part": "reaction"}
    ),
    "evaluation:cohort_report_xlsx": Expect(get=RESULTS, kwargs=_cohort),
}
