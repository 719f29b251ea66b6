"""Each measure in one honest line: the computed headline, grouped signals and the Making
Data Count icons (plain functions, no database)."""

import datetime
import re

from measures.charts import (
    Assurance,
    Change,
    ChangeKind,
    Point,
    Rebase,
    Variation,
    analyse_run_chart,
    analyse_xmr,
    assurance_icon_svg,
    grouped_signals,
    measure_headline,
    month_starts,
    variation_icon_svg,
)

D = datetime.date
BEFORE = [15, 16, 14, 15, 17, 13, 15, 16, 14, 15, 16, 15, 14, 16, 15]
AFTER = [30, 32, 31, 29, 33, 31, 30, 32, 31, 33, 32]
WARD_5 = Change(D(2025, 4, 3), "criteria-led discharge on ward 5", ChangeKind.PDSA)


START = D(2024, 1, 1)


def series(values, start=START):
    return [
        Point(day, float(v))
        for day, v in zip(month_starts(start, len(values)), values, strict=True)
    ]


def test_a_step_after_an_adopted_pdsa_reads_as_an_improvement_with_both_means():
    analysis = analyse_xmr(series(BEFORE + AFTER), better="up", target=40)
    headline = measure_headline(analysis, name="Discharges before noon", unit="%", changes=[WARD_5])
    assert headline.text == (
        "Discharges before noon improved: it rose from a mean of 15.1% to 31.3% after Apr 2025 "
        "(PDSA adopted: criteria-led discharge on ward 5); a sustained shift; the 40% target "
        "is not yet met; the limits still span the change (recalculation proposed)."
    )
    assert headline.direction == "better"
    assert headline.proposal.starts_on == D(2025, 4, 1)
    assert headline.proposal.reason == "criteria-led discharge on ward 5"
    # The misleading verdict the limits across the step give is not what the headline says.
    assert analysis.assurance is Assurance.FAILING
    assert "consistently failing" not in headline.text


def test_the_same_step_is_worse_when_lower_is_better():
    analysis = analyse_xmr(series(BEFORE + AFTER), better="down")
    headline = measure_headline(analysis, name="Waits", unit="minutes", changes=[WARD_5])
    assert headline.text.startswith("Waits worsened: it rose from a mean of 15.1 minutes")
    assert "no target is set" in headline.text
    assert headline.direction == "worse"


def test_a_shift_with_no_change_before_it_proposes_nothing():
    analysis = analyse_xmr(series(BEFORE + AFTER), better="up", target=40)
    headline = measure_headline(analysis, name="Discharges", unit="%", changes=[])
    assert "a sustained shift with no recorded change before it" in headline.text
    assert headline.proposal is None


def test_a_change_long_before_the_shift_is_not_its_cause():
    early = Change(D(2024, 2, 1), "poster campaign", ChangeKind.RECORDED)
    analysis = analyse_xmr(series(BEFORE + AFTER), better="up")
    assert measure_headline(analysis, name="D", unit="%", changes=[early]).proposal is None


def test_once_the_limits_are_recalculated_the_headline_names_the_step():
    rebase = Rebase(D(2025, 4, 1), "criteria-led discharge on ward 5")
    analysis = analyse_xmr(series(BEFORE + AFTER), better="up", target=30, rebases=[rebase])
    headline = measure_headline(analysis, name="Discharges", unit="%", changes=[WARD_5])
    assert headline.text.startswith(
        "Discharges improved: it rose from a mean of 15.1% to 31.3% since Apr 2025 "
        "(limits recalculated: criteria-led discharge on ward 5); common-cause variation only;"
    )
    assert headline.proposal is None


def test_a_stable_measure_reads_as_common_cause_with_its_assurance():
    analysis = analyse_xmr(series(BEFORE + BEFORE), better="down", target=30)
    headline = measure_headline(analysis, name="LOS", unit="days")
    assert headline.text == (
        "LOS: common-cause variation only around a mean of 15.1 days (Jan 2024–Jun 2026); "
        "the target of 30 days is met consistently."
    )


def test_a_short_series_says_it_is_too_short_for_limits():
    analysis = analyse_run_chart(series([5, 6, 5, 7, 6]), better="up", target=6)
    headline = measure_headline(analysis, name="Huddles", unit="count")
    assert "5 points: too few for limits" in headline.text
    assert "the target of 6 count was met in 3 of the latest 5 periods" in headline.text


def test_consecutive_points_of_one_rule_are_one_line_per_rule_and_stretch():
    values = [10, 11, 9, 10, 11, 10, 9, 10, 11, 10, 9, 10, 11, 10, 10] + [2] * 13
    analysis = analyse_xmr(series(values), better="up")
    lines = grouped_signals(analysis)
    # 32 signals (each point outside the limits is one) make three lines, one per rule.
    assert len(analysis.signals) == 32
    assert lines == [
        "15 points above the upper limit, Jan 2024–Mar 2025 (improvement); "
        "13 points below the lower limit, Apr 2025–Apr 2026 (concern)",
        "15 points in a row above the mean, Jan 2024–Mar 2025 (improvement); "
        "13 points in a row below the mean, Apr 2025–Apr 2026 (concern)",
        "15 points near the upper limit (2 of 3 beyond two-thirds of the way), Jan 2024–Mar 2025 "
        "(improvement); 13 points near the lower limit (2 of 3 beyond two-thirds of the way), "
        "Apr 2025–Apr 2026 (concern)",
    ]


def test_each_stretch_of_limits_has_its_own_lines():
    rebase = Rebase(D(2025, 4, 1), "new process")
    analysis = analyse_xmr(series(BEFORE + AFTER), better="up", rebases=[rebase])
    lines = grouped_signals(analysis)
    assert all(line.startswith(("First limits: ", "Limits from Apr 2025: ")) for line in lines)


def test_the_icons_are_our_own_svg_with_a_letter_and_a_label():
    for variation in Variation:
        svg = variation_icon_svg(variation)
        assert svg.startswith("<svg") and 'role="img"' in svg
        assert re.search(r'aria-label="Variation: [^"]+"', svg)
    assert ">H</text>" in variation_icon_svg(Variation.IMPROVEMENT_HIGH)
    assert ">L</text>" in variation_icon_svg(Variation.CONCERN_LOW)
    assert ">P</text>" in assurance_icon_svg(Assurance.PASSING)
    assert ">F</text>" in assurance_icon_svg(Assurance.FAILING)
    assert ">?</text>" in assurance_icon_svg(Assurance.HIT_AND_MISS)
