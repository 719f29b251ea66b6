"""Who gets what from the framework URLs. ``world.cohort``'s programme uses the example
framework; the participant persona has asked a rater for 360 feedback. A participant's pages
are theirs alone (other roles of the cohort 403, outsiders 404); the programme's framework
pages are its administrators'; the rater's page opens by token only, for anyone."""

from frameworks import services
from frameworks.models import RaterGroup
from tests.frameworks.helpers import form_data, use_example
from tests.permission_table import Expect, logged_in, statuses


def _framework(world):
    return world.once(
        "framework",
        lambda: use_example(world.cohort.programme, world.personas["administrator"]),
    )


def _token(world):
    def make():
        _framework(world)
        rater = services.rater_invite(
            cohort=world.cohort,
            participant=world.personas["participant"],
            group=RaterGroup.PEER,
            email="peer@raters.example.net",
        )
        return services.rater_token(rater)

    return world.once("rater_token", make)


def _programme(world):
    _framework(world)
    return {"programme_id": world.cohort.programme_id}


def _cohort(world):
    _framework(world)
    return {"cohort_id": world.cohort.pk}


ADMIN_ONLY = logged_in(404, administrator=200)
PARTICIPANT_ONLY = logged_in(
    404, participant=200, faculty=403, clinical_leader=403, administrator=403
)
CSV = "dimension,statement\nListening,I listen first.\nDeciding,I decide in time.\n"

ROWS = {
    "frameworks:programme_framework": Expect(
        get=ADMIN_ONLY,
        post=logged_in(404, administrator=302),
        kwargs=_programme,
        data=lambda world: {"framework": _framework(world).pk},
    ),
    "frameworks:framework_import": Expect(
        get=ADMIN_ONLY,
        post=logged_in(404, administrator=302),
        kwargs=_programme,
        data=lambda world: {"name": "Our framework", "description": "", "text": CSV},
    ),
    "frameworks:framework_detail": Expect(
        get=ADMIN_ONLY, kwargs=lambda world: {"framework_id": _framework(world).pk}
    ),
    "frameworks:my_learning": Expect(get=PARTICIPANT_ONLY, kwargs=_cohort),
    "frameworks:self_assessment": Expect(
        get=PARTICIPANT_ONLY,
        # The factory's cohort starts in a month: the start window is not open yet, and the
        # page says so.
        post=PARTICIPANT_ONLY,
        kwargs=lambda world: {**_cohort(world), "kind": "start"},
        data=lambda world: form_data(_framework(world), 3),
    ),
    "frameworks:feedback_raters": Expect(
        get=PARTICIPANT_ONLY,
        post=logged_in(404, participant=302, faculty=403, clinical_leader=403, administrator=403),
        kwargs=_cohort,
        data=lambda world: {"group": "manager", "email": "boss@raters.example.net"},
    ),
    "frameworks:feedback_report": Expect(
        get=PARTICIPANT_ONLY, kwargs=lambda world: (_token(world), _cohort(world))[1]
    ),
    "frameworks:cohort_learning": Expect(
        get=logged_in(404, administrator=200, faculty=200, clinical_leader=200, participant=403),
        kwargs=_cohort,
    ),
    "frameworks:rater_form": Expect(
        get=statuses(200),
        post=statuses(302),
        kwargs=lambda world: {"token": _token(world)},
        data=lambda world: form_data(_framework(world), 4),
    ),
    "frameworks:rater_thanks": Expect(get=statuses(200)),
}
