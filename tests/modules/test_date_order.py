"""Module lists are in date order: a module moved before another is listed before it, though
its position in the sequence is unchanged."""

import datetime

import pytest
from django.utils import timezone

from modules import selectors
from modules.models import Module
from redesign_projects.forms import AssignmentForm
from tests.modules.helpers import make_module, make_session

pytestmark = pytest.mark.django_db


def test_modules_moved_out_of_sequence_are_listed_by_their_dates(cohort, participant):
    today = timezone.localdate()
    first, second, unscheduled = (
        make_module(cohort, position=1, title="Leading self"),
        make_module(cohort, position=2, title="Leading teams"),
        make_module(cohort, position=3, title="Not yet scheduled"),
    )
    make_session(first, today - datetime.timedelta(days=10))
    make_session(second, today - datetime.timedelta(days=40))  # moved before the first
    make_session(first, today - datetime.timedelta(days=50), seat_limit=None, title="Pre-work")

    assert list(selectors.modules_in_date_order(cohort)) == [
        first,  # its first session (the pre-work) is the earliest
        second,
        unscheduled,
    ]
    Module.objects.filter(pk=first.pk).update(position=9)
    first.sessions.filter(title="Pre-work").delete()
    in_order = list(selectors.modules_in_date_order(cohort))
    assert in_order == [second, first, unscheduled]

    choices = [label for _value, label in AssignmentForm(cohort=cohort).fields["module"].choices]
    assert choices[1:] == [str(m) for m in in_order]
    titles = [
        row["title"]
        for row in selectors.programme_attendance_comparison(cohort.programme)["by_module"]
    ]
    assert titles == ["Leading teams", "Leading self"]
