"""Sections that apps built on this one add to the cohort page (``reports`` adds the cards of
schedule, teams, pairings and attendance): ``data(cohort, access)`` for each
(``leadership.page_sections``)."""

from leadership.page_sections import PageSections, Section, SectionOnPage

CohortSection = Section
COHORT_PAGE = PageSections()
register_cohort_section = COHORT_PAGE.register
cohort_sections = COHORT_PAGE.for_page

__all__ = [
    "COHORT_PAGE",
    "CohortSection",
    "SectionOnPage",
    "cohort_sections",
    "register_cohort_section",
]
