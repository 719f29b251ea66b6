#!/usr/bin/env bash
# `make run`: migrate, load the demo, collect static files and serve. With a broker configured
# (CELERY_BROKER_URL or REDIS_URL) it also starts a Celery worker and beat; Ctrl-C stops all.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
mkdir -p var

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
  echo "No broker configured: tasks run in-process and e-mail goes to this console."
fi

echo "Serving on http://${HOST}:${PORT}/ (Ctrl-C stops everything)"
$BIN/python manage.py runserver "${HOST}:${PORT}" &
pids+=($!)
wait "${pids[-1]}"
