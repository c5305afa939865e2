# The application image: app servers (gunicorn), the task worker and the migrate job all
# run it with a different command (compose.yaml). Build: docker build -t governance .
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN groupadd --system app && useradd --system --gid app --home-dir /app --no-create-home app
WORKDIR /app

# Dependencies first, in their own layer: it is rebuilt only when the lock changes. uv
# (pinned with its hashes) installs exactly what uv.lock pins, with hashes, into the
# image's Python; the project installs no package of its own (the code runs from /app).
COPY requirements-uv.txt pyproject.toml uv.lock README.md ./
RUN pip install --require-hashes --no-deps -r requirements-uv.txt \
    && UV_PROJECT_ENVIRONMENT=/usr/local UV_PYTHON_DOWNLOADS=never \
       uv sync --locked --no-cache --compile-bytecode \
    && pip uninstall --yes uv

COPY manage.py ./
COPY governance/ governance/
COPY elections/ elections/
COPY motions/ motions/
COPY templates/ templates/
COPY static/ static/
COPY locale/ locale/
COPY deploy/ deploy/

# Static files are collected into the image, hashed and compressed, so every app server
# serves the same files through WhiteNoise and shares no volume. The key is a dummy:
# collectstatic signs nothing and opens no database.
RUN SECRET_KEY=collectstatic-at-build-time-only DEBUG=false \
    python manage.py collectstatic --noinput --verbosity 0 \
    && python -m compileall -q governance elections motions

USER app
EXPOSE 8000
CMD ["gunicorn", "--config", "deploy/gunicorn.conf.py", "governance.wsgi:application"]
