"""iCalendar documents for sessions: a person's feed and a single session's download.

Each session is one VEVENT whose UID never changes (``session-<id>@<domain>``) and whose
SEQUENCE is ``Session.sequence``, so a calendar client that already holds the event updates it
instead of adding a copy; cancelled sessions stay in the feed with STATUS:CANCELLED so clients
remove them. Times carry the cohort's time zone, described by a VTIMEZONE."""

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from .models import Session

if TYPE_CHECKING:
    from icalendar import Event

UID_DOMAIN = "clinical-leadership.programmes"
PRODID = "-//Clinical leadership programmes//Schedule//EN"


def session_uid(session: Session) -> str:
    return f"session-{session.pk}@{UID_DOMAIN}"


def _location(session: Session) -> str:
    address = " ".join(session.venue_address.split())
    return ", ".join(part for part in (session.venue_name, address) if part)


def session_event(session: Session) -> "Event":
    """The VEVENT for ``session`` (its module and cohort must be loaded)."""
    # icalendar (with its time-zone data) is loaded by the first calendar a process writes,
    # not by every web and worker start, which import this module through the schedule pages.
    from icalendar import Alarm, Event

    module = session.module
    tz = module.cohort.tzinfo
    event = Event()
    event.add("uid", session_uid(session))
    event.add("sequence", session.sequence)
    event.add("dtstamp", session.updated_at.astimezone(datetime.UTC))
    event.add("last-modified", session.updated_at.astimezone(datetime.UTC))
    event.add("dtstart", session.starts_at.astimezone(tz))
    event.add("dtend", session.ends_at.astimezone(tz))
    summary = module.title + (f" — {session.title}" if session.title else "")
    event.add("summary", f"{summary} ({module.cohort.name})")
    location = _location(session)
    if location:
        event.add("location", location)
    description = []
    if module.theme:
        description.append(module.theme)
    if session.what_to_prepare:
        description.append(f"To prepare: {session.what_to_prepare}")
    if description:
        event.add("description", "\n\n".join(description))
    if session.is_cancelled:
        event.add("status", "CANCELLED")
    else:
        event.add("status", "CONFIRMED")
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"Tomorrow: {summary}")
        alarm.add("trigger", datetime.timedelta(days=-1))
        event.add_component(alarm)
    return event


def calendar_for(sessions: Iterable[Session], *, name: str) -> bytes:
    """An iCalendar document with one VEVENT per session and a VTIMEZONE for each time zone
    used."""
    # Loaded on first use (why: session_event).
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    years = []
    for session in sessions:
        calendar.add_component(session_event(session))
        years.append(session.starts_at.year)
    # Each VTIMEZONE covers the years of the sessions (and one either side), not icalendar's
    # default 1970–2038: a reminder's .ics is then 1.1 kB instead of 3 kB (it is stored with
    # every reminder planned) and takes 0.8 ms to build instead of 3.
    if years:
        calendar.add_missing_timezones(
            first_date=datetime.date(min(years) - 1, 1, 1),
            last_date=datetime.date(max(years) + 2, 1, 1),
        )
    return calendar.to_ical()
