"""The kernel's demo data: a notification log to look at, and the published authenticator app
for the demo logins whose role needs two-factor authentication."""

from allauth.mfa.models import Authenticator
from django.utils import timezone

from cohorts.models import Enrolment
from demo import cohorts as cohorts_demo
from demo import leadership as leadership_demo
from leadership.models import Notification
from tests.factories import EnrolmentFactory, UserFactory
from tests.totp import secret_of


def test_the_demo_leaves_a_notification_log_with_sent_pending_and_failed_rows(db):
    today = timezone.localdate()
    cohorts_demo.load(today)
    leadership_demo.load(today)
    statuses = set(Notification.objects.values_list("status", flat=True))
    assert {"sent", "pending", "failed"} <= statuses
    count = Notification.objects.count()
    leadership_demo.load(today)
    assert Notification.objects.count() == count


def test_the_demo_leaders_and_administrators_have_the_published_demo_app(programme, cohort):
    admin, leader, participant = (
        UserFactory(email=cohorts_demo.demo_email(n)) for n in ("admin", "leader", "p")
    )
    programme.administrators.add(admin)
    EnrolmentFactory(cohort=cohort, person=leader, role=Enrolment.Role.CLINICAL_LEADER)
    EnrolmentFactory(cohort=cohort, person=participant, role=Enrolment.Role.PARTICIPANT)
    outsider = UserFactory(email="admin@hospital.example.org")
    programme.administrators.add(outsider)
    today = timezone.localdate()
    leadership_demo.load(today)
    leadership_demo.load(today)  # idempotent
    assert secret_of(admin) == secret_of(leader) == leadership_demo.DEMO_TOTP_SECRET
    assert Authenticator.objects.filter(type="totp").count() == 2
