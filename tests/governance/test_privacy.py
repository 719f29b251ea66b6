"""Subject access (everything about one person, nobody else's data) and erasure by
anonymisation (personal data gone, cohort figures unchanged)."""

import datetime
import io
import json
import zipfile
from decimal import Decimal

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cohorts.models import Enrolment
from cohorts.selectors import cohort_overview
from governance import privacy
from leadership.models import AuditEvent, Notification
from leadership.privacy import is_erased
from leadership.services import audit_record
from measures import services as measure_services
from modules.models import Attendance
from modules.selectors import attendance_summary_for_cohort
from modules.services import attendance_register_save
from pairings import services as pairing_services
from pairings.models import Pairing, ShadowingEntry
from redesign_projects import services as project_services
from redesign_projects.models import Assignment, Extension, Submission, SubmissionFile
from reports import data as report_data
from reports.exports import assignment_rows, attendance_rows, measure_rows
from reports.models import Certificate
from tests.factories import CohortFactory, EnrolmentFactory, ProgrammeFactory, UserFactory
from tests.modules.helpers import make_module, make_session
from tests.redesign_projects.helpers import make_assignment, pdf, submit
from tests.totp import give_authenticator_app

# Strings that belong to other people: none may appear anywhere in the subject's export.
OTHERS = {
    "teammate": {
        "email": "zebedee.teammate@example.org",
        "first_name": "Zebedee",
        "last_name": "Quillfeather",
        "job_title": "Chief Quuxologist",
        "department": "Xylophone Ward",
        "organisation": "Quux Health",
    },
    "manager": {
        "email": "yolanda.partner@example.org",
        "first_name": "Yolanda",
        "last_name": "Vantablack",
        "job_title": "Head of Flux Operations",
        "department": "Flux Office",
        "organisation": "Vantablack Trust",
        "profession": "manager",
    },
}
SUBJECT = {
    "email": "pania.subject@example.org",
    "first_name": "Pania",
    "last_name": "Subjectson",
    "job_title": "Respiratory Registrar",
    "department": "Respiratory Medicine",
    "organisation": "Waitemata",
}
SECRET_TEXTS = {
    "teammate_file": b"%PDF-1.4 ZEBEDEE-ONLY-FILE",
    "teammate_reflection": "Yolanda privately reflected on the flux rota",
    "team_text": "Team draft written by Zebedee Quillfeather",
}


def _past(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


@pytest.fixture
def world(cohort, administrator, faculty):
    """The subject, Pania, with data of every kind, among other people with data of their own."""
    subject = UserFactory(**SUBJECT)
    teammate = UserFactory(**OTHERS["teammate"])
    manager = UserFactory(**OTHERS["manager"])
    for person in (subject, teammate, manager):
        EnrolmentFactory(cohort=cohort, person=person, role=Enrolment.Role.PARTICIPANT)

    team = project_services.team_create(
        cohort=cohort,
        name="Breathing Space",
        clinical_lead=teammate,
        members=[subject],
        acting_user=administrator,
    )
    team_work = make_assignment(cohort, title="Team plan", days=-2)
    team_submission = submit(
        team_work,
        by=teammate,
        team=team,
        text=SECRET_TEXTS["team_text"],
        files=[pdf("zebedee.pdf", SECRET_TEXTS["teammate_file"])],
    )
    own_team_file = submit(
        team_work, by=subject, team=team, text="v2", files=[pdf("pania-team.pdf", b"%PDF-1.4 P")]
    )
    essay = make_assignment(cohort, title="Reflective essay", kind=Assignment.Kind.INDIVIDUAL)
    individual = submit(
        essay,
        by=subject,
        owner=subject,
        text="My reflection on leading change",
        files=[pdf("essay.pdf", b"%PDF-1.4 PANIA-ESSAY")],
    )
    submit(essay, by=teammate, owner=teammate, text="Zebedee's own essay")
    for submission, comments in (
        (individual, "Pania, a thoughtful essay."),
        (team_submission, "Zebedee led this well."),
    ):
        project_services.feedback_save(
            submission=submission,
            comments=comments,
            decision="accepted",
            levels={},
            acting_user=faculty,
            release=True,
        )
    project_services.extension_grant(
        assignment=essay,
        due_at=essay.due_at + datetime.timedelta(days=7),
        reason="Pania on sick leave for asthma",
        acting_user=administrator,
        person=subject,
    )

    module = make_module(cohort, title="Strategy")
    session = make_session(module, _past(3))
    attendance_register_save(
        session=session,
        entries={subject.pk: ("present", "Arrived early"), teammate.pk: ("late", "Zebedee late")},
        acting_user=faculty,
    )

    (pairing,) = pairing_services.pairings_create(
        cohort=cohort,
        kind=Pairing.Kind.PARTNERSHIP,
        pairs=[(subject, manager)],
        status=Pairing.Status.ACTIVE,
        started_on=_past(30),
        acting_user=administrator,
    )
    for author, reflection in (
        (subject, "Shadowed the bed manager"),
        (manager, SECRET_TEXTS["teammate_reflection"]),
    ):
        pairing_services.shadowing_entry_create(
            pairing=pairing,
            occurred_on=_past(5),
            direction=ShadowingEntry.Direction.values[0],
            location="Ward 7",
            minutes=60,
            reflection=reflection,
            author=author,
        )
    pairing_services.preference_save(
        cohort=cohort,
        person=subject,
        interests=["flow"],
        preferred_departments=["Operations"],
        availability=["mornings"],
        line_manager=manager,
        acting_user=subject,
    )

    measure = measure_services.measure_create(
        team=team, acting_user=subject, name="Readmissions", unit="count"
    )
    for by, period, value in ((subject, _past(60), "4"), (teammate, _past(30), "3")):
        measure_services.datapoint_create(
            measure=measure,
            period=period.replace(day=1),
            value=Decimal(value),
            acting_user=by,
        )
    Certificate.objects.create(
        cohort=cohort,
        person=subject,
        name_on_certificate=subject.get_full_name(),
        programme_name=cohort.programme.name,
        issued_by=administrator,
    )
    for recipient in (subject, teammate, faculty):
        Notification.objects.create(
            recipient=recipient,
            kind=Notification.Kind.FACULTY_DIGEST,
            dedup_key=f"test:{recipient.pk}",
            template="faculty_digest",
            cohort_id=cohort.pk,
            context={"waiting": ["Pania Subjectson", "Zebedee Quillfeather"]},
            scheduled_for=timezone.now() + datetime.timedelta(days=1),
        )
    audit_record(
        actor=teammate,
        action="peer_comment.create",
        target=individual,
        cohort_id=cohort.pk,
        person_id=subject.pk,
        changes={"note": "Zebedee commented"},
    )
    return {
        "subject": subject,
        "teammate": teammate,
        "manager": manager,
        "team": team,
        "individual": individual,
        "team_submission": team_submission,
        "own_team_submission": own_team_file,
        "session": session,
        "pairing": pairing,
    }


def _export(world, **kwargs) -> dict[str, bytes]:
    out = io.BytesIO()
    privacy.subject_access_export(
        person=world["subject"],
        acting_user=kwargs.pop("acting_user", world["subject"]),
        cohort_ids=kwargs.pop("cohort_ids", None),
        out=out,
    )
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


# --- subject access -------------------------------------------------------------------------


def test_the_export_holds_everything_about_the_person(world):
    files = _export(world)
    data = json.loads(files["data.json"])
    assert data["profile"][0]["email"] == SUBJECT["email"]
    assert data["profile"][0]["job_title"] == SUBJECT["job_title"]
    assert [e["role"] for e in data["enrolments"]] == ["Participant"]
    assert data["attendance"][0]["status"] == "Present"
    assert data["attendance"][0]["note"] == "Arrived early"
    assert {s["kind"] for s in data["submissions"]} == {"individual", "team"}
    essay = next(s for s in data["submissions"] if s["kind"] == "individual")
    assert essay["text"] == "My reflection on leading change"
    assert essay["feedback_comments"] == "Pania, a thoughtful essay."
    assert data["extensions"][0]["reason"] == "Pania on sick leave for asthma"
    assert data["pairings"][0]["partner"] == f"person #{world['manager'].pk}"
    assert data["pairing_preferences"][0]["line_manager"] == f"person #{world['manager'].pk}"
    assert [e["reflection"] for e in data["shadowing_entries_you_wrote"]] == [
        "Shadowed the bed manager"
    ]
    assert [p["value"] for p in data["data_points_you_entered"]] == ["4"]
    assert data["certificates"][0]["name_on_certificate"] == "Pania Subjectson"
    assert "Submissions waiting for feedback" in {e["kind"] for e in data["emails_to_you"]}
    assert any(e["code"] == "extension.grant" and e["about_you"] for e in data["audit_events"])
    # Their files: the essay's and the one they uploaded to team work; not the teammate's.
    stored = [name for name in files if name.startswith("files/")]
    assert sorted(files[name] for name in stored) == [b"%PDF-1.4 P", b"%PDF-1.4 PANIA-ESSAY"]
    assert "enrolments.csv" in files and "audit_events.csv" in files
    assert files["attendance.csv"].decode("utf-8-sig").splitlines()[1].count("Arrived early")


def test_the_export_contains_nobody_elses_personal_data(world, faculty, administrator):
    files = _export(world)
    everything = b"\n".join(files.values()).decode("utf-8", errors="replace").lower()
    others = [*OTHERS.values(), *(vars_of(p) for p in (faculty, administrator))]
    for person in others:
        for key in ("email", "first_name", "last_name", "job_title", "department", "organisation"):
            value = person.get(key)
            if value and len(value) > 3:
                assert value.lower() not in everything, f"{key} {value!r} leaked"
    for secret in SECRET_TEXTS.values():
        text = secret.decode() if isinstance(secret, bytes) else secret
        assert text.lower() not in everything


def vars_of(user) -> dict:
    return {
        key: getattr(user, key)
        for key in ("email", "first_name", "last_name", "job_title", "department", "organisation")
    }


def test_an_administrators_export_is_limited_to_their_programmes(world, administrator):
    elsewhere = CohortFactory(programme=ProgrammeFactory(), name="Somewhere Else Cohort")
    EnrolmentFactory(cohort=elsewhere, person=world["subject"], role=Enrolment.Role.FACULTY)
    scope = privacy.export_scope(administrator, world["subject"])
    data = json.loads(_export(world, acting_user=administrator, cohort_ids=scope)["data.json"])
    assert [e["cohort"] for e in data["enrolments"]] == ["Cohort 3"]
    whole = json.loads(_export(world)["data.json"])
    assert sorted(e["cohort"] for e in whole["enrolments"]) == ["Cohort 3", "Somewhere Else Cohort"]


def test_taking_an_export_is_audited(world, administrator):
    _export(world, acting_user=administrator)
    event = AuditEvent.objects.get(action="person.export")
    assert (event.actor, event.person_id) == (administrator, world["subject"].pk)


def test_a_person_downloads_their_own_data_as_a_private_attachment(client, world):
    client.force_login(world["subject"])
    response = client.post(reverse("governance:my_data_export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Cache-Control"] == "private, no-store"
    assert "attachment" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert json.loads(archive.read("data.json"))["profile"][0]["email"] == SUBJECT["email"]


def test_an_administrator_of_another_programme_cannot_export_the_person(client, world):
    stranger_admin = UserFactory()
    ProgrammeFactory().administrators.add(stranger_admin)
    give_authenticator_app(stranger_admin)
    client.force_login(stranger_admin)
    response = client.post(reverse("governance:person_export", args=[world["subject"].pk]))
    assert response.status_code == 404


# --- erasure --------------------------------------------------------------------------------


def _figures(cohort):
    """The cohort's figures as the dashboard and the progress report show them, without the
    names (which erasure changes on purpose)."""
    data = report_data.progress_report_data(cohort)
    overview = cohort_overview(cohort)
    summary = attendance_summary_for_cohort(cohort)
    return {
        "participants": overview.participants,
        "attendance": sorted(row[3:] for row in attendance_rows(data)[1:]),
        "assignments": assignment_rows(data),
        "measures": measure_rows(data),
        "summary": sorted(
            (row.expected, row.attended, row.apologies, row.rate, row.meets_rule) for row in summary
        ),
    }


def _erase(world, administrator):
    return privacy.person_erase(person=world["subject"], acting_user=administrator)


def test_erasure_replaces_personal_fields_and_keeps_cohort_figures(
    world, cohort, administrator, django_capture_on_commit_callbacks
):
    before = _figures(cohort)
    with django_capture_on_commit_callbacks(execute=True):
        _erase(world, administrator)
    person = world["subject"]
    person.refresh_from_db()
    assert person.get_full_name() == f"Erased person #{person.pk}"
    assert person.email == f"erased-{person.pk}@erased.invalid"
    assert (person.job_title, person.department, person.organisation) == ("", "", "")
    assert not person.has_usable_password() and not person.is_active
    assert _figures(cohort) == before


def test_erasure_deletes_their_files_from_storage_but_not_the_teams(
    world, administrator, django_capture_on_commit_callbacks
):
    essay_file = SubmissionFile.objects.get(submission=world["individual"])
    team_file = SubmissionFile.objects.get(submission=world["team_submission"])
    assert default_storage.exists(essay_file.file.name)
    with django_capture_on_commit_callbacks(execute=True):
        result = _erase(world, administrator)
    assert result.files_deleted == 1
    assert not default_storage.exists(essay_file.file.name)
    assert not SubmissionFile.objects.filter(pk=essay_file.pk).exists()
    assert default_storage.exists(team_file.file.name)
    submission = Submission.objects.get(pk=world["individual"].pk)
    assert submission.text == "" and submission.status == Submission.Status.SUBMITTED


def test_erasure_replaces_free_text_about_them(world, administrator):
    _erase(world, administrator)
    subject = world["subject"]
    assert Extension.objects.get(person=subject).reason == "[erased]"
    assert Attendance.objects.get(person=subject).note == ""
    assert ShadowingEntry.objects.get(author=subject).reflection == "[erased]"
    assert (
        ShadowingEntry.objects.get(author=world["manager"]).reflection
        == (SECRET_TEXTS["teammate_reflection"])
    )
    assert Certificate.objects.get(person=subject).name_on_certificate.startswith("Erased person")
    assert not subject.pairing_preferences.exists()


def test_erasure_removes_their_name_from_the_audit_trail_and_keeps_the_ids(world, administrator):
    subject = world["subject"]
    events_before = AuditEvent.objects.filter(person_id=subject.pk).count()
    _erase(world, administrator)
    assert AuditEvent.objects.filter(person_id=subject.pk).count() == events_before + 1
    for event in AuditEvent.objects.all():
        text = (event.target_repr + json.dumps(event.changes)).lower()
        assert "subjectson" not in text and SUBJECT["email"] not in text, event.action
    team_event = AuditEvent.objects.get(action="redesign_team.create")
    assert f"Erased person #{subject.pk}" in json.dumps(team_event.changes)
    assert "Zebedee Quillfeather" in json.dumps(team_event.changes)  # others keep theirs
    extension = AuditEvent.objects.get(action="extension.grant")
    assert extension.changes["reason"] == "[erased]"
    erase = AuditEvent.objects.get(action="person.erase")
    assert (erase.actor, erase.person_id) == (administrator, subject.pk)


def test_erasure_ends_sessions_and_cancels_pending_emails(world, administrator):
    subject = world["subject"]
    client = Client()
    client.force_login(subject)
    assert client.get(reverse("governance:my_data")).status_code == 200
    result = _erase(world, administrator)
    mine = Notification.objects.filter(recipient=subject)
    assert result.notifications_cancelled == mine.count() > 0
    assert {(n.status, str(n.context)) for n in mine} == {(Notification.Status.CANCELLED, "{}")}
    theirs = Notification.objects.get(recipient=world["teammate"], kind="faculty_digest")
    assert theirs.status == Notification.Status.PENDING
    assert theirs.context["waiting"] == [f"Erased person #{subject.pk}", "Zebedee Quillfeather"]
    response = client.get(reverse("governance:my_data"))
    assert response.status_code == 302 and SESSION_KEY not in client.session


def test_erasure_removes_their_sign_in_methods(world, administrator):
    give_authenticator_app(world["subject"])
    _erase(world, administrator)
    assert not Authenticator.objects.filter(user=world["subject"]).exists()


def test_an_administrator_cannot_erase_someone_another_programme_still_holds(world, administrator):
    elsewhere = CohortFactory(programme=ProgrammeFactory())
    EnrolmentFactory(cohort=elsewhere, person=world["subject"])
    with pytest.raises(PermissionDenied, match="ask a superuser"):
        _erase(world, administrator)


def test_nobody_erases_an_administrator_or_themselves(world, administrator, programme):
    with pytest.raises(PermissionDenied, match="yourself"):
        privacy.person_erase(person=administrator, acting_user=administrator)
    programme.administrators.add(world["subject"])
    with pytest.raises(PermissionDenied, match="remove that role"):
        _erase(world, administrator)


def test_the_erase_page_needs_the_persons_email_typed(client, world, administrator):
    client.force_login(administrator)
    url = reverse("governance:person_erase", args=[world["subject"].pk])
    response = client.post(url, {"confirm": "someone@example.org"})
    assert response.status_code == 200
    assert "That is not this person&#x27;s e-mail address." in response.content.decode()
    world["subject"].refresh_from_db()
    assert world["subject"].email == SUBJECT["email"]
    response = client.post(url, {"confirm": SUBJECT["email"].upper()})
    assert response.status_code == 302
    world["subject"].refresh_from_db()
    assert is_erased(world["subject"])
    # Erased already: the page says so and offers no second erasure.
    page = client.get(
        reverse("governance:person_privacy", args=[world["subject"].pk])
    ).content.decode()
    assert "Already erased." in page
    assert client.get(url).status_code == 403
