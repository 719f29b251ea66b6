#!/usr/bin/env bash
# `make run`: migrate, load the demo, collect static files and serve. With a broker configured
# (CELERY_BROKER_URL or REDIS_URL) it also starts a Celery worker and beat; Ctrl-C stops all.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
mkdir -p var

# Links in e-mails point at the address this serves, unless SITE_URL is configured (in the
# environment or in .env).
if [ -z "${SITE_URL:-}" ] && ! grep -qs '^SITE_URL=' .env; then
  site_host="${HOST}"
  if [ "${site_host}" = "0.0.0.0" ]; then site_host=127.0.0.1; fi
  export SITE_URL="http://${site_host}:${PORT}"
fi

$BIN/python manage.py migrate --no-input
$BIN/python manage.py load_demo
$BIN/python manage.py collectstatic --no-input -v0

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

if [ -n "${CELERY_BROKER_URL:-${REDIS_URL:-}}" ]; then
  echo "Starting a Celery worker and beat…"
  $BIN/celery -A leadership worker --loglevel=INFO --concurrency=2 &
  pids+=($!)
  $BIN/celery -A leadership beat --loglevel=INFO &
  pids+=($!)
else
  echo "No broker configured: tasks run in-process, a timer sweeps for due reminders every"
  echo "minute, and each e-mail is one line on this console (EMAIL_CONSOLE_FULL=1: all of it)."
  $BIN/python manage.py run_sweeps &
  pids+=($!)
fi

echo "Serving on http://${HOST}:${PORT}/ (links in e-mails: ${SITE_URL:-from .env}; Ctrl-C stops everything)"
$BIN/python manage.py runserver "${HOST}:${PORT}" &
pids+=($!)
wait "${pids[-1]}"
