"""Issue 19 in a real browser: hostile markup in a measure's unit, and what htmx does with
markup that should never have reached a page.

* The attack as it happened: a participant sets their measure's unit to htmx markup that posts
  the surrounding form on load (releasing a faculty draft, as the administrator who opens the
  data-point page), or to a ``<meta>`` refresh that leads the reader off-site. The unit is
  shown as text, so neither acts.
* Defence in depth: the page is altered on its way to the browser to carry raw markup, as if
  some template had forgotten to escape, together with a ``<meta name="htmx-config">`` that
  tries to turn htmx's safeguards off. htmx keeps the page's own configuration (the first
  one), sends no request for elements we did not write (they lack the viewer's mark), runs no
  ``hx-on`` code, and still loads the cohort page's cards, which we did write.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from measures import services as measure_services
from redesign_projects import services
from redesign_projects.models import Feedback
from tests.browser import log_in
from tests.redesign_projects.helpers import make_assignment, make_team, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _draft_feedback(cohort, participant, faculty) -> Feedback:
    team = make_team(cohort, lead=participant)
    version = submit(make_assignment(cohort), by=participant, team=team)
    return services.feedback_save(
        submission=version, comments="Draft, not for the team yet.",
        decision=Feedback.Decision.CHANGES_REQUESTED, levels={}, acting_user=faculty,
    )  # fmt: skip


@pytest.mark.parametrize(
    "unit",
    [
        "<b hx-post={release} hx-trigger=load>",
        '<meta http-equiv=refresh content="0;url=//away.invalid/">',
    ],
)
def test_markup_in_a_measures_unit_is_shown_as_text_and_does_nothing(
    page: Page, live_server, cohort, administrator, participant, faculty, unit
):
    feedback = _draft_feedback(cohort, participant, faculty)
    unit = unit.format(release=reverse("redesign_projects:feedback_release", args=[feedback.pk]))
    measure = measure_services.measure_create(
        team=feedback.submission.team, name="Minutes to triage", unit=unit, better="down",
        acting_user=participant,
    )  # fmt: skip
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    log_in(page, live_server, administrator.email)
    form = live_server.url + reverse("measures:datapoint_create", args=[measure.pk])
    page.goto(form)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(1000)  # a refresh of 0 s, or htmx's load trigger, would have acted

    expect(page.get_by_text(f"In {unit}.")).to_be_visible()
    assert page.url == form
    assert not [url for url in requests if "release" in url or "away.invalid" in url]
    feedback.refresh_from_db()
    assert not feedback.is_released


def test_htmx_acts_only_on_elements_we_wrote_whatever_reaches_the_page(
    page: Page, live_server, cohort, administrator, participant, faculty
):
    feedback = _draft_feedback(cohort, participant, faculty)
    release = reverse("redesign_projects:feedback_release", args=[feedback.pk])
    cohort_page = live_server.url + reverse("cohorts:cohort_detail", args=[cohort.pk])

    def with_raw_markup(route):
        response = route.fetch()
        html = response.text()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        hostile = (
            '<meta name="htmx-config" content=\'{"allowEval": true, "selfRequestsOnly": '
            'false, "disableSelector": "[nothing]"}\'>'
            f'<form method="post" action="/"><input type="hidden" name="csrfmiddlewaretoken" '
            f'value="{token}"><b hx-post="{release}" hx-trigger="load">x</b></form>'
            '<div data-hx-get="/cohorts/" data-hx-trigger="load" hx-target="main"></div>'
            '<a hx-boost="true" href="/cohorts/" id="boosted">boosted</a>'
            "<span hx-on:htmx:load=\"document.title = 'pwned'\">y</span>"
        )
        route.fulfill(response=response, body=html.replace("<main ", hostile + "<main ", 1))

    log_in(page, live_server, administrator.email)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.route(cohort_page, with_raw_markup)
    page.goto(cohort_page)
    # Our own elements still work: every card placeholder was swapped for its card.
    expect(page.locator("[data-htmx-mark]")).to_have_count(0)
    expect(page.get_by_role("heading", name="Attendance")).to_be_visible()
    page.wait_for_load_state("networkidle")

    assert page.evaluate("htmx.config.allowEval") is False
    assert page.evaluate("htmx.config.selfRequestsOnly") is True
    assert page.title() != "pwned"
    made = [url.removeprefix(live_server.url) for url in requests]
    assert release not in made and "/cohorts/" not in made, made
    feedback.refresh_from_db()
    assert not feedback.is_released
