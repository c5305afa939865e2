"""Liveness and readiness probes for the load balancer, the containers and the monitoring.

`/health/` says the process answers (restart it if not); `/ready/` says it can serve a
request: the database answers a query and the shared cache stores and returns a value (take
it out of the load balancer if not). Neither needs a login; neither names a host or an error
message to the public, only which check failed: the details go to the log.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone() != (1,):
            raise RuntimeError("SELECT 1 did not return 1")


def check_cache() -> None:
    # A key of its own per probe, so app servers probing at once never read each other's.
    key, value = f"ready-probe:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, timeout=30)
    try:
        if cache.get(key) != value:
            raise RuntimeError("the cache did not return the value just stored")
    finally:
        cache.delete(key)


CHECKS: dict[str, Callable[[], None]] = {"database": check_database, "cache": check_cache}


def run_checks() -> dict[str, dict[str, object]]:
    """Every check's outcome: `{"ok": True}` or `{"ok": False, "error": "ExceptionClass"}`."""
    outcomes: dict[str, dict[str, object]] = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as error:  # any failure means "not ready", whatever raised it
            logger.warning("readiness check %s failed: %r", name, error)
            outcomes[name] = {"ok": False, "error": type(error).__name__}
        else:
            outcomes[name] = {"ok": True}
    return outcomes


@require_safe
@never_cache
def health(request):
    """Liveness: the process answers. Touches neither the database nor the cache."""
    return HttpResponse("ok", content_type="text/plain")


@require_safe
@never_cache
def ready(request):
    """Readiness: 200 when every check passes, 503 (with the failing check named) otherwise."""
    checks = run_checks()
    ready_ = all(outcome["ok"] for outcome in checks.values())
    return JsonResponse(
        {"status": "ready" if ready_ else "unavailable", "checks": checks},
        status=200 if ready_ else 503,
    )
