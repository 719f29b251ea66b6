"""Pages: a programme's framework (administrators), a participant's self-assessments, profile
and 360 (only theirs), the cohort's learning summary, and the rater's page (no account: the
link's token is the only key)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from cohorts.models import Enrolment
from cohorts.selectors import ADMINISTRATOR, get_cohort_for_user, get_programme_for_user
from leadership.forms import add_service_errors

from . import selectors, services
from .forms import FrameworkChoiceForm, FrameworkImportForm, RaterForm, RatingsForm
from .models import SCALE, RaterGroup, SelfAssessment

PARTICIPANT = {Enrolment.Role.PARTICIPANT}


# Administrators -------------------------------------------------------------------------------


@login_required
def programme_framework(request, programme_id):
    """The frameworks a programme may use; the administrator chooses one."""
    programme = get_programme_for_user(request.user, programme_id)
    frameworks = selectors.frameworks_for_programme(programme)
    current = selectors.framework_for_programme(programme)
    form = FrameworkChoiceForm(
        request.POST or None,
        frameworks=frameworks,
        initial={"framework": current.pk if current else None},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.programme_framework_choose(
                programme=programme,
                framework=form.cleaned_data["framework"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "The programme's framework is saved.")
            return redirect("frameworks:programme_framework", programme_id=programme.pk)
    return render(
        request,
        "frameworks/programme_framework.html",
        {"programme": programme, "form": form, "current": current, "frameworks": frameworks},
    )


@login_required
def framework_import(request, programme_id):
    """Define a framework by uploading or pasting CSV; every row's problem is listed and
    nothing is saved until there are none."""
    programme = get_programme_for_user(request.user, programme_id)
    form = FrameworkImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            framework = services.framework_import(
                programme=programme,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                text=form.cleaned_data["csv_text"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"“{framework.name}” is saved; choose it to use it.")
            return redirect("frameworks:programme_framework", programme_id=programme.pk)
    return render(
        request, "frameworks/framework_import.html", {"programme": programme, "form": form}
    )


@login_required
def framework_detail(request, framework_id):
    framework = selectors.get_framework_for_user(request.user, framework_id)
    return render(
        request, "frameworks/framework_detail.html", {"framework": framework, "scale": SCALE}
    )


# Participants ---------------------------------------------------------------------------------


@login_required
def my_learning(request, cohort_id):
    """A participant's own page: their self-assessments (open ones to fill in), their
    before/after profile and their 360."""
    cohort, _access = get_cohort_for_user(request.user, cohort_id, roles=PARTICIPANT)
    profile = selectors.self_assessment_profile(cohort, request.user)
    windows = selectors.self_assessment_windows(cohort)
    today = timezone.localtime(timezone=cohort.tzinfo).date()
    return render(
        request,
        "frameworks/my_learning.html",
        {
            "cohort": cohort,
            "profile": profile,
            "windows": [
                (window, window.is_open(today), profile and window.kind in profile.sent)
                for window in windows.values()
            ],
            "feedback_round": selectors.feedback_round_for(cohort, request.user),
        },
    )


@login_required
def self_assessment(request, cohort_id, kind):
    cohort, _access = get_cohort_for_user(request.user, cohort_id, roles=PARTICIPANT)
    if kind not in SelfAssessment.Kind.values:
        raise Http404("No such self-assessment.")
    framework = selectors.framework_for_cohort(cohort)
    if framework is None:
        raise Http404("This programme has no framework.")
    window = selectors.self_assessment_windows(cohort).get(kind)
    today = timezone.localtime(timezone=cohort.tzinfo).date()
    sent = selectors.self_assessment_sent(cohort, request.user, kind)
    if window is None or not window.is_open(today) or sent:
        return render(
            request,
            "frameworks/self_assessment_closed.html",
            {"cohort": cohort, "window": window, "sent": sent},
        )
    form = RatingsForm(request.POST or None, framework=framework)
    if request.method == "POST" and form.is_valid():
        try:
            services.self_assessment_submit(
                cohort=cohort, person=request.user, kind=kind, ratings=form.ratings()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Your self-assessment is saved. Only you can see it.")
            return redirect("frameworks:my_learning", cohort_id=cohort.pk)
    return render(
        request,
        "frameworks/self_assessment.html",
        {
            "cohort": cohort,
            "form": form,
            "framework": framework,
            "kind_label": SelfAssessment.Kind(kind).label,
        },
    )


@login_required
def feedback_raters(request, cohort_id):
    """Whom the participant asked for 360 feedback, and a form to ask one more."""
    cohort, _access = get_cohort_for_user(request.user, cohort_id, roles=PARTICIPANT)
    if selectors.framework_for_programme(cohort.programme) is None:
        raise Http404("This programme has no framework.")
    form = RaterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.rater_invite(
                cohort=cohort,
                participant=request.user,
                group=form.cleaned_data["group"],
                email=form.cleaned_data["email"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"We have e-mailed {form.cleaned_data['email']} a link.")
            return redirect("frameworks:feedback_raters", cohort_id=cohort.pk)
    return render(
        request,
        "frameworks/feedback_raters.html",
        {
            "cohort": cohort,
            "form": form,
            "feedback_round": selectors.feedback_round_for(cohort, request.user),
            "threshold": selectors.THRESHOLD,
        },
    )


@login_required
def feedback_report(request, cohort_id):
    """The participant's own 360 report; nobody else can open it."""
    cohort, _access = get_cohort_for_user(request.user, cohort_id, roles=PARTICIPANT)
    report = selectors.feedback_report(cohort, request.user)
    if report is None:
        raise Http404("You have not asked for 360 feedback in this cohort.")
    return render(
        request,
        "frameworks/feedback_report.html",
        {"cohort": cohort, "report": report, "threshold": selectors.THRESHOLD},
    )


# The cohort -----------------------------------------------------------------------------------


@login_required
def cohort_learning(request, cohort_id):
    """The cohort's paired self-assessment changes and 360 response rates; administrators also
    see each participant's response counts (never answers)."""
    cohort, access = get_cohort_for_user(
        request.user,
        cohort_id,
        roles={ADMINISTRATOR, Enrolment.Role.FACULTY, Enrolment.Role.CLINICAL_LEADER},
    )
    return render(
        request,
        "frameworks/cohort_learning.html",
        {
            "cohort": cohort,
            "summary": selectors.cohort_learning_summary(cohort),
            "rates": selectors.feedback_response_rates(cohort) if access.is_admin else None,
        },
    )


# Raters (no account) --------------------------------------------------------------------------

LINK_PROBLEMS = {
    "unknown": (404, "This link does not work", "Check that you copied the whole link."),
    "used": (
        410,
        "You have already answered",
        "Thank you: your feedback was received. The link worked once and cannot be used again.",
    ),
    "closed": (
        410,
        "This feedback has closed",
        "The time for answering has passed, so the link no longer works.",
    ),
}


@never_cache
@require_http_methods(["GET", "POST"])
def rater_form(request, token):
    """A rater answers through their private link: no account, one use, until the 360
    closes."""
    try:
        rater = services.rater_for_token(token)
    except services.RaterLinkError as problem:
        status, title, text = LINK_PROBLEMS[problem.reason]
        return render(
            request,
            "frameworks/rater_link_problem.html",
            {"title": title, "text": text},
            status=status,
        )
    feedback_round = rater.round
    form = RatingsForm(request.POST or None, framework=feedback_round.framework)
    if request.method == "POST" and form.is_valid():
        try:
            services.feedback_submit(token=token, ratings=form.ratings())
        except services.RaterLinkError as problem:
            status, title, text = LINK_PROBLEMS[problem.reason]
            return render(
                request,
                "frameworks/rater_link_problem.html",
                {"title": title, "text": text},
                status=status,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("frameworks:rater_thanks")
    return render(
        request,
        "frameworks/rater_form.html",
        {
            "form": form,
            "participant": feedback_round.participant,
            "programme": feedback_round.cohort.programme,
            "group": RaterGroup(rater.group).label,
            "closes_at": feedback_round.closes_at,
            "cohort": feedback_round.cohort,
        },
    )


def rater_thanks(request):
    return render(request, "frameworks/rater_thanks.html")
