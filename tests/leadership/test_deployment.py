"""The deployment files are right, read without a Docker engine (none runs on these machines)."""

import os
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
    return set(re.findall(r"env\.\w+\(\s*\"([A-Z0-9_]+)\"", source))


def _variables_gunicorn_reads() -> set[str]:
    source = (ROOT / "gunicorn.conf.py").read_text()
    return set(re.findall(r"_positive\(\"([A-Z0-9_]+)\"", source))


APP_SERVICES = ("web", "worker", "worker-2", "beat", "migrate")
# Jobs that run once and exit (restart: "no"); everything else is long-running.
ONE_SHOT = {"migrate", "storage-init"}


def test_compose_runs_web_two_workers_one_beat_postgres_redis_and_storage():
    services = _compose()["services"]
    assert set(services) == {
        "web", "worker", "worker-2", "beat", "db", "redis", "storage", "storage-init", "migrate"
    }  # fmt: skip
    for name, service in services.items():
        if name in ONE_SHOT:
            assert service["restart"] == "no", f"{name} runs once"
        else:
            assert "healthcheck" in service, f"{name} has no health check"
    assert services["db"]["image"] == "postgres:16"
    assert services["redis"]["image"] == "redis:7"
    assert services["storage"]["image"].startswith("minio/minio")
    assert "gunicorn leadership.wsgi:application" in services["web"]["command"]
    assert "/health/ready/" in " ".join(services["web"]["healthcheck"]["test"])
    for worker in ("worker", "worker-2"):
        assert services[worker]["command"].startswith("celery -A leadership worker")
        assert "--max-tasks-per-child" in services[worker]["command"]
    assert services["beat"]["command"].startswith("celery -A leadership beat")
    assert sum("celery -A leadership beat" in str(s.get("command")) for s in services.values()) == 1


def test_migrations_run_once_before_the_app_starts_not_in_every_web_container():
    services = _compose()["services"]
    assert services["migrate"]["command"] == "python manage.py migrate --no-input"
    assert "migrate" not in services["web"]["command"]
    for name in ("web", "worker", "worker-2", "beat"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        assert depends["storage-init"]["condition"] == "service_completed_successfully"


def test_compose_keeps_the_database_and_files_in_named_volumes_and_the_bucket_private():
    compose = _compose()
    services = compose["services"]
    assert {"pgdata", "objects"} <= set(compose["volumes"])
    assert "pgdata:/var/lib/postgresql/data" in services["db"]["volumes"]
    assert "objects:/data" in services["storage"]["volumes"]
    # Files live in the bucket every container shares, not on one container's disk.
    for name in APP_SERVICES:
        assert "volumes" not in services[name], f"{name} should keep no files of its own"
        assert services[name]["environment"]["AWS_S3_ENDPOINT_URL"] == "http://storage:9000"
    init = services["storage-init"]["entrypoint"]
    assert "mc mb --ignore-existing" in init
    assert "mc anonymous set none" in init


def test_every_variable_compose_sets_is_one_the_settings_read():
    read = _variables_the_settings_read() | _variables_gunicorn_reads()
    for name in APP_SERVICES:
        environment = _compose()["services"][name]["environment"]
        unknown = set(environment) - read
        assert not unknown, f"{name} sets variables the settings never read: {unknown}"
        assert environment["DJANGO_ENV"] == "production"
        assert environment["DATABASE_URL"].startswith("postgres://")
        assert environment["CELERY_BROKER_URL"].startswith("redis://redis:6379")
        assert environment["LOG_FORMAT"] == "json"


OPERATIONS_VARIABLES = {
    "AWS_STORAGE_BUCKET_NAME", "AWS_S3_ENDPOINT_URL", "AWS_S3_REGION_NAME", "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY", "AWS_LOCATION", "AWS_S3_ADDRESSING_STYLE", "LOG_FORMAT",
    "SENTRY_DSN", "SENTRY_ENVIRONMENT", "SENTRY_RELEASE", "SENTRY_TRACES_SAMPLE_RATE",
    "DATABASE_CONNECT_TIMEOUT", "NOTIFICATION_SWEEP_SECONDS",
}  # fmt: skip


def test_the_operations_variables_are_read_documented_and_in_the_env_example():
    assert _variables_the_settings_read() >= OPERATIONS_VARIABLES
    readme = (ROOT / "README.md").read_text()
    missing = {name for name in OPERATIONS_VARIABLES if f"`{name}`" not in readme}
    assert not missing, f"add these to the README's configuration table: {sorted(missing)}"
    example = (ROOT / ".env.example").read_text()
    for name in ("SECRET_KEY", "MINIO_ROOT_PASSWORD", "AWS_STORAGE_BUCKET_NAME", "SENTRY_DSN"):
        assert f"{name}=" in example


def test_the_image_has_weasyprints_libraries_and_collects_static_files():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "libpango-1.0-0" in dockerfile
    assert "collectstatic" in dockerfile
    assert re.search(r"^USER app$", dockerfile, re.MULTILINE), "the image must not run as root"
    # Requests are logged by the app as JSON lines; a second, text access log would double them.
    assert "--access-logfile" not in dockerfile


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


def _gunicorn_config(**environment) -> dict:
    """workers, threads and worker_class as gunicorn.conf.py sets them in ``environment``."""
    script = (
        "import runpy, json; c = runpy.run_path('gunicorn.conf.py'); "
        "print(json.dumps([c['workers'], c['threads'], c['worker_class']]))"
    )
    env = {"PATH": "/usr/bin:/bin", **environment}
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    workers, threads, worker_class = yaml.safe_load(out.stdout)
    return {"workers": workers, "threads": threads, "worker_class": worker_class}


def test_gunicorn_sizes_itself_from_the_cores_unless_told():
    cores = os.cpu_count() or 1
    assert _gunicorn_config() == {
        "workers": cores,
        "threads": 2,
        "worker_class": "gthread",
    }
    assert _gunicorn_config(WEB_CONCURRENCY="5", GUNICORN_THREADS="1") == {
        "workers": 5,
        "threads": 1,
        "worker_class": "sync",
    }
    # What docker-compose passes when .env sets neither.
    assert _gunicorn_config(WEB_CONCURRENCY="0", GUNICORN_THREADS="0")["workers"] == cores


def test_the_image_and_compose_leave_the_worker_count_to_gunicorn_conf():
    assert "--workers" not in (ROOT / "Dockerfile").read_text()
    web = _compose()["services"]["web"]
    assert "--workers" not in web["command"]
    assert web["environment"]["WEB_CONCURRENCY"] == "${WEB_CONCURRENCY:-0}"
    assert web["environment"]["DJANGO_ENV"] == "production"  # the shared settings still apply
    assert int(web["environment"]["CONN_MAX_AGE"].split(":-")[1].rstrip("}")) > 0


def test_database_connections_persist_with_health_checks_and_without_jit(db):
    from django.conf import settings
    from django.db import connection

    database = settings.DATABASES["default"]
    assert database["CONN_MAX_AGE"] > 0
    assert database["CONN_HEALTH_CHECKS"] is True
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_web_and_worker_processes_are_forked_from_a_parent_that_imported_every_view():
    # Without a bytecode cache (the image sets PYTHONDONTWRITEBYTECODE) a process that imports
    # the views on its first request spends seconds compiling them: gunicorn's master and the
    # Celery worker's parent import them before forking (leadership/warmup.py).
    script = (
        "import runpy, sys\n"
        "config = runpy.run_path('gunicorn.conf.py')\n"
        "assert config['preload_app'] is True\n"
        "from leadership.wsgi import application\n"  # what preload_app loads in the master
        "assert 'reports.views' not in sys.modules\n"
        "config['when_ready'](None)\n"
        "assert {'reports.views', 'home.views', 'api.endpoints'} <= set(sys.modules)\n"
        "from django.db import connections\n"
        "assert all(c.connection is None for c in connections.all()), 'a connection to fork'\n"
        "from celery.signals import worker_init\n"
        "from leadership.celery import _import_everything\n"
        "assert any(r() is _import_everything for _key, r in worker_init.receivers)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
