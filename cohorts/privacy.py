"""The cohorts' part of subject access and erasure (``governance/privacy.py`` runs both):
a person's enrolments, and the announcements they sent as a programme administrator."""

from leadership.models import User
from leadership.privacy import ERASED_TEXT, SubjectAccessData, in_scope, when

from .models import Announcement, Enrolment


def export_enrolments(person: User, cohort_ids: set[int] | None) -> SubjectAccessData:
    """Their enrolments in ``cohort_ids`` (None: every cohort), with a withdrawal reason, and
    the announcements they sent there. Read-only, two queries."""
    enrolments = in_scope(
        Enrolment.objects.filter(person=person).select_related("cohort__programme"),
        "cohort",
        cohort_ids,
    )
    rows = [
        {
            "programme": e.cohort.programme.name,
            "cohort": e.cohort.name,
            "role": e.get_role_display(),
            "status": e.get_status_display(),
            "enrolled_at": when(e.created_at),
            "withdrawn_on": when(e.withdrawn_on),
            "withdrawal_reason": e.withdrawal_reason,
        }
        for e in enrolments
    ]
    sent = in_scope(
        Announcement.objects.filter(sent_by=person).select_related("cohort"), "cohort", cohort_ids
    )
    announcements = [
        {
            "cohort": a.cohort.name,
            "sent_at": when(a.sent_at),
            "to": a.audience_label,
            "subject": a.subject,
            "message": a.body,
        }
        for a in sent
    ]
    return SubjectAccessData(sections={"enrolments": rows, "announcements_sent": announcements})


def erase_person(*, person: User) -> None:
    """Replace their withdrawal reasons with ``ERASED_TEXT``; their enrolments stay, so the
    cohort's figures do not move."""
    Enrolment.objects.filter(person=person).exclude(withdrawal_reason="").update(
        withdrawal_reason=ERASED_TEXT
    )
