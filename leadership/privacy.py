"""The kernel's part of subject access and erasure, and what every app's part shares.

``governance/privacy.py`` runs subject access exports and erasure (its docstring says what an
export holds and what erasure changes); it asks each app for its own part, ``<app>/privacy.py``,
in a fixed order. This module is the kernel's part — the account itself (profile, e-mail
addresses, sign-in methods, notification choices, sessions), the e-mails sent to the person and
the audit trail — and the conventions every part follows: another person appears only as a
``reference``, erased free text reads ``ERASED_TEXT``, an export part is a
``SubjectAccessData``, and cohort data is limited with ``in_scope``.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet, TextField
from django.db.models.fields.files import FieldFile
from django.db.models.functions import Cast

from .audit import ACTION_LABELS, audit_maintenance
from .models import AuditEvent, Notification, User
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


# What the apps' parts share ---------------------------------------------------------------------


@dataclass
class SubjectAccessData:
    """Sections of rows (each becomes ``<section>.csv`` and a key of ``data.json``) and the
    stored files to copy into the zip (path in the zip → file). Each app's part of an export
    is one of these; ``governance.privacy`` joins them in a fixed order."""

    sections: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    files: dict[str, FieldFile] = field(default_factory=dict)


@dataclass
class ErasureResult:
    files_deleted: int = 0
    notifications_cancelled: int = 0
    sessions_ended: int = 0
    audit_events_rewritten: int = 0


def in_scope(queryset: QuerySet, cohort_path: str, cohort_ids: set[int] | None) -> QuerySet:
    """``queryset`` limited to rows whose cohort (reached by ``cohort_path``) is one of
    ``cohort_ids``; None means every cohort."""
    return queryset if cohort_ids is None else queryset.filter(**{f"{cohort_path}__in": cohort_ids})


def when(value) -> str | None:
    """A date or time as ISO 8601 text for an export; None when there is none."""
    return value.isoformat() if value else None


# Subject access: the kernel's sections ----------------------------------------------------------


def export_account(person: User, cohort_ids: set[int] | None) -> SubjectAccessData:
    """The account: profile, e-mail addresses, sign-in methods (kinds and dates, never the
    secrets) and notification choices. Read-only.

    An export limited to ``cohort_ids`` (a programme office's) has the profile without when
    the account was made or last logged in, and none of the rest: one account can be in
    several offices' programmes, and how it signs in is the person's business, not an
    office's (``leadership.audit.own_account_events``)."""
    whole = cohort_ids is None
    s: dict[str, list[dict[str, Any]]] = {}
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
            "date_joined": when(person.date_joined) if whole else None,
            "last_login": when(person.last_login) if whole else None,
        }
    ]
    s["email_addresses"] = [
        {"email": a.email, "verified": a.verified, "primary": a.primary}
        for a in (EmailAddress.objects.filter(user=person) if whole else [])
    ]
    # Kinds and dates only: the secrets themselves are never exported.
    s["sign_in_methods"] = [
        {"type": a.get_type_display(), "created_at": when(a.created_at)}
        for a in (Authenticator.objects.filter(user=person) if whole else [])
    ]
    s["notification_opt_outs"] = [
        {"kind": p.get_kind_display(), "since": when(p.created_at)}
        for p in (person.notification_opt_outs.all() if whole else [])
    ]
    return SubjectAccessData(sections=s)


def export_emails_and_audit_trail(person: User, cohort_ids: set[int] | None) -> SubjectAccessData:
    """The e-mails sent to the person (kind, date, status — not the body, which can list other
    people) and the audit events about them or caused by them, within ``cohort_ids`` (None:
    every cohort, and those that belong to no cohort: logins and the account's other events,
    which only the person and superusers see). Read-only."""
    notifications = in_scope(Notification.objects.filter(recipient=person), "cohort_id", cohort_ids)
    s: dict[str, list[dict[str, Any]]] = {}
    s["emails_to_you"] = [
        {
            "kind": n.get_kind_display(),
            "scheduled_for": when(n.scheduled_for),
            "status": n.get_status_display(),
            "sent_at": when(n.sent_at),
        }
        for n in notifications.order_by("scheduled_for", "pk")
    ]
    s["audit_events"] = _audit_rows(person, cohort_ids)
    return SubjectAccessData(sections=s)


def _audit_rows(person: User, cohort_ids: set[int] | None) -> list[dict[str, Any]]:
    """Events about the person (their ``changes`` included) and events they caused (what and
    when only: the object may be someone else's). Whoever else acted is a role, not a name;
    ``target_repr`` is left out because it can name other people."""
    user_type = ContentType.objects.get_for_model(User)
    about = Q(person_id=person.pk) | Q(target_type=user_type, target_id=str(person.pk))
    events = in_scope(
        AuditEvent.objects.filter(about | Q(actor=person)).select_related("target_type"),
        "cohort_id",
        cohort_ids,
    )
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
                "when": when(event.created_at),
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


# Erasure: the kernel's part ---------------------------------------------------------------------


def erase_account(*, person: User, cohort_ids: set[int]) -> ErasureResult:
    """Anonymise ``person``'s account and the kernel's records of them; the caller holds the
    transaction (and the person's row lock) and runs the apps' parts.

    First, while the name is still there to find: their name and e-mail are replaced in the
    audit text of their cohorts (``cohort_ids``) and account, free text in the events about
    them is replaced, the admin site's history of their account renamed, and their name
    replaced in the stored context of other people's e-mails in their cohorts. Then their
    pending e-mails are cancelled and every stored message context and attachment list of
    theirs emptied, their notification choices, authenticators, e-mail addresses and
    single-sign-on links removed, their personal fields replaced ("Erased person #id", an
    ``@erased.invalid`` address), the password made unusable and every session ended.
    Returns the counts (``files_deleted`` is the caller's)."""
    placeholder = erased_name(person.pk)
    result = ErasureResult()
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

    Authenticator.objects.filter(user=person).delete()
    EmailAddress.objects.filter(user=person).delete()
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
    return result


def _needles(person: User) -> list[str]:
    """The strings that identify ``person`` in free text: full name, then e-mail."""
    return [text for text in (person.get_full_name(), person.email) if len(text) >= 3]


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


def _scrub_admin_log(person: User, placeholder: str) -> None:
    """Django's admin history names the object it changed: rename the person's entries."""
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
