import io

from django.core.management import call_command

from leadership.models import Notification


def test_the_demo_leaves_a_notification_log_with_sent_pending_and_failed_rows(db):
    call_command("load_demo", stdout=io.StringIO())
    statuses = set(Notification.objects.values_list("status", flat=True))
    assert {"sent", "pending", "failed"} <= statuses
    count = Notification.objects.count()
    call_command("load_demo", stdout=io.StringIO())
    assert Notification.objects.count() == count
