"""Timely monthly data (Kaiser / King's Fund): a monthly measure's value is due by the 7th of
the next month. Its team is reminded when the month ends, and their start page says how late
it is once the due day has passed. Weekly measures are left alone."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from leadership.models import Notification, NotificationPreference
from measures.models import DataPoint
from measures.timeliness import late_monthly_values, plan_measure_data_reminders
from tests.redesign_projects.helpers import make_team, participant_in

from .helpers import add_measure

pytestmark = pytest.mark.django_db


def _at(cohort, day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(10), cohort.tzinfo))


@pytest.fixture
def team(cohort, participant):
    member = participant_in(cohort, profession="nurse")
    return make_team(cohort, lead=participant, members=[participant, member])


@pytest.fixture
def measures(cohort, team):
    with _at(cohort, datetime.date(2026, 1, 10)):
        monthly = add_measure(team, name="Discharges before noon", frequency="monthly")
        weekly = add_measure(team, name="Weekly falls", frequency="weekly")
    for month in (1, 2):
        DataPoint.objects.create(measure=monthly, period=datetime.date(2026, month, 1), value=4)
    return monthly, weekly


def test_the_start_page_says_how_late_the_latest_monthly_value_is(
    client, cohort, participant, team, measures
):
    monthly, _weekly = measures
    with _at(cohort, datetime.date(2026, 4, 19)):
        client.force_login(participant)
        page = client.get(reverse("home:participant_home")).content.decode()
    assert "Monthly data late" in page
    assert "March’s value is 12 days late" in page
    assert "Weekly falls</a> (" not in page.split("Monthly data late")[1].split("</section>")[0]

    DataPoint.objects.create(measure=monthly, period=datetime.date(2026, 3, 1), value=Decimal(5))
    late = late_monthly_values(team_ids=[team.pk], pairing_ids=[], today=datetime.date(2026, 4, 19))
    assert late == []
    # Before the 7th, March is not late yet; February is there.
    late = late_monthly_values(team_ids=[team.pk], pairing_ids=[], today=datetime.date(2026, 4, 5))
    assert late == []


def test_the_team_is_reminded_once_a_month_unless_they_opted_out(
    cohort, participant, team, measures
):
    monthly, _weekly = measures
    with _at(cohort, datetime.date(2026, 3, 2)):
        # February's value is in: nobody is reminded.
        assert plan_measure_data_reminders(now=timezone.now()) == 0
    NotificationPreference.objects.create(person=participant, kind="measure_data_reminder")
    with _at(cohort, datetime.date(2026, 4, 2)):
        assert plan_measure_data_reminders(now=timezone.now()) == 1  # the other member only
        assert plan_measure_data_reminders(now=timezone.now()) == 0
    [reminder] = Notification.objects.all()
    assert reminder.kind == "measure_data_reminder"
    assert reminder.context["month_label"] == "March 2026"
    assert reminder.context["measure_name"] == "Discharges before noon"
    with _at(cohort, datetime.date(2026, 4, 20)):
        # Past the due day the start page says it; no catch-up e-mails.
        assert plan_measure_data_reminders(now=timezone.now()) == 0
