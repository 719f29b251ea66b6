"""What each persona gets from each API URL, logged in with the pages' own session (tokens
have their own tests: ``tests/api/test_api_tokens.py``).

The world is the measures' (``tests/measures/permissions.py``): the participant's team in
``cohort`` with a measure. The JSON endpoints answer 401 to anonymous callers (an API does not
redirect to a login page), and otherwise as the pages: 404 to ``other_participant`` (another
cohort), 200 to the cohort's members. Measure points are POSTed with a token only (401 for
every session). Tokens are managed by the programme's administrators (404 for others)."""

import datetime

from api import services
from tests.measures.permissions import MEASURE, _measure
from tests.pairings.permissions import _pairing_kwargs
from tests.permission_table import Expect, logged_in, statuses
from tests.redesign_projects.permissions import _team

PROGRAMME = {"kwargs": lambda world: {"programme_id": world.cohort.programme_id}}
COHORT = {"kwargs": lambda world: {"cohort_id": world.cohort.pk}}
MEMBERS = statuses(200, anonymous=401, other_participant=404)
ADMIN_PAGE = logged_in(404, administrator=200)
# Attendance and assignments: administrators, faculty and clinical leaders (participants 403).
STAFF = statuses(200, anonymous=401, other_participant=404, participant=403)
PAIR_READERS = statuses(403, anonymous=401, other_participant=404, clinical_leader=200,
                        administrator=200)  # fmt: skip


def _cohort_with_team(world):
    _team(world)
    return {"cohort_id": world.cohort.pk}


def _cohort_with_pair(world):
    _pairing_kwargs(world)
    return {"cohort_id": world.cohort.pk}


def _cohort_with_measure(world):
    _measure(world)
    return {"cohort_id": world.cohort.pk}


def _token(world):
    def make():
        token, _ = services.api_token_create(
            programme=world.cohort.programme,
            cohort=None,
            name="Power BI",
            scope="read",
            contact_details=False,
            expires_on=datetime.date.today() + datetime.timedelta(days=30),
            acting_user=world.personas["administrator"],
        )
        return token

    return world.once("api_token", make)


def _token_data(world) -> dict:
    soon = datetime.date.today() + datetime.timedelta(days=30)
    return {"name": "Ward dashboard", "scope": "read", "expires_on": soon.isoformat()}


ROWS = {
    "api:documentation": Expect(get=statuses(200)),
    "api:openapi-json": Expect(get=statuses(200)),
    # django-ninja names /api/ itself to know where the API starts; it answers 404.
    "api:api-root": Expect(get=statuses(404)),
    "api:token_list": Expect(get=ADMIN_PAGE, **PROGRAMME),
    "api:token_create": Expect(get=ADMIN_PAGE, post=ADMIN_PAGE, data=_token_data, **PROGRAMME),
    "api:token_revoke": Expect(
        post=logged_in(404, administrator=302),
        kwargs=lambda world: {"token_id": _token(world).pk},
    ),
    "api:programme_list": Expect(get=statuses(200, anonymous=401)),
    "api:cohort_list": Expect(get=statuses(200, anonymous=401)),
    "api:enrolment_list": Expect(get=MEMBERS, **COHORT),
    "api:team_list": Expect(get=MEMBERS, kwargs=_cohort_with_team),
    "api:measure_list": Expect(get=MEMBERS, kwargs=_cohort_with_measure),
    "api:pdsa_list": Expect(get=MEMBERS, kwargs=_cohort_with_team),
    "api:measure_detail": Expect(get=MEMBERS, **MEASURE),
    "api:session_list": Expect(get=MEMBERS, **COHORT),
    "api:attendance_list": Expect(get=STAFF, **COHORT),
    "api:assignment_list": Expect(get=STAFF, kwargs=_cohort_with_team),
    "api:pair_list": Expect(get=PAIR_READERS, kwargs=_cohort_with_pair),
    "api:points_create": Expect(post=statuses(401), **MEASURE),
}
