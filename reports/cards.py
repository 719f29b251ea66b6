"""The cohort page's cards from other apps (schedule, attendance, teams, pairings).

Each card is loaded after the page by htmx from ``reports:cohort_card``, so the page itself
stays at a small fixed number of queries however many apps add cards, and each card has its
own fixed cost. A card is (selector, template, context name); the selector takes the cohort
and returns what the template shows. The cohort page lists the cards through the
``cohort_cards`` template tag (``reports/templatetags/report_cards.py``)."""

from collections.abc import Callable
from dataclasses import dataclass

from modules.selectors import cohort_attendance, schedule_summary_for_cohort
from pairings.selectors import pairings_summary_for_cohort
from redesign_projects.selectors import teams_summary_for_cohort


@dataclass(frozen=True)
class Card:
    title: str
    selector: Callable
    template: str
    context_name: str
    # Partials that are a bare table get a full-width section with a heading around them.
    wide: bool = False

    def context(self, cohort) -> dict:
        return {"cohort": cohort, self.context_name: self.selector(cohort)}


CARDS: dict[str, Card] = {
    "schedule": Card(
        "Schedule",
        schedule_summary_for_cohort,
        "modules/_schedule_summary.html",
        "schedule_summary",
    ),
    "teams": Card(
        "Redesign teams",
        teams_summary_for_cohort,
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
    ),
}
