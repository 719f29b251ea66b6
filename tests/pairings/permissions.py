"""Who gets what from the pairing URLs. ``world.cohort`` holds an active pairing of the
participant persona with a manager, and a proposed administrative-support pairing of the
participant for activation; outsiders (faculty, the other cohort's participant) get 404."""

from django.utils import timezone

from cohorts.models import Enrolment
from pairings import services
from pairings.models import Pairing
from tests.pairings.helpers import enrol, manager_in, pair
from tests.permission_table import Expect, logged_in


def _manager(world):
    return world.once("manager", lambda: manager_in(world.cohort, email="mgr@example.org"))


def _pairing(world):
    return world.once(
        "pairing", lambda: pair(world.cohort, world.personas["participant"], _manager(world))
    )


def _proposed(world):
    """A proposed clinical leader – administrative support pairing of the participant."""

    def make():
        support = enrol(world.cohort, profession="other", role=Enrolment.Role.ADMIN_SUPPORT)
        (pairing,) = services.pairings_create(
            cohort=world.cohort,
            kind=Pairing.Kind.ADMIN_SUPPORT,
            pairs=[(world.personas["participant"], support)],
            status=Pairing.Status.PROPOSED,
            started_on=None,
            acting_user=None,
        )
        return pairing

    return world.once("proposed", make)


def _support(world):
    return world.once(
        "support",
        lambda: enrol(world.cohort, profession="other", role=Enrolment.Role.ADMIN_SUPPORT),
    )


def _cohort(world):
    return {"cohort_id": world.cohort.pk}


def _pairing_kwargs(world):
    return {"pairing_id": _pairing(world).pk}


def _today():
    return timezone.localdate().isoformat()


# Members of the cohort in a role that may not use the page get 403; outsiders 404.
ADMIN_ONLY = logged_in(404, administrator=200, participant=403, faculty=403, clinical_leader=403)
# The pair's members and administrators change things; the clinical leader reads only.
CONTRIBUTORS = logged_in(404, participant=302, administrator=302, clinical_leader=403)
ADMIN_ACTION = logged_in(404, administrator=302, participant=403, clinical_leader=403)

ROWS = {
    "pairings:my_pairings": Expect(get=logged_in(404, participant=200, other_participant=200)),
    "pairings:cohort_overview": Expect(
        get=logged_in(404, administrator=200, clinical_leader=200, participant=403, faculty=403),
        kwargs=_cohort,
    ),
    "pairings:suggestions": Expect(
        get=ADMIN_ONLY,
        post={**ADMIN_ONLY, "administrator": 302},
        kwargs=_cohort,
        data=lambda world: {
            "status": "active",
            "started_on": _today(),
            f"accept_{world.personas['participant'].pk}": "on",
            f"manager_{world.personas['participant'].pk}": str(_manager(world).pk),
        },
    ),
    "pairings:my_preferences": Expect(
        get=logged_in(404, participant=200, faculty=403, clinical_leader=403, administrator=403),
        post=logged_in(404, participant=302, faculty=403, clinical_leader=403, administrator=403),
        kwargs=_cohort,
        data=lambda world: {"interests": ["patient_flow"], "availability": ["mon_am"]},
    ),
    "pairings:preferences_request": Expect(
        post={**ADMIN_ONLY, "administrator": 302},
        kwargs=_cohort,
        data=lambda world: {"kind": "partnership"},
    ),
    "pairings:preferences_edit": Expect(
        get=ADMIN_ONLY,
        post={**ADMIN_ONLY, "administrator": 302},
        kwargs=lambda world: {
            "cohort_id": world.cohort.pk,
            "person_id": world.personas["participant"].pk,
        },
        data=lambda world: {"interests": ["digital"]},
    ),
    "pairings:pairing_detail": Expect(
        get=logged_in(404, participant=200, administrator=200, clinical_leader=200),
        kwargs=_pairing_kwargs,
    ),
    "pairings:shadowing_create": Expect(
        post=CONTRIBUTORS,
        kwargs=_pairing_kwargs,
        data=lambda world: {
            "occurred_on": _today(),
            "direction": "clinician_shadowed_manager",
            "location": "Bed meeting",
            "minutes": "60",
            "reflection": "Saw how beds are allocated.",
        },
    ),
    "pairings:project_update": Expect(
        post=CONTRIBUTORS,
        kwargs=_pairing_kwargs,
        data=lambda world: {
            "project_title": "Discharge before noon",
            "project_aim": "",
            "project_status": "planning",
        },
    ),
    "pairings:pairing_activate": Expect(
        post=ADMIN_ACTION,
        kwargs=lambda world: {"pairing_id": _proposed(world).pk},
        data=lambda world: {"started_on": _today()},
    ),
    "pairings:pairing_end": Expect(
        post=ADMIN_ACTION,
        kwargs=_pairing_kwargs,
        data=lambda world: {"ended_on": _today(), "end_reason": "Rotation ended"},
    ),
    "pairings:support_assign": Expect(
        get=ADMIN_ONLY,
        # Nobody chosen: the administrator is shown the form again with the error.
        post={**ADMIN_ONLY, "administrator": 400},
        kwargs=_cohort,
        data=lambda world: {"started_on": _today()},
    ),
    "pairings:support_capacity": Expect(
        post={**ADMIN_ONLY, "administrator": 302},
        kwargs=lambda world: {"cohort_id": world.cohort.pk, "person_id": _support(world).pk},
        data=lambda world: {"leaders": "4"},
    ),
}
