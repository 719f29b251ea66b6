"""Builders for measure tests (team and people builders: ``tests/redesign_projects/helpers.py``)."""

import datetime
from decimal import Decimal

from measures import services as measure_services
from measures.charts import month_starts
from measures.models import DataPoint

# The first period of a measure made by ``add_measure``.
START = datetime.date(2024, 1, 1)


def add_measure(team, *, name="Length of stay", points=(), better="down", actor=None, **fields):
    measure = measure_services.measure_create(
        team=team, name=name, unit="days", better=better, acting_user=actor, **fields
    )
    DataPoint.objects.bulk_create(
        DataPoint(measure=measure, period=day, value=Decimal(str(value)))
        for day, value in zip(month_starts(START, len(points)), points, strict=True)
    )
    return measure
