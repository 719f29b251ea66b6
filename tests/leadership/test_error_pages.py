"""The 400, 403, 404 and 500 pages: on the site's layout with the person's navigation, saying
in plain words what happened, with a way back (in a browser: tests/a11y/test_main_pages.py)."""

import copy

from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

FAULT_URLS = "tests.a11y.urls_with_a_fault"


def _page(response) -> str:
    return response.content.decode()


def test_a_missing_page_says_so_under_the_persons_navigation(client, participant):
    client.force_login(participant)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = _page(response)
    assert "<h1" in page and "Page not found" in page
    assert reverse("modules:my_schedule") in page  # the navigation
    assert f'href="{reverse("home")}">Go to your start page' in page


def test_a_refused_page_gives_the_reason_and_a_way_back(client, cohort, faculty):
    client.force_login(faculty)
    response = client.get(reverse("cohorts:cohort_detail", args=[cohort.pk]))
    assert response.status_code == 403
    page = _page(response)
    assert "You cannot open this page" in page
    assert "Your role in this cohort does not allow this." in page
    assert reverse("modules:my_schedule") in page
    assert "Go to your start page" in page


def test_someone_logged_out_is_sent_back_to_the_log_in_page(client):
    page = _page(client.get("/no-such-page/"))
    assert f'href="{reverse("home")}">Go to the log-in page' in page


@override_settings(ROOT_URLCONF=FAULT_URLS)
def test_a_fault_shows_the_500_page_with_the_persons_navigation(participant):
    client = Client(raise_request_exception=False)
    client.force_login(participant)
    response = client.get("/a-fault/")
    assert response.status_code == 500
    page = _page(response)
    assert "Sorry, something went wrong" in page
    assert reverse("modules:my_schedule") in page
    assert "Go to your start page" in page


def broken_context_processor(request):
    raise RuntimeError("the database is down, say")


def test_the_500_page_is_drawn_even_when_the_navigation_cannot_be(participant):
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["OPTIONS"]["context_processors"].append(
        "tests.leadership.test_error_pages.broken_context_processor"
    )
    client = Client(raise_request_exception=False)
    client.force_login(participant)
    with override_settings(ROOT_URLCONF=FAULT_URLS, TEMPLATES=templates):
        response = client.get("/a-fault/")
    assert response.status_code == 500
    page = _page(response)
    assert "Sorry, something went wrong" in page
    assert reverse("modules:my_schedule") not in page  # drawn without the request


def test_a_request_that_makes_no_sense_says_nothing_was_changed():
    response = Client(raise_request_exception=False).get("/", HTTP_HOST="not-ours.example")
    assert response.status_code == 400
    assert "Something was wrong with that request" in _page(response)


def test_a_form_sent_from_an_expired_page_says_nothing_was_changed(participant):
    client = Client(enforce_csrf_checks=True)
    client.force_login(participant)
    response = client.post(reverse("notification_preferences"), {"kinds": []})
    assert response.status_code == 403
    page = _page(response)
    assert "That did not go through" in page
    assert "Nothing was changed" in page
