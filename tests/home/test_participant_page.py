"""The participant's start page body is written by Jinja2 (home/participant_page.py) with its
own ``date``: it must write what Django's ``date`` filter writes."""

import datetime
import itertools
from zoneinfo import ZoneInfo

import pytest
from django.utils import dateformat, translation

from home.participant_page import _date

FORMATS = ["l j F", "j F", "j F Y", "j M Y", "l j F Y", "H:i", "l j F, H:i"]


@pytest.mark.parametrize("language", ["en-nz", "en-gb", "fr"])
def test_dates_are_written_as_djangos_date_filter_writes_them(language):
    zones = [ZoneInfo("Pacific/Auckland"), ZoneInfo("Europe/London"), datetime.UTC]
    start = datetime.datetime(2026, 1, 1, 0, 7, tzinfo=datetime.UTC)
    # Every month and weekday, hours either side of midnight and of the clock changes.
    moments = [start + datetime.timedelta(hours=37 * n) for n in range(260)]
    with translation.override(language):
        for moment, zone, format_string in itertools.product(moments, zones, FORMATS):
            local = moment.astimezone(zone)
            assert _date(local, format_string) == dateformat.format(local, format_string)
            assert _date(local.date(), "j M Y") == dateformat.format(local.date(), "j M Y")
    assert _date(None, "j F") == ""


def test_a_format_it_does_not_know_is_an_error_not_a_different_date():
    with pytest.raises(ValueError, match="'D'"):
        _date(datetime.date(2026, 1, 1), "D j")
