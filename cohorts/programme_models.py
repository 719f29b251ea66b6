"""The programme models from the source documents, as data. ``install_with`` (called by
``modules.services.programme_models_install`` and by a data migration) is idempotent: it
creates what is missing and leaves an administrator's edits alone."""

from typing import Any

# Each module template: (title, theme, kind, half-days, weeks from the cohort start, phase).
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
]


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
