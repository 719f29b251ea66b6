"""The cohort page's cards from other apps (schedule, attendance, teams, pairings).

A card is (title, selector, template, context name): the selector takes the cohort and returns
what the template shows as ``section.<context name>``. Each is a section of the cohort page
(``cohorts.sections``, registered in ``reports.apps``), in ``PAGE_CARDS`` order:

* drawn in the page, its selector's queries counted with the page's, when they are few and
  their rows few (schedule, pairings, teams: two, one and two queries, a row a
  module, pair or team). A card loaded on its own pays a request of its own (session, person,
  the cohort with the viewer's access, the middleware) on top of its queries: about as much
  again as these cards cost, for nothing the reader sees sooner, and the row of small cards
  no longer jumps as each arrives;
* or, ``lazy``, loaded after the page by htmx from ``reports:cohort_card`` (``CARDS``): the
  attendance card, a table with a row per participant computed from every counted session's
  register, below the people, so the page shows without waiting for it."""

from collections.abc import Callable
from dataclasses import dataclass

from modules.selectors import cohort_attendance, schedule_summary_for_cohort
from pairings.selectors import pairings_summary_for_cohort
from redesign_projects.selectors import teams_card_for_cohort


@dataclass(frozen=True)
class Card:
    title: str
    selector: Callable
    template: str
    context_name: str
    # Partials that are a bare table get a full-width section with a heading around them.
    wide: bool = False
    lazy: bool = False

    def section(self, name: str, cohort) -> dict:
        """What ``reports/_card.html`` shows as ``section``: the card, its name, its data."""
        return {"card": self, "name": name, self.context_name: self.selector(cohort)}


PAGE_CARDS: dict[str, Card] = {
    "schedule": Card(
        "Schedule",
        schedule_summary_for_cohort,
        "modules/_schedule_summary.html",
        "schedule_summary",
    ),
    "teams": Card(
        "Redesign teams",
        teams_card_for_cohort,
        "redesign_projects/_teams_summary.html",
        "teams_summary",
    ),
    "pairings": Card(
        "Clinician–manager pairings",
        pairings_summary_for_cohort,
        "pairings/_pairings_summary.html",
        "pairings_summary",
    ),
    "attendance": Card(
        "Attendance",
        cohort_attendance,
        "modules/_attendance_card.html",
        "attendance",
        wide=True,
        lazy=True,
    ),
}
# The cards loaded after the page, each from its own URL.
CARDS: dict[str, Card] = {name: card for name, card in PAGE_CARDS.items() if card.lazy}
