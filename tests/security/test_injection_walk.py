"""Issue 19's systematic test: hostile text in every text field is only ever shown as text.

A measure's unit reached a form's help text unescaped, and the vendored htmx turned it into a
request made as the administrator who opened the page. Rather than test that one place, this
fills every text people can write and looks everywhere it can come out:

1. **The world** of the permission table (``tests/permission_table.py`` and each
   ``tests/<app>/permissions.py``): every URL's objects, made by the table's own builders, plus
   what the table does not make. The texts that matter most are typed through the services,
   as the persona who may type them (``_typed_through_services``): the participant's measure
   unit, data-point annotations, PDSA cycle and submission; the administrator's team name,
   aim and a new person's name; faculty feedback; a peer comment; a register note; a
   shadowing reflection; a leadership challenge's rubric.
2. **Every other text field** — every ``CharField`` and ``TextField`` of every model of our
   apps, found through Django's model registry so that a new field is covered without
   touching this test, except the system-written ones in ``SYSTEM_FIELDS`` — is then set to
   hostile text directly (``QuerySet.update``), row by row: many have no service of their own
   (names copied onto certificates, audit entries' descriptions, a file's original name), and
   the services' validation would refuse some payloads anyway; what is checked here is what
   the pages do with text once it is stored.
3. **The walk**: every GET of the permission table as every persona the table gives a page
   (200), every e-mail of every kind the planners and services record, the calendar feeds and
   a built progress report's PDF text. Markup must appear only escaped, no ``javascript:`` URL
   may appear in a link, a line break must not add a line to a calendar feed, and every link
   in an e-mail must start with ``SITE_URL``.
"""

import datetime
import io
import re
import uuid

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from pypdf import PdfReader

from cohorts import services as cohort_services
from evaluation.reminders import plan_session_evaluations
from frameworks import services as framework_services
from home.planners import PLANNERS
from leadership import notifications
from leadership.audit import audit_maintenance
from leadership.models import Notification
from learning_sets import services as learning_services
from learning_sets.models import LeadershipChallenge
from measures import services as measure_services
from measures.models import Measure
from measures.timeliness import plan_measure_data_reminders
from modules import services as module_services
from modules.models import Attendance
from pairings import services as pairing_services
from pairings.models import ShadowingEntry
from redesign_projects import services as project_services
from redesign_projects.models import Assignment, Feedback, RedesignTeam, Submission
from reports.models import Certificate
from reports.rendering import progress_report_pdf
from tests.evaluation.helpers import held_session
from tests.factories import CohortFactory, ProgrammeFactory
from tests.frameworks.helpers import use_example
from tests.modules.helpers import make_session
from tests.pairings.helpers import enrol
from tests.permission_table import PERSONAS, World, full_table

from .hostile import ESCAPED, PIECES, payload, unescaped

pytestmark = pytest.mark.django_db

OUR_APPS = (
    "leadership", "cohorts", "modules", "redesign_projects", "pairings",
    "measures", "blueprints", "learning_sets", "frameworks", "evaluation", "reports",
    "governance", "home", "demo",
)  # fmt: skip

# Text written by the system, never typed by anyone: keys, codes, hashes, file types.
SYSTEM_FIELDS = {
    "leadership.User.password": "a password hash",
    "leadership.AuditEvent.action": "an action code from the code (ACTION_LABELS)",
    "leadership.AuditEvent.target_id": "a primary key",
    "leadership.TaskHeartbeat.label": "a worker's proof of life",
    "leadership.TaskHeartbeat.worker_hostname": "a worker's host name",
    "leadership.Notification.dedup_key": "a key built by the code",
    "leadership.Notification.subject_id": "a primary key",
    "leadership.Notification.template": "the name of an e-mail template",
    "leadership.Notification.to_address": "a rater's address, checked as one when typed",
    "leadership.LoginSession.session_key": "a random key",
    "leadership.LoginSession.session_data": "signed session data",
    "reports.Certificate.code": "a random verification code",
    "modules.CalendarFeed.token": "a random token",
    "learning_sets.EthicsAgreement.version": "the code of ethics' version, from the code",
    "redesign_projects.SubmissionFile.content_type": "our MIME type for the checked file",
    "redesign_projects.SubmissionFile.sha256": "a hash of the file",
    "frameworks.Rater.token_hash": "a hash of a rater link's token",
    "frameworks.Rater.nonce": "random bits a rater link's token is made from",
}


def _text_fields() -> list[models.Field]:
    """Every text field people can write: CharField and TextField (not e-mail addresses or
    slugs, which validators keep to their own alphabets; not fields with choices)."""
    fields = []
    for model in apps.get_models():
        if model._meta.app_label not in OUR_APPS or model._meta.proxy:
            continue
        for field in model._meta.concrete_fields:
            label = f"{model._meta.label}.{field.name}"
            if (
                isinstance(field, models.CharField | models.TextField)
                and not isinstance(field, models.EmailField | models.SlugField)
                and not field.choices
                and label not in SYSTEM_FIELDS
            ):
                fields.append(field)
    return fields


def _fill(field: models.Field, index: int) -> int:
    """Set ``field`` to hostile text on every row that does not hold some already (each row's
    own, so unique constraints hold); returns how many rows it changed."""
    model = field.model
    changed = 0
    for pk in model.objects.exclude(**{f"{field.name}__contains": PIECES[0][:8]}).values_list(
        "pk", flat=True
    ):
        text = payload(
            max_length=field.max_length,
            multiline=isinstance(field, models.TextField),
            start=index,
            suffix=f" #{pk}",
        )
        changed += model.objects.filter(pk=pk).update(**{field.name: text})
    return changed


def _hostile(max_length: int = 200) -> str:
    """One line of hostile text that fits ``max_length``."""
    return payload(max_length=max_length, multiline=False)


# --- the world -------------------------------------------------------------------------------


def _build_table_world(world: World) -> dict:
    """Every URL's arguments, made by the permission table's builders, in one world."""
    urls = {}
    for name, expect in sorted(full_table().items()):
        urls[name] = reverse(name, kwargs=expect.kwargs(world))
    return urls


def _typed_through_services(world: World) -> None:
    """The texts people type, typed through the services as the people who may type them."""

    admin, participant = world.personas["administrator"], world.personas["participant"]
    faculty = world.personas["faculty"]
    cohort = world.cohort
    text = _hostile()
    long_text = payload(max_length=None, multiline=True)

    # The administrator enrols a new person, names a team and states its aim.
    cohort_services.person_enrol(
        cohort=cohort, email="hostile@example.org", role="participant", acting_user=admin,
        first_name=_hostile(max_length=150), last_name=_hostile(max_length=150),
    )  # fmt: skip
    team = RedesignTeam.objects.filter(cohort=cohort).order_by("pk").first()
    project_services.team_update(team=team, acting_user=admin, name=text, aim=long_text, focus=text)
    # The participant defines a measure (the unit), records and imports annotated
    # points, logs a PDSA cycle on it and recalculates its limits.
    measure = measure_services.measure_create(
        team=team, name=text, unit=_hostile(max_length=60), better="down",
        operational_definition=long_text, acting_user=participant,
    )  # fmt: skip
    start = datetime.date(2024, 1, 1)
    rows = "\n".join(
        f'{(start + datetime.timedelta(days=31 * n)).replace(day=1)},{5 + n % 3},"{text}"'
        for n in range(24)
    )
    preview = measure_services.datapoints_import(
        measure=measure, text=f"period,value,annotation\n{rows}", acting_user=participant
    )
    assert preview.is_valid, [r.errors for r in preview.rows if r.errors] or preview.errors
    measure_services.pdsa_cycle_create(
        team=team, measure=measure, change_idea=text, plan=long_text, prediction=long_text,
        started_on=datetime.date(2024, 6, 1), acting_user=participant,
    )  # fmt: skip
    measure_services.rebase_create(
        measure=measure, starts_on=datetime.date(2025, 1, 1), reason=text, acting_user=participant
    )
    # Submitted work gets feedback from faculty, released; a peer comments on it.
    submission = Submission.objects.filter(team=team, status="submitted").first()
    if not hasattr(submission, "feedback"):
        project_services.feedback_save(
            submission=submission, comments=long_text, decision=Feedback.Decision.ACCEPTED,
            levels={}, acting_user=faculty, release=True,
        )  # fmt: skip
    else:
        project_services.feedback_release(feedback=submission.feedback, acting_user=faculty)
    cohort.peer_review_enabled = True
    cohort.save(update_fields=["peer_review_enabled"])
    project_services.peer_comment_create(submission=submission, body=long_text, acting_user=admin)
    # The administrator sets individual work (a brief in Markdown, a rubric), one due
    # tomorrow and one overdue, and grants an extension; the participant submits one.
    now = timezone.now()
    due_soon = project_services.assignment_create(
        cohort=cohort, title=text, due_at=now + datetime.timedelta(hours=20), acting_user=admin,
        kind=Assignment.Kind.INDIVIDUAL, brief=long_text,
        rubric=[(text, [_hostile(max_length=100), "Strong"])],
    )  # fmt: skip
    overdue = project_services.assignment_create(
        cohort=cohort, title=text, due_at=now - datetime.timedelta(days=1, hours=2),
        acting_user=admin, kind=Assignment.Kind.INDIVIDUAL,
    )  # fmt: skip
    newcomer = cohort.enrolments.get(person__email="hostile@example.org").person
    project_services.extension_grant(
        assignment=overdue, due_at=now + datetime.timedelta(days=3), person=newcomer,
        reason=_hostile(max_length=500), acting_user=admin,
    )  # fmt: skip
    project_services.submission_save(
        assignment=due_soon, text=long_text, owner=participant, submit=True,
        acting_user=participant,
    )  # fmt: skip
    # Another office, its names hostile too, enrols the newcomer (who is told by e-mail).

    elsewhere = CohortFactory(
        programme=ProgrammeFactory(name=_hostile(), slug="elsewhere"), name=text, slug="else-1"
    )
    cohort_services.person_enrol(
        cohort=elsewhere, email="hostile@example.org", role="participant", acting_user=None
    )
    # A participant sends apologies (the session's faculty are told, with the reason); the
    # office gives the module a new venue (everyone is told); a session eight days ago still
    # has no register (its faculty and then the office are told).
    session = world.cache["session"]
    module_services.apology_send(
        session=session, person=participant, reason=_hostile(max_length=500),
        acting_user=participant,
    )  # fmt: skip
    module = session.module
    module_services.module_update(
        module=module, acting_user=admin, title=module.title, theme=module.theme,
        description=module.description, venue_name=text, venue_address=long_text,
        facilitators=[], venue_for_sessions=True,
    )  # fmt: skip
    session.refresh_from_db()
    make_session(module, timezone.localdate() - datetime.timedelta(days=8))
    # Faculty take the register with a note; the pair logs a shadowing session.
    with time_machine.travel(session.starts_at + datetime.timedelta(hours=1)):
        module_services.attendance_register_save(
            session=session, entries={participant.pk: ("present", _hostile(max_length=500))},
            acting_user=faculty,
        )  # fmt: skip
    # The administrator writes to the cohort (plain text, sent through the outbox).
    cohort_services.announcement_send(
        cohort=cohort, subject=_hostile(max_length=150), body=long_text, audience={},
        audience_label=text, recipients=[participant, faculty], form_token=uuid.uuid4(),
        acting_user=admin,
    )  # fmt: skip
    # The office sets a leadership challenge whose rubric (criteria and levels, kept as JSON
    # that step 2 does not reach) is hostile; the world's challenge takes it on.
    hostile = learning_services.challenge_create(
        cohort=world.other_cohort, trimester=3, title=text, held_on=timezone.localdate(),
        brief=long_text, rubric=[(text, [_hostile(max_length=100), text])], acting_user=admin,
    )  # fmt: skip
    LeadershipChallenge.objects.filter(pk=world.cache["ls_challenge"].pk).update(
        rubric=hostile.rubric
    )
    # A session held yesterday with its register taken: the programme's evaluation form for
    # its kind of module (the world's) asks the participant who came (one e-mail).
    evaluated = held_session(cohort, title=text, position=40)
    Attendance.objects.create(session=evaluated, person=participant, status="present")
    plan_session_evaluations(now=timezone.now())
    # The office asks for pairing preferences: a participant not yet paired is e-mailed.
    enrol(cohort)
    pairing_services.preferences_request(cohort=cohort, acting_user=admin)
    # The participant asks a colleague for 360 feedback; a week on, the colleague is reminded.
    use_example(cohort.programme, admin)
    rater = framework_services.rater_invite(
        cohort=cohort, participant=participant, group="peer", email="colleague@example.net"
    )
    framework_services.rater_remind(rater=rater, number=1)
    # Sent now: the planners run later at a session's date, past the 360's closing, and closing
    # a 360 cancels what is still pending for its raters.
    notifications.send_due()
    pairing = world.cache["pairing"]
    pairing_services.shadowing_entry_create(
        pairing=pairing, occurred_on=timezone.localdate(), location=text, minutes=60,
        direction=ShadowingEntry.Direction.CLINICIAN_SHADOWED_MANAGER, reflection=long_text,
        author=participant,
    )  # fmt: skip


def _fill_everything() -> dict[str, int]:
    """Hostile text in every text field of every row that has none yet (step 2)."""
    filled = {}
    with transaction.atomic(), audit_maintenance():  # audit entries are otherwise append-only
        for index, field in enumerate(_text_fields()):
            filled[f"{field.model._meta.label}.{field.name}"] = _fill(field, index)
    return filled


# --- what comes out --------------------------------------------------------------------------


def _emails(world: World) -> list:
    """Every e-mail the planners and services recorded, sent to the test outbox."""
    session = world.cache["session"]
    for when in (session.starts_at - datetime.timedelta(days=2, hours=1), timezone.now()):
        notifications.run_planners(when, PLANNERS)
    # Monthly data reminders go out in a month's first days: the second of the month after
    # next, when last month's value of every measure the world made is missing.
    in_two_months = (timezone.localdate().replace(day=1) + datetime.timedelta(days=62)).replace(
        day=2
    )
    notifications.run_planners(
        datetime.datetime.combine(in_two_months, datetime.time(12), tzinfo=datetime.UTC),
        [plan_measure_data_reminders],
    )
    Notification.objects.filter(status=Notification.Status.PENDING).update(
        next_attempt_at=timezone.now()
    )
    mail.outbox.clear()
    notifications.send_due()
    return list(mail.outbox)


def _check_email(message) -> list[str]:
    problems = []
    for attachment in message.attachments:
        if attachment.mimetype.startswith("text/calendar"):
            content = attachment.content
            problems += _check_calendar(
                content.encode() if isinstance(content, str) else content, "attachment"
            )
    html = next(body for body, mimetype in message.alternatives if mimetype == "text/html")
    problems += [f"html: {found}" for found in unescaped(html)]
    if "\n" in message.subject or "\r" in message.subject:
        problems.append("a line break in the subject")
    for text in (message.body, html):
        for link in re.findall(r"https?://[^\s\"'<>]+", text):
            if not link.startswith(settings.SITE_URL):
                problems.append(f"a link not built from SITE_URL: {link}")
    return [f"{message.subject[:40]!r} to {message.to}: {p}" for p in problems]


def _check_calendar(body: bytes, where: str) -> list[str]:
    """A feed parses, and no hostile line break made a property or an event of its own."""
    problems = []
    calendar = Calendar.from_ical(body)
    for line in body.decode().split("\r\n"):
        if line.startswith("SUMMARY:injected"):
            problems.append(f"{where}: an injected line {line!r}")
    for event in calendar.walk("VEVENT"):
        if str(event.get("SUMMARY", "")) == "injected":
            problems.append(f"{where}: an injected event")
    return problems


def _report_text(world: World) -> str:

    pdf = progress_report_pdf(world.cohort)
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_hostile_text_in_every_field_is_shown_only_as_text(cohort, other_cohort, personas):
    world = World(cohort, other_cohort, personas)
    urls = _build_table_world(world)
    _typed_through_services(world)
    filled = _fill_everything()
    typed = sorted(label for label, count in filled.items() if count == 0)
    print(f"{len(filled) - len(typed)} fields filled directly; typed through services: {typed}")
    # A field with no row anywhere in the world was not tested: give the world one.
    rowless = [
        f"{field.model._meta.label}.{field.name}"
        for field in _text_fields()
        if not field.model.objects.exists()
    ]
    assert not rowless, f"the world has no rows to test for {rowless}"
    problems: list[str] = []

    # Every page of the permission table, as every persona who gets it.
    pages_with_payload = calendars_with_payload = 0
    clients = {}
    for persona in PERSONAS:
        clients[persona] = Client()
        if personas[persona] is not None:
            clients[persona].force_login(personas[persona])
    for name, url in sorted(urls.items()):
        expected = full_table()[name].get
        if expected is None:
            continue
        for persona in PERSONAS:
            if expected[persona] != 200:
                continue
            response = clients[persona].get(url)
            where = f"{name} as {persona}"
            if response.status_code != 200:
                problems.append(f"{where}: {response.status_code}")
                continue
            content_type = response.get("Content-Type", "")
            body = response.content if not response.streaming else b"".join(response)
            if content_type.startswith("text/html"):
                html = body.decode()
                problems += [f"{where}: {found}" for found in unescaped(html)]
                pages_with_payload += ESCAPED in html
            elif content_type.startswith("text/calendar"):
                problems += _check_calendar(body, where)
                calendars_with_payload += b"evil.example" in body
    # Pages the table reaches only with a query: a certificate looked up by its code, a
    # filtered audit trail.

    certificate = Certificate.objects.first()
    for persona, url in (
        ("anonymous", reverse("reports:certificate_verify") + f"?code={certificate.code}"),
        ("administrator", reverse("governance:audit_log") + f"?cohort={cohort.pk}&person=a"),
    ):
        html = clients[persona].get(url).content.decode()
        problems += [f"{url} as {persona}: {found}" for found in unescaped(html)]
        pages_with_payload += ESCAPED in html

    # Previews of what people paste or upload, shown before anything is stored (with the
    # hostile text as values and as the problems reported about them).

    text = _hostile()
    measure = Measure.objects.filter(team__cohort=cohort).first()
    row = ",".join([f'"{text}"'] * 4)
    previews = (
        (
            "participant",
            reverse("measures:datapoint_import", args=[measure.pk]),
            {"text": f'period,value,annotation\n{text},{text},"{text}"\n2030-01-01,1,"{text}"'},
        ),
        (
            "administrator",
            reverse("cohorts:import_upload", args=[cohort.pk]),
            {
                "file": SimpleUploadedFile(
                    "people.csv", f"email,first name,last name,profession\n{row}".encode()
                )
            },
        ),
    )
    for persona, url, data in previews:
        html = clients[persona].post(url, data).content.decode()
        assert ESCAPED in html, url
        problems += [f"POST {url} as {persona}: {found}" for found in unescaped(html)]

    # Every e-mail, every kind the world causes.
    sent = _emails(world)
    kinds = set(Notification.objects.filter(status="sent").values_list("kind", flat=True))
    for message in sent:
        problems += _check_email(message)

    # The report prints the text as text: the first piece is there, characters and all.
    report = _report_text(world)

    print(f"{pages_with_payload} pages showed the payload; e-mails: {len(sent)} of {kinds}")
    assert not problems, "\n".join(problems)
    # The payload really was on the pages and in the feeds.
    assert pages_with_payload >= 60 and calendars_with_payload >= 2
    assert kinds == set(Notification.Kind.values), kinds  # every kind of e-mail we send
    assert '<b hx-get="/"' in report
