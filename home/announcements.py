"""Who an announcement goes to: everyone in a cohort, or those chosen by role, redesign team
and work not yet submitted. Teams and submissions live above ``cohorts``, so the choosing is
done here on the top floor; ``cohorts.services.announcement_send`` records and sends."""

import hashlib
from dataclasses import dataclass

from cohorts.models import Cohort, Enrolment
from leadership.models import User
from redesign_projects.models import Assignment, RedesignTeam, Submission, TeamMembership


@dataclass(frozen=True)
class Audience:
    people: list[User]
    label: str
    filters: dict


def audience_for(
    cohort: Cohort,
    *,
    role: str = "",
    team: RedesignTeam | None = None,
    not_submitted: Assignment | None = None,
) -> Audience:
    """The people actively enrolled in ``cohort`` (not withdrawn, not completed), narrowed by
    each filter given: holding ``role``; currently in ``team``; owing ``not_submitted`` (their
    team has no submitted version of a team assignment, or they have none of an individual
    one). In name order. At most three queries: enrolments; the team's members; the units that
    have submitted."""
    # In name order (by letters, whatever the accents: the name columns' collation).
    enrolments = (
        Enrolment.objects.filter(cohort=cohort, status=Enrolment.Status.ENROLLED)
        .select_related("person")
        .order_by("person__last_name", "person__first_name", "person__pk")
    )
    if role:
        enrolments = enrolments.filter(role=role)
    people = {e.person_id: e.person for e in enrolments}
    if team is not None:
        members = set(
            TeamMembership.objects.current().filter(team=team).values_list("person_id", flat=True)
        )
        people = {pk: p for pk, p in people.items() if pk in members}
    if not_submitted is not None:
        submitted = Submission.objects.filter(
            assignment=not_submitted, status=Submission.Status.SUBMITTED
        )
        if not_submitted.is_team:
            done_teams = submitted.values("team_id")
            done = set(
                TeamMembership.objects.current()
                .filter(team__in=done_teams)
                .values_list("person_id", flat=True)
            )
            placed = set(
                TeamMembership.objects.current()
                .filter(cohort=cohort)
                .values_list("person_id", flat=True)
            )
            people = {pk: p for pk, p in people.items() if pk in placed and pk not in done}
        else:
            done = set(submitted.values_list("owner_id", flat=True))
            participants = set(
                Enrolment.objects.filter(
                    cohort=cohort,
                    role=Enrolment.Role.PARTICIPANT,
                    status=Enrolment.Status.ENROLLED,
                ).values_list("person_id", flat=True)
            )
            people = {pk: p for pk, p in people.items() if pk in participants and pk not in done}
    label = _label(cohort, role, team, not_submitted)
    filters = {
        "role": role,
        "team": team.pk if team else None,
        "not_submitted": not_submitted.pk if not_submitted else None,
    }
    return Audience(people=list(people.values()), label=label, filters=filters)


ROLE_PLURALS: dict[str, str] = {
    Enrolment.Role.PARTICIPANT: "Participants",
    Enrolment.Role.FACULTY: "Faculty",
    Enrolment.Role.CLINICAL_LEADER: "Clinical leaders",
    Enrolment.Role.COACH: "Coaches",
    Enrolment.Role.ADMIN_SUPPORT: "Administrative support",
}


def _label(cohort: Cohort, role: str, team, not_submitted) -> str:
    who = ROLE_PLURALS[role] if role else "Everyone"
    where = f" in {team.name}" if team else f" in {cohort.name}"
    owing = f" who have not submitted “{not_submitted.title}”" if not_submitted else ""
    return f"{who}{where}{owing}"


def preview_digest(*, subject: str, body: str, filters: dict) -> str:
    """A fingerprint of what was previewed: sending something else (edited after the preview)
    shows the preview again instead of sending it unseen. Not a secret: it only catches edits."""
    text = "\x1f".join([subject, body, repr(sorted(filters.items()))])
    return hashlib.sha256(text.encode()).hexdigest()
