"""Who gets what from the start pages. Each answers 404 to someone without the role it is for;
the cohort's "needs attention" part answers the cohort page's readers."""

from tests.permission_table import Expect, logged_in

ROWS = {
    # Anonymous visitors log in; anyone logged in is sent on to their start page.
    "home": Expect(get=logged_in(302)),
    "home:office_home": Expect(get=logged_in(404, administrator=200)),
    "home:leader_home": Expect(get=logged_in(404, clinical_leader=200)),
    "home:faculty_home": Expect(get=logged_in(404, faculty=200)),
    "home:participant_home": Expect(get=logged_in(404, participant=200, other_participant=200)),
    "home:announcement_list": Expect(
        get=logged_in(403, other_participant=404, administrator=200),
        kwargs=lambda world: {"cohort_id": world.cohort.pk},
    ),
    # A POST previews (200): sending needs the preview's fingerprint.
    "home:announcement_create": Expect(
        get=logged_in(403, other_participant=404, administrator=200),
        post=logged_in(403, other_participant=404, administrator=200),
        kwargs=lambda world: {"cohort_id": world.cohort.pk},
        data=lambda world: {
            "subject": "Module 2 moves rooms",
            "body": "See you in room 4.",
            "form_token": "8c4a4f3e-6a55-4a43-9d3b-0b9d1c7e2f10",
            "action": "preview",
        },
    ),
    "home:cohort_attention": Expect(
        get=logged_in(403, other_participant=404, administrator=200, clinical_leader=200),
        kwargs=lambda world: {"cohort_id": world.cohort.pk},
    ),
}
