"""The evaluations' part of subject access (``governance/privacy.py`` runs it).

What subject access returns: the sessions a person was asked to evaluate, when they were
asked, whether they were reminded and on which day they answered — the "has responded"
record, which is all that is held about them. It cannot return their answers: answers are
stored with no link to the person who gave them (``evaluation.models``: no person, no time,
random keys), so nothing held can tell which answers are theirs. That is the point of an
anonymous evaluation, and it is what people are told on the form; the answers are not
personal data of theirs that we can find.

Erasure changes nothing here: the invitations hold no text, and keeping them (pointing at
the anonymised account) keeps response rates as they were. Retention: answers and
invitations live as long as their cohort's session; there is nothing personal in the
answers to remove early."""

from leadership.models import User
from leadership.privacy import SubjectAccessData, in_scope, when

from .models import EvaluationInvitation


def export_evaluations(person: User, cohort_ids: set[int] | None) -> SubjectAccessData:
    """Their invitations to evaluate sessions in ``cohort_ids`` (None: every cohort), without
    answers (see the module docstring). Read-only, one query."""
    invitations = in_scope(
        EvaluationInvitation.objects.filter(person=person).select_related(
            "evaluation__session__module__cohort"
        ),
        "evaluation__session__module__cohort",
        cohort_ids,
    )
    rows = [
        {
            "cohort": i.evaluation.session.module.cohort.name,
            "module": i.evaluation.session.module.title,
            "session": i.evaluation.session.title,
            "session_starts_at": when(i.evaluation.session.starts_at),
            "asked_at": when(i.created_at),
            "reminded_at": when(i.reminded_at),
            "answered_on": i.responded_on.isoformat() if i.responded_on else "",
            "answers": "not held against your name: evaluations are anonymous",
        }
        for i in invitations
    ]
    return SubjectAccessData(sections={"session_evaluations": rows})
