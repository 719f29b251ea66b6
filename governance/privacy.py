"""Subject access and erasure: what is held about one person, exported or anonymised.

What a person's export holds, and what erasure does to it (the decisions a governance reader
asks about; the README summarises them):

* **Their own data** is exported in full: profile, e-mail addresses, notification choices,
  enrolments (with a withdrawal reason), attendance and apologies (with the register's note),
  short-course places, team memberships, their individual submissions with text and files,
  the feedback released on them, extensions granted to them, peer comments, shadowing entries
  and pairing preferences they wrote, data points, measures and PDSA cycles they entered,
  their action learning sets' meetings and their actions, their leadership challenge outcomes,
  their coaching sessions with their notes (as coach or coachee),
  certificates and transcripts about them (with the PDFs), the e-mails sent to them (kind,
  date, status — not the body, which can list other people), and the audit events about them.
* **Team work is the team's**: for a team submission they took part in, the export lists it
  (assignment, version, dates, whether they submitted it, the decision) and includes the files
  *they* uploaded; the team's text, other members' files and feedback comments (which discuss
  the whole team) stay on the team page, which they can read anyway.
* **Other people appear only as a pseudonymous reference** ("person #41") where a row needs
  one (the other half of a pairing, a line manager), and as a role where someone acted on
  them ("you", "programme staff", "system"). No other person's name, e-mail or job is copied.
* **Scope**: the person themself and superusers get everything; a programme administrator gets
  the person's profile (without when they joined or last logged in) and what belongs to the
  cohorts of the programmes they administer — not the account's sign-in methods, e-mail
  choices, calendar feeds, logins or other account events, nor e-mails and audit events of
  other offices' cohorts: one account can be in several offices' programmes.

Erasure (``person_erase``) anonymises rather than deletes, so every cohort figure (places,
attendance rates, submission and completion counts) stays the same: the rows stay and point at
the same — now anonymous — account. Personal fields are replaced ("Erased person #id", an
``@erased.invalid`` address, job, department and organisation cleared), the password made
unusable, sessions ended, pending e-mails cancelled, MFA authenticators and e-mail addresses
removed, free text they wrote or that is about them replaced with "[erased]", the files of
their individual submissions and PDFs naming them (their transcripts and certificates, and
every built report of their cohorts, which can be built again) deleted from storage. Team
files they uploaded stay: they are the team's record. The audit trail keeps ids; its text
(``target_repr`` and ``changes``) in the events of their cohorts and account has their name
and e-mail replaced, through the one door the database's append-only guard leaves open.

Each app holds its own part in ``<app>/privacy.py`` (its export sections and its erase hook;
the kernel's part, and what the parts share, is ``leadership/privacy.py``). This module checks
who may do what, calls the parts in a fixed order — the order of the export's sections and
files — and writes the zip.
"""

import csv
import io
import json
import shutil
import zipfile
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.http import Http404
from django.utils import timezone

from cohorts import privacy as cohorts_privacy
from cohorts.exports import neutralise
from cohorts.models import Cohort, Enrolment
from evaluation import privacy as evaluation_privacy
from frameworks import privacy as frameworks_privacy
from leadership import privacy as leadership_privacy
from leadership.models import User
from leadership.privacy import ErasureResult, SubjectAccessData, erased_name, is_erased
from leadership.services import audit_record
from learning_sets import privacy as learning_sets_privacy
from measures import privacy as measures_privacy
from modules import privacy as modules_privacy
from pairings import privacy as pairings_privacy
from redesign_projects import privacy as redesign_projects_privacy
from reports import privacy as reports_privacy

# Access ----------------------------------------------------------------------------------------


def get_person_for_administrator(user: User, person_id) -> User:
    """A person enrolled (now or before) in a cohort of a programme ``user`` administers; any
    person for a superuser. 404 for everyone else, and for people outside that reach."""
    if not user.is_authenticated:
        raise Http404("No such person.")
    try:
        pk = int(person_id)
    except (TypeError, ValueError) as exc:
        raise Http404("No such person.") from exc
    people = User.objects.filter(pk=pk)
    if not user.is_superuser:
        people = people.filter(enrolments__cohort__in=Cohort.objects.administered_by(user))
    person = people.distinct().first()
    if person is None:
        raise Http404("No such person.")
    return person


def export_scope(user: User, person: User) -> set[int] | None:
    """The cohort ids ``user`` may export ``person``'s data for; None means every cohort (the
    person themself, or a superuser). One query for an administrator."""
    if user.pk == person.pk or user.is_superuser:
        return None
    return set(Cohort.objects.administered_by(user).values_list("pk", flat=True))


def check_may_erase(*, person: User, acting_user: User) -> None:
    """Raise ``PermissionDenied`` unless ``acting_user`` may erase ``person``: not themself,
    not a superuser, staff member or programme administrator (remove that role first), not
    already erased, and — unless the actor is a superuser — every cohort the person was ever
    in belongs to a programme the actor administers (one office must not erase what another
    still needs)."""
    if person.pk == acting_user.pk:
        raise PermissionDenied("You cannot erase yourself.")
    if is_erased(person):
        raise PermissionDenied("This person has already been erased.")
    if person.is_superuser or person.is_staff or person.administered_programmes.exists():
        raise PermissionDenied(
            "This person administers programmes or the site: remove that role first."
        )
    if acting_user.is_superuser:
        return
    outside = Enrolment.objects.filter(person=person).exclude(
        cohort__in=Cohort.objects.administered_by(acting_user)
    )
    if outside.exists():
        raise PermissionDenied(
            "This person is also in cohorts of programmes you do not administer: ask a "
            "superuser to erase them."
        )


# Subject access export -----------------------------------------------------------------------


def subject_access_data(person: User, cohort_ids: set[int] | None) -> SubjectAccessData:
    """Everything held about ``person`` (see the module docstring for what and why), limited
    to ``cohort_ids`` for cohort data (None: every cohort). Read-only; a few dozen queries,
    independent of how much else the database holds."""
    # The order of the parts is the order of data.json's keys, of the CSVs and of the files
    # in the zip: a new section goes where a reader would look for it, not simply at the end.
    parts = (
        leadership_privacy.export_account(person, cohort_ids),
        modules_privacy.export_calendar_feeds(person, cohort_ids),
        cohorts_privacy.export_enrolments(person, cohort_ids),
        modules_privacy.export_attendance(person, cohort_ids),
        evaluation_privacy.export_evaluations(person, cohort_ids),
        redesign_projects_privacy.export_project_work(person, cohort_ids),
        measures_privacy.export_measures(person, cohort_ids),
        pairings_privacy.export_pairings(person, cohort_ids),
        learning_sets_privacy.export_learning(person, cohort_ids),
        frameworks_privacy.export_frameworks(person, cohort_ids),
        reports_privacy.export_documents(person, cohort_ids),
        leadership_privacy.export_emails_and_audit_trail(person, cohort_ids),
    )
    data = SubjectAccessData()
    for part in parts:
        data.sections.update(part.sections)
        data.files.update(part.files)
    return data


def _csv_bytes(rows: list[dict[str, Any]]) -> bytes:
    """One CSV, columns from the rows' keys, every cell neutralised for spreadsheets."""
    buffer = io.StringIO()
    columns = list(rows[0]) if rows else []
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(
            [
                neutralise(
                    "; ".join(map(str, value))
                    if isinstance(value, list)
                    else json.dumps(value, ensure_ascii=False)
                    if isinstance(value, dict)
                    else value
                )
                for value in (row[c] for c in columns)
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


README = """Everything {organisation} holds about you, exported on {when}.

data.json       every section below in one file
<section>.csv   the same, one spreadsheet per section
files/          your files: your own submissions' files, files you uploaded to team work,
                and documents about you (transcripts, certificates)

Other people appear only as "person #<number>" or as a role ("programme staff").
Team work appears as a list of what you took part in; the team's own text and its
other members' files are on your team's page.
"""


def subject_access_export(
    *, person: User, acting_user: User, cohort_ids: set[int] | None, out: IO[bytes]
) -> int:
    """Write ``person``'s zip (data.json, one CSV per section, their files, a README) to
    ``out``; return the number of files copied. Audited as ``person.export`` (who took the
    copy, of whom, and its scope) before anything is written."""
    with transaction.atomic():
        audit_record(
            actor=acting_user,
            action="person.export",
            target=person,
            person_id=person.pk,
            changes={"scope": "all" if cohort_ids is None else sorted(cohort_ids)},
        )
    data = subject_access_data(person, cohort_ids)
    now = timezone.now()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "README.txt",
            README.format(organisation="The programme office", when=now.date().isoformat()),
        )
        archive.writestr(
            "data.json",
            json.dumps(
                {"exported_at": now.isoformat(), **data.sections}, indent=2, ensure_ascii=False
            ),
        )
        for name, rows in data.sections.items():
            archive.writestr(f"{name}.csv", _csv_bytes(rows))
        for path, stored in data.files.items():
            with stored.open("rb") as source, archive.open(path, "w") as target:
                shutil.copyfileobj(source, target, 1024 * 1024)
    return len(data.files)


# Erasure ---------------------------------------------------------------------------------------


def _delete_file(stored: FieldFile) -> int:
    """Delete through the storage API (works on S3 as on disk); a missing file is fine."""
    if not stored:
        return 0
    stored.delete(save=False)
    return 1


@transaction.atomic
def person_erase(*, person: User, acting_user: User | None) -> ErasureResult:
    """Anonymise ``person`` (see the module docstring for exactly what changes and what stays).

    Cohort figures do not move: enrolments, attendance, submissions, feedback decisions, team
    memberships and data points keep their rows. Files are deleted after the database work
    commits, so a failure leaves nothing half-erased. Audited as ``person.erase`` (no name in
    it). ``acting_user`` is None for the retention job."""
    if acting_user is not None:
        check_may_erase(person=person, acting_user=acting_user)
    person = User.objects.select_for_update().get(pk=person.pk)
    placeholder = erased_name(person.pk)
    cohort_ids = set(Enrolment.objects.filter(person=person).values_list("cohort_id", flat=True))

    # The kernel's part goes first: it looks for the person's name in the audit trail and in
    # other people's e-mails before it replaces the name on the account. The apps' parts do
    # not need the name: they find their rows by the person and their cohorts. (Measures keep
    # their rows as they are: there is no part of theirs to call.)
    result = leadership_privacy.erase_account(person=person, cohort_ids=cohort_ids)
    cohorts_privacy.erase_person(person=person)
    modules_privacy.erase_person(person=person)
    pairings_privacy.erase_person(person=person)
    learning_sets_privacy.erase_person(person=person)
    frameworks_privacy.erase_person(person=person)
    doomed = [
        *redesign_projects_privacy.erase_person(person=person),
        *reports_privacy.erase_person(
            person=person, cohort_ids=cohort_ids, placeholder=placeholder
        ),
    ]

    audit_record(
        actor=acting_user,
        action="person.erase",
        target=person,
        person_id=person.pk,
        changes={
            "files_deleted": len(doomed),
            "notifications_cancelled": result.notifications_cancelled,
            "sessions_ended": result.sessions_ended,
        },
    )
    result.files_deleted = len(doomed)
    transaction.on_commit(lambda: [_delete_file(stored) for stored in doomed])
    return result
