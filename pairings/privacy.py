"""The pairings' part of subject access and erasure (``governance/privacy.py`` runs both):
a person's pairings, the shadowing entries they wrote and their pairing preferences."""

from django.db.models import Q

from leadership.models import User
from leadership.privacy import ERASED_TEXT, SubjectAccessData, in_scope, reference, when

from .models import Pairing, PairingPreference, ShadowingEntry, SupportCapacity


def export_pairings(person: User, cohort_ids: set[int] | None) -> SubjectAccessData:
    """Their pairings (the other half as a ``reference``), the shadowing entries they wrote
    and their pairing preferences (their line manager as a ``reference``), in ``cohort_ids``
    (None: every cohort). Read-only, three queries."""
    data = SubjectAccessData()
    pairings = in_scope(
        Pairing.objects.filter(Q(clinician=person) | Q(manager=person)).select_related("cohort"),
        "cohort",
        cohort_ids,
    )
    data.sections["pairings"] = [
        {
            "cohort": p.cohort.name,
            "kind": p.get_kind_display(),
            "your_role": "clinician" if p.clinician_id == person.pk else "manager",
            "partner": reference(p.manager_id if p.clinician_id == person.pk else p.clinician_id),
            "status": p.get_status_display(),
            "started_on": when(p.started_on),
            "ended_on": when(p.ended_on),
            "end_reason": p.end_reason,
            "project_title": p.project_title,
            "project_aim": p.project_aim,
            "project_state": p.get_project_status_display(),
        }
        for p in pairings
    ]
    entries = in_scope(ShadowingEntry.objects.filter(author=person), "pairing__cohort", cohort_ids)
    data.sections["shadowing_entries_you_wrote"] = [
        {
            "pairing_id": e.pairing_id,
            "date": when(e.occurred_on),
            "who_shadowed_whom": e.get_direction_display(),
            "location": e.location,
            "minutes": e.minutes,
            "reflection": e.reflection,
        }
        for e in entries
    ]
    preferences = in_scope(
        PairingPreference.objects.filter(person=person).select_related("cohort"),
        "cohort",
        cohort_ids,
    )
    data.sections["pairing_preferences"] = [
        {
            "cohort": p.cohort.name,
            "interests": p.interests,
            "preferred_departments": p.preferred_departments,
            "availability": p.availability,
            "line_manager": reference(p.line_manager_id),
        }
        for p in preferences
    ]
    capacities = in_scope(
        SupportCapacity.objects.filter(person=person).select_related("cohort"), "cohort", cohort_ids
    )
    data.sections["administrative_support_capacity"] = [
        {"cohort": c.cohort.name, "clinical_leaders_at_most": c.leaders} for c in capacities
    ]
    return data


def erase_person(*, person: User) -> None:
    """Delete their pairing preferences; replace the reflection and place of the shadowing
    entries they wrote. Pairings stay, so the cohort's pairing figures do not move."""
    PairingPreference.objects.filter(person=person).delete()
    ShadowingEntry.objects.filter(author=person).update(reflection=ERASED_TEXT, location="")
