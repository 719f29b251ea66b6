from tests.permission_table import Expect, logged_in, statuses

ROWS = {
    # Health probes: unauthenticated by design, and they say only ok/failing per check.
    "health_live": Expect(get=statuses(200), post=statuses(405)),
    "health_ready": Expect(get=statuses(200), post=statuses(405)),
    "account_login": Expect(get=statuses(302, anonymous=200)),
    "account_logout": Expect(get=statuses(200, anonymous=302)),
    "account_inactive": Expect(get=statuses(200)),
    "account_reauthenticate": Expect(get=logged_in(200)),
    "account_change_password": Expect(get=logged_in(200)),
    # Everyone in the table has a password, so "set" sends them on to "change".
    "account_set_password": Expect(get=logged_in(302)),
    "account_reset_password": Expect(get=statuses(200)),
    "account_reset_password_done": Expect(get=statuses(200)),
    "account_reset_password_from_key": Expect(
        get=statuses(200), kwargs=lambda world: {"uidb36": "1", "key": "not-a-real-key"}
    ),
    "account_reset_password_from_key_done": Expect(get=statuses(200)),
}


def _preference_token(world):
    from leadership.notifications import preference_token

    return preference_token(world.personas["participant"], "session_reminder")


ROWS.update(
    {
        "notification_preferences": Expect(get=logged_in(200)),
        # Signed link from an e-mail: it works without logging in, for whoever holds it.
        # The token is the credential. The page's own button needs its CSRF token (the walk
        # checks); a mail program's RFC 8058 one-click POST does not (test_notifications).
        "notification_preferences_link": Expect(
            get=statuses(200),
            post=statuses(302),
            kwargs=lambda world: {"token": _preference_token(world)},
        ),
    }
)

# Identity: two-factor authentication and single sign-on (leadership/account_urls.py).
# The persona sessions were made by force_login, so pages that change two-factor settings
# first ask for the password again (302 to account_reauthenticate). Administrators and
# clinical leaders have an authenticator app; the others have none (404 where there is
# nothing of theirs to show or turn off). Single sign-on is not configured in the tests: 404.
HAS_APP = {"clinical_leader": 302, "administrator": 302}
ROWS.update(
    {
        "mfa_index": Expect(get=logged_in(200)),
        # Only in the middle of logging in; anyone else is sent on (anonymous to log in).
        "mfa_authenticate": Expect(get=statuses(302), post=statuses(302)),
        "mfa_reauthenticate": Expect(get=statuses(302, clinical_leader=200, administrator=200)),
        "mfa_activate_totp": Expect(get=statuses(302), post=statuses(302)),
        "mfa_deactivate_totp": Expect(
            get=logged_in(404, **HAS_APP), post=logged_in(404, **HAS_APP)
        ),
        "mfa_view_recovery_codes": Expect(get=logged_in(404)),
        "mfa_generate_recovery_codes": Expect(get=statuses(302), post=statuses(302)),
        "mfa_download_recovery_codes": Expect(get=logged_in(404)),
        "openid_connect_login": Expect(
            get=statuses(404), post=statuses(404), kwargs=lambda world: {"provider_id": "sso"}
        ),
        "openid_connect_callback": Expect(
            get=statuses(404), kwargs=lambda world: {"provider_id": "sso"}
        ),
        "socialaccount_login_cancelled": Expect(get=statuses(200)),
        # allauth answers a failed sign-on with 401 and an explanation.
        "socialaccount_login_error": Expect(get=statuses(401)),
    }
)
