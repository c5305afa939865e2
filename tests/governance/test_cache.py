"""The production cache (governance.cache) against a real Redis server."""

from __future__ import annotations

import os
import socket

import pytest
from django.core.cache import caches

from governance.accounts import ratelimit
from tests.factories import UserFactory

REDIS = ("127.0.0.1", 6379)
LOCATION = f"redis://{REDIS[0]}:{REDIS[1]}/14"


def redis_answers() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=0.5):
            return True
    except OSError:
        return False


pytestmark = pytest.mark.skipif(
    not redis_answers(), reason=f"no Redis server on {REDIS[0]}:{REDIS[1]} (production's cache)"
)


@pytest.fixture
def redis_cache(settings):
    # A prefix of this process's own: CI runs the suite on SQLite and on PostgreSQL at
    # once against the same server, and both make the same keys (user ids included).
    # Only this prefix's keys are removed afterwards: clear() would flush the other's.
    prefix = f"test-cache-{os.getpid()}"
    settings.CACHES = {
        **settings.CACHES,
        "redis": {
            "BACKEND": "governance.cache.RedisCache",
            "LOCATION": LOCATION,
            "KEY_PREFIX": prefix,
        },
    }
    cache = caches["redis"]
    yield cache
    client = cache._cache.get_client(write=True)
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)
    cache.close()


def test_one_client_serves_every_operation(redis_cache):
    client = redis_cache._cache.get_client("a", write=True)
    assert redis_cache._cache.get_client("b", write=True) is client
    redis_cache.set("a", {"x": 1}, 30)
    assert redis_cache.get("a") == {"x": 1}


def test_a_window_counts_in_one_round_trip_and_expires(redis_cache):
    assert [redis_cache.count_in_window("w", 65) for _ in range(3)] == [1, 2, 3]
    client = redis_cache._cache.get_client("w")
    ttl = client.ttl(redis_cache.make_and_validate_key("w"))
    assert 0 < ttl <= 65
    # Stored as an integer, so the cache reads it back as Django wrote it.
    assert redis_cache.get("w") == 3


@pytest.mark.django_db
def test_the_vote_limit_counts_in_redis(redis_cache, monkeypatch, settings):
    monkeypatch.setattr(ratelimit, "cache", redis_cache)
    settings.VOTE_RATE_LIMIT_PER_MINUTE = 3
    user, other = UserFactory(), UserFactory()
    limit = ratelimit.vote_limit()
    assert [ratelimit.attempt(limit, user) for _ in range(3)] == [0, 0, 0]
    assert 0 < ratelimit.attempt(limit, user) <= 60
    assert ratelimit.attempt(limit, other) == 0
