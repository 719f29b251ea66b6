"""The SVG, the text summary and the data table: well-formed, accessible, hostile text inert."""

import xml.etree.ElementTree as ET
from datetime import date, timedelta

import weasyprint

from measures.charts import (
    Annotation,
    Baseline,
    Point,
    Rebase,
    SpcRules,
    analyse_run_chart,
    analyse_xmr,
    chart_grid,
    chart_notes,
    chart_status,
    chart_summary,
    chart_table,
    month_starts,
    render_legend_svg,
    render_run_chart_svg,
    render_xmr_chart_svg,
)
from measures.charts.svg import COLOURS, nice_ticks
from measures.charts.text import format_value

SVG = "{http://www.w3.org/2000/svg}"
DAYS = month_starts(date(2024, 1, 1), 40)
HOSTILE = '</text><script>alert("x")</script><!-- & \'quoted\' "double" ]]>'


def series(*values, astronomical=()):
    return [
        Point(d, float(v), astronomical=i in astronomical)
        for i, (d, v) in enumerate(zip(DAYS, values, strict=False))
    ]


def improving():
    """12 steady points, then a shift down (lower is better) and a point far below."""
    return series(*[30, 34, 31, 33, 29, 32] * 2, *[24, 22, 25, 23, 21, 24, 22, 23], 9)


def texts(root):
    return ["".join(el.itertext()) for el in root.iter(f"{SVG}text")]


def test_the_run_chart_is_well_formed_accessible_svg():
    analysis = analyse_run_chart(improving(), better="down", target=25)
    svg = render_run_chart_svg(analysis, title="Length of stay", y_label="Days", chart_id="m-7")
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert (title.get("id"), title.text) == (title_id, "Length of stay")
    assert desc.get("id") == desc_id
    assert desc.text == chart_summary(analysis)
    assert "Days" in texts(root)
    assert "Period" in texts(root)
    assert any(text.startswith("Median ") for text in texts(root))
    assert "Target 25" in texts(root)


def test_the_rule_lengths_are_stated_on_both_charts():
    run = analyse_run_chart(improving(), better="down")
    run_text = " ".join(texts(ET.fromstring(render_run_chart_svg(run, title="t", y_label="y"))))
    assert "a shift is 6 or more points" in run_text
    assert "5 or more points in a row rising or falling" in run_text
    xmr = analyse_xmr(improving(), better="down", rules=SpcRules(shift=8, trend=6))
    xmr_text = " ".join(texts(ET.fromstring(render_xmr_chart_svg(xmr, title="t", y_label="y"))))
    assert "8 or more points in a row above or below" in xmr_text
    assert "6 or more points in a row rising or falling" in xmr_text


def test_hostile_text_is_escaped_everywhere_it_appears():
    analysis = analyse_xmr(
        improving(), better="down", rebases=[Rebase(DAYS[12], reason=HOSTILE)], target=25
    )
    svg = render_xmr_chart_svg(
        analysis,
        title=HOSTILE,
        y_label=HOSTILE,
        x_label=HOSTILE,
        annotations=[Annotation(DAYS[14], HOSTILE)],
        chart_id='x" onload="alert(1)',
    )
    root = ET.fromstring(svg)
    assert "<script" not in svg
    assert not list(root.iter(f"{SVG}script"))
    assert not any("onload" in attribute for el in root.iter() for attribute in el.attrib)
    assert root.find(f"{SVG}title").text == HOSTILE
    assert HOSTILE in root.find(f"{SVG}desc").text
    assert HOSTILE in texts(root)  # the axis labels carry it whole, as text
    # The notes under the chart wrap long lines; joined again they hold the text intact.
    assert f"Limits recalculated: {HOSTILE}" in " ".join(texts(root))


def test_characters_xml_forbids_are_dropped_rather_than_breaking_the_chart():
    analysis = analyse_run_chart(improving(), better="down")
    svg = render_run_chart_svg(analysis, title="Falls\x00 per\x0b 1,000 bed days", y_label="rate")
    assert ET.fromstring(svg).find(f"{SVG}title").text == "Falls per 1,000 bed days"


def test_points_are_told_apart_by_shape_as_well_as_colour():
    analysis = analyse_run_chart(improving(), better="down")
    root = ET.fromstring(render_run_chart_svg(analysis, title="t", y_label="y"))
    markers = [g[1] for g in root.iter(f"{SVG}g") if g.find(f"{SVG}title") is not None]
    shapes = [(el.tag.removeprefix(SVG), el.get("fill")) for el in markers]
    improvement = analysis.natures.count("improvement")
    common = analysis.natures.count("common")
    assert improvement and common
    assert shapes.count(("rect", COLOURS["improvement"])) == improvement
    assert shapes.count(("circle", COLOURS["common"])) == common
    legend = texts(root)
    assert "Special cause: improvement" in legend
    assert "Common cause" in legend


def test_a_concern_is_a_diamond_and_a_flagged_point_is_ringed():
    analysis = analyse_run_chart(
        series(*[p.value for p in improving()], astronomical={20}),
        better="up",
        baseline=Baseline(DAYS[0], DAYS[11]),
    )
    root = ET.fromstring(render_run_chart_svg(analysis, title="t", y_label="y"))
    diamonds = [el for el in root.iter(f"{SVG}path") if el.get("fill") == COLOURS["concern"]]
    assert len(diamonds) == analysis.natures.count("concern") + 1  # + the legend's sample
    rings = [el for el in root.iter(f"{SVG}circle") if el.get("fill") == "none"]
    assert len(rings) == 2  # the flagged point and the legend's sample
    assert "Astronomical (flagged)" in texts(root)
    assert "Extended median" in texts(root)


def test_the_xmr_chart_shows_the_step_its_reason_and_the_labels():
    analysis = analyse_xmr(
        improving(),
        better="down",
        target=25,
        rebases=[Rebase(DAYS[12], reason="Nurse-led discharge")],
    )
    root = ET.fromstring(
        render_xmr_chart_svg(
            analysis,
            title="LOS",
            y_label="Days",
            annotations=[Annotation(date(2024, 2, 15), "PDSA 1")],
        )
    )
    words = texts(root)
    assert "1. Feb 2024: PDSA 1" in words
    assert "2. Jan 2025: Limits recalculated: Nurse-led discharge" in words
    assert any(word.startswith("Variation: ") for word in words)
    assert any(word.startswith("Upper limit ") for word in words)


def test_a_compact_chart_is_the_plot_alone_with_its_words_left_to_the_page():
    analysis = analyse_xmr(
        improving(), better="down", rebases=[Rebase(DAYS[12], reason="Nurse-led discharge")]
    )
    notes = [Annotation(date(2024, 2, 15), "PDSA 1")]
    full = ET.fromstring(
        render_xmr_chart_svg(analysis, title="LOS", y_label="Days", annotations=notes)
    )
    compact = ET.fromstring(
        render_xmr_chart_svg(analysis, title="LOS", y_label="Days", annotations=notes, compact=True)
    )
    full_words, words = texts(full), texts(compact)
    # Gone: the heading, the legend, the listed notes, each point's tooltip.
    for word in ("LOS", chart_status(analysis), "Common cause", "1. Feb 2024: PDSA 1"):
        assert word in full_words
        assert word not in words
    assert len(compact.findall(f"{SVG}g")) == 0 < len(full.findall(f"{SVG}g"))
    # Kept: the axes, the limits' values and the notes' numbers on the plot, in fewer glyphs.
    for word in ("Days", "Jan 24", "1", "2", format_value(analysis.segments[-1].upper)):
        assert word in words
    assert "Period" not in words and not any(w.startswith("Upper limit") for w in words)
    # The notes the page prints instead, numbered as on the plot.
    assert chart_notes(analysis, notes) == [
        "1. Feb 2024: PDSA 1",
        "2. Jan 2025: Limits recalculated: Nurse-led discharge",
    ]
    # Every point is still drawn: one path per kind, a subpath per point.
    paths = {el.get("fill"): el.get("d") for el in compact.iter(f"{SVG}path")}
    for nature in ("common", "improvement"):
        assert paths[COLOURS[nature]].count("M") == analysis.natures.count(nature)


def test_one_legend_names_every_marker_and_line_for_the_compact_charts():
    words = texts(ET.fromstring(render_legend_svg()))
    for name in (
        "Common cause",
        "Special cause: improvement",
        "Special cause: concern",
        "Improvement and concern",
        "Astronomical (flagged)",
        "Target",
    ):
        assert name in words


def test_the_summary_names_every_signal_and_the_rules():
    analysis = analyse_run_chart(improving(), better="down")
    summary = chart_summary(analysis)
    assert "Lower is better." in summary
    assert (
        "shift: 9 points in a row below the median, Jan 2025 to Sep 2025 (improvement)" in summary
    )
    assert "Run-chart rules (IHI)" in summary
    xmr = chart_summary(
        analyse_xmr(
            improving(), better="down", target=25, rebases=[Rebase(DAYS[12], reason="new rota")]
        )
    )
    assert "Limits recalculated from Jan 2025 because: new rota." in xmr
    assert "Variation: special cause — improvement." in xmr
    assert "Assurance:" in xmr


def test_a_chart_without_signals_says_so():
    analysis = analyse_run_chart(series(*[5, 6, 4, 6, 5, 4, 6, 5, 4, 6]), better="up")
    assert "No signals" in chart_summary(analysis)


def test_the_table_has_a_row_per_point_with_its_signals():
    run = chart_table(analyse_run_chart(improving(), better="down"), caption="LOS", unit="days")
    assert run.columns == ("Period", "Value (days)", "Median", "Signals")
    assert len(run.rows) == 21
    assert run.rows[0][0] == "Jan 2024"
    assert run.rows[0][-1] == "shift (concern)"  # ten points above the median before the change
    assert run.rows[4][-1] == "none"  # on the median
    assert "shift (improvement)" in run.rows[-1][-1]
    xmr = chart_table(analyse_xmr(improving(), better="down"), caption="LOS")
    assert xmr.columns[2:6] == ("Moving range", "Mean", "Lower limit", "Upper limit")
    assert xmr.rows[0][2] == ""
    assert xmr.rows[1][2] == "4"


def test_weekly_periods_are_labelled_with_the_day():
    weekly = [Point(date(2025, 1, 6 + 7 * i), float(i % 3)) for i in range(4)]
    table = chart_table(analyse_run_chart(weekly, better="up"), caption="c")
    assert [row[0] for row in table.rows] == [
        "6 Jan 2025",
        "13 Jan 2025",
        "20 Jan 2025",
        "27 Jan 2025",
    ]


def test_the_print_grid_has_a_row_a_year_with_each_value_after_its_month():
    # Two cells a row (the year, then its values): WeasyPrint's time goes on table cells.
    grid = chart_grid(analyse_run_chart(improving(), better="down"), caption="LOS", unit="d")
    assert grid.columns == ("Year", "Month: value")
    assert [row[0] for row in grid.rows] == ["2024", "2025"]
    assert all(len(row) == 2 for row in grid.rows)
    assert grid.rows[0][1].startswith("Jan: 30 (C) · Feb: 34 (C) · Mar: 31 (C)")
    assert grid.rows[1][1].endswith("Sep: 9 (I)")
    assert grid.notes[0] == "Median 29 (d)."


def test_the_print_grid_of_weekly_data_labels_each_value_with_its_day():
    weekly = [Point(date(2025, 1, 6) + timedelta(weeks=i), float(5 + i % 2)) for i in range(8)]
    grid = chart_grid(analyse_run_chart(weekly, better="up"), caption="c")
    assert grid.columns == ("Starting", "Day: value")
    assert grid.rows == (
        ("6 Jan 2025", "6 Jan: 5 · 13 Jan: 6 · 20 Jan: 5 · 27 Jan: 6 · 3 Feb: 5 · 10 Feb: 6"),
        ("17 Feb 2025", "17 Feb: 5 · 24 Feb: 6"),
    )


def test_nice_ticks_cover_the_range_with_round_steps():
    assert nice_ticks(3.2, 17.9) == [0, 5, 10, 15, 20]
    assert nice_ticks(0.013, 0.088) == [0, 0.02, 0.04, 0.06, 0.08, 0.1]
    # A flat series still gets a range to draw in.
    flat = nice_ticks(5, 5)
    assert flat[0] < 5 < flat[-1]


def test_weasyprint_renders_the_inline_svg_into_a_pdf():
    analysis = analyse_xmr(improving(), better="down", target=25)
    svg = render_xmr_chart_svg(analysis, title="LOS", y_label="Days")
    pdf = weasyprint.HTML(string=f"<html><body>{svg}</body></html>").write_pdf()
    assert pdf.startswith(b"%PDF")
    assert len(pdf) > 2000
