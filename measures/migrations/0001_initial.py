"""The measures models, moved here from ``redesign_projects`` without moving their data.

The tables, their columns, foreign keys, constraints and indexes were created by
``redesign_projects.0002_measures`` and keep their names (each model's ``Meta.db_table`` is the
old table), so this migration only tells Django's model state that the models now belong to
``measures``: no SQL runs (``sqlmigrate measures 0001`` prints none). The state of the old app
drops them afterwards, in ``redesign_projects.0005_move_measures_to_measures_app``, which
depends on this one.

It also relabels the models' content types (``redesign_projects`` → ``measures``), so the audit
events that name a measure, data point, rebase, PDSA cycle or rule set as their target, the
admin log and the models' permissions keep pointing at the same rows.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

MOVED_MODELS = ("chartruleset", "measure", "datapoint", "rebase", "pdsacycle")


def _relabel(apps, schema_editor, *, old: str, new: str) -> None:
    """Move each model's content type row from ``old`` to ``new``. Where ``new`` already has
    a row for the model (the pair is unique) the old row stays, for ``remove_stale_contenttypes``
    to settle, as after Django's own model renames. No rows (a new database): nothing to do,
    ``post_migrate`` creates them under ``measures``."""
    content_type = apps.get_model("contenttypes", "ContentType")
    rows = content_type.objects.using(schema_editor.connection.alias)
    taken = set(rows.filter(app_label=new, model__in=MOVED_MODELS).values_list("model", flat=True))
    rows.filter(app_label=old, model__in=set(MOVED_MODELS) - taken).update(app_label=new)
    content_type.objects.clear_cache()


def relabel_content_types(apps, schema_editor) -> None:
    _relabel(apps, schema_editor, old="redesign_projects", new="measures")


def restore_content_types(apps, schema_editor) -> None:
    _relabel(apps, schema_editor, old="measures", new="redesign_projects")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("cohorts", "0008_cohort_version"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("pairings", "0001_initial"),
        ("redesign_projects", "0004_form_tokens"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Measure",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("name", models.CharField(max_length=200)),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("outcome", "Outcome"),
                                    ("process", "Process"),
                                    ("balancing", "Balancing"),
                                ],
                                default="outcome",
                                max_length=20,
                            ),
                        ),
                        (
                            "operational_definition",
                            models.TextField(
                                blank=True,
                                help_text="What is counted: numerator, denominator, source, exclusions.",
                            ),
                        ),
                        (
                            "unit",
                            models.CharField(
                                help_text='e.g. "count", "%", "minutes", "days", "rate per 1,000".',
                                max_length=60,
                            ),
                        ),
                        (
                            "better",
                            models.CharField(
                                choices=[("up", "Higher is better"), ("down", "Lower is better")],
                                default="up",
                                max_length=10,
                                verbose_name="better direction",
                            ),
                        ),
                        (
                            "frequency",
                            models.CharField(
                                choices=[("weekly", "Weekly"), ("monthly", "Monthly")],
                                default="monthly",
                                max_length=10,
                            ),
                        ),
                        (
                            "target",
                            models.DecimalField(
                                blank=True, decimal_places=4, max_digits=14, null=True
                            ),
                        ),
                        (
                            "baseline_starts_on",
                            models.DateField(blank=True, null=True, verbose_name="baseline start"),
                        ),
                        (
                            "baseline_ends_on",
                            models.DateField(blank=True, null=True, verbose_name="baseline end"),
                        ),
                        ("position", models.PositiveSmallIntegerField(default=0)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "pairing",
                            models.ForeignKey(
                                blank=True,
                                help_text="For a clinician–manager pair's QI project instead of a team.",
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="measures",
                                to="pairings.pairing",
                            ),
                        ),
                        (
                            "team",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="measures",
                                to="redesign_projects.redesignteam",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "redesign_projects_measure",
                        "ordering": ["position", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="DataPoint",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "period",
                            models.DateField(
                                help_text="The first day of the week or month it covers."
                            ),
                        ),
                        ("value", models.DecimalField(decimal_places=4, max_digits=14)),
                        (
                            "annotation",
                            models.CharField(
                                blank=True,
                                help_text='e.g. "New discharge checklist started".',
                                max_length=300,
                            ),
                        ),
                        (
                            "astronomical",
                            models.BooleanField(
                                default=False,
                                help_text="Obviously unlike the rest (the run chart's fourth rule).",
                            ),
                        ),
                        ("recorded_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "recorded_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "measure",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="datapoints",
                                to="measures.measure",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "data point",
                        "db_table": "redesign_projects_datapoint",
                        "ordering": ["measure", "period"],
                    },
                ),
                migrations.CreateModel(
                    name="PdsaCycle",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("change_idea", models.CharField(max_length=200)),
                        (
                            "plan",
                            models.TextField(
                                blank=True, help_text="What you will do, who, where, when."
                            ),
                        ),
                        (
                            "prediction",
                            models.TextField(blank=True, help_text="What you expect to happen."),
                        ),
                        (
                            "do",
                            models.TextField(
                                blank=True,
                                help_text="What happened; problems, observations.",
                                verbose_name="do",
                            ),
                        ),
                        (
                            "study",
                            models.TextField(
                                blank=True, help_text="What the data showed against the prediction."
                            ),
                        ),
                        (
                            "act",
                            models.TextField(
                                blank=True, help_text="Adopt, adapt or abandon — and what next."
                            ),
                        ),
                        ("started_on", models.DateField()),
                        ("ended_on", models.DateField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "measure",
                            models.ForeignKey(
                                blank=True,
                                help_text="The measure whose chart shows this cycle (optional).",
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="pdsa_cycles",
                                to="measures.measure",
                            ),
                        ),
                        (
                            "team",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="pdsa_cycles",
                                to="redesign_projects.redesignteam",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "PDSA cycle",
                        "db_table": "redesign_projects_pdsacycle",
                        "ordering": ["team", "started_on", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="Rebase",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("starts_on", models.DateField(verbose_name="recalculate from")),
                        (
                            "reason",
                            models.CharField(
                                help_text="What changed in the process (shown on the chart).",
                                max_length=300,
                            ),
                        ),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "measure",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="rebases",
                                to="measures.measure",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "redesign_projects_rebase",
                        "ordering": ["measure", "starts_on"],
                    },
                ),
                migrations.CreateModel(
                    name="ChartRuleSet",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "shift",
                            models.PositiveSmallIntegerField(
                                default=7,
                                help_text="Points in a row on one side of the mean that signal a shift.",
                            ),
                        ),
                        (
                            "trend",
                            models.PositiveSmallIntegerField(
                                default=7,
                                help_text="Points in a row rising (or falling) that signal a trend.",
                            ),
                        ),
                        (
                            "min_points",
                            models.PositiveSmallIntegerField(
                                default=15,
                                help_text="With fewer points a measure is shown as a run chart.",
                                verbose_name="points for an XmR chart",
                            ),
                        ),
                        (
                            "programme",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="chart_rule_set",
                                to="cohorts.programme",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "chart rule set",
                        "db_table": "redesign_projects_chartruleset",
                        "ordering": ["programme"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("shift__gte", 2), ("trend__gte", 3), ("min_points__gte", 2)
                                ),
                                name="chart_rules_sensible_lengths",
                            )
                        ],
                    },
                ),
                migrations.AddConstraint(
                    model_name="measure",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("team__isnull", False), ("pairing__isnull", True)),
                            models.Q(("team__isnull", True), ("pairing__isnull", False)),
                            _connector="OR",
                        ),
                        name="measure_belongs_to_a_team_or_a_pairing",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="measure",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("baseline_starts_on__isnull", True),
                                ("baseline_ends_on__isnull", True),
                            ),
                            models.Q(
                                ("baseline_starts_on__isnull", False),
                                ("baseline_ends_on__gte", models.F("baseline_starts_on")),
                            ),
                            _connector="OR",
                        ),
                        name="measure_baseline_is_a_period",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="measure",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("team__isnull", False)),
                        fields=("team", "name"),
                        name="measure_name_unique_per_team",
                        violation_error_message="This team already has a measure with this name.",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="measure",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("pairing__isnull", False)),
                        fields=("pairing", "name"),
                        name="measure_name_unique_per_pairing",
                        violation_error_message="This pair already has a measure with this name.",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="datapoint",
                    constraint=models.UniqueConstraint(
                        fields=("measure", "period"), name="datapoint_one_per_period"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="pdsacycle",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("ended_on__isnull", True),
                            ("ended_on__gte", models.F("started_on")),
                            _connector="OR",
                        ),
                        name="pdsa_ends_after_it_starts",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="rebase",
                    constraint=models.UniqueConstraint(
                        fields=("measure", "starts_on"), name="rebase_one_per_date"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="rebase",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("reason", ""), _negated=True),
                        name="rebase_has_a_reason",
                    ),
                ),
            ],
        ),
        migrations.RunPython(relabel_content_types, restore_content_types),
    ]
