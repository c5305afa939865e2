"""The Redis cache with one client per connection pool.

Django's Redis backend makes a new `redis.Redis` for every cache operation, and redis-py
fills a table of about 170 response callbacks in each one: 0.1 to 0.2 ms of CPU per
operation, several per request (the session, the rate limits). A `redis.Redis` is only a
front for its connection pool and is safe to share between threads, so one per pool does.
"""

from __future__ import annotations

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client

    def count_in_window(self, key, timeout: int) -> int:
        """Add one to the counter `key`, which lives `timeout` seconds from its first
        count; returns the new count. One round trip: SET NX then INCR, pipelined."""
        pipe = self.get_client(key, write=True).pipeline(transaction=False)
        pipe.set(key, 0, ex=timeout, nx=True)
        pipe.incr(key)
        return pipe.execute()[1]


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient

    def count_in_window(self, key: str, timeout: int) -> int:
        return self._cache.count_in_window(self.make_and_validate_key(key), timeout)
