"""Sections that apps built on this one add to the blueprint page (``evaluation`` adds the
programme's evaluation forms): ``data(programme)`` for each (``leadership.page_sections``)."""

from leadership.page_sections import PageSections, Section, SectionOnPage

BlueprintSection = Section
BLUEPRINT_PAGE = PageSections()
register_blueprint_section = BLUEPRINT_PAGE.register
blueprint_sections = BLUEPRINT_PAGE.for_page

__all__ = [
    "BLUEPRINT_PAGE",
    "BlueprintSection",
    "SectionOnPage",
    "blueprint_sections",
    "register_blueprint_section",
]
