"""The planner of 360 reminders (``home.planners`` runs it every minute): a rater who has not
answered gets a reminder a week after they were asked and another a week later — never more
than two. It first closes the 360s past their closing time, which erases their raters'
addresses (nothing is sent to a closed 360's raters)."""

import datetime

from django.db.models import Q

from .models import FeedbackRound, Rater
from .services import feedback_rounds_close_due, rater_remind

REMINDER_EVERY = datetime.timedelta(days=7)


def plan_feedback_reminders(now: datetime.datetime) -> int:
    """Returns how many reminders it recorded. Idempotent: each reminder is claimed on the
    rater's counter and has its own dedup key."""
    feedback_rounds_close_due(now=now)
    due = (
        Rater.objects.filter(
            round__status=FeedbackRound.Status.OPEN,
            round__closes_at__gt=now,
            responded=False,
        )
        .exclude(email="")
        .filter(
            Q(reminders_sent=0, invited_at__lte=now - REMINDER_EVERY)
            | Q(reminders_sent=1, invited_at__lte=now - 2 * REMINDER_EVERY)
        )
        .select_related("round__cohort__programme", "round__participant")
    )
    return sum(rater_remind(rater=rater, number=rater.reminders_sent + 1) for rater in due)
