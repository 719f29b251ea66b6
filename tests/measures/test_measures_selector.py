"""``selectors.measure_charts_for_teams``: the charts the team page and the PDF report share,
built in a fixed number of queries."""

import datetime
from decimal import Decimal

import pytest

from measures import selectors
from measures import services as measure_services
from measures.charts import month_starts
from measures.models import ChartRuleSet, Measure
from tests.redesign_projects.helpers import make_team, participant_in

from .helpers import START, add_measure

pytestmark = pytest.mark.django_db


def _teams(cohort, count, *, measures, points):
    teams = []
    for number in range(count):
        lead = participant_in(cohort, profession="doctor")
        team = make_team(cohort, lead=lead, name=f"Team {number}")
        for index in range(measures):
            measure = add_measure(
                team, name=f"Measure {index}", points=[5 + (i % 3) for i in range(points)]
            )
            if points >= 20:
                measure_services.rebase_create(
                    measure=measure,
                    starts_on=month_starts(START, points)[points - 8],
                    reason="New pathway",
                    acting_user=None,
                )
            measure_services.pdsa_cycle_create(
                team=team,
                measure=measure,
                change_idea="Checklist",
                started_on=START + datetime.timedelta(days=70),
                acting_user=None,
            )
        teams.append(team)
    return teams


@pytest.mark.parametrize(("teams", "measures", "points"), [(1, 1, 3), (4, 3, 40)])
def test_it_draws_every_measure_of_every_team_in_four_queries(
    cohort, django_assert_num_queries, teams, measures, points
):
    team_ids = [team.pk for team in _teams(cohort, teams, measures=measures, points=points)]
    # 1 measures joined with team, cohort, programme and rule set; 2 data points;
    # 3 rebases; 4 PDSA cycles.
    with django_assert_num_queries(4):
        charts = selectors.measure_charts_for_teams(team_ids)
    assert list(charts) == team_ids
    assert all(len(found) == measures for found in charts.values())
    chart = charts[team_ids[0]][0]
    assert chart.point_count == points
    assert chart.kind == ("xmr" if points >= 15 else "run")
    assert "<svg" in chart.svg and "PDSA: Checklist" in chart.svg


def test_teams_without_measures_cost_one_query_and_get_empty_lists(
    cohort, django_assert_num_queries
):
    lead = participant_in(cohort, profession="doctor")
    team = make_team(cohort, lead=lead)
    with django_assert_num_queries(1):
        assert selectors.measure_charts_for_teams([team.pk]) == {team.pk: []}
    with django_assert_num_queries(0):
        assert selectors.measure_charts_for_teams([]) == {}


def test_measures_keep_their_order_and_the_kind_follows_the_point_count(cohort):
    team = make_team(cohort, lead=participant_in(cohort, profession="nurse"))
    add_measure(team, name="Nothing yet")
    add_measure(team, name="One point", points=[4])
    add_measure(team, name="Run", points=[4, 5, 6, 5, 4])
    add_measure(team, name="Xmr", points=[4, 5, 6, 5, 4] * 3)
    charts = selectors.measure_charts_for_teams([team.pk])[team.pk]
    assert [c.measure.name for c in charts] == ["Nothing yet", "One point", "Run", "Xmr"]
    assert [c.kind for c in charts] == ["none", "none", "run", "xmr"]
    assert charts[0].svg == "" and charts[0].table is None
    assert "No chart yet" in charts[0].summary and "1 data point" in charts[1].summary
    assert charts[2].table.columns[2] == "Median"
    assert "Upper limit" in charts[3].table.columns


def test_the_programmes_rule_set_decides_when_xmr_starts_and_is_stated(cohort):
    ChartRuleSet.objects.create(programme=cohort.programme, shift=6, trend=6, min_points=12)
    team = make_team(cohort, lead=participant_in(cohort, profession="nurse"))
    add_measure(team, points=[4, 5, 6, 5] * 3)
    chart = selectors.measure_charts_for_teams([team.pk])[team.pk][0]
    assert chart.kind == "xmr"
    assert "6 or more points in a row above or below the mean" in chart.summary


def test_a_shift_of_improvement_is_labelled_with_the_better_direction(cohort):
    team = make_team(cohort, lead=participant_in(cohort, profession="nurse"))
    values = [8, 9, 8, 10, 9, 8, 9, 10, 9, 8, 5, 5.5, 5, 4.5, 5, 5.5, 5, 4.5]
    add_measure(team, name="Down is better", points=values, better="down")
    add_measure(team, name="Up is better", points=values, better="up", target=Decimal("7"))
    down, up = selectors.measure_charts_for_teams([team.pk])[team.pk]
    assert down.variation_label == "special cause — improvement"
    assert up.variation_label == "special cause — concern"
    assert any(label.startswith("shift") for label in down.signal_labels)
    assert down.assurance_label == "" and up.assurance_label


def test_a_rebase_shows_its_reason_and_a_broken_one_does_not_break_the_chart(cohort):
    team = make_team(cohort, lead=participant_in(cohort, profession="nurse"))
    measure = add_measure(team, points=[8, 9, 8, 10] * 4 + [5, 5.5, 5, 4.5])
    days = month_starts(START, 20)
    measure_services.rebase_create(
        measure=measure, starts_on=days[16], reason="Nurse-led discharge", acting_user=None
    )
    chart = selectors.measure_charts_for_teams([team.pk])[team.pk][0]
    assert "because: Nurse-led discharge" in chart.summary
    # A later rule set needing more points turns it back into a run chart with the change marked.
    ChartRuleSet.objects.create(programme=cohort.programme, min_points=30)
    chart = selectors.measure_charts_for_teams([team.pk])[team.pk][0]
    assert chart.kind == "run" and "Change: Nurse-led discharge" in chart.svg


def test_measure_text_is_escaped_in_the_svg(cohort):
    team = make_team(cohort, lead=participant_in(cohort, profession="nurse"))
    add_measure(team, name="<script>x</script>", points=[1, 2, 3])
    chart = selectors.measure_charts_for_teams([team.pk])[team.pk][0]
    assert "<script>" not in chart.svg and "&lt;script&gt;" in chart.svg


def test_a_measure_belongs_to_a_team_or_a_pairing_not_both_nor_neither(cohort):
    with pytest.raises(Exception, match="team or to a pairing"):
        Measure(name="x", unit="n").full_clean()
