"""Writes for programmes, cohorts, people and enrolments. Each runs in one transaction,
validates with ``full_clean()`` and records an audit event naming the acting user."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from leadership.models import User
from leadership.services import audit_record

from .models import Cohort, Enrolment, Programme


def _unique_slug(model, base: str) -> str:
    slug = slugify(base)[:180] or "item"
    candidate, n = slug, 2
    while model.objects.filter(slug=candidate).exists():
        candidate, n = f"{slug}-{n}", n + 1
    return candidate


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
) -> Cohort:
    """Create a cohort of ``programme``; capacity defaults to the programme's."""
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
    return cohort


@transaction.atomic
def person_create(
    *,
    email: str,
    first_name: str,
    last_name: str = "",
    profession: str = User.Profession.OTHER,
    job_title: str = "",
    department: str = "",
    organisation: str = "",
    acting_user: User | None,
    password: str | None = None,
) -> User:
    """Create an account for a person. Without a password it cannot be used until the person
    sets one through their invitation link."""
    person = User.objects.create_user(
        email=email,
        password=password,
        first_name=first_name,
        last_name=last_name,
        profession=profession,
        job_title=job_title,
        department=department,
        organisation=organisation,
    )
    audit_record(actor=acting_user, action="person.create", target=person, person_id=person.pk)
    return person


@transaction.atomic
def enrolment_create(
    *, cohort: Cohort, person: User, role: str, acting_user: User | None
) -> Enrolment:
    """Enrol ``person`` in ``cohort`` as ``role``.

    Refuses a completed or cancelled cohort, and a participant beyond capacity (capacity
    counts enrolled and completed participants only). The cohort row is locked while counting
    so two administrators cannot both take the last place."""
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    if not cohort.accepts_enrolments:
        raise ValidationError(
            f"{cohort.name} is {cohort.get_status_display().lower()}: it takes no enrolments."
        )
    if role == Enrolment.Role.PARTICIPANT:
        taken = cohort.enrolments.filter(
            role=Enrolment.Role.PARTICIPANT, status__in=Enrolment.ACTIVE_STATUSES
        ).count()
        if taken >= cohort.capacity:
            raise ValidationError(
                f"{cohort.name} is full: all {cohort.capacity} participant places are taken."
            )
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
    return enrolment


@transaction.atomic
def enrolment_set_status(
    *,
    enrolment: Enrolment,
    status: str,
    acting_user: User | None,
    withdrawn_on: datetime.date | None = None,
    reason: str = "",
) -> Enrolment:
    """Withdraw or complete an enrolment, keeping the row (history is never deleted)."""
    before = enrolment.status
    enrolment.status = status
    if status == Enrolment.Status.WITHDRAWN:
        enrolment.withdrawn_on = withdrawn_on or timezone.localdate()
        enrolment.withdrawal_reason = reason
    enrolment.updated_at = timezone.now()
    enrolment.full_clean()
    enrolment.save()
    audit_record(
        actor=acting_user,
        action="enrolment.status",
        target=enrolment,
        cohort_id=enrolment.cohort_id,
        person_id=enrolment.person_id,
        changes={"status": [before, status], "reason": reason},
    )
    return enrolment
