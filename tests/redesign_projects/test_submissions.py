"""Submission versions, lateness against extensions, feedback release, peer review and
downloads."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cohorts.models import Enrolment
from leadership.models import AuditEvent
from redesign_projects import services
from redesign_projects.models import MAX_FEEDBACK_CHARACTERS, Assignment, Feedback, Submission

from .helpers import make_assignment, make_team, participant_in, pdf, submit


@pytest.fixture
def team(cohort, participant):
    return make_team(cohort, lead=participant, members=[participant_in(cohort, profession="nurse")])


@pytest.fixture
def assignment(cohort):
    return make_assignment(cohort, rubric=[("Use of data", ["Not yet", "Developing", "Strong"])])


def test_submitting_makes_numbered_versions_and_keeps_earlier_ones(assignment, team, participant):
    first = submit(assignment, by=participant, team=team, text="One")
    services.feedback_save(
        submission=first,
        comments="More data",
        decision=Feedback.Decision.CHANGES_REQUESTED,
        levels={},
        acting_user=participant,
        release=True,
    )
    second = submit(assignment, by=participant, team=team, text="Two")
    assert (first.version, second.version) == (1, 2)
    first.refresh_from_db()
    assert first.text == "One"
    assert AuditEvent.objects.filter(action="submission.submit").count() == 2


def test_a_draft_is_saved_and_then_becomes_the_version(assignment, team, participant):
    draft = services.submission_save(
        assignment=assignment, team=team, text="Draft", acting_user=participant
    )
    assert draft.is_draft and draft.version is None
    same = services.submission_save(
        assignment=assignment, team=team, text="Final", submit=True, acting_user=participant
    )
    assert same.pk == draft.pk and same.version == 1 and same.text == "Final"


def test_a_submission_needs_text_or_a_file(assignment, team, participant):
    with pytest.raises(ValidationError, match="Add some text or a file"):
        submit(assignment, by=participant, team=team, text="  ")
    assert not Submission.objects.exists()


def test_late_is_judged_against_the_extended_due_date(assignment, team, participant, administrator):
    after_due = assignment.due_at + datetime.timedelta(days=1)
    services.extension_grant(
        assignment=assignment,
        team=team,
        due_at=assignment.due_at + datetime.timedelta(days=2),
        reason="Service pressures",
        acting_user=administrator,
    )
    on_time = submit(assignment, by=participant, team=team, now=after_due)
    assert not on_time.is_late


def test_a_submission_after_the_due_date_is_marked_late(assignment, team, participant):
    late = submit(
        assignment, by=participant, team=team, now=assignment.due_at + datetime.timedelta(minutes=1)
    )
    assert late.is_late


def test_an_extension_must_be_later_than_the_due_date(assignment, team, administrator):
    with pytest.raises(ValidationError):
        services.extension_grant(
            assignment=assignment,
            team=team,
            due_at=assignment.due_at - datetime.timedelta(days=1),
            reason="x",
            acting_user=administrator,
        )


def test_accepted_work_takes_no_more_versions(assignment, team, participant, faculty):
    version = submit(assignment, by=participant, team=team)
    services.feedback_save(
        submission=version,
        comments="Great",
        decision="accepted",
        levels={},
        acting_user=faculty,
        release=True,
    )
    with pytest.raises(ValidationError, match="accepted"):
        submit(assignment, by=participant, team=team)


def test_accepted_work_is_not_offered_a_new_version(client, assignment, team, participant, faculty):
    version = submit(assignment, by=participant, team=team)
    services.feedback_save(
        submission=version,
        comments="Great",
        decision="accepted",
        levels={},
        acting_user=faculty,
        release=True,
    )
    client.force_login(participant)
    edit = reverse("redesign_projects:submission_edit", args=[assignment.pk])
    for page in (
        reverse("redesign_projects:assignment_detail", args=[assignment.pk]),
        reverse("redesign_projects:submission_detail", args=[version.pk]),
    ):
        html = client.get(page).content.decode()
        assert edit not in html, page
        assert "new version" not in html, page
    assert (
        "no further versions are needed"
        in client.get(
            reverse("redesign_projects:assignment_detail", args=[assignment.pk])
        ).content.decode()
    )
    # Typed in or bookmarked, the form is not shown only to refuse what is typed into it.
    response = client.get(edit, follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "redesign_projects:assignment_detail", args=[assignment.pk]
    )
    assert "no further versions can be made" in response.content.decode()


def test_work_with_changes_requested_is_offered_a_new_version(
    client, assignment, team, participant, faculty
):
    version = submit(assignment, by=participant, team=team)
    services.feedback_save(
        submission=version,
        comments="More data",
        decision="changes_requested",
        levels={},
        acting_user=faculty,
        release=True,
    )
    client.force_login(participant)
    edit = reverse("redesign_projects:submission_edit", args=[assignment.pk])
    assert (
        edit
        in client.get(
            reverse("redesign_projects:submission_detail", args=[version.pk])
        ).content.decode()
    )
    assert client.get(edit).status_code == 200


def test_feedback_is_hidden_from_the_team_until_released(
    client, assignment, team, participant, faculty
):
    version = submit(assignment, by=participant, team=team)
    level = assignment.rubric_criteria.get().levels.get(label="Developing")
    services.feedback_save(
        submission=version,
        comments="Say how you will measure it",
        decision="changes_requested",
        levels={level.criterion_id: level},
        acting_user=faculty,
    )
    client.force_login(participant)
    url = reverse("redesign_projects:submission_detail", args=[version.pk])
    assert "Say how you will measure it" not in client.get(url).content.decode()
    team_page = reverse("redesign_projects:team_detail", args=[team.pk])
    assert "Say how you will measure it" not in client.get(team_page).content.decode()
    services.feedback_release_all(assignment=assignment, acting_user=faculty)
    page = client.get(url).content.decode()
    assert "Say how you will measure it" in page and "Use of data: Developing" in page
    assert "Say how you will measure it" in client.get(team_page).content.decode()


def test_release_all_releases_every_draft_of_the_assignment_once(
    client, cohort, assignment, team, participant, faculty
):
    other_team = make_team(cohort, lead=participant_in(cohort), name="Other")
    for unit in (team, other_team):
        version = submit(assignment, by=participant, team=unit)
        services.feedback_save(
            submission=version, comments="ok", decision="accepted", levels={}, acting_user=faculty
        )
    client.force_login(faculty)
    url = reverse("redesign_projects:feedback_release_all", args=[assignment.pk])
    client.post(url)
    assert Feedback.objects.filter(released_at__isnull=True).count() == 0
    client.post(url)
    assert AuditEvent.objects.filter(action="feedback.release_all").count() == 1


def test_faculty_request_changes_through_the_form(client, assignment, team, participant, faculty):
    version = submit(assignment, by=participant, team=team)
    client.force_login(faculty)
    criterion = assignment.rubric_criteria.get()
    response = client.post(
        reverse("redesign_projects:feedback_edit", args=[version.pk]),
        {
            "comments": "Add a measure",
            "decision": "changes_requested",
            f"criterion_{criterion.pk}": criterion.levels.first().pk,
            "release": "1",
        },
    )
    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert feedback.is_released and feedback.scores.get().level.label == "Not yet"


def test_feedback_needs_comments_and_a_decision(client, assignment, team, participant, faculty):
    version = submit(assignment, by=participant, team=team)
    client.force_login(faculty)
    response = client.post(reverse("redesign_projects:feedback_edit", args=[version.pk]), {})
    assert set(response.context["form"].errors) == {"comments", "decision"}
    assert not Feedback.objects.exists()


def test_feedback_longer_than_its_cap_is_refused_by_the_field_and_by_the_service(
    client, assignment, team, participant, faculty
):
    version = submit(assignment, by=participant, team=team)
    too_long = "x" * (MAX_FEEDBACK_CHARACTERS + 1)
    client.force_login(faculty)
    response = client.post(
        reverse("redesign_projects:feedback_edit", args=[version.pk]),
        {"comments": too_long, "decision": "accepted"},
    )
    assert "at most 20000 characters" in response.context["form"].errors["comments"][0]
    with pytest.raises(ValidationError), transaction.atomic():
        services.feedback_save(
            submission=version,
            comments=too_long,
            decision="accepted",
            levels={},
            acting_user=faculty,
        )
    assert not Feedback.objects.exists()


# --- access ----------------------------------------------------------------------------------


@pytest.fixture
def stranger(cohort):
    """A participant of the same cohort in another team."""
    person = participant_in(cohort, "stranger@example.org")
    make_team(cohort, lead=person, name="Stranger's team")
    return person


def test_another_team_cannot_see_work_without_peer_review(
    client, assignment, team, participant, stranger
):
    version = submit(assignment, by=participant, team=team, files=[pdf()])
    client.force_login(stranger)
    for url in (
        reverse("redesign_projects:team_detail", args=[team.pk]),
        reverse("redesign_projects:submission_detail", args=[version.pk]),
        reverse("redesign_projects:file_download", args=[version.files.get().pk]),
    ):
        response = client.get(url)
        assert response.status_code == 404
        assert b"%PDF" not in b"".join(getattr(response, "streaming_content", [response.content]))


def test_with_peer_review_another_team_reads_and_comments_but_cannot_edit(
    client, cohort, assignment, team, participant, stranger
):
    cohort.peer_review_enabled = True
    cohort.save()
    version = submit(assignment, by=participant, team=team)
    draft = services.submission_save(
        assignment=make_assignment(cohort, title="Second"),
        team=team,
        text="wip",
        acting_user=participant,
    )
    client.force_login(stranger)
    assert client.get(reverse("redesign_projects:team_detail", args=[team.pk])).status_code == 200
    detail = reverse("redesign_projects:submission_detail", args=[version.pk])
    assert client.get(detail).status_code == 200
    assert (
        client.get(reverse("redesign_projects:submission_detail", args=[draft.pk])).status_code
        == 404
    )
    response = client.post(
        reverse("redesign_projects:peer_comment_create", args=[version.pk]), {"body": "Nice chart"}
    )
    assert response.status_code == 302
    assert version.peer_comments.get().author == stranger
    # Submitting goes to their own team, never to the one they are reading.
    client.post(
        reverse("redesign_projects:submission_edit", args=[assignment.pk]),
        {"text": "mine", "submit": "1"},
    )
    assert Submission.objects.filter(team=team).count() == 2


def test_faculty_of_the_cohort_see_submitted_work_but_not_drafts(
    client, assignment, team, participant, faculty
):
    draft = services.submission_save(
        assignment=assignment, team=team, text="wip", acting_user=participant
    )
    client.force_login(faculty)
    assert (
        client.get(reverse("redesign_projects:submission_detail", args=[draft.pk])).status_code
        == 404
    )


def test_faculty_of_another_cohort_get_404(client, other_cohort, assignment, team, participant):
    from tests.factories import EnrolmentFactory, UserFactory

    outsider = UserFactory()
    EnrolmentFactory(cohort=other_cohort, person=outsider, role=Enrolment.Role.FACULTY)
    version = submit(assignment, by=participant, team=team)
    client.force_login(outsider)
    assert (
        client.get(reverse("redesign_projects:submission_detail", args=[version.pk])).status_code
        == 404
    )
    assert (
        client.get(
            reverse("redesign_projects:assignment_overview", args=[assignment.cohort_id])
        ).status_code
        == 404
    )


def test_clinical_leaders_read_but_cannot_give_feedback(
    client, assignment, team, participant, clinical_leader
):
    version = submit(assignment, by=participant, team=team)
    client.force_login(clinical_leader)
    assert (
        client.get(reverse("redesign_projects:submission_detail", args=[version.pk])).status_code
        == 200
    )
    assert (
        client.get(reverse("redesign_projects:feedback_edit", args=[version.pk])).status_code == 403
    )


def test_a_former_member_still_reads_the_versions_they_were_part_of(
    client, cohort, assignment, participant
):
    nurse = participant_in(cohort, profession="nurse")
    red = make_team(cohort, lead=participant, members=[nurse], name="Red")
    version = submit(assignment, by=participant, team=red)
    blue = make_team(cohort, lead=participant_in(cohort), name="Blue")
    services.team_update(team=red, members=[participant], acting_user=None)
    services.team_update(team=blue, members=[nurse], acting_user=None)
    client.force_login(nurse)
    assert (
        client.get(reverse("redesign_projects:submission_detail", args=[version.pk])).status_code
        == 200
    )


# --- downloads -------------------------------------------------------------------------------


def test_a_file_gone_from_storage_answers_404_not_an_error(client, assignment, team, participant):
    version = submit(assignment, by=participant, team=team, files=[pdf("plan.pdf")])
    stored = version.files.get()
    stored.file.storage.delete(stored.file.name)
    client.force_login(participant)
    response = client.get(reverse("redesign_projects:file_download", args=[stored.pk]))
    assert response.status_code == 404


def test_a_download_keeps_the_original_name_safely_quoted(client, assignment, team, participant):
    version = submit(
        assignment, by=participant, team=team, files=[pdf('Tāmaki "plan"\r\nX-Evil: 1.pdf')]
    )
    stored = version.files.get()
    assert "Tāmaki" not in stored.file.name and not stored.file.name.endswith(".pdf")
    client.force_login(participant)
    response = client.get(reverse("redesign_projects:file_download", args=[stored.pk]))
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''" in disposition
    assert "\r" not in disposition and "\n" not in disposition
    assert "X-Evil" not in response.headers
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["Content-Type"] == "application/pdf"


def test_stored_files_are_private_and_reachable_by_no_public_url(
    client, settings, assignment, team, participant
):
    from leadership.storage import private_storage

    version = submit(assignment, by=participant, team=team, files=[pdf()])
    name = version.files.get().file.name
    assert version.files.get().file.storage is private_storage
    assert private_storage.location == str(settings.PRIVATE_MEDIA_ROOT)
    assert not private_storage.location.startswith(str(settings.STATIC_ROOT))
    client.force_login(participant)
    for url in (f"/{name}", f"{settings.MEDIA_URL}{name}", f"{settings.STATIC_URL}{name}"):
        assert client.get(url.replace("//", "/")).status_code == 404


def test_individual_assignments_are_submitted_by_each_person(cohort, participant):
    assignment = make_assignment(cohort, kind=Assignment.Kind.INDIVIDUAL)
    version = submit(assignment, by=participant, owner=participant)
    assert version.owner == participant and list(version.members.all()) == [participant]
    assert timezone.now() >= version.submitted_at
