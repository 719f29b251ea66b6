"""The cohort page's cards from other apps (schedule, attendance, teams, pairings).

Each card is loaded after the page by htmx from ``cohorts:cohort_card``, so the page itself
stays at a small fixed number of queries however many apps add cards, and each card has its
own fixed cost. A card is (selector dotted path, template, context name); the selector takes
the cohort and returns what the template shows."""

from dataclasses import dataclass

from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Card:
    title: str
    selector: str
    template: str
    context_name: str
    # Partials that are a bare table get a full-width section with a heading around them.
    wide: bool = False

    def context(self, cohort) -> dict:
        return {"cohort": cohort, self.context_name: import_string(self.selector)(cohort)}


CARDS: dict[str, Card] = {
    "schedule": Card(
        "Schedule",
        "modules.selectors.schedule_summary_for_cohort",
        "modules/_schedule_summary.html",
        "schedule_summary",
    ),
    "teams": Card(
        "Redesign teams",
        "redesign_projects.selectors.teams_summary_for_cohort",
        "redesign_projects/_teams_summary.html",
        "teams_summary",
    ),
    "pairings": Card(
        "Clinician–manager pairings",
        "pairings.selectors.pairings_summary_for_cohort",
        "pairings/_pairings_summary.html",
        "pairings_summary",
    ),
    "attendance": Card(
        "Attendance",
        "modules.selectors.attendance_summary_for_cohort",
        "modules/_attendance_summary.html",
        "attendance_summary",
        wide=True,
    ),
}
