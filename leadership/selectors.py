from django.db.models import Q, QuerySet

from .models import Notification

NOTIFICATION_LOG_LIMIT = 500


def notifications_for_cohort(cohort, filters: dict) -> QuerySet[Notification]:
    """A cohort's notifications, newest first, with recipients (one query), filtered by
    ``kind``, ``status`` and part of the ``person``'s name or e-mail; at most 500 rows."""
    rows = Notification.objects.filter(cohort_id=cohort.pk).select_related("recipient")
    if filters.get("kind"):
        rows = rows.filter(kind=filters["kind"])
    if filters.get("status"):
        rows = rows.filter(status=filters["status"])
    if filters.get("person"):
        term = filters["person"]
        rows = rows.filter(
            Q(recipient__email__icontains=term)
            | Q(recipient__first_name__icontains=term)
            | Q(recipient__last_name__icontains=term)
        )
    return rows.order_by("-scheduled_for", "-id")[:NOTIFICATION_LOG_LIMIT]
