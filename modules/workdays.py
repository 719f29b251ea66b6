"""Working days of a cohort: no weekends, no public holidays of its region, none of its
close-down periods, and the times of day sessions run. Used by the schedule generator and by
every move."""

import datetime
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from django.db.models import Q

from cohorts.models import Cohort

from .models import CloseDown

if TYPE_CHECKING:
    import holidays

# A close-down period as the scheduler reads it: (first day, last day, name, every year).
Closure = tuple[datetime.date, datetime.date, str, bool]

# Cohort.HolidayRegion value → (country, subdivision) for the ``holidays`` package.
HOLIDAY_REGIONS: dict[str, tuple[str, str]] = {
    Cohort.HolidayRegion.NZ_AUCKLAND: ("NZ", "AUK"),
    Cohort.HolidayRegion.NZ_WELLINGTON: ("NZ", "WGN"),
    Cohort.HolidayRegion.NZ_CANTERBURY: ("NZ", "CAN"),
    Cohort.HolidayRegion.ENGLAND_WALES: ("GB", "ENG"),
    Cohort.HolidayRegion.SCOTLAND: ("GB", "SCT"),
    Cohort.HolidayRegion.NORTHERN_IRELAND: ("GB", "NIR"),
}

FULL_DAY = (datetime.time(9, 0), datetime.time(17, 0))
MORNING = (datetime.time(9, 0), datetime.time(12, 30))


@lru_cache(maxsize=16)
def _holidays_for(region: str) -> "holidays.HolidayBase":
    # The holidays package loads every country's calendar module on import (about as long as
    # Django's own start); only scheduling needs it, so processes load it on first use.
    import holidays

    country, subdivision = HOLIDAY_REGIONS[region]
    # Years expand on demand as dates are looked up.
    return holidays.country_holidays(country, subdiv=subdivision)


def closures_for(cohort: Cohort) -> tuple[Closure, ...]:
    """The close-down periods ``cohort`` avoids: its programme's and its holiday region's
    (one query)."""
    rows = CloseDown.objects.filter(
        Q(programme_id=cohort.programme_id) | Q(region=cohort.holiday_region)
    ).values_list("starts_on", "ends_on", "name", "every_year")
    return tuple(rows)


def closures_for_cohorts(cohorts: Sequence[Cohort]) -> dict[int, tuple[Closure, ...]]:
    """Cohort id → its close-down periods (``closures_for``), for many cohorts in one query."""
    rows = list(
        CloseDown.objects.filter(
            Q(programme_id__in={c.programme_id for c in cohorts})
            | Q(region__in={c.holiday_region for c in cohorts})
        ).values_list("programme_id", "region", "starts_on", "ends_on", "name", "every_year")
    )
    return {
        cohort.pk: tuple(
            (starts_on, ends_on, name, every_year)
            for programme_id, region, starts_on, ends_on, name, every_year in rows
            if programme_id == cohort.programme_id or region == cohort.holiday_region
        )
        for cohort in cohorts
    }


def _closed_on(closure: Closure, day: datetime.date) -> bool:
    first, last, _name, every_year = closure
    if not every_year:
        return first <= day <= last
    # The period as it falls in the year before ``day``'s and in ``day``'s own year (a
    # period across New Year starts in the one and ends in the other).
    span = last.year - first.year
    for year in (day.year - 1, day.year):
        try:
            start, end = first.replace(year=year), last.replace(year=year + span)
        except ValueError:  # 29 February in a common year
            continue
        if start <= day <= end:
            return True
    return False


def non_working_reason(region: str, day: datetime.date, closed: Sequence[Closure] = ()) -> str:
    """Why ``day`` is not a working day in ``region`` ("Saturday", "Good Friday", "Christmas
    close-down"), or "" if it is one. ``closed`` are the cohort's close-down periods."""
    if day.weekday() >= 5:
        return day.strftime("%A")
    holiday = _holidays_for(region).get(day)
    if holiday:
        return holiday
    for closure in closed:
        if _closed_on(closure, day):
            return closure[2]
    return ""


def day_plan(length_half_days: int) -> list[tuple[datetime.time, datetime.time]]:
    """The sessions of a module of ``length_half_days``: a full day per two half-days, then a
    morning for an odd one. 3 → full day + next morning; 2 → one full day; 1 → one morning."""
    return [FULL_DAY] * (length_half_days // 2) + [MORNING] * (length_half_days % 2)


def first_working_run(
    region: str, earliest: datetime.date, days: int, closed: Sequence[Closure] = ()
) -> tuple[datetime.date, list[str]]:
    """The first date on or after ``earliest`` that starts ``days`` consecutive working days,
    and the reasons (e.g. "Fri 26 Mar 2027 (Good Friday)") for each day skipped on the way.
    A multi-day module is never split across a weekend or holiday: the whole run moves."""
    start = earliest
    skipped: list[str] = []
    while True:
        for offset in range(days):
            day = start + datetime.timedelta(days=offset)
            reason = non_working_reason(region, day, closed)
            if reason:
                skipped.append(f"{day:%a %-d %b %Y} ({reason})")
                start = day + datetime.timedelta(days=1)
                break
        else:
            return start, skipped


def add_working_days(
    region: str, day: datetime.date, days: int, closed: Sequence[Closure] = ()
) -> datetime.date:
    """The ``days``-th working day after ``day`` in ``region`` (weekends and its public
    holidays skipped): two working days after a Friday is the Tuesday."""
    while days > 0:
        day += datetime.timedelta(days=1)
        if not non_working_reason(region, day, closed):
            days -= 1
    return day
