"""ReportRequest and Certificate moved from cohorts to reports keeping their tables; their
content type rows are relabelled, keeping their ids, so what refers to them still does."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType

from leadership.models import AuditEvent
from leadership.services import audit_record
from reports.models import Certificate, ReportRequest

pytestmark = pytest.mark.django_db

MOVE = importlib.import_module("reports.migrations.0002_content_types_from_cohorts")


def test_the_tables_kept_their_names():
    assert ReportRequest._meta.db_table == "cohorts_reportrequest"
    assert Certificate._meta.db_table == "cohorts_certificate"


def test_audit_events_and_permissions_follow_the_relabelled_content_type(cohort, clinical_leader):
    report = ReportRequest.objects.create(
        cohort=cohort, kind="progress", requested_by=clinical_leader
    )
    event = audit_record(actor=clinical_leader, action="report.request", target=report)
    moved = ContentType.objects.get_for_model(ReportRequest)
    MOVE.backwards(apps, None)  # as the database was before the move: labelled cohorts
    assert ContentType.objects.get(pk=moved.pk).app_label == "cohorts"

    MOVE.forwards(apps, None)
    assert ContentType.objects.get_for_model(ReportRequest).pk == moved.pk
    event = AuditEvent.objects.get(pk=event.pk)
    assert (event.target_type.app_label, event.target_type.model) == ("reports", "reportrequest")
    assert event.target_type.get_object_for_this_type(pk=event.target_id) == report
    assert Permission.objects.filter(content_type=moved, codename="view_reportrequest").exists()


def test_a_row_made_under_the_new_label_by_a_partial_migrate_gives_way_to_the_old_one():
    kept = ContentType.objects.get_for_model(Certificate)
    MOVE.backwards(apps, None)
    early = ContentType.objects.create(app_label="reports", model="certificate")
    Permission.objects.create(content_type=early, codename="view_certificate", name="View")

    MOVE.forwards(apps, None)
    assert not ContentType.objects.filter(pk=early.pk).exists()
    assert ContentType.objects.get(app_label="reports", model="certificate").pk == kept.pk
    assert Permission.objects.filter(codename="view_certificate").get().content_type == kept
