"""Issue 19: nothing capped the files or text of a submission version, or a PDSA cycle's text
(67 files in one draft; 1 MB of text accepted). Each cap is stated in the form, refused next to
its field, and a refused save keeps nothing — no row, no file."""

import datetime
import os

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from measures import services as measure_services
from measures.charting import MAX_PDSA_TEXT_CHARACTERS
from measures.models import PdsaCycle
from redesign_projects import services
from redesign_projects.models import Assignment, Submission, SubmissionFile
from tests.redesign_projects.helpers import checked, make_assignment, make_team, pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def essay(cohort):
    return make_assignment(cohort, kind=Assignment.Kind.INDIVIDUAL)


def _stored_files() -> set[str]:
    root = settings.PRIVATE_MEDIA_ROOT
    return {os.path.join(d, f) for d, _dirs, files in os.walk(root) for f in files}


def _draft_with_full_files(essay, participant) -> Submission:
    uploads = [checked(pdf(f"part-{n}.pdf"), essay) for n in range(services.MAX_FILES_PER_VERSION)]
    return services.submission_save(
        assignment=essay, owner=participant, text="Draft", uploads=uploads, acting_user=participant
    )


def test_the_submission_form_states_its_caps(client, essay, participant):
    client.force_login(participant)
    page = client.get(reverse("redesign_projects:submission_edit", args=[essay.pk]))
    html = page.content.decode()
    assert "and 20 files in a version." in html
    assert "At most 30,000 characters; attach longer writing as a file." in html
    assert 'maxlength="30000"' in html


def test_a_file_beyond_the_versions_cap_is_refused_next_to_the_field_and_nothing_kept(
    client, essay, participant
):
    draft = _draft_with_full_files(essay, participant)
    before = _stored_files()
    client.force_login(participant)
    response = client.post(
        reverse("redesign_projects:submission_edit", args=[essay.pk]),
        {"text": "Changed text", "files": [pdf("one-more.pdf")]},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["files"] == [
        "A version holds at most 20 files; this draft has 20 already. Combine some into one "
        "document, or remove some from the draft."
    ]
    draft.refresh_from_db()
    assert draft.text == "Draft"  # nothing half-saved: not the text either
    assert SubmissionFile.objects.filter(submission=draft).count() == 20
    assert _stored_files() == before


def test_too_many_files_at_once_are_refused_by_the_form(client, essay, participant):
    client.force_login(participant)
    response = client.post(
        reverse("redesign_projects:submission_edit", args=[essay.pk]),
        {"text": "", "files": [pdf(f"p{n}.pdf") for n in range(21)]},
    )
    assert response.context["form"].errors["files"] == [
        "A version holds at most 20 files: choose fewer."
    ]
    assert not Submission.objects.exists()


def test_text_beyond_the_cap_is_refused_next_to_the_field(client, essay, participant):
    client.force_login(participant)
    response = client.post(
        reverse("redesign_projects:submission_edit", args=[essay.pk]),
        {"text": "x" * 1_000_000, "submit": "1"},
    )
    assert response.status_code == 200
    assert "text" in response.context["form"].errors
    assert not Submission.objects.exists()
    # The service holds the same line for any other caller.
    with pytest.raises(ValidationError) as refused:
        services.submission_save(
            assignment=essay, owner=participant, text="x" * 30_001, acting_user=participant
        )
    assert list(refused.value.message_dict) == ["text"]
    assert not Submission.objects.exists()


@pytest.mark.parametrize("field", ["plan", "prediction", "do", "study", "act"])
def test_a_pdsa_cycles_texts_are_capped_next_to_each_field(client, cohort, participant, field):
    team = make_team(cohort, lead=participant)
    client.force_login(participant)
    url = reverse("measures:pdsa_create", args=[team.pk])
    assert f"At most {MAX_PDSA_TEXT_CHARACTERS:,} characters." in client.get(url).content.decode()
    response = client.post(
        url,
        {"change_idea": "Board round", "started_on": "2024-06-01",
         field: "y" * (MAX_PDSA_TEXT_CHARACTERS + 1)},
    )  # fmt: skip
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert not PdsaCycle.objects.exists()
    with pytest.raises(ValidationError) as refused:
        measure_services.pdsa_cycle_create(
            team=team, change_idea="Board round", started_on=datetime.date(2024, 6, 1),
            acting_user=participant, **{field: "y" * (MAX_PDSA_TEXT_CHARACTERS + 1)},
        )  # fmt: skip
    assert list(refused.value.message_dict) == [field]
    assert not PdsaCycle.objects.exists()


def test_an_edit_of_a_pdsa_cycle_is_capped_too(cohort, participant):
    team = make_team(cohort, lead=participant)
    cycle = measure_services.pdsa_cycle_create(
        team=team, change_idea="Board round", started_on=datetime.date(2024, 6, 1),
        acting_user=participant,
    )  # fmt: skip
    with pytest.raises(ValidationError):
        measure_services.pdsa_cycle_update(
            cycle=cycle, acting_user=participant, study="z" * (MAX_PDSA_TEXT_CHARACTERS + 1)
        )
    cycle.refresh_from_db()
    assert cycle.study == ""
