"""Improvement measures: what a redesign team (or a clinician–manager pair's QI project)
tracks over time, one value a period, with rebased limits, PDSA cycles marked on the chart and
each programme's special-cause rule lengths.

The tables keep the names they had when these models lived in ``redesign_projects`` (see
``Meta.db_table`` and ``migrations/0001_initial.py``): moving the code moved no data.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone


class ChartRuleSet(models.Model):
    """A programme's special-cause rule lengths for XmR charts (NHS tools disagree: 6, 7 or 8).

    Kept beside the programme rather than on it; a programme without one uses the Making Data
    Count values (``DEFAULTS``). Every chart states the lengths it used."""

    DEFAULTS = {"shift": 7, "trend": 7, "min_points": 15}

    programme = models.OneToOneField(
        "cohorts.Programme", on_delete=models.CASCADE, related_name="chart_rule_set"
    )
    shift = models.PositiveSmallIntegerField(
        default=7, help_text="Points in a row on one side of the mean that signal a shift."
    )
    trend = models.PositiveSmallIntegerField(
        default=7, help_text="Points in a row rising (or falling) that signal a trend."
    )
    min_points = models.PositiveSmallIntegerField(
        "points for an XmR chart",
        default=15,
        help_text="With fewer points a measure is shown as a run chart.",
    )

    class Meta:
        db_table = "redesign_projects_chartruleset"
        ordering = ["programme"]
        verbose_name = "chart rule set"
        constraints = [
            models.CheckConstraint(
                condition=Q(shift__gte=2) & Q(trend__gte=3) & Q(min_points__gte=2),
                name="chart_rules_sensible_lengths",
            ),
        ]

    def __str__(self) -> str:
        return f"Chart rules for {self.programme}: shift {self.shift}, trend {self.trend}"


class Measure(models.Model):
    """Something a redesign team (or a clinician–manager pair's QI project) tracks over time.

    Exactly one owner: a team or a pairing."""

    class Kind(models.TextChoices):
        OUTCOME = "outcome", "Outcome"
        PROCESS = "process", "Process"
        BALANCING = "balancing", "Balancing"

    class Better(models.TextChoices):
        UP = "up", "Higher is better"
        DOWN = "down", "Lower is better"

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", "Weekly"
        MONTHLY = "monthly", "Monthly"

    team = models.ForeignKey(
        "redesign_projects.RedesignTeam",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="measures",
    )
    pairing = models.ForeignKey(
        "pairings.Pairing",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="measures",
        help_text="For a clinician–manager pair's QI project instead of a team.",
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OUTCOME)
    operational_definition = models.TextField(
        blank=True,
        help_text="What is counted: numerator, denominator, source, exclusions.",
    )
    unit = models.CharField(
        max_length=60, help_text='e.g. "count", "%", "minutes", "days", "rate per 1,000".'
    )
    better = models.CharField(
        "better direction", max_length=10, choices=Better.choices, default=Better.UP
    )
    frequency = models.CharField(
        max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    target = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    baseline_starts_on = models.DateField("baseline start", null=True, blank=True)
    baseline_ends_on = models.DateField("baseline end", null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    summary = models.JSONField(
        default=dict,
        # In the database too: rows inserted by older code during a rolling deploy stay valid.
        db_default=models.Value({}, output_field=models.JSONField()),
        blank=True,
        editable=False,
        help_text="The headline and icons as last computed (see selectors.measure_summaries): "
        "a cache for lists of many measures, emptied by every change to the measure's data.",
    )

    class Meta:
        db_table = "redesign_projects_measure"
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(team__isnull=False) & Q(pairing__isnull=True))
                | (Q(team__isnull=True) & Q(pairing__isnull=False)),
                name="measure_belongs_to_a_team_or_a_pairing",
            ),
            models.CheckConstraint(
                condition=(Q(baseline_starts_on__isnull=True) & Q(baseline_ends_on__isnull=True))
                | (
                    Q(baseline_starts_on__isnull=False)
                    & Q(baseline_ends_on__gte=models.F("baseline_starts_on"))
                ),
                name="measure_baseline_is_a_period",
            ),
            models.UniqueConstraint(
                fields=["team", "name"],
                condition=Q(team__isnull=False),
                name="measure_name_unique_per_team",
                violation_error_message="This team already has a measure with this name.",
            ),
            models.UniqueConstraint(
                fields=["pairing", "name"],
                condition=Q(pairing__isnull=False),
                name="measure_name_unique_per_pairing",
                violation_error_message="This pair already has a measure with this name.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if (self.team_id is None) == (self.pairing_id is None):
            raise ValidationError("A measure belongs to a team or to a pairing, not both.")
        if (self.baseline_starts_on is None) != (self.baseline_ends_on is None):
            field = "baseline_ends_on" if self.baseline_ends_on is None else "baseline_starts_on"
            raise ValidationError({field: "Give both ends of the baseline period, or neither."})
        if (
            self.baseline_starts_on
            and self.baseline_ends_on
            and self.baseline_ends_on < self.baseline_starts_on
        ):
            raise ValidationError(
                {"baseline_ends_on": "The baseline must end on or after the day it starts."}
            )

    @property
    def cohort_id(self) -> int:
        """The cohort of the owner (select_related the owner first)."""
        owner = self.team if self.team_id else self.pairing
        assert owner is not None  # a team or a pairing (measure_belongs_to_a_team_or_a_pairing)
        return owner.cohort_id


class DataPoint(models.Model):
    """One period's value of a measure. One per period: a second is an error, not an
    overwrite. Corrections go through ``datapoint_update``, which audits the old value."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="datapoints")
    period = models.DateField(help_text="The first day of the week or month it covers.")
    value = models.DecimalField(max_digits=14, decimal_places=4)
    annotation = models.CharField(
        max_length=300, blank=True, help_text='e.g. "New discharge checklist started".'
    )
    astronomical = models.BooleanField(
        default=False,
        help_text="Obviously unlike the rest (the run chart's fourth rule).",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "redesign_projects_datapoint"
        ordering = ["measure", "period"]
        verbose_name = "data point"
        constraints = [
            models.UniqueConstraint(fields=["measure", "period"], name="datapoint_one_per_period"),
        ]

    def __str__(self) -> str:
        return f"{self.measure}: {self.period.isoformat()} = {self.value.normalize():f}"


class Rebase(models.Model):
    """Recalculate a measure's XmR limits from ``starts_on`` because something changed."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="rebases")
    starts_on = models.DateField("recalculate from")
    reason = models.CharField(
        max_length=300, help_text="What changed in the process (shown on the chart)."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "redesign_projects_rebase"
        ordering = ["measure", "starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "starts_on"], name="rebase_one_per_date"),
            models.CheckConstraint(condition=~Q(reason=""), name="rebase_has_a_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.measure}: limits from {self.starts_on.isoformat()}"


class PdsaCycle(models.Model):
    """A test of change (Plan–Do–Study–Act) by a redesign team or by a clinician–manager pair
    for its QI project, shown on its measure's chart at its start. Exactly one owner.

    ``decision`` is the Act step's verdict: a cycle marked *adopted* is a change to the
    process, so a sustained shift after it is the moment the rebase assistant proposes to
    recalculate the measure's limits from."""

    class Decision(models.TextChoices):
        ADOPT = "adopt", "Adopt: the change becomes how we work"
        ADAPT = "adapt", "Adapt: change it and test again"
        ABANDON = "abandon", "Abandon: stop this change"

    team = models.ForeignKey(
        "redesign_projects.RedesignTeam",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pdsa_cycles",
    )
    pairing = models.ForeignKey(
        "pairings.Pairing",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pdsa_cycles",
        help_text="For a clinician–manager pair's QI project instead of a team.",
    )
    measure = models.ForeignKey(
        Measure,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pdsa_cycles",
        help_text="The measure whose chart shows this cycle (optional).",
    )
    change_idea = models.CharField(max_length=200)
    plan = models.TextField(blank=True, help_text="What you will do, who, where, when.")
    prediction = models.TextField(blank=True, help_text="What you expect to happen.")
    do = models.TextField("do", blank=True, help_text="What happened; problems, observations.")
    study = models.TextField(blank=True, help_text="What the data showed against the prediction.")
    act = models.TextField(blank=True, help_text="Adopt, adapt or abandon — and what next.")
    decision = models.CharField(
        max_length=10,
        choices=Decision.choices,
        blank=True,
        help_text="Once studied: adopt, adapt or abandon the change (empty while it runs).",
    )
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "redesign_projects_pdsacycle"
        ordering = ["started_on", "pk"]
        verbose_name = "PDSA cycle"
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="pdsa_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=(Q(team__isnull=False) & Q(pairing__isnull=True))
                | (Q(team__isnull=True) & Q(pairing__isnull=False)),
                name="pdsa_belongs_to_a_team_or_a_pairing",
            ),
        ]

    def __str__(self) -> str:
        return self.change_idea

    def clean(self) -> None:
        super().clean()
        if (self.team_id is None) == (self.pairing_id is None):
            raise ValidationError("A PDSA cycle belongs to a team or to a pairing, not both.")
        if self.ended_on and self.started_on and self.ended_on < self.started_on:
            raise ValidationError({"ended_on": "A cycle ends on or after the day it starts."})

    @property
    def is_adopted(self) -> bool:
        return self.decision == self.Decision.ADOPT

    @property
    def cohort_id(self) -> int:
        """The cohort of the owner (select_related the owner first)."""
        owner = self.team if self.team_id else self.pairing
        assert owner is not None  # the owner check constraint: a team or a pairing
        return owner.cohort_id
