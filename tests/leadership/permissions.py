from tests.permission_table import Expect, logged_in, statuses

ROWS = {
    # Health probes: unauthenticated by design, and they say only ok/failing per check.
    "health_live": Expect(get=statuses(200), post=statuses(405)),
    "health_ready": Expect(get=statuses(200), post=statuses(405)),
    # Anonymous visitors log in; anyone logged in is sent on to their start page.
    "home": Expect(get=logged_in(302)),
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


def _failed_notification(world):
    from leadership.models import Notification

    return world.once(
        "failed_notification",
        lambda: Notification.objects.create(
            recipient=world.personas["participant"],
            kind=Notification.Kind.SESSION_REMINDER,
            dedup_key="permissions:failed",
            template="generic",
            cohort_id=world.cohort.pk,
            status=Notification.Status.FAILED,
        ),
    )


def _preference_token(world):
    from leadership.notifications import preference_token

    return preference_token(world.personas["participant"], "session_reminder")


MEMBERS_403 = {"participant": 403, "faculty": 403, "clinical_leader": 403}

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
        "notification_log": Expect(
            get=logged_in(404, administrator=200, **MEMBERS_403),
            kwargs=lambda world: {"cohort_id": world.cohort.pk},
        ),
        "notification_retry": Expect(
            get=logged_in(405),
            post=logged_in(404, administrator=302, **MEMBERS_403),
            kwargs=lambda world: {"pk": _failed_notification(world).pk},
        ),
    }
)

# The governance pages (audit trail, subject access, erasure) keep their rows beside them.
from tests.leadership.privacy_permissions import ROWS as PRIVACY_ROWS  # noqa: E402

ROWS.update(PRIVACY_ROWS)

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
