from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from . import selectors
from .models import Cohort, Enrolment


@login_required
def cohort_list(request):
    """The programme administrator's start page: the cohorts of programmes they administer."""
    if not selectors.roles_for_user(request.user).is_administrator:
        raise Http404
    cohorts = Cohort.objects.administered_by(request.user).select_related("programme")
    return render(request, "cohorts/cohort_list.html", {"cohorts": cohorts})


def _role_home(request, role: str, template: str):
    cohorts = list(selectors.cohorts_for_role(request.user, role))
    if not cohorts:
        raise Http404
    return render(request, template, {"cohorts": cohorts})


@login_required
def leader_home(request):
    """The clinical leader's start page: the cohorts they sponsor."""
    return _role_home(request, Enrolment.Role.CLINICAL_LEADER, "cohorts/leader_home.html")


@login_required
def faculty_home(request):
    """Faculty's start page: the cohorts they teach."""
    return _role_home(request, Enrolment.Role.FACULTY, "cohorts/faculty_home.html")


@login_required
def participant_home(request):
    """A participant's start page: their cohort(s)."""
    return _role_home(request, Enrolment.Role.PARTICIPANT, "cohorts/participant_home.html")
