from tests.permission_table import Expect, logged_in

ROWS = {
    "cohorts:cohort_list": Expect(get=logged_in(404, administrator=200)),
    "cohorts:leader_home": Expect(get=logged_in(404, clinical_leader=200)),
    "cohorts:faculty_home": Expect(get=logged_in(404, faculty=200)),
    "cohorts:participant_home": Expect(get=logged_in(404, participant=200, other_participant=200)),
}
