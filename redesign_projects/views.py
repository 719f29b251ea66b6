"""Pages for redesign teams, assignments, submissions and feedback: access → form → service →
redirect. Access rules live in ``selectors``; every lookup goes through them."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from cohorts.models import Enrolment
from cohorts.selectors import ADMINISTRATOR, cohorts_for_role, get_cohort_for_user
from leadership.forms import add_service_errors
from leadership.storage import private_download

from . import formation, peer_reviews, selectors, services
from .forms import (
    AssignmentForm,
    ExtensionForm,
    FeedbackForm,
    FormationFormSet,
    OverviewFilterForm,
    PeerCommentForm,
    PeerReviewAllocateForm,
    PeerReviewForm,
    PeerReviewRoundRobinForm,
    PlacementForm,
    SubmissionForm,
    TeamForm,
    formation_plans,
)
from .models import Feedback
from .team_page import team_sections

ADMIN_ONLY = frozenset({ADMINISTRATOR})
PARTICIPANT = Enrolment.Role.PARTICIPANT


# --- teams ---------------------------------------------------------------------------------


@login_required
def team_list(request, cohort_id):
    """The cohort's teams: all of them for staff (and peers when peer review is on), the
    participant's own otherwise."""
    cohort, access = get_cohort_for_user(request.user, cohort_id)
    access = selectors.project_access(request.user, cohort, access)
    if not (access.is_staff_reader or access.is_participant):
        raise Http404
    return render(
        request,
        "redesign_projects/team_list.html",
        {
            "cohort": cohort,
            "access": access,
            "teams": selectors.teams_for_cohort(cohort, access),
            "summary": selectors.teams_summary_for_cohort(cohort) if access.is_admin else None,
        },
    )


@login_required
def team_mine(request):
    """A participant's way in: their current team in their newest cohort, or that cohort's
    team list while they are in no team."""
    team = selectors.newest_team_of(request.user)
    if team is not None:
        return redirect("redesign_projects:team_detail", team_id=team.pk)
    cohort = cohorts_for_role(request.user, PARTICIPANT).first()
    if cohort is None:
        raise Http404
    return redirect("redesign_projects:team_list", cohort_id=cohort.pk)


@login_required
def team_create(request, cohort_id):
    cohort, _access = get_cohort_for_user(request.user, cohort_id, roles=ADMIN_ONLY)
    form = TeamForm(request.POST if request.method == "POST" else None, cohort=cohort)
    if request.method == "POST" and form.is_valid():
        try:
            team = services.team_create(
                cohort=cohort,
                members=form.cleaned_data["members"],
                acting_user=request.user,
                **form.team_fields(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{team} was created.")
            return redirect("redesign_projects:team_detail", team_id=team.pk)
    return render(request, "redesign_projects/team_form.html", {"cohort": cohort, "form": form})


@login_required
def team_update(request, team_id):
    team, access = selectors.get_team_for_user(request.user, team_id)
    if not access.is_admin:
        raise PermissionDenied
    form = TeamForm(
        request.POST if request.method == "POST" else None, instance=team, cohort=team.cohort
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.team_update(
                team=team,
                members=form.cleaned_data["members"],
                acting_user=request.user,
                **form.team_fields(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{team} was saved.")
            return redirect("redesign_projects:team_detail", team_id=team.pk)
    return render(
        request,
        "redesign_projects/team_form.html",
        {"cohort": team.cohort, "form": form, "team": team},
    )


def _team_count(request) -> int | None:
    try:
        count = int(request.GET.get("teams") or 0) or None
    except ValueError:
        return None
    return None if count is None else max(1, min(count, formation.MAX_TEAMS))


@login_required
def team_formation(request, cohort_id):
    """The formation board: every participant once, the suggested teams as columns with their
    balance; people move by their select (or, with JavaScript, by drag and drop). "Update
    the balance" redraws the board from what was chosen without saving (for browsers without
    JavaScript); "Save all teams" saves every team in one transaction and says what changed."""
    cohort, _access = get_cohort_for_user(request.user, cohort_id, roles=ADMIN_ONLY)
    data = formation.board_data(cohort)
    people = data.by_id
    if request.method == "POST":
        formset = FormationFormSet(request.POST, prefix="team", form_kwargs={"people": people})
        names = [
            request.POST.get(f"team-{i}-name") or f"Team {i + 1}"
            for i in range(min(formset.total_form_count(), formation.MAX_TEAMS))
        ]
        placement = PlacementForm(request.POST, people=data.people, team_names=names)
        saving = request.POST.get("action") != "update"
        if saving and formset.is_valid() and placement.is_valid():
            plans = formation_plans(
                formset, placement, people=people, teams={t.pk: t for t in data.teams}
            )
            if plans is not None:
                created = {id(plan) for plan in plans if plan.team is None}
                try:
                    teams = services.teams_restructure(
                        cohort=cohort,
                        plans=plans,
                        acting_user=request.user,
                        expected_state=placement.cleaned_data["board_state"],
                    )
                except ValidationError as error:
                    formset.non_form_errors().extend(error.messages)
                else:
                    saved = [
                        (team, id(plan) in created, plan.members)
                        for team, plan in zip(teams, plans, strict=True)
                    ]
                    messages.success(request, f"{len(teams)} teams were saved.")
                    changes = formation.changes_summary(data, saved)
                    messages.info(request, " ".join(changes) if changes else "Nobody changed team.")
                    return redirect("redesign_projects:team_list", cohort_id=cohort.pk)
    else:
        initial, placed = formation.suggested_board(data, _team_count(request))
        formset = FormationFormSet(initial=initial, prefix="team", form_kwargs={"people": people})
        placement = PlacementForm(
            initial={f"person_{pk}": index for pk, index in placed.items()},
            people=data.people,
            team_names=[team["name"] for team in initial],
        )
    return render(
        request,
        "redesign_projects/team_formation.html",
        {
            "cohort": cohort,
            "formset": formset,
            "placement": placement,
            "board": formation.build_board(data, formset, placement),
        },
    )


@login_required
def team_detail(request, team_id):
    """The team page: members (now and before), aim, assignments with status, every version
    submitted, released feedback; then the sections other apps add (``team_page``)."""
    team, access = selectors.get_team_for_user(request.user, team_id)
    own = team.pk in access.team_ids
    memberships = list(team.memberships.select_related("person").order_by("-left_at", "joined_at"))
    with timezone.override(team.cohort.tzinfo):
        return render(
            request,
            "redesign_projects/team_detail.html",
            {
                "team": team,
                "cohort": team.cohort,
                "access": access,
                "own": own,
                "current_members": [m for m in memberships if m.left_at is None],
                "past_members": [m for m in memberships if m.left_at is not None],
                "statuses": selectors.team_statuses(
                    team, with_feedback=access.sees_feedback(own=own)
                ),
                "submissions": selectors.submissions_for_unit(team=team, access=access, own=own),
                "team_sections": team_sections(team, access),
            },
        )


# --- assignments ---------------------------------------------------------------------------


@login_required
def assignment_overview(request, cohort_id):
    """Every team × assignment with its status, filterable."""
    cohort, access = get_cohort_for_user(request.user, cohort_id, roles=selectors.STAFF_READERS)
    access = selectors.project_access(request.user, cohort, access)
    form = OverviewFilterForm(request.GET or None, cohort=cohort)
    filters = form.cleaned_data if form.is_valid() else {}
    assignments, rows = selectors.assignment_overview(
        cohort,
        assignment_id=filters.get("assignment"),
        team_id=filters.get("team"),
        status=filters.get("status") or None,
    )
    with timezone.override(cohort.tzinfo):
        return render(
            request,
            "redesign_projects/assignment_overview.html",
            {
                "cohort": cohort,
                "access": access,
                "form": form,
                "assignments": assignments,
                "rows": rows,
            },
        )


@login_required
def assignment_create(request, cohort_id):
    cohort, _access = get_cohort_for_user(request.user, cohort_id, roles=ADMIN_ONLY)
    with timezone.override(cohort.tzinfo):
        form = AssignmentForm(request.POST if request.method == "POST" else None, cohort=cohort)
        if request.method == "POST" and form.is_valid():
            try:
                assignment = services.assignment_create(
                    cohort=cohort,
                    rubric=form.cleaned_data["rubric"],
                    acting_user=request.user,
                    **form.assignment_fields(),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"“{assignment}” was created.")
                return redirect("redesign_projects:assignment_detail", assignment_id=assignment.pk)
        return render(
            request, "redesign_projects/assignment_form.html", {"cohort": cohort, "form": form}
        )


@login_required
def assignment_update(request, assignment_id):
    assignment, access = selectors.get_assignment_for_user(request.user, assignment_id)
    if not access.is_admin:
        raise PermissionDenied
    cohort = assignment.cohort
    with timezone.override(cohort.tzinfo):
        form = AssignmentForm(
            request.POST if request.method == "POST" else None, instance=assignment, cohort=cohort
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.assignment_update(
                    assignment=assignment,
                    rubric=form.cleaned_data["rubric"],
                    acting_user=request.user,
                    **form.assignment_fields(),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"“{assignment}” was saved.")
                return redirect("redesign_projects:assignment_detail", assignment_id=assignment.pk)
        return render(
            request,
            "redesign_projects/assignment_form.html",
            {"cohort": cohort, "form": form, "assignment": assignment},
        )


def _unit_for(user, assignment, access) -> dict | None:
    """The team (or person) a participant submits for, or None if they cannot."""
    if not access.is_participant:
        return None
    if assignment.is_team:
        team = selectors.current_team_of(user, assignment.cohort)
        return {"team": team} if team else None
    return {"owner": user}


@login_required
def assignment_detail(request, assignment_id):
    """The brief and rubric; for a participant their work and its status, for staff the
    latest version from each team with its feedback and the release-all button."""
    assignment, access = selectors.get_assignment_for_user(request.user, assignment_id)
    unit = _unit_for(request.user, assignment, access)
    context = {"assignment": assignment, "cohort": assignment.cohort, "access": access}
    if unit:
        latest = selectors.latest_submitted(assignment, **unit)
        draft = selectors.draft_for(assignment, **unit)
        context.update(
            unit=unit.get("team") or unit.get("owner"),
            latest=latest,
            draft=draft,
            due_at=selectors.effective_due_at(
                assignment, team=unit.get("team"), person=unit.get("owner")
            ),
        )
    if access.is_staff_reader:
        context["submitted"] = selectors.submitted_for_assignment(assignment)
        context["extensions"] = assignment.extensions.select_related("team", "person")
    context["criteria"] = assignment.rubric_criteria.prefetch_related("levels")
    with timezone.override(assignment.cohort.tzinfo):
        return render(request, "redesign_projects/assignment_detail.html", context)


@login_required
def extension_create(request, assignment_id):
    assignment, access = selectors.get_assignment_for_user(request.user, assignment_id)
    if not access.is_admin:
        raise PermissionDenied
    with timezone.override(assignment.cohort.tzinfo):
        form = ExtensionForm(
            request.POST if request.method == "POST" else None, assignment=assignment
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.extension_grant(
                    assignment=assignment,
                    due_at=form.cleaned_data["due_at"],
                    reason=form.cleaned_data["reason"],
                    acting_user=request.user,
                    **form.target(),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "The extension was granted.")
                return redirect("redesign_projects:assignment_detail", assignment_id=assignment.pk)
        return render(
            request,
            "redesign_projects/extension_form.html",
            {"assignment": assignment, "cohort": assignment.cohort, "form": form},
        )


# --- submissions ---------------------------------------------------------------------------


@login_required
def submission_edit(request, assignment_id):
    """A participant's draft for their team (or themselves): save it, or submit it as the next
    version."""
    assignment, access = selectors.get_assignment_for_user(request.user, assignment_id)
    if not access.is_participant:
        raise PermissionDenied
    unit = _unit_for(request.user, assignment, access)
    if unit is None:
        messages.error(request, "You are not in a team yet, so you cannot submit team work.")
        return redirect("redesign_projects:assignment_detail", assignment_id=assignment.pk)
    draft = selectors.draft_for(assignment, **unit)
    latest = selectors.latest_submitted(assignment, **unit)
    if latest is not None and latest.is_accepted:
        # Not a form that would only be refused on saving.
        messages.info(request, services.ACCEPTED_WORK_IS_FINAL)
        return redirect("redesign_projects:assignment_detail", assignment_id=assignment.pk)
    initial = {"text": (draft or latest).text if (draft or latest) else ""}
    form = SubmissionForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        assignment=assignment,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        submit = "submit" in request.POST
        try:
            submission = services.submission_save(
                assignment=assignment,
                text=form.cleaned_data["text"],
                uploads=form.cleaned_data["files"],
                submit=submit,
                acting_user=request.user,
                form_token=form.cleaned_data["form_token"],
                **unit,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if submit:
                late = (
                    " It was after the due date, so it is marked late."
                    if submission.is_late
                    else ""
                )
                messages.success(request, f"Version {submission.version} was submitted.{late}")
                return redirect("redesign_projects:submission_detail", submission_id=submission.pk)
            messages.success(request, "Your draft was saved.")
            return redirect("redesign_projects:submission_edit", assignment_id=assignment.pk)
    with timezone.override(assignment.cohort.tzinfo):
        return render(
            request,
            "redesign_projects/submission_form.html",
            {
                "assignment": assignment,
                "cohort": assignment.cohort,
                "form": form,
                "draft": draft,
                "latest": latest,
                "unit": unit.get("team") or unit.get("owner"),
                "due_at": selectors.effective_due_at(
                    assignment, team=unit.get("team"), person=unit.get("owner")
                ),
            },
        )


@login_required
def submission_detail(request, submission_id):
    """One version: text, files, feedback (released, or any for faculty), peer comments."""
    submission, access, own = selectors.get_submission_for_user(request.user, submission_id)
    feedback = getattr(submission, "feedback", None)
    if feedback and not (
        (feedback.is_released and access.sees_feedback(own=own)) or access.gives_feedback
    ):
        feedback = None
    if feedback and own:
        # Opening it is reading it: the start page stops listing it as unread.
        services.feedback_mark_read(feedback=feedback, person=request.user)
    with timezone.override(submission.assignment.cohort.tzinfo):
        return render(
            request,
            "redesign_projects/submission_detail.html",
            {
                "submission": submission,
                "assignment": submission.assignment,
                "cohort": submission.assignment.cohort,
                "access": access,
                "own": own,
                "feedback": feedback,
                "scores": feedback.scores.select_related("criterion", "level") if feedback else [],
                "history": selectors.submission_history(submission),
                "files": submission.files.all(),
                "members": submission.members.all(),
                "comments": submission.peer_comments.select_related("author"),
                "reviews": peer_reviews.reviews_for_authors(
                    submission, show_names=access.is_staff_reader
                )
                if own or access.is_staff_reader
                else [],
                "comment_form": PeerCommentForm() if access.can_peer_review else None,
            },
        )


@login_required
def file_download(request, file_id):
    """A submission's file, to those who may read the submission; 404 and no bytes otherwise."""
    upload = selectors.get_file_for_user(request.user, file_id)
    # Streamed through this view after the check, never a redirect to a signed bucket URL
    # (why: leadership/storage.py).
    return private_download(
        upload.file, filename=upload.original_name, content_type=upload.content_type
    )


# --- feedback ------------------------------------------------------------------------------


@login_required
def feedback_edit(request, submission_id):
    submission, access, _own = selectors.get_submission_for_user(request.user, submission_id)
    if not access.gives_feedback:
        raise PermissionDenied
    if submission.is_draft:
        raise Http404
    feedback = getattr(submission, "feedback", None)
    initial = {}
    if feedback:
        initial = {"comments": feedback.comments, "decision": feedback.decision}
        initial.update({f"criterion_{s.criterion_id}": s.level_id for s in feedback.scores.all()})
    form = FeedbackForm(
        request.POST if request.method == "POST" else None, submission=submission, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        release = "release" in request.POST
        try:
            services.feedback_save(
                submission=submission,
                comments=form.cleaned_data["comments"],
                decision=form.cleaned_data["decision"],
                levels=form.chosen_levels(),
                release=release,
                acting_user=request.user,
                form_token=form.cleaned_data["form_token"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, "Feedback released." if release else "Feedback saved as a draft."
            )
            return redirect("redesign_projects:submission_detail", submission_id=submission.pk)
    return render(
        request,
        "redesign_projects/feedback_form.html",
        {
            "submission": submission,
            "assignment": submission.assignment,
            "cohort": submission.assignment.cohort,
            "form": form,
            "feedback": feedback,
        },
    )


@login_required
@require_POST
def feedback_release(request, feedback_id):
    feedback = Feedback.objects.filter(pk=feedback_id).only("id", "submission_id").first()
    if feedback is None:
        raise Http404
    submission, access, _own = selectors.get_submission_for_user(
        request.user, feedback.submission_id
    )
    if not access.gives_feedback:
        raise PermissionDenied
    if services.feedback_release(feedback=submission.feedback, acting_user=request.user):
        messages.success(request, "Feedback released.")
    return redirect("redesign_projects:submission_detail", submission_id=submission.pk)


@login_required
@require_POST
def feedback_release_all(request, assignment_id):
    assignment, access = selectors.get_assignment_for_user(request.user, assignment_id)
    if not access.gives_feedback:
        raise PermissionDenied
    count = services.feedback_release_all(assignment=assignment, acting_user=request.user)
    messages.success(request, f"{count} pieces of feedback released.")
    return redirect("redesign_projects:assignment_detail", assignment_id=assignment.pk)


@login_required
@require_POST
def peer_comment_create(request, submission_id):
    submission, access, _own = selectors.get_submission_for_user(request.user, submission_id)
    if not access.can_peer_review:
        raise PermissionDenied
    form = PeerCommentForm(request.POST)
    if form.is_valid():
        try:
            services.peer_comment_create(
                submission=submission, body=form.cleaned_data["body"], acting_user=request.user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Your comment was added.")
    else:
        messages.error(request, "Write a comment before sending it.")
    return redirect(
        reverse("redesign_projects:submission_detail", kwargs={"submission_id": submission.pk})
        + "#comments"
    )


# --- allocated peer review -----------------------------------------------------------------


def _allocation_page(request, assignment, *, status=200, allocate_form=None, robin_form=None):
    rows = peer_reviews.allocation_rows(assignment)
    reviewers = selectors.participants_of(assignment.cohort).order_by("last_name", "first_name")
    default_due = timezone.localdate(timezone=assignment.cohort.tzinfo) + datetime.timedelta(
        days=14
    )
    with timezone.override(assignment.cohort.tzinfo):
        return render(
            request,
            "redesign_projects/peer_review_allocation.html",
            {
                "assignment": assignment,
                "cohort": assignment.cohort,
                "rows": rows,
                "allocate_form": allocate_form
                or PeerReviewAllocateForm(
                    submissions=[r.submission for r in rows],
                    reviewers=reviewers,
                    initial={"due_on": default_due},
                ),
                "robin_form": robin_form
                or PeerReviewRoundRobinForm(prefix="robin", initial={"due_on": default_due}),
            },
            status=status,
        )


def _assignment_for_office(request, assignment_id):
    assignment, access = selectors.get_assignment_for_user(request.user, assignment_id)
    if not access.is_admin:
        raise PermissionDenied("The programme office allocates peer reviewers.")
    return assignment


@login_required
def peer_review_allocation(request, assignment_id):
    """The office's page: each team's latest submitted work with its reviewers; allocate one
    reviewer (POST), or everyone round-robin (``peer_review_round_robin``)."""
    assignment = _assignment_for_office(request, assignment_id)
    if request.method != "POST":
        return _allocation_page(request, assignment)
    form = PeerReviewAllocateForm(
        request.POST,
        submissions=peer_reviews.latest_submitted(assignment),
        reviewers=selectors.participants_of(assignment.cohort),
    )
    if form.is_valid():
        try:
            review = peer_reviews.peer_review_allocate(
                acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            work = review.submission.team or review.submission.owner
            messages.success(request, f"{review.reviewer} now reviews {work}.")
            return redirect("redesign_projects:peer_review_allocation", assignment_id=assignment.pk)
    return _allocation_page(request, assignment, status=400, allocate_form=form)


@login_required
@require_POST
def peer_review_round_robin(request, assignment_id):
    """Allocate reviewers to every piece of work, avoiding each reviewer's own team."""
    assignment = _assignment_for_office(request, assignment_id)
    form = PeerReviewRoundRobinForm(request.POST, prefix="robin")
    if form.is_valid():
        try:
            created = peer_reviews.peer_reviews_allocate_round_robin(
                assignment=assignment, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Allocated {len(created)} review(s).")
            return redirect("redesign_projects:peer_review_allocation", assignment_id=assignment.pk)
    return _allocation_page(request, assignment, status=400, robin_form=form)


@login_required
def peer_review_detail(request, review_id):
    """The reviewer writes their review (once) beside the work; the office reads it."""
    review, access = peer_reviews.get_peer_review_for_user(request.user, review_id)
    submission = review.submission
    writing = review.reviewer_id == request.user.pk and not review.is_submitted
    form = PeerReviewForm(request.POST if request.method == "POST" else None, instance=review)
    if request.method == "POST":
        if not writing:
            raise PermissionDenied("Only the reviewer writes this review, once.")
        if form.is_valid():
            try:
                peer_reviews.peer_review_submit(
                    review=review, acting_user=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Your review was sent. Thank you.")
                return redirect("home")
    with timezone.override(submission.assignment.cohort.tzinfo):
        return render(
            request,
            "redesign_projects/peer_review_detail.html",
            {
                "review": review,
                "submission": submission,
                "assignment": submission.assignment,
                "cohort": submission.assignment.cohort,
                "access": access,
                "form": form if writing else None,
                "files": submission.files.all(),
            },
            status=400 if form.errors else 200,
        )
