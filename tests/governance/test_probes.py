"""The liveness and readiness probes: public, read-only, and 503 with the failing check named."""

from __future__ import annotations

import pytest
from django.core.cache.backends.base import BaseCache
from django.urls import reverse

from governance import probes

pytestmark = pytest.mark.django_db


class UnreachableCache(BaseCache):
    """A cache whose server is down: every read and write raises, as redis-py does."""

    def __init__(self, location, params):
        super().__init__(params)

    def _down(self, *args, **kwargs):
        raise ConnectionError("Error 111 connecting to redis.internal:6379. Connection refused.")

    add = get = set = delete = touch = has_key = _down

    def clear(self):
        pass  # the suite empties the cache after each test


def test_health_answers_without_a_login(client):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.content == b"ok"


def test_ready_reports_each_check_when_all_pass(client):
    response = client.get(reverse("ready"))
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {"database": {"ok": True}, "cache": {"ok": True}},
    }
    assert "no-cache" in response["Cache-Control"]


def test_ready_is_503_when_the_cache_raises(client, settings):
    settings.CACHES = {"default": {"BACKEND": f"{__name__}.UnreachableCache"}}
    response = client.get(reverse("ready"))
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": {"ok": True}, "cache": {"ok": False, "error": "ConnectionError"}},
    }


def test_a_failure_names_no_host_to_the_public(client, settings):
    settings.CACHES = {"default": {"BACKEND": f"{__name__}.UnreachableCache"}}
    response = client.get(reverse("ready"))
    assert b"redis.internal" not in response.content
    assert b"refused" not in response.content


def test_ready_is_503_when_the_database_fails(client, monkeypatch):
    def database_down():
        raise OSError("connection to server at 10.0.0.5 failed")

    monkeypatch.setitem(probes.CHECKS, "database", database_down)
    response = client.get(reverse("ready"))
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {"ok": False, "error": "OSError"}
    assert response.json()["checks"]["cache"] == {"ok": True}


def test_a_cache_that_returns_something_else_is_not_ready(monkeypatch):
    monkeypatch.setattr(probes.cache, "get", lambda key: None)
    assert probes.run_checks()["cache"] == {"ok": False, "error": "RuntimeError"}


@pytest.mark.parametrize("name", ["health", "ready"])
def test_the_probes_refuse_writes(client, name):
    assert client.post(reverse(name)).status_code == 405


@pytest.mark.parametrize("name", ["health", "ready"])
def test_the_probes_answer_head_for_load_balancers(client, name):
    assert client.head(reverse(name)).status_code == 200
