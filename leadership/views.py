from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from cohorts.selectors import roles_for_user


@login_required
def home(request):
    """Send each person to the start page of their most senior role."""
    roles = roles_for_user(request.user)
    if roles.is_administrator:
        return redirect("cohorts:cohort_list")
    if roles.is_clinical_leader:
        return redirect("cohorts:leader_home")
    if roles.is_faculty:
        return redirect("cohorts:faculty_home")
    if roles.is_participant:
        return redirect("cohorts:participant_home")
    return render(request, "leadership/no_role.html")
