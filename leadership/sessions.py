"""Sessions live in the database (``SESSION_ENGINE = "leadership.sessions"``), one row per
session that records whose it is, so that they can be ended server-side: a stolen cookie stops
working the moment its row is gone.

Sessions end on logout (Django flushes the row), after the idle and absolute time-outs
(``leadership.middleware``), and through ``end_sessions_for`` when an account is deactivated,
when a person is withdrawn from a cohort, and when someone turns on two-factor authentication
(their other, weaker sessions end)."""

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.middleware import (
    AuthenticationMiddleware as DjangoAuthenticationMiddleware,
)
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import Error as DatabaseError
from django.db import connection, connections, router
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

from .models import LoginSession, User
from .prepared import Prepared

# The person's columns, in the order the session query reads them after the session's own.
# Table and column names come from the models; the key and the time are parameters.
_PERSON_FIELDS = [field.attname for field in User._meta.concrete_fields]
_PERSON_COLUMNS = ", ".join(f'u."{column}"' for column in _PERSON_FIELDS)
_SESSION_AND_PERSON_SQL = f"""
SELECT s.session_data, s.expire_date, s.user_id, {_PERSON_COLUMNS}
FROM {LoginSession._meta.db_table} s LEFT JOIN {User._meta.db_table} u ON u.id = s.user_id
WHERE s.session_key = %s AND s.expire_date > %s"""  # noqa: S608  # nosec B608
# The statement every logged-in request runs: planned once per database connection.
_SESSION_AND_PERSON = Prepared("leadership_session_person", _SESSION_AND_PERSON_SQL)


class SessionStore(DatabaseSessionStore):
    """Django's database session store, writing the logged-in person's id into its own
    column on every save (a login cycles the key and saves, so the column is always current).

    On PostgreSQL the session row comes with its person's row in one query
    (``loaded_person``), which ``AuthenticationMiddleware`` uses instead of asking for the
    person again: every logged-in page is one query shorter, and a query through the ORM cost
    about as much CPU (0.6 ms) as a fifth of the login page. Other databases (the SQLite
    quick start) read the session as Django does."""

    loaded_person: User | None = None

    @classmethod
    def get_model_class(cls):
        return LoginSession

    def _get_session_from_db(self):
        self.loaded_person = None
        alias = router.db_for_read(LoginSession)
        if connections[alias].vendor != "postgresql":
            return super()._get_session_from_db()
        database = connections[alias]
        # A persistent connection is health-checked before its first query of a request
        # (CONN_HEALTH_CHECKS: a "SELECT 1" round trip). On a logged-in request that first
        # query is this read, so this read is the check: should it fail because the connection
        # died while idle (a database restart, a firewall's idle time-out), the connection is
        # replaced and the read, which changes nothing, is made again. A failure on a live
        # connection is raised as ever.
        checks_health = (
            database.connection is not None
            and database.health_check_enabled
            and not database.health_check_done
            and database.get_autocommit()
        )
        if checks_health:
            database.health_check_done = True
        try:
            row = self._read(database)
        except DatabaseError:
            if not checks_health or database.is_usable():
                raise
            database.close()
            row = self._read(database)
        if row is None:
            self._session_key = None  # as Django's store does: a new key on the next save
            return None
        session_data, expire_date, user_id, *person = row
        if user_id is not None and person[0] is not None:
            self.loaded_person = User.from_db(alias, _PERSON_FIELDS, person)
        return LoginSession(
            session_key=self.session_key,
            session_data=session_data,
            expire_date=expire_date,
            user_id=user_id,
        )

    def _read(self, database) -> tuple | None:
        with database.cursor() as cursor:
            _SESSION_AND_PERSON.execute(cursor, [self.session_key, timezone.now()])
            return cursor.fetchone()

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


class AuthenticationMiddleware(DjangoAuthenticationMiddleware):
    """Django's authentication middleware, taking the person the session store read with the
    session (``SessionStore.loaded_person``) rather than querying for them again."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _cached_user(request))


def _cached_user(request):
    if not hasattr(request, "_cached_user"):
        request._cached_user = user_of_session(request)
    return request._cached_user


def user_of_session(request):
    """The logged-in person, as ``django.contrib.auth.get_user`` gives them, from the row the
    session store read with the session. Only the ordinary case is answered here: the session
    names this person and a model backend, they may log in, and the session's password hash is
    current. Anything else (no person read with the session, another backend, an inactive
    account, a changed password or secret key) goes to Django's own ``get_user``, which reads
    the person again and flushes or re-keys the session as it always has."""
    session = request.session
    try:
        user_id = User._meta.pk.to_python(session[SESSION_KEY])
        backend_path = session[BACKEND_SESSION_KEY]
    except KeyError:
        return auth.get_user(request)
    person = getattr(session, "loaded_person", None)
    if person is None or person.pk != user_id:
        return auth.get_user(request)
    if backend_path not in settings.AUTHENTICATION_BACKENDS:
        return auth.get_user(request)
    backend = auth.load_backend(backend_path)
    # The backend's own lookup would be this: read by primary key, refused when inactive.
    if type(backend).get_user is not ModelBackend.get_user or not backend.user_can_authenticate(
        person
    ):
        return auth.get_user(request)
    session_hash = session.get(HASH_SESSION_KEY)
    if not session_hash or not constant_time_compare(session_hash, person.get_session_auth_hash()):
        return auth.get_user(request)
    return person
