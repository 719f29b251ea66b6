"""What each persona gets from each measures URL.

The world is the redesign teams' (``tests/redesign_projects/permissions.py``): the
participant's team "Flow team" in ``cohort`` (peer review off) has a measure with 20 points and
a PDSA cycle; the participant is also paired with a manager (``tests/pairings/permissions.py``)
whose QI project has measures. Team members and administrators write; faculty and clinical
leaders read (403 on writes); pairings are seen by the pair, administrators and clinical
leaders only (faculty 404). ``other_participant`` is in another cohort and gets 404."""

import datetime
from decimal import Decimal

from measures import services as measure_services
from tests.pairings.permissions import _pairing_kwargs
from tests.permission_table import Expect, logged_in
from tests.redesign_projects.permissions import TEAM, _team


def _measure(world):
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


MEASURE = {"kwargs": lambda world: {"measure_id": _measure(world).pk}}
TEAM_WRITERS = logged_in(403, other_participant=404, participant=200, administrator=200)
TEAM_WRITERS_REDIRECT = logged_in(403, other_participant=404, participant=302, administrator=302)
PAIRING_READERS = logged_in(404, participant=200, clinical_leader=200, administrator=200)
PAIRING_WRITERS = logged_in(404, participant=200, clinical_leader=403, administrator=200)
PAIRING_WRITERS_REDIRECT = logged_in(404, participant=302, clinical_leader=403, administrator=302)


def _measure_data(world) -> dict:
    return {"name": "Readmissions", "kind": "outcome", "unit": "%", "better": "down",
            "frequency": "monthly"}  # fmt: skip


ROWS = {
    "measures:measure_create": Expect(
        get=TEAM_WRITERS, post=TEAM_WRITERS_REDIRECT, data=_measure_data, **TEAM
    ),
    "measures:measure_detail": Expect(get=logged_in(200, other_participant=404), **MEASURE),
    "measures:measure_data": Expect(get=logged_in(200, other_participant=404), **MEASURE),
    "measures:measure_data_csv": Expect(get=logged_in(200, other_participant=404), **MEASURE),
    "measures:measure_update": Expect(
        get=TEAM_WRITERS,
        post=TEAM_WRITERS_REDIRECT,
        data=lambda world: {**_measure_data(world), "name": "Length of stay (days)"},
        **MEASURE,
    ),
    "measures:datapoint_create": Expect(
        get=TEAM_WRITERS,
        post=TEAM_WRITERS_REDIRECT,
        data=lambda world: {"period": "1/3/2026", "value": "4.5"},
        **MEASURE,
    ),
    "measures:datapoint_import": Expect(
        get=TEAM_WRITERS,
        post=TEAM_WRITERS_REDIRECT,
        data=lambda world: {"text": "period,value\n2026-03-01,4\n1/4/2026,5\n", "confirm": "1"},
        **MEASURE,
    ),
    "measures:datapoint_update": Expect(
        get=TEAM_WRITERS,
        post=TEAM_WRITERS_REDIRECT,
        data=lambda world: {"period": "2024-01-01", "value": "9"},
        kwargs=lambda world: {"datapoint_id": _measure(world).datapoints.first().pk},
    ),
    "measures:rebase_create": Expect(
        get=TEAM_WRITERS,
        post=TEAM_WRITERS_REDIRECT,
        data=lambda world: {"starts_on": "2025-01-01", "reason": "New discharge pathway"},
        **MEASURE,
    ),
    "measures:pdsa_list": Expect(get=logged_in(200, other_participant=404), **TEAM),
    "measures:pdsa_create": Expect(
        get=TEAM_WRITERS,
        post=TEAM_WRITERS_REDIRECT,
        data=lambda world: {"change_idea": "Daily board round", "started_on": "2024-07-01"},
        **TEAM,
    ),
    "measures:pdsa_update": Expect(
        get=TEAM_WRITERS,
        post=TEAM_WRITERS_REDIRECT,
        data=lambda world: {"change_idea": "Checklist v2", "started_on": "2024-06-01"},
        kwargs=lambda world: {"cycle_id": _cycle(world).pk},
    ),
    # Programme administrators only; nobody else learns the programme exists.
    "measures:chart_rules_edit": Expect(
        get=logged_in(404, administrator=200),
        post=logged_in(404, administrator=302),
        data=lambda world: {"shift": "8", "trend": "6", "min_points": "20"},
        kwargs=lambda world: {"programme_id": world.cohort.programme_id},
    ),
    "measures:pairing_measures": Expect(get=PAIRING_READERS, kwargs=_pairing_kwargs),
    "measures:pairing_measure_create": Expect(
        get=PAIRING_WRITERS,
        post=PAIRING_WRITERS_REDIRECT,
        data=_measure_data,
        kwargs=_pairing_kwargs,
    ),
    "measures:pairing_pdsa_list": Expect(get=PAIRING_READERS, kwargs=_pairing_kwargs),
    "measures:pairing_pdsa_create": Expect(
        get=PAIRING_WRITERS,
        post=PAIRING_WRITERS_REDIRECT,
        data=lambda world: {"change_idea": "Joint ward round", "started_on": "2024-07-01"},
        kwargs=_pairing_kwargs,
    ),
}
