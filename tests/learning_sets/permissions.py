"""Who gets what from the learning-set URLs. In ``world.cohort`` the faculty persona
facilitates a set whose members include the participant persona (with a meeting and an
action of theirs), is also the cohort's coach (code signed) coaching the participant, and
observes a trimester's challenge with the participant's outcome. Outsiders get 404;
members in another role 403."""

from django.utils import timezone

from learning_sets import services
from tests.learning_sets.helpers import challenge, coaching, enrol, learning_set
from tests.permission_table import Expect, logged_in


def _extra(world, key, count):
    return world.once(key, lambda: [enrol(world.cohort) for _ in range(count)])


def _set(world):
    def make():
        participant, faculty = world.personas["participant"], world.personas["faculty"]
        made = learning_set(world.cohort, faculty, [participant, *_extra(world, "ls_set_extra", 3)])
        services.learning_set_meeting_record(
            learning_set=made,
            met_on=timezone.localdate(),
            attendees=[participant],
            notes="Talked about handovers.",
            acting_user=faculty,
        )
        services.learning_set_action_create(
            learning_set=made,
            owner=participant,
            text="Ask the ward manager for the rota data.",
            due_on=None,
            acting_user=faculty,
        )
        return made

    return world.once("ls_learning_set", make)


def _action(world):
    return _set(world).actions.get()


def _challenge(world):
    def make():
        made = challenge(world.cohort)
        services.challenge_outcome_record(
            challenge=made,
            participant=world.personas["participant"],
            levels=[2, 3],
            observation="Calm and clear.",
            acting_user=world.personas["faculty"],
        )
        return made

    return world.once("ls_challenge", make)


def _assignment(world):
    def make():
        made = coaching(world.cohort, world.personas["faculty"], world.personas["participant"])
        services.coaching_session_log(
            assignment=made,
            held_on=timezone.localdate(),
            duration_minutes=60,
            private_note="Worked on delegation.",
            acting_user=world.personas["faculty"],
        )
        return made

    return world.once("ls_assignment", make)


def _cohort(world):
    return {"cohort_id": world.cohort.pk}


def _today():
    return timezone.localdate().isoformat()


ADMIN_ONLY = logged_in(404, administrator=200, participant=403, faculty=403, clinical_leader=403)
ADMIN_POST = {**ADMIN_ONLY, "administrator": 302}
# The set's members (participant), its facilitator (faculty) and administrators.
SET_READERS = logged_in(404, participant=200, faculty=200, administrator=200, clinical_leader=403)
RECORDERS = logged_in(404, faculty=200, administrator=200, participant=403, clinical_leader=403)
RECORDERS_POST = {**RECORDERS, "faculty": 302, "administrator": 302}
COACH_ONLY = logged_in(404, faculty=200, participant=403, administrator=403, clinical_leader=403)

ROWS = {
    "learning_sets:my_learning": Expect(get=logged_in(200)),
    "learning_sets:set_list": Expect(get=ADMIN_ONLY, kwargs=_cohort),
    "learning_sets:set_create": Expect(
        get=ADMIN_ONLY,
        post=ADMIN_POST,
        kwargs=_cohort,
        data=lambda world: {
            "name": "Set B",
            "facilitator": world.personas["faculty"].pk,
            "members": [p.pk for p in _extra(world, "ls_free", 4)],
        },
    ),
    "learning_sets:set_detail": Expect(
        get=SET_READERS, kwargs=lambda world: {"set_id": _set(world).pk}
    ),
    "learning_sets:meeting_create": Expect(
        get=RECORDERS,
        post=RECORDERS_POST,
        kwargs=lambda world: {"set_id": _set(world).pk},
        data=lambda world: {
            "met_on": "2020-01-01",
            "attendees": [world.personas["participant"].pk],
            "notes": "Second meeting.",
        },
    ),
    "learning_sets:action_create": Expect(
        get=RECORDERS,
        post=RECORDERS_POST,
        kwargs=lambda world: {"set_id": _set(world).pk},
        data=lambda world: {
            "owner": world.personas["participant"].pk,
            "text": "Map the discharge process.",
            "due_on": _today(),
        },
    ),
    "learning_sets:action_mark": Expect(
        post=logged_in(404, participant=302, faculty=302, administrator=302, clinical_leader=403),
        kwargs=lambda world: {"action_id": _action(world).pk},
        data=lambda world: {"done": "1"},
    ),
    "learning_sets:challenge_list": Expect(get=ADMIN_ONLY, kwargs=_cohort),
    "learning_sets:challenge_create": Expect(
        get=ADMIN_ONLY,
        post=ADMIN_POST,
        kwargs=_cohort,
        data=lambda world: {
            "trimester": "2",
            "title": "Leading through change",
            "held_on": _today(),
            "brief": "Present a change to a sceptical team.",
            "rubric_text": "Listens: Not yet | Developing | Strong",
        },
    ),
    "learning_sets:challenge_detail": Expect(
        get=SET_READERS, kwargs=lambda world: {"challenge_id": _challenge(world).pk}
    ),
    "learning_sets:challenge_debrief": Expect(
        get=RECORDERS,
        post=RECORDERS_POST,
        kwargs=lambda world: {"challenge_id": _challenge(world).pk},
        data=lambda world: {"debrief": "Most found the silence hardest."},
    ),
    "learning_sets:outcome_record": Expect(
        get=RECORDERS,
        post=RECORDERS_POST,
        kwargs=lambda world: {
            "challenge_id": _challenge(world).pk,
            "person_id": world.personas["participant"].pk,
        },
        data=lambda world: {"criterion_0": "3", "criterion_1": "2", "observation": "Better."},
    ),
    "learning_sets:ethics_agree": Expect(
        get=logged_in(403, faculty=200),
        post=logged_in(403, faculty=302),
        kwargs=lambda world: _assignment(world) and {},
        data=lambda world: {"signed_name": "Margaret", "agree": "on"},
    ),
    "learning_sets:coaching_overview": Expect(
        get=ADMIN_ONLY,
        post=ADMIN_POST,
        kwargs=lambda world: _assignment(world) and _cohort(world),
        data=lambda world: {
            "coach": world.personas["faculty"].pk,
            "coachee": _extra(world, "ls_coachee", 1)[0].pk,
        },
    ),
    "learning_sets:coaching_session_create": Expect(
        get=COACH_ONLY,
        post={**COACH_ONLY, "faculty": 302},
        kwargs=lambda world: {"assignment_id": _assignment(world).pk},
        data=lambda world: {
            "held_on": _today(),
            "duration_minutes": "45",
            "private_note": "Goals for next month.",
        },
    ),
}
