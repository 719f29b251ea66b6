"""What each persona gets from the schedule, register and calendar URLs.

``world.cohort`` gets one module with a future session (``session``) and a future short course
(``short_course``); the participant has a calendar feed."""

import datetime

from django.utils import timezone

from modules.models import ModuleTemplate
from tests.modules.helpers import make_module, make_session
from tests.permission_table import Expect, logged_in, statuses


def _module(world):
    return world.once("module", lambda: make_module(world.cohort, position=1, title="Strategy"))


def _session(world):
    day = timezone.localdate() + datetime.timedelta(days=60)
    return world.once("session", lambda: make_session(_module(world), day))


def _held_session(world):
    """A session that ran yesterday: its register is open (a future one's is refused)."""
    day = timezone.localdate() - datetime.timedelta(days=1)
    return world.once("held_session", lambda: make_session(_module(world), day))


def _short_course(world):
    def make():
        module = make_module(
            world.cohort,
            position=2,
            title="Financial literacy",
            kind=ModuleTemplate.Kind.SHORT_COURSE,
        )
        day = timezone.localdate() + datetime.timedelta(days=90)
        return make_session(module, day, end=(12, 30), seat_limit=10)

    return world.once("short_course", make)


def _feed_token(world):
    from modules.services import calendar_feed_create

    participant = world.personas["participant"]
    return world.once(
        "feed", lambda: calendar_feed_create(person=participant, acting_user=participant)
    ).token


def session(world):
    return {"session_id": _session(world).pk}


def short_course(world):
    return {"session_id": _short_course(world).pk}


def cohort(world):
    return {"cohort_id": world.cohort.pk}


ANY_MEMBER = logged_in(200, other_participant=404)
ADMIN_ONLY = logged_in(403, other_participant=404, administrator=200)
STAFF = logged_in(403, other_participant=404, faculty=200, administrator=200)
READERS = logged_in(403, other_participant=404, faculty=200, clinical_leader=200, administrator=200)
PARTICIPANT_ONLY = logged_in(403, other_participant=404, participant=200)

ROWS = {
    "modules:my_schedule": Expect(get=logged_in(200)),
    "modules:calendar_feed_create": Expect(post=logged_in(302)),
    "modules:calendar_feed_revoke": Expect(post=logged_in(302)),
    # The token is the credential: no login, and the same answer for everyone who has it.
    "modules:calendar_feed": Expect(
        get=statuses(200), kwargs=lambda world: {"token": _feed_token(world)}
    ),
    "modules:cohort_schedule": Expect(get=ANY_MEMBER, kwargs=cohort),
    "modules:schedule_generate": Expect(
        post=logged_in(403, other_participant=404, administrator=302), kwargs=cohort
    ),
    "modules:cohort_attendance": Expect(get=READERS, kwargs=cohort),
    "modules:attendance_export": Expect(
        get=READERS, kwargs=lambda world: {"cohort_id": world.cohort.pk, "fmt": "csv"}
    ),
    "modules:programme_attendance": Expect(
        get=logged_in(404, administrator=200),
        kwargs=lambda world: {"programme_id": world.cohort.programme_id},
    ),
    "modules:module_move": Expect(
        get=ADMIN_ONLY,
        # An empty form is re-shown with its errors.
        post=ADMIN_ONLY,
        kwargs=lambda world: {"module_id": _session(world).module_id},
    ),
    "modules:module_edit": Expect(
        get=ADMIN_ONLY,
        # An empty form is re-shown with its errors (the title is required).
        post=ADMIN_ONLY,
        kwargs=lambda world: {"module_id": _session(world).module_id},
    ),
    "modules:session_detail": Expect(get=ANY_MEMBER, kwargs=session),
    "modules:session_edit": Expect(get=ADMIN_ONLY, post=ADMIN_ONLY, kwargs=session),
    "modules:session_ics": Expect(get=ANY_MEMBER, kwargs=session),
    "modules:attendance_register": Expect(
        get=STAFF,
        post=logged_in(403, other_participant=404, faculty=302, administrator=302),
        kwargs=lambda world: {"session_id": _held_session(world).pk},
        data=lambda world: {f"status_{world.personas['participant'].pk}": "present"},
    ),
    "modules:apology_send": Expect(get=PARTICIPANT_ONLY, post=PARTICIPANT_ONLY, kwargs=session),
    "modules:apology_withdraw": Expect(
        post=logged_in(403, other_participant=404, participant=302), kwargs=session
    ),
    "modules:signup_create": Expect(
        post=logged_in(403, other_participant=404, participant=302), kwargs=short_course
    ),
    "modules:signup_cancel": Expect(
        post=logged_in(403, other_participant=404, participant=302), kwargs=short_course
    ),
}


def _programme(world):
    return {"programme_id": world.cohort.programme_id}


# Setting up (administrators of the programme only; everyone else 404).
ROWS.update(
    {
        "modules:programme_copy": Expect(
            get=logged_in(405), post=logged_in(404, administrator=302), kwargs=_programme
        ),
        # A POST without the formset's management form re-shows the page with the error.
        "modules:programme_edit": Expect(
            get=logged_in(404, administrator=200),
            post=logged_in(404, administrator=200),
            kwargs=_programme,
        ),
    }
)
