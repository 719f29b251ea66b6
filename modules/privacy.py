"""The schedule's part of subject access and erasure (``governance/privacy.py`` runs both):
a person's calendar feeds, attendance and short-course places."""

from leadership.models import User
from leadership.privacy import SubjectAccessData, in_scope, when

from .models import Attendance, CalendarFeed, ShortCourseSignup


def export_calendar_feeds(person: User, cohort_ids: set[int] | None) -> SubjectAccessData:
    """Their calendar feeds (when made and revoked; not the secret link). Read-only. A feed
    covers the person's every cohort, so an export limited to ``cohort_ids`` (a programme
    office's) has none."""
    rows = [
        {"created_at": when(f.created_at), "revoked_at": when(f.revoked_at)}
        for f in (CalendarFeed.objects.filter(person=person) if cohort_ids is None else [])
    ]
    return SubjectAccessData(sections={"calendar_feeds": rows})


def export_attendance(person: User, cohort_ids: set[int] | None) -> SubjectAccessData:
    """Their attendance and apologies (with the register's note) and their short-course
    places, in ``cohort_ids`` (None: every cohort). Read-only, two queries."""
    data = SubjectAccessData()
    attendance = in_scope(
        Attendance.objects.filter(person=person).select_related("session__module__cohort"),
        "session__module__cohort",
        cohort_ids,
    )
    data.sections["attendance"] = [
        {
            "cohort": a.session.module.cohort.name,
            "module": a.session.module.title,
            "session": a.session.title,
            "starts_at": when(a.session.starts_at),
            "status": a.get_status_display(),
            "note": a.note,
            "recorded_at": when(a.recorded_at),
        }
        for a in attendance
    ]
    signups = in_scope(
        ShortCourseSignup.objects.filter(person=person).select_related("session__module__cohort"),
        "session__module__cohort",
        cohort_ids,
    )
    data.sections["short_course_places"] = [
        {
            "cohort": p.session.module.cohort.name,
            "course": p.session.module.title,
            "starts_at": when(p.session.starts_at),
            "signed_up_at": when(p.created_at),
        }
        for p in signups
    ]
    return data


def erase_person(*, person: User) -> None:
    """Delete their calendar feeds and clear the register's notes about them; their
    attendance rows stay, so attendance figures do not move."""
    CalendarFeed.objects.filter(person=person).delete()
    Attendance.objects.filter(person=person).exclude(note="").update(note="")
