import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404, HttpResponseServerError
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from . import notifications
from .models import Notification, NotificationPreference, User

logger = logging.getLogger(__name__)


def _preference_link(request, token: str):
    """GET shows what the link stops, POST stops it. Only the signed token says whose it is:
    never the session, so a request from anywhere changes one person's choice for one kind
    of e-mail, and only with the token from their own e-mail."""
    try:
        person_id, kind = notifications.read_preference_token(token)
    except signing.BadSignature as exc:
        raise Http404("This link is not valid.") from exc
    person = get_object_or_404(User, pk=person_id, is_active=True)
    if kind not in Notification.Kind.values:
        raise Http404("This link is not valid.")
    label = Notification.Kind(kind).label
    if request.method == "POST":
        if notifications.preference_opt_out(person=person, kind=kind):
            messages.success(request, f"You will no longer receive “{label}” e-mails.")
        else:
            messages.info(request, f"“{label}” e-mails are required by your programme office.")
        return redirect(request.path)
    stopped = NotificationPreference.objects.filter(person=person, kind=kind).exists()
    return render(
        request,
        "leadership/notification_preferences_link.html",
        {"label": label, "stopped": stopped, "required": kind in notifications.required_kinds()},
    )


_preference_link_with_csrf = csrf_protect(_preference_link)


@csrf_exempt
def notification_preferences_link(request, token: str):
    """The one-click link in every optional e-mail: GET shows what it will stop, POST stops it.
    No login needed: the token is signed.

    Mail programs make RFC 8058's one-click request themselves — a POST of
    ``List-Unsubscribe=One-Click``, with no cookies and so no CSRF token — and the token in
    the address is what authenticates it, so that POST is accepted as it is. Any other POST
    (the button on the page) is checked for its CSRF token as usual."""
    if request.method == "POST" and request.POST.get("List-Unsubscribe") == "One-Click":
        return _preference_link(request, token)
    return _preference_link_with_csrf(request, token)


@login_required
def notification_preferences(request):
    """Choose which optional e-mails to receive."""
    required = notifications.required_kinds()
    optional = [(k, label) for k, label in Notification.Kind.choices if k not in required]
    if request.method == "POST":
        wanted = set(request.POST.getlist("kinds"))
        for kind, _label in optional:
            if kind in wanted:
                notifications.preference_opt_in(person=request.user, kind=kind)
            else:
                notifications.preference_opt_out(person=request.user, kind=kind)
        messages.success(request, "Your e-mail choices are saved.")
        return redirect("notification_preferences")
    stopped = set(request.user.notification_opt_outs.values_list("kind", flat=True))
    return render(
        request,
        "leadership/notification_preferences.html",
        {
            "choices": [(k, label, k not in stopped) for k, label in optional],
            "required": [Notification.Kind(k).label for k in sorted(required)],
        },
    )


def server_error(request):
    """The 500 page on the site's layout, with the navigation of the person's roles. Whatever
    broke may also break what the navigation reads (the database), so if the page cannot be
    drawn with it, it is drawn without; and if not even that works, a line of plain text."""
    try:
        return HttpResponseServerError(loader.render_to_string("500.html", request=request))
    except Exception:  # noqa: BLE001 - the error page must not fail in turn
        logger.exception("The 500 page could not be drawn with the request's context")
    try:
        return HttpResponseServerError(loader.render_to_string("500.html"))
    except Exception:  # noqa: BLE001
        logger.exception("The 500 page could not be drawn")
        return HttpResponseServerError(
            "Sorry, something went wrong. The problem is ours and has been reported.",
            content_type="text/plain; charset=utf-8",
        )
