"""CPD evidence: certificates and transcripts state the hours attended (sessions' lengths and
the person's attendance; "register not taken" counts as not attended and is said so), the
dates, the programme and the modules; the public verification page shows the holder's name,
programme, cohort, dates and hours and nothing else."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cohorts import services as cohort_services
from cohorts.models import Enrolment
from modules.models import Attendance, Module, Session
from reports.certificates import certificates_issue
from reports.cpd import cpd_record
from reports.rendering import certificates_pdf, transcript_pdf
from tests.worlds import flat, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def schedule(cohort, participant, administrator):
    """Two modules: a 90-minute session attended, a 3-hour session missed, a 2-hour session
    whose register was not taken, a 45-minute session attended late, and one to come."""
    now = timezone.now()
    strategy = Module.objects.create(cohort=cohort, position=1, title="Strategy and systems")
    finance = Module.objects.create(cohort=cohort, position=2, title="Financial literacy")

    def session(module, days_ago, minutes, *, mark=None, register=True):
        start = now - datetime.timedelta(days=days_ago)
        made = Session.objects.create(
            module=module,
            starts_at=start,
            ends_at=start + datetime.timedelta(minutes=minutes),
            register_taken_at=start if register and days_ago > 0 else None,
        )
        if mark:
            Attendance.objects.create(session=made, person=participant, status=mark)
        return made

    session(strategy, 60, 90, mark="present")
    session(strategy, 59, 180, mark="absent")
    session(finance, 30, 120, register=False)
    session(finance, 29, 45, mark="late")
    session(finance, -10, 240)
    cohort_services.enrolment_set_status(
        enrolment=Enrolment.objects.get(cohort=cohort, person=participant),
        status=Enrolment.Status.COMPLETED,
        acting_user=administrator,
    )


def test_hours_count_attended_sessions_only_and_say_what_had_no_register(
    cohort, participant, schedule
):
    record = cpd_record(cohort, participant)
    assert str(record.attended_hours) == "2.3"  # 90 + 45 minutes
    assert (record.not_taken_sessions, str(record.not_taken_hours)) == (1, "2.0")
    assert [(m.title, str(m.attended_hours)) for m in record.modules] == [
        ("Strategy and systems", "1.5"),
        ("Financial literacy", "0.8"),
    ]
    assert record.first_day < record.last_day


def test_the_certificate_and_transcript_state_hours_dates_programme_and_modules(
    cohort, participant, administrator, schedule
):
    [certificate] = certificates_issue(cohort=cohort, acting_user=administrator)
    assert str(certificate.hours_attended) == "2.3"
    text = flat(pdf_text(certificates_pdf(cohort, [certificate])))
    assert "2.3 hours attended" in text
    assert cohort.programme.name in text
    assert "Strategy and systems (1.5 h); Financial literacy (0.8 h)" in text
    assert f"{certificate.first_day:%-d %B %Y} to {certificate.last_day:%-d %B %Y}" in text
    assert "1 session (2.0 h) had no register taken and is counted as not attended" in text

    text = flat(pdf_text(transcript_pdf(cohort, participant)))
    assert "2.3 hours attended" in text
    assert "“register not taken”" in text


def test_the_verification_page_shows_the_hours_and_nothing_personal_beyond_them(
    client, cohort, participant, administrator, schedule
):
    [certificate] = certificates_issue(cohort=cohort, acting_user=administrator)
    page = client.get(reverse("reports:certificate_verify"), {"code": certificate.code})
    text = page.content.decode()
    assert "Valid." in text
    for shown in (
        certificate.name_on_certificate,
        cohort.programme.name,
        cohort.name,
        f"{certificate.first_day:%-d %B %Y} to {certificate.last_day:%-d %B %Y}",
        "2.3 hours",
    ):
        assert shown in text
    assert participant.email not in text
    assert "Financial literacy" not in text  # the modules are on the certificate only
