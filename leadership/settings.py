"""Settings, read from the environment (12-factor).

With nothing set, the quick start runs on a SQLite file under ``var/`` with Celery tasks run
in-process, so ``make run`` works on any laptop. Set ``DATABASE_URL`` and ``CELERY_BROKER_URL``
(or ``REDIS_URL``) for the production shape; ``DJANGO_ENV=production`` turns on the hardening
that ``manage.py check --deploy`` looks for.
"""

from pathlib import Path

import environ
from csp import constants as csp

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
PRODUCTION = DJANGO_ENV == "production"

DEBUG = env.bool("DEBUG", default=not PRODUCTION)
# The development key is only ever used when DJANGO_ENV is not production: production refuses
# to start without a real one (env.str raises ImproperlyConfigured when it is missing).
SECRET_KEY = (
    env.str("SECRET_KEY")
    if PRODUCTION
    else env.str("SECRET_KEY", default="django-insecure-development-only-key-do-not-deploy")
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "leadership",
    "cohorts",
    "modules",
    "redesign_projects",
    "pairings",
    "measures",
    "blueprints",
    "evaluation",
    "learning_sets",
    "frameworks",
    "home",
    "reports",
    "governance",
    "demo",
    "api",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "django_celery_beat",
]

MIDDLEWARE = [
    # First: a request id and one log line for every request (leadership/logging_json.py).
    "leadership.logging_json.RequestLogMiddleware",
    # Load balancer probes, answered before the host check and the HTTPS redirect.
    "leadership.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, taking the person read with the session (one query, not two).
    "leadership.sessions.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "leadership.middleware.SessionTimeoutMiddleware",
    "leadership.mfa.MFARequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "leadership.urls"
WSGI_APPLICATION = "leadership.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "home.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'leadership.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections: a new PostgreSQL connection (TCP, authentication, a backend process)
# costs 7-13 ms, more than most of our pages take to build. Each web thread and worker process
# keeps its own for up to this many seconds; the health check replaces one the database has
# dropped (a restart, a failover) before a request uses it (on a logged-in request the session
# read is that check: leadership/sessions.py). 0 reconnects for every request.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=300)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    options = DATABASES["default"].setdefault("OPTIONS", {})
    # An unreachable database fails a request, a readiness probe or check_deployment within
    # seconds instead of waiting for the operating system to give up on the connection.
    options.setdefault("connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5))
    # No JIT compilation for our connections. PostgreSQL compiles a query to machine code
    # when its *estimated* cost passes jit_above_cost; that pays off for analytic queries
    # that run for seconds, never for a page's queries, which read a few rows from an index.
    # A misestimate (the audit trail's old visibility filter) cost 560-660 ms of compiling
    # for a 20 ms query. The database's default is left alone for anyone else's use.
    options["options"] = " ".join(filter(None, [options.get("options", ""), "-c jit=off"]))
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The quick start's database on a laptop. SQLite's defaults wait for the disk at every
    # commit (migrate and the demo commit thousands of times: ~half their time was waiting)
    # and let a reader and the runserver's other thread fail with "database is locked".
    # Write-ahead logging with NORMAL sync survives a crashed process (a power cut may lose
    # the last commits: a demo database, not data anyone keeps), and IMMEDIATE transactions
    # queue writers instead of failing them.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options.setdefault("init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")
    options.setdefault("transaction_mode", "IMMEDIATE")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "leadership.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # The name's parts together, in either order or backwards (leadership/passwords.py).
    {"NAME": "leadership.passwords.NameValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Tests and the demo hash thousands of passwords; production keeps Django's default hashers.
PASSWORD_HASHERS = env.list(
    "PASSWORD_HASHERS",
    default=[
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
        "django.contrib.auth.hashers.ScryptPasswordHasher",
    ],
)

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"

# allauth: e-mail is the login name; nobody signs up, people are invited.
ACCOUNT_ADAPTER = "leadership.accounts.InvitationOnlyAccountAdapter"
ACCOUNT_FORMS = {"login": "leadership.accounts.LoginForm"}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_SESSION_REMEMBER = False
# Five failed logins per e-mail per five minutes, and twenty per IP per minute: enough for a
# person who mistypes, too few for guessing.
ACCOUNT_RATE_LIMITS = {
    "login_failed": env.str("LOGIN_FAILED_RATE_LIMIT", default="20/m/ip,5/5m/key"),
    "login": "30/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
# Unknown addresses get no e-mail (it would invite them to a sign-up that does not exist),
# and the page looks the same either way, so it does not reveal who has an account.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
# Behind a reverse proxy, the number of proxies whose X-Forwarded-For can be trusted, so the
# per-address login throttle counts each client, not the proxy.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Two-factor authentication (allauth.mfa): an authenticator app (TOTP) with recovery codes.
# Required for programme administrators, superusers and clinical leaders
# (leadership.mfa.mfa_required_for); MFA_REQUIRED_FOR_ALL requires it of everyone.
MFA_ADAPTER = "leadership.mfa.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_REQUIRED_FOR_ALL = env.bool("MFA_REQUIRED_FOR_ALL", default=False)
MFA_TOTP_ISSUER = env.str("MFA_TOTP_ISSUER", default="Clinical leadership programmes")
# One 30-second step either side, for phones whose clock drifts (RFC 6238 section 5.2).
MFA_TOTP_TOLERANCE = 1
# Nobody signs up, so nobody can plant an unverified address to lock its owner out (the risk
# this allauth check guards against); people are invited at an address that works.
MFA_ALLOW_UNVERIFIED_EMAIL = True
MFA_RECOVERY_CODE_COUNT = 10

# Single sign-on with the organisation's identity provider over OpenID Connect (e.g.
# Microsoft Entra ID), only when OIDC_SERVER_URL and OIDC_CLIENT_ID are set. People are matched
# to the accounts they were invited to by verified e-mail, never created
# (leadership.sso.InvitedPeopleSocialAccountAdapter); two-factor authentication still applies.
SOCIALACCOUNT_ADAPTER = "leadership.sso.InvitedPeopleSocialAccountAdapter"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # matching is ours, and never wipes a password
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = env.int("OIDC_TIMEOUT", default=10)
OIDC_SERVER_URL = env.str("OIDC_SERVER_URL", default="")
OIDC_CLIENT_ID = env.str("OIDC_CLIENT_ID", default="")
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": (
            [
                {
                    "provider_id": env.str("OIDC_PROVIDER_ID", default="sso"),
                    "name": env.str("OIDC_PROVIDER_NAME", default="your organisation"),
                    "client_id": OIDC_CLIENT_ID,
                    "secret": env.str("OIDC_CLIENT_SECRET", default=""),
                    "settings": {
                        "server_url": OIDC_SERVER_URL,
                        # For providers that send no email_verified claim (Entra ID): the
                        # domains whose addresses this provider vouches for.
                        "verified_email": env.list("OIDC_VERIFIED_EMAIL_DOMAINS", default=[])
                        or False,
                    },
                }
            ]
            if OIDC_SERVER_URL and OIDC_CLIENT_ID
            else []
        ),
    }
}

# The organisation's English ("en-gb" for a programme office in the United Kingdom): what pages
# about no one cohort declare; a cohort's pages declare its region's (Cohort.language).
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en-nz")
# The programme office this product was first built for is in Auckland; each cohort also
# carries its own time zone for its sessions and calendars.
TIME_ZONE = env.str("TIME_ZONE", default="Pacific/Auckland")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
# Uploaded files never live under the static or a public media path: they are served only by
# views that check access (see leadership/storage.py). With a bucket named they live in
# S3-compatible object storage that every web and worker host shares; otherwise on this host's
# disk, which only works while there is one host.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=VAR_DIR / "private")
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    from botocore.config import Config as BotoConfig

    PRIVATE_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            # Empty means AWS itself; set it for MinIO, Ceph, Garage or another provider.
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            # Empty keys let boto3 find credentials itself (an instance or task role).
            "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
            "location": env.str("AWS_LOCATION", default=""),
            # Give up on an unreachable endpoint in seconds, not minutes: a readiness probe or
            # a download should fail fast rather than tie up a web process.
            "client_config": BotoConfig(
                s3={"addressing_style": env.str("AWS_S3_ADDRESSING_STYLE", default="") or None},
                connect_timeout=5,
                read_timeout=30,
                retries={"max_attempts": 3, "mode": "standard"},
            ),
            # No ACL of our own: the bucket's policy keeps every object private.
            "default_acl": None,
            "file_overwrite": False,
            # A download larger than this spills from memory to a temporary file.
            "max_memory_size": 5 * 1024 * 1024,
        },
    }
else:
    PRIVATE_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
    }
STORAGES = {
    # Private FileFields name the "private" alias; "default" is the same place, so nothing
    # written through default_storage ends up on one host's disk when a bucket is configured.
    "default": PRIVATE_STORAGE,
    "private": PRIVATE_STORAGE,
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default=(
                "whitenoise.storage.CompressedManifestStaticFilesStorage"
                if PRODUCTION
                else "django.contrib.staticfiles.storage.StaticFilesStorage"
            ),
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# E-mail: console in the quick start, SMTP (or anything EMAIL_URL names) otherwise.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# On the console, one line per e-mail (leadership/console_mail.py) unless EMAIL_CONSOLE_FULL.
if EMAIL_CONFIG["EMAIL_BACKEND"].endswith("console.EmailBackend") and not env.bool(
    "EMAIL_CONSOLE_FULL", default=False
):
    EMAIL_BACKEND = "leadership.console_mail.SummaryEmailBackend"
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Leadership programmes <noreply@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: a real broker when one is named, otherwise tasks run in-process (quick start).
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL or None)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A broker that is down or hung must not hold a web request: queueing after commit gives up
# after a connect time-out, a read time-out and one quick retry (measured: ~0.1 s when Redis
# is stopped, ~3 s when it accepts but never answers; without these, forever). What failed
# to queue stays recorded in the database and the periodic sweep does it once Redis is back.
# The read time-out stays above the worker's 1 s BRPOP wait.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 3}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
# A task is acknowledged only after it ran, so a worker killed mid-task leaves it to be
# redelivered; tasks are written to be safe to run twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_RESULT_EXPIRES = 3600
CELERY_TIMEZONE = "UTC"
# django-celery-beat's database scheduler, sending each due task once per period even if a
# second beat runs by mistake (leadership/periodic.py).
CELERY_BEAT_SCHEDULER = "leadership.periodic:OncePerPeriodScheduler"

# The cache holds login throttling counts and used one-time codes (allauth keeps both in the
# default cache). It lives in the database so that throttling is shared by every web process
# and keeps working when Redis is down; the table is made by a migration
# (leadership/migrations/0004_login_sessions_and_cache_table.py).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "leadership_cache",
        # Far above what login traffic needs, so culling never forgets a throttle early.
        "OPTIONS": {"MAX_ENTRIES": 50_000},
    }
}

# One JSON object per line in production (for a log collector), readable text otherwise;
# every line carries the request id (and task id in a worker). See leadership/logging_json.py.
LOG_FORMAT = env.str("LOG_FORMAT", default="json" if PRODUCTION else "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "leadership.logging_json.ContextFilter"}},
    "formatters": {
        "json": {"()": "leadership.logging_json.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["context"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # WeasyPrint reports every stylesheet it parses at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

if LOG_FORMAT == "json":
    # Python's warnings go through the log as well, so a JSON log has nothing but JSON lines.
    import logging

    logging.captureWarnings(True)

# Errors are reported to Sentry (or a service that speaks its protocol, e.g. GlitchTip) only
# when a DSN is set; leadership/monitoring.py says what is sent and what never is.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    from leadership.monitoring import init_sentry

    init_sentry(
        dsn=SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default=DJANGO_ENV),
        release=env.str("SENTRY_RELEASE", default="") or None,
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )

# Content-Security-Policy: scripts only from us and only with this response's nonce; no
# plugins, no framing, forms post only to us. Inline style attributes stay allowed (progress
# bars set widths) — styles cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF, csp.NONCE],
        "style-src": [csp.SELF, csp.UNSAFE_INLINE],
        "img-src": [csp.SELF, "data:"],
        "font-src": [csp.SELF],
        "connect-src": [csp.SELF],
        "object-src": [csp.NONE],
        "base-uri": [csp.SELF],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
    }
}

# Hardening. Always on where it costs nothing; the rest in production (which runs behind TLS).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Database sessions that record whose they are, so they can be ended server-side
# (leadership/sessions.py).
SESSION_ENGINE = "leadership.sessions"
# Idle and absolute session time-outs (leadership.middleware), in seconds.
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
SESSION_ABSOLUTE_TIMEOUT = env.int("SESSION_ABSOLUTE_TIMEOUT", default=10 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # Load balancers probe over plain HTTP (leadership/health.py answers them first anyway).
    SECURE_REDIRECT_EXEMPT = [r"^health/"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# Notifications (see leadership/notifications.py).
NOTIFICATION_BATCH_SIZE = env.int("NOTIFICATION_BATCH_SIZE", default=200)
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=5)
NOTIFICATION_RETRY_BASE_SECONDS = env.int("NOTIFICATION_RETRY_BASE_SECONDS", default=60)
NOTIFICATION_CLAIM_LEASE_SECONDS = env.int("NOTIFICATION_CLAIM_LEASE_SECONDS", default=600)
NOTIFICATION_SENDER_PARALLELISM = env.int("NOTIFICATION_SENDER_PARALLELISM", default=2)
# Days before a session that its reminders go out, unless the programme sets its own.
SESSION_REMINDER_DAYS = [14, 2]
# A session's faculty are reminded this long after it ends without a register; the programme
# office is told when it is still missing this many working days after the session's day.
# Sessions that ended longer ago than the look-back are never chased (a first deploy).
REGISTER_REMINDER_AFTER_MINUTES = env.int("REGISTER_REMINDER_AFTER_MINUTES", default=30)
REGISTER_OFFICE_AFTER_WORKING_DAYS = env.int("REGISTER_OFFICE_AFTER_WORKING_DAYS", default=2)
REGISTER_CHASE_LOOKBACK_DAYS = env.int("REGISTER_CHASE_LOOKBACK_DAYS", default=14)
# The most days before a session a programme's reminders may be (the planner looks this far).
SESSION_REMINDER_DAYS_MAX = 31
# Assignment reminders: days before the (extended) due date, and overdue notices days after,
# unless the programme sets its own; a programme's own are at most this many days either side.
ASSIGNMENT_REMINDER_DAYS_MAX = 31
ASSIGNMENT_REMINDER_DAYS = env.list("ASSIGNMENT_REMINDER_DAYS", cast=int, default=[7, 1])
ASSIGNMENT_OVERDUE_DAYS = env.list("ASSIGNMENT_OVERDUE_DAYS", cast=int, default=[1, 7])

# Retention (governance/retention.py): days each kind of data is kept; 0 keeps it for ever.
# A daily beat job removes what is older; `manage.py apply_retention --dry-run` shows counts.
RETENTION_DAYS = {
    "former_people": env.int("RETENTION_FORMER_PEOPLE_DAYS", default=7 * 365),
    "notifications": env.int("RETENTION_NOTIFICATIONS_DAYS", default=365),
    "report_files": env.int("RETENTION_REPORT_FILES_DAYS", default=2 * 365),
    "sessions": env.int("RETENTION_SESSIONS_DAYS", default=30),
    "audit_events": env.int("RETENTION_AUDIT_EVENTS_DAYS", default=7 * 365),
}
# Report builds whose tasks were lost (the broker was down) are queued again after a minute.
REPORT_REQUEUE_AFTER_SECONDS = env.int("REPORT_REQUEUE_AFTER_SECONDS", default=60)

DAY_SECONDS = 24 * 60 * 60.0
# Every periodic task, in one place. Beat claims each period in Redis (leadership/periodic.py),
# so a second beat started by mistake runs nothing twice. The sweep plans the time-based
# e-mails (home/planners.py lists the planners) and sends what is due.
CELERY_BEAT_SCHEDULE = {
    "sweep-notifications": {
        "task": "leadership.sweep_notifications",
        "schedule": env.float("NOTIFICATION_SWEEP_SECONDS", default=60.0),
    },
    "queue-pending-reports": {"task": "cohorts.queue_pending_reports", "schedule": 60.0},
    "apply-retention": {"task": "leadership.apply_retention", "schedule": DAY_SECONDS},
    "clear-expired-sessions": {
        "task": "leadership.clear_expired_sessions",
        "schedule": DAY_SECONDS,
    },
}

# The API (api/): requests a token may make a minute, and the largest batch of points it may
# POST (a 1,000-row batch is ~40 KB).
API_REQUESTS_PER_MINUTE = env.int("API_REQUESTS_PER_MINUTE", default=120)
API_MAX_BODY_BYTES = 256 * 1024
