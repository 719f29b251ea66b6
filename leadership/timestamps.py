"""Times written for pages that write their rows in Python (the audit trail, the e-mail log)."""

import datetime
from collections.abc import Callable

from django.template.defaultfilters import date
from django.utils.timezone import localtime


def day_and_time_writer() -> Callable[[datetime.datetime], str]:
    """A function writing a time as "j M Y H:i" in the current time zone, for one page: its
    rows fall on a few days, so each day is written once (Django's ``date`` filter, which
    names the month in the active language, is the costly part) and the time for each row."""
    days: dict[datetime.date, str] = {}

    def when(at: datetime.datetime) -> str:
        at = localtime(at)
        if (day := days.get(at.date())) is None:
            day = days[at.date()] = date(at, "j M Y")
        return f"{day} {at:%H:%M}"

    return when
