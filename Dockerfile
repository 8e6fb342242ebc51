# One image for the web server, the Celery worker and Celery beat (docker-compose.yml runs each).
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY static ./static
RUN npm run --silent build

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app
WORKDIR /app
RUN useradd --system --uid 10001 --home /app efh
# WeasyPrint (assessment PDFs, panel packs) draws with Pango; Liberation Sans stands in for Arial.
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    libharfbuzz-subset0 fonts-liberation && rm -rf /var/lib/apt/lists/*
# The exact versions (with their hashes) compiled from pyproject.toml: the same lock file make and CI install from.
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock
# The code runs from /app (PYTHONPATH): the apps settings.INSTALLED_APPS names (bench/, the benchmark tools, stays
# out: see settings.py), the templates and the built assets only (static/dist; never their sources).
# tests/test_image_layout.py lays out exactly these files and serves a signed-in page from them.
COPY manage.py ./
COPY safeguarding ./safeguarding
COPY cases ./cases
COPY contexts ./contexts
COPY assessments ./assessments
COPY panels ./panels
COPY reports ./reports
COPY templates ./templates
COPY --from=assets /app/static/dist ./static/dist
# Hashed, compressed static files, served by WhiteNoise. The key is only for this build step.
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --no-input -v 0
# Panel packs are written here (a volume shared by web and worker-packs in docker-compose.yml).
RUN mkdir -p /app/media && chown efh /app/media
# Attached documents (safeguarding.attachments), when not in a bucket: private to the app's user, served by no URL.
RUN mkdir -p /app/private/documents && chown -R efh /app/private && chmod -R 700 /app/private
USER efh
EXPOSE 8000
# No gunicorn access log: the app logs one JSON line a request with its id and without the query string (search
# terms are names); see safeguarding/logs.py.
CMD ["gunicorn", "safeguarding.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3"]
