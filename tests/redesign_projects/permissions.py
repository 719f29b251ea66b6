"""What each persona gets from each redesign_projects URL.

The world: ``participant`` is a member of "Flow team" in ``cohort`` (peer review off), which
has a team assignment with a submitted version, a PDF and draft feedback. ``other_participant``
is in another cohort and must get 404 everywhere."""

from django.utils import timezone

from tests.permission_table import Expect, logged_in

from .helpers import make_assignment, make_team, participant_in, pdf, submit


def _team(world):
    return world.once(
        "team",
        lambda: make_team(world.cohort, lead=world.personas["participant"], name="Flow team"),
    )


def _assignment(world):
    return world.once("assignment", lambda: make_assignment(world.cohort))


def _submission(world):
    def make():
        return submit(
            _assignment(world), by=world.personas["participant"], team=_team(world), files=[pdf()]
        )

    return world.once("submission", make)


def _feedback(world):
    from redesign_projects import services

    return world.once(
        "feedback",
        lambda: services.feedback_save(
            submission=_submission(world),
            comments="Good start.",
            decision="changes_requested",
            levels={},
            acting_user=world.personas["faculty"],
        ),
    )


def _spare_clinician(world):
    return world.once(
        "spare", lambda: participant_in(world.cohort, "spare@example.org", profession="nurse")
    )


def _assignment_of_a_team(world) -> dict:
    """The participant submits for their team, so the team must exist first."""
    _team(world)
    return {"assignment_id": _assignment(world).pk}


def _review(world):
    """The participant persona reviews another team's work (made directly: the cohort of
    this world has peer review off, which allocation would refuse)."""

    def make():
        from redesign_projects.models import PeerReview

        other = make_team(world.cohort, lead=_spare_clinician(world), name="Other team")
        work = submit(_assignment(world), by=_spare_clinician(world), team=other)
        return PeerReview.objects.create(
            submission=work,
            reviewer=world.personas["participant"],
            number=1,
            due_on=timezone.localdate(),
        )

    return world.once("review", make)


COHORT = {"kwargs": lambda world: {"cohort_id": world.cohort.pk}}
TEAM = {"kwargs": lambda world: {"team_id": _team(world).pk}}
ASSIGNMENT = {"kwargs": lambda world: {"assignment_id": _assignment(world).pk}}
SUBMISSION = {"kwargs": lambda world: {"submission_id": _submission(world).pk}}
# Members of the cohort in the wrong role get 403; other cohorts 404.
ADMIN_ONLY = logged_in(403, other_participant=404, administrator=200)
ADMIN_REDIRECT = logged_in(403, other_participant=404, administrator=302)
FEEDBACK_GIVERS_REDIRECT = logged_in(403, other_participant=404, faculty=302, administrator=302)

ROWS = {
    # A participant without a team is sent to their cohort's team list; others have no team.
    "redesign_projects:team_mine": Expect(
        get=logged_in(404, participant=302, other_participant=302)
    ),
    "redesign_projects:team_list": Expect(get=logged_in(200, other_participant=404), **COHORT),
    "redesign_projects:team_create": Expect(
        get=ADMIN_ONLY,
        post=ADMIN_REDIRECT,
        data=lambda world: {
            "name": "Discharge team",
            "focus_kind": "work_process",
            "clinical_lead": _spare_clinician(world).pk,
        },
        **COHORT,
    ),
    "redesign_projects:team_formation": Expect(get=ADMIN_ONLY, post=ADMIN_ONLY, **COHORT),
    "redesign_projects:assignment_overview": Expect(
        get=logged_in(200, participant=403, other_participant=404), **COHORT
    ),
    "redesign_projects:assignment_create": Expect(get=ADMIN_ONLY, post=ADMIN_ONLY, **COHORT),
    "redesign_projects:team_detail": Expect(get=logged_in(200, other_participant=404), **TEAM),
    "redesign_projects:team_update": Expect(get=ADMIN_ONLY, post=ADMIN_ONLY, **TEAM),
    "redesign_projects:assignment_detail": Expect(
        get=logged_in(200, other_participant=404), **ASSIGNMENT
    ),
    "redesign_projects:assignment_update": Expect(get=ADMIN_ONLY, post=ADMIN_ONLY, **ASSIGNMENT),
    "redesign_projects:extension_create": Expect(get=ADMIN_ONLY, post=ADMIN_ONLY, **ASSIGNMENT),
    "redesign_projects:submission_edit": Expect(
        get=logged_in(403, participant=200, other_participant=404),
        post=logged_in(403, participant=302, other_participant=404),
        data=lambda world: {"text": "A draft", "save": "1"},
        # The participant submits for their team, so the team must exist.
        kwargs=_assignment_of_a_team,
    ),
    "redesign_projects:feedback_release_all": Expect(post=FEEDBACK_GIVERS_REDIRECT, **ASSIGNMENT),
    "redesign_projects:submission_detail": Expect(
        get=logged_in(200, other_participant=404), **SUBMISSION
    ),
    "redesign_projects:feedback_edit": Expect(
        get=logged_in(403, other_participant=404, faculty=200, administrator=200), **SUBMISSION
    ),
    "redesign_projects:peer_comment_create": Expect(
        post=logged_in(403, other_participant=404),
        data=lambda world: {"body": "Nice"},
        **SUBMISSION,
    ),
    "redesign_projects:feedback_release": Expect(
        post=FEEDBACK_GIVERS_REDIRECT, kwargs=lambda world: {"feedback_id": _feedback(world).pk}
    ),
    "redesign_projects:file_download": Expect(
        get=logged_in(200, other_participant=404),
        kwargs=lambda world: {"file_id": _submission(world).files.get().pk},
    ),
    "redesign_projects:peer_review_allocation": Expect(
        get=ADMIN_ONLY,
        # An empty form: the administrator gets the page back with its errors.
        post={**ADMIN_ONLY, "administrator": 400},
        **ASSIGNMENT,
    ),
    "redesign_projects:peer_review_round_robin": Expect(
        post={**ADMIN_ONLY, "administrator": 400}, **ASSIGNMENT
    ),
    "redesign_projects:peer_review_detail": Expect(
        get=logged_in(404, participant=200, administrator=200),
        # An empty review: the reviewer sees the errors; the office reads, never writes.
        post=logged_in(404, participant=400, administrator=403),
        kwargs=lambda world: {"review_id": _review(world).pk},
    ),
}
