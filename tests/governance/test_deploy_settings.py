"""The production shape read from the environment: shared cache and sessions, queue, static files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
HARNESS_VARIABLES = {"DEBUG", "TESTING", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-long-random-production-secret-key-for-the-check-" + "x" * 30,
    "ALLOWED_HOSTS": "governance.example.org",
    "DATABASE_URL": "postgres://governance@db.internal:5432/governance",
    "CACHE_URL": "redis://cache.internal:6379/0",
    "TASKS_BACKEND": "database",
    "TRUSTED_PROXY_COUNT": "1",
}
READ_SETTINGS = """
import json
from django.conf import settings
print(json.dumps({
    "session_engine": settings.SESSION_ENGINE,
    "cache": settings.CACHES["default"]["BACKEND"],
    "tasks": settings.TASKS["default"]["BACKEND"],
    "static": settings.STORAGES["staticfiles"]["BACKEND"],
    "conn_max_age": settings.DATABASES["default"]["CONN_MAX_AGE"],
    "conn_health_checks": settings.DATABASES["default"]["CONN_HEALTH_CHECKS"],
    "num_proxies": settings.REST_FRAMEWORK["NUM_PROXIES"],
    "allauth_proxies": settings.ALLAUTH_TRUSTED_PROXY_COUNT,
    "middleware": settings.MIDDLEWARE[:2],
    "log_stream": settings.LOGGING["handlers"]["console"]["stream"],
    "redirect_exempt": getattr(settings, "SECURE_REDIRECT_EXEMPT", []),
}))
"""


def read_settings(**env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in HARNESS_VARIABLES}
    environment.update({"DJANGO_SETTINGS_MODULE": "governance.settings", **env})
    return subprocess.run(
        [sys.executable, "-c", READ_SETTINGS],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def settings_for(**env: str) -> dict:
    result = read_settings(**env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_shares_sessions_and_rate_limits_through_redis_and_queues_tasks():
    values = settings_for(**PRODUCTION)
    assert values["cache"] == "governance.cache.RedisCache"
    # Written to the database, read from Redis: a Redis restart logs nobody out.
    assert values["session_engine"] == "django.contrib.sessions.backends.cached_db"
    assert values["tasks"] == "django_tasks_db.DatabaseBackend"
    assert values["static"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert values["middleware"] == [
        "django.middleware.security.SecurityMiddleware",
        "whitenoise.middleware.WhiteNoiseMiddleware",
    ]
    assert values["conn_max_age"] == 60 and values["conn_health_checks"] is True
    assert values["num_proxies"] == 1 and values["allauth_proxies"] == 1
    assert values["log_stream"] == "ext://sys.stdout"
    assert values["redirect_exempt"] == [r"^health/$", r"^ready/$"]


def test_development_needs_no_server_and_no_collectstatic():
    values = settings_for(DEBUG="true")
    assert values["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert values["session_engine"] == "django.contrib.sessions.backends.db"
    assert values["tasks"] == "django.tasks.backends.immediate.ImmediateBackend"
    assert values["static"] == "django.contrib.staticfiles.storage.StaticFilesStorage"
    assert values["conn_max_age"] == 0
    # Without a proxy the forwarded-for header is ignored: a client could forge it.
    assert values["num_proxies"] == 0


def test_an_unknown_cache_url_is_an_error():
    result = read_settings(DEBUG="true", CACHE_URL="memcached://cache:11211")
    assert result.returncode != 0
    assert "CACHE_URL must be a redis://" in result.stderr


def test_an_unknown_tasks_backend_is_an_error():
    result = read_settings(DEBUG="true", TASKS_BACKEND="celery")
    assert result.returncode != 0
    assert "TASKS_BACKEND must be 'immediate' or 'database'" in result.stderr


@pytest.mark.django_db
def test_a_lost_cache_logs_nobody_out(client, settings):
    """Sessions as production keeps them with CACHE_URL: a Redis restart empties the cache."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    user = UserFactory()
    client.force_login(user)
    cache.clear()
    response = client.get(reverse("organisation"))
    assert response.wsgi_request.user == user


CHECK = "from django.core.management import call_command; call_command('check', '--deploy')"


@pytest.mark.parametrize("key", ["", "A" * 43 + "="])
def test_the_deployment_check_warns_when_no_audit_signing_key_is_set(key):
    environment = {k: v for k, v in os.environ.items() if k not in HARNESS_VARIABLES}
    environment.pop("AUDIT_SIGNING_KEY_FILE", None)
    environment.update(
        {"DJANGO_SETTINGS_MODULE": "governance.settings", **PRODUCTION, "AUDIT_SIGNING_KEY": key}
    )
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + CHECK],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    output = result.stdout + result.stderr
    assert ("governance.W001" in output) is (key == "")
    assert "Traceback" not in output


LOG_TWICE = """
import logging, django
django.setup()
logging.getLogger("django.request").warning("probe-request")
logging.getLogger("django.tasks").info("probe-task")
logging.getLogger("django.server").info("probe-server")
"""


@pytest.mark.parametrize("debug", ["true", "false"])
def test_each_django_log_record_is_written_once(debug):
    """Django's own console handler (DEBUG only) used to print every django.* record a
    second time beside the root's line; runserver's request lines stay."""
    environment = {k: v for k, v in os.environ.items() if k not in HARNESS_VARIABLES}
    environment.update({"DJANGO_SETTINGS_MODULE": "governance.settings", "DEBUG": debug})
    if debug == "false":
        environment.update(PRODUCTION)
    result = subprocess.run(
        [sys.executable, "-c", LOG_TWICE],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    assert output.count("probe-request") == 1
    assert "WARNING django.request" in result.stdout
    assert output.count("probe-task") == 1
    assert output.count("probe-server") == 1
