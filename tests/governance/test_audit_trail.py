"""The audit trail is append-only in the database, records exports, downloads and role changes,
and administrators browse it within their programmes with a flat number of queries."""

import datetime
import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from cohorts.models import Enrolment
from leadership.audit import audit_maintenance
from leadership.models import AuditEvent
from leadership.services import audit_record
from reports.models import ReportRequest
from tests.factories import CohortFactory, EnrolmentFactory, ProgrammeFactory, UserFactory
from tests.totp import give_authenticator_app


def superuser():
    """A superuser as the site would have one: staff, with two-factor authentication."""
    user = UserFactory(is_staff=True, is_superuser=True)
    give_authenticator_app(user)
    return user


# --- append-only --------------------------------------------------------------------------


@pytest.fixture
def event(cohort, administrator, participant):
    return audit_record(
        actor=administrator,
        action="enrolment.status",
        target=participant,
        cohort_id=cohort.pk,
        person_id=participant.pk,
    )


def test_the_database_refuses_to_change_an_audit_event(event):
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="nothing.happened")
    event.refresh_from_db()
    assert event.action == "enrolment.status"


def test_the_database_refuses_to_delete_an_audit_event(event):
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_raw_sql_is_refused_too(event):
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM leadership_auditevent")
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_maintenance_door_lets_erasure_rewrite_only_the_text(event):
    with transaction.atomic(), audit_maintenance():
        AuditEvent.objects.filter(pk=event.pk).update(target_repr="Erased person #1")
    event.refresh_from_db()
    assert event.target_repr == "Erased person #1"
    with (
        pytest.raises(IntegrityError, match="target_repr and changes only"),
        transaction.atomic(),
        audit_maintenance(),
    ):
        AuditEvent.objects.filter(pk=event.pk).update(person_id=None)


def test_the_maintenance_door_closes_with_its_transaction(event):
    with transaction.atomic(), audit_maintenance():
        pass
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()


def test_the_maintenance_door_closes_when_its_block_fails(event):
    with pytest.raises(IntegrityError), transaction.atomic(), audit_maintenance():
        AuditEvent.objects.filter(pk=event.pk).update(person_id=None)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()


def test_the_maintenance_door_needs_a_transaction():
    with pytest.raises(RuntimeError), audit_maintenance():
        pass


def test_an_event_records_its_programme_with_no_extra_query(
    cohort, programme, participant, django_assert_num_queries
):
    ContentType.objects.get_for_model(cohort)  # cached for the rest of the process
    # The INSERT, with the cohort's programme as a subquery in it.
    with django_assert_num_queries(1):
        about_cohort = audit_record(
            actor=None, action="cohort.status", target=cohort, cohort_id=cohort.pk
        )
    about_programme = audit_record(actor=None, action="programme.update", target=programme)
    about_account = audit_record(actor=None, action="auth.login", target=participant)
    assert about_cohort.programme_id == programme.pk  # read back from the row
    assert about_programme.programme_id == programme.pk
    assert about_account.programme_id is None


def test_the_backfill_fills_in_missing_programmes_and_nothing_changes_a_recorded_one(
    cohort, programme
):
    event = audit_record(actor=None, action="cohort.status", target=cohort, cohort_id=cohort.pk)
    with transaction.atomic(), audit_maintenance():
        AuditEvent.objects.filter(pk=event.pk).delete()
    missing = AuditEvent.objects.create(
        action="cohort.status",
        target_type=event.target_type,
        target_id=event.target_id,
        target_repr=event.target_repr,
        cohort_id=cohort.pk,
    )
    call_command("audit_backfill_programmes", stdout=io.StringIO())
    missing.refresh_from_db()
    assert missing.programme_id == programme.pk
    with (
        pytest.raises(IntegrityError, match="target_repr and changes only"),
        transaction.atomic(),
        audit_maintenance(),
    ):
        AuditEvent.objects.filter(pk=missing.pk).update(programme_id=programme.pk + 1)


# --- what is recorded ---------------------------------------------------------------------


def _actions():
    events = AuditEvent.objects.filter(action__endswith="export")
    return list(events.order_by("pk").values_list("action", flat=True))


def test_exporting_the_people_list_is_audited(client, cohort, administrator):
    client.force_login(administrator)
    client.get(reverse("cohorts:people_export_csv", args=[cohort.pk]))
    event = AuditEvent.objects.get(action="cohort.people_export")
    assert (event.actor, event.cohort_id, event.changes["format"]) == (
        administrator,
        cohort.pk,
        "csv",
    )


def test_exporting_attendance_and_report_figures_is_audited(client, cohort, administrator):
    client.force_login(administrator)
    client.get(reverse("modules:attendance_export", args=[cohort.pk, "csv"]))
    client.get(reverse("reports:report_export_csv", args=[cohort.pk, "attendance"]))
    client.get(reverse("reports:report_export_xlsx", args=[cohort.pk]))
    assert _actions() == ["attendance.export", "report.export", "report.export"]


def test_downloading_a_report_is_audited_with_whose_it_is(
    client, cohort, administrator, participant, settings
):
    report = ReportRequest.objects.create(
        cohort=cohort,
        kind=ReportRequest.Kind.TRANSCRIPT,
        person=participant,
        requested_by=administrator,
    )
    report.file.save("x.pdf", ContentFile(b"%PDF-1.4"), save=False)
    report.status = ReportRequest.Status.READY
    report.save()
    client.force_login(administrator)
    response = client.get(reverse("reports:report_download", args=[cohort.pk, report.pk]))
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="report.download")
    assert (event.actor, event.person_id, event.target_id) == (
        administrator,
        participant.pk,
        str(report.pk),
    )


def test_making_someone_a_programme_administrator_in_the_admin_site_is_audited(
    client, programme, participant
):
    admin_user = superuser()
    client.force_login(admin_user)
    url = reverse("admin:cohorts_programme_change", args=[programme.pk])
    response = client.post(
        url,
        {
            "name": programme.name,
            "slug": programme.slug,
            "default_capacity": 40,
            "phases": "[]",
            "project_kinds": "[]",
            "completion_min_attendance_percent": 80,
            "completion_requires_final_assignment": "on",
            "administrators": [participant.pk],
            "created_at_0": "2026-01-01",
            "created_at_1": "09:00:00",
            "module_templates-TOTAL_FORMS": 0,
            "module_templates-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    role = AuditEvent.objects.get(action="programme.administrators")
    assert role.actor == admin_user
    assert role.changes == {"added": [participant.pk], "removed": []}
    change = AuditEvent.objects.get(action="programme.admin_change")
    assert change.changes["default_capacity"] == ["50", "40"]


def test_changing_an_enrolment_role_in_the_admin_site_is_audited(client, cohort, participant):
    admin_user = superuser()
    enrolment = Enrolment.objects.get(person=participant)
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:cohorts_enrolment_change", args=[enrolment.pk]),
        {
            "cohort": cohort.pk,
            "person": participant.pk,
            "role": "faculty",
            "status": "enrolled",
            "withdrawal_reason": "",
            "created_at_0": "2026-01-01",
            "created_at_1": "09:00:00",
            "updated_at_0": "2026-01-01",
            "updated_at_1": "09:00:00",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = AuditEvent.objects.get(action="enrolment.admin_change")
    assert event.changes["role"] == ["participant", "faculty"]
    assert (event.cohort_id, event.person_id) == (cohort.pk, participant.pk)


# --- the browse page ----------------------------------------------------------------------


@pytest.mark.parametrize("events", [5, 120])
def test_the_audit_page_runs_the_same_queries_whatever_the_size_of_the_trail(
    client, cohort, administrator, participant, django_assert_num_queries, events
):
    people = [participant, *UserFactory.create_batch(3)]
    for i in range(events):
        person = people[i % len(people)]
        audit_record(
            actor=administrator,
            action="attendance.record",
            target=cohort,
            cohort_id=cohort.pk,
            person_id=person.pk,
        )
    client.force_login(administrator)
    # 1 the session with its person, 2 the viewer's roles (access and navigation), 3 the
    # programmes they administer with their cohorts (for the filter), 4 one page of events with
    # actors and types, 5 the people those events are about.
    with django_assert_num_queries(5):
        response = client.get(reverse("governance:audit_log"))
    assert response.status_code == 200
    page = response.context["page"]
    assert len(page.rows) == min(events, 50)
    assert page.rows[0].person in people
    assert (page.older is not None) == (events > 50)
    if page.older:
        with django_assert_num_queries(5):
            older = client.get(reverse("governance:audit_log"), {"older": page.older})
        assert len(older.context["page"].rows) == min(events - 50, 50)


def test_the_filter_offers_the_viewers_cohorts_newest_first_and_every_programme_counts(
    programme, administrator, django_assert_num_queries
):
    from governance.selectors import reader_and_cohorts

    without_cohorts = ProgrammeFactory(name="Preceptorship")
    without_cohorts.administrators.add(administrator)
    ProgrammeFactory().administrators.add(UserFactory())  # someone else's
    CohortFactory(programme=programme, name="Older", starts_on=datetime.date(2024, 3, 1))
    CohortFactory(programme=programme, name="Newer", starts_on=datetime.date(2025, 3, 1))
    with django_assert_num_queries(1):
        reader, cohorts = reader_and_cohorts(administrator)
    # A programme with no cohort yet is read too: its own events ("programme changed").
    assert sorted(reader.programme_ids or []) == sorted([programme.pk, without_cohorts.pk])
    assert [(str(c), c.programme_id) for c in cohorts] == [
        (f"{programme.name} — Newer", programme.pk),
        (f"{programme.name} — Older", programme.pk),
    ]


def _page(client, **params):
    response = client.get(reverse("governance:audit_log"), params)
    assert response.status_code == 200
    return response.context["page"]


def _shown(client, **params) -> list[AuditEvent]:
    return _page(client, **params).rows


def test_older_and_newer_walk_the_trail_a_page_at_a_time_without_gaps_or_repeats(
    client, cohort, administrator, participant
):
    # Half the events share one timestamp: the position is (time, id), not time alone.
    same_moment = timezone.now() - datetime.timedelta(hours=1)
    for n in range(130):
        event = audit_record(
            actor=administrator, action="attendance.record", target=cohort, cohort_id=cohort.pk
        )
        if n % 2:
            with transaction.atomic(), audit_maintenance():
                AuditEvent.objects.filter(pk=event.pk).delete()
            AuditEvent.objects.create(
                action="attendance.record",
                target_type=event.target_type,
                target_id=event.target_id,
                target_repr=event.target_repr,
                cohort_id=cohort.pk,
                programme_id=cohort.programme_id,
                created_at=same_moment,
            )
    client.force_login(administrator)

    def page(**params):
        return _page(client, action="attendance.record", **params)

    first = page()
    second = page(older=first.older)
    third = page(older=second.older)
    walked = [e.pk for e in first.rows + second.rows + third.rows]
    expected = AuditEvent.objects.filter(action="attendance.record").order_by("-created_at", "-pk")
    assert walked == list(expected.values_list("pk", flat=True))
    assert (len(third.rows), third.older) == (30, None)
    back = page(newer=third.newer)
    assert [e.pk for e in back.rows] == [e.pk for e in second.rows]
    top = page(newer=back.newer)
    assert [e.pk for e in top.rows] == [e.pk for e in first.rows]
    assert top.newer is None


def test_a_position_that_does_not_parse_shows_the_newest_page(client, administrator, cohort):
    audit_record(actor=None, action="cohort.create", target=cohort, cohort_id=cohort.pk)
    client.force_login(administrator)
    for bad in ("x", "1.2.3", "99999999999999999.1", "<script>", "-1"):
        assert [e.action for e in _shown(client, older=bad)] == ["cohort.create"]


def test_the_page_links_keep_the_filters(client, cohort, administrator):
    for _ in range(51):
        audit_record(actor=None, action="cohort.create", target=cohort, cohort_id=cohort.pk)
    client.force_login(administrator)
    html = client.get(reverse("governance:audit_log"), {"action": "cohort.create"}).content
    assert b"?action=cohort.create&amp;older=" in html


def test_the_audit_page_shows_only_the_administrators_programmes(
    client, cohort, administrator, participant
):
    elsewhere = CohortFactory(programme=ProgrammeFactory())
    stranger = UserFactory(first_name="Quentin", last_name="Outsider")
    EnrolmentFactory(cohort=elsewhere, person=stranger)
    audit_record(
        actor=None,
        action="enrolment.create",
        target=elsewhere,
        cohort_id=elsewhere.pk,
        person_id=stranger.pk,
    )
    audit_record(actor=None, action="person.create", target=stranger, person_id=stranger.pk)
    audit_record(
        actor=None,
        action="enrolment.create",
        target=cohort,
        cohort_id=cohort.pk,
        person_id=participant.pk,
    )
    audit_record(actor=None, action="person.create", target=participant, person_id=participant.pk)
    client.force_login(administrator)
    response = client.get(reverse("governance:audit_log"))
    shown = {(e.action, e.person_id) for e in response.context["page"].rows}
    # An account's own events (here its creation by nobody in particular) belong to no cohort:
    # one account can be in several offices' programmes, so only superusers see them.
    assert shown == {("enrolment.create", participant.pk)}
    assert "Outsider" not in response.content.decode()


def test_a_superuser_sees_every_event(client, cohort, participant):
    elsewhere = CohortFactory(programme=ProgrammeFactory())
    audit_record(actor=None, action="cohort.create", target=elsewhere, cohort_id=elsewhere.pk)
    audit_record(actor=None, action="cohort.create", target=cohort, cohort_id=cohort.pk)
    client.force_login(superuser())
    assert len(_shown(client, action="cohort.create")) == 2


def test_the_audit_page_filters_by_cohort_person_action_and_dates(
    client, programme, cohort, other_cohort, administrator, participant, other_participant
):
    audit_record(
        actor=administrator,
        action="attendance.record",
        target=cohort,
        cohort_id=cohort.pk,
        person_id=participant.pk,
    )
    audit_record(
        actor=administrator,
        action="enrolment.create",
        target=other_cohort,
        cohort_id=other_cohort.pk,
        person_id=other_participant.pk,
    )
    old = audit_record(
        actor=administrator,
        action="enrolment.create",
        target=cohort,
        cohort_id=cohort.pk,
        person_id=participant.pk,
    )
    with transaction.atomic(), audit_maintenance():
        AuditEvent.objects.filter(pk=old.pk).delete()
    AuditEvent.objects.create(
        actor=administrator,
        action="enrolment.create",
        target_type=old.target_type,
        target_id=old.target_id,
        target_repr=old.target_repr,
        cohort_id=cohort.pk,
        programme_id=cohort.programme_id,
        person_id=participant.pk,
        created_at=timezone.now() - datetime.timedelta(days=40),
    )
    client.force_login(administrator)

    def shown(**params):
        return sorted((e.action, e.cohort_id) for e in _shown(client, **params))

    assert shown(cohort=other_cohort.pk) == [("enrolment.create", other_cohort.pk)]
    assert shown(person=participant.first_name) == [
        ("attendance.record", cohort.pk),
        ("enrolment.create", cohort.pk),
    ]
    assert shown(action="enrolment.create") == [
        ("enrolment.create", cohort.pk),
        ("enrolment.create", other_cohort.pk),
    ]
    recent = (timezone.localdate() - datetime.timedelta(days=7)).isoformat()
    assert ("enrolment.create", cohort.pk) not in shown(date_from=recent)
    assert shown(date_to=(timezone.localdate() - datetime.timedelta(days=30)).isoformat()) == [
        ("enrolment.create", cohort.pk)
    ]


def test_the_audit_page_explains_a_backwards_date_range(client, administrator):
    client.force_login(administrator)
    response = client.get(
        reverse("governance:audit_log"), {"date_from": "2026-05-01", "date_to": "2026-04-01"}
    )
    assert response.status_code == 200
    assert "The end date is before the start date." in response.content.decode()
    assert not response.context["page"].rows


def test_a_cohort_outside_the_administrators_reach_is_not_found(client, administrator):
    elsewhere = CohortFactory(programme=ProgrammeFactory())
    client.force_login(administrator)
    assert client.get(reverse("governance:audit_log"), {"cohort": elsewhere.pk}).status_code == 404


@pytest.mark.parametrize("persona", ["participant", "faculty", "clinical_leader"])
def test_people_who_do_not_administer_a_programme_get_not_found(client, personas, persona):
    client.force_login(personas[persona])
    assert client.get(reverse("governance:audit_log")).status_code == 404


def test_the_filter_form_shows_what_was_chosen_and_escapes_what_was_typed(
    client, cohort, administrator
):
    client.force_login(administrator)
    html = client.get(
        reverse("governance:audit_log"),
        {"cohort": cohort.pk, "action": "cohort.create", "person": '"><script>x</script>'},
    ).content.decode()
    assert f'<option value="{cohort.pk}" selected>' in html
    assert '<option value="cohort.create" selected>Cohort created</option>' in html
    assert '<option value="" selected>' not in html
    assert "<script>x</script>" not in html
    assert 'value="&quot;&gt;&lt;script&gt;x&lt;/script&gt;"' in html
