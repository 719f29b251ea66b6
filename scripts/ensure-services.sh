#!/usr/bin/env bash
# Make sure what the tests talk to is there: PostgreSQL and Redis answering on 127.0.0.1, and
# Debian's Chromium (browser tests) and poppler-utils (PDF text) installed. Starts local servers
# that are installed but stopped; says plainly what to do when something is missing.
set -euo pipefail

PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
REDIS_PORT=${REDIS_PORT:-6379}

pg_up() { pg_isready -q -h "$PGHOST" -p "$PGPORT" 2>/dev/null; }
redis_up() { (exec 3<>/dev/tcp/127.0.0.1/"$REDIS_PORT" && printf 'PING\r\n' >&3 && timeout 2 head -c 5 <&3 | grep -q PONG) 2>/dev/null; }

if ! pg_up; then
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    echo "Starting the local PostgreSQL…"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
    for _ in $(seq 1 20); do pg_up && break; sleep 0.5; done
  fi
  if ! pg_up; then
    echo "PostgreSQL is not answering on $PGHOST:$PGPORT." >&2
    echo "Start it (e.g. 'docker compose up -d db') or set DATABASE_URL to one that runs." >&2
    exit 1
  fi
fi

if ! redis_up; then
  if command -v redis-server >/dev/null; then
    echo "Starting the local Redis…"
    redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no
    for _ in $(seq 1 20); do redis_up && break; sleep 0.25; done
  fi
  if ! redis_up; then
    echo "Redis is not answering on 127.0.0.1:$REDIS_PORT." >&2
    echo "Start it (e.g. 'docker compose up -d redis') or set CELERY_BROKER_URL." >&2
    exit 1
  fi
fi

missing=()
command -v chromium >/dev/null || [ -x "${CHROMIUM_PATH:-/nonexistent}" ] || missing+=(chromium)
command -v pdftotext >/dev/null || missing+=(poppler-utils)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing ${missing[*]} from Debian…"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-liberation2 >/dev/null
  else
    echo "Missing: ${missing[*]}. Install them (Debian: apt-get install ${missing[*]})." >&2
    exit 1
  fi
fi
