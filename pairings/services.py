"""Writes for pairings, preferences and the shadowing log. Each runs in one transaction,
validates with ``full_clean()`` and records an audit event naming the acting user."""

import datetime
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cohorts.models import Cohort
from leadership import notifications
from leadership.models import Notification, User
from leadership.services import audit_record

from . import matching, selectors
from .models import (
    Pairing,
    PairingPreference,
    PreferenceRequest,
    ShadowingEntry,
    SupportCapacity,
)


@transaction.atomic
def pairings_create(
    *,
    cohort: Cohort,
    kind: str,
    pairs: Sequence[tuple[User, User]],
    status: str,
    started_on: datetime.date | None,
    acting_user: User | None,
) -> list[Pairing]:
    """Create the given (clinician, manager) pairs in ``kind``, all or none.

    Every person must still be unpaired in ``kind`` in the cohort and appear once; no pair may
    break a hard rule (line management either way round, or ``selectors.forbidden_pairs``).
    ``started_on`` is required for active pairings. The cohort row is locked so two
    administrators saving suggestions at once cannot both pair the same person. Each pairing
    is audited as ``pairing.create``. Raises ``ValidationError`` naming the person at fault.
    """
    Cohort.objects.select_for_update().get(pk=cohort.pk)
    if status not in Pairing.OPEN_STATUSES:
        raise ValidationError("New pairings are proposed or active.")
    if status == Pairing.Status.ACTIVE and started_on is None:
        raise ValidationError({"started_on": "An active pairing needs a start date."})
    clinicians, managers = selectors.unpaired_people(cohort, kind)
    free_clinicians = {c.pk for c in clinicians}
    free_managers = {m.pk for m in managers}
    # Administrative support takes several leaders, up to each person's capacity.
    support = kind == Pairing.Kind.ADMIN_SUPPORT
    places = {load.person.pk: load for load in selectors.support_loads(cohort)} if support else {}
    taking: dict[int, int] = {}
    banned = matching.hard_rules(
        line_management=selectors.line_management(cohort),
        forbidden=selectors.forbidden_pairs(cohort),
        names={p.pk: str(p) for p in [*clinicians, *managers]},
    )
    seen: set[int] = set()
    created = []
    now = timezone.now()
    for clinician, manager in pairs:
        if clinician.pk not in free_clinicians:
            raise ValidationError(f"{clinician} is not an unpaired clinician in this cohort.")
        if support and manager.pk in places:
            load = places[manager.pk]
            taking[manager.pk] = taking.get(manager.pk, 0) + 1
            if taking[manager.pk] > load.places_left:
                raise ValidationError(
                    f"{manager} supports at most {load.capacity} clinical leader(s) in this "
                    f"cohort and already supports {len(load.leaders)}: choose someone else for "
                    f"{clinician}, or raise {manager}'s capacity."
                )
        elif manager.pk not in free_managers:
            raise ValidationError(f"{manager} is not an unpaired partner in this cohort.")
        for person in (clinician,) if support else (clinician, manager):
            if person.pk in seen:
                raise ValidationError(f"{person} is in more than one pair.")
            seen.add(person.pk)
        reason = banned.get(frozenset((clinician.pk, manager.pk)))
        if reason:
            raise ValidationError(f"{clinician} and {manager} cannot be paired: {reason}.")
        pairing = Pairing(
            cohort=cohort,
            kind=kind,
            clinician=clinician,
            manager=manager,
            status=status,
            started_on=started_on if status == Pairing.Status.ACTIVE else None,
            created_at=now,
            updated_at=now,
        )
        pairing.full_clean()
        pairing.save()
        audit_record(
            actor=acting_user,
            action="pairing.create",
            target=pairing,
            cohort_id=cohort.pk,
            person_id=clinician.pk,
            changes={
                "kind": kind,
                "status": status,
                "clinician": clinician.pk,
                "manager": manager.pk,
            },
        )
        created.append(pairing)
    return created


def _locked(pairing: Pairing) -> Pairing:
    return Pairing.objects.select_for_update().get(pk=pairing.pk)


@transaction.atomic
def pairing_activate(
    *, pairing: Pairing, started_on: datetime.date, acting_user: User | None
) -> Pairing:
    """Make a proposed pairing active from ``started_on``. Audited as ``pairing.activate``."""
    pairing = _locked(pairing)
    if pairing.status != Pairing.Status.PROPOSED:
        raise ValidationError("Only a proposed pairing can be made active.")
    pairing.status = Pairing.Status.ACTIVE
    pairing.started_on = started_on
    pairing.updated_at = timezone.now()
    pairing.full_clean()
    pairing.save()
    audit_record(
        actor=acting_user,
        action="pairing.activate",
        target=pairing,
        cohort_id=pairing.cohort_id,
        changes={"started_on": started_on.isoformat()},
    )
    return pairing


@transaction.atomic
def pairing_end(
    *, pairing: Pairing, ended_on: datetime.date, reason: str, acting_user: User | None
) -> Pairing:
    """End a proposed or active pairing, freeing both people to be paired again. A proposed
    pairing that never started is given ``ended_on`` as its start, so its dates stay
    consistent. Audited as ``pairing.end``."""
    pairing = _locked(pairing)
    if pairing.status == Pairing.Status.ENDED:
        raise ValidationError("This pairing has already ended.")
    if not reason.strip():
        raise ValidationError({"end_reason": "Say why the pairing ends."})
    if pairing.started_on and ended_on < pairing.started_on:
        raise ValidationError(
            {"ended_on": f"The pairing started on {pairing.started_on:%d %b %Y}; end it after."}
        )
    pairing.status = Pairing.Status.ENDED
    pairing.started_on = pairing.started_on or ended_on
    pairing.ended_on = ended_on
    pairing.end_reason = reason.strip()
    pairing.updated_at = timezone.now()
    pairing.full_clean()
    pairing.save()
    audit_record(
        actor=acting_user,
        action="pairing.end",
        target=pairing,
        cohort_id=pairing.cohort_id,
        changes={"ended_on": ended_on.isoformat(), "reason": pairing.end_reason},
    )
    return pairing


@transaction.atomic
def pairing_project_update(
    *, pairing: Pairing, title: str, aim: str, status: str, acting_user: User | None
) -> Pairing:
    """Set the pair's improvement project. Audited as ``pairing.project_update`` with the
    fields that changed."""
    pairing = _locked(pairing)
    new = {"project_title": title.strip(), "project_aim": aim.strip(), "project_status": status}
    changes = {
        field: [getattr(pairing, field), value]
        for field, value in new.items()
        if getattr(pairing, field) != value
    }
    for field, value in new.items():
        setattr(pairing, field, value)
    pairing.updated_at = timezone.now()
    pairing.full_clean()
    pairing.save()
    if changes:
        audit_record(
            actor=acting_user,
            action="pairing.project_update",
            target=pairing,
            cohort_id=pairing.cohort_id,
            changes=changes,
        )
    return pairing


@transaction.atomic
def shadowing_entry_create(
    *,
    pairing: Pairing,
    occurred_on: datetime.date,
    direction: str,
    location: str,
    minutes: int,
    reflection: str,
    author: User,
) -> ShadowingEntry:
    """Add a shadowing session to an active pairing's log. Sessions cannot be dated in the
    future or before the pairing started. Audited as ``shadowing.create``."""
    pairing = _locked(pairing)
    if pairing.status != Pairing.Status.ACTIVE:
        raise ValidationError("Shadowing is logged on active pairings only.")
    if occurred_on > timezone.localdate():
        raise ValidationError({"occurred_on": "Log a session after it has happened."})
    assert pairing.started_on is not None  # an active pairing has started (a CheckConstraint)
    if occurred_on < pairing.started_on:
        raise ValidationError(
            {"occurred_on": f"The pairing started on {pairing.started_on:%d %b %Y}."}
        )
    entry = ShadowingEntry(
        pairing=pairing,
        occurred_on=occurred_on,
        direction=direction,
        location=location.strip(),
        minutes=minutes,
        reflection=reflection.strip(),
        author=author,
    )
    entry.full_clean()
    entry.save()
    audit_record(
        actor=author,
        action="shadowing.create",
        target=entry,
        cohort_id=pairing.cohort_id,
        person_id=author.pk,
        changes={"pairing": pairing.pk, "occurred_on": occurred_on.isoformat(), "minutes": minutes},
    )
    return entry


@transaction.atomic
def preference_save(
    *,
    cohort: Cohort,
    person: User,
    interests: Sequence[str],
    preferred_departments: Sequence[str],
    availability: Sequence[str],
    line_manager: User | None,
    acting_user: User | None,
) -> PairingPreference:
    """Create or replace ``person``'s pairing preferences in the cohort (sorted, so equal
    answers store equal rows). Audited as ``pairing_preference.save``."""
    try:
        preference = PairingPreference.objects.select_for_update().get(cohort=cohort, person=person)
    except PairingPreference.DoesNotExist:
        preference = PairingPreference(cohort=cohort, person=person)
    preference.interests = sorted(set(interests))
    preference.preferred_departments = sorted(set(preferred_departments))
    preference.availability = sorted(set(availability))
    preference.line_manager = line_manager
    preference.updated_at = timezone.now()
    preference.full_clean()
    try:
        with transaction.atomic():
            preference.save()
    except IntegrityError as exc:  # two first saves at once: the other one won
        raise ValidationError("These preferences were just saved elsewhere; try again.") from exc
    audit_record(
        actor=acting_user,
        action="pairing_preference.save",
        target=preference,
        cohort_id=cohort.pk,
        person_id=person.pk,
        changes={
            "interests": preference.interests,
            "preferred_departments": preference.preferred_departments,
            "availability": preference.availability,
            "line_manager": line_manager.pk if line_manager else None,
        },
    )
    return preference


@transaction.atomic
def support_capacity_set(
    *, cohort: Cohort, person: User, leaders: int, acting_user: User | None
) -> SupportCapacity:
    """Set how many clinical leaders ``person`` (enrolled as administrative support) supports
    at most in the cohort. It cannot go below the number they support now. The cohort row is
    locked, as ``pairings_create`` locks it. Audited as ``support_capacity.set``."""
    Cohort.objects.select_for_update().get(pk=cohort.pk)
    load = next((x for x in selectors.support_loads(cohort) if x.person.pk == person.pk), None)
    if load is None:
        raise ValidationError(f"{person} is not administrative support in this cohort.")
    if leaders < len(load.leaders):
        raise ValidationError(
            {
                "leaders": f"{person} already supports {len(load.leaders)} clinical leaders; "
                "end a pairing first or keep the capacity at least that."
            }
        )
    capacity = SupportCapacity.objects.filter(cohort=cohort, person=person).first()
    capacity = capacity or SupportCapacity(cohort=cohort, person=person)
    old = capacity.leaders if capacity.pk else None
    capacity.leaders = leaders
    capacity.updated_at = timezone.now()
    capacity.full_clean()
    capacity.save()
    audit_record(
        actor=acting_user,
        action="support_capacity.set",
        target=capacity,
        cohort_id=cohort.pk,
        person_id=person.pk,
        changes={"leaders": [old, leaders]},
    )
    return capacity


@transaction.atomic
def preferences_request(*, cohort: Cohort, acting_user: User | None) -> int:
    """Ask the cohort's people for their pairing preferences: from now on everyone who may be
    paired and has not answered has a to-do on their start page, and each of them is e-mailed
    (``pairing_preferences``) once — asking again e-mails only people not e-mailed before
    (those who joined since). Returns how many e-mails were recorded. Audited as
    ``pairing_preference.request`` with that count."""
    now = timezone.now()
    request, created = PreferenceRequest.objects.select_for_update().get_or_create(
        cohort=cohort, defaults={"asked_at": now, "last_asked_at": now}
    )
    if not created:
        request.last_asked_at = now
        request.full_clean()
        request.save(update_fields=["last_asked_at"])
    status = selectors.preference_status(cohort)
    programme = cohort.programme
    sent = notifications.notify_many(
        recipients=status.waiting,
        kind=Notification.Kind.PAIRING_PREFERENCES,
        dedup_key=lambda person: f"pairing-preferences:{cohort.pk}:{person.pk}",
        template="pairing_preferences",
        context={
            "programme_name": programme.name,
            **cohort.email_voice(),
            "cohort_name": cohort.name,
            "link": notifications.absolute_url(
                reverse("pairings:my_preferences", kwargs={"cohort_id": cohort.pk})
            ),
        },
        subject=request,
        cohort_id=cohort.pk,
    )
    audit_record(
        actor=acting_user,
        action="pairing_preference.request",
        target=request,
        cohort_id=cohort.pk,
        changes={"emailed": sent, "not_answered": len(status.waiting)},
    )
    return sent
