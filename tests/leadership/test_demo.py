from django.utils import timezone

from cohorts import demo as cohorts_demo
from leadership import demo
from leadership.models import Notification


def test_the_demo_leaves_a_notification_log_with_sent_pending_and_failed_rows(db):
    today = timezone.localdate()
    cohorts_demo.load(today)
    demo.load(today)
    statuses = set(Notification.objects.values_list("status", flat=True))
    assert {"sent", "pending", "failed"} <= statuses
    count = Notification.objects.count()
    demo.load(today)
    assert Notification.objects.count() == count
