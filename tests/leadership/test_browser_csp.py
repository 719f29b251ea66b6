"""Under the Content-Security-Policy the pages still work: Bootstrap and htmx load with the
response's nonce, the cohort page's cards arrive, and the browser reports no violation."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_cohort_page_loads_its_cards_with_no_policy_violation(
    page: Page, live_server, administrator, cohort
):
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    log_in(page, live_server, administrator.email)
    page.goto(live_server.url + reverse("cohorts:cohort_detail", args=[cohort.pk]))
    expect(page.get_by_role("heading", name="Attendance")).to_be_visible()
    expect(page.locator("[hx-get]")).to_have_count(0)  # every placeholder was swapped
    assert violations == []
