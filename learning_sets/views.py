"""Pages for action learning sets, leadership challenges and coaching: access → form →
service → redirect. Everyone reaches theirs from "Learning sets and coaching" in the menu
(``my_learning``); administrators from the cohort page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from cohorts.models import Enrolment
from cohorts.selectors import ADMINISTRATOR, get_cohort_for_user
from cohorts.shortcuts import render
from leadership.forms import add_service_errors

from . import selectors, services
from .forms import (
    ActionForm,
    ChallengeForm,
    CoachAssignForm,
    CoachingSessionForm,
    DebriefForm,
    EthicsForm,
    LearningSetForm,
    MeetingForm,
    OutcomeForm,
)
from .models import CODE_OF_ETHICS_VERSION, SET_MAX_MEMBERS, SET_MIN_MEMBERS

ADMIN_ONLY = frozenset({ADMINISTRATOR})


@login_required
def my_learning(request):
    """One person's sets, challenges, actions and coaching across their cohorts (the start
    page of someone who only coaches)."""
    return render(
        request,
        "learning_sets/my_learning.html",
        {"mine": selectors.my_learning(request.user), "version": CODE_OF_ETHICS_VERSION},
    )


# Action learning sets ---------------------------------------------------------------------------


@login_required
def set_list(request, cohort_id):
    """The cohort's sets with their facilitators and members, and who is in none (office)."""
    cohort, _access = get_cohort_for_user(request.user, cohort_id, roles=ADMIN_ONLY)
    return render(
        request,
        "learning_sets/set_list.html",
        {
            "cohort": cohort,
            "sets": selectors.cohort_learning_sets(cohort),
            "without_set": selectors.participants_without_a_set(cohort),
        },
    )


@login_required
def set_create(request, cohort_id):
    """Form a set: a name, a facilitator and four to eight participants, with suggested
    groups that spread each redesign team's members across sets."""
    cohort, _access = get_cohort_for_user(request.user, cohort_id, roles=ADMIN_ONLY)
    free = selectors.participants_without_a_set(cohort)
    form = LearningSetForm(
        request.POST or None,
        facilitators=selectors.people_in_role(cohort, *selectors.FACILITATOR_ROLES),
        participants=selectors.people_in_role(cohort, Enrolment.Role.PARTICIPANT).filter(
            pk__in=[p.pk for p in free]
        ),
    )
    if request.method == "POST" and form.is_valid():
        try:
            learning_set = services.learning_set_create(
                cohort=cohort,
                name=form.cleaned_data["name"],
                facilitator=form.cleaned_data["facilitator"],
                members=list(form.cleaned_data["members"]),
                acting_user=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{learning_set.name} formed.")
            return redirect("learning_sets:set_list", cohort_id=cohort.pk)
    size = (SET_MIN_MEMBERS + SET_MAX_MEMBERS) // 2
    return render(
        request,
        "learning_sets/set_create.html",
        {
            "cohort": cohort,
            "form": form,
            "suggested": selectors.suggest_groups(cohort, free, size),
        },
    )


@login_required
def set_detail(request, set_id):
    """A set's members, meetings and actions (a member sees their own actions)."""
    learning_set, access = selectors.get_learning_set_for_user(request.user, set_id)
    return render(
        request,
        "learning_sets/set_detail.html",
        {
            "learning_set": learning_set,
            "cohort": learning_set.cohort,
            "access": access,
            "page": selectors.learning_set_page(learning_set, access, request.user),
        },
    )


def _recording(request, set_id):
    learning_set, access = selectors.get_learning_set_for_user(request.user, set_id)
    if not access.can_record:
        raise PermissionDenied("The set's facilitator records its meetings and actions.")
    return learning_set


def _members(learning_set):
    """The set's participants, for the meeting and action forms' choices."""
    return selectors.people_in_role(learning_set.cohort, Enrolment.Role.PARTICIPANT).filter(
        learning_set_places__learning_set=learning_set
    )


@login_required
def meeting_create(request, set_id):
    """The facilitator records a meeting: the day, who came, short notes."""
    learning_set = _recording(request, set_id)
    members = _members(learning_set)
    form = MeetingForm(request.POST or None, members=members)
    if request.method == "POST" and form.is_valid():
        try:
            services.learning_set_meeting_record(
                learning_set=learning_set,
                met_on=form.cleaned_data["met_on"],
                attendees=list(form.cleaned_data["attendees"]),
                notes=form.cleaned_data["notes"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Meeting recorded.")
            return redirect("learning_sets:set_detail", set_id=learning_set.pk)
    return render(
        request,
        "learning_sets/meeting_form.html",
        {"learning_set": learning_set, "cohort": learning_set.cohort, "form": form},
    )


@login_required
def action_create(request, set_id):
    """The facilitator records an action a member agreed to."""
    learning_set = _recording(request, set_id)
    members = _members(learning_set)
    form = ActionForm(request.POST or None, members=members)
    if request.method == "POST" and form.is_valid():
        try:
            services.learning_set_action_create(
                learning_set=learning_set,
                owner=form.cleaned_data["owner"],
                text=form.cleaned_data["text"],
                due_on=form.cleaned_data["due_on"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Action recorded.")
            return redirect("learning_sets:set_detail", set_id=learning_set.pk)
    return render(
        request,
        "learning_sets/action_form.html",
        {"learning_set": learning_set, "cohort": learning_set.cohort, "form": form},
    )


@login_required
@require_POST
def action_mark(request, action_id):
    """Its owner or the facilitator marks an action done (``done=1``) or open again."""
    action, _access = selectors.get_action_for_user(request.user, action_id)
    services.learning_set_action_mark(
        action=action, done=request.POST.get("done") == "1", acting_user=request.user
    )
    if request.POST.get("next") == "mine":
        return redirect("learning_sets:my_learning")
    return redirect("learning_sets:set_detail", set_id=action.learning_set_id)


# Leadership challenges --------------------------------------------------------------------------


@login_required
def challenge_list(request, cohort_id):
    """The cohort's challenges by trimester with how many outcomes are recorded."""
    cohort, _access = get_cohort_for_user(request.user, cohort_id, roles=ADMIN_ONLY)
    return render(
        request,
        "learning_sets/challenge_list.html",
        {"cohort": cohort, "challenges": selectors.cohort_challenges(cohort)},
    )


@login_required
def challenge_create(request, cohort_id):
    """Set a trimester's challenge: brief, date and rubric."""
    cohort, _access = get_cohort_for_user(request.user, cohort_id, roles=ADMIN_ONLY)
    form = ChallengeForm(request.POST or None, milestones=selectors.cohort_milestones(cohort))
    if request.method == "POST" and form.is_valid():
        try:
            challenge = services.challenge_create(
                cohort=cohort,
                trimester=form.cleaned_data["trimester"],
                title=form.cleaned_data["title"],
                held_on=form.cleaned_data["held_on"],
                brief=form.cleaned_data["brief"],
                rubric=form.cleaned_data["rubric_text"],
                milestone=form.cleaned_data["milestone"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Challenge set.")
            return redirect("learning_sets:challenge_detail", challenge_id=challenge.pk)
    return render(request, "learning_sets/challenge_form.html", {"cohort": cohort, "form": form})


@login_required
def challenge_detail(request, challenge_id):
    """The brief, rubric and debrief; observers see every participant's outcome with a link
    to record it, a participant only their own."""
    challenge, access = selectors.get_challenge_for_user(request.user, challenge_id)
    observer = selectors.can_observe(access)
    return render(
        request,
        "learning_sets/challenge_detail.html",
        {
            "challenge": challenge,
            "cohort": challenge.cohort,
            "observer": observer,
            "rows": selectors.challenge_rows(challenge, only=None if observer else request.user),
        },
    )


def _observing(request, challenge_id):
    challenge, access = selectors.get_challenge_for_user(request.user, challenge_id)
    if not selectors.can_observe(access):
        raise PermissionDenied("Faculty and coaches record what they observed.")
    return challenge


@login_required
def challenge_debrief(request, challenge_id):
    """Faculty, a coach or the office write the debrief."""
    challenge = _observing(request, challenge_id)
    form = DebriefForm(request.POST or None, instance=challenge)
    if request.method == "POST" and form.is_valid():
        services.challenge_debrief_save(
            challenge=challenge, debrief=form.cleaned_data["debrief"], acting_user=request.user
        )
        messages.success(request, "Debrief saved.")
        return redirect("learning_sets:challenge_detail", challenge_id=challenge.pk)
    return render(
        request,
        "learning_sets/debrief_form.html",
        {"challenge": challenge, "cohort": challenge.cohort, "form": form},
    )


@login_required
def outcome_record(request, challenge_id, person_id):
    """Record what was observed of one participant against the rubric."""
    challenge = _observing(request, challenge_id)
    participant = (
        selectors.people_in_role(challenge.cohort, Enrolment.Role.PARTICIPANT)
        .filter(pk=person_id)
        .first()
    )
    if participant is None:
        raise Http404("No such participant.")
    existing = challenge.outcomes.filter(participant=participant).first()
    form = OutcomeForm(
        request.POST or None,
        challenge=challenge,
        initial={"observation": existing.observation if existing else ""},
        initial_levels=existing.levels if existing else (),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.challenge_outcome_record(
                challenge=challenge,
                participant=participant,
                levels=form.levels(),
                observation=form.cleaned_data["observation"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Outcome recorded for {participant}.")
            return redirect("learning_sets:challenge_detail", challenge_id=challenge.pk)
    return render(
        request,
        "learning_sets/outcome_form.html",
        {
            "challenge": challenge,
            "cohort": challenge.cohort,
            "participant": participant,
            "form": form,
        },
    )


# Coaching ---------------------------------------------------------------------------------------


@login_required
def ethics_agree(request):
    """The code of ethics, and a coach's signature on it."""
    if not selectors.cohorts_coached_by(request.user):
        raise PermissionDenied("Only coaches sign the coaching code of ethics.")
    form = EthicsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.ethics_agree(
                coach=request.user,
                signed_name=form.cleaned_data["signed_name"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Thank you: your agreement is recorded.")
            return redirect("learning_sets:my_learning")
    return render(
        request,
        "learning_sets/ethics_form.html",
        {
            "form": form,
            "version": CODE_OF_ETHICS_VERSION,
            "signed": selectors.has_signed_current_code(request.user),
        },
    )


@login_required
def coaching_overview(request, cohort_id):
    """The cohort's coaches with their coachees and how much coaching was logged (counts,
    never notes), and a form to give a participant a coach."""
    cohort, _access = get_cohort_for_user(request.user, cohort_id, roles=ADMIN_ONLY)
    form = CoachAssignForm(
        request.POST or None,
        coaches=selectors.people_in_role(cohort, Enrolment.Role.COACH),
        participants=selectors.people_in_role(cohort, Enrolment.Role.PARTICIPANT).exclude(
            coaches__cohort=cohort
        ),
    )
    if request.method == "POST" and form.is_valid():
        try:
            assignment = services.coach_assign(
                cohort=cohort,
                coach=form.cleaned_data["coach"],
                coachee=form.cleaned_data["coachee"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{assignment.coachee} is coached by {assignment.coach}.")
            return redirect("learning_sets:coaching_overview", cohort_id=cohort.pk)
    return render(
        request,
        "learning_sets/coaching_overview.html",
        {"cohort": cohort, "coaches": selectors.coaching_overview(cohort), "form": form},
    )


@login_required
def coaching_session_create(request, assignment_id):
    """The coach logs a session with their coachee, once they have signed the code."""
    assignment = selectors.get_assignment_for_coach(request.user, assignment_id)
    if not selectors.has_signed_current_code(request.user):
        messages.info(request, "Sign the code of ethics before logging coaching sessions.")
        return redirect("learning_sets:ethics_agree")
    form = CoachingSessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.coaching_session_log(
                assignment=assignment,
                held_on=form.cleaned_data["held_on"],
                duration_minutes=form.cleaned_data["duration_minutes"],
                private_note=form.cleaned_data["private_note"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Coaching session logged.")
            return redirect("learning_sets:my_learning")
    return render(
        request,
        "learning_sets/coaching_session_form.html",
        {"assignment": assignment, "cohort": assignment.cohort, "form": form},
    )
