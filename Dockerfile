# The production image: gunicorn for the web, the same image for the Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint's Pango/HarfBuzz and fonts that embed in PDFs.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-liberation2 \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml ./
RUN pip install --no-cache-dir uv \
 && uv pip install --system --no-cache -r pyproject.toml

COPY . .
# collectstatic needs settings but no secrets or database: a throwaway key only for this step.
RUN DJANGO_ENV=production SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --no-input -v0

RUN useradd --create-home --uid 1000 app && mkdir -p /app/var/private && chown -R app /app/var
USER app

EXPOSE 8000
# No gunicorn access log: the app writes one JSON line per request (leadership/logging_json.py).
# Workers and threads: gunicorn.conf.py (from the core count; WEB_CONCURRENCY and
# GUNICORN_THREADS override).
CMD ["gunicorn", "leadership.wsgi:application", "--bind", "0.0.0.0:8000"]
