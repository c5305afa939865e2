"""JSON read from people with a bound on its nesting, so a hostile document is a clear error
instead of a `RecursionError` (a server error) or a walk that never ends."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _


class JSONTooDeep(ValueError):
    """The document nests arrays and objects deeper than the limit."""


def _too_deep(limit: int) -> JSONTooDeep:
    return JSONTooDeep(
        _("JSON nested more than %(limit)s levels deep is refused.") % {"limit": limit}
    )


def check_depth(value: Any, limit: int) -> None:
    """Raise `JSONTooDeep` if `value` nests lists and dicts deeper than `limit` (no recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            raise _too_deep(limit)
        stack.extend((child, depth + 1) for child in children)


def loads(text: str | bytes, *, max_depth: int | None = None, **kwargs) -> Any:
    """`json.loads`, refusing documents nested deeper than `max_depth` (settings.JSON_MAX_DEPTH
    by default) with `JSONTooDeep`, a `ValueError` like every other JSON error."""
    limit = settings.JSON_MAX_DEPTH if max_depth is None else max_depth
    try:
        value = json.loads(text, **kwargs)
    except RecursionError:
        raise _too_deep(limit) from None
    check_depth(value, limit)
    return value
