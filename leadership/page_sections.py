"""Sections that higher apps add to a lower app's page (the team page gets measures, the
blueprint page gets evaluation forms).

A lower app cannot import the apps built on it, so each of them registers its section from
its ``AppConfig.ready()`` and the page includes it without knowing the app. The page computes
every section's data before it renders (templates display, they don't query), so a section's
queries count in the view like the page's own."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    """``data(*what_the_page_passes)`` returns what ``template`` shows; the template is
    included with the page's context and that data as ``section``."""

    template: str
    data: Callable[..., dict]


@dataclass(frozen=True)
class SectionOnPage:
    template: str
    data: dict


class PageSections:
    """One page's registry: sections by name, in the order the apps registered them (their
    order in ``INSTALLED_APPS``)."""

    def __init__(self) -> None:
        self._sections: dict[str, Section] = {}

    def register(self, name: str, section: Section) -> None:
        """Add (or replace, in its place: registering twice is harmless) ``name``."""
        self._sections[name] = section

    def for_page(self, *args) -> list[SectionOnPage]:
        """Every registered section with its data for what the page passes."""
        return [SectionOnPage(s.template, s.data(*args)) for s in self._sections.values()]
