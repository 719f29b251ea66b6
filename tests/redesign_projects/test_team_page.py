"""The team page's sections from other apps (``redesign_projects.team_page``): each gets the
team and the viewer's access, in the order the apps registered them; the measures app's own
section is tested with its pages (``tests/measures/test_measures_pages.py``)."""

import pytest

from redesign_projects import team_page
from redesign_projects.selectors import project_access
from redesign_projects.team_page import SectionOnPage, TeamSection

from .helpers import make_team

pytestmark = pytest.mark.django_db


def test_each_section_gets_the_team_and_the_viewers_access_in_registration_order(
    monkeypatch, cohort, participant, faculty
):
    monkeypatch.setattr(team_page.TEAM_PAGE, "_sections", {})
    team = make_team(cohort, lead=participant)

    def whose(team, access):
        return {"team": team.name, "member": team.pk in access.team_ids}

    team_page.register_team_section("first", TeamSection("first.html", lambda t, a: {}))
    team_page.register_team_section("second", TeamSection("second.html", whose))
    # Registering a name again (an app's ready() run twice) replaces it in its place.
    team_page.register_team_section("first", TeamSection("again.html", lambda t, a: {"n": 2}))

    assert team_page.team_sections(team, project_access(participant, cohort)) == [
        SectionOnPage("again.html", {"n": 2}),
        SectionOnPage("second.html", {"team": "Flow team", "member": True}),
    ]
    assert team_page.team_sections(team, project_access(faculty, cohort))[1].data["member"] is False
