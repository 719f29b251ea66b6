"""The programme models from the source documents, as data. ``install_with`` (called by
``modules.services.programme_models_install`` and by a data migration) is idempotent: it
creates what is missing and leaves an administrator's edits alone. ``install_blueprint_with``
(``blueprints.services.programme_models_install`` and a data migration) completes each one as
a blueprint: short-course seats, milestones, assignment templates with rubrics and
close-down periods, again only where the programme has none of them yet."""

import datetime
from typing import Any

# Each module template: (title, theme, kind, half-days, weeks from the cohort start, phase).
# Blueprint parts (``BLUEPRINTS``, by slug): short-course seats by module title; milestones as
# (name, kind, module title or None for the cohort's start, days after the module's first
# day); assignments as dicts (module title or None, days after that module's last day);
# close-downs as (name, first day, last day), every year.
PROGRAMME_MODELS: list[dict[str, Any]] = [
    {
        "name": "Enhanced Care Management and Clinical Leadership",
        "slug": "enhanced-care-management",
        "organisation": "Waitematā District Health Board",
        "description": (
            "Equips senior clinical and managerial leaders to deliver the tasks of clinical "
            "management and care redesign: clinicians as stewards, not only users, of "
            "healthcare resources. Five modules of a day and a half at three-monthly intervals; "
            "clinically-led teams redesign care for a population subgroup, a clinical condition "
            "or a work process through assignments."
        ),
        "default_capacity": 50,
        "phases": [],
        "project_kinds": ["Care redesign"],
        "modules": [
            ("Strategy", "Strategy and the clinical leader's role", "module", 3, 0, ""),
            ("Operations design", "Designing care processes", "module", 3, 13, ""),
            ("Culture and change", "Leading people through change", "module", 3, 26, ""),
            ("Improvement and innovation", "Measurement and QI", "module", 3, 39, ""),
            ("System review", "Reviewing the redesigned system", "module", 3, 52, ""),
            ("Financial literacy", "Short course", "short_course", 1, 20, ""),
        ],
    },
    {
        "name": "Primary Care Network Leadership Programme",
        "slug": "primary-care-network-leadership",
        "organisation": "Stepney and Whitechapel Network (Healthskills)",
        "description": (
            "Twelve months in three trimesters for GPs, nurse practitioners and practice "
            "managers: eight half-day Leadership Insight days combining workshops and action "
            "learning, a leadership challenge closing each trimester, and one outcome-based "
            "project (e.g. COPD) delivered at the end."
        ),
        "default_capacity": 24,
        "phases": ["Trimester 1", "Trimester 2", "Trimester 3"],
        "project_kinds": ["Outcome-based project"],
        "modules": [
            (
                "Insight day 1: Leading change",
                "Change management",
                "insight_day",
                1,
                0,
                "Trimester 1",
            ),
            (
                "Insight day 2: Commercial acumen",
                "Commercial acumen",
                "insight_day",
                1,
                6,
                "Trimester 1",
            ),
            (
                "Insight day 3: Business management",
                "Business management",
                "insight_day",
                1,
                12,
                "Trimester 1",
            ),
            (
                "Trimester 1 leadership challenge",
                "Leadership challenge",
                "challenge",
                1,
                16,
                "Trimester 1",
            ),
            (
                "Insight day 4: Team development",
                "Team development",
                "insight_day",
                1,
                20,
                "Trimester 2",
            ),
            (
                "Insight day 5: Values and behaviours",
                "Leadership behaviours",
                "insight_day",
                1,
                26,
                "Trimester 2",
            ),
            ("Insight day 6: Commissioning", "Commissioning", "insight_day", 1, 32, "Trimester 2"),
            (
                "Trimester 2 leadership challenge",
                "Leadership challenge",
                "challenge",
                1,
                34,
                "Trimester 2",
            ),
            (
                "Insight day 7: Working as a network",
                "Networks",
                "insight_day",
                1,
                38,
                "Trimester 3",
            ),
            ("Insight day 8: Delivering outcomes", "Outcomes", "insight_day", 1, 44, "Trimester 3"),
            (
                "Trimester 3 leadership challenge",
                "Leadership challenge",
                "challenge",
                1,
                50,
                "Trimester 3",
            ),
        ],
    },
    {
        "name": "Clinician–Manager Partnership Programme",
        "slug": "clinician-manager-partnership",
        "organisation": "Guy's and St Thomas' NHS Foundation Trust",
        "description": (
            "Junior doctors paired with managers: workshops, shadowing of each other's roles, "
            "and a quality-improvement project led by each pair."
        ),
        "default_capacity": 40,
        "phases": [],
        "project_kinds": ["QI project per pair"],
        "modules": [
            ("Launch workshop", "Understanding each other's roles", "workshop", 2, 0, ""),
            ("QI methods workshop", "Measurement for improvement", "workshop", 2, 8, ""),
            ("Progress workshop", "Peer review of projects", "workshop", 2, 20, ""),
            ("Celebration and sharing", "Presenting results", "workshop", 1, 34, ""),
        ],
    },
    {
        "name": "Measurement Culture Programme",
        "slug": "measurement-culture",
        "organisation": "Kaiser Permanente and The King's Fund",
        "description": (
            "Builds a culture of measurement for improvement: teams receive timely monthly data "
            "on their measures, learn to read variation, and review one another's work with "
            "peers across the cohort."
        ),
        "default_capacity": 40,
        "phases": [],
        "project_kinds": ["Measurement for improvement"],
        "modules": [
            ("Measurement for improvement", "Run charts and SPC", "workshop", 2, 0, ""),
            ("Peer learning and review", "Reviewing each other's data", "workshop", 2, 16, ""),
            ("Sharing results", "What the data showed", "workshop", 1, 40, ""),
        ],
    },
]

_DATA_RUBRIC = (
    "Measures defined: Not yet | Operational definitions | Definitions with data sources\n"
    "Charts: Missing | Run chart | Run or SPC chart read correctly\n"
    "Learning: Not stated | Described | Linked to changes tested"
)

BLUEPRINTS: dict[str, dict[str, Any]] = {
    "enhanced-care-management": {
        "seats": {"Financial literacy": 20},
        "milestones": [
            ("System review presentations", "review", "System review", 1),
        ],
        "assignments": [
            {
                "title": "Redesign proposal",
                "module": "Strategy",
                "days": 21,
                "kind": "team",
                "brief": "Choose a population subgroup, clinical condition or work process and "
                "say why it matters: the problem, who it affects and what you aim to change.",
                "rubric": (
                    "Problem definition: Unclear | Defined | Defined with local data\n"
                    "Population and scope: Missing | Described | Bounded and justified\n"
                    "Stewardship of resources: Not considered | Considered | Quantified"
                ),
            },
            {
                "title": "Process map and measures",
                "module": "Operations design",
                "days": 28,
                "kind": "team",
                "brief": "Map the current process and choose outcome, process and balancing "
                "measures for the redesign.",
                "rubric": _DATA_RUBRIC,
            },
            {
                "title": "Leading change reflection",
                "module": "Culture and change",
                "days": 21,
                "kind": "individual",
                "brief": "Reflect on how you led people through a change in your team.",
                "rubric": (
                    "Self-awareness: Limited | Evident | Insightful\n"
                    "Use of theory: Absent | Present | Applied critically"
                ),
            },
            {
                "title": "Final redesign report",
                "module": "Improvement and innovation",
                "days": 56,
                "kind": "team",
                "brief": "Report the redesigned system, its results and what you will sustain; "
                "you present it at the System review module.",
                "rubric": (
                    "Results: Not shown | Shown | Shown with run charts\n"
                    "Sustainability: Not addressed | Planned | Owned by the service\n"
                    "Clinical leadership: Not evident | Evident | Exemplary"
                ),
            },
        ],
        "close_downs": [
            (
                "Christmas–New Year close-down",
                datetime.date(2026, 12, 24),
                datetime.date(2027, 1, 5),
            ),
        ],
    },
    "primary-care-network-leadership": {
        "seats": {},
        "milestones": [
            (
                "Trimester 1 leadership challenge",
                "leadership_challenge",
                "Trimester 1 leadership challenge",
                0,
            ),
            (
                "Trimester 2 leadership challenge",
                "leadership_challenge",
                "Trimester 2 leadership challenge",
                0,
            ),
            (
                "Trimester 3 leadership challenge",
                "leadership_challenge",
                "Trimester 3 leadership challenge",
                0,
            ),
            ("Outcome-based project delivered", "project", None, 357),
        ],
        "assignments": [
            {
                "title": "Outcome-based project",
                "module": "Insight day 8: Delivering outcomes",
                "days": 42,
                "kind": "team",
                "brief": "Deliver a project with a measurable outcome for your network's "
                "patients (for example COPD admissions), with its results.",
                "rubric": (
                    "Outcome: Not measured | Measured | Improved and measured\n"
                    "Network working: Single practice | Several practices | Whole network\n"
                    "Learning shared: Not yet | Within the team | Across the network"
                ),
            },
        ],
        "close_downs": [
            ("Christmas close-down", datetime.date(2026, 12, 24), datetime.date(2027, 1, 2)),
        ],
    },
    "clinician-manager-partnership": {
        "seats": {},
        "milestones": [
            ("Two-way shadowing completed", "other", "QI methods workshop", 28),
            ("Pair projects presented", "review", "Celebration and sharing", 0),
        ],
        "assignments": [
            {
                "title": "Pair QI project plan",
                "module": "Launch workshop",
                "days": 28,
                "kind": "individual",
                "brief": "With your partner, state your QI project's aim, measures and first "
                "PDSA cycle.",
                "rubric": (
                    "Aim: Vague | Specific | Specific, measurable and timed\n"
                    "Partnership: One-sided | Shared | Each brings their role"
                ),
            },
            {
                "title": "Pair QI project report",
                "module": "Progress workshop",
                "days": 70,
                "kind": "individual",
                "brief": "Report your pair's project: measures, PDSA cycles and what changed.",
                "rubric": _DATA_RUBRIC,
            },
        ],
        "close_downs": [],
    },
    "measurement-culture": {
        "seats": {},
        "milestones": [
            (f"Monthly data: month {month}", "data", None, month * 30) for month in range(1, 11)
        ],
        "assignments": [
            {
                "title": "Measurement plan",
                "module": "Measurement for improvement",
                "days": 21,
                "kind": "team",
                "brief": "Define your measures, their data sources and who sends the data "
                "each month.",
                "rubric": _DATA_RUBRIC,
            },
            {
                "title": "Peer review of another team's data",
                "module": "Peer learning and review",
                "days": 14,
                "kind": "individual",
                "brief": "Review another team's charts with the rubric and suggest one change "
                "to test.",
                "rubric": (
                    "Reading variation: Incorrect | Mostly correct | Correct with rules named\n"
                    "Suggestion: None | General | Specific and testable"
                ),
            },
        ],
        "close_downs": [],
    },
}


PROGRAMME_FIELDS = (
    "name",
    "organisation",
    "description",
    "default_capacity",
    "phases",
    "project_kinds",
)


def install_with(programme_model, module_template_model) -> list:
    """Create the shipped programme models that do not exist yet (matched by slug), with their
    module templates; leave existing ones (and an administrator's edits to them) alone.

    Takes the model classes so the data migration can pass its historical models and the app
    can pass the real ones: one source for the definitions, two callers."""
    programmes = []
    for spec in PROGRAMME_MODELS:
        programme, created = programme_model.objects.get_or_create(
            slug=spec["slug"], defaults={key: spec[key] for key in PROGRAMME_FIELDS}
        )
        if created:
            module_template_model.objects.bulk_create(
                module_template_model(
                    programme=programme,
                    position=position,
                    title=title,
                    theme=theme,
                    kind=kind,
                    length_half_days=half_days,
                    offset_weeks=weeks,
                    phase=phase,
                )
                for position, (title, theme, kind, half_days, weeks, phase) in enumerate(
                    spec["modules"], start=1
                )
            )
        programmes.append(programme)
    return programmes


def install_blueprint_with(
    programme_model,
    module_template_model,
    milestone_template_model,
    assignment_template_model,
    close_down_model,
) -> None:
    """Complete each shipped programme (matched by slug) as a blueprint: seats on its short
    courses where none are set, and its milestones, assignment templates and close-downs
    when it has none of that kind yet (an administrator's own stay as they are). A module
    named in the data but renamed by an administrator leaves the item dated from the
    cohort's start. Takes the model classes, like ``install_with``."""
    for programme in programme_model.objects.filter(slug__in=BLUEPRINTS):
        spec = BLUEPRINTS[programme.slug]
        modules = {
            template.title: template
            for template in module_template_model.objects.filter(programme=programme)
        }
        for title, seats in spec["seats"].items():
            module_template_model.objects.filter(
                programme=programme, title=title, seat_limit__isnull=True
            ).update(seat_limit=seats)
        if not milestone_template_model.objects.filter(programme=programme).exists():
            milestone_template_model.objects.bulk_create(
                milestone_template_model(
                    programme=programme,
                    name=name,
                    kind=kind,
                    module_template=modules.get(module) if module else None,
                    offset_days=days,
                )
                for name, kind, module, days in spec["milestones"]
            )
        if not assignment_template_model.objects.filter(programme=programme).exists():
            assignment_template_model.objects.bulk_create(
                assignment_template_model(
                    programme=programme,
                    module_template=modules.get(item["module"]) if item["module"] else None,
                    title=item["title"],
                    brief=item["brief"],
                    kind=item["kind"],
                    rubric=item["rubric"],
                    due_offset_days=item["days"],
                )
                for item in spec["assignments"]
            )
        if not close_down_model.objects.filter(programme=programme).exists():
            close_down_model.objects.bulk_create(
                close_down_model(
                    programme=programme, name=name, starts_on=first, ends_on=last, every_year=True
                )
                for name, first, last in spec["close_downs"]
            )
