"""Sections that apps built on this one add to the team page (``measures`` adds the team's
measures and run charts).

This app sits below them, so it cannot import them: an app registers its section from its
``AppConfig.ready()`` and the team page includes it without knowing the app. The page computes
every section's data before it renders (templates display, they don't query), so a section's
queries count in the view like the page's own."""

from collections.abc import Callable
from dataclasses import dataclass

from .models import RedesignTeam
from .selectors import ProjectAccess


@dataclass(frozen=True)
class TeamSection:
    """``data(team, access)`` returns what ``template`` shows; the template is included at the
    end of the page with the page's context and that data as ``section``."""

    template: str
    data: Callable[[RedesignTeam, ProjectAccess], dict]


@dataclass(frozen=True)
class SectionOnPage:
    template: str
    data: dict


_SECTIONS: dict[str, TeamSection] = {}


def register_team_section(name: str, section: TeamSection) -> None:
    """Add (or replace: registering twice is harmless) the section called ``name``."""
    _SECTIONS[name] = section


def team_sections(team: RedesignTeam, access: ProjectAccess) -> list[SectionOnPage]:
    """Every registered section with its data for this team and viewer, in the order the apps
    registered them (their order in ``INSTALLED_APPS``)."""
    return [
        SectionOnPage(template=section.template, data=section.data(team, access))
        for section in _SECTIONS.values()
    ]
