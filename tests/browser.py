"""Helpers for Playwright tests against ``live_server``."""

import re

from playwright.sync_api import Page

from tests.conftest import PASSWORD
from tests.totp import code_for

MFA_CODE_PAGE = re.compile(r"/accounts/2fa/authenticate/")
MFA_SET_UP_PAGE = re.compile(r"/accounts/2fa/totp/activate/")
PASSWORD_AGAIN_PAGE = re.compile(r"/accounts/reauthenticate/")


def log_in(page: Page, live_server, email: str, password: str = PASSWORD) -> None:
    """Log in through the real login form, as a person would: the password, then, when the
    page asks for it, the code their authenticator app shows now (computed from the secret
    stored for them, as the app would).

    Someone whose role needs two-factor authentication but who has no app yet is sent to set
    one up; this sets it up as they would (confirm the password, scan the key, type the
    code) and continues to their start page, so a test can make an administrator with a
    factory and log them in.
    """
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label(re.compile("e-?mail", re.IGNORECASE)).fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in", exact=True).click()
    page.wait_for_load_state()
    if MFA_CODE_PAGE.search(page.url):
        page.get_by_label("Code").fill(code_for(email))
        page.get_by_role("button", name="Verify code").click()
        page.wait_for_load_state()
        return
    if PASSWORD_AGAIN_PAGE.search(page.url):
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Confirm").click()
        page.wait_for_load_state()
    if MFA_SET_UP_PAGE.search(page.url):
        set_up_authenticator_app(page)
        page.get_by_role("link", name="Continue").click()
        page.wait_for_load_state()


def set_up_authenticator_app(page: Page) -> str:
    """On the set-up page: read the set-up key as a person would type it into their app,
    enter the app's code, and turn it on. Returns the key (the app's secret)."""
    from leadership.mfa import current_totp_code

    secret = page.get_by_label("Set-up key").input_value()
    page.get_by_label("Authenticator code").fill(current_totp_code(secret))
    page.get_by_role("button", name="Turn on").click()
    page.wait_for_load_state()
    return secret
