"""Session time-outs: a session ends after ``SESSION_IDLE_TIMEOUT`` seconds without a
request, and in any case ``SESSION_ABSOLUTE_TIMEOUT`` seconds after logging in.

The last-seen time is written at most once a minute, so ordinary pages pay no extra query."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.shortcuts import redirect

LOGGED_IN_AT = "leadership.logged_in_at"
LAST_SEEN_AT = "leadership.last_seen_at"
LAST_SEEN_GRANULARITY = 60


@receiver(user_logged_in)
def _stamp_login(sender, request, user, **kwargs) -> None:
    now = int(time.time())
    request.session[LOGGED_IN_AT] = now
    request.session[LAST_SEEN_AT] = now


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            session = request.session
            logged_in_at = session.get(LOGGED_IN_AT, now)
            last_seen_at = session.get(LAST_SEEN_AT, now)
            if now - logged_in_at > settings.SESSION_ABSOLUTE_TIMEOUT:
                return self._end(request, "You have been logged out after a long session.")
            if now - last_seen_at > settings.SESSION_IDLE_TIMEOUT:
                return self._end(request, "You were logged out after a period of inactivity.")
            if now - last_seen_at >= LAST_SEEN_GRANULARITY:
                session[LAST_SEEN_AT] = now
        return self.get_response(request)

    @staticmethod
    def _end(request, message: str):
        path = request.get_full_path()
        logout(request)  # flushes the session server-side, not just the cookie
        messages.info(request, message)
        login_url = redirect(settings.LOGIN_URL).url
        return redirect(f"{login_url}?next={path}" if request.method == "GET" else login_url)
