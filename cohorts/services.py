"""Writes for programmes, cohorts, people and enrolments. Each runs in one transaction,
validates with ``full_clean()`` and records an audit event naming the acting user."""

import datetime
import uuid
from collections.abc import Iterable
from typing import cast

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Field, Q
from django.utils import timezone
from django.utils.text import slugify

from leadership import notifications
from leadership.models import Notification, User, normalise_email
from leadership.services import audit_record
from leadership.sessions import end_sessions_for

from .imports import check_rows
from .models import Announcement, Cohort, Enrolment, Programme


def _unique_slug(model, base: str) -> str:
    slug = slugify(base)[:180] or "item"
    candidate, n = slug, 2
    while model.objects.filter(slug=candidate).exists():
        candidate, n = f"{slug}-{n}", n + 1
    return candidate


# Programmes ----------------------------------------------------------------------------------

PROGRAMME_EDITABLE_FIELDS = (
    "name",
    "description",
    "organisation",
    "default_capacity",
    "phases",
    "project_kinds",
    "completion_min_attendance_percent",
    "completion_requires_final_assignment",
    "pairs_avoid_same_team",
    "session_reminder_days",
    "assignment_reminder_days",
    "assignment_overdue_days",
    "email_greeting",
    "email_sign_off",
    "decimal_comma",
)


@transaction.atomic
def programme_create(*, fields: dict, acting_user: User) -> Programme:
    """A new programme from blank (``programme_copy`` makes one from another): its own fields
    from ``fields``, no module sequence yet (added on its edit page). The person creating it
    administers it. Audited as ``programme.create``."""
    programme = Programme(
        slug=_unique_slug(Programme, fields.get("name", "")),
        **{name: fields[name] for name in PROGRAMME_EDITABLE_FIELDS if name in fields},
    )
    programme.full_clean()
    programme.save()
    programme.administrators.add(acting_user)
    audit_record(
        actor=acting_user,
        action="programme.create",
        target=programme,
        changes={"name": programme.name},
    )
    return programme


def _copy_name(name: str) -> str:
    candidate, n = f"{name} (copy)", 2
    while Programme.objects.filter(name=candidate).exists():
        candidate, n = f"{name} (copy {n})", n + 1
    return candidate


@transaction.atomic
def programme_copy(*, programme: Programme, acting_user: User) -> Programme:
    """Duplicate ``programme``'s own fields, named "<name> (copy)". The person copying it
    administers the copy. Audited as ``programme.copy``. Its module sequence is copied by
    ``modules.services.programme_copy_with_modules``, which calls this."""
    name = _copy_name(programme.name)
    copy = Programme(
        name=name,
        slug=_unique_slug(Programme, name),
        **{
            field: getattr(programme, field)
            for field in PROGRAMME_EDITABLE_FIELDS
            if field != "name"
        },
    )
    copy.full_clean()
    copy.save()
    copy.administrators.add(acting_user)
    audit_record(
        actor=acting_user,
        action="programme.copy",
        target=copy,
        changes={"copied_from": programme.pk, "name": programme.name},
    )
    return copy


@transaction.atomic
def programme_update(
    *,
    programme: Programme,
    acting_user: User,
    fields: dict,
    also_changed: dict | None = None,
) -> Programme:
    """Change a programme's own fields. Audited as ``programme.update``; ``also_changed`` are
    changes the caller made alongside in the same transaction (the module sequence, from
    ``modules.services.programme_update_with_modules``), recorded in the same event."""
    changed = {}
    for name in PROGRAMME_EDITABLE_FIELDS:
        if name in fields and getattr(programme, name) != fields[name]:
            changed[name] = [str(getattr(programme, name)), str(fields[name])]
            setattr(programme, name, fields[name])
    programme.full_clean()
    programme.save()
    changed.update(also_changed or {})
    audit_record(actor=acting_user, action="programme.update", target=programme, changes=changed)
    return programme


# Cohorts -------------------------------------------------------------------------------------


@transaction.atomic
def cohort_create(
    *,
    programme: Programme,
    name: str,
    starts_on: datetime.date,
    acting_user: User | None,
    capacity: int | None = None,
    status: str = Cohort.Status.PLANNED,
    time_zone: str = "Pacific/Auckland",
    holiday_region: str = Cohort.HolidayRegion.NZ_AUCKLAND,
    venue_name: str = "",
    venue_address: str = "",
    sponsors: Iterable[User] = (),
) -> Cohort:
    """Create a cohort of ``programme``; capacity defaults to the programme's. ``sponsors`` are
    enrolled as clinical leaders. Audited as ``cohort.create`` (and one ``enrolment.create`` per
    sponsor). The schedule is generated elsewhere (the caller wires it)."""
    cohort = Cohort(
        programme=programme,
        name=name,
        slug=_unique_slug(Cohort, f"{programme.slug}-{name}"),
        starts_on=starts_on,
        capacity=capacity or programme.default_capacity,
        status=status,
        time_zone=time_zone,
        holiday_region=holiday_region,
        venue_name=venue_name,
        venue_address=venue_address,
    )
    cohort.full_clean()
    cohort.save()
    audit_record(
        actor=acting_user,
        action="cohort.create",
        target=cohort,
        cohort_id=cohort.pk,
        changes={"programme": programme.name, "starts_on": starts_on.isoformat()},
    )
    for sponsor in sponsors:
        enrolment_create(
            cohort=cohort,
            person=sponsor,
            role=Enrolment.Role.CLINICAL_LEADER,
            acting_user=acting_user,
        )
    return cohort


COHORT_EDITABLE_FIELDS = (
    "name",
    "capacity",
    "venue_name",
    "venue_address",
    "peer_review_enabled",
    "peer_review_shows_feedback",
    "peer_review_shows_individual_work",
)


class EditConflict(ValidationError):
    """Someone else saved the object after the editor loaded it: nothing was saved."""


def _participants_taken(cohort: Cohort) -> int:
    return cohort.enrolments.filter(
        role=Enrolment.Role.PARTICIPANT, status__in=Enrolment.ACTIVE_STATUSES
    ).count()


@transaction.atomic
def cohort_update(*, cohort: Cohort, version: int, fields: dict, acting_user: User) -> Cohort:
    """Change a cohort's details (``COHORT_EDITABLE_FIELDS``) as edited from ``version``.

    The row is locked and its version compared, so of two administrators editing at once the
    second is refused with ``EditConflict`` — naming what the other changed — instead of
    silently overwriting them. The lock also orders this against enrolments: capacity cannot
    drop below the participants already enrolled. Audited as ``cohort.update``."""
    current = Cohort.objects.select_for_update().get(pk=cohort.pk)
    if current.version != version:
        differ = [
            f"{cast(Field, Cohort._meta.get_field(name)).verbose_name} "
            f"(now “{getattr(current, name)}”)"
            for name in COHORT_EDITABLE_FIELDS
            if name in fields and getattr(current, name) != fields[name]
        ]
        raise EditConflict(
            "Someone else saved changes to this cohort while you were editing it, so yours "
            "were not saved."
            + (f" The saved details differ from yours in: {'; '.join(differ)}." if differ else "")
            + " Check the form and save again to keep your version."
        )
    changes = {}
    for name in COHORT_EDITABLE_FIELDS:
        if name in fields and getattr(current, name) != fields[name]:
            changes[name] = [str(getattr(current, name)), str(fields[name])]
            setattr(current, name, fields[name])
    if "capacity" in changes:
        taken = _participants_taken(current)
        if current.capacity < taken:
            raise ValidationError(
                {
                    "capacity": f"{taken} participants are enrolled already: the capacity "
                    f"cannot be less than {taken}."
                }
            )
    current.full_clean()
    current.version += 1
    current.save()
    audit_record(
        actor=acting_user,
        action="cohort.update",
        target=current,
        cohort_id=current.pk,
        changes=changes,
    )
    return current


# Which status may follow which. Completed and cancelled are final.
COHORT_TRANSITIONS: dict[str, frozenset[str]] = {
    Cohort.Status.PLANNED: frozenset({Cohort.Status.RUNNING, Cohort.Status.CANCELLED}),
    Cohort.Status.RUNNING: frozenset({Cohort.Status.COMPLETED, Cohort.Status.CANCELLED}),
    Cohort.Status.COMPLETED: frozenset(),
    Cohort.Status.CANCELLED: frozenset(),
}


def _sessions_to_come(cohort: Cohort) -> int:
    """Scheduled sessions of ``cohort`` that have not ended: while there are any it cannot be
    completed. One query."""
    # Sessions belong to the modules app, a floor above: read them through the reverse
    # relation rather than importing it.
    return Cohort.objects.filter(pk=cohort.pk).aggregate(
        n=Count(
            "modules__sessions",
            filter=Q(
                modules__sessions__status="scheduled",
                modules__sessions__ends_at__gt=timezone.now(),
            ),
        )
    )["n"]


def cohort_next_statuses(
    cohort: Cohort, *, sessions_to_come: int | None = None
) -> list[tuple[str, str]]:
    """The (value, label) statuses ``cohort`` may move to now, in display order: completed only
    once every session is over, so the page never offers what ``cohort_set_status`` refuses.
    ``sessions_to_come``, when the caller has read it (``selectors.cohort_overview``), spares
    the query that counts them."""
    allowed = COHORT_TRANSITIONS[cohort.status]
    if sessions_to_come is None and Cohort.Status.COMPLETED in allowed:
        sessions_to_come = _sessions_to_come(cohort)
    if Cohort.Status.COMPLETED in allowed and sessions_to_come:
        allowed = allowed - {Cohort.Status.COMPLETED}
    return [(value, label) for value, label in Cohort.Status.choices if value in allowed]


@transaction.atomic
def cohort_set_status(*, cohort: Cohort, status: str, acting_user: User | None) -> Cohort:
    """Move a cohort along planned → running → completed (or to cancelled from planned or
    running). Completing needs every scheduled session to have ended. Raises
    ``ValidationError`` with a sentence an administrator can act on. Audited as
    ``cohort.status``."""
    cohort = Cohort.objects.select_for_update().select_related("programme").get(pk=cohort.pk)
    if status not in Cohort.Status.values:
        raise ValidationError({"status": "Choose a status from the list."})
    if status not in COHORT_TRANSITIONS[cohort.status]:
        raise ValidationError(
            {
                "status": f"A {cohort.get_status_display().lower()} cohort cannot become "
                f"{Cohort.Status(status).label.lower()}."
            }
        )
    if status == Cohort.Status.COMPLETED:
        unfinished = _sessions_to_come(cohort)
        if unfinished:
            raise ValidationError(
                {
                    "status": f"{cohort.name} still has {unfinished} session"
                    f"{'s' if unfinished != 1 else ''} to come: it can be completed only "
                    "when every session is in the past (or cancelled)."
                }
            )
    before = cohort.status
    cohort.status = status
    cohort.full_clean()
    cohort.save(update_fields=["status"])
    audit_record(
        actor=acting_user,
        action="cohort.status",
        target=cohort,
        cohort_id=cohort.pk,
        changes={"status": [before, status]},
    )
    return cohort


# People and enrolments -----------------------------------------------------------------------


@transaction.atomic
def person_create(
    *,
    email: str,
    first_name: str,
    last_name: str = "",
    profession: str = User.Profession.OTHER,
    grade: str = "",
    job_title: str = "",
    department: str = "",
    organisation: str = "",
    acting_user: User | None,
    password: str | None = None,
    cohort_id: int | None = None,
) -> User:
    """Create an account for a person. Without a password it cannot be used until the person
    sets one through their invitation link. ``cohort_id``: the cohort the account is made for,
    whose office then sees its creation in the audit trail."""
    person = User.objects.create_user(
        email=email,
        password=password,
        first_name=first_name,
        last_name=last_name,
        profession=profession,
        grade=grade,
        job_title=job_title,
        department=department,
        organisation=organisation,
    )
    audit_record(
        actor=acting_user,
        action="person.create",
        target=person,
        person_id=person.pk,
        cohort_id=cohort_id,
    )
    return person


@transaction.atomic
def person_grade_set(*, person: User, grade: str, acting_user: User | None) -> User:
    """Record ``person``'s grade (seniority; "" when not stated). Audited as
    ``person.grade`` with the old and new values when it changes."""
    person = User.objects.select_for_update().get(pk=person.pk)
    if person.grade == grade:
        return person
    old = person.grade
    person.grade = grade
    person.full_clean(exclude=["password"])
    person.save(update_fields=["grade"])
    audit_record(
        actor=acting_user,
        action="person.grade",
        target=person,
        person_id=person.pk,
        changes={"grade": [old, grade]},
    )
    return person


def person_invite(*, person: User, cohort: Cohort, acting_user: User | None) -> None:
    """Invite ``person`` to set a password: an e-mail with a set-password link is recorded
    now and sent after commit (``leadership.notifications``). Audited as ``person.invite``."""
    audit_record(
        actor=acting_user,
        action="person.invite",
        target=person,
        cohort_id=cohort.pk,
        person_id=person.pk,
        changes={"email": person.email, "cohort": cohort.name},
    )
    notifications.invitation_notify(
        person=person,
        programme_name=cohort.programme.name,
        cohort_name=cohort.name,
        cohort_id=cohort.pk,
        voice=cohort.email_voice(),
    )


@transaction.atomic
def invitations_resend(
    *, cohort: Cohort, people: list[User], acting_user: User, today: datetime.date | None = None
) -> int:
    """Invite again each of ``people`` who is a current member of ``cohort`` and still has not
    set a password: a new set-password e-mail each (the link in an older one may have
    expired). At most one resend per person per day, however often the button is pressed.
    Audited as ``person.invite`` with ``resend``. Returns how many e-mails were recorded."""
    today = today or timezone.localdate()
    members = {
        e.person_id
        for e in Enrolment.objects.filter(
            cohort=cohort, person__in=people, status__in=Enrolment.ACTIVE_STATUSES
        )
    }
    sent = 0
    for person in people:
        if person.pk not in members or person.has_usable_password():
            continue
        row = notifications.invitation_notify(
            person=person,
            programme_name=cohort.programme.name,
            cohort_name=cohort.name,
            cohort_id=cohort.pk,
            voice=cohort.email_voice(),
            resend_key=f"resend-{today.isoformat()}",
        )
        if row is None:
            continue
        audit_record(
            actor=acting_user,
            action="person.invite",
            target=person,
            cohort_id=cohort.pk,
            person_id=person.pk,
            changes={"email": person.email, "cohort": cohort.name, "resend": True},
        )
        sent += 1
    return sent


@transaction.atomic
def enrolment_create(
    *, cohort: Cohort, person: User, role: str, acting_user: User | None
) -> Enrolment:
    """Enrol ``person`` in ``cohort`` as ``role``.

    Refuses a completed or cancelled cohort, someone already enrolled in that role, and a
    participant beyond capacity (capacity counts enrolled and completed participants only).
    The cohort row is locked while counting so two administrators cannot both take the last
    place. Someone who withdrew and comes back gets their enrolment back (history kept in the
    audit trail). Audited as ``enrolment.create`` or ``enrolment.status``."""
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    if not cohort.accepts_enrolments:
        raise ValidationError(
            f"{cohort.name} is {cohort.get_status_display().lower()}: it takes no enrolments."
        )
    existing = Enrolment.objects.filter(cohort=cohort, person=person, role=role).first()
    if existing is not None and existing.status != Enrolment.Status.WITHDRAWN:
        raise ValidationError(
            f"{person} is already in {cohort.name} as {existing.get_role_display().lower()}."
        )
    if role == Enrolment.Role.PARTICIPANT:
        taken = _participants_taken(cohort)
        if taken >= cohort.capacity:
            raise ValidationError(
                f"{cohort.name} is full: all {cohort.capacity} participant places are taken."
            )
    if existing is not None:
        existing.status = Enrolment.Status.ENROLLED
        existing.withdrawn_on = None
        existing.withdrawal_reason = ""
        existing.updated_at = timezone.now()
        existing.full_clean()
        existing.save()
        audit_record(
            actor=acting_user,
            action="enrolment.status",
            target=existing,
            cohort_id=cohort.pk,
            person_id=person.pk,
            changes={"status": [Enrolment.Status.WITHDRAWN, Enrolment.Status.ENROLLED]},
        )
        return existing
    enrolment = Enrolment(cohort=cohort, person=person, role=role)
    enrolment.full_clean()
    enrolment.save()
    audit_record(
        actor=acting_user,
        action="enrolment.create",
        target=enrolment,
        cohort_id=cohort.pk,
        person_id=person.pk,
        changes={"role": role, "status": enrolment.status},
    )
    _tell_if_enrolled_by_another_office(enrolment)
    return enrolment


def _tell_if_enrolled_by_another_office(enrolment: Enrolment) -> None:
    """E-mail someone whose existing account, known to another programme's office, has just
    been enrolled by this programme's office for the first time: that office can now see their
    details and what they do in its cohorts. Once per programme; nobody can opt out."""
    person, cohort = enrolment.person, enrolment.cohort
    programme_id = cohort.programme_id
    known_elsewhere = (
        Enrolment.objects.filter(person=person).exclude(cohort__programme_id=programme_id).exists()
        or person.administered_programmes.exclude(pk=programme_id).exists()
    )
    if not known_elsewhere:
        return
    if (
        Enrolment.objects.filter(person=person, cohort__programme_id=programme_id)
        .exclude(pk=enrolment.pk)
        .exists()
    ):
        return
    notifications.notify(
        recipient=person,
        kind=Notification.Kind.PROGRAMME_ADDED,
        dedup_key=f"programme-added:{programme_id}:{person.pk}",
        template="programme_added",
        context={
            "programme_name": cohort.programme.name,
            **cohort.email_voice(),
            "cohort_name": cohort.name,
            "role": enrolment.get_role_display().lower(),
            "link": notifications.absolute_url("/"),
        },
        subject=enrolment,
        cohort_id=cohort.pk,
    )


@transaction.atomic
def person_enrol(
    *,
    cohort: Cohort,
    email: str,
    role: str,
    acting_user: User | None,
    first_name: str = "",
    last_name: str = "",
    profession: str = User.Profession.OTHER,
    grade: str = "",
    job_title: str = "",
    department: str = "",
    organisation: str = "",
) -> Enrolment:
    """Enrol the person with ``email`` in ``cohort``, creating their account (and inviting them
    to set a password) when there is none. An existing account keeps its details. Raises
    ``ValidationError`` (nothing saved) when the enrolment is refused.

    Two administrators (or one double click) enrolling the same new address at once: the
    unique index on e-mail makes the second insert wait for the first and then fail; the
    second request then takes the account the first created, and is told the person is
    already enrolled (or is enrolled, in another cohort) — never a server error."""
    person = User.objects.filter(email__iexact=normalise_email(email)).first()
    if person is None:
        if not first_name:
            raise ValidationError({"first_name": "Give a first name for a new person."})
        try:
            with transaction.atomic():  # a savepoint: the failed insert leaves ours usable
                person = person_create(
                    email=email,
                    first_name=first_name,
                    last_name=last_name,
                    profession=profession,
                    grade=grade,
                    job_title=job_title,
                    department=department,
                    organisation=organisation,
                    acting_user=acting_user,
                    cohort_id=cohort.pk,
                )
                person_invite(person=person, cohort=cohort, acting_user=acting_user)
        except (IntegrityError, ValidationError):
            # Someone else's request created the account since we looked (the unique index
            # or, had they committed already, the uniqueness check said so).
            person = User.objects.filter(email__iexact=normalise_email(email)).first()
            if person is None:
                raise
    return enrolment_create(cohort=cohort, person=person, role=role, acting_user=acting_user)


@transaction.atomic
def enrolment_set_status(
    *,
    enrolment: Enrolment,
    status: str,
    acting_user: User | None,
    withdrawn_on: datetime.date | None = None,
    reason: str = "",
) -> Enrolment:
    """Withdraw or complete an enrolment, keeping the row (history is never deleted). A
    withdrawal cancels the person's pending e-mails for the cohort and ends their sessions."""
    before = enrolment.status
    enrolment.status = status
    if status == Enrolment.Status.WITHDRAWN:
        enrolment.withdrawn_on = withdrawn_on or timezone.localdate()
        enrolment.withdrawal_reason = reason
    enrolment.updated_at = timezone.now()
    enrolment.full_clean()
    enrolment.save()
    changes = {"status": [before, status], "reason": reason}
    if enrolment.withdrawn_on and status == Enrolment.Status.WITHDRAWN:
        changes["withdrawn_on"] = enrolment.withdrawn_on.isoformat()
    if status == Enrolment.Status.WITHDRAWN:
        notifications.cancel_for_person(person=enrolment.person, cohort_id=enrolment.cohort_id)
        # Their open sessions end, so their next request logs in again and sees only what
        # their remaining roles allow.
        end_sessions_for(enrolment.person)
    audit_record(
        actor=acting_user,
        action="enrolment.status",
        target=enrolment,
        cohort_id=enrolment.cohort_id,
        person_id=enrolment.person_id,
        changes=changes,
    )
    return enrolment


def enrolment_withdraw(
    *, enrolment: Enrolment, withdrawn_on: datetime.date, reason: str, acting_user: User
) -> Enrolment:
    """Withdraw an enrolled person on ``withdrawn_on`` for ``reason`` (both required). The place
    is freed for another participant. Audited as ``enrolment.status``."""
    if enrolment.status == Enrolment.Status.WITHDRAWN:
        raise ValidationError("This enrolment is already withdrawn.")
    if not reason.strip():
        raise ValidationError({"reason": "Give the reason for withdrawing."})
    if withdrawn_on > timezone.localdate():
        raise ValidationError({"withdrawn_on": "The withdrawal date cannot be in the future."})
    return enrolment_set_status(
        enrolment=enrolment,
        status=Enrolment.Status.WITHDRAWN,
        withdrawn_on=withdrawn_on,
        reason=reason.strip(),
        acting_user=acting_user,
    )


class ImportRejected(Exception):
    """The list has problems (now, at confirm time): nothing was written."""

    def __init__(self, preview):
        super().__init__(f"{preview.problem_count} problems")
        self.preview = preview


@transaction.atomic
def participants_import(*, cohort: Cohort, preview, acting_user: User | None) -> list[Enrolment]:
    """Enrol every row of a checked participant list (``imports.ImportPreview``) in ``cohort``
    in its role (participant unless the list says otherwise; rows it skipped are left out), all
    or nothing. The cohort is locked and the rows checked again against the cohort as it is
    now (someone may have enrolled people since the preview); any problem raises
    ``ImportRejected`` with the fresh preview and nothing is written. People without an account
    get one and an invitation. Audited per person and enrolment, plus ``cohort.import``."""

    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    check_rows(preview, cohort)
    if not preview.is_valid:
        raise ImportRejected(preview)
    enrolments = []
    for row in preview.importable_rows:
        values = row.values
        enrolments.append(
            person_enrol(
                cohort=cohort,
                email=values["email"],
                role=row.role,
                acting_user=acting_user,
                first_name=values["first_name"],
                last_name=values["last_name"],
                profession=values["profession"],
                grade=values["grade"],
                job_title=values["job_title"],
                department=values["department"],
                organisation=values["organisation"],
            )
        )
    audit_record(
        actor=acting_user,
        action="cohort.import",
        target=cohort,
        cohort_id=cohort.pk,
        changes={
            "participants": sum(1 for e in enrolments if e.role == Enrolment.Role.PARTICIPANT),
            "other_roles": sum(1 for e in enrolments if e.role != Enrolment.Role.PARTICIPANT),
            "skipped": len(preview.skipped_rows),
        },
    )
    return enrolments


# Announcements -------------------------------------------------------------------------------


def announcement_context(*, cohort: Cohort, subject: str, body: str, sender: User) -> dict:
    """What the announcement e-mail template reads (also for the preview): the programme's
    greeting and sign-off, the subject and body as typed, and a link to the cohort's start
    page."""
    return {
        "programme_name": cohort.programme.name,
        **cohort.email_voice(),
        "cohort_name": cohort.name,
        "subject": subject,
        "body": body,
        "sender_name": sender.get_full_name() or sender.email,
        "link": notifications.absolute_url("/"),
    }


@transaction.atomic
def announcement_send(
    *,
    cohort: Cohort,
    subject: str,
    body: str,
    audience: dict,
    audience_label: str,
    recipients: list[User],
    form_token: uuid.UUID,
    acting_user: User,
) -> tuple[Announcement, bool]:
    """Record an announcement and one e-mail to each of ``recipients`` through the outbox
    (sent after commit; opt-outs of announcements respected). The same ``form_token`` again
    (a double click, a resubmitted page) sends nothing and returns the first announcement with
    False. Refuses an empty subject or body and an empty audience. Audited as
    ``announcement.send`` with the audience and how many it went to."""
    subject = " ".join(subject.split())
    body = body.strip()
    existing = Announcement.objects.filter(form_token=form_token).first()
    if existing is not None:
        return existing, False
    people = list({person.pk: person for person in recipients}.values())
    if not people:
        raise ValidationError("Nobody matches this audience: choose another.")
    announcement = Announcement(
        cohort=cohort,
        subject=subject,
        body=body,
        audience=audience,
        audience_label=audience_label[:300],
        recipient_count=len(people),
        sent_by=acting_user,
        form_token=form_token,
    )
    announcement.full_clean()
    try:
        with transaction.atomic():
            announcement.save()
    except IntegrityError:  # the same form, sent at the same moment by another request
        return Announcement.objects.get(form_token=form_token), False
    context = announcement_context(cohort=cohort, subject=subject, body=body, sender=acting_user)
    notifications.notify_many(
        recipients=people,
        kind=Notification.Kind.ANNOUNCEMENT,
        dedup_key=lambda person: f"announcement:{announcement.pk}:{person.pk}",
        template="announcement",
        context=context,
        subject=announcement,
        cohort_id=cohort.pk,
    )
    audit_record(
        actor=acting_user,
        action="announcement.send",
        target=announcement,
        cohort_id=cohort.pk,
        changes={
            "subject": subject,
            "audience": audience_label,
            "recipients": len(people),
        },
    )
    return announcement, True
