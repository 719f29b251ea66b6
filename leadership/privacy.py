"""Subject access and erasure: what is held about one person, exported or anonymised.

What a person's export holds, and what erasure does to it (the decisions a governance reader
asks about; the README summarises them):

* **Their own data** is exported in full: profile, e-mail addresses, notification choices,
  enrolments (with a withdrawal reason), attendance and apologies (with the register's note),
  short-course places, team memberships, their individual submissions with text and files,
  the feedback released on them, extensions granted to them, peer comments, shadowing entries
  and pairing preferences they wrote, data points, measures and PDSA cycles they entered,
  certificates and transcripts about them (with the PDFs), the e-mails sent to them (kind,
  date, status — not the body, which can list other people), and the audit events about them.
* **Team work is the team's**: for a team submission they took part in, the export lists it
  (assignment, version, dates, whether they submitted it, the decision) and includes the files
  *they* uploaded; the team's text, other members' files and feedback comments (which discuss
  the whole team) stay on the team page, which they can read anyway.
* **Other people appear only as a pseudonymous reference** ("person #41") where a row needs
  one (the other half of a pairing, a line manager), and as a role where someone acted on
  them ("you", "programme staff", "system"). No other person's name, e-mail or job is copied.
* **Scope**: the person themself and superusers get everything; a programme administrator gets
  the person's profile (without when they joined or last logged in) and what belongs to the
  cohorts of the programmes they administer — not the account's sign-in methods, e-mail
  choices, calendar feeds, logins or other account events, nor e-mails and audit events of
  other offices' cohorts: one account can be in several offices' programmes.

Erasure (``person_erase``) anonymises rather than deletes, so every cohort figure (places,
attendance rates, submission and completion counts) stays the same: the rows stay and point at
the same — now anonymous — account. Personal fields are replaced ("Erased person #id", an
``@erased.invalid`` address, job, department and organisation cleared), the password made
unusable, sessions ended, pending e-mails cancelled, MFA authenticators and e-mail addresses
removed, free text they wrote or that is about them replaced with "[erased]", the files of
their individual submissions and PDFs naming them (their transcripts and certificates, and
every built report of their cohorts, which can be built again) deleted from storage. Team
files they uploaded stay: they are the team's record. The audit trail keeps ids; its text
(``target_repr`` and ``changes``) in the events of their cohorts and account has their name
and e-mail replaced, through the one door the database's append-only guard leaves open.
"""

import csv
import io
import json
import re
import shutil
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, TextField
from django.db.models.fields.files import FieldFile
from django.db.models.functions import Cast
from django.http import Http404
from django.utils import timezone

from .audit import audit_maintenance
from .models import AuditEvent, Notification, User
from .services import audit_record
from .sessions import end_sessions_for

ERASED_TEXT = "[erased]"
ERASED_DOMAIN = "erased.invalid"  # .invalid is reserved (RFC 2606): it can never be delivered


def erased_name(person_id: int) -> str:
    return f"Erased person #{person_id}"


def erased_email(person_id: int) -> str:
    return f"erased-{person_id}@{ERASED_DOMAIN}"


def is_erased(person: User) -> bool:
    return person.email.endswith(f"@{ERASED_DOMAIN}")


def reference(person_id: int | None) -> str:
    """How another person appears in someone's export: a number, never a name."""
    return f"person #{person_id}" if person_id else ""


# Access ----------------------------------------------------------------------------------------


def get_person_for_administrator(user: User, person_id) -> User:
    """A person enrolled (now or before) in a cohort of a programme ``user`` administers; any
    person for a superuser. 404 for everyone else, and for people outside that reach."""
    from cohorts.models import Cohort

    if not user.is_authenticated:
        raise Http404("No such person.")
    try:
        pk = int(person_id)
    except (TypeError, ValueError) as exc:
        raise Http404("No such person.") from exc
    people = User.objects.filter(pk=pk)
    if not user.is_superuser:
        people = people.filter(enrolments__cohort__in=Cohort.objects.administered_by(user))
    person = people.distinct().first()
    if person is None:
        raise Http404("No such person.")
    return person


def export_scope(user: User, person: User) -> set[int] | None:
    """The cohort ids ``user`` may export ``person``'s data for; None means every cohort (the
    person themself, or a superuser). One query for an administrator."""
    from cohorts.models import Cohort

    if user.pk == person.pk or user.is_superuser:
        return None
    return set(Cohort.objects.administered_by(user).values_list("pk", flat=True))


def check_may_erase(*, person: User, acting_user: User) -> None:
    """Raise ``PermissionDenied`` unless ``acting_user`` may erase ``person``: not themself,
    not a superuser, staff member or programme administrator (remove that role first), not
    already erased, and — unless the actor is a superuser — every cohort the person was ever
    in belongs to a programme the actor administers (one office must not erase what another
    still needs)."""
    from cohorts.models import Cohort, Enrolment

    if person.pk == acting_user.pk:
        raise PermissionDenied("You cannot erase yourself.")
    if is_erased(person):
        raise PermissionDenied("This person has already been erased.")
    if person.is_superuser or person.is_staff or person.administered_programmes.exists():
        raise PermissionDenied(
            "This person administers programmes or the site: remove that role first."
        )
    if acting_user.is_superuser:
        return
    outside = Enrolment.objects.filter(person=person).exclude(
        cohort__in=Cohort.objects.administered_by(acting_user)
    )
    if outside.exists():
        raise PermissionDenied(
            "This person is also in cohorts of programmes you do not administer: ask a "
            "superuser to erase them."
        )


# Subject access export -----------------------------------------------------------------------


@dataclass
class SubjectAccessData:
    """Sections of rows (each becomes ``<section>.csv`` and a key of ``data.json``) and the
    stored files to copy into the zip (path in the zip → file)."""

    sections: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    files: dict[str, FieldFile] = field(default_factory=dict)


def _in_scope(queryset, cohort_path: str, cohort_ids: set[int] | None):
    return queryset if cohort_ids is None else queryset.filter(**{f"{cohort_path}__in": cohort_ids})


def _when(value) -> str | None:
    return value.isoformat() if value else None


def _safe_name(name: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._")
    return cleaned[:80] or "file"


def subject_access_data(person: User, cohort_ids: set[int] | None) -> SubjectAccessData:
    """Everything held about ``person`` (see the module docstring for what and why), limited
    to ``cohort_ids`` for cohort data (None: every cohort). Read-only; a few dozen queries,
    independent of how much else the database holds."""
    from cohorts.models import Certificate, Enrolment, ReportRequest
    from modules.models import Attendance, CalendarFeed, ShortCourseSignup
    from pairings.models import Pairing, PairingPreference, ShadowingEntry
    from redesign_projects.models import (
        DataPoint,
        Extension,
        Feedback,
        Measure,
        PdsaCycle,
        PeerComment,
        Submission,
        SubmissionFile,
        TeamMembership,
    )

    data = SubjectAccessData()
    s = data.sections
    s["profile"] = [
        {
            "id": person.pk,
            "email": person.email,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "profession": person.get_profession_display(),
            "job_title": person.job_title,
            "department": person.department,
            "organisation": person.organisation,
            "is_active": person.is_active,
            "date_joined": _when(person.date_joined) if cohort_ids is None else None,
            "last_login": _when(person.last_login) if cohort_ids is None else None,
        }
    ]
    account = cohort_ids is None  # account-wide sections: the person's and superusers' only
    if apps.is_installed("allauth.account"):
        from allauth.account.models import EmailAddress

        s["email_addresses"] = [
            {"email": a.email, "verified": a.verified, "primary": a.primary}
            for a in EmailAddress.objects.filter(user=person)
            if account
        ]
    if apps.is_installed("allauth.mfa"):
        from allauth.mfa.models import Authenticator

        # Kinds and dates only: the secrets themselves are never exported.
        s["sign_in_methods"] = [
            {"type": a.get_type_display(), "created_at": _when(a.created_at)}
            for a in Authenticator.objects.filter(user=person)
            if account
        ]
    s["notification_opt_outs"] = [
        {"kind": p.get_kind_display(), "since": _when(p.created_at)}
        for p in person.notification_opt_outs.all()
        if account
    ]
    s["calendar_feeds"] = [
        {"created_at": _when(f.created_at), "revoked_at": _when(f.revoked_at)}
        for f in CalendarFeed.objects.filter(person=person)
        if account
    ]
    enrolments = _in_scope(
        Enrolment.objects.filter(person=person).select_related("cohort__programme"),
        "cohort",
        cohort_ids,
    )
    s["enrolments"] = [
        {
            "programme": e.cohort.programme.name,
            "cohort": e.cohort.name,
            "role": e.get_role_display(),
            "status": e.get_status_display(),
            "enrolled_at": _when(e.created_at),
            "withdrawn_on": _when(e.withdrawn_on),
            "withdrawal_reason": e.withdrawal_reason,
        }
        for e in enrolments
    ]
    attendance = _in_scope(
        Attendance.objects.filter(person=person).select_related("session__module__cohort"),
        "session__module__cohort",
        cohort_ids,
    )
    s["attendance"] = [
        {
            "cohort": a.session.module.cohort.name,
            "module": a.session.module.title,
            "session": a.session.title,
            "starts_at": _when(a.session.starts_at),
            "status": a.get_status_display(),
            "note": a.note,
            "recorded_at": _when(a.recorded_at),
        }
        for a in attendance
    ]
    signups = _in_scope(
        ShortCourseSignup.objects.filter(person=person).select_related("session__module__cohort"),
        "session__module__cohort",
        cohort_ids,
    )
    s["short_course_places"] = [
        {
            "cohort": p.session.module.cohort.name,
            "course": p.session.module.title,
            "starts_at": _when(p.session.starts_at),
            "signed_up_at": _when(p.created_at),
        }
        for p in signups
    ]
    memberships = _in_scope(
        TeamMembership.objects.filter(person=person).select_related("team", "cohort"),
        "cohort",
        cohort_ids,
    )
    s["team_memberships"] = [
        {
            "cohort": m.cohort.name,
            "team": m.team.name,
            "joined_at": _when(m.joined_at),
            "left_at": _when(m.left_at),
        }
        for m in memberships
    ]

    # Submissions: their own individual work in full; team work they took part in as a list.
    own_files = SubmissionFile.objects.filter(uploaded_by=person)
    submissions = _in_scope(
        Submission.objects.filter(
            Q(owner=person)
            | Q(members=person)
            | Q(created_by=person)
            | Q(submitted_by=person)
            | Q(files__in=own_files)
        )
        .select_related("assignment__cohort", "team")
        .distinct(),
        "assignment__cohort",
        cohort_ids,
    )
    submissions = list(submissions)
    individual_ids = {sub.pk for sub in submissions if sub.owner_id == person.pk}
    files = SubmissionFile.objects.filter(
        Q(submission_id__in=individual_ids) | Q(uploaded_by=person, submission__in=submissions)
    ).order_by("pk")
    files_by_submission: dict[int, list[str]] = {}
    s["submission_files"] = []
    for upload in files:
        path = f"files/submissions/{upload.pk}-{_safe_name(upload.original_name)}"
        data.files[path] = upload.file
        files_by_submission.setdefault(upload.submission_id, []).append(path)
        s["submission_files"].append(
            {
                "submission_id": upload.submission_id,
                "original_name": upload.original_name,
                "size": upload.size,
                "sha256": upload.sha256,
                "uploaded_at": _when(upload.uploaded_at),
                "uploaded_by_you": upload.uploaded_by_id == person.pk,
                "file_in_this_zip": path,
            }
        )
    feedback = {
        f.submission_id: f
        for f in Feedback.objects.filter(
            submission__in=submissions, released_at__isnull=False
        ).prefetch_related("scores__criterion", "scores__level")
    }
    s["submissions"] = []
    for sub in submissions:
        mine = sub.pk in individual_ids
        released = feedback.get(sub.pk)
        s["submissions"].append(
            {
                "id": sub.pk,
                "cohort": sub.assignment.cohort.name,
                "assignment": sub.assignment.title,
                "kind": "individual" if mine else "team",
                "team": sub.team.name if sub.team_id else "",
                "status": sub.get_status_display(),
                "version": sub.version,
                "submitted_at": _when(sub.submitted_at),
                "late": sub.is_late,
                "submitted_by_you": sub.submitted_by_id == person.pk,
                "text": sub.text if mine else "",
                "files_in_this_zip": files_by_submission.get(sub.pk, []),
                "feedback_decision": released.get_decision_display() if released else "",
                "feedback_released_at": _when(released.released_at) if released else None,
                # Comments on team work discuss the whole team: they stay on the team page.
                "feedback_comments": released.comments if released and mine else "",
                "feedback_scores": [
                    f"{score.criterion.title}: {score.level.label}"
                    for score in released.scores.all()
                ]
                if released and mine
                else [],
            }
        )
    given = _in_scope(
        Feedback.objects.filter(author=person).select_related("submission__assignment__cohort"),
        "submission__assignment__cohort",
        cohort_ids,
    )
    s["feedback_you_gave"] = [
        {
            "submission_id": f.submission_id,
            "cohort": f.submission.assignment.cohort.name,
            "assignment": f.submission.assignment.title,
            "decision": f.get_decision_display(),
            "written_at": _when(f.created_at),
            "released_at": _when(f.released_at),
        }
        for f in given
    ]
    comments = _in_scope(
        PeerComment.objects.filter(author=person).select_related("submission__assignment"),
        "submission__assignment__cohort",
        cohort_ids,
    )
    s["peer_comments"] = [
        {
            "submission_id": c.submission_id,
            "assignment": c.submission.assignment.title,
            "comment": c.body,
            "written_at": _when(c.created_at),
        }
        for c in comments
    ]
    extensions = _in_scope(
        Extension.objects.filter(person=person).select_related("assignment__cohort"),
        "assignment__cohort",
        cohort_ids,
    )
    s["extensions"] = [
        {
            "cohort": x.assignment.cohort.name,
            "assignment": x.assignment.title,
            "new_due_at": _when(x.due_at),
            "reason": x.reason,
            "granted_at": _when(x.created_at),
        }
        for x in extensions
    ]
    measures = Measure.objects.filter(created_by=person)
    points = DataPoint.objects.filter(recorded_by=person).select_related("measure")
    if cohort_ids is not None:
        measures = measures.filter(
            Q(team__cohort__in=cohort_ids) | Q(pairing__cohort__in=cohort_ids)
        )
        points = points.filter(
            Q(measure__team__cohort__in=cohort_ids) | Q(measure__pairing__cohort__in=cohort_ids)
        )
    s["measures_you_created"] = [
        {
            "measure": m.name,
            "kind": m.get_kind_display(),
            "unit": m.unit,
            "created_at": _when(m.created_at),
        }
        for m in measures
    ]
    s["data_points_you_entered"] = [
        {
            "measure": p.measure.name,
            "period": _when(p.period),
            "value": str(p.value.normalize()),
            "annotation": p.annotation,
            "recorded_at": _when(p.recorded_at),
        }
        for p in points
    ]
    cycles = _in_scope(
        PdsaCycle.objects.filter(created_by=person).select_related("team"),
        "team__cohort",
        cohort_ids,
    )
    s["pdsa_cycles_you_started"] = [
        {
            "team": c.team.name,
            "change_idea": c.change_idea,
            "started_on": _when(c.started_on),
            "ended_on": _when(c.ended_on),
        }
        for c in cycles
    ]
    pairings = _in_scope(
        Pairing.objects.filter(Q(clinician=person) | Q(manager=person)).select_related("cohort"),
        "cohort",
        cohort_ids,
    )
    s["pairings"] = [
        {
            "cohort": p.cohort.name,
            "kind": p.get_kind_display(),
            "your_role": "clinician" if p.clinician_id == person.pk else "manager",
            "partner": reference(p.manager_id if p.clinician_id == person.pk else p.clinician_id),
            "status": p.get_status_display(),
            "started_on": _when(p.started_on),
            "ended_on": _when(p.ended_on),
            "end_reason": p.end_reason,
            "project_title": p.project_title,
            "project_aim": p.project_aim,
            "project_state": p.get_project_status_display(),
        }
        for p in pairings
    ]
    entries = _in_scope(ShadowingEntry.objects.filter(author=person), "pairing__cohort", cohort_ids)
    s["shadowing_entries_you_wrote"] = [
        {
            "pairing_id": e.pairing_id,
            "date": _when(e.occurred_on),
            "who_shadowed_whom": e.get_direction_display(),
            "location": e.location,
            "minutes": e.minutes,
            "reflection": e.reflection,
        }
        for e in entries
    ]
    preferences = _in_scope(
        PairingPreference.objects.filter(person=person).select_related("cohort"),
        "cohort",
        cohort_ids,
    )
    s["pairing_preferences"] = [
        {
            "cohort": p.cohort.name,
            "interests": p.interests,
            "preferred_departments": p.preferred_departments,
            "availability": p.availability,
            "line_manager": reference(p.line_manager_id),
        }
        for p in preferences
    ]
    certificates = _in_scope(Certificate.objects.filter(person=person), "cohort", cohort_ids)
    s["certificates"] = [
        {
            "programme": c.programme_name,
            "name_on_certificate": c.name_on_certificate,
            "code": c.code,
            "issued_at": _when(c.issued_at),
            "revoked_at": _when(c.revoked_at),
            "revocation_reason": c.revocation_reason,
        }
        for c in certificates
    ]
    reports = _in_scope(
        ReportRequest.objects.filter(person=person).select_related("cohort"), "cohort", cohort_ids
    )
    s["documents_about_you"] = []
    for report in reports:
        path = ""
        if report.status == ReportRequest.Status.READY and report.file:
            path = f"files/documents/{report.pk}-{report.kind}.pdf"
            data.files[path] = report.file
        s["documents_about_you"].append(
            {
                "kind": report.get_kind_display(),
                "cohort": report.cohort.name,
                "status": report.get_status_display(),
                "requested_at": _when(report.requested_at),
                "file_in_this_zip": path,
            }
        )
    notifications = _in_scope(
        Notification.objects.filter(recipient=person), "cohort_id", cohort_ids
    )
    s["emails_to_you"] = [
        {
            "kind": n.get_kind_display(),
            "scheduled_for": _when(n.scheduled_for),
            "status": n.get_status_display(),
            "sent_at": _when(n.sent_at),
        }
        for n in notifications.order_by("scheduled_for", "pk")
    ]
    s["audit_events"] = _audit_rows(person, cohort_ids)
    return data


def _audit_rows(person: User, cohort_ids: set[int] | None) -> list[dict[str, Any]]:
    """Events about the person (their ``changes`` included) and events they caused (what and
    when only: the object may be someone else's). Whoever else acted is a role, not a name;
    ``target_repr`` is left out because it can name other people."""
    from .audit import ACTION_LABELS

    user_type = ContentType.objects.get_for_model(User)
    about = Q(person_id=person.pk) | Q(target_type=user_type, target_id=str(person.pk))
    events = AuditEvent.objects.filter(about | Q(actor=person)).select_related("target_type")
    # An administrator's export: their cohorts' events only, never the account's logins and
    # other account events (see the module docstring).
    events = _in_scope(events, "cohort_id", cohort_ids)
    rows = []
    for event in events.order_by("created_at", "pk"):
        is_about = event.person_id == person.pk or (
            event.target_type_id == user_type.pk and event.target_id == str(person.pk)
        )
        if event.actor_id == person.pk:
            by = "you"
        elif event.actor_id:
            by = "programme staff"
        else:
            by = "system"
        rows.append(
            {
                "when": _when(event.created_at),
                "action": ACTION_LABELS.get(event.action, event.action),
                "code": event.action,
                "by": by,
                "about_you": is_about,
                "object": f"{event.target_type.model} #{event.target_id}",
                "details": _without_text(event.changes) if is_about else {},
            }
        )
    return rows


# Keys of audit ``changes`` that hold free text or names (a reason typed by staff, a team's
# member list): left out of exports, whose rows carry the person's own text where it belongs.
AUDIT_TEXT_KEYS = frozenset(
    {"reason", "note", "notes", "withdrawal_reason", "comments", "text", "body"}
    | {"lead", "members", "name", "email", "focus", "warnings", "participants"}
)


def _without_text(changes: dict) -> dict:
    return {key: value for key, value in changes.items() if key not in AUDIT_TEXT_KEYS}


def _csv_bytes(rows: list[dict[str, Any]]) -> bytes:
    """One CSV, columns from the rows' keys, every cell neutralised for spreadsheets."""
    from cohorts.exports import neutralise

    buffer = io.StringIO()
    columns = list(rows[0]) if rows else []
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(
            [
                neutralise(
                    "; ".join(map(str, value))
                    if isinstance(value, list)
                    else json.dumps(value, ensure_ascii=False)
                    if isinstance(value, dict)
                    else value
                )
                for value in (row[c] for c in columns)
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


README = """Everything {organisation} holds about you, exported on {when}.

data.json       every section below in one file
<section>.csv   the same, one spreadsheet per section
files/          your files: your own submissions' files, files you uploaded to team work,
                and documents about you (transcripts, certificates)

Other people appear only as "person #<number>" or as a role ("programme staff").
Team work appears as a list of what you took part in; the team's own text and its
other members' files are on your team's page.
"""


def subject_access_export(
    *, person: User, acting_user: User, cohort_ids: set[int] | None, out: IO[bytes]
) -> int:
    """Write ``person``'s zip (data.json, one CSV per section, their files, a README) to
    ``out``; return the number of files copied. Audited as ``person.export`` (who took the
    copy, of whom, and its scope) before anything is written."""
    with transaction.atomic():
        audit_record(
            actor=acting_user,
            action="person.export",
            target=person,
            person_id=person.pk,
            changes={"scope": "all" if cohort_ids is None else sorted(cohort_ids)},
        )
    data = subject_access_data(person, cohort_ids)
    now = timezone.now()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "README.txt",
            README.format(organisation="The programme office", when=now.date().isoformat()),
        )
        archive.writestr(
            "data.json",
            json.dumps(
                {"exported_at": now.isoformat(), **data.sections}, indent=2, ensure_ascii=False
            ),
        )
        for name, rows in data.sections.items():
            archive.writestr(f"{name}.csv", _csv_bytes(rows))
        for path, stored in data.files.items():
            with stored.open("rb") as source, archive.open(path, "w") as target:
                shutil.copyfileobj(source, target, 1024 * 1024)
    return len(data.files)


# Erasure ---------------------------------------------------------------------------------------


@dataclass
class ErasureResult:
    files_deleted: int = 0
    notifications_cancelled: int = 0
    sessions_ended: int = 0
    audit_events_rewritten: int = 0


def _needles(person: User) -> list[str]:
    """The strings that identify ``person`` in free text: full name, then e-mail."""
    return [text for text in (person.get_full_name(), person.email) if len(text) >= 3]


def _delete_file(stored: FieldFile) -> int:
    """Delete through the storage API (works on S3 as on disk); a missing file is fine."""
    if not stored:
        return 0
    stored.delete(save=False)
    return 1


def _replace_in(text: str, needle: str, placeholder: str) -> str:
    return re.sub(re.escape(needle), lambda _m: placeholder, text, flags=re.IGNORECASE)


def _replace_in_json(value: Any, needles: list[str], placeholder: str) -> Any:
    """``value`` (decoded JSON) with every needle replaced inside every string in it."""
    if isinstance(value, str):
        for needle in needles:
            value = _replace_in(value, needle, placeholder)
        return value
    if isinstance(value, list):
        return [_replace_in_json(item, needles, placeholder) for item in value]
    if isinstance(value, dict):
        return {k: _replace_in_json(v, needles, placeholder) for k, v in value.items()}
    return value


def _mentioning(queryset, text_field: str, json_field: str, needles: list[str]):
    """Rows whose text or JSON (as text) contains one of ``needles``, case-insensitively."""
    mentions = Q()
    for needle in needles:
        mentions |= Q(**{f"{text_field}__icontains": needle}) if text_field else Q()
        mentions |= Q(_json_text__icontains=needle)
    return queryset.annotate(_json_text=Cast(json_field, TextField())).filter(mentions)


def _rewrite_audit_text(person: User, cohort_ids: Iterable[int], placeholder: str) -> int:
    """Replace the person's name and e-mail in ``target_repr`` and ``changes`` of the audit
    events of their cohorts and of their account. Scoped that way (not the whole table) so a
    namesake elsewhere keeps their name. Ids, actions and times are never touched (the
    database refuses it even here)."""
    needles = _needles(person)
    user_type = ContentType.objects.get_for_model(User)
    scope = AuditEvent.objects.filter(
        Q(cohort_id__in=list(cohort_ids))
        | Q(person_id=person.pk)
        | Q(target_type=user_type, target_id=str(person.pk))
    )
    rewritten = 0
    for event in _mentioning(scope, "target_repr", "changes", needles):
        AuditEvent.objects.filter(pk=event.pk).update(
            target_repr=_replace_in_json(event.target_repr, needles, placeholder),
            changes=_replace_in_json(event.changes, needles, placeholder),
        )
        rewritten += 1
    return rewritten


FREE_TEXT_AUDIT_KEYS = ("reason", "note", "withdrawal_reason", "comments", "text", "body")


def _erase_audit_free_text(person: User) -> None:
    """Free text in the events about the person (an extension's reason, a withdrawal reason)
    can describe their health or circumstances: it is replaced, the keys kept."""
    for event in AuditEvent.objects.filter(person_id=person.pk).only("pk", "changes"):
        changes = dict(event.changes)
        touched = False
        for key in FREE_TEXT_AUDIT_KEYS:
            value = changes.get(key)
            if isinstance(value, str) and value:
                changes[key] = ERASED_TEXT
                touched = True
            elif isinstance(value, list) and any(isinstance(v, str) and v for v in value):
                changes[key] = [ERASED_TEXT if isinstance(v, str) and v else v for v in value]
                touched = True
        if touched:
            AuditEvent.objects.filter(pk=event.pk).update(changes=changes)


@transaction.atomic
def person_erase(*, person: User, acting_user: User | None) -> ErasureResult:
    """Anonymise ``person`` (see the module docstring for exactly what changes and what stays).

    Cohort figures do not move: enrolments, attendance, submissions, feedback decisions, team
    memberships and data points keep their rows. Files are deleted after the database work
    commits, so a failure leaves nothing half-erased. Audited as ``person.erase`` (no name in
    it). ``acting_user`` is None for the retention job."""
    from cohorts.models import Certificate, Enrolment, ReportRequest
    from modules.models import Attendance, CalendarFeed
    from pairings.models import PairingPreference, ShadowingEntry
    from redesign_projects.models import (
        Extension,
        Feedback,
        PeerComment,
        Submission,
        SubmissionFile,
    )

    if acting_user is not None:
        check_may_erase(person=person, acting_user=acting_user)
    person = User.objects.select_for_update().get(pk=person.pk)
    result = ErasureResult()
    placeholder = erased_name(person.pk)
    cohort_ids = set(Enrolment.objects.filter(person=person).values_list("cohort_id", flat=True))

    with audit_maintenance():
        result.audit_events_rewritten = _rewrite_audit_text(person, cohort_ids, placeholder)
        _erase_audit_free_text(person)
    _scrub_admin_log(person, placeholder)
    _scrub_notification_context(person, cohort_ids)

    result.notifications_cancelled = Notification.objects.filter(
        recipient=person, status=Notification.Status.PENDING
    ).update(status=Notification.Status.CANCELLED)
    Notification.objects.filter(recipient=person).update(context={}, attachments=[])
    person.notification_opt_outs.all().delete()
    CalendarFeed.objects.filter(person=person).delete()
    PairingPreference.objects.filter(person=person).delete()

    Enrolment.objects.filter(person=person).exclude(withdrawal_reason="").update(
        withdrawal_reason=ERASED_TEXT
    )
    Attendance.objects.filter(person=person).exclude(note="").update(note="")
    Extension.objects.filter(person=person).update(reason=ERASED_TEXT)
    PeerComment.objects.filter(author=person).update(body=ERASED_TEXT)
    ShadowingEntry.objects.filter(author=person).update(reflection=ERASED_TEXT, location="")
    Certificate.objects.filter(person=person).update(name_on_certificate=placeholder)

    individual = Submission.objects.filter(owner=person)
    individual.exclude(text="").update(text="")
    Feedback.objects.filter(submission__in=individual).update(comments=ERASED_TEXT)
    doomed: list[FieldFile] = []
    own_files = SubmissionFile.objects.filter(submission__in=individual)
    doomed += [upload.file for upload in own_files]
    own_files.delete()
    # Built PDFs that print the person's name: their own documents and every report of
    # their cohorts. They can be built again, and will then show the anonymous name.
    reports = ReportRequest.objects.filter(Q(person=person) | Q(cohort_id__in=cohort_ids))
    for report in reports.exclude(file=""):
        doomed.append(report.file)
    reports.exclude(file="").update(
        file="",
        size=None,
        status=ReportRequest.Status.FAILED,
        error="Removed when a person in it was erased: build it again.",
    )

    if apps.is_installed("allauth.mfa"):
        from allauth.mfa.models import Authenticator

        Authenticator.objects.filter(user=person).delete()
    if apps.is_installed("allauth.account"):
        from allauth.account.models import EmailAddress

        EmailAddress.objects.filter(user=person).delete()
    if apps.is_installed("allauth.socialaccount"):
        from allauth.socialaccount.models import SocialAccount

        SocialAccount.objects.filter(user=person).delete()

    person.first_name = "Erased person"
    person.last_name = f"#{person.pk}"
    person.email = erased_email(person.pk)
    person.job_title = person.department = person.organisation = ""
    person.is_active = False
    person.set_unusable_password()
    person.full_clean(exclude=["password"])
    person.save()
    result.sessions_ended = end_sessions_for(person)
    audit_record(
        actor=acting_user,
        action="person.erase",
        target=person,
        person_id=person.pk,
        changes={
            "files_deleted": len(doomed),
            "notifications_cancelled": result.notifications_cancelled,
            "sessions_ended": result.sessions_ended,
        },
    )
    result.files_deleted = len(doomed)
    transaction.on_commit(lambda: [_delete_file(stored) for stored in doomed])
    return result


def _scrub_admin_log(person: User, placeholder: str) -> None:
    """Django's admin history names the object it changed: rename the person's entries."""
    if not apps.is_installed("django.contrib.admin"):
        return
    from django.contrib.admin.models import LogEntry

    user_type = ContentType.objects.get_for_model(User)
    LogEntry.objects.filter(content_type=user_type, object_id=str(person.pk)).update(
        object_repr=placeholder
    )


def _scrub_notification_context(person: User, cohort_ids: set[int]) -> None:
    """Digests to other people (faculty, leaders) in the person's cohorts may carry their name
    in the stored message context: replace it."""
    needles = _needles(person)
    placeholder = erased_name(person.pk)
    rows = Notification.objects.filter(cohort_id__in=cohort_ids).exclude(recipient=person)
    for row in _mentioning(rows, "", "context", needles):
        Notification.objects.filter(pk=row.pk).update(
            context=_replace_in_json(row.context, needles, placeholder)
        )
