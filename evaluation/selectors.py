"""Reads for session evaluations, and the one place results are computed.

**The anonymity threshold is enforced here, not in templates.** ``evaluation_results`` counts
the responses of each session evaluation first and reads answers only of evaluations that
reach the programme's ``min_responses``; below it, the result carries counts of people asked
and answered and nothing else — the answers are never read, so no page, export or PDF built
on these selectors can show them. A module's (or the cohort report's) figures pool only
sessions that each reach the threshold, so a module total minus a released session can never
give away a session below it. Ratings and choices are read as counts aggregated by the
database; free-text comments come in the random order of their keys. Nothing here reads who
answered what: answers have no link to a person (``models``).

Access: results and the cohort report are for the cohort's administrators, clinical leaders
and faculty (``RESULT_ROLES``); the response form for the person asked.
"""

import datetime
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone

from cohorts import selectors as cohort_selectors
from cohorts.models import Cohort, Enrolment, Programme
from cohorts.selectors import CohortAccess
from frameworks.selectors import CohortLearningSummary, cohort_learning_summary
from leadership.models import User
from measures.charts import distribution_words, render_bars_svg
from measures.selectors import measure_summaries
from modules.models import Module, Session
from modules.selectors import attendance_summary_for_cohort, registers_missing
from pairings.models import Pairing
from redesign_projects.models import RedesignTeam

from .models import (
    DEFAULT_MIN_RESPONSES,
    EvaluationAnswer,
    EvaluationForm,
    EvaluationInvitation,
    EvaluationQuestion,
    EvaluationResponse,
    EvaluationSettings,
    SessionEvaluation,
)

RESULT_ROLES = frozenset(
    {
        cohort_selectors.ADMINISTRATOR,
        Enrolment.Role.CLINICAL_LEADER,
        Enrolment.Role.FACULTY,
    }
)


def min_responses(programme: Programme) -> int:
    """The programme's threshold (the default without settings). One query."""
    row = EvaluationSettings.objects.filter(programme=programme).first()
    return row.min_responses if row else DEFAULT_MIN_RESPONSES


# --- administration ------------------------------------------------------------------------


@dataclass
class ProgrammeSetup:
    programme: Programme
    min_responses: int
    forms: list[EvaluationForm]
    questions: list[EvaluationQuestion]


def programme_setup(programme: Programme) -> ProgrammeSetup:
    """The programme's evaluation page: settings, forms with their questions, the bank. Four
    queries."""
    forms = list(
        EvaluationForm.objects.filter(programme=programme)
        .prefetch_related("items__question")
        .order_by("-is_active", "name")
    )
    return ProgrammeSetup(
        programme=programme,
        min_responses=min_responses(programme),
        forms=forms,
        questions=list(EvaluationQuestion.objects.filter(programme=programme)),
    )


def blueprint_evaluation_forms(programme: Programme) -> dict:
    """The programme's evaluation forms for its blueprint page (``blueprints.sections``):
    in use first, each with its number of questions. One query."""
    return {
        "forms": list(
            EvaluationForm.objects.filter(programme=programme)
            .annotate(question_count=Count("items"))
            .order_by("-is_active", "name")
        )
    }


def get_form_for_administrator(programme: Programme, form_id) -> EvaluationForm:
    """A form of ``programme`` (whose access the caller checked); 404 otherwise."""
    try:
        return EvaluationForm.objects.get(pk=int(form_id), programme=programme)
    except (EvaluationForm.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404("No such form.") from exc


def form_questions(form: EvaluationForm) -> list[EvaluationQuestion]:
    return [item.question for item in form.items.select_related("question")]


# --- answering -----------------------------------------------------------------------------


@dataclass
class Asked:
    """A person's invitation to evaluate one session, with the questions asked."""

    evaluation: SessionEvaluation
    invitation: EvaluationInvitation
    questions: list[EvaluationQuestion]


def get_invitation_for_user(user: User, session_id) -> Asked:
    """The signed-in person's invitation to evaluate the session, with the session and its
    cohort and the questions in the order asked: 404 for anyone not asked (never confirm the
    evaluation exists). Two queries."""
    try:
        invitation = EvaluationInvitation.objects.select_related(
            "evaluation__session__module__cohort__programme"
        ).get(evaluation__session_id=int(session_id), person=user)
    except (EvaluationInvitation.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404("No such evaluation.") from exc
    evaluation = invitation.evaluation
    by_id = EvaluationQuestion.objects.in_bulk(evaluation.questions)
    questions = [by_id[pk] for pk in evaluation.questions if pk in by_id]
    return Asked(evaluation=evaluation, invitation=invitation, questions=questions)


def open_evaluations_for(user: User, *, now: datetime.datetime | None = None):
    """The evaluations ``user`` was asked for and has not answered that are still open,
    soonest to close first, with their session and module. One query."""
    now = now or timezone.now()
    return list(
        EvaluationInvitation.objects.filter(
            person=user, responded_on__isnull=True, evaluation__closes_at__gt=now
        )
        .select_related("evaluation__session__module__cohort")
        .order_by("evaluation__closes_at", "pk")
    )


# --- results (the threshold lives here) ----------------------------------------------------


@dataclass
class OptionCount:
    label: str
    count: int


@dataclass
class QuestionResult:
    question: EvaluationQuestion
    answered: int
    options: list[OptionCount] = field(default_factory=list)
    mean: float | None = None
    comments: list[str] = field(default_factory=list)
    # Where a PDF's fetcher serves the bars from (reports.rendering); empty on pages.
    src: str = ""

    @property
    def words(self) -> str:
        """The distribution in words, for the bars' text alternative."""
        return distribution_words([(o.label, o.count) for o in self.options], self.answered)

    @property
    def svg(self) -> str:
        """The distribution as bars (escaped SVG); empty for free text."""
        if self.question.kind == EvaluationQuestion.Kind.TEXT:
            return ""
        return render_bars_svg(
            [(o.label, o.count) for o in self.options],
            title=self.question.text,
            total=self.answered,
        )


@dataclass
class Results:
    """What may be shown about some sessions' evaluations. ``released`` is False below the
    threshold, and then ``questions`` is empty: the answers were not read."""

    threshold: int
    sessions: int
    invited: int
    responded: int
    released_sessions: int
    released_responses: int
    questions: list[QuestionResult] = field(default_factory=list)

    @property
    def released(self) -> bool:
        return self.released_responses >= self.threshold

    @property
    def rate(self) -> int | None:
        return round(100 * self.responded / self.invited) if self.invited else None

    @property
    def held_back(self) -> int:
        """Sessions whose answers are left out: each had fewer than the threshold."""
        return self.sessions - self.released_sessions

    @property
    def mean_rating(self) -> float | None:
        """The mean of every rating given to every rating question (released only)."""
        ratings = [
            (q.mean, q.answered) for q in self.questions if q.mean is not None and q.answered
        ]
        total = sum(n for _mean, n in ratings)
        return sum(mean * n for mean, n in ratings) / total if total else None


def _counts(evaluation_ids: list[int]) -> tuple[Counter, Counter, Counter]:
    """(invited, responded, responses) per evaluation id. Two queries."""
    invited: Counter = Counter()
    responded: Counter = Counter()
    for row in (
        EvaluationInvitation.objects.filter(evaluation_id__in=evaluation_ids)
        .values("evaluation_id")
        .annotate(n=Count("pk"), done=Count("pk", filter=Q(responded_on__isnull=False)))
    ):
        invited[row["evaluation_id"]] = row["n"]
        responded[row["evaluation_id"]] = row["done"]
    responses = Counter(
        {
            row["evaluation_id"]: row["n"]
            for row in EvaluationResponse.objects.filter(evaluation_id__in=evaluation_ids)
            .values("evaluation_id")
            .annotate(n=Count("pk"))
        }
    )
    return invited, responded, responses


def _pool(released: list[SessionEvaluation], group: Callable[[SessionEvaluation], object]):
    """Each group's question results, pooled over its evaluations in ``released`` — ones the
    caller checked against the threshold — with its questions in the order asked. Three
    queries however many groups: questions, counts aggregated by the database, free text."""
    if not released:
        return {}
    group_of = {e.pk: group(e) for e in released}
    asked: dict[object, dict[int, None]] = defaultdict(dict)
    for evaluation in released:
        asked[group_of[evaluation.pk]].update(dict.fromkeys(evaluation.questions))
    questions = EvaluationQuestion.objects.in_bulk({pk for ids in asked.values() for pk in ids})
    tallies: dict[tuple[object, int], Counter] = defaultdict(Counter)
    answers = EvaluationAnswer.objects.filter(response__evaluation_id__in=list(group_of))
    for row in (
        answers.exclude(question__kind=EvaluationQuestion.Kind.TEXT)
        .values("response__evaluation_id", "question_id", "rating", "choice")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        value = str(row["rating"]) if row["rating"] is not None else row["choice"]
        key = (group_of[row["response__evaluation_id"]], row["question_id"])
        tallies[key][value] += row["n"]
    comments: dict[tuple[object, int], list[str]] = defaultdict(list)
    for evaluation_id, question_id, text in (
        answers.filter(question__kind=EvaluationQuestion.Kind.TEXT)
        .exclude(text="")
        .values_list("response__evaluation_id", "question_id", "text")
        .order_by("pk")  # random keys: never the order people answered in
    ):
        comments[(group_of[evaluation_id], question_id)].append(text)
    pooled: dict[object, list[QuestionResult]] = {}
    for group_key, ids in asked.items():
        rows = []
        for pk in ids:
            if pk not in questions:
                continue
            question, tally = questions[pk], tallies[(group_key, pk)]
            result = QuestionResult(question=question, answered=sum(tally.values()))
            result.options = [OptionCount(label, tally[value]) for value, label in question.options]
            if question.kind == EvaluationQuestion.Kind.RATING and result.answered:
                result.mean = sum(int(v) * n for v, n in tally.items()) / result.answered
            if question.kind == EvaluationQuestion.Kind.TEXT:
                result.comments = comments[(group_key, pk)]
                result.answered = len(result.comments)
            rows.append(result)
        pooled[group_key] = rows
    return pooled


def _results(
    evaluations: list[SessionEvaluation],
    threshold: int,
    counts: tuple[Counter, Counter, Counter],
) -> tuple[Results, list[SessionEvaluation]]:
    """The counts of ``evaluations`` and those of them that reach ``threshold``."""
    invited, responded, responses = counts
    released = [e for e in evaluations if responses[e.pk] >= threshold]
    results = Results(
        threshold=threshold,
        sessions=len(evaluations),
        invited=sum(invited[e.pk] for e in evaluations),
        responded=sum(responded[e.pk] for e in evaluations),
        released_sessions=len(released),
        released_responses=sum(responses[e.pk] for e in released),
    )
    return results, released


def evaluation_results(evaluations: list[SessionEvaluation], threshold: int) -> Results:
    """The pooled results of ``evaluations`` under ``threshold`` (see the module docstring).
    Two queries below the threshold (the counts); five when answers are read."""
    results, released = _results(evaluations, threshold, _counts([e.pk for e in evaluations]))
    results.questions = _pool(released, lambda e: None).get(None, [])
    return results


def get_session_for_results(user: User, session_id) -> tuple[Session, CohortAccess]:
    """A session of a cohort where ``user`` may read results: 404 for outsiders,
    ``PermissionDenied`` for participants. Two queries."""
    try:
        session = Session.objects.select_related("module__cohort__programme").get(
            pk=int(session_id)
        )
    except (Session.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404("No such session.") from exc
    _cohort, access = cohort_selectors.get_cohort_for_user(
        user, session.module.cohort_id, roles=RESULT_ROLES
    )
    return session, access


def get_module_for_results(user: User, module_id) -> tuple[Module, CohortAccess]:
    """A module of a cohort where ``user`` may read results (as ``get_session_for_results``)."""
    try:
        module = Module.objects.select_related("cohort__programme").get(pk=int(module_id))
    except (Module.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404("No such module.") from exc
    _cohort, access = cohort_selectors.get_cohort_for_user(
        user, module.cohort_id, roles=RESULT_ROLES
    )
    return module, access


def session_results(session: Session) -> Results:
    """One session's results. Seven queries at most."""
    evaluations = list(SessionEvaluation.objects.filter(session=session))
    return evaluation_results(evaluations, min_responses(session.module.cohort.programme))


def module_results(module: Module) -> tuple[Results, list[tuple[Session, Results]]]:
    """A module's pooled results and each of its evaluated sessions' own, each under the
    threshold on its own. Ten queries at most, however many sessions."""
    threshold = min_responses(module.cohort.programme)
    evaluations = list(
        SessionEvaluation.objects.filter(session__module=module)
        .select_related("session")
        .order_by("session__starts_at")
    )
    counts = _counts([e.pk for e in evaluations])
    pooled, released = _results(evaluations, threshold, counts)
    pooled.questions = _pool(released, lambda e: None).get(None, [])
    per_session = _pool(released, lambda e: e.pk)
    sessions = []
    for evaluation in evaluations:
        results, _released = _results([evaluation], threshold, counts)
        results.questions = per_session.get(evaluation.pk, [])
        sessions.append((evaluation.session, results))
    return pooled, sessions


# --- the cohort's evaluation report --------------------------------------------------------


@dataclass
class ModuleReaction:
    module: Module
    results: Results


@dataclass
class Outcome:
    owner: str
    measure: str
    headline: str
    sustained_improvement: bool


@dataclass
class CohortEvaluationReport:
    cohort: Cohort
    threshold: int
    reaction: list[ModuleReaction]
    learning: CohortLearningSummary  # self-assessment change and 360 rates (frameworks)
    outcomes: list[Outcome]
    participants: int
    completed: int
    withdrawn: int
    attendance_percent: int | None
    meeting_rule: int
    registers_missing: int
    generated_at: datetime.datetime

    @property
    def improved(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.sustained_improvement]


def _outcomes(cohort: Cohort) -> list[Outcome]:
    """Every team's and pair's measure with its headline (``measures.selectors``), teams
    first, by name. Three queries (one more when summaries are recomputed)."""
    by_team, by_pairing = measure_summaries([cohort.pk])
    teams = {t.pk: t.name for t in RedesignTeam.objects.filter(pk__in=by_team)}
    pairs = {
        p.pk: f"{p.clinician} and {p.manager}"
        for p in Pairing.objects.filter(pk__in=by_pairing).select_related("clinician", "manager")
    }
    rows = []
    for owners, names, kind in ((by_team, teams, "team"), (by_pairing, pairs, "pair")):
        for owner_id in sorted(owners, key=lambda pk: (names.get(pk, ""), pk)):
            for summary in owners[owner_id]:
                rows.append(
                    Outcome(
                        owner=f"{names.get(owner_id, '')} ({kind})",
                        measure=summary.measure.name,
                        headline=summary.headline,
                        sustained_improvement=summary.sustained_improvement,
                    )
                )
    return rows


def cohort_evaluation_report(
    cohort: Cohort, *, now: datetime.datetime | None = None
) -> CohortEvaluationReport:
    """The cohort's evaluation: reaction per module (each under the threshold), the place for
    learning and behaviour, the improvement projects' outcomes, attendance and completion. A
    fixed number of queries whatever the cohort's size."""
    threshold = min_responses(cohort.programme)
    evaluations = list(
        SessionEvaluation.objects.filter(session__module__cohort=cohort).select_related("session")
    )
    counts = _counts([e.pk for e in evaluations])
    by_module: dict[int, list[SessionEvaluation]] = defaultdict(list)
    for evaluation in evaluations:
        by_module[evaluation.session.module_id].append(evaluation)
    modules = list(Module.objects.filter(cohort=cohort).order_by("position"))
    reaction, released = [], []
    for module in modules:
        if module.pk in by_module:
            results, module_released = _results(by_module[module.pk], threshold, counts)
            reaction.append(ModuleReaction(module=module, results=results))
            released += module_released
    pooled = _pool(released, lambda e: e.session.module_id)
    for item in reaction:
        item.results.questions = pooled.get(item.module.pk, [])
    attendance = attendance_summary_for_cohort(cohort)
    rates = [row.rate for row in attendance if row.rate is not None]
    enrolments = Counter(
        Enrolment.objects.filter(cohort=cohort, role=Enrolment.Role.PARTICIPANT).values_list(
            "status", flat=True
        )
    )
    return CohortEvaluationReport(
        cohort=cohort,
        threshold=threshold,
        reaction=reaction,
        learning=cohort_learning_summary(cohort),
        outcomes=_outcomes(cohort),
        participants=enrolments[Enrolment.Status.ENROLLED] + enrolments[Enrolment.Status.COMPLETED],
        completed=enrolments[Enrolment.Status.COMPLETED],
        withdrawn=enrolments[Enrolment.Status.WITHDRAWN],
        attendance_percent=round(100 * sum(rates) / len(rates)) if rates else None,
        meeting_rule=sum(1 for row in attendance if row.meets_rule),
        registers_missing=len(registers_missing(cohort)),
        generated_at=now or timezone.now(),
    )
