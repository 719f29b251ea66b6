"""Issue 19: with peer review on, participants read other teams' released faculty comments and
other people's individual submissions and files. What peers see is now each cohort's explicit
setting — by default team submissions only, without faculty feedback, without individual work
— set by its administrators and stated to its participants."""

import pytest
from django.urls import reverse

from leadership.models import AuditEvent
from redesign_projects import services
from redesign_projects.models import Assignment, Feedback
from tests.redesign_projects.helpers import make_assignment, make_team, participant_in, pdf, submit

pytestmark = pytest.mark.django_db

COMMENTS = "Strong aim; the balancing measure is missing."


@pytest.fixture
def world(cohort, participant, faculty):
    """Two teams with peer review on: the participant's team submitted work on which faculty
    released feedback, and the participant submitted an individual essay with a file; a
    participant of the other team reads."""
    cohort.peer_review_enabled = True
    cohort.save()
    team = make_team(cohort, lead=participant, name="Flow team")
    peer = participant_in(cohort, "peer@example.org", profession="nurse")
    make_team(cohort, lead=peer, name="Falls team")
    team_work = submit(make_assignment(cohort), by=participant, team=team)
    services.feedback_save(
        submission=team_work, comments=COMMENTS, decision=Feedback.Decision.ACCEPTED, levels={},
        acting_user=faculty, release=True,
    )  # fmt: skip
    essay = submit(
        make_assignment(cohort, title="Reflective essay", kind=Assignment.Kind.INDIVIDUAL),
        by=participant, owner=participant, text="My own reflection", files=[pdf("essay.pdf")],
    )  # fmt: skip
    return {"cohort": cohort, "team": team, "peer": peer, "team_work": team_work, "essay": essay}


def _as_peer(client, world):
    client.force_login(world["peer"])
    return client


def _page(client, name, *args) -> str:
    response = client.get(reverse(f"redesign_projects:{name}", args=args))
    assert response.status_code == 200
    return response.content.decode()


def test_by_default_peers_read_team_work_without_its_feedback(client, world):
    _as_peer(client, world)
    version = _page(client, "submission_detail", world["team_work"].pk)
    assert "Our plan" in version and COMMENTS not in version
    team = _page(client, "team_detail", world["team"].pk)
    assert COMMENTS not in team and "Accepted" not in team


def test_by_default_peers_cannot_read_other_peoples_individual_work_or_files(client, world):
    _as_peer(client, world)
    essay = world["essay"]
    assert (
        client.get(reverse("redesign_projects:submission_detail", args=[essay.pk])).status_code
        == 404
    )
    download = reverse("redesign_projects:file_download", args=[essay.files.get().pk])
    assert client.get(download).status_code == 404
    comment = reverse("redesign_projects:peer_comment_create", args=[essay.pk])
    assert client.post(comment, {"body": "Nice"}).status_code == 404


def test_participants_are_told_what_peers_can_read(client, world, participant):
    notice = (
        "Peer review is on in Cohort 3: its participants can read and comment on every team's "
        "submitted versions, without faculty feedback. Individual work is not shared. Drafts "
        "never are."
    )
    for person, page in (
        (participant, ("team_detail", world["team"].pk)),
        (world["peer"], ("team_detail", world["team"].pk)),
        (participant, ("assignment_detail", world["essay"].assignment_id)),
    ):
        client.force_login(person)
        assert notice in " ".join(_page(client, *page).split())


def test_a_cohort_may_share_released_feedback_and_individual_work(client, world, administrator):
    client.force_login(administrator)
    cohort = world["cohort"]
    response = client.post(
        reverse("cohorts:cohort_edit", args=[cohort.pk]),
        {"version": cohort.version, "name": cohort.name, "capacity": cohort.capacity,
         "venue_name": "", "venue_address": "", "peer_review_enabled": "on",
         "peer_review_shows_feedback": "on", "peer_review_shows_individual_work": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    changes = AuditEvent.objects.get(action="cohort.update").changes
    assert changes["peer_review_shows_feedback"] == ["False", "True"]
    assert changes["peer_review_shows_individual_work"] == ["False", "True"]

    _as_peer(client, world)
    assert COMMENTS in _page(client, "submission_detail", world["team_work"].pk)
    assert "My own reflection" in _page(client, "submission_detail", world["essay"].pk)
    download = reverse("redesign_projects:file_download", args=[world["essay"].files.get().pk])
    assert client.get(download).status_code == 200
    notice = " ".join(_page(client, "team_detail", world["team"].pk).split())
    assert "and everyone's submitted individual work, files included, with the faculty " in notice


def test_the_team_itself_and_staff_still_see_their_feedback(client, world, participant, faculty):
    for person in (participant, faculty):
        client.force_login(person)
        assert COMMENTS in _page(client, "submission_detail", world["team_work"].pk)
        assert COMMENTS in _page(client, "team_detail", world["team"].pk)
