"""``manage.py check_deployment``: is this deployment configured and can it reach what it needs?

Run it on a new host, after changing configuration, or when something is wrong: it checks the
configuration a production deployment needs, then connects to the database (and looks for
unapplied migrations), every Redis server configured, and the private file storage (writing,
reading and deleting a probe file). Each line says ``ok``, ``warn`` or ``FAIL`` and what it
found; it exits non-zero when anything fails. Passwords in URLs are never printed.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.db.migrations.executor import MigrationExecutor

from leadership import health


@dataclass
class Finding:
    level: str  # "ok", "warn" or "FAIL"
    name: str
    message: str


def configuration_findings() -> list[Finding]:
    """What a production deployment must set (FAIL) or should consider (warn)."""
    findings = []

    def require(ok: bool, name: str, problem: str, fine: str) -> None:
        findings.append(Finding("ok" if ok else "FAIL", name, fine if ok else problem))

    def advise(ok: bool, name: str, advice: str, fine: str) -> None:
        findings.append(Finding("ok" if ok else "warn", name, fine if ok else advice))

    require(
        settings.PRODUCTION,
        "DJANGO_ENV",
        "is not 'production': HTTPS-only cookies, HSTS and the other hardening are off",
        "production",
    )
    require(
        bool(settings.ALLOWED_HOSTS),
        "ALLOWED_HOSTS",
        "is not set: every request would be refused",
        ", ".join(settings.ALLOWED_HOSTS),
    )
    require(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
        "DATABASE_URL",
        "is not set (or names SQLite): data would stay in a file on this host",
        "PostgreSQL" if connections["default"].vendor == "postgresql" else "set",
    )
    require(
        bool(settings.CELERY_BROKER_URL) and not settings.CELERY_TASK_ALWAYS_EAGER,
        "CELERY_BROKER_URL",
        "is not set (or CELERY_TASK_ALWAYS_EAGER is on): e-mails and reports would be "
        "built inside web requests and nothing periodic would run",
        health.redact_url(settings.CELERY_BROKER_URL),
    )
    require(
        not settings.EMAIL_BACKEND.endswith(
            ("console.EmailBackend", "locmem.EmailBackend", "console_mail.SummaryEmailBackend")
        ),
        "EMAIL_URL",
        "is not set: e-mails would be printed to the console, not sent",
        settings.EMAIL_BACKEND.rsplit(".", 2)[-2],
    )
    require(
        settings.SITE_URL.startswith("https://"),
        "SITE_URL",
        f"is {settings.SITE_URL}: links in e-mails must use the public https:// address",
        settings.SITE_URL,
    )
    advise(
        bool(settings.AWS_STORAGE_BUCKET_NAME),
        "AWS_STORAGE_BUCKET_NAME",
        "is not set: files stay on this host's disk, so only one web host can serve them",
        settings.AWS_STORAGE_BUCKET_NAME,
    )
    advise(
        bool(settings.SENTRY_DSN),
        "SENTRY_DSN",
        "is not set: errors are only logged, not reported to an error tracker",
        "errors are reported",
    )
    return findings


def database_findings() -> list[Finding]:
    try:
        health.check_database()
        connection = connections["default"]
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as error:  # noqa: BLE001 — reported, whatever it is
        return [Finding("FAIL", "database", f"cannot connect: {_first_line(error)}")]
    if plan:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _backwards in plan[:5])
        more = f" and {len(plan) - 5} more" if len(plan) > 5 else ""
        return [
            Finding(
                "FAIL",
                "database",
                f"{len(plan)} migrations not applied ({names}{more}): "
                "run `python manage.py migrate`",
            )
        ]
    return [Finding("ok", "database", f"{connection.vendor} answered; all migrations applied")]


def redis_findings() -> list[Finding]:
    roles_by_url: dict[str, list[str]] = {}
    for role, url in health.redis_urls().items():
        roles_by_url.setdefault(url, []).append(role)
    findings = []
    for url, roles in roles_by_url.items():
        name = f"redis ({', '.join(roles)})"
        try:
            findings.append(Finding("ok", name, health.check_redis(url)))
        except Exception as error:  # noqa: BLE001
            findings.append(
                Finding("FAIL", name, f"cannot reach {health.redact_url(url)}: {error}")
            )
    return findings


def storage_findings() -> list[Finding]:
    try:
        return [Finding("ok", "storage", health.check_storage_write())]
    except Exception as error:  # noqa: BLE001
        bucket = settings.AWS_STORAGE_BUCKET_NAME
        where = f"bucket {bucket}" if bucket else str(settings.PRIVATE_MEDIA_ROOT)
        return [Finding("FAIL", "storage", f"{where} is not writable: {_first_line(error)}")]


def _first_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}".rstrip(": ")


class Command(BaseCommand):
    help = "Check this deployment's configuration and its database, Redis and storage."

    def handle(self, *args, **options):
        findings = (
            configuration_findings() + database_findings() + redis_findings() + storage_findings()
        )
        style = {"ok": self.style.SUCCESS, "warn": self.style.WARNING, "FAIL": self.style.ERROR}
        for finding in findings:
            self.stdout.write(
                f"{style[finding.level](finding.level.ljust(4))}  {finding.name}: {finding.message}"
            )
        failures = [finding for finding in findings if finding.level == "FAIL"]
        if failures:
            raise CommandError(
                f"{len(failures)} problem{'s' if len(failures) > 1 else ''} found: "
                + ", ".join(dict.fromkeys(finding.name for finding in failures))
            )
        warnings = sum(finding.level == "warn" for finding in findings)
        note = f" ({warnings} warning{'s' if warnings > 1 else ''})" if warnings else ""
        self.stdout.write(f"Everything needed is in place{note}.")
