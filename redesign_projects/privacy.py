"""The redesign projects' part of subject access and erasure (``governance/privacy.py`` runs
both): a person's team memberships, submissions (their own in full, team work as a list),
feedback, peer comments and extensions."""

import re
from collections.abc import Iterable

from django.db.models import Q
from django.db.models.fields.files import FieldFile

from leadership.models import User
from leadership.privacy import ERASED_TEXT, SubjectAccessData, in_scope, when

from .models import (
    Extension,
    Feedback,
    PeerComment,
    PeerReview,
    Submission,
    SubmissionFile,
    TeamMembership,
)


def _safe_name(name: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._")
    return cleaned[:80] or "file"


def export_project_work(person: User, cohort_ids: set[int] | None) -> SubjectAccessData:
    """Their team memberships; their individual submissions with text, files and released
    feedback; the team submissions they took part in as a list (with only the files *they*
    uploaded: the team's text and other members' files stay on the team page); the feedback
    they wrote, their peer comments and reviews and the extensions granted to them — all in
    ``cohort_ids`` (None: every cohort). Read-only."""
    data = SubjectAccessData()
    s = data.sections
    memberships = in_scope(
        TeamMembership.objects.filter(person=person).select_related("team", "cohort"),
        "cohort",
        cohort_ids,
    )
    s["team_memberships"] = [
        {
            "cohort": m.cohort.name,
            "team": m.team.name,
            "joined_at": when(m.joined_at),
            "left_at": when(m.left_at),
        }
        for m in memberships
    ]

    # Submissions: their own individual work in full; team work they took part in as a list.
    own_files = SubmissionFile.objects.filter(uploaded_by=person)
    submissions: Iterable[Submission] = in_scope(
        Submission.objects.filter(
            Q(owner=person)
            | Q(members=person)
            | Q(created_by=person)
            | Q(submitted_by=person)
            | Q(files__in=own_files)
        )
        .select_related("assignment__cohort", "team")
        .distinct(),
        "assignment__cohort",
        cohort_ids,
    )
    submissions = list(submissions)
    individual_ids = {sub.pk for sub in submissions if sub.owner_id == person.pk}
    files = SubmissionFile.objects.filter(
        Q(submission_id__in=individual_ids) | Q(uploaded_by=person, submission__in=submissions)
    ).order_by("pk")
    files_by_submission: dict[int, list[str]] = {}
    s["submission_files"] = []
    for upload in files:
        path = f"files/submissions/{upload.pk}-{_safe_name(upload.original_name)}"
        data.files[path] = upload.file
        files_by_submission.setdefault(upload.submission_id, []).append(path)
        s["submission_files"].append(
            {
                "submission_id": upload.submission_id,
                "original_name": upload.original_name,
                "size": upload.size,
                "sha256": upload.sha256,
                "uploaded_at": when(upload.uploaded_at),
                "uploaded_by_you": upload.uploaded_by_id == person.pk,
                "file_in_this_zip": path,
            }
        )
    feedback = {
        f.submission_id: f
        for f in Feedback.objects.filter(
            submission__in=submissions, released_at__isnull=False
        ).prefetch_related("scores__criterion", "scores__level")
    }
    s["submissions"] = []
    for sub in submissions:
        mine = sub.pk in individual_ids
        released = feedback.get(sub.pk)
        s["submissions"].append(
            {
                "id": sub.pk,
                "cohort": sub.assignment.cohort.name,
                "assignment": sub.assignment.title,
                "kind": "individual" if mine else "team",
                "team": sub.team.name if sub.team is not None else "",
                "status": sub.get_status_display(),
                "version": sub.version,
                "submitted_at": when(sub.submitted_at),
                "late": sub.is_late,
                "submitted_by_you": sub.submitted_by_id == person.pk,
                "text": sub.text if mine else "",
                "files_in_this_zip": files_by_submission.get(sub.pk, []),
                "feedback_decision": released.get_decision_display() if released else "",
                "feedback_released_at": when(released.released_at) if released else None,
                # Comments on team work discuss the whole team: they stay on the team page.
                "feedback_comments": released.comments if released and mine else "",
                "feedback_scores": [
                    f"{score.criterion.title}: {score.level.label}"
                    for score in released.scores.all()
                ]
                if released and mine
                else [],
            }
        )
    given = in_scope(
        Feedback.objects.filter(author=person).select_related("submission__assignment__cohort"),
        "submission__assignment__cohort",
        cohort_ids,
    )
    s["feedback_you_gave"] = [
        {
            "submission_id": f.submission_id,
            "cohort": f.submission.assignment.cohort.name,
            "assignment": f.submission.assignment.title,
            "decision": f.get_decision_display(),
            "written_at": when(f.created_at),
            "released_at": when(f.released_at),
        }
        for f in given
    ]
    comments = in_scope(
        PeerComment.objects.filter(author=person).select_related("submission__assignment"),
        "submission__assignment__cohort",
        cohort_ids,
    )
    s["peer_comments"] = [
        {
            "submission_id": c.submission_id,
            "assignment": c.submission.assignment.title,
            "comment": c.body,
            "written_at": when(c.created_at),
        }
        for c in comments
    ]
    reviews = in_scope(
        PeerReview.objects.filter(reviewer=person).select_related("submission__assignment"),
        "submission__assignment__cohort",
        cohort_ids,
    )
    s["peer_reviews_you_wrote"] = [
        {
            "submission_id": r.submission_id,
            "assignment": r.submission.assignment.title,
            "due_on": r.due_on.isoformat(),
            "anonymous": r.anonymous,
            "scores": [f"{criterion}: {score}" for criterion, score in r.rubric_lines()],
            "strengths": r.strengths,
            "suggestions": r.suggestions,
            "sent_at": when(r.submitted_at),
        }
        for r in reviews
    ]
    extensions = in_scope(
        Extension.objects.filter(person=person).select_related("assignment__cohort"),
        "assignment__cohort",
        cohort_ids,
    )
    s["extensions"] = [
        {
            "cohort": x.assignment.cohort.name,
            "assignment": x.assignment.title,
            "new_due_at": when(x.due_at),
            "reason": x.reason,
            "granted_at": when(x.created_at),
        }
        for x in extensions
    ]
    return data


def erase_person(*, person: User) -> list[FieldFile]:
    """Replace the reasons of their extensions, their peer comments and the words of their peer
    reviews (the scores stay: they are the authors' figures) with ``ERASED_TEXT``;
    empty the text of their individual submissions, replace the feedback comments on them and
    delete their files' rows. Team work and the files they uploaded to it stay: they are the
    team's record. Submissions and feedback decisions keep their rows, so the cohort's figures
    do not move. Returns the deleted rows' files, for the caller to delete from storage once
    the erasure commits."""
    Extension.objects.filter(person=person).update(reason=ERASED_TEXT)
    PeerComment.objects.filter(author=person).update(body=ERASED_TEXT)
    reviews = PeerReview.objects.filter(reviewer=person)
    reviews.exclude(strengths="").update(strengths=ERASED_TEXT)
    reviews.exclude(suggestions="").update(suggestions=ERASED_TEXT)
    individual = Submission.objects.filter(owner=person)
    individual.exclude(text="").update(text="")
    Feedback.objects.filter(submission__in=individual).update(comments=ERASED_TEXT)
    own_files = SubmissionFile.objects.filter(submission__in=individual)
    doomed = [upload.file for upload in own_files]
    own_files.delete()
    return doomed
