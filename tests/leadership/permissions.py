from tests.permission_table import Expect, logged_in, statuses

ROWS = {
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
