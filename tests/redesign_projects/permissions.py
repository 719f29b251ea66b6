"""What each persona gets from each redesign_projects URL.

The world: ``participant`` is a member of "Flow team" in ``cohort`` (peer review off), which
has a team assignment with a submitted version, a PDF and draft feedback. ``other_participant``
is in another cohort and must get 404 everywhere."""

import datetime
from decimal import Decimal

from tests.permission_table import Expect, logged_in

from .helpers import make_assignment, make_team, participant_in, pdf, submit


def _team(world):
    return world.once(
        "team",
        lambda: make_team(world.cohort, lead=world.personas["participant"], name="Flow team"),
    )


def _assignment(world):
    return world.once("assignment", lambda: make_assignment(world.cohort))


def _submission(world):
    def make():
        return submit(
            _assignment(world), by=world.personas["participant"], team=_team(world), files=[pdf()]
        )

    return world.once("submission", make)


def _feedback(world):
    from redesign_projects import services

    return world.once(
        "feedback",
        lambda: services.feedback_save(
            submission=_submission(world),
            comments="Good start.",
            decision="changes_requested",
            levels={},
            acting_user=world.personas["faculty"],
        ),
    )


def _spare_clinician(world):
    return world.once(
        "spare", lambda: participant_in(world.cohort, "spare@example.org", profession="nurse")
    )


def _assignment_of_a_team(world) -> dict:
    """The participant submits for their team, so the team must exist first."""
    _team(world)
    return {"assignment_id": _assignment(world).pk}


COHORT = {"kwargs": lambda world: {"cohort_id": world.cohort.pk}}
TEAM = {"kwargs": lambda world: {"team_id": _team(world).pk}}
ASSIGNMENT = {"kwargs": lambda world: {"assignment_id": _assignment(world).pk}}
SUBMISSION = {"kwargs": lambda world: {"submission_id": _submission(world).pk}}
# Members of the cohort in the wrong role get 403; other cohorts 404.
ADMIN_ONLY = logged_in(403, other_participant=404, administrator=200)
ADMIN_REDIRECT = logged_in(403, other_participant=404, administrator=302)
FEEDBACK_GIVERS_REDIRECT = logged_in(403, other_participant=404, faculty=302, administrator=302)

ROWS = {
    # A participant without a team is sent to their cohort's team list; others have no team.
    "redesign_projects:team_mine": Expect(
        get=logged_in(404, participant=302, other_participant=302)
    ),
    "redesign_projects:team_list": Expect(get=logged_in(200, other_participant=404), **COHORT),
    "redesign_projects:team_create": Expect(
        get=ADMIN_ONLY,
        post=ADMIN_REDIRECT,
        data=lambda world: {
            "name": "Discharge team",
            "focus_kind": "work_process",
            "clinical_lead": _spare_clinician(world).pk,
        },
        **COHORT,
    ),
    "redesign_projects:team_formation": Expect(get=ADMIN_ONLY, post=ADMIN_ONLY, **COHORT),
    "redesign_projects:assignment_overview": Expect(
        get=logged_in(200, participant=403, other_participant=404), **COHORT
    ),
    "redesign_projects:assignment_create": Expect(get=ADMIN_ONLY, post=ADMIN_ONLY, **COHORT),
    "redesign_projects:team_detail": Expect(get=logged_in(200, other_participant=404), **TEAM),
    "redesign_projects:team_update": Expect(get=ADMIN_ONLY, post=ADMIN_ONLY, **TEAM),
    "redesign_projects:assignment_detail": Expect(
        get=logged_in(200, other_participant=404), **ASSIGNMENT
    ),
    "redesign_projects:assignment_update": Expect(get=ADMIN_ONLY, post=ADMIN_ONLY, **ASSIGNMENT),
    "redesign_projects:extension_create": Expect(get=ADMIN_ONLY, post=ADMIN_ONLY, **ASSIGNMENT),
    "redesign_projects:submission_edit": Expect(
        get=logged_in(403, participant=200, other_participant=404),
        post=logged_in(403, participant=302, other_participant=404),
        data=lambda world: {"text": "A draft", "save": "1"},
        # The participant submits for their team, so the team must exist.
        kwargs=_assignment_of_a_team,
    ),
    "redesign_projects:feedback_release_all": Expect(post=FEEDBACK_GIVERS_REDIRECT, **ASSIGNMENT),
    "redesign_projects:submission_detail": Expect(
        get=logged_in(200, other_participant=404), **SUBMISSION
    ),
    "redesign_projects:feedback_edit": Expect(
        get=logged_in(403, other_participant=404, faculty=200, administrator=200), **SUBMISSION
    ),
    "redesign_projects:peer_comment_create": Expect(
        post=logged_in(403, other_participant=404),
        data=lambda world: {"body": "Nice"},
        **SUBMISSION,
    ),
    "redesign_projects:feedback_release": Expect(
        post=FEEDBACK_GIVERS_REDIRECT, kwargs=lambda world: {"feedback_id": _feedback(world).pk}
    ),
    "redesign_projects:file_download": Expect(
        get=logged_in(200, other_participant=404),
        kwargs=lambda world: {"file_id": _submission(world).files.get().pk},
    ),
}


# --- measures: the participant's team "Flow team" has a measure with 20 points and a PDSA
# cycle; the participant is also paired with a manager whose QI project has a measure. Team
# members and administrators write; faculty and clinical leaders read (403 on writes);
# pairings are seen by the pair, administrators and clinical leaders only (faculty 404).


def _measure(world):
    from redesign_projects import measure_services

    def make():
        measure = measure_services.measure_create(
            team=_team(world), name="Length of stay", unit="days", better="down", acting_user=None
        )
        for month in range(1, 21):
            measure_services.datapoint_create(
                measure=measure,
                period=datetime.date(2024 + (month - 1) // 12, (month - 1) % 12 + 1, 1),
                value=Decimal(5 + month % 3),
                acting_user=None,
            )
        return measure

    return world.once("measure", make)


def _cycle(world):
    from redesign_projects import measure_services

    return world.once(
        "cycle",
        lambda: measure_services.pdsa_cycle_create(
            team=_team(world),
            measure=_measure(world),
            change_idea="Discharge checklist",
            started_on=datetime.date(2024, 6, 1),
            acting_user=None,
        ),
    )


def _pairing(world):
    from tests.pairings.permissions import _pairing as pairing_of_the_participant

    return pairing_of_the_participant(world)


MEASURE = {"kwargs": lambda world: {"measure_id": _measure(world).pk}}
TEAM_WRITERS = logged_in(403, other_participant=404, participant=200, administrator=200)
TEAM_WRITERS_REDIRECT = logged_in(403, other_participant=404, participant=302, administrator=302)
PAIRING_READERS = logged_in(404, participant=200, clinical_leader=200, administrator=200)
PAIRING_WRITERS = logged_in(404, participant=200, clinical_leader=403, administrator=200)
PAIRING_WRITERS_REDIRECT = logged_in(404, participant=302, clinical_leader=403, administrator=302)


def _measure_data(world) -> dict:
    return {"name": "Readmissions", "kind": "outcome", "unit": "%", "better": "down",
            "frequency": "monthly"}  # fmt: skip


ROWS.update(
    {
        "redesign_projects:measure_create": Expect(
            get=TEAM_WRITERS, post=TEAM_WRITERS_REDIRECT, data=_measure_data, **TEAM
        ),
        "redesign_projects:measure_detail": Expect(
            get=logged_in(200, other_participant=404), **MEASURE
        ),
        "redesign_projects:measure_update": Expect(
            get=TEAM_WRITERS,
            post=TEAM_WRITERS_REDIRECT,
            data=lambda world: {**_measure_data(world), "name": "Length of stay (days)"},
            **MEASURE,
        ),
        "redesign_projects:datapoint_create": Expect(
            get=TEAM_WRITERS,
            post=TEAM_WRITERS_REDIRECT,
            data=lambda world: {"period": "1/3/2026", "value": "4.5"},
            **MEASURE,
        ),
        "redesign_projects:datapoint_import": Expect(
            get=TEAM_WRITERS,
            post=TEAM_WRITERS_REDIRECT,
            data=lambda world: {"text": "period,value\n2026-03-01,4\n1/4/2026,5\n", "confirm": "1"},
            **MEASURE,
        ),
        "redesign_projects:datapoint_update": Expect(
            get=TEAM_WRITERS,
            post=TEAM_WRITERS_REDIRECT,
            data=lambda world: {"period": "2024-01-01", "value": "9"},
            kwargs=lambda world: {"datapoint_id": _measure(world).datapoints.first().pk},
        ),
        "redesign_projects:rebase_create": Expect(
            get=TEAM_WRITERS,
            post=TEAM_WRITERS_REDIRECT,
            data=lambda world: {"starts_on": "2025-01-01", "reason": "New discharge pathway"},
            **MEASURE,
        ),
        "redesign_projects:pdsa_list": Expect(get=logged_in(200, other_participant=404), **TEAM),
        "redesign_projects:pdsa_create": Expect(
            get=TEAM_WRITERS,
            post=TEAM_WRITERS_REDIRECT,
            data=lambda world: {"change_idea": "Daily board round", "started_on": "2024-07-01"},
            **TEAM,
        ),
        "redesign_projects:pdsa_update": Expect(
            get=TEAM_WRITERS,
            post=TEAM_WRITERS_REDIRECT,
            data=lambda world: {"change_idea": "Checklist v2", "started_on": "2024-06-01"},
            kwargs=lambda world: {"cycle_id": _cycle(world).pk},
        ),
        # Programme administrators only; nobody else learns the programme exists.
        "redesign_projects:chart_rules_edit": Expect(
            get=logged_in(404, administrator=200),
            post=logged_in(404, administrator=302),
            data=lambda world: {"shift": "8", "trend": "6", "min_points": "20"},
            kwargs=lambda world: {"programme_id": world.cohort.programme_id},
        ),
        "redesign_projects:pairing_measures": Expect(
            get=PAIRING_READERS, kwargs=lambda world: {"pairing_id": _pairing(world).pk}
        ),
        "redesign_projects:pairing_measure_create": Expect(
            get=PAIRING_WRITERS,
            post=PAIRING_WRITERS_REDIRECT,
            data=_measure_data,
            kwargs=lambda world: {"pairing_id": _pairing(world).pk},
        ),
    }
)
