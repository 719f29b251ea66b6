"""Tokens and a measure with points for the API tests."""

import datetime
from decimal import Decimal

from api import services
from measures import services as measure_services
from tests.redesign_projects.helpers import make_team


def make_token(administrator, programme, *, cohort=None, scope="read", contact_details=False,
               name="Power BI"):  # fmt: skip
    """A token and its raw value (what the administrator copied)."""
    return services.api_token_create(
        programme=programme,
        cohort=cohort,
        name=name,
        scope=scope,
        contact_details=contact_details,
        expires_on=datetime.date.today() + datetime.timedelta(days=30),
        acting_user=administrator,
    )


def bearer(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def make_measure(cohort, lead, *, points=20, name="Length of stay", team=None):
    """A measure of ``points`` monthly points from January 2024, of ``team`` or of a new team
    led by ``lead``."""
    team = team or make_team(cohort, lead=lead, name="Flow team")
    measure = measure_services.measure_create(
        team=team, name=name, unit="days", better="down", acting_user=None
    )
    for month in range(points):
        measure_services.datapoint_create(
            measure=measure,
            period=datetime.date(2024 + month // 12, month % 12 + 1, 1),
            value=Decimal(5 + month % 3),
            acting_user=None,
        )
    return measure
