"""The sponsor's portfolio: every cohort a person sponsors (as clinical leader) or administers,
and every team's and pair's measures with their headline and Making Data Count icons, on one
page and in one PDF — the board paper across cohorts.

``portfolio_for`` reads it in a fixed number of queries however many cohorts, projects and
measures there are (the tests assert the count). Plain data for the templates.
"""

from dataclasses import dataclass, field
from functools import cached_property
from typing import cast

from django import forms
from django.db.models import Q

from cohorts.models import Cohort, Enrolment, Programme
from measures.selectors import MeasureSummary, measure_summaries
from pairings.models import Pairing
from redesign_projects.models import RedesignTeam


@dataclass
class PortfolioProject:
    kind: str  # "Team" or "Pair"
    name: str
    charts: list[MeasureSummary] = field(default_factory=list)


@dataclass
class PortfolioCohort:
    cohort: Cohort
    projects: list[PortfolioProject] = field(default_factory=list)

    @property
    def measure_count(self) -> int:
        return sum(len(project.charts) for project in self.projects)

    @property
    def rows(self) -> list[tuple[PortfolioProject, MeasureSummary]]:
        return [(project, chart) for project in self.projects for chart in project.charts]


@dataclass
class Portfolio:
    cohorts: list[PortfolioCohort]
    programmes: list[Programme]

    @property
    def measure_count(self) -> int:
        return sum(item.measure_count for item in self.cohorts)


class PortfolioFilterForm(forms.Form):
    """Filters from the query string; anything unknown is an error shown beside its field."""

    programme = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    status = forms.ChoiceField(choices=[("", "Any status"), *Cohort.Status.choices], required=False)

    def __init__(self, *args, programmes: list[Programme], **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["programme"]).choices = [("", "Every programme")] + [
            (programme.pk, programme.name) for programme in programmes
        ]

    def filters(self) -> dict:
        """The valid filters (none when the form is not valid)."""
        if not self.is_valid():
            return {}
        return {
            "programme_id": self.cleaned_data["programme"],
            "status": self.cleaned_data["status"] or None,
        }


def portfolio_cohorts(user):
    """The cohorts in ``user``'s portfolio: those of programmes they administer and those they
    sponsor as clinical leader (and have not withdrawn from)."""
    sponsored = Cohort.objects.with_role(user, Enrolment.Role.CLINICAL_LEADER).values("pk")
    return Cohort.objects.filter(
        Q(pk__in=Cohort.objects.administered_by(user).values("pk")) | Q(pk__in=sponsored)
    )


@dataclass
class PortfolioScope:
    """What ``user``'s portfolio may show: its cohorts, newest first, each with its programme,
    and those programmes by name (the filter's choices)."""

    cohorts: list[Cohort]

    @cached_property
    def programmes(self) -> list[Programme]:
        unique = {cohort.programme_id: cohort.programme for cohort in self.cohorts}
        return sorted(unique.values(), key=lambda programme: (programme.name, programme.pk))


def portfolio_scope(user) -> PortfolioScope:
    """The cohorts in ``user``'s portfolio with their programmes: one query (the filter's
    programmes come from the same rows)."""
    cohorts = portfolio_cohorts(user).select_related("programme").order_by("-starts_on", "name")
    return PortfolioScope(cohorts=list(cohorts))


# Queries of ``portfolio_scope`` and ``portfolio_for`` once every measure's summary is up to
# date (see ``measures.selectors.measure_summaries``: five more when some changed since last
# time).
PORTFOLIO_QUERIES = 4


def portfolio_for(
    scope: PortfolioScope,
    *,
    programme_id: int | None = None,
    status: str | None = None,
) -> Portfolio:
    """The portfolio of ``scope`` (``portfolio_scope``, see the module docstring), filtered by
    programme and cohort status, newest cohort first. Three queries whatever the numbers:
    the cohorts' teams; their pairings with both people; the measures of all those teams and
    pairs with their summaries (``measure_summaries``: five more queries when some measure
    changed since its summary was kept, which they then update)."""
    cohorts = [
        cohort
        for cohort in scope.cohorts
        if (programme_id is None or cohort.programme_id == programme_id)
        and (not status or cohort.status == status)
    ]
    ids = [cohort.pk for cohort in cohorts]
    # Only what a row prints of a team: two hundred teams built as models cost more than
    # their query.
    teams = (
        RedesignTeam.objects.filter(cohort_id__in=ids)
        .order_by("name", "pk")
        .values_list("pk", "cohort_id", "name")
    )
    pairings = list(
        Pairing.objects.filter(cohort_id__in=ids)
        .select_related("clinician", "manager")
        .order_by("pk")
    )
    by_team, by_pairing = measure_summaries(ids) if ids else ({}, {})
    items = {cohort.pk: PortfolioCohort(cohort=cohort) for cohort in cohorts}
    for team_id, cohort_id, name in teams:
        items[cohort_id].projects.append(
            PortfolioProject(kind="Team", name=name, charts=by_team.get(team_id, []))
        )
    for pairing in pairings:
        charts = by_pairing.get(pairing.pk, [])
        if not charts and not pairing.project_title:
            continue
        people = " and ".join(
            person.get_full_name() or person.email
            for person in (pairing.clinician, pairing.manager)
        )
        name = f"{pairing.project_title} ({people})" if pairing.project_title else people
        items[pairing.cohort_id].projects.append(
            PortfolioProject(kind="Pair", name=name, charts=charts)
        )
    return Portfolio(cohorts=list(items.values()), programmes=scope.programmes)
