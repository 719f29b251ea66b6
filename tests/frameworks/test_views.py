"""The pages: a participant's self-assessment and 360, the rater's link, the cohort's summary
and a programme's framework — and that nothing outside the selectors reads an answer."""

import datetime
import json
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from frameworks.models import Framework, RaterGroup, SelfAssessment
from governance.privacy import subject_access_data
from tests.frameworks.helpers import (
    START,
    answers,
    assess,
    example,
    form_data,
    invite,
    use_example,
)
from tests.pairings.helpers import enrol

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def running(cohort, administrator):
    cohort.starts_on = TODAY - datetime.timedelta(days=7)
    cohort.save()
    use_example(cohort.programme, administrator)
    return cohort


def test_a_participant_assesses_themselves_and_sees_their_profile(client, running, participant):
    client.force_login(participant)
    url = reverse("frameworks:self_assessment", args=[running.pk, "start"])
    page = client.get(url).content.decode()
    # One fieldset a statement, its legend the statement: 15 in the example.
    assert page.count("<fieldset") == 15
    assert page.count("<legend") == 15
    response = client.post(url, form_data(example(), 3))
    assert response.status_code == 302
    page = client.get(reverse("frameworks:my_learning", args=[running.pk])).content.decode()
    assert "<svg" in page and "<table" in page
    assert "3.0" in page


def test_a_self_assessment_missing_a_rating_saves_nothing_and_says_which(
    client, running, participant
):
    client.force_login(participant)
    data = form_data(example(), 3)
    data.pop(next(iter(data)))
    response = client.post(reverse("frameworks:self_assessment", args=[running.pk, "start"]), data)
    assert response.status_code == 200
    assert "Choose a rating for" in response.content.decode()
    assert not SelfAssessment.objects.exists()


def test_the_report_page_shows_nothing_until_a_group_has_three_answers(
    client, running, participant
):
    answers(running, participant, RaterGroup.PEER, [5, 5])
    client.force_login(participant)
    url = reverse("frameworks:feedback_report", args=[running.pk])
    page = client.get(url).content.decode()
    assert "appears when at least 3" in page
    assert "5.0" not in page and "<svg" not in page
    answers(running, participant, RaterGroup.PEER, [5])
    page = client.get(url).content.decode()
    assert "5.0" in page and "<svg" in page


def test_a_rater_link_replayed_gives_a_clear_page(client, running, participant):
    _rater, token = invite(running, participant)
    url = reverse("frameworks:rater_form", args=[token])
    assert client.post(url, form_data(example(), 4)).status_code == 302
    again = client.get(url)
    assert again.status_code == 410
    assert "You have already answered" in again.content.decode()
    wrong = client.get(reverse("frameworks:rater_form", args=["0" * 64]))
    assert wrong.status_code == 404
    assert "This link does not work" in wrong.content.decode()


def test_administrators_see_response_counts_and_never_answers_or_addresses(
    client, running, participant, administrator
):
    answers(running, participant, RaterGroup.PEER, [2, 2, 2])
    invite(running, participant, RaterGroup.MANAGER, email="boss@raters.example.net")
    client.force_login(administrator)
    page = client.get(reverse("frameworks:cohort_learning", args=[running.pk])).content.decode()
    assert "3 of 4 raters answered (75 %)" in page
    assert "raters.example.net" not in page
    assert "2.0" not in page
    # Their export on the participant's behalf says what is held, not what was answered.
    data = subject_access_data(participant, {running.pk})
    dumped = json.dumps(data.sections)
    assert data.sections["feedback_360"][0]["raters_answered"] == 3
    assert "report" not in data.sections["feedback_360"][0]
    assert "raters.example.net" not in dumped


def test_a_persons_own_export_holds_their_answers_and_their_report(running, participant):
    assess(running, participant, START, 3)
    answers(running, participant, RaterGroup.PEER, [4, 4, 4])
    sections = subject_access_data(participant, None).sections
    assert sections["self_assessments"][0]["ratings"][0]["rating"] == 3
    assert sections["feedback_360"][0]["report"][1]["group"] == "Peer"


def test_an_imported_framework_with_bad_rows_lists_them(client, programme, administrator):
    client.force_login(administrator)
    response = client.post(
        reverse("frameworks:framework_import", args=[programme.pk]),
        {"name": "Ours", "text": "dimension,statement\nA,\n,B\n"},
    )
    page = response.content.decode()
    assert "Row 2: the statement is empty." in page
    assert "Row 3: the dimension is empty." in page
    assert not Framework.objects.filter(name="Ours").exists()


def test_the_programme_page_leads_to_its_framework(client, programme, administrator):
    client.force_login(administrator)
    page = client.get(reverse("cohorts:programme_detail", args=[programme.pk])).content.decode()
    assert reverse("frameworks:programme_framework", args=[programme.pk]) in page


# Individual answers are read in one place ----------------------------------------------------

ANSWER_MODELS = re.compile(r"\b(FeedbackRating|FeedbackResponse|SelfRating)\b")
# Where answers may be named: their models, the services that write them, the selectors that
# aggregate them (the thresholds live there) and the person's own subject access export.
ALLOWED = {"frameworks/models.py", "frameworks/services.py", "frameworks/selectors.py"}
ALLOWED |= {"frameworks/privacy.py"}
APPS = ("leadership", "cohorts", "modules", "redesign_projects", "pairings", "measures")
APPS += ("frameworks", "reports", "home", "governance", "demo", "api")


def test_no_page_export_api_or_pdf_code_reads_answers_but_the_selectors():
    readers = {
        path.relative_to(ROOT).as_posix()
        for app in APPS
        if (ROOT / app).exists()
        for path in (ROOT / app).rglob("*.py")
        if "/migrations/" not in path.as_posix() and ANSWER_MODELS.search(path.read_text())
    }
    assert readers <= ALLOWED, sorted(readers - ALLOWED)


def test_an_administrators_export_holds_no_self_assessment_answers(running, participant):
    assess(running, participant, START, 3)
    data = subject_access_data(participant, {running.pk})
    assert data.sections["self_assessments"][0]["ratings"] == "only in your own export"


@pytest.mark.parametrize("people", [1, 4])
def test_the_cohort_learning_page_costs_the_same_whatever_the_size(
    client, running, administrator, people, django_assert_num_queries
):
    for _ in range(people):
        person = enrol(running)
        assess(running, person, START, 3)
        invite(running, person)
    client.force_login(administrator)
    # the session with its person; the cohort with the viewer's roles (in it, and everywhere for the
    # menu); the summary (framework, its dimensions and statements, participants, dimension means,
    # 360 counts); the response rates.
    with django_assert_num_queries(9):
        response = client.get(reverse("frameworks:cohort_learning", args=[running.pk]))
    assert len(response.context["rates"]) == people
