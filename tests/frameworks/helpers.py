"""Builders for framework tests, through the services as the product makes things."""

import datetime
import uuid

from django.utils import timezone

from frameworks import services
from frameworks.models import Framework, RaterGroup, SelfAssessment, Statement


def example() -> Framework:
    """The shipped example (reinstalled if a transactional test emptied the tables)."""
    return services.example_framework_install()


def use_example(programme, administrator) -> Framework:
    framework = example()
    services.programme_framework_choose(
        programme=programme, framework=framework, acting_user=administrator
    )
    return framework


def all_rated(framework: Framework, value) -> dict[int, int]:
    """Every statement rated ``value`` (a number, or a function of the statement's position
    in its dimension and the dimension's position)."""
    statements = Statement.objects.filter(dimension__framework=framework).select_related(
        "dimension"
    )
    return {
        s.pk: value(s.dimension.position, s.position) if callable(value) else value
        for s in statements
    }


def form_data(framework: Framework, value: int) -> dict[str, str]:
    return {f"s{pk}": str(v) for pk, v in all_rated(framework, value).items()}


def assess(cohort, person, kind, value, *, now=None):
    """Send a self-assessment inside its window (``now`` defaults to the cohort's first day)."""
    if now is None:
        now = timezone.make_aware(datetime.datetime.combine(cohort.starts_on, datetime.time(12)))
    return services.self_assessment_submit(
        cohort=cohort,
        person=person,
        kind=kind,
        ratings=all_rated(services.selectors.framework_for_cohort(cohort), value),
        now=now,
    )


def invite(cohort, participant, group=RaterGroup.PEER, email=None, **kwargs):
    email = email or f"rater-{uuid.uuid4().hex[:8]}@example.net"
    rater = services.rater_invite(
        cohort=cohort, participant=participant, group=group, email=email, **kwargs
    )
    return rater, services.rater_token(rater)


def answers(cohort, participant, group, values, framework=None):
    """One rater of ``group`` per value in ``values``, each answering every statement with it."""
    framework = framework or example()
    for index, value in enumerate(values):
        _rater, token = invite(
            cohort,
            participant,
            group,
            email=f"{group}{index}-{uuid.uuid4().hex[:8]}@raters.example.net",
        )
        services.feedback_submit(token=token, ratings=all_rated(framework, value))


START, END = SelfAssessment.Kind.START, SelfAssessment.Kind.END


def last_session_on(cohort, day: datetime.date):
    """Give the cohort one module whose session is on ``day`` (its last session)."""
    from modules.models import Module, Session  # a plain row: these tests need only its date

    module = Module.objects.create(cohort=cohort, position=1, title="Closing module")
    starts = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
    return Session.objects.create(
        module=module, starts_at=starts, ends_at=starts + datetime.timedelta(hours=6)
    )
