"""Measure services and the CSV reader: validation, duplicates never overwrite, imports are
all-or-nothing, and every change is attributable."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from leadership.models import AuditEvent
from measures import services as measure_services
from measures.charting import DATE_FORMATS, parse_datapoints_csv, parse_period, parse_value
from measures.models import DataPoint, Measure, Rebase
from measures.privacy import export_measures
from tests.pairings.helpers import manager_in, pair
from tests.redesign_projects.helpers import make_team, participant_in

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def team(cohort, participant):
    return make_team(cohort, lead=participant)


@pytest.fixture
def measure(team, participant):
    return measure_services.measure_create(
        team=team, name="Length of stay", unit="days", better="down", acting_user=participant
    )


def _point(measure, period, value, by=None):
    return measure_services.datapoint_create(
        measure=measure, period=period, value=Decimal(value), acting_user=by
    )


# --- measures ------------------------------------------------------------------------------


def test_a_measure_is_created_after_the_teams_others_and_audited(team, measure, participant):
    second = measure_services.measure_create(
        team=team, name="Readmissions", unit="%", acting_user=participant
    )
    assert (measure.position, second.position) == (0, 1)
    event = AuditEvent.objects.get(action="measure.create", target_id=str(second.pk))
    assert event.actor == participant and event.changes["unit"] == "%"


def test_a_team_cannot_have_two_measures_of_one_name(team, measure):
    with pytest.raises(ValidationError, match="already has a measure with this name"):
        measure_services.measure_create(
            team=team, name="Length of stay", unit="d", acting_user=None
        )


def test_a_baseline_needs_both_ends_in_order(team):
    with pytest.raises(ValidationError) as error:
        measure_services.measure_create(
            team=team, name="x", unit="n", baseline_starts_on=D(2024, 1, 1), acting_user=None
        )
    assert "baseline_ends_on" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        measure_services.measure_create(
            team=team, name="x", unit="n", baseline_starts_on=D(2024, 5, 1),
            baseline_ends_on=D(2024, 1, 1), acting_user=None,
        )  # fmt: skip
    assert "baseline_ends_on" in error.value.message_dict


def test_the_database_refuses_a_measure_with_no_owner_or_two(team):
    with pytest.raises(IntegrityError), transaction.atomic():
        Measure.objects.create(name="Orphan", unit="n")


def test_an_update_records_old_and_new_values(measure, participant):
    measure_services.measure_update(
        measure=measure, target=Decimal("5.5"), unit="days", acting_user=participant
    )
    event = AuditEvent.objects.get(action="measure.update")
    assert event.changes == {"target": {"from": None, "to": "5.5"}}


# --- data points ---------------------------------------------------------------------------


def test_a_second_value_for_a_period_is_an_error_not_an_overwrite(measure):
    _point(measure, D(2024, 1, 1), "6")
    with pytest.raises(ValidationError) as error:
        _point(measure, D(2024, 1, 1), "4")
    assert "already a value for 2024-01-01" in error.value.message_dict["period"][0]
    assert list(measure.datapoints.values_list("value", flat=True)) == [Decimal("6")]


def test_correcting_a_point_is_attributed_and_keeps_the_old_value(measure, participant, faculty):
    point = _point(measure, D(2024, 1, 1), "6", by=participant)
    measure_services.datapoint_update(
        point=point, period=D(2024, 1, 1), value=Decimal("6.5"), annotation="Recounted",
        acting_user=faculty,
    )  # fmt: skip
    point.refresh_from_db()
    assert point.value == Decimal("6.5") and point.recorded_by == faculty
    event = AuditEvent.objects.get(action="datapoint.update")
    assert event.actor == faculty
    assert event.changes["value"] == {"from": "6", "to": "6.5"}
    assert event.changes["annotation"] == {"from": "", "to": "Recounted"}


def test_a_point_cannot_be_moved_onto_another_points_period(measure):
    _point(measure, D(2024, 1, 1), "6")
    second = _point(measure, D(2024, 2, 1), "7")
    with pytest.raises(ValidationError):
        measure_services.datapoint_update(
            point=second, period=D(2024, 1, 1), value=Decimal("7"), acting_user=None
        )


# --- the CSV reader ------------------------------------------------------------------------


def test_it_reads_iso_and_day_month_year_dates_and_plain_numbers():
    assert parse_period("2025-03-01") == D(2025, 3, 1)
    assert parse_period(" 1/3/2025 ") == D(2025, 3, 1)
    assert parse_period("03/01/2025") == D(2025, 1, 3)  # day first, never US order
    assert parse_period("March 2025") is None and parse_period("31/2/2025") is None
    assert parse_value("1,234.5") == Decimal("1234.5")
    assert parse_value("12%") == Decimal("12")
    assert parse_value("33.333333") == Decimal("33.3333")
    assert parse_value("NaN") is None and parse_value("inf") is None and parse_value("x") is None


def test_its_date_reader_accepts_exactly_what_strptime_does_with_the_stated_formats():
    def by_strptime(text):
        for pattern in DATE_FORMATS:
            try:
                return datetime.datetime.strptime(text.strip(), pattern).date()
            except ValueError:
                continue
        return None

    texts = [
        f"{a}{sep}{b}{sep2}{c}"
        for a in ("1", "01", "31", "2025", "12", "0", "123")
        for b in ("2", "02", "13", "2025", "")
        for c in ("2025", "1", "29", "0999", "20255")
        for sep in "-/."
        for sep2 in (sep, "/" if sep != "/" else "-")
    ]
    texts += [
        "2024-02-29",
        "2023-02-29",
        " 2025-3-1 ",
        "1/3/2025\n",
        "",
        "2025-03-01T00:00",
        "١/3/2025",
    ]
    for text in texts:
        assert parse_period(text) == by_strptime(text), text


def test_every_row_it_accepts_passes_the_models_own_validation():
    """datapoints_import saves the parser's rows without full_clean: hold the parser to the
    model's fields at their edges (the rows beyond them must be refused instead)."""
    text = "period,value,annotation\n" + "\n".join(
        f"2025-01-{day:02d},{value},{note}"
        for day, value, note in [
            (1, "9999999999.9999", "x" * 300),
            (2, "-9999999999.9999", ""),
            (3, "33.33333333", "café"),
            (4, "1E+9", ""),
            (5, "1,234.5", ""),
            (6, "0.00001", ""),
        ]
    )
    preview = parse_datapoints_csv(text)
    assert preview.is_valid, [row.errors for row in preview.rows]
    for row in preview.rows:
        DataPoint(period=row.period, value=row.value, annotation=row.annotation).full_clean(
            exclude=["measure", "recorded_by"], validate_constraints=False
        )
    refused = parse_datapoints_csv(
        "period,value,annotation\n2025-01-01,10000000000,\n2025-01-02,1," + "x" * 301
    )
    assert [bool(row.errors) for row in refused.rows] == [True, True]


def test_each_kind_of_bad_row_gets_its_own_message():
    text = (
        "Period,Value,Annotation\n"
        "2025-01-01,5,ok\n"
        "2025-13-01,5,\n"  # not a date
        ",5,\n"  # no period
        "2025-02-01,,\n"  # no value
        "2025-03-01,five,\n"  # not a number
        "1/1/2025,6,\n"  # same period as line 2
        "2025-04-01,5," + "x" * 301 + "\n"  # annotation too long
        "2025-05-01,99999999999,\n"  # too large
        "2024-12-01,4,\n"  # already recorded
    )
    preview = parse_datapoints_csv(text, existing_periods=[D(2024, 12, 1)])
    errors = {row.line: row.errors for row in preview.rows}
    assert errors[2] == []
    assert "is not a date" in errors[3][0]
    assert errors[4] == ["The period is missing."]
    assert errors[5] == ["The value is missing."]
    assert errors[6] == ["“five” is not a number: write it like 12.5."]
    assert "also on line 2" in errors[7][0]
    assert "longer than 300" in errors[8][0]
    assert "too large" in errors[9][0]
    assert "already a value for 2024-12-01" in errors[10][0]
    assert not preview.is_valid and preview.error_count == 8


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("when,amount\n2025-01-01,4\n", "must name the columns"),
        ("period,value\n", "no data rows"),
    ],
)
def test_a_file_without_usable_columns_or_rows_is_refused_as_a_whole(text, message):
    preview = parse_datapoints_csv(text)
    assert message in preview.errors[0] and not preview.is_valid


def test_columns_may_come_in_any_order_with_a_byte_order_mark():
    preview = parse_datapoints_csv("\ufeffnote,value,date\r\nStarted,4.5,1/2/2025\r\n")
    assert preview.is_valid
    row = preview.rows[0]
    assert (row.period, row.value, row.annotation) == (D(2025, 2, 1), Decimal("4.5"), "Started")


# --- pasted from a spreadsheet -----------------------------------------------------------------


def test_cells_copied_from_excel_read_with_or_without_a_header():
    with_header = "Month\tValue\tNote\n01/03/2025\t12.5\tNew checklist\n2025-04-01\t13\t\n"
    without = "1/3/2025\t12.5\tNew checklist\n2025-04-01\t13\n"
    for text in (with_header, without):
        preview = parse_datapoints_csv(text)
        assert preview.is_valid, [row.errors for row in preview.rows]
        assert [(r.period, r.value, r.annotation) for r in preview.rows] == [
            (D(2025, 3, 1), Decimal("12.5"), "New checklist"),
            (D(2025, 4, 1), Decimal("13"), ""),
        ]


def test_decimal_commas_read_where_the_programme_writes_them():
    text = "1.3.2025\t12,5\n01/04/2025\t1.234,75\n"
    preview = parse_datapoints_csv(text, decimal_comma=True)
    assert [row.value for row in preview.rows] == [Decimal("12.5"), Decimal("1234.75")]
    assert parse_value("1 234,5", decimal_comma=True) == Decimal("1234.5")
    # Where numbers use a decimal point, "12,5" is neither twelve and a half nor 125: it is
    # refused with how to write it. Grouped thousands still read.
    (row,) = parse_datapoints_csv("1/3/2025\t12,5\n").rows
    assert row.errors == ["“12,5” is not a number: write it like 12.5."]
    assert parse_value("1,234.5") == Decimal("1234.5")
    (row,) = parse_datapoints_csv("1/3/2025\t12.5\n", decimal_comma=True).rows
    assert row.errors == ["“12.5” is not a number: write it like 12,5."]


def test_the_error_says_what_was_expected_and_shows_the_first_offending_line():
    text = "Period\tValue\n2025-01-01\t4\n03/15/2025\t5\n2025-05-01\tfive\n"
    preview = parse_datapoints_csv(text)
    assert not preview.is_valid
    assert preview.expected == (
        "under the header, one row a period: its date (2025-03-01 or 1/3/2025, day first) and "
        "its value (12.5), separated by tabs"
    )
    first = preview.first_problem
    assert (first.line, first.raw) == (3, "03/15/2025\t5")
    assert "“03/15/2025” is not a date" in first.errors[0]
    rubbish = parse_datapoints_csv("when\thow many\nyesterday\t4\n")
    assert rubbish.errors == [
        "The first row must name the columns — “period” (or “date”) and “value”, optionally "
        "“annotation” — or the rows must start with a date. The first line is: "
        "“when\thow many”."
    ]


def test_the_import_page_reads_tsv_by_the_programmes_number_format(client, measure, participant):
    programme = measure.team.cohort.programme
    programme.decimal_comma = True
    programme.save()
    client.force_login(participant)
    url = reverse("measures:datapoint_import", args=[measure.pk])
    bad = client.post(url, {"text": "1/1/2025\t4,5\n2025-02-30\t5\n", "preview": "1"})
    html = bad.content.decode()
    assert "Expected one row a period: its date" in html and "its value (12,5)" in html
    assert "The first row that is not: line 2" in html
    client.post(url, {"text": "1/1/2025\t4,5\n1/2/2025\t5,25\n", "confirm": "1"})
    assert list(measure.datapoints.values_list("value", flat=True)) == [
        Decimal("4.5"),
        Decimal("5.25"),
    ]


# --- imports -------------------------------------------------------------------------------


def test_an_import_saves_every_row_with_one_audit_event(measure, participant):
    preview = measure_services.datapoints_import(
        measure=measure,
        text="period,value\n2025-01-01,4\n1/2/2025,5\n2025-03-01,6\n",
        acting_user=participant,
    )
    assert preview.is_valid
    assert measure.datapoints.count() == 3
    assert set(measure.datapoints.values_list("recorded_by", flat=True)) == {participant.pk}
    event = AuditEvent.objects.get(action="datapoint.import")
    assert event.changes == {"count": 3, "from": "2025-01-01", "to": "2025-03-01"}


@pytest.mark.parametrize("rows", [3, 300])
def test_an_import_takes_the_same_queries_however_many_rows(
    measure, participant, django_assert_num_queries, rows
):
    text = "period,value\n" + "".join(
        f"{D(2000, 1, 3) + datetime.timedelta(weeks=n)},{n}\n" for n in range(rows)
    )
    # Savepoint and release; lock the measure (forgetting its kept summary); its recorded
    # periods; the insert; the audit event. Nothing a row: bench/measure_import.py imports
    # 100,000 points this way.
    with django_assert_num_queries(6):
        preview = measure_services.datapoints_import(
            measure=measure, text=text, acting_user=participant
        )
    assert preview.is_valid and measure.datapoints.count() == rows


def test_an_import_stores_every_annotation_exactly_as_written(measure, participant):
    """The import writes with COPY: annotations that are hostile to CSV, COPY's text format
    or SQL come back byte for byte, an empty one is '' (not NULL), and the values exactly."""
    notes = [
        'a, "quoted" note',
        "two\nlines",
        "back\\slash \\N \\. and \ttab",
        "'); DROP TABLE redesign_projects_datapoint; --",
        "",
        "Māori café ≥ 5",
    ]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["period", "value", "annotation"])
    for month, note in enumerate(notes, start=1):
        writer.writerow([f"2025-{month:02d}-01", f"{month}.125", note])
    preview = measure_services.datapoints_import(
        measure=measure, text=buffer.getvalue(), acting_user=None
    )
    assert preview.is_valid, [row.errors for row in preview.rows]
    saved = list(measure.datapoints.order_by("period"))
    assert [point.annotation for point in saved] == notes
    assert [point.value for point in saved] == [Decimal(f"{m}.125") for m in range(1, 7)]
    assert {point.recorded_by_id for point in saved} == {None}
    assert not any(point.astronomical for point in saved)


def test_an_annotation_with_a_nul_character_is_an_error_and_nothing_is_saved(measure):
    preview = measure_services.datapoints_import(
        measure=measure,
        text="period,value,annotation\n2025-01-01,4,ok\n2025-02-01,5,a\x00b\n",
        acting_user=None,
    )
    assert [row.errors for row in preview.rows][1] == [
        "The annotation holds a NUL character, which cannot be stored."
    ]
    assert not measure.datapoints.exists()


def test_one_bad_row_means_nothing_is_saved(measure):
    _point(measure, D(2025, 2, 1), "9")
    preview = measure_services.datapoints_import(
        measure=measure, text="period,value\n2025-01-01,4\n2025-02-01,5\n", acting_user=None
    )
    assert not preview.is_valid
    assert list(measure.datapoints.values_list("value", flat=True)) == [Decimal("9")]
    assert not AuditEvent.objects.filter(action="datapoint.import").exists()


def test_an_import_forgets_the_kept_summary_and_a_refused_one_keeps_it(measure):
    Measure.objects.filter(pk=measure.pk).update(summary={"fingerprint": "kept"})
    refused = measure_services.datapoints_import(
        measure=measure, text="period,value\n2025-01-01,4\n1/1/2025,5\n", acting_user=None
    )
    assert [row.errors for row in refused.rows][1] == [
        "2025-01-01 is also on line 2: one value a period."
    ]
    measure.refresh_from_db()
    assert measure.summary == {"fingerprint": "kept"} and not measure.datapoints.exists()
    measure_services.datapoints_import(
        measure=measure, text="period,value\n2025-01-01,4\n", acting_user=None
    )
    measure.refresh_from_db()
    assert measure.summary == {}


def test_a_pairs_import_reads_its_programmes_decimal_comma_and_audits_in_its_cohort(
    cohort, participant
):
    cohort.programme.decimal_comma = True
    cohort.programme.save()
    pairing = pair(cohort, participant, manager_in(cohort, email="pm@example.org"))
    measure = measure_services.measure_create(
        pairing=pairing, name="Waits", unit="days", better="down", acting_user=None
    )
    preview = measure_services.datapoints_import(
        measure=measure,
        text="period;value\n2025-01-01;4,5\n2025-02-01;1.234,25\n",
        acting_user=None,
    )
    assert preview.is_valid, [row.errors for row in preview.rows]
    assert list(measure.datapoints.values_list("value", flat=True)) == [
        Decimal("4.5"),
        Decimal("1234.25"),
    ]
    assert AuditEvent.objects.get(action="datapoint.import").cohort_id == cohort.pk


# --- rebases and PDSA cycles ---------------------------------------------------------------


def test_a_rebase_needs_a_reason_and_two_points_after_it(measure, participant):
    for month in range(1, 5):
        _point(measure, D(2025, month, 1), str(month))
    with pytest.raises(ValidationError) as error:
        measure_services.rebase_create(
            measure=measure, starts_on=D(2025, 3, 1), reason="  ", acting_user=participant
        )
    assert "reason" in error.value.message_dict
    with pytest.raises(ValidationError, match="there is 1"):
        measure_services.rebase_create(
            measure=measure, starts_on=D(2025, 4, 1), reason="Changed", acting_user=participant
        )
    measure_services.rebase_create(
        measure=measure, starts_on=D(2025, 3, 1), reason="New pathway", acting_user=participant
    )
    with pytest.raises(ValidationError, match="already recalculated"):
        measure_services.rebase_create(
            measure=measure, starts_on=D(2025, 3, 1), reason="Again", acting_user=participant
        )
    assert Rebase.objects.get().reason == "New pathway"
    assert AuditEvent.objects.filter(action="measure.rebase", actor=participant).count() == 1


def test_a_pdsa_cycle_may_only_name_its_own_teams_measure(cohort, team, measure):
    other = make_team(cohort, lead=participant_in(cohort, profession="nurse"), name="Other")
    with pytest.raises(ValidationError) as error:
        measure_services.pdsa_cycle_create(
            team=other, measure=measure, change_idea="x", started_on=D(2025, 1, 1),
            acting_user=None,
        )  # fmt: skip
    assert "measure" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        measure_services.pdsa_cycle_create(
            team=team, change_idea="x", started_on=D(2025, 2, 1), ended_on=D(2025, 1, 1),
            acting_user=None,
        )  # fmt: skip
    assert "ended_on" in error.value.message_dict
    cycle = measure_services.pdsa_cycle_create(
        team=team, measure=measure, change_idea="Checklist", started_on=D(2025, 1, 1),
        acting_user=None,
    )  # fmt: skip
    measure_services.pdsa_cycle_update(cycle=cycle, study="LOS fell", act="Adopt", acting_user=None)
    assert AuditEvent.objects.get(action="pdsa_cycle.update").changes["act"]["to"] == "Adopt"


def test_points_are_stored_exactly(measure):
    _point(measure, D(2025, 1, 1), "0.0001")
    assert DataPoint.objects.get().value == Decimal("0.0001")


# --- PDSA cycles of pairs -------------------------------------------------------------------


def test_a_pdsa_cycle_belongs_to_a_team_or_a_pair_and_to_its_measure(cohort, team, participant):
    pairing = pair(cohort, participant, manager_in(cohort, email="pm@example.org"))
    pair_measure = measure_services.measure_create(
        pairing=pairing, name="DNAs", unit="%", better="down", acting_user=participant
    )
    cycle = measure_services.pdsa_cycle_create(
        pairing=pairing, measure=pair_measure, change_idea="Text reminders",
        started_on=D(2025, 3, 1), decision="adopt", acting_user=participant,
    )  # fmt: skip
    assert cycle.cohort_id == cohort.pk and cycle.is_adopted
    assert AuditEvent.objects.filter(action="pdsa_cycle.create", cohort_id=cohort.pk).exists()
    with pytest.raises(ValidationError):
        measure_services.pdsa_cycle_create(
            team=team, pairing=pairing, change_idea="Both", started_on=D(2025, 3, 1),
            acting_user=None,
        )  # fmt: skip
    with pytest.raises(ValidationError, match="this pair's measures"):
        measure_services.pdsa_cycle_create(
            pairing=pairing, measure=add_team_measure(team), change_idea="X",
            started_on=D(2025, 3, 1), acting_user=None,
        )  # fmt: skip
    exported = export_measures(participant, {cohort.pk}).sections["pdsa_cycles_you_started"]
    assert exported[0]["change_idea"] == "Text reminders" and exported[0]["team"] is None


def add_team_measure(team):
    return measure_services.measure_create(
        team=team, name="Team LOS", unit="days", better="down", acting_user=None
    )
