"""Sections that apps built on this one add to the blueprint page (``evaluation`` adds the
programme's evaluation forms).

This app sits below them, so it cannot import them: an app registers its section from its
``AppConfig.ready()`` and the blueprint page includes it without knowing the app. The page
computes every section's data before it renders (templates display, they don't query), so a
section's queries count in the view like the page's own."""

from collections.abc import Callable
from dataclasses import dataclass

from cohorts.models import Programme


@dataclass(frozen=True)
class BlueprintSection:
    """``data(programme)`` returns what ``template`` shows; the template is included after the
    page's own sections with the page's context and that data as ``section``."""

    template: str
    data: Callable[[Programme], dict]


@dataclass(frozen=True)
class SectionOnPage:
    template: str
    data: dict


_SECTIONS: dict[str, BlueprintSection] = {}


def register_blueprint_section(name: str, section: BlueprintSection) -> None:
    """Add (or replace: registering twice is harmless) the section called ``name``."""
    _SECTIONS[name] = section


def blueprint_sections(programme: Programme) -> list[SectionOnPage]:
    """Every registered section with its data for ``programme``, in the order the apps
    registered them (their order in ``INSTALLED_APPS``)."""
    return [
        SectionOnPage(template=section.template, data=section.data(programme))
        for section in _SECTIONS.values()
    ]
