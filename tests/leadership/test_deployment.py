"""The deployment files are right, read without a Docker engine (none runs on these machines)."""

import re
import secrets
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _variables_the_settings_read() -> set[str]:
    source = (ROOT / "leadership" / "settings.py").read_text()
    return set(re.findall(r"env\.\w+\(\s*\"([A-Z_]+)\"", source))


def test_compose_runs_web_worker_beat_postgres_and_redis_with_health_checks():
    services = _compose()["services"]
    assert set(services) == {"web", "worker", "beat", "db", "redis"}
    for name, service in services.items():
        assert "healthcheck" in service, f"{name} has no health check"
    assert services["db"]["image"] == "postgres:16"
    assert services["redis"]["image"] == "redis:7"
    assert "gunicorn leadership.wsgi:application" in services["web"]["command"]
    assert services["worker"]["command"].startswith("celery -A leadership worker")
    assert "--max-tasks-per-child" in services["worker"]["command"]
    assert services["beat"]["command"].startswith("celery -A leadership beat")


def test_compose_keeps_the_database_and_uploads_in_named_volumes():
    compose = _compose()
    assert {"pgdata", "uploads"} <= set(compose["volumes"])
    assert "pgdata:/var/lib/postgresql/data" in compose["services"]["db"]["volumes"]
    assert "uploads:/app/var/private" in compose["services"]["web"]["volumes"]
    assert "uploads:/app/var/private" in compose["services"]["worker"]["volumes"]


def test_every_variable_compose_sets_is_one_the_settings_read():
    read = _variables_the_settings_read()
    for name in ("web", "worker", "beat"):
        environment = _compose()["services"][name]["environment"]
        unknown = set(environment) - read
        assert not unknown, f"{name} sets variables the settings never read: {unknown}"
        assert environment["DJANGO_ENV"] == "production"
        assert environment["DATABASE_URL"].startswith("postgres://")
        assert environment["CELERY_BROKER_URL"].startswith("redis://redis:6379")


def test_the_image_has_weasyprints_libraries_and_collects_static_files():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "libpango-1.0-0" in dockerfile
    assert "collectstatic" in dockerfile
    assert re.search(r"^USER app$", dockerfile, re.MULTILINE), "the image must not run as root"


def test_production_settings_pass_the_deployment_checks_without_warnings(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "leadership.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "leadership.settings",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "DJANGO_ENV": "production"}
    result = subprocess.run(
        [sys.executable, "-c", "import leadership.settings"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
