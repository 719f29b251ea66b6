"""Writes: frameworks (import, choice), self-assessments, 360 rounds, raters and their answers.

Rater links: the token is ``HMAC(secret key, nonce)`` (256 bits; the nonce is 128 random
bits), and the database keeps only the nonce and the token's SHA-256. A reminder rebuilds the
same link; a copy of the database alone cannot. A link works once, until its round closes."""

import csv
import datetime
import hashlib
import io
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from cohorts.models import Cohort, Enrolment, Programme
from leadership import notifications
from leadership.models import Notification, User
from leadership.privacy import ERASED_DOMAIN
from leadership.services import audit_record

from . import selectors
from .example import EXAMPLE_DESCRIPTION, EXAMPLE_DIMENSIONS, EXAMPLE_NAME
from .models import (
    SCALE_MAX,
    SCALE_MIN,
    Dimension,
    FeedbackRating,
    FeedbackResponse,
    FeedbackRound,
    Framework,
    ProgrammeFramework,
    Rater,
    RaterGroup,
    SelfAssessment,
    SelfRating,
    Statement,
)

TOKEN_SALT = "frameworks.rater-link"
ROUND_LENGTH = datetime.timedelta(days=28)
MAX_RATERS = 20
MAX_DIMENSIONS, MAX_STATEMENTS = 12, 8
# The models' lengths, checked per row so that each row's problem is reported with its number.
DIMENSION_NAME_LENGTH, DIMENSION_DESCRIPTION_LENGTH, STATEMENT_LENGTH = 120, 500, 300
# The models' lengths, checked per row so that each row's problem is reported with its number.
DIMENSION_NAME_LENGTH, DIMENSION_DESCRIPTION_LENGTH, STATEMENT_LENGTH = 120, 500, 300


# Frameworks -----------------------------------------------------------------------------------


@dataclass
class ParsedFramework:
    """Dimensions in file order: name → (description, statements)."""

    dimensions: dict[str, tuple[str, list[str]]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def framework_parse_csv(text: str) -> ParsedFramework:
    """Read a framework from CSV text with the columns ``dimension``, ``dimension_description``
    (optional) and ``statement``: one row a statement, dimensions in the order they first
    appear. Every problem is reported with its row number; nothing is saved here."""
    parsed = ParsedFramework()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
    if "dimension" not in header or "statement" not in header:
        parsed.errors.append(
            "The first row must name the columns: dimension, dimension_description "
            "(optional), statement."
        )
        return parsed
    reader.fieldnames = header
    for number, row in enumerate(reader, start=2):
        dimension = (row.get("dimension") or "").strip()
        statement = (row.get("statement") or "").strip()
        description = (row.get("dimension_description") or "").strip()
        if not dimension and not statement:
            continue
        problems = []
        if not dimension:
            problems.append("the dimension is empty")
        elif len(dimension) > DIMENSION_NAME_LENGTH:
            problems.append("the dimension is longer than 120 characters")
        if not statement:
            problems.append("the statement is empty")
        elif len(statement) > STATEMENT_LENGTH:
            problems.append("the statement is longer than 300 characters")
        if len(description) > DIMENSION_DESCRIPTION_LENGTH:
            problems.append("the description is longer than 500 characters")
        if problems:
            parsed.errors.append(f"Row {number}: {'; '.join(problems)}.")
            continue
        known_description, statements = parsed.dimensions.setdefault(dimension, (description, []))
        if description and known_description and description != known_description:
            parsed.errors.append(
                f"Row {number}: “{dimension}” has a different description on an earlier row."
            )
        elif description and not known_description:
            parsed.dimensions[dimension] = (description, statements)
        if statement in statements:
            parsed.errors.append(f"Row {number}: this statement is already in “{dimension}”.")
        statements.append(statement)
    if not parsed.errors:
        if len(parsed.dimensions) < 2 or len(parsed.dimensions) > MAX_DIMENSIONS:
            parsed.errors.append(f"A framework has 2 to {MAX_DIMENSIONS} dimensions.")
        for name, (_description, statements) in parsed.dimensions.items():
            if not 1 <= len(statements) <= MAX_STATEMENTS:
                parsed.errors.append(f"“{name}” needs 1 to {MAX_STATEMENTS} statements.")
    return parsed


def framework_create(
    *,
    programme: Programme | None,
    name: str,
    description: str,
    dimensions: Mapping[str, tuple[str, list[str]]],
    acting_user: User | None,
) -> Framework:
    """Save a framework with its dimensions and statements, all or nothing; audited."""
    with transaction.atomic():
        framework = Framework(
            programme=programme, name=name.strip(), description=description, created_by=acting_user
        )
        framework.full_clean()
        framework.save()
        for position, (dimension_name, (text, statements)) in enumerate(dimensions.items(), 1):
            dimension = Dimension(
                framework=framework, name=dimension_name, description=text, position=position
            )
            dimension.full_clean()
            dimension.save()
            rows = [
                Statement(dimension=dimension, text=statement, position=index)
                for index, statement in enumerate(statements, 1)
            ]
            for row in rows:
                row.full_clean(exclude=["dimension"])
            Statement.objects.bulk_create(rows)
        if acting_user is not None:
            audit_record(
                actor=acting_user,
                action="framework.create",
                target=programme or framework,
                changes={"framework": framework.name, "dimensions": len(dimensions)},
            )
    return framework


def example_framework_install() -> Framework:
    """The example framework the product ships (``example.py``), created if it is missing.
    Idempotent: its data migration installs it; tests that empty the database call this."""
    existing = Framework.objects.filter(name=EXAMPLE_NAME, programme__isnull=True).first()
    if existing is not None:
        return existing
    return framework_create(
        programme=None,
        name=EXAMPLE_NAME,
        description=EXAMPLE_DESCRIPTION,
        dimensions={name: (text, list(items)) for name, text, items in EXAMPLE_DIMENSIONS},
        acting_user=None,
    )


def framework_import(
    *, programme: Programme, name: str, description: str, text: str, acting_user: User
) -> Framework:
    """Parse ``text`` (``framework_parse_csv``) and save it for ``programme``. Raises
    ``ValidationError`` listing every row's problem, and then saves nothing."""
    parsed = framework_parse_csv(text)
    if parsed.errors:
        raise ValidationError({"file": parsed.errors})
    if Framework.objects.filter(name__iexact=name.strip()).exists():
        raise ValidationError({"name": "A framework of that name exists: choose another."})
    return framework_create(
        programme=programme,
        name=name,
        description=description,
        dimensions=parsed.dimensions,
        acting_user=acting_user,
    )


def programme_framework_choose(
    *, programme: Programme, framework: Framework, acting_user: User | None
) -> ProgrammeFramework:
    """Make ``framework`` the one the programme's cohorts assess against. Refused once any of
    its cohorts has self-assessments or 360s against another (they must stay comparable)."""
    if framework.programme_id not in (None, programme.pk):
        raise ValidationError("That framework belongs to another programme.")
    with transaction.atomic():
        current = ProgrammeFramework.objects.select_for_update().filter(programme=programme).first()
        if current is not None and current.framework_id == framework.pk:
            return current
        cohorts = Cohort.objects.filter(programme=programme)
        in_use = (
            SelfAssessment.objects.filter(cohort__in=cohorts).exclude(framework=framework).exists()
            or FeedbackRound.objects.filter(cohort__in=cohorts)
            .exclude(framework=framework)
            .exists()
        )
        if in_use:
            raise ValidationError(
                "Participants of this programme have already assessed themselves against the "
                "current framework, so it can no longer change."
            )
        choice, _created = ProgrammeFramework.objects.update_or_create(
            programme=programme, defaults={"framework": framework, "chosen_at": timezone.now()}
        )
        audit_record(
            actor=acting_user,
            action="framework.choose",
            target=programme,
            changes={"framework": framework.name},
        )
    return choice


# Self-assessments -----------------------------------------------------------------------------


def _clean_ratings(framework: Framework, ratings: Mapping[int, int]) -> dict[int, int]:
    statement_ids = set(
        Statement.objects.filter(dimension__framework=framework).values_list("pk", flat=True)
    )
    if set(ratings) != statement_ids:
        raise ValidationError("Rate every statement.")
    if any(not SCALE_MIN <= value <= SCALE_MAX for value in ratings.values()):
        raise ValidationError(f"Ratings go from {SCALE_MIN} to {SCALE_MAX}.")
    return dict(ratings)


def self_assessment_submit(
    *,
    cohort: Cohort,
    person: User,
    kind: str,
    ratings: Mapping[int, int],
    now: datetime.datetime | None = None,
) -> SelfAssessment:
    """Record a participant's start or end self-assessment while its window is open (once
    each). Not audited: the audit trail is read by administrators, and nobody else learns
    even when someone assessed themselves."""
    now = now or timezone.now()
    framework = selectors.framework_for_cohort(cohort)
    if framework is None:
        raise ValidationError("This programme has no leadership framework yet.")
    window = selectors.self_assessment_windows(cohort).get(kind)
    if window is None or not window.is_open(now.astimezone(cohort.tzinfo).date()):
        raise ValidationError("This self-assessment is not open.")
    cleaned = _clean_ratings(framework, ratings)
    with transaction.atomic():
        if not Enrolment.objects.filter(
            cohort=cohort,
            person=person,
            role=Enrolment.Role.PARTICIPANT,
            status__in=Enrolment.ACTIVE_STATUSES,
        ).exists():
            raise ValidationError("Only the cohort's participants assess themselves.")
        assessment = SelfAssessment(
            cohort=cohort, person=person, framework=framework, kind=kind, submitted_at=now
        )
        try:
            assessment.full_clean()
        except ValidationError as exc:
            raise ValidationError("You have already sent this self-assessment.") from exc
        assessment.save()
        SelfRating.objects.bulk_create(
            SelfRating(assessment=assessment, statement_id=statement_id, value=value)
            for statement_id, value in cleaned.items()
        )
    return assessment


# 360 feedback ---------------------------------------------------------------------------------


def rater_token(rater: Rater) -> str:
    return salted_hmac(TOKEN_SALT, rater.nonce, algorithm="sha256").hexdigest()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def rater_link(rater: Rater) -> str:
    return notifications.absolute_url(
        reverse("frameworks:rater_form", kwargs={"token": rater_token(rater)})
    )


def _rater_email_context(rater: Rater, feedback_round: FeedbackRound) -> dict:
    cohort = feedback_round.cohort
    return {
        "participant_name": feedback_round.participant.get_full_name(),
        "programme_name": cohort.programme.name,
        "cohort_name": cohort.name,
        "closes_on": f"{feedback_round.closes_at.astimezone(cohort.tzinfo):%-d %B %Y}",
        "link": rater_link(rater),
        **cohort.email_voice(),
    }


def rater_invite(
    *,
    cohort: Cohort,
    participant: User,
    group: str,
    email: str,
    now: datetime.datetime | None = None,
) -> Rater:
    """A participant asks ``email`` for 360 feedback: opens their round (first time; it closes
    ``ROUND_LENGTH`` later) and e-mails the rater a private link through the outbox
    (``feedback_request``, sent for the participant). Not audited: who someone asked is theirs
    alone."""
    now = now or timezone.now()
    framework = selectors.framework_for_cohort(cohort)
    if framework is None:
        raise ValidationError("This programme has no leadership framework yet.")
    if group not in RaterGroup.values:
        raise ValidationError({"group": "Choose a group."})
    email = email.strip().lower()
    if email == participant.email.lower():
        raise ValidationError({"email": "Ask someone else: your own view is your self-assessment."})
    with transaction.atomic():
        if not Enrolment.objects.filter(
            cohort=cohort,
            person=participant,
            role=Enrolment.Role.PARTICIPANT,
            status__in=Enrolment.ACTIVE_STATUSES,
        ).exists():
            raise ValidationError("Only the cohort's participants ask for feedback.")
        feedback_round, _created = FeedbackRound.objects.select_for_update().get_or_create(
            cohort=cohort,
            participant=participant,
            defaults={"framework": framework, "opened_at": now, "closes_at": now + ROUND_LENGTH},
        )
        if feedback_round.status != FeedbackRound.Status.OPEN or feedback_round.closes_at <= now:
            raise ValidationError("Your 360 has closed.")
        if feedback_round.raters.count() >= MAX_RATERS:
            raise ValidationError(f"You can ask at most {MAX_RATERS} people.")
        nonce = secrets.token_hex(16)
        rater = Rater(round=feedback_round, group=group, email=email, nonce=nonce, invited_at=now)
        rater.token_hash = token_hash(rater_token(rater))
        try:
            rater.full_clean()
        except ValidationError as exc:
            if "email" in getattr(exc, "error_dict", {}):
                raise
            raise ValidationError({"email": "You have already asked this person."}) from exc
        rater.save()
        notifications.notify(
            recipient=participant,
            to_address=email,
            kind=Notification.Kind.FEEDBACK_REQUEST,
            dedup_key=f"feedback-request-{rater.pk}",
            template="feedback_request",
            context=_rater_email_context(rater, feedback_round),
            subject=rater,
            cohort_id=cohort.pk,
        )
    return rater


class RaterLinkError(Exception):
    """A rater link that cannot be used: ``reason`` is "unknown", "used" or "closed"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def rater_for_token(token: str, *, now: datetime.datetime | None = None, lock: bool = False):
    """The rater a link belongs to, if it may still be answered; raises ``RaterLinkError``."""
    now = now or timezone.now()
    raters = Rater.objects.select_related(
        "round__cohort__programme", "round__participant", "round__framework"
    )
    if lock:
        raters = raters.select_for_update(of=("self",))
    rater = raters.filter(token_hash=token_hash(token)).first()
    if rater is None:
        raise RaterLinkError("unknown")
    if rater.responded:
        raise RaterLinkError("used")
    if rater.round.status != FeedbackRound.Status.OPEN or rater.round.closes_at <= now:
        raise RaterLinkError("closed")
    return rater


def forget_rater_emails(raters: list[int]) -> None:
    """Blank what the outbox holds for these raters' e-mails (address, link), and cancel any
    not yet sent."""
    keys = [f"feedback-request-{pk}" for pk in raters] + [
        f"feedback-reminder-{pk}-{n}" for pk in raters for n in (1, 2)
    ]
    rows = Notification.objects.filter(dedup_key__in=keys)
    rows.filter(status__in=[Notification.Status.PENDING, Notification.Status.FAILED]).update(
        status=Notification.Status.CANCELLED
    )
    rows.exclude(status=Notification.Status.SENDING).update(
        to_address=f"rater@{ERASED_DOMAIN}", context={}
    )


def feedback_submit(
    *, token: str, ratings: Mapping[int, int], now: datetime.datetime | None = None
) -> FeedbackResponse:
    """Record a rater's answers, kept apart from the rater (see ``models``), and spend the
    link. Raises ``RaterLinkError`` for a link already used, closed or unknown. Not audited:
    an event would date the answer."""
    now = now or timezone.now()
    with transaction.atomic():
        rater = rater_for_token(token, now=now, lock=True)
        cleaned = _clean_ratings(rater.round.framework, ratings)
        response = FeedbackResponse(
            round=rater.round,
            group=rater.group,
            submitted_on=now.astimezone(rater.round.cohort.tzinfo).date(),
        )
        response.full_clean()
        response.save()
        FeedbackRating.objects.bulk_create(
            FeedbackRating(response=response, statement_id=statement_id, value=value)
            for statement_id, value in cleaned.items()
        )
        Rater.objects.filter(pk=rater.pk).update(responded=True)
        forget_rater_emails([rater.pk])
    return response


def _close(feedback_round_ids: list[int], now: datetime.datetime) -> None:
    FeedbackRound.objects.filter(pk__in=feedback_round_ids).update(
        status=FeedbackRound.Status.CLOSED, closed_at=now
    )
    raters = list(
        Rater.objects.filter(round_id__in=feedback_round_ids).values_list("pk", flat=True)
    )
    Rater.objects.filter(pk__in=raters).update(email="")
    forget_rater_emails(raters)


def feedback_rounds_close_due(*, now: datetime.datetime) -> int:
    """Close every open 360 past its closing time and erase its raters' addresses (the
    retention rule for them: kept only while the 360 is open). Safe to run twice."""
    with transaction.atomic():
        due = list(
            FeedbackRound.objects.select_for_update(skip_locked=True)
            .filter(status=FeedbackRound.Status.OPEN, closes_at__lte=now)
            .values_list("pk", flat=True)
        )
        if due:
            _close(due, now)
    return len(due)


def rater_remind(*, rater: Rater, number: int) -> bool:
    """Record reminder ``number`` (1 or 2) to a rater who has not answered; False when it was
    already recorded. The counter is claimed with a conditional UPDATE, so two sweeps cannot
    both send it."""
    with transaction.atomic():
        claimed = Rater.objects.filter(
            pk=rater.pk, reminders_sent=number - 1, responded=False
        ).update(reminders_sent=number)
        if not claimed:
            return False
        notifications.notify(
            recipient=rater.round.participant,
            to_address=rater.email,
            kind=Notification.Kind.FEEDBACK_REMINDER,
            dedup_key=f"feedback-reminder-{rater.pk}-{number}",
            template="feedback_reminder",
            context=_rater_email_context(rater, rater.round),
            subject=rater,
            cohort_id=rater.round.cohort_id,
        )
    return True
