"""Helpers for Playwright tests against ``live_server``."""

import re

from playwright.sync_api import Page

from tests.conftest import PASSWORD


def log_in(page: Page, live_server, email: str, password: str = PASSWORD) -> None:
    """Log in through the real login form, as a person would."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label(re.compile("e-?mail", re.IGNORECASE)).fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
