"""The frameworks' part of subject access and erasure (``governance/privacy.py`` runs both):
a person's self-assessments and their 360.

Only the person themself (``cohort_ids`` None: their own export, or a superuser's) gets their
self-assessment answers and their 360 report; an administrator's export on their behalf says
what is held and when, not the answers, which are the person's alone. Raters' answers are
given only as the report shows them (groups of at least three)."""

from leadership.models import User
from leadership.privacy import SubjectAccessData, in_scope, when

from .models import FeedbackRound, SelfAssessment, SelfRating
from .selectors import feedback_report
from .services import forget_rater_emails


def export_frameworks(person: User, cohort_ids: set[int] | None) -> SubjectAccessData:
    data = SubjectAccessData()
    own = cohort_ids is None
    assessments = in_scope(
        SelfAssessment.objects.filter(person=person).select_related("cohort", "framework"),
        "cohort",
        cohort_ids,
    )
    ratings: dict[int, list[dict]] = {}
    if own:
        for rating in SelfRating.objects.filter(assessment__person=person).select_related(
            "statement__dimension"
        ):
            ratings.setdefault(rating.assessment_id, []).append(
                {
                    "dimension": rating.statement.dimension.name,
                    "statement": rating.statement.text,
                    "rating": rating.value,
                }
            )
    data.sections["self_assessments"] = [
        {
            "cohort": a.cohort.name,
            "framework": a.framework.name,
            "kind": a.get_kind_display(),
            "sent": when(a.submitted_at),
            "ratings": ratings.get(a.pk, []) if own else "only in your own export",
        }
        for a in assessments
    ]
    rounds = in_scope(
        FeedbackRound.objects.filter(participant=person).select_related("cohort"),
        "cohort",
        cohort_ids,
    )
    feedback = []
    for feedback_round in rounds:
        entry = {
            "cohort": feedback_round.cohort.name,
            "status": feedback_round.get_status_display(),
            "opened": when(feedback_round.opened_at),
            "closes": when(feedback_round.closes_at),
            "raters_asked": feedback_round.raters.count(),
            "raters_answered": feedback_round.raters.filter(responded=True).count(),
        }
        if own:
            report = feedback_report(feedback_round.cohort, person)
            entry["report"] = (
                [
                    {
                        "group": column.label,
                        "responses": column.responses,
                        **dict(zip(report.dimensions, column.means, strict=True)),
                    }
                    for column in report.columns
                ]
                if report
                else []
            )
        feedback.append(entry)
    data.sections["feedback_360"] = feedback
    return data


def erase_person(*, person: User) -> None:
    """Delete their self-assessments and their 360s (raters' answers about them, the raters'
    addresses, and what the outbox still holds for those raters). The cohort's figures then
    leave them out, as they leave out anyone who is no longer in it."""
    rounds = FeedbackRound.objects.filter(participant=person)
    forget_rater_emails([pk for pk in rounds.values_list("raters__pk", flat=True) if pk])
    rounds.delete()
    SelfAssessment.objects.filter(person=person).delete()
