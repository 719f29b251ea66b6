"""Start pages: "/" sends each person to the page of their most senior role, and each role's
page is a to-do list of the work waiting for them, every item linking to where it is done.
Each page runs a fixed number of queries whatever the data (``home.selectors``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone

from cohorts import services as cohort_services
from cohorts.models import Cohort, Enrolment
from cohorts.selectors import (
    ADMINISTRATOR,
    COHORT_PAGE_ROLES,
    get_cohort_for_user,
    roles_for_user,
)
from cohorts.shortcuts import render
from leadership.emails import render_email
from leadership.forms import add_service_errors
from reports.data import sponsor_dashboard

from . import announcements, selectors
from .forms import AnnouncementForm
from .participant_page import participant_page_body

ADMIN_ONLY = frozenset({ADMINISTRATOR})


@login_required
def home(request):
    """Send each person to the start page of their most senior role."""
    roles = roles_for_user(request.user)
    if roles.is_admin:
        return redirect("home:office_home")
    if roles.is_leader:
        return redirect("home:leader_home")
    if roles.is_faculty:
        return redirect("home:faculty_home")
    if roles.is_participant:
        return redirect("home:participant_home")
    if Enrolment.Role.COACH in roles.cohort_roles:
        return redirect("learning_sets:my_learning")
    return render(request, "home/no_role.html")


@login_required
def office_home(request):
    """The programme administrator's start page: every planned or running cohort of their
    programmes with what needs attention in it, each cause with a count and a link."""
    if not roles_for_user(request.user).is_admin:
        raise Http404
    cohorts = list(
        Cohort.objects.administered_by(request.user)
        .filter(status__in=selectors.LIVE_COHORTS)
        .select_related("programme")
        .order_by("starts_on", "name")
    )
    attention = selectors.attention_for_cohorts(cohorts)
    return render(
        request,
        "home/office_home.html",
        {"attention": [attention[c.pk] for c in cohorts]},
    )


@login_required
def cohort_attention(request, cohort_id):
    """What needs attention in one cohort, for its page (loaded by htmx): administrators get
    a link for each cause, clinical leaders the same causes in words."""
    cohort, access = get_cohort_for_user(request.user, cohort_id, roles=COHORT_PAGE_ROLES)
    attention = selectors.attention_for_cohorts([cohort])[cohort.pk]
    return render(
        request,
        "home/cohort_attention.html",
        {"item": attention, "can_manage": access.is_admin},
    )


@login_required
def leader_home(request):
    """The clinical leader's start page: the cohorts they sponsor with their key figures,
    what needs attention in words, the latest progress report and a button to build one."""
    sponsored = sponsor_dashboard(request.user)
    if not sponsored:
        raise Http404
    attention = selectors.attention_for_cohorts([item.cohort for item in sponsored])
    for item in sponsored:
        item.attention = attention[item.cohort.pk]
    return render(request, "home/leader_home.html", {"sponsored": sponsored})


@login_required
def faculty_home(request):
    """Faculty's start page: submissions waiting for their feedback, feedback they have not
    released, registers to take and extensions in force, across the cohorts they teach."""
    todo = selectors.faculty_to_do(request.user)
    if not todo.cohorts:
        raise Http404
    return render(request, "home/faculty_home.html", {"todo": todo, "now": timezone.now()})


@login_required
def participant_home(request):
    """A participant's start page: what is due and overdue (team and individual work),
    feedback they have not read, their next sessions, their pairing's next step and their
    team's measures not updated this month."""
    todo = selectors.participant_to_do(request.user)
    if not todo.cohorts:
        raise Http404
    return render(
        request,
        "home/participant_home.html",
        {"todo": todo, "body": participant_page_body(todo)},
    )


# --- Announcements ----------------------------------------------------------------------------


@login_required
def announcement_list(request, cohort_id):
    """The announcements sent to a cohort, newest first, and a button to write one."""
    cohort, _access = get_cohort_for_user(request.user, cohort_id, roles=ADMIN_ONLY)
    sent = cohort.announcements.select_related("sent_by")
    return render(request, "home/announcement_list.html", {"cohort": cohort, "sent": sent})


@login_required
def announcement_create(request, cohort_id):
    """Write to a cohort (or those chosen by role, team or work not submitted): "Preview"
    shows how many it goes to and the e-mail as the first of them will read it; "Send"
    records it in the outbox. Something edited after its preview is previewed again, not
    sent; the same form sent twice is one announcement."""
    cohort, _access = get_cohort_for_user(request.user, cohort_id, roles=ADMIN_ONLY)
    form = AnnouncementForm(request.POST or None, cohort=cohort)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        audience = announcements.audience_for(cohort, **form.audience_filters())
        digest = announcements.preview_digest(
            subject=data["subject"], body=data["body"], filters=audience.filters
        )
        if request.POST.get("action") == "send" and data["previewed"] == digest:
            try:
                announcement, created = cohort_services.announcement_send(
                    cohort=cohort,
                    subject=data["subject"],
                    body=data["body"],
                    audience=audience.filters,
                    audience_label=audience.label,
                    recipients=audience.people,
                    form_token=data["form_token"],
                    acting_user=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if created:
                    messages.success(
                        request,
                        f"Sent “{announcement.subject}” to {announcement.recipient_count} "
                        f"{'person' if announcement.recipient_count == 1 else 'people'}. "
                        "Each e-mail is in the cohort's e-mail log.",
                    )
                else:
                    messages.info(request, "That announcement was already sent; not again.")
                return redirect("home:announcement_list", cohort_id=cohort.pk)
        if request.POST.get("action") == "send" and data["previewed"] != digest:
            messages.warning(request, "It changed since the preview: check it again, then send.")
        preview = _preview(cohort, request.user, data, audience)
        form.data = form.data.copy()
        form.data["previewed"] = digest
    return render(
        request,
        "home/announcement_form.html",
        {"cohort": cohort, "form": form, "preview": preview},
    )


def _preview(cohort, sender, data: dict, audience: announcements.Audience) -> dict:
    """The recipient count and the e-mail as its first recipient will read it."""
    example = None
    if audience.people:
        first = audience.people[0]
        context = cohort_services.announcement_context(
            cohort=cohort, subject=data["subject"], body=data["body"], sender=sender
        )
        context["recipient_name"] = first.get_short_name() or first.email
        subject, text, _html = render_email("announcement", context)
        example = {"to": first, "subject": subject, "text": text}
    return {"audience": audience, "example": example}
