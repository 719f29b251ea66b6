"""Writes for improvement measures: measures, data points (one at a time or a CSV import),
rebased limits, PDSA cycles and a programme's chart rules.

Each function runs in one transaction, validates with ``full_clean()`` and records an audit
event naming the acting user; a data point's correction records its old and new value.
"""

import datetime
import functools
import io
from decimal import Decimal
from typing import cast

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.db.models.functions import Coalesce
from django.utils import timezone

from leadership.models import User
from leadership.services import audit_record
from pairings.models import Pairing
from redesign_projects.models import RedesignTeam

from .charting import (
    MAX_MEASURES_PER_OWNER,
    MAX_PDSA_TEXT_CHARACTERS,
    MAX_POINTS_PER_MEASURE,
    PDSA_TEXT_FIELDS,
    ImportPreview,
    ImportRow,
    parse_datapoints_csv,
    points_cap_error,
)
from .models import ChartRuleSet, DataPoint, Measure, PdsaCycle, Rebase

MEASURE_FIELDS = (
    "name",
    "kind",
    "operational_definition",
    "unit",
    "better",
    "frequency",
    "target",
    "baseline_starts_on",
    "baseline_ends_on",
)
PDSA_FIELDS = (
    "measure",
    "change_idea",
    "plan",
    "prediction",
    "do",
    "study",
    "act",
    "decision",
    "started_on",
    "ended_on",
)


def _cohort_id(measure: Measure) -> int:
    owner = measure.team if measure.team_id else measure.pairing
    assert owner is not None  # a team or a pairing (measure_belongs_to_a_team_or_a_pairing)
    return owner.cohort_id


def _validate_measure(measure: Measure) -> None:
    """``full_clean`` plus "name taken" next to the name field, all errors at once (the
    database's own unique constraint still guards a race, but would not say which field)."""
    errors: dict = {}
    try:
        measure.full_clean(validate_constraints=False)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    owner: dict[str, int | None] = (
        {"team_id": measure.team_id} if measure.team_id else {"pairing_id": measure.pairing_id}
    )
    if Measure.objects.filter(name=measure.name, **owner).exclude(pk=measure.pk).exists():
        whose = "team" if measure.team_id else "pair"
        errors.setdefault("name", []).append(f"This {whose} already has a measure with this name.")
    if errors:
        raise ValidationError(errors)


def _plain(value: object) -> object:
    """A field value as JSON for the audit trail."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if hasattr(value, "pk"):
        return str(value)
    return value


def _summaries_stale(*measure_ids: int | None) -> None:
    """Forget the kept summaries (``selectors.measure_summaries``) of measures whose inputs
    just changed: the next list that shows them analyses them again. Every write below that
    changes what a chart says calls it."""
    ids = [pk for pk in measure_ids if pk is not None]
    if ids:
        Measure.objects.filter(pk__in=ids).update(summary={})


# --- measures ------------------------------------------------------------------------------


@transaction.atomic
def measure_create(
    *,
    team: RedesignTeam | None = None,
    pairing=None,
    acting_user: User | None,
    **fields,
) -> Measure:
    """Define a measure for a team or for a pair's QI project (exactly one of them).

    ``fields`` are among ``MEASURE_FIELDS``. New measures go after the owner's others."""
    unknown = set(fields) - set(MEASURE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown measure fields: {sorted(unknown)}")
    owner = {"team": team} if team is not None else {"pairing": pairing}
    if Measure.objects.filter(**owner).count() >= MAX_MEASURES_PER_OWNER:
        raise ValidationError(
            f"A {'team' if team is not None else 'pair'} has at most {MAX_MEASURES_PER_OWNER} "
            "measures, and this one has them all already."
        )
    last = Measure.objects.filter(**owner).aggregate(last=Max("position"))["last"]
    measure = Measure(
        team=team,
        pairing=pairing,
        position=0 if last is None else last + 1,
        created_by=acting_user,
        **fields,
    )
    _validate_measure(measure)
    measure.save()
    audit_record(
        actor=acting_user,
        action="measure.create",
        target=measure,
        cohort_id=_cohort_id(measure),
        changes={name: _plain(getattr(measure, name)) for name in MEASURE_FIELDS},
    )
    return measure


@transaction.atomic
def measure_update(*, measure: Measure, acting_user: User | None, **fields) -> Measure:
    """Change a measure's definition; the audit event lists each field's old and new value."""
    unknown = set(fields) - set(MEASURE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown measure fields: {sorted(unknown)}")
    changes = {}
    for name, value in fields.items():
        old = getattr(measure, name)
        if old != value:
            changes[name] = {"from": _plain(old), "to": _plain(value)}
        setattr(measure, name, value)
    _validate_measure(measure)
    measure.summary = {}
    measure.save()
    if changes:
        audit_record(
            actor=acting_user,
            action="measure.update",
            target=measure,
            cohort_id=_cohort_id(measure),
            changes=changes,
        )
    return measure


# --- data points ---------------------------------------------------------------------------


def _existing_point_error(measure: Measure, period: datetime.date) -> ValidationError:
    return ValidationError(
        {"period": (f"There is already a value for {period.isoformat()}: edit that point instead.")}
    )


@transaction.atomic
def datapoint_create(
    *,
    measure: Measure,
    period: datetime.date,
    value: Decimal,
    annotation: str = "",
    astronomical: bool = False,
    acting_user: User | None,
) -> DataPoint:
    """Record one period's value. A second value for a period is a ValidationError on
    ``period`` (never an overwrite); the measure row is locked so two people adding the same
    period at once get the error, not a database failure."""
    Measure.objects.select_for_update().filter(pk=measure.pk).first()
    if measure.datapoints.filter(period=period).exists():
        raise _existing_point_error(measure, period)
    if (have := DataPoint.objects.filter(measure=measure).count()) >= MAX_POINTS_PER_MEASURE:
        raise ValidationError(points_cap_error(have, 1))
    point = DataPoint(
        measure=measure,
        period=period,
        value=value,
        annotation=annotation,
        astronomical=astronomical,
        recorded_by=acting_user,
        recorded_at=timezone.now(),
    )
    point.full_clean(validate_constraints=False)
    point.save()
    _summaries_stale(point.measure_id)
    audit_record(
        actor=acting_user,
        action="datapoint.create",
        target=point,
        cohort_id=_cohort_id(measure),
        changes={"measure": measure.name, "period": period.isoformat(), "value": _plain(value)},
    )
    return point


@transaction.atomic
def datapoint_update(
    *,
    point: DataPoint,
    period: datetime.date,
    value: Decimal,
    annotation: str = "",
    astronomical: bool = False,
    acting_user: User | None,
) -> DataPoint:
    """Correct a data point. Moving it onto another point's period is an error. The audit event
    keeps the old values, and the point remembers who changed it last and when."""
    measure = point.measure
    Measure.objects.select_for_update().filter(pk=measure.pk).first()
    if (
        period != point.period
        and measure.datapoints.filter(period=period).exclude(pk=point.pk).exists()
    ):
        raise _existing_point_error(measure, period)
    new = {"period": period, "value": value, "annotation": annotation, "astronomical": astronomical}
    changes = {
        name: {"from": _plain(getattr(point, name)), "to": _plain(wanted)}
        for name, wanted in new.items()
        if getattr(point, name) != wanted
    }
    for name, wanted in new.items():
        setattr(point, name, wanted)
    point.recorded_by = acting_user
    point.recorded_at = timezone.now()
    point.full_clean(validate_constraints=False)
    point.save()
    _summaries_stale(point.measure_id)
    if changes:
        audit_record(
            actor=acting_user,
            action="datapoint.update",
            target=point,
            cohort_id=_cohort_id(measure),
            changes={"measure": measure.name, **changes},
        )
    return point


def datapoints_preview(*, measure: Measure, text: str) -> ImportPreview:
    """Parse pasted or uploaded text against the measure's recorded periods, reading numbers as
    its programme writes them (``Programme.decimal_comma``). Saves nothing. One query, and one
    more for the programme when the measure's owner was not loaded with it."""
    owner = measure.team or measure.pairing
    assert owner is not None  # a database constraint: every measure has a team or a pairing
    return parse_datapoints_csv(
        text,
        existing_periods=_recorded_periods(measure),
        decimal_comma=owner.cohort.programme.decimal_comma,
    )


def _recorded_periods(measure: Measure) -> list[datetime.date]:
    # Unordered: the model's ordering (measure, period) would join the measure table to sort
    # by the measure's own ordering, for a set. Plain SQL: an import runs it once a file, and
    # building the ORM's query cost as much as running it.
    quote, meta = connection.ops.quote_name, DataPoint._meta
    with connection.cursor() as cursor:
        cursor.execute(
            # Names from the model's metadata; the id travels as a parameter.
            f"SELECT {quote(meta.get_field('period').column)} FROM {quote(meta.db_table)} "  # noqa: S608  # nosec B608
            f"WHERE {quote(meta.get_field('measure').column)} = %s",
            [measure.pk],
        )
        return [period for (period,) in cursor.fetchall()]


@functools.cache
def _lock_for_import_sql() -> str:
    """One statement that locks the measure's row, forgets its kept summary (the import is
    about to change its data) and reads its programme's number format and its cohort, for
    ``datapoints_import``: updating the row locks it, and every other writer of points locks
    it too (``select_for_update``), so they wait for each other. The two values come from the
    ORM's own queries (through the team or the pairing), compiled once; each takes the
    measure's id, as does the UPDATE."""
    quote = connection.ops.quote_name

    def of_owner(expression: Coalesce) -> str:
        sql, params = (
            Measure.objects.filter(pk=0).order_by().values_list(expression).query.sql_with_params()
        )
        assert params == (0,)  # the id, the only parameter
        return sql

    decimal_comma = of_owner(
        Coalesce(
            "team__cohort__programme__decimal_comma", "pairing__cohort__programme__decimal_comma"
        )
    )
    cohort = of_owner(Coalesce("team__cohort_id", "pairing__cohort_id"))
    # Names from the model's metadata and SQL the ORM compiled; the ids travel as parameters.
    return (
        f"UPDATE {quote(Measure._meta.db_table)} "  # noqa: S608  # nosec B608
        f"SET {quote(Measure._meta.get_field('summary').column)} = '{{}}' "
        f"WHERE {quote(Measure._meta.pk.column)} = %s "
        f"RETURNING ({decimal_comma}), ({cohort})"
    )


@transaction.atomic
def datapoints_import(*, measure: Measure, text: str, acting_user: User | None) -> ImportPreview:
    """Save every row of the CSV, or none: the text is parsed again under a lock on the measure
    (a period someone added since the preview is an error now), and if any row has an error
    nothing is saved (the transaction is rolled back) and the preview with its errors comes
    back. One audit event for the batch, and the measure's kept summary forgotten.
    Three queries and a COPY: the lock (which forgets the summary and reads the owner's cohort
    and programme's number format with it), the recorded periods, the audit event.
    """
    with connection.cursor() as cursor:
        cursor.execute(_lock_for_import_sql(), [measure.pk] * 3)
        found = cursor.fetchone()
    if found is None:  # deleted since the page was loaded, as ``.get()`` would say
        raise Measure.DoesNotExist
    decimal_comma, cohort_id = found
    preview = parse_datapoints_csv(
        text, existing_periods=_recorded_periods(measure), decimal_comma=decimal_comma
    )
    if not preview.is_valid:
        # Nothing saved on bad input, the forgotten summary included.
        transaction.set_rollback(True)
        return preview
    # No full_clean per point: the parser has checked every field that full_clean would (a date,
    # a number of at most 10 whole digits and 4 decimals, an annotation of at most 300
    # characters without NUL: tests/measures hold the parser to the model's fields), the
    # measure is locked above and the recorder is the person importing.
    _insert_points(measure=measure, rows=preview.rows, acting_user=acting_user)
    periods = [cast(datetime.date, row.period) for row in preview.rows]
    audit_record(
        actor=acting_user,
        action="datapoint.import",
        target=measure,
        cohort_id=cohort_id,
        changes={
            "count": len(periods),
            "from": min(periods).isoformat(),
            "to": max(periods).isoformat(),
        },
    )
    return preview


# The columns COPY fills, in the order ``_insert_points`` writes each row.
_COPIED_FIELDS = (
    "measure",
    "period",
    "value",
    "annotation",
    "astronomical",
    "recorded_by",
    "recorded_at",
)


def _insert_points(*, measure: Measure, rows: list[ImportRow], acting_user: User | None) -> None:
    """Insert a checked import's rows. On PostgreSQL one COPY in its text format: bulk_create
    spent ~1 s a 1,000-row file building model instances and SQL, where COPY of the same rows
    takes ~10 ms (issue 21's goal is within 3× of COPY); each line is written with one
    f-string (the csv module's writer took twice as long). Elsewhere (SQLite for ``make run``)
    bulk_create."""
    now = timezone.now()
    if connection.vendor != "postgresql":
        DataPoint.objects.bulk_create(
            DataPoint(
                measure=measure,
                period=cast(datetime.date, row.period),  # a valid preview's rows have both
                value=cast(Decimal, row.value),
                annotation=row.annotation,
                recorded_by=acting_user,
                recorded_at=now,
            )
            for row in rows
        )
        return
    # Text format: \N is NULL, an empty field the empty string; a backslash, tab, newline or
    # carriage return in an annotation travels escaped (the parser has refused NUL). The
    # period is an ISO date and the value a plain decimal, which need no escaping.
    recorder = str(acting_user.pk) if acting_user is not None else "\\N"
    head, tail = f"{measure.pk}\t", f"\tf\t{recorder}\t{now.isoformat()}\n"
    buffer = io.StringIO(
        "".join(
            [
                f"{head}{row.period.isoformat()}\t{row.value!s}\t"  # type: ignore[union-attr]
                f"{row.annotation.translate(_COPY_ESCAPES) if row.annotation else ''}{tail}"
                for row in rows
            ]
        )
    )
    meta = DataPoint._meta
    column_of = {field.name: field.column for field in meta.concrete_fields}
    columns = ", ".join(column_of[name] for name in _COPIED_FIELDS)
    # Names from the model's own metadata; every value travels as COPY data, never as SQL.
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {meta.db_table} ({columns}) FROM STDIN", buffer)


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


# --- rebased limits ------------------------------------------------------------------------


@transaction.atomic
def rebase_create(
    *, measure: Measure, starts_on: datetime.date, reason: str, acting_user: User | None
) -> Rebase:
    """Recalculate the XmR limits from ``starts_on`` because of ``reason`` (required).

    There must be at least two data points on or after the date (limits need two points), and
    no other recalculation from the same date."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say what changed: the reason is shown on the chart."})
    Measure.objects.select_for_update().filter(pk=measure.pk).first()
    if measure.rebases.filter(starts_on=starts_on).exists():
        raise ValidationError(
            {"starts_on": f"The limits are already recalculated from {starts_on.isoformat()}."}
        )
    after = measure.datapoints.filter(period__gte=starts_on).count()
    if after < 2:
        raise ValidationError(
            {
                "starts_on": (
                    "Limits need at least two data points on or after the date to be "
                    f"calculated from; there {'is' if after == 1 else 'are'} {after}."
                )
            }
        )
    rebase = Rebase(measure=measure, starts_on=starts_on, reason=reason, created_by=acting_user)
    rebase.full_clean(validate_constraints=False)
    rebase.save()
    _summaries_stale(measure.pk)
    audit_record(
        actor=acting_user,
        action="measure.rebase",
        target=measure,
        cohort_id=_cohort_id(measure),
        changes={"starts_on": starts_on.isoformat(), "reason": reason},
    )
    return rebase


# --- PDSA cycles ---------------------------------------------------------------------------


def _check_measure_of_owner(cycle: PdsaCycle, measure: Measure | None) -> None:
    if measure is None:
        return
    if cycle.team_id and measure.team_id != cycle.team_id:
        raise ValidationError({"measure": "Choose one of this team's measures."})
    if cycle.pairing_id and measure.pairing_id != cycle.pairing_id:
        raise ValidationError({"measure": "Choose one of this pair's measures."})


def _check_pdsa_text(fields: dict) -> None:
    """Each of a cycle's texts at most ``MAX_PDSA_TEXT_CHARACTERS``, said next to the field."""
    errors = {
        name: f"At most {MAX_PDSA_TEXT_CHARACTERS:,} characters (this has {len(value):,})."
        for name in PDSA_TEXT_FIELDS
        if len(value := str(fields.get(name) or "")) > MAX_PDSA_TEXT_CHARACTERS
    }
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def pdsa_cycle_create(
    *,
    team: RedesignTeam | None = None,
    pairing: Pairing | None = None,
    acting_user: User | None,
    **fields: object,
) -> PdsaCycle:
    """Log a test of change for a team or for a pair's QI project (exactly one); with a
    measure (the owner's own), it is marked on that measure's chart. Audited."""
    unknown = set(fields) - set(PDSA_FIELDS)
    if unknown:
        raise TypeError(f"Unknown PDSA fields: {sorted(unknown)}")
    _check_pdsa_text(fields)
    cycle = PdsaCycle(team=team, pairing=pairing, created_by=acting_user, **fields)
    _check_measure_of_owner(cycle, fields.get("measure"))  # type: ignore[arg-type]
    cycle.full_clean()
    cycle.save()
    _summaries_stale(cycle.measure_id)
    audit_record(
        actor=acting_user,
        action="pdsa_cycle.create",
        target=cycle,
        cohort_id=cycle.cohort_id,
        changes={name: _plain(getattr(cycle, name)) for name in PDSA_FIELDS},
    )
    return cycle


@transaction.atomic
def pdsa_cycle_update(*, cycle: PdsaCycle, acting_user: User | None, **fields: object) -> PdsaCycle:
    """Record what happened (do, study, act and the decision) or correct the plan; audited
    field by field. Marking a cycle adopted lets the rebase assistant propose recalculating
    its measure's limits from it."""
    unknown = set(fields) - set(PDSA_FIELDS)
    if unknown:
        raise TypeError(f"Unknown PDSA fields: {sorted(unknown)}")
    _check_measure_of_owner(cycle, fields.get("measure"))  # type: ignore[arg-type]
    _check_pdsa_text(fields)
    changes = {}
    before = cycle.measure_id
    for name, value in fields.items():
        old = getattr(cycle, name)
        if old != value:
            changes[name] = {"from": _plain(old), "to": _plain(value)}
        setattr(cycle, name, value)
    cycle.full_clean()
    cycle.save()
    _summaries_stale(before, cycle.measure_id)
    if changes:
        audit_record(
            actor=acting_user,
            action="pdsa_cycle.update",
            target=cycle,
            cohort_id=cycle.cohort_id,
            changes=changes,
        )
    return cycle


# --- the programme's rule set --------------------------------------------------------------


@transaction.atomic
def chart_rules_set(
    *, programme, shift: int, trend: int, min_points: int, acting_user: User | None
) -> ChartRuleSet:
    """Set a programme's special-cause rule lengths (every chart of its cohorts uses them and
    states them). Audited with the old and new lengths."""
    rule_set = ChartRuleSet.objects.select_for_update().filter(
        programme=programme
    ).first() or ChartRuleSet(programme=programme, **ChartRuleSet.DEFAULTS)
    old = {"shift": rule_set.shift, "trend": rule_set.trend, "min_points": rule_set.min_points}
    rule_set.shift, rule_set.trend, rule_set.min_points = shift, trend, min_points
    rule_set.full_clean()
    rule_set.save()
    new = {"shift": shift, "trend": trend, "min_points": min_points}
    if new != old:
        audit_record(
            actor=acting_user,
            action="chart_rules.set",
            target=rule_set,
            changes={k: {"from": old[k], "to": new[k]} for k in new if old[k] != new[k]},
        )
    return rule_set
