"""Demo data for frameworks: the Enhanced Care Management programme uses the example
framework, and its completed cohort (Cohort 2) has start and end self-assessments and 360s
believable enough for the cohort's learning summary: most people rate themselves higher at
the end, some not; four asked for 360 feedback, with peers and reports above the anonymity
threshold and managers and others below it (so they are merged and withheld). The 360s are
closed, as they would be a year on, so their raters' addresses are erased."""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from cohorts.models import Cohort, Enrolment, Programme
from frameworks import selectors, services
from frameworks.models import RaterGroup, SelfAssessment, Statement

# Per rater group: (asked, answered) for each participant who asked.
RATERS = {
    RaterGroup.MANAGER: (1, 1),
    RaterGroup.PEER: (4, 3),
    RaterGroup.REPORT: (3, 3),
    RaterGroup.OTHER: (2, 1),
}
ASKED_FOR_360 = 4


def _noon(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def _ratings(statements: list[Statement], rng: random.Random, centre: float) -> dict[int, int]:
    return {s.pk: max(1, min(5, round(rng.gauss(centre, 0.7)))) for s in statements}


def load(today: datetime.date) -> None:
    programme = Programme.objects.filter(slug="enhanced-care-management").first()
    if programme is None:
        return
    framework = services.example_framework_install()
    admin = programme.administrators.first()
    if selectors.framework_for_programme(programme) is None:
        services.programme_framework_choose(
            programme=programme, framework=framework, acting_user=admin
        )
    cohort = Cohort.objects.filter(
        programme=programme, status=Cohort.Status.COMPLETED, name="Cohort 2"
    ).first()
    if cohort is None or SelfAssessment.objects.filter(cohort=cohort).exists():
        return
    windows = selectors.self_assessment_windows(cohort)
    if SelfAssessment.Kind.END not in windows:
        return
    start_at = _noon(cohort.starts_on)
    end_at = _noon(windows[SelfAssessment.Kind.END].opens_on + datetime.timedelta(days=21))
    statements = list(Statement.objects.filter(dimension__framework=framework))
    people = [
        e.person
        for e in Enrolment.objects.filter(cohort=cohort, role=Enrolment.Role.PARTICIPANT)
        .select_related("person")
        .order_by("person__last_name", "person__first_name")
    ]
    rng = random.Random(23)  # noqa: S311 — demo data, not security
    with transaction.atomic():
        for index, person in enumerate(people):
            before = rng.uniform(2.2, 3.2)
            services.self_assessment_submit(
                cohort=cohort,
                person=person,
                kind=SelfAssessment.Kind.START,
                ratings=_ratings(statements, rng, before),
                now=start_at,
            )
            if index % 6 == 5:
                continue  # one in six never sent the end one: not a pair
            services.self_assessment_submit(
                cohort=cohort,
                person=person,
                kind=SelfAssessment.Kind.END,
                ratings=_ratings(statements, rng, before + rng.uniform(-0.2, 1.1)),
                now=end_at,
            )
        for person in people[:ASKED_FOR_360]:
            _feedback(cohort, person, statements, rng, end_at)
        # A year on, the 360s have closed and their raters' addresses are gone.
        services.feedback_rounds_close_due(now=timezone.now())


def _feedback(cohort, person, statements, rng, at) -> None:
    local = person.email.split("@")[0]
    for group, (asked, answered) in RATERS.items():
        for number in range(asked):
            rater = services.rater_invite(
                cohort=cohort,
                participant=person,
                group=group,
                email=f"{local}.{group}{number}@raters.example.org",
                now=at,
            )
            if number < answered:
                services.feedback_submit(
                    token=services.rater_token(rater),
                    ratings=_ratings(statements, rng, rng.uniform(3.0, 4.2)),
                    now=at + datetime.timedelta(days=3),
                )
