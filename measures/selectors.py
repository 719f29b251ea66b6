"""Reads for improvement measures: measures drawn as charts, and who may see or change them.

A measure belongs to a redesign team or to a clinician–manager pair's QI project, and access
follows its owner: whoever may see the team (``redesign_projects.selectors``) or the pairing
(``pairings.selectors``) may read its measures; the team's members, the pair and
administrators may change them. Outsiders get 404.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import F, JSONField, Max, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from cohorts.models import Cohort
from cohorts.selectors import CohortAccess
from pairings.models import Pairing
from pairings.selectors import get_pairing_for_user
from redesign_projects.models import RedesignTeam
from redesign_projects.selectors import ProjectAccess, get_team_for_user

from .charting import MeasureChart, measure_chart, spc_rules_for
from .charts import Assurance, Variation
from .models import ChartRuleSet, DataPoint, Measure, PdsaCycle
from .models import Rebase as MeasureRebase


def _measures_with_rows() -> QuerySet[Measure]:
    """Measures with everything a chart reads: owner, programme rule set (one query, joined),
    then data points, rebases and PDSA cycles (one prefetch query each)."""
    return Measure.objects.select_related(
        "team__cohort__programme__chart_rule_set",
        "pairing__cohort__programme__chart_rule_set",
    ).prefetch_related(
        Prefetch("datapoints", queryset=DataPoint.objects.order_by("period")),
        Prefetch("rebases", queryset=MeasureRebase.objects.order_by("starts_on")),
        Prefetch("pdsa_cycles", queryset=PdsaCycle.objects.order_by("started_on", "pk")),
    )


def _rule_set_of(measure: Measure) -> ChartRuleSet | None:
    owner = measure.team if measure.team_id else measure.pairing
    assert owner is not None  # a team or a pairing (measure_belongs_to_a_team_or_a_pairing)
    try:
        return owner.cohort.programme.chart_rule_set
    except ChartRuleSet.DoesNotExist:
        return None


def chart_for(
    measure: Measure,
    *,
    compact: bool = False,
    width: int = 720,
    drawn: bool = True,
    window: int | None = None,
) -> MeasureChart:
    """The chart of a measure fetched through ``_measures_with_rows`` (no further queries);
    ``window`` as ``measure_chart``'s."""
    return measure_chart(
        measure,
        points=list(measure.datapoints.all()),
        rebases=list(measure.rebases.all()),
        cycles=list(measure.pdsa_cycles.all()),
        rules=spc_rules_for(_rule_set_of(measure)),
        compact=compact,
        width=width,
        drawn=drawn,
        window=window,
    )


def measure_charts_for_teams(
    team_ids: list[int], *, compact: bool = False, width: int = 720, window: int | None = None
) -> dict[int, list[MeasureChart]]:
    """Each team's measures drawn as charts, in the teams' own order (``position``, then age).

    Returns ``{team_id: [MeasureChart, ...]}`` with a key (maybe an empty list) for every id
    given. No access check: callers pass only teams the viewer may see.

    Queries: 4 whatever the number of teams, measures or points — the measures joined with
    their team, cohort, programme and the programme's rule set; their data points; their
    rebases; their PDSA cycles — or 1 when none of the teams has a measure. XmR charts use the
    programme's ``ChartRuleSet`` (Making Data Count values when it has none); a measure with
    too few points for XmR is a run chart, and with fewer than two points has no chart.
    ``compact`` charts are for print (see ``MeasureChart``), ``window`` as ``measure_chart``'s."""
    charts: dict[int, list[MeasureChart]] = {team_id: [] for team_id in team_ids}
    if not team_ids:
        return charts
    for measure in (
        _measures_with_rows().filter(team_id__in=team_ids).order_by("team_id", "position", "pk")
    ):
        charts[cast(int, measure.team_id)].append(
            chart_for(measure, compact=compact, width=width, window=window)
        )
    return charts


def measure_charts_for_pairings(
    pairing_ids: list[int], *, compact: bool = False, width: int = 720
) -> dict[int, list[MeasureChart]]:
    """Each pair's QI measures drawn as charts, as ``measure_charts_for_teams`` does for teams:
    ``{pairing_id: [MeasureChart, ...]}`` with a key for every id; 4 queries whatever the
    numbers, or 1 when no pair has a measure, none without ids. No access check."""
    charts: dict[int, list[MeasureChart]] = {pairing_id: [] for pairing_id in pairing_ids}
    if not pairing_ids:
        return charts
    for measure in (
        _measures_with_rows()
        .filter(pairing_id__in=pairing_ids)
        .order_by("pairing_id", "position", "pk")
    ):
        if measure.pairing_id is not None:  # always, by the filter
            charts[measure.pairing_id].append(chart_for(measure, compact=compact, width=width))
    return charts


def measure_charts_for_cohort(
    cohort_id: int | list[int], *, compact: bool = False, width: int = 720, drawn: bool = True
) -> tuple[dict[int, list[MeasureChart]], dict[int, list[MeasureChart]]]:
    """Every measure of a cohort's (or several cohorts') teams and pairs as charts, in each
    owner's order: ``({team_id: [...]}, {pairing_id: [...]})`` (owners without measures are
    absent). Four queries whatever the numbers (measures, points, rebases, PDSA cycles), one
    when there is no measure. ``drawn=False`` analyses without drawing (see
    ``measure_chart``). No access check: callers pass cohorts the viewer may see."""
    ids = cohort_id if isinstance(cohort_id, list) else [cohort_id]
    by_team: dict[int, list[MeasureChart]] = defaultdict(list)
    by_pairing: dict[int, list[MeasureChart]] = defaultdict(list)
    for measure in (
        _measures_with_rows()
        .filter(Q(team__cohort_id__in=ids) | Q(pairing__cohort_id__in=ids))
        .order_by("team_id", "pairing_id", "position", "pk")
    ):
        chart = chart_for(measure, compact=compact, width=width, drawn=drawn)
        if measure.team_id is not None:
            by_team[measure.team_id].append(chart)
        elif measure.pairing_id is not None:
            by_pairing[measure.pairing_id].append(chart)
    return dict(by_team), dict(by_pairing)


# Bump when what a summary holds, or how it is computed, changes: every summary is then stale.
SUMMARY_VERSION = "2"


@dataclass(frozen=True)
class MeasureRef:
    """What a list of summaries shows of a measure beyond its summary: its id (for its page's
    link) and its name."""

    pk: int
    name: str


@dataclass(frozen=True)
class MeasureSummary:
    """A measure's headline and icons without its chart, for lists of many measures (the
    sponsor's portfolio, a programme evaluation's outcomes). Plain values: ``measure`` is the
    measure's id and name (no model instance: a portfolio reads hundreds), ``variation`` and
    ``assurance`` the chart library's enums (None: run chart, no target, or not judged)."""

    measure: MeasureRef
    kind: str
    point_count: int
    headline: str
    variation: Variation | None
    assurance: Assurance | None
    variation_label: str
    assurance_label: str
    # The headline reports a sustained shift (or limits recalculated after one) for the
    # better: what an evaluation counts as "sustained improvement".
    sustained_improvement: bool = False


def _sustained_improvement(chart: MeasureChart) -> bool:
    headline = chart.headline
    return bool(
        headline
        and headline.direction == "better"
        and headline.before_mean is not None
        and headline.after_mean is not None
    )


def _stored(chart: MeasureChart, fingerprint: str) -> dict:
    return {
        "fingerprint": fingerprint,
        "kind": chart.kind,
        "point_count": chart.point_count,
        "headline": chart.headline.text if chart.headline else chart.summary,
        "variation": chart.variation or "",
        "assurance": chart.assurance or "",
        "variation_label": chart.variation_label,
        "assurance_label": chart.assurance_label,
        "sustained_improvement": _sustained_improvement(chart),
    }


# Each icon's enum member by its stored value: a dictionary look-up, where calling the enum
# with the value cost about as much as the rest of a summary (a portfolio reads hundreds).
_VARIATIONS = {member.value: member for member in Variation}
_ASSURANCES = {member.value: member for member in Assurance}


def _summary_of(measure: MeasureRef, stored: dict) -> MeasureSummary:
    return MeasureSummary(
        measure=measure,
        kind=stored["kind"],
        point_count=stored["point_count"],
        headline=stored["headline"],
        variation=_VARIATIONS[stored["variation"]] if stored["variation"] else None,
        assurance=_ASSURANCES[stored["assurance"]] if stored["assurance"] else None,
        variation_label=stored["variation_label"],
        assurance_label=stored["assurance_label"],
        sustained_improvement=stored.get("sustained_improvement", False),
    )


def _fingerprint(shift: int | None, trend: int | None, min_points: int | None) -> str:
    """What a kept summary depends on beyond the measure's own rows (whose writes forget it,
    see ``services._summaries_stale``): the summary's version and the programme's rule lengths
    (None without a rule set)."""
    return f"{SUMMARY_VERSION}:{shift}/{trend}/{min_points}"


# The measures of teams and pairs in some cohorts (id, team, pair, name, kept summary), with
# their programme's rule lengths (NULL without a rule set), each owner's in its order. Written
# once and read as plain rows: for a portfolio of 600 measures the ORM spent twice as long
# building model instances as the database took to find them. Table and column names come
# from the models; the cohort ids are parameters (``{ids}`` is only their placeholders).
_SUMMARIES_SQL = """
SELECT ms.id, ms.team_id, ms.pairing_id, ms.name, ms.summary,
  COALESCE(team_rules.shift, pair_rules.shift),
  COALESCE(team_rules.trend, pair_rules.trend),
  COALESCE(team_rules.min_points, pair_rules.min_points)
FROM {measure} ms
LEFT JOIN {team} t ON t.id = ms.team_id
LEFT JOIN {cohort} team_cohort ON team_cohort.id = t.cohort_id
LEFT JOIN {rules} team_rules ON team_rules.programme_id = team_cohort.programme_id
LEFT JOIN {pairing} p ON p.id = ms.pairing_id
LEFT JOIN {cohort} pair_cohort ON pair_cohort.id = p.cohort_id
LEFT JOIN {rules} pair_rules ON pair_rules.programme_id = pair_cohort.programme_id
WHERE t.cohort_id IN ({ids}) OR p.cohort_id IN ({ids})
ORDER BY ms.team_id, ms.pairing_id, ms.position, ms.id"""


def _summary_rows(cohort_ids: list[int]) -> list[tuple]:
    """``_SUMMARIES_SQL``'s rows for ``cohort_ids``, the kept summary read as a dictionary."""
    sql = _SUMMARIES_SQL.format(
        measure=Measure._meta.db_table,
        team=RedesignTeam._meta.db_table,
        cohort=Cohort._meta.db_table,
        rules=ChartRuleSet._meta.db_table,
        pairing=Pairing._meta.db_table,
        ids=", ".join(["%s"] * len(cohort_ids)),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*cohort_ids, *cohort_ids])
        rows = cursor.fetchall()
    field = cast(JSONField, Measure._meta.get_field("summary"))
    column = field.get_col(Measure._meta.db_table)
    return [
        (pk, team_id, pairing_id, name, field.from_db_value(kept, column, connection), *rules)
        for pk, team_id, pairing_id, name, kept, *rules in rows
    ]


def measure_summaries(cohort_ids: list[int]) -> tuple[dict[int, list], dict[int, list]]:
    """Every measure of the cohorts' teams and pairs as a ``MeasureSummary``, in each owner's
    order: ``({team_id: [...]}, {pairing_id: [...]})``. Fast for hundreds of measures: each
    measure keeps its last summary on its row (``Measure.summary``), which every service that
    changes the measure, its points, rebases or PDSA cycles empties, and which names the
    summary version and rule lengths it was computed under; only measures whose summary is
    empty or computed under other rules are analysed again. (A row changed behind the
    services' back keeps its old summary until then: write through the services.)

    Side effect: the summaries found stale are recomputed and saved (one UPDATE). Queries: 1
    when none is stale; 6 otherwise (then the 4 of ``_measures_with_rows`` and the UPDATE),
    whatever the numbers (none without cohorts). No access check: callers pass cohorts the
    viewer may see."""
    rows = _summary_rows(cohort_ids) if cohort_ids else []
    kept: dict[int, dict] = {}
    prints: dict[int, str] = {}
    for pk, _team_id, _pairing_id, _name, summary, *rules in rows:
        prints[pk] = _fingerprint(*rules)
        kept[pk] = summary or {}
    stale = [pk for pk, summary in kept.items() if summary.get("fingerprint") != prints[pk]]
    if stale:
        fresh = list(_measures_with_rows().filter(pk__in=stale))
        for measure in fresh:
            measure.summary = kept[measure.pk] = _stored(
                chart_for(measure, drawn=False), prints[measure.pk]
            )
        Measure.objects.bulk_update(fresh, ["summary"])
    by_team: dict[int, list] = defaultdict(list)
    by_pairing: dict[int, list] = defaultdict(list)
    for pk, team_id, pairing_id, name, *_rest in rows:
        summary = _summary_of(MeasureRef(pk, name), kept[pk])
        if team_id is not None:
            by_team[team_id].append(summary)
        elif pairing_id is not None:
            by_pairing[pairing_id].append(summary)
    return dict(by_team), dict(by_pairing)


@dataclass(frozen=True)
class MeasureAccess(CohortAccess):
    """The viewer's access to the cohort of a measure's owner (a team or a pair): anyone who
    gets one may read; ``can_edit`` may add data, edit the measure, rebase it and log PDSA
    cycles (the team's members or the pair, and administrators)."""

    can_edit: bool = False
    team: RedesignTeam | None = None
    pairing: Pairing | None = None


def _team_access(team: RedesignTeam, access: ProjectAccess) -> MeasureAccess:
    """A team's measures are changed by its current members and administrators."""
    can_edit = access.is_admin or team.pk in access.team_ids
    return MeasureAccess(roles=access.roles, can_edit=can_edit, team=team)


def team_measure_access(user, team_id) -> tuple[RedesignTeam, MeasureAccess]:
    """The team and what the user may do with its measures: 404 unless they may see the team
    (members, faculty, clinical leaders, administrators; peers with peer review on)."""
    team, access = get_team_for_user(user, team_id)
    return team, _team_access(team, access)


def pairing_measure_access(user, pairing_id) -> tuple[Pairing, MeasureAccess]:
    """A pairing and what the user may do with its QI measures: as for the pairing's page (the
    pair and administrators write, clinical leaders read, anyone else 404)."""
    pairing, access = get_pairing_for_user(user, pairing_id)
    return pairing, MeasureAccess(
        roles=access.roles, can_edit=access.can_contribute, pairing=pairing
    )


def get_measure_for_user(
    user, measure_id, *, with_rows: bool = True
) -> tuple[Measure, MeasureAccess]:
    """A measure (with its rows prefetched for ``chart_for``, unless ``with_rows`` is False)
    and the user's access, checked on its team or pairing; 404 for anyone who may not see the
    owner."""
    measures = _measures_with_rows() if with_rows else Measure.objects.all()
    try:
        measure = measures.get(pk=int(measure_id))
    except (Measure.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404("Not found.") from exc
    if measure.team_id:
        team, access = team_measure_access(user, measure.team_id)
        measure.team = team
    else:
        pairing, access = pairing_measure_access(user, measure.pairing_id)
        measure.pairing = pairing
    return measure, access


# The measure page's tables show the latest two years of weekly or monthly figures; the chart
# draws every point, and the "all data" page and the CSV file have every row.
LATEST_POINTS = 24
DATA_PAGE_SIZE = 100


def measure_points(measure: Measure) -> QuerySet[DataPoint]:
    """A measure's data points, oldest first."""
    return DataPoint.objects.filter(measure=measure).order_by("period", "pk")


def measure_points_page(measure: Measure, number: str | None) -> Page:
    """One page of ``measure_points`` (``DATA_PAGE_SIZE`` rows; a page number that is not one
    gives the nearest page). Two queries: the count (one measure's points, from its index)
    and the rows."""
    return Paginator(measure_points(measure), DATA_PAGE_SIZE).get_page(number)


def get_datapoint_for_user(user, datapoint_id) -> tuple[DataPoint, Measure, MeasureAccess]:
    """A data point and its measure, with access checked on the measure's owner."""
    point = DataPoint.objects.filter(pk=datapoint_id).only("id", "measure_id").first()
    if point is None:
        raise Http404("Not found.")
    measure, access = get_measure_for_user(user, point.measure_id)
    point = next(p for p in measure.datapoints.all() if p.pk == point.pk)
    return point, measure, access


def pdsa_cycles_for_team(team: RedesignTeam) -> list[PdsaCycle]:
    """The team's PDSA cycles, newest first, with their measures: one query."""
    return list(
        team.pdsa_cycles.select_related("measure", "created_by").order_by("-started_on", "-pk")
    )


def pdsa_cycles_for_pairing(pairing: Pairing) -> list[PdsaCycle]:
    """The pair's PDSA cycles, newest first, with their measures: one query."""
    return list(
        pairing.pdsa_cycles.select_related("measure", "created_by").order_by("-started_on", "-pk")
    )


def get_pdsa_cycle_for_user(user, cycle_id) -> tuple[PdsaCycle, MeasureAccess]:
    """A PDSA cycle and the user's access, checked on its team or pairing (404 otherwise)."""
    cycle = PdsaCycle.objects.filter(pk=cycle_id).select_related("measure").first()
    if cycle is None:
        raise Http404("Not found.")
    if cycle.team_id:
        cycle.team, access = team_measure_access(user, cycle.team_id)
    else:
        cycle.pairing, access = pairing_measure_access(user, cycle.pairing_id)
    return cycle, access


def measure_charts_for_pairing(pairing_id: int) -> list[MeasureChart]:
    """A pair's QI measures as charts: 4 queries (as ``measure_charts_for_teams``), or 1."""
    return [
        chart_for(measure)
        for measure in _measures_with_rows()
        .filter(pairing_id=pairing_id)
        .order_by("position", "pk")
    ]


def chart_rule_set_of(programme) -> ChartRuleSet:
    """The programme's rule set, or an unsaved one with the Making Data Count defaults."""
    return ChartRuleSet.objects.filter(programme=programme).first() or ChartRuleSet(
        programme=programme, **ChartRuleSet.DEFAULTS
    )


# A year of weekly points, four years of monthly ones.
TEAM_PAGE_POINTS = 52


def team_page_measures(team: RedesignTeam, access: ProjectAccess) -> dict:
    """The team page's measures section (``measures/_team_measures.html``, plugged into the
    page by ``MeasuresConfig.ready``): the team's charts (compact) and whether the viewer may add
    measures. ``access`` is the viewer's, already checked by the team page. Queries: as
    ``measure_charts_for_teams`` for one team (4, or 1 without measures)."""
    return {
        # Compact: the team page shows each measure small, with a link to its full chart; of a
        # long series it draws the latest TEAM_PAGE_POINTS (the analysis is the whole
        # series's), so the page costs the same however long the teams keep measuring.
        "charts": measure_charts_for_teams([team.pk], compact=True, window=TEAM_PAGE_POINTS)[
            team.pk
        ],
        "can_edit": _team_access(team, access).can_edit,
    }


def measures_not_updated_this_month(
    team_ids: Iterable[int] | QuerySet, *, now: datetime.datetime
) -> list[Measure]:
    """The measures of ``team_ids`` (ids, or a query of them) with no data point recorded since
    the first of this month (in the office's time zone), each with its team and
    ``last_recorded_at`` (None if never), the longest unrecorded first. One query."""
    month_start = timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return list(
        Measure.objects.filter(team_id__in=team_ids)
        .select_related("team")
        .annotate(last_recorded_at=Max("datapoints__recorded_at"))
        .filter(Q(last_recorded_at__isnull=True) | Q(last_recorded_at__lt=month_start))
        .order_by(F("last_recorded_at").asc(nulls_first=True), "team__name", "position", "pk")
    )
