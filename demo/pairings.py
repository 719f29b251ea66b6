"""Demo data for pairings in the clinician–manager partnership cohort: everyone's preferences,
seven active pairs and one proposed pair with shadowing logs and projects, and four junior
doctors and four managers left unpaired so the matcher has work to show.

Idempotent: preferences are added only for people who have none, and pairs only when the
cohort has none. Without the partnership cohort (``demo.cohorts`` makes it) nothing is made.
"""

import datetime

from django.db import transaction

from cohorts.models import Cohort
from leadership.models import User
from pairings import selectors, services
from pairings.models import (
    AVAILABILITY_CHOICES,
    INTEREST_CHOICES,
    Pairing,
    PairingPreference,
    ShadowingEntry,
)

CLINICIAN_SHADOWED_MANAGER = ShadowingEntry.Direction.CLINICIAN_SHADOWED_MANAGER
MANAGER_SHADOWED = ShadowingEntry.Direction.MANAGER_SHADOWED_CLINICIAN
PROGRAMME_SLUG = "clinician-manager-partnership"
LEFT_UNPAIRED = 4  # on each side

PROJECTS = [
    (
        "Discharge before noon on the acute medical unit",
        "40% of discharges before 12:00 by the end of the programme (from 15%)",
        Pairing.ProjectStatus.TESTING,
    ),
    (
        "Theatre start times",
        "First case starts within 15 minutes of the scheduled time on 80% of lists",
        Pairing.ProjectStatus.PLANNING,
    ),
    (
        "Echo requests from the ward",
        "Median wait for an inpatient echo under 24 hours",
        Pairing.ProjectStatus.TESTING,
    ),
    (
        "Time to first clinician in ED",
        "95% of majors patients seen within 60 minutes",
        Pairing.ProjectStatus.PLANNING,
    ),
    (
        "Paediatric clinic letters",
        "Clinic letters sent within 7 days for 90% of children",
        Pairing.ProjectStatus.COMPLETED,
    ),
    (
        "Oxygen prescribing",
        "Oxygen prescribed with target saturations for every patient",
        Pairing.ProjectStatus.NOT_STARTED,
    ),
    (
        "Antenatal clinic waits",
        "Waiting time in clinic under 30 minutes for 80% of women",
        Pairing.ProjectStatus.PLANNING,
    ),
]
PLACES = [
    (
        "Bed management meeting",
        "Seeing the whole hospital's beds at 08:30 changed how I think "
        "about discharge timing on my ward.",
    ),
    (
        "Post-take ward round",
        "Watched decisions about admission made in minutes; the paperwork "
        "I chase afterwards exists for reasons I now understand better.",
    ),
    (
        "Divisional finance review",
        "Agency spend drives more of the overspend than I thought; "
        "rota gaps are a money problem as well as a safety one.",
    ),
    ("Outpatient clinic", "Saw how late letters ripple into repeat appointments."),
]


def _partnership_cohort() -> Cohort | None:
    return Cohort.objects.filter(programme__slug=PROGRAMME_SLUG).order_by("-starts_on").first()


def _rotate(keys: list[str], start: int, count: int) -> list[str]:
    return [keys[(start + k) % len(keys)] for k in range(count)]


def _add_preferences(cohort: Cohort, doctors: list[User], managers: list[User]) -> None:
    """Each doctor and the manager at the same position share interests, ask for each other's
    departments and have free half-days in common (the people lists in ``demo.cohorts`` are
    written in matching order); the rotations make the other pairs score lower."""
    interests = [key for key, _label in INTEREST_CHOICES]
    slots = [key for key, _label in AVAILABILITY_CHOICES]
    have = set(PairingPreference.objects.filter(cohort=cohort).values_list("person", flat=True))
    n = min(len(doctors), len(managers))
    for side, people, partners in ((0, doctors, managers), (1, managers, doctors)):
        for i, person in enumerate(people):
            if person.pk in have:
                continue
            partner = partners[i] if i < n else None
            services.preference_save(
                cohort=cohort,
                person=person,
                interests=_rotate(interests, 2 * i + side, 3),
                preferred_departments=[partner.department] if partner else [],
                availability=_rotate(slots, i, 2) + [slots[(i + 5 + 2 * side) % len(slots)]],
                line_manager=None,
                acting_user=None,
            )
    # Where a service's business manager also line-manages a trust-grade doctor, the matcher
    # must keep them apart: the last doctor names the last manager.
    if n:
        PairingPreference.objects.filter(
            cohort=cohort, person=doctors[n - 1], line_manager__isnull=True
        ).update(line_manager=managers[n - 1])


def _add_pairs(cohort: Cohort, doctors: list[User], managers: list[User], today) -> None:
    n = max(0, min(len(doctors), len(managers)) - LEFT_UNPAIRED)
    if n == 0:
        return
    started_on = min(today, cohort.starts_on + datetime.timedelta(weeks=1))
    active = services.pairings_create(
        cohort=cohort,
        kind=Pairing.Kind.PARTNERSHIP,
        pairs=list(zip(doctors[: n - 1], managers[: n - 1], strict=True)),
        status=Pairing.Status.ACTIVE,
        started_on=started_on,
        acting_user=None,
    )
    services.pairings_create(
        cohort=cohort,
        kind=Pairing.Kind.PARTNERSHIP,
        pairs=[(doctors[n - 1], managers[n - 1])],
        status=Pairing.Status.PROPOSED,
        started_on=None,
        acting_user=None,
    )
    for i, pairing in enumerate(active):
        title, aim, state = PROJECTS[i % len(PROJECTS)]
        services.pairing_project_update(
            pairing=pairing, title=title, aim=aim, status=state, acting_user=None
        )
        for k in range(1 + i % 3):
            occurred_on = started_on + datetime.timedelta(days=3 + 9 * k + i)
            if occurred_on > today:
                break
            location, reflection = PLACES[(i + k) % len(PLACES)]
            clinician_goes = k % 2 == 0
            services.shadowing_entry_create(
                pairing=pairing,
                occurred_on=occurred_on,
                direction=CLINICIAN_SHADOWED_MANAGER if clinician_goes else MANAGER_SHADOWED,
                location=location,
                minutes=120 + 60 * (k % 2),
                reflection=reflection,
                author=pairing.clinician if clinician_goes else pairing.manager,
            )


@transaction.atomic
def load(today: datetime.date) -> None:
    cohort = _partnership_cohort()
    if cohort is None or Pairing.objects.filter(cohort=cohort).exists():
        return
    doctors, managers = (
        sorted(side, key=lambda person: person.pk)
        for side in selectors.unpaired_people(cohort, Pairing.Kind.PARTNERSHIP)
    )
    _add_preferences(cohort, doctors, managers)
    _add_pairs(cohort, doctors, managers, today)
