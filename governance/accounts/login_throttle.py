"""Failed logins slowed per account *and* client, so a guesser is slowed and the owner is not
locked out (OWASP's "device cookies").

A refusal for the whole account would be a weapon: whoever knows a member's e-mail could keep
them from voting in the last hour of a ballot. So failures are counted per *bucket*:

- a browser that has logged in to the account before carries a signed device cookie, and is
  its own bucket (account + that device): an attacker, even on the same network (one NAT
  address for a whole meeting room), never slows it down;
- any other client is counted per account + address pair.

The first `LOGIN_FREE_FAILURES` failures in a bucket cost nothing; each one after that makes
the bucket wait twice as long as the last (`LOGIN_FIRST_DELAY_SECONDS`, doubling, at most
`LOGIN_MAX_DELAY_SECONDS`). A waiting bucket is refused at once with the seconds left: a
request never sleeps, so no worker is held. Counts live in the cache (Redis in production,
shared by the app servers) and are forgotten `LOGIN_FAILURE_MEMORY_SECONDS` after the last
failure, or at once when the bucket logs in.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils.crypto import get_random_string

DEVICE_COOKIE = "login_device"
_DEVICE_SALT = "governance.accounts.login_throttle.device"
_DEVICE_LOGINS_KEPT = 10


@dataclass(frozen=True)
class Bucket:
    kind: str  # "device" (a browser the account logged in from) or "address"
    key: str

    @property
    def recognised(self) -> bool:
        return self.kind == "device"


def _now() -> float:
    return time.time()


def _login_id(login: str) -> str:
    return hashlib.sha256(str(login).strip().lower().encode()).hexdigest()[:24]


def read_device(request) -> dict:
    """The device cookie's content ({"nonce", "logins"}), or an empty one if absent or forged."""
    raw = request.COOKIES.get(DEVICE_COOKIE)
    if raw:
        try:
            value = signing.loads(raw, salt=_DEVICE_SALT, max_age=settings.LOGIN_DEVICE_MAX_AGE)
        except signing.BadSignature:
            value = None
        if isinstance(value, dict) and isinstance(value.get("logins"), list):
            return value
    return {}


def bucket_for(request, login: str, address: str) -> Bucket:
    login_id = _login_id(login)
    device = read_device(request)
    if login_id in device.get("logins", []):
        return Bucket("device", f"{login_id}:{device['nonce']}")
    return Bucket("address", f"{login_id}:{address}")


def _keys(bucket: Bucket) -> tuple[str, str]:
    base = f"login-throttle:{bucket.kind}:{bucket.key}"
    return f"{base}:failures", f"{base}:last"


def delay_after(failures: int) -> int:
    """The wait (seconds) a bucket owes after `failures` failures in a row."""
    free = settings.LOGIN_FREE_FAILURES
    if failures < free:
        return 0
    doubling = min(failures - free, 30)
    return min(settings.LOGIN_FIRST_DELAY_SECONDS * 2**doubling, settings.LOGIN_MAX_DELAY_SECONDS)


def wait_for(bucket: Bucket) -> int:
    """Seconds the bucket must still wait before it may try again (0: it may try now)."""
    failures_key, last_key = _keys(bucket)
    values = cache.get_many([failures_key, last_key])
    failures, last = values.get(failures_key, 0), values.get(last_key)
    if not failures or last is None:
        return 0
    remaining = last + delay_after(failures) - _now()
    return max(0, int(remaining + 0.999))


def record_failure(bucket: Bucket) -> int:
    """Count a failure; returns the wait it now owes."""
    failures_key, last_key = _keys(bucket)
    memory = settings.LOGIN_FAILURE_MEMORY_SECONDS
    cache.add(failures_key, 0, timeout=memory)
    try:
        failures = cache.incr(failures_key)  # atomic, so parallel guesses all count
    except ValueError:  # expired between add() and incr()
        cache.set(failures_key, 1, timeout=memory)
        failures = 1
    cache.touch(failures_key, memory)
    cache.set(last_key, _now(), timeout=memory)
    return delay_after(failures)


def forget(bucket: Bucket) -> None:
    """The bucket logged in: its failures are forgotten."""
    cache.delete_many(list(_keys(bucket)))


def remember_device(request, response, login: str) -> None:
    """Mark the browser as one the account logged in from (the signed device cookie)."""
    device = read_device(request)
    nonce = device.get("nonce") or get_random_string(24)
    login_id = _login_id(login)
    logins = [item for item in device.get("logins", []) if item != login_id]
    logins = [login_id, *logins][:_DEVICE_LOGINS_KEPT]
    response.set_cookie(
        DEVICE_COOKIE,
        signing.dumps({"nonce": nonce, "logins": logins}, salt=_DEVICE_SALT),
        max_age=settings.LOGIN_DEVICE_MAX_AGE,
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )
