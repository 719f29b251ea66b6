"""Start pages: "/" sends each person to the page of their most senior role; faculty and
participants have theirs here."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect

from cohorts.models import Enrolment
from cohorts.selectors import cohorts_for_role, roles_for_user
from cohorts.shortcuts import render
from modules.selectors import upcoming_sessions_for


@login_required
def home(request):
    """Send each person to the start page of their most senior role."""
    roles = roles_for_user(request.user)
    if roles.is_admin:
        return redirect("cohorts:cohort_list")
    if roles.is_leader:
        return redirect("reports:leader_home")
    if roles.is_faculty:
        return redirect("home:faculty_home")
    if roles.is_participant:
        return redirect("home:participant_home")
    return render(request, "home/no_role.html")


def _role_home(request, role: str, template: str, link: str, **extra):
    cohorts = list(cohorts_for_role(request.user, role))
    if not cohorts:
        raise Http404
    return render(request, template, {"cohorts": cohorts, "link": link, **extra})


@login_required
def faculty_home(request):
    """Faculty's start page: the cohorts they teach."""
    return _role_home(
        request, Enrolment.Role.FACULTY, "home/faculty_home.html", "cohorts:cohort_people"
    )


@login_required
def participant_home(request):
    """A participant's start page: their cohort(s)."""
    return _role_home(
        request,
        Enrolment.Role.PARTICIPANT,
        "home/participant_home.html",
        "cohorts:cohort_people",
        upcoming_sessions=upcoming_sessions_for(request.user),
    )
