"""Writes for redesign teams, assignments, submissions and feedback.

Each runs in one transaction, validates with ``full_clean()`` and records an audit event naming
the acting user. Memberships are ended, never deleted; submitted versions are never edited.
"""

import datetime
import logging
import os
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from cohorts.models import Cohort, Programme
from leadership.models import User
from leadership.services import audit_record
from leadership.storage import private_storage
from modules.models import ModuleTemplate, Session
from modules.services import working_day_on_or_after
from modules.workdays import Closure, closures_for

from . import formation, reminders, selectors
from .models import (
    Assignment,
    AssignmentTemplate,
    Extension,
    Feedback,
    FeedbackRead,
    FeedbackScore,
    PeerComment,
    RedesignTeam,
    RubricCriterion,
    RubricLevel,
    Submission,
    SubmissionFile,
    TeamMembership,
)
from .uploads import CheckedFile

logger = logging.getLogger(__name__)

# --- teams ---------------------------------------------------------------------------------


def _names(people: Iterable[User]) -> list[str]:
    return sorted(str(person) for person in people)


def _end_memberships(memberships, now: datetime.datetime) -> None:
    for membership in memberships:
        membership.left_at = now
        membership.full_clean()
        membership.save(update_fields=["left_at"])


def _set_members(
    team: RedesignTeam, people: Sequence[User], now: datetime.datetime
) -> tuple[list[User], list[User]]:
    """Make ``people`` the team's current members: end the others, start the new ones.
    Someone currently in another team of the cohort is an error (say so, change nothing)."""
    wanted = {person.pk: person for person in people}
    current = list(TeamMembership.objects.current().filter(team=team).select_related("person"))
    leaving = [m for m in current if m.person_id not in wanted]
    staying = {m.person_id for m in current}
    joining = [person for pk, person in wanted.items() if pk not in staying]
    elsewhere = (
        TeamMembership.objects.current()
        .filter(cohort=team.cohort, person__in=joining)
        .exclude(team=team)
        .select_related("person", "team")
    )
    clashes = [f"{m.person} is already in {m.team}" for m in elsewhere]
    if clashes:
        raise ValidationError({"members": "; ".join(clashes) + ". Take them out of it first."})
    _end_memberships(leaving, now)
    for person in joining:
        membership = TeamMembership(team=team, cohort=team.cohort, person=person, joined_at=now)
        membership.full_clean(validate_constraints=False)
        membership.save()
    return joining, [m.person for m in leaving]


@transaction.atomic
def team_create(
    *,
    cohort: Cohort,
    name: str,
    clinical_lead: User,
    members: Sequence[User] = (),
    focus_kind: str = RedesignTeam.FocusKind.WORK_PROCESS,
    focus: str = "",
    aim: str = "",
    manager_partner: User | None = None,
    executive_sponsor: User | None = None,
    acting_user: User | None,
) -> RedesignTeam:
    """Create a clinically-led team; the clinical lead is always one of its members."""
    team = RedesignTeam(
        cohort=cohort,
        name=name,
        focus_kind=focus_kind,
        focus=focus,
        aim=aim,
        clinical_lead=clinical_lead,
        manager_partner=manager_partner,
        executive_sponsor=executive_sponsor,
    )
    team.full_clean()
    team.save()
    people = list(members)
    if clinical_lead.pk not in {p.pk for p in people}:
        people.append(clinical_lead)
    _set_members(team, people, timezone.now())
    audit_record(
        actor=acting_user,
        action="redesign_team.create",
        target=team,
        cohort_id=cohort.pk,
        changes={"lead": str(clinical_lead), "members": _names(people), "focus": focus},
    )
    return team


TEAM_FIELDS = ("name", "focus_kind", "focus", "aim", "clinical_lead", "manager_partner",
               "executive_sponsor")  # fmt: skip


@transaction.atomic
def team_update(
    *,
    team: RedesignTeam,
    acting_user: User | None,
    members: Sequence[User] | None = None,
    **fields,
) -> RedesignTeam:
    """Change a team's details and, if ``members`` is given, its membership (ending, not
    deleting, the memberships of people who leave). The lead stays a member."""
    unknown = set(fields) - set(TEAM_FIELDS)
    if unknown:
        raise TypeError(f"team_update() got unexpected fields {sorted(unknown)}")
    before = {name: str(getattr(team, name) or "") for name in fields}
    for name, value in fields.items():
        setattr(team, name, value)
    team.full_clean()
    team.save()
    changes = {
        name: [before[name], str(getattr(team, name) or "")]
        for name in fields
        if before[name] != str(getattr(team, name) or "")
    }
    if members is not None:
        people = list(members)
        if team.clinical_lead_id not in {p.pk for p in people}:
            people.append(team.clinical_lead)
        joined, left = _set_members(team, people, timezone.now())
        if joined:
            changes["joined"] = _names(joined)
        if left:
            changes["left"] = _names(left)
    audit_record(
        actor=acting_user,
        action="redesign_team.update",
        target=team,
        cohort_id=team.cohort_id,
        changes=changes,
    )
    return team


@dataclass(frozen=True)
class TeamPlan:
    """One team in a restructure: an existing team (or None for a new one), its name, lead
    and members."""

    team: RedesignTeam | None
    name: str
    clinical_lead: User
    members: tuple[User, ...]
    focus_kind: str = RedesignTeam.FocusKind.WORK_PROCESS


@transaction.atomic
def teams_restructure(
    *,
    cohort: Cohort,
    plans: Sequence[TeamPlan],
    acting_user: User | None,
    expected_state: str | None = None,
) -> list[RedesignTeam]:
    """Save a whole formation at once (e.g. an adjusted suggestion): all or nothing.

    Everyone leaving a team leaves first, then people join, so moves between teams work.
    Nobody may be in two plans; each lead must be a clinician and is made a member. With
    ``expected_state`` (``formation.board_state`` of the teams the plans were made from) the
    cohort is locked and a formation made before someone else changed its teams is refused."""
    if expected_state is not None:
        Cohort.objects.select_for_update().get(pk=cohort.pk)
        memberships = TeamMembership.objects.current().filter(cohort=cohort)
        now_state = formation.board_state(
            cohort.redesign_teams.values_list("pk", flat=True),
            memberships.values_list("team_id", "person_id"),
        )
        if now_state != expected_state:
            raise ValidationError(
                "Someone changed this cohort's teams since the board was opened, so nothing "
                "was saved. The board now shows who is where; check your moves and save again."
            )
    seen: dict[int, str] = {}
    names: set[str] = set()
    for plan in plans:
        if plan.name.casefold() in names:
            raise ValidationError(f"Two teams are called {plan.name}.")
        names.add(plan.name.casefold())
        for person in plan.members:
            if person.pk in seen:
                raise ValidationError(f"{person} is in both {seen[person.pk]} and {plan.name}.")
            seen[person.pk] = plan.name
    for plan in plans:
        if plan.clinical_lead.pk in seen and seen[plan.clinical_lead.pk] != plan.name:
            raise ValidationError(
                f"{plan.clinical_lead} cannot lead {plan.name}: "
                f"they are in {seen[plan.clinical_lead.pk]}."
            )
    now = timezone.now()
    saved: list[tuple[RedesignTeam, list[User]]] = []
    for plan in plans:
        people = list(plan.members)
        if plan.clinical_lead.pk not in seen:
            people.append(plan.clinical_lead)
        team = plan.team or RedesignTeam(cohort=cohort, focus_kind=plan.focus_kind)
        team.name = plan.name
        team.clinical_lead = plan.clinical_lead
        team.full_clean()
        team.save()
        saved.append((team, people))
    # End every membership that the plan moves or removes before anyone joins, so people can
    # swap teams; people in teams the plan does not mention stay where they are.
    planned_teams = {team.pk for team, _people in saved}
    planned_people = {person.pk for _team, people in saved for person in people}
    wanted = {(team.pk, person.pk) for team, people in saved for person in people}
    _end_memberships(
        [
            membership
            for membership in TeamMembership.objects.current().filter(cohort=cohort)
            if (membership.team_id, membership.person_id) not in wanted
            and (membership.person_id in planned_people or membership.team_id in planned_teams)
        ],
        now,
    )
    for team, people in saved:
        _set_members(team, people, now)
        audit_record(
            actor=acting_user,
            action="redesign_team.restructure",
            target=team,
            cohort_id=cohort.pk,
            changes={"lead": str(team.clinical_lead), "members": _names(people)},
        )
    return [team for team, _people in saved]


# --- assignments ---------------------------------------------------------------------------


def parse_rubric(text: str) -> list[tuple[str, list[str]]]:
    """Rubric lines ``Criterion: level 1 | level 2 | level 3`` (lowest level first)."""
    rubric = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        title, sep, levels = line.partition(":")
        labels = [label.strip() for label in levels.split("|") if label.strip()]
        if not sep or not title.strip() or len(labels) < 2:
            raise ValidationError(
                f"Line {number}: write “Criterion: level | level”, with at least two levels."
            )
        rubric.append((title.strip()[:200], [label[:100] for label in labels]))
    return rubric


def rubric_text(assignment: Assignment) -> str:
    return "\n".join(
        f"{criterion.title}: " + " | ".join(level.label for level in criterion.levels.all())
        for criterion in assignment.rubric_criteria.prefetch_related("levels")
    )


def _replace_rubric(assignment: Assignment, rubric: list[tuple[str, list[str]]]) -> None:
    if FeedbackScore.objects.filter(criterion__assignment=assignment).exists():
        if rubric_text(assignment) != "\n".join(f"{t}: " + " | ".join(ls) for t, ls in rubric):
            raise ValidationError(
                {"rubric": "Feedback already uses this rubric, so it can no longer change."}
            )
        return
    assignment.rubric_criteria.all().delete()
    for position, (title, labels) in enumerate(rubric, start=1):
        criterion = RubricCriterion.objects.create(
            assignment=assignment, position=position, title=title
        )
        RubricLevel.objects.bulk_create(
            RubricLevel(criterion=criterion, position=n, label=label)
            for n, label in enumerate(labels, start=1)
        )


ASSIGNMENT_FIELDS = ("module", "title", "brief", "due_at", "kind", "accepted_types", "max_size_mb")


@transaction.atomic
def assignment_create(
    *,
    cohort: Cohort,
    title: str,
    due_at: datetime.datetime,
    acting_user: User | None,
    rubric: Sequence[tuple[str, list[str]]] = (),
    **fields,
) -> Assignment:
    """Create an assignment with an optional rubric (criteria, each with levels)."""
    assignment = Assignment(cohort=cohort, title=title, due_at=due_at, **fields)
    assignment.full_clean()
    assignment.save()
    _replace_rubric(assignment, list(rubric))
    audit_record(
        actor=acting_user,
        action="assignment.create",
        target=assignment,
        cohort_id=cohort.pk,
        changes={"due_at": due_at.isoformat(), "kind": assignment.kind},
    )
    return assignment


@transaction.atomic
def assignment_update(
    *,
    assignment: Assignment,
    acting_user: User | None,
    rubric: list[tuple[str, list[str]]] | None = None,
    **fields,
) -> Assignment:
    """Change an assignment. The rubric cannot change once feedback uses it."""
    unknown = set(fields) - set(ASSIGNMENT_FIELDS)
    if unknown:
        raise TypeError(f"assignment_update() got unexpected fields {sorted(unknown)}")
    before = {name: str(getattr(assignment, name)) for name in fields}
    for name, value in fields.items():
        setattr(assignment, name, value)
    assignment.full_clean()
    assignment.save()
    if rubric is not None:
        _replace_rubric(assignment, rubric)
    audit_record(
        actor=acting_user,
        action="assignment.update",
        target=assignment,
        cohort_id=assignment.cohort_id,
        changes={
            name: [before[name], str(getattr(assignment, name))]
            for name in fields
            if before[name] != str(getattr(assignment, name))
        },
    )
    return assignment


# --- assignments of a programme's blueprint ------------------------------------------------

ASSIGNMENT_TEMPLATE_FIELDS = (
    "module_template",
    "title",
    "brief",
    "kind",
    "rubric",
    "due_offset_days",
    "due_time",
    "accepted_types",
    "max_size_mb",
)


@transaction.atomic
def assignment_template_save(
    *,
    programme: Programme,
    acting_user: User,
    template: AssignmentTemplate | None = None,
    module_template: ModuleTemplate | None,
    title: str,
    brief: str,
    kind: str,
    rubric: str,
    due_offset_days: int,
    due_time: datetime.time = datetime.time(17, 0),
    accepted_types: Sequence[str] | None = None,
    max_size_mb: int = 10,
) -> AssignmentTemplate:
    """Create (``template`` None) or change an assignment of ``programme``'s blueprint. The
    rubric is checked line by line (``parse_rubric``). Cohorts made earlier keep their
    assignments until an administrator applies the change to them. Audited as
    ``assignment_template.save``."""
    try:
        parse_rubric(rubric)
    except ValidationError as error:
        raise ValidationError({"rubric": error.messages}) from error
    template = template or AssignmentTemplate(programme=programme)
    template.module_template = module_template
    template.title = title
    template.brief = brief
    template.kind = kind
    template.rubric = rubric.strip()
    template.due_offset_days = due_offset_days
    template.due_time = due_time
    if accepted_types is not None:
        template.accepted_types = list(accepted_types)
    template.max_size_mb = max_size_mb
    template.full_clean()
    template.save()
    audit_record(
        actor=acting_user,
        action="assignment_template.save",
        target=programme,
        changes={"title": title, "kind": kind, "due_offset_days": due_offset_days},
    )
    return template


def module_last_days(cohort: Cohort) -> dict[int, datetime.date]:
    """Module template id → the last day (cohort time) of the cohort's module made from it."""
    lasts: dict[int, datetime.date] = {}
    sessions = (
        Session.objects.filter(module__cohort=cohort, module__template__isnull=False)
        .order_by("starts_at")
        .values_list("module__template_id", "starts_at")
    )
    for template_id, starts_at in sessions:
        lasts[template_id] = starts_at.astimezone(cohort.tzinfo).date()
    return lasts


def assignment_due(
    cohort: Cohort,
    template: AssignmentTemplate,
    module_ends: dict[int, datetime.date],
    closed: Sequence[Closure],
) -> tuple[datetime.datetime, str]:
    """When ``template``'s assignment is due in ``cohort`` (at its time of day, cohort time):
    ``due_offset_days`` after its module's last day (``module_ends``) or the cohort's start,
    on a working day; and the note when a holiday or close-down moved it."""
    base = module_ends.get(template.module_template_id or 0, cohort.starts_on)
    day, note = working_day_on_or_after(
        cohort, base + datetime.timedelta(days=template.due_offset_days), closed
    )
    return datetime.datetime.combine(day, template.due_time, tzinfo=cohort.tzinfo), note


@transaction.atomic
def assignments_from_templates(
    *, cohort: Cohort, acting_user: User | None, only: Iterable[int] | None = None
) -> list[str]:
    """Give ``cohort`` an assignment, with its rubric, for each of its programme's assignment
    templates (``only``: those ids) it does not have yet, linked to the cohort's module made
    from the template's module and due by ``assignment_due``. Returns the notes of due dates a
    holiday or close-down moved. Each is audited as ``assignment.create``."""
    templates = cohort.programme.assignment_templates.exclude(assignments__cohort=cohort)
    if only is not None:
        templates = templates.filter(pk__in=list(only))
    closed = closures_for(cohort)
    ends = module_last_days(cohort)
    modules = {m.template_id: m for m in cohort.modules.filter(template__isnull=False)}
    notes = []
    for template in templates:
        due_at, note = assignment_due(cohort, template, ends, closed)
        if note:
            notes.append(f"{template.title}: due date {note[0].lower()}{note[1:]}")
        assignment_create(
            cohort=cohort,
            title=template.title,
            due_at=due_at,
            acting_user=acting_user,
            rubric=parse_rubric(template.rubric),
            template=template,
            module=modules.get(template.module_template_id),
            brief=template.brief,
            kind=template.kind,
            accepted_types=list(template.accepted_types),
            max_size_mb=template.max_size_mb,
        )
    return notes


@transaction.atomic
def extension_grant(
    *,
    assignment: Assignment,
    due_at: datetime.datetime,
    reason: str,
    acting_user: User,
    team: RedesignTeam | None = None,
    person: User | None = None,
) -> Extension:
    """Give one team or one person a new due date (replacing an earlier extension, with the
    old date kept in the audit trail). Lateness is judged against it from now on."""
    if due_at <= assignment.due_at:
        raise ValidationError({"due_at": "An extension must be later than the original due date."})
    target: dict[str, object] = {"team": team} if team is not None else {"person": person}
    extension = (
        Extension.objects.select_for_update().filter(assignment=assignment, **target).first()
    )
    previous = extension.due_at.isoformat() if extension else None
    if extension is None:
        extension = Extension(assignment=assignment, **target)
    extension.due_at = due_at
    extension.reason = reason
    extension.granted_by = acting_user
    extension.created_at = timezone.now()
    extension.full_clean(validate_constraints=False)
    extension.save()
    reminders.extension_reminders_cancel(extension)
    audit_record(
        actor=acting_user,
        action="extension.grant",
        target=extension,
        cohort_id=assignment.cohort_id,
        person_id=person.pk if person else None,
        changes={"due_at": [previous, due_at.isoformat()], "reason": reason},
    )
    return extension


# --- submissions ---------------------------------------------------------------------------

# What one version may hold: longer writing belongs in a file, and a version is read (and its
# files listed) on every page that shows it. The form states both.
MAX_FILES_PER_VERSION = 20
MAX_TEXT_CHARACTERS = 30_000


def _store_files(
    submission: Submission,
    uploads: Sequence[tuple[UploadedFile, CheckedFile]],
    user: User,
    stored_names: list[str],
) -> None:
    """Save each upload under a generated name, recording each name in ``stored_names`` so the
    caller can delete them if the transaction fails. The name is recorded before the write:
    a write that fails half-way (a full disk) leaves a partial file under it."""
    for upload, checked in uploads:
        row = SubmissionFile(
            submission=submission,
            original_name=os.path.basename(upload.name or "file")[-255:],
            file_type=checked.file_type,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            uploaded_by=user,
        )
        upload.seek(0)
        name = row.file.field.generate_filename(row, "upload")
        stored_names.append(name)
        row.file.name = row.file.storage.save(name, upload, max_length=row.file.field.max_length)
        stored_names.append(row.file.name)
        row.save()


ACCEPTED_WORK_IS_FINAL = "This work has been accepted; no further versions can be made."
STORAGE_FAILED = (
    "Your files could not be stored just now (the file store is full or unavailable). "
    "Nothing was saved: try again later, and tell the programme office if it keeps happening."
)


def _check_caps(draft: Submission, text: str, uploads: Sequence) -> None:
    """Refuse, next to its field and before anything is stored, text longer than
    ``MAX_TEXT_CHARACTERS`` or more than ``MAX_FILES_PER_VERSION`` files in the version (those
    already in the draft count)."""
    errors = {}
    if len(text) > MAX_TEXT_CHARACTERS:
        errors["text"] = (
            f"At most {MAX_TEXT_CHARACTERS:,} characters (this has {len(text):,}): "
            "attach longer writing as a file."
        )
    have = draft.files.count() if draft.pk is not None else 0
    if have + len(uploads) > MAX_FILES_PER_VERSION:
        errors["files"] = (
            f"A version holds at most {MAX_FILES_PER_VERSION} files"
            + (f"; this draft has {have} already" if have else "")
            + ". Combine some into one document, or remove some from the draft."
        )
    if errors:
        raise ValidationError(errors)


def _unit(assignment: Assignment, team: RedesignTeam | None, owner: User | None) -> dict:
    if assignment.is_team:
        if team is None or owner is not None:
            raise ValidationError("A team assignment is submitted by a team.")
        return {"team": team}
    if owner is None or team is not None:
        raise ValidationError("An individual assignment is submitted by a person.")
    return {"owner": owner}


def submission_save(
    *,
    assignment: Assignment,
    text: str,
    acting_user: User,
    uploads: Sequence[tuple[UploadedFile, CheckedFile]] = (),
    submit: bool = False,
    team: RedesignTeam | None = None,
    owner: User | None = None,
    now: datetime.datetime | None = None,
    form_token: uuid.UUID | None = None,
) -> Submission:
    """Save the team's (or person's) draft, with any new files; with ``submit`` it becomes the
    next version, marked late if after the (extended) due date, and remembers the members.

    Refused once the latest version is accepted. Files are checked before this is called
    (``uploads.check_upload``); if anything fails nothing is kept — no row, no file. A
    ``form_token`` already used (the same form posted twice) saves nothing and returns what
    the first post saved."""
    stored_names: list[str] = []
    try:
        return _submission_save(
            assignment=assignment,
            text=text,
            acting_user=acting_user,
            uploads=uploads,
            submit=submit,
            unit=_unit(assignment, team, owner),
            now=now or timezone.now(),
            stored_names=stored_names,
            form_token=form_token,
        )
    except BaseException as error:
        # The rows rolled back; the files must go with them.
        for name in dict.fromkeys(stored_names):
            private_storage.delete(name)
        if isinstance(error, OSError):
            # The storage failed (disk full, bucket unreachable): nothing was kept, and the
            # person is told so next to the files rather than shown an error page.
            logger.exception("Could not store the files of a submission.")
            raise ValidationError({"files": STORAGE_FAILED}) from error
        raise


@transaction.atomic
def _submission_save(
    *, assignment, text, acting_user, uploads, submit, unit, now, stored_names, form_token
) -> Submission:
    # Lock the assignment so two members submitting at once get consecutive versions, and a
    # form posted twice at once is seen as such by the second post.
    Assignment.objects.select_for_update().get(pk=assignment.pk)
    if form_token is not None:
        done = Submission.objects.filter(assignment=assignment, form_token=form_token).first()
        if done is not None:
            return done
    latest = selectors.latest_submitted(assignment, **unit)
    if latest is not None and latest.is_accepted:
        raise ValidationError(ACCEPTED_WORK_IS_FINAL)
    draft = selectors.draft_for(assignment, **unit)
    if draft is None:
        draft = Submission(assignment=assignment, created_by=acting_user, created_at=now, **unit)
    _check_caps(draft, text, uploads)
    draft.text = text
    draft.updated_at = now
    draft.form_token = form_token
    has_files = bool(uploads) or (draft.pk is not None and draft.files.exists())
    if submit and not text.strip() and not has_files:
        raise ValidationError("Add some text or a file before submitting.")
    if submit:
        number = (
            Submission.objects.filter(assignment=assignment, **unit).aggregate(n=Max("version"))[
                "n"
            ]
            or 0
        )
        due = selectors.effective_due_at(
            assignment, team=unit.get("team"), person=unit.get("owner")
        )
        draft.status = Submission.Status.SUBMITTED
        draft.version = number + 1
        draft.submitted_at = now
        draft.submitted_by = acting_user
        draft.is_late = now > due
    draft.full_clean(validate_constraints=False)
    draft.save()
    _store_files(draft, uploads, acting_user, stored_names)
    if submit:
        if "team" in unit:
            members = User.objects.filter(
                team_memberships__team=unit["team"], team_memberships__left_at__isnull=True
            )
            draft.members.set(members)
        else:
            draft.members.set([unit["owner"]])
    audit_record(
        actor=acting_user,
        action="submission.submit" if submit else "submission.save_draft",
        target=draft,
        cohort_id=assignment.cohort_id,
        person_id=unit["owner"].pk if "owner" in unit else None,
        changes={
            "version": draft.version,
            "late": draft.is_late,
            "files": [upload.name for upload, _checked in uploads],
        },
    )
    return draft


# --- feedback ------------------------------------------------------------------------------


@transaction.atomic
def feedback_save(
    *,
    submission: Submission,
    comments: str,
    decision: str,
    levels: dict[int, RubricLevel],
    acting_user: User,
    release: bool = False,
    form_token: uuid.UUID | None = None,
) -> Feedback:
    """Write (or rewrite) the feedback on a submitted version while it is a draft; with
    ``release`` it becomes visible to the team at once (and they are told). Released feedback
    is final. A ``form_token`` already used (the same form posted twice) saves nothing and
    returns the feedback the first post saved."""
    if submission.is_draft:
        raise ValidationError("Feedback is given on submitted versions, not drafts.")
    # Locking the version orders two saves of its feedback, even when there is none yet; the
    # feedback row's own lock orders this against releasing it (feedback_release_all).
    Submission.objects.select_for_update().only("pk").get(pk=submission.pk)
    feedback = (
        Feedback.objects.select_for_update().filter(submission=submission).order_by("pk").first()
    )
    if feedback and form_token is not None and feedback.form_token == form_token:
        return feedback
    if feedback and feedback.is_released:
        raise ValidationError("This feedback has been released and can no longer change.")
    now = timezone.now()
    if feedback is None:
        feedback = Feedback(submission=submission, created_at=now)
    feedback.author = acting_user
    feedback.comments = comments
    feedback.decision = decision
    feedback.updated_at = now
    feedback.form_token = form_token
    if release:
        feedback.released_at = now
        feedback.released_by = acting_user
    feedback.full_clean(validate_constraints=False)
    feedback.save()
    feedback.scores.all().delete()
    FeedbackScore.objects.bulk_create(
        FeedbackScore(feedback=feedback, criterion_id=criterion_id, level=level)
        for criterion_id, level in levels.items()
        if level is not None
    )
    if release:
        reminders.feedback_released_notify([feedback])
    audit_record(
        actor=acting_user,
        action="feedback.release" if release else "feedback.save",
        target=feedback,
        cohort_id=submission.assignment.cohort_id,
        person_id=submission.owner_id,
        changes={"decision": decision, "levels": {str(k): str(v) for k, v in levels.items()}},
    )
    return feedback


@transaction.atomic
def feedback_release(*, feedback: Feedback, acting_user: User) -> bool:
    """Release one piece of feedback; False if it was released already (nothing changes)."""
    updated = Feedback.objects.filter(pk=feedback.pk, released_at__isnull=True).update(
        released_at=timezone.now(), released_by=acting_user
    )
    if updated:
        feedback.refresh_from_db()
        reminders.feedback_released_notify([feedback])
        audit_record(
            actor=acting_user,
            action="feedback.release",
            target=feedback,
            cohort_id=feedback.submission.assignment.cohort_id,
        )
    return bool(updated)


@transaction.atomic
def feedback_release_all(*, assignment: Assignment, acting_user: User) -> int:
    """Release every draft feedback of the assignment at once, so the cohort gets its feedback
    together. Returns how many were released; one audit event for the batch."""
    pending = (
        Feedback.objects.select_for_update(of=("self",))
        .order_by("pk")
        .filter(submission__assignment=assignment, released_at__isnull=True)
    )
    ids = list(pending.values_list("pk", flat=True))
    Feedback.objects.filter(pk__in=ids).update(released_at=timezone.now(), released_by=acting_user)
    reminders.feedback_released_notify(
        list(
            Feedback.objects.filter(pk__in=ids).select_related(
                "submission__assignment__cohort__programme"
            )
        )
    )
    if ids:
        audit_record(
            actor=acting_user,
            action="feedback.release_all",
            target=assignment,
            cohort_id=assignment.cohort_id,
            changes={"feedback_ids": ids},
        )
    return len(ids)


@transaction.atomic
def peer_comment_create(*, submission: Submission, body: str, acting_user: User) -> PeerComment:
    """A peer's comment on a submitted version (peer review must be on for the cohort)."""
    if not submission.assignment.cohort.peer_review_enabled:
        raise ValidationError("Peer review is not turned on for this cohort.")
    if submission.is_draft:
        raise ValidationError("Drafts cannot be commented on.")
    comment = PeerComment(submission=submission, author=acting_user, body=body)
    comment.full_clean()
    comment.save()
    audit_record(
        actor=acting_user,
        action="peer_comment.create",
        target=comment,
        cohort_id=submission.assignment.cohort_id,
    )
    return comment


def feedback_mark_read(*, feedback: Feedback, person: User) -> None:
    """Record that ``person`` has read released ``feedback`` on their own (or their team's)
    work, so their start page stops listing it as unread. Idempotent (one row at most, even
    from two tabs at once); not audited: reading changes nothing."""
    if feedback.is_released:
        FeedbackRead.objects.bulk_create(
            [FeedbackRead(feedback=feedback, person=person)], ignore_conflicts=True
        )
