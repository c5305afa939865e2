"""Per-account rate limits, counted in Django's cache (Redis in production, so every app
server shares the count).

Counted per account, never per address: a room of 500 members behind one NAT (or a load
test from 127.0.0.1) shares an address, not an account. A fixed window per account: at
most `count` attempts in each window of `seconds`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


@dataclass(frozen=True)
class Limit:
    name: str
    count: int
    seconds: int


def vote_limit() -> Limit:
    """Casting a vote, on the page and through the API alike (one count for both)."""
    return Limit("vote", settings.VOTE_RATE_LIMIT_PER_MINUTE, 60)


def _now() -> float:
    return time.time()


def attempt(limit: Limit, user) -> int:
    """Count one attempt by the account. Returns 0 if it is within the limit, otherwise the
    seconds until the window ends (for a `Retry-After` header)."""
    now = _now()
    window = int(now // limit.seconds)
    key = f"ratelimit:{limit.name}:{user.pk}:{window}"
    timeout = limit.seconds + 5
    if hasattr(cache, "count_in_window"):  # Redis (governance.cache): one round trip
        count = cache.count_in_window(key, timeout)
    else:
        # add() starts the window's count only if absent; incr() is atomic in locmem.
        cache.add(key, 0, timeout=timeout)
        try:
            count = cache.incr(key)
        except ValueError:  # the key expired between add() and incr()
            cache.set(key, 1, timeout=timeout)
            count = 1
    if count <= limit.count:
        return 0
    return max(1, int((window + 1) * limit.seconds - now))
