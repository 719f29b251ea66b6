"""Who gets what from the start pages. Each answers 404 to someone without the role it is for."""

from tests.permission_table import Expect, logged_in

ROWS = {
    # Anonymous visitors log in; anyone logged in is sent on to their start page.
    "home": Expect(get=logged_in(302)),
    "home:faculty_home": Expect(get=logged_in(404, faculty=200)),
    "home:participant_home": Expect(get=logged_in(404, participant=200, other_participant=200)),
}
