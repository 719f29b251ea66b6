"""Who gets what from the governance URLs: the audit trail and a person's data are for the
administrators of their programmes (everyone else: 404); everyone may download their own."""

from tests.permission_table import Expect, logged_in


def _participant(world):
    return {"person_id": world.personas["participant"].pk}


ADMIN_ONLY = logged_in(404, administrator=200)
POST_ONLY = logged_in(405)

ROWS = {
    "governance:audit_log": Expect(get=ADMIN_ONLY),
    "governance:person_privacy": Expect(get=ADMIN_ONLY, kwargs=_participant),
    "governance:person_export": Expect(get=POST_ONLY, post=ADMIN_ONLY, kwargs=_participant),
    "governance:person_erase": Expect(
        get=ADMIN_ONLY,
        post=logged_in(404, administrator=302),
        kwargs=_participant,
        data=lambda world: {"confirm": world.personas["participant"].email},
    ),
    "governance:my_data": Expect(get=logged_in(200)),
    "governance:my_data_export": Expect(get=POST_ONLY, post=logged_in(200)),
}
