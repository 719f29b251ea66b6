from django.db.models import Q

from .keyset import Cursor, KeysetPage
from .models import Notification, User

NOTIFICATION_PAGE_SIZE = 50


# The columns of an e-mail and its recipient that the e-mail log reads
# (``cohorts/templatetags/notification_rows.py``).
LOG_COLUMNS = (
    "scheduled_for",
    "kind",
    "status",
    "attempts",
    "last_error",
    "recipient__first_name",
    "recipient__last_name",
    "recipient__email",
)


def notifications_for_cohort(cohort, filters: dict, cursor: Cursor) -> KeysetPage:
    """A page of a cohort's notifications, newest first (by when they were due), each with
    its recipient, from the position ``cursor`` names ("Newer"/"Older"; no count), filtered by
    ``kind``, ``status`` and part of the ``person``'s name or e-mail.

    One query however many e-mails the cohort has or how deep the page: the rows next to the
    position, from the index ``(cohort_id, scheduled_for, id)``."""
    rows = (
        Notification.objects.filter(cohort_id=cohort.pk)
        .select_related("recipient")
        # What the log shows: not the e-mail's context and attachments (JSON decoded for
        # each row) nor the recipient's other columns, which made the page's time grow with
        # its rows.
        .only(*LOG_COLUMNS)
    )
    if filters.get("kind"):
        rows = rows.filter(kind=filters["kind"])
    if filters.get("status"):
        rows = rows.filter(status=filters["status"])
    if filters.get("person"):
        term = filters["person"]
        matching = User.objects.filter(
            Q(email__icontains=term) | Q(first_name__icontains=term) | Q(last_name__icontains=term)
        ).values("pk")
        rows = rows.filter(recipient_id__in=matching)
    page = cursor.slice(rows, time="scheduled_for", size=NOTIFICATION_PAGE_SIZE)
    return KeysetPage.from_rows(
        list(page), cursor, time="scheduled_for", size=NOTIFICATION_PAGE_SIZE
    )
