"""Bulk actions on the people list: select many (or all matching the filter), preview with the
count and names, confirm; one transaction, audited once per person, safe to submit twice."""

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from cohorts.models import Announcement, Enrolment
from leadership.models import AuditEvent, Notification
from modules.models import ShortCourseSignup
from tests.factories import EnrolmentFactory, UserFactory
from tests.modules.helpers import make_module, make_session
from tests.security.hostile import ESCAPED, payload, unescaped

pytestmark = pytest.mark.django_db


def _invited(cohort, n: int, prefix: str = "new") -> list[Enrolment]:
    """``n`` participants who have not set a password (their invitation not accepted)."""
    return [
        EnrolmentFactory(
            cohort=cohort,
            person=UserFactory(
                email=f"{prefix}{i}@example.org", last_name=f"Person {i:02}", password=None
            ),
        )
        for i in range(n)
    ]


def _bulk(client, cohort, **query):
    return client.get(reverse("cohorts:people_bulk", args=[cohort.pk]), query)


def _confirm(client, cohort, action, enrolments, **data):
    return client.post(
        reverse("cohorts:people_bulk", args=[cohort.pk]),
        {"action": action, "enrolment": [e.pk for e in enrolments], **data},
    )


@pytest.mark.parametrize("extra", [3, 40])
def test_the_administrators_people_list_costs_the_same_queries_whatever_its_size(
    client, administrator, cohort, participant, django_assert_num_queries, extra
):
    _invited(cohort, extra)
    client.force_login(administrator)
    # the session with its person, the cohort with the user's roles in it and the navigation's, the
    # count of the people matching the filter, the page of them with their accounts
    with django_assert_num_queries(4):
        page = client.get(reverse("cohorts:cohort_people", args=[cohort.pk]))
    html = page.content.decode()
    assert html.count('name="enrolment"') == min(extra + 1, 25)
    assert f"Select all {extra + 1} in the list" in html
    # The preview of all of them: the session with its person, the cohort with roles (in it and the
    # navigation's), the selection with its people.
    with django_assert_num_queries(4):
        preview = _bulk(client, cohort, action="resend", all="1")
    assert preview.content.decode().count('name="enrolment"') == extra + 1


def test_members_see_the_list_without_filters_or_selection(client, participant, cohort, faculty):
    client.force_login(participant)
    html = client.get(reverse("cohorts:cohort_people", args=[cohort.pk])).content.decode()
    assert "Margaret" in html and 'name="enrolment"' not in html and "Preview" not in html


def test_select_all_matching_the_filter_selects_every_page_on_the_server(
    client, administrator, cohort, participant
):
    _invited(cohort, 40)
    client.force_login(administrator)
    filtered = client.get(
        reverse("cohorts:cohort_people", args=[cohort.pk]), {"not_accepted": "1"}
    ).content.decode()
    assert "Select all 40 matching the filter" in filtered
    assert filtered.count('name="enrolment"') == 25  # one page shown
    preview = _bulk(client, cohort, action="resend", all="1", not_accepted="1").content.decode()
    assert "applies to <strong>40</strong>" in preview
    assert preview.count('name="enrolment"') == 40 and "Aroha" not in preview


def test_a_bulk_resend_sent_twice_invites_each_person_once_and_audits_each_once(
    client, administrator, cohort, participant, django_capture_on_commit_callbacks
):
    enrolments = _invited(cohort, 40)
    client.force_login(administrator)
    for _ in range(2):
        response = _confirm(client, cohort, "resend", [*enrolments, participant.enrolments.get()])
        assert response.status_code == 302
    keys = list(
        Notification.objects.filter(kind=Notification.Kind.INVITATION).values_list(
            "recipient_id", flat=True
        )
    )
    assert sorted(keys) == sorted(e.person_id for e in enrolments)
    assert AuditEvent.objects.filter(action="person.invite", actor=administrator).count() == 40


def test_a_bulk_withdrawal_with_a_date_in_the_future_changes_nothing(
    client, administrator, cohort, participant
):
    enrolments = _invited(cohort, 3)
    client.force_login(administrator)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = _confirm(client, cohort, "withdraw", enrolments, withdrawn_on=tomorrow, reason="x")
    assert response.status_code == 400
    assert "cannot be in the future" in response.content.decode()
    assert not Enrolment.objects.filter(status=Enrolment.Status.WITHDRAWN).exists()

    today = timezone.localdate()
    _confirm(client, cohort, "withdraw", enrolments, withdrawn_on=today, reason="Moved away")
    assert Enrolment.objects.filter(status=Enrolment.Status.WITHDRAWN).count() == 3
    assert AuditEvent.objects.filter(action="enrolment.status").count() == 3


def test_a_short_course_without_seats_for_everyone_signs_up_nobody(
    client, administrator, cohort, participant
):
    enrolments = _invited(cohort, 3)
    day = timezone.localdate() + datetime.timedelta(days=20)
    course = make_session(make_module(cohort), day, seat_limit=2)
    client.force_login(administrator)
    preview = _bulk(client, cohort, action="short_course", enrolment=[e.pk for e in enrolments])
    assert "2 seats left" in preview.content.decode()

    response = _confirm(client, cohort, "short_course", enrolments, session=course.pk)
    assert response.status_code == 400 and "All 2 seats are taken" in response.content.decode()
    assert not ShortCourseSignup.objects.exists()

    _confirm(client, cohort, "short_course", enrolments[:2], session=course.pk)
    _confirm(client, cohort, "short_course", enrolments[:2], session=course.pk)  # again
    assert ShortCourseSignup.objects.count() == 2
    assert AuditEvent.objects.filter(action="short_course.signup").count() == 2


def test_an_announcement_to_the_selection_is_sent_once_and_audited_per_person(
    client, administrator, cohort, participant, faculty
):
    chosen = [participant.enrolments.get(), faculty.enrolments.get()]
    client.force_login(administrator)
    data = {"subject": "Room change", "body": "Level 3 today.", "form_token": uuid.uuid4()}
    _confirm(client, cohort, "announce", chosen, **data)
    _confirm(client, cohort, "announce", chosen, **data)  # a double click
    (announcement,) = Announcement.objects.all()
    assert announcement.recipient_count == 2
    assert Notification.objects.filter(kind=Notification.Kind.ANNOUNCEMENT).count() == 2
    assert AuditEvent.objects.filter(action="announcement.recipient").count() == 2


def test_the_export_of_a_selection_is_formula_safe_and_named_from_the_current_names(
    client, administrator, cohort, participant, other_participant
):
    participant.first_name = "=HYPERLINK(1)"
    participant.save()
    cohort.name = "Cohort Rua"
    cohort.save()
    client.force_login(administrator)
    stranger = other_participant.enrolments.get()  # another cohort's: ignored
    response = _confirm(
        client, cohort, "export", [participant.enrolments.get(), stranger], format="csv"
    )
    body = response.content.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in body and "Wiremu" not in body
    assert response["Content-Disposition"].startswith(
        'attachment; filename="enhanced-care-management-cohort-rua-people-selection-'
    )
    assert AuditEvent.objects.filter(action="cohort.people_export_person").count() == 1


def test_outsiders_do_not_find_the_bulk_page_and_an_empty_selection_goes_back(
    client, administrator, other_participant, cohort, participant
):
    client.force_login(other_participant)
    assert _bulk(client, cohort, action="resend").status_code == 404
    client.force_login(administrator)
    response = _bulk(client, cohort, action="resend")
    assert response.status_code == 302
    assert response["Location"] == reverse("cohorts:cohort_people", args=[cohort.pk])


def test_hostile_names_in_a_preview_are_shown_only_as_text(client, administrator, cohort):
    hostile = payload(max_length=150, multiline=False)
    enrolment = EnrolmentFactory(cohort=cohort, person=UserFactory(first_name=hostile[:150]))
    client.force_login(administrator)
    html = _bulk(client, cohort, action="withdraw", enrolment=[enrolment.pk]).content.decode()
    assert ESCAPED in html and not unescaped(html)
