"""Sections that apps built on this one add to the team page (``measures`` adds the team's
measures and run charts): ``data(team, access)`` for each (``leadership.page_sections``)."""

from leadership.page_sections import PageSections, Section, SectionOnPage

TeamSection = Section
TEAM_PAGE = PageSections()
register_team_section = TEAM_PAGE.register
team_sections = TEAM_PAGE.for_page

__all__ = ["TEAM_PAGE", "SectionOnPage", "TeamSection", "register_team_section", "team_sections"]
