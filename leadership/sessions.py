"""Sessions live in the database (``SESSION_ENGINE = "leadership.sessions"``), one row per
session that records whose it is, so that they can be ended server-side: a stolen cookie stops
working the moment its row is gone.

Sessions end on logout (Django flushes the row), after the idle and absolute time-outs
(``leadership.middleware``), and through ``end_sessions_for`` when an account is deactivated,
when a person is withdrawn from a cohort, and when someone turns on two-factor authentication
(their other, weaker sessions end)."""

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connection
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from .models import LoginSession


class SessionStore(DatabaseSessionStore):
    """Django's database session store, writing the logged-in person's id into its own
    column on every save (a login cycles the key and saves, so the column is always current)."""

    @classmethod
    def get_model_class(cls):
        return LoginSession

    def create_model_instance(self, data):
        instance = super().create_model_instance(data)
        try:
            instance.user_id = int(data.get(SESSION_KEY))
        except (TypeError, ValueError):
            instance.user_id = None
        return instance


def end_sessions_for(user, *, keep_session_key: str | None = None) -> int:
    """Delete every session of ``user`` (but ``keep_session_key``, the caller's own, if given):
    their next request is anonymous and has to log in again. Returns how many ended. One
    query; safe inside a transaction (the rows come back if it rolls back)."""
    sessions = LoginSession.objects.filter(user_id=user.pk)
    if keep_session_key:
        sessions = sessions.exclude(session_key=keep_session_key)
    ended, _ = sessions.delete()
    return ended


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="end_sessions_on_deactivate")
def _end_sessions_of_deactivated_accounts(sender, instance, **kwargs) -> None:
    # A signal rather than a service: accounts are deactivated from the Django admin and by
    # erasure, and each path must end the sessions. One DELETE, and only for inactive people.
    if not instance.is_active:
        end_sessions_for(instance)


def clear_expired() -> dict:
    """Delete sessions and login-throttle cache rows past their expiry (daily, beat). Expired
    rows already count for nothing; this keeps the tables small. Idempotent."""
    now = timezone.now()
    sessions, _ = LoginSession.objects.filter(expire_date__lt=now).delete()
    cache = caches["default"]
    cache_rows = 0
    if isinstance(cache, DatabaseCache):
        table = connection.ops.quote_name(cache._table)  # type: ignore[attr-defined]  # not in stubs
        with connection.cursor() as cursor:
            # The table name comes from settings and is quoted; the value is a parameter.
            cursor.execute(f"DELETE FROM {table} WHERE expires < %s", [now])  # noqa: S608  # nosec B608
            cache_rows = cursor.rowcount
    return {"sessions": sessions, "cache_rows": cache_rows}
