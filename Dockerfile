# Production image: gunicorn (web), celery worker and celery beat all run from it
# (see docker-compose.yml). Configuration comes from the environment only (.env.example).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PINGSHEN_VAR_DIR=/app/var \
    MEDIA_ROOT=/app/var/media

WORKDIR /app

# gettext compiles the translations; curl is not needed (healthchecks use Python).
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .

# Build-time only values: nothing here reaches a running container.
RUN SECRET_KEY=build-only DEBUG=false ALLOWED_HOSTS=localhost \
        sh -c 'python manage.py compilemessages --ignore=.venv 2>/dev/null || true; python manage.py collectstatic --noinput' \
    && useradd --system --uid 10001 --home-dir /app pingshen \
    && mkdir -p /app/var/media \
    && chown -R pingshen /app/var

USER pingshen
EXPOSE 8000

CMD ["gunicorn", "workflow.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
