"""Caps on what one person may ask the platform to store or compute (settings, `LIMIT_*`).

Checked in the services, so the pages, the API and the commands refuse alike, with a message
that names the field and the cap. Without them one officer could add 10,000 candidates to a
ballot (whose page and count then time out, so it could never be counted), or one member
store megabytes of motion text that every later diff and page has to carry.
"""

from __future__ import annotations

from collections.abc import Sized

from django.conf import settings
from django.utils.translation import gettext as _

from governance.exceptions import DomainError


def check_text(value: str, *, field: str, limit: int | None = None) -> str:
    """Refuse text longer than `limit` (the long-text cap by default) or holding a NUL byte,
    which PostgreSQL cannot store."""
    limit = settings.LIMIT_TEXT_CHARS if limit is None else limit
    if len(value) > limit:
        raise DomainError(
            _("This text is %(length)s characters long; at most %(limit)s are allowed.")
            % {"length": f"{len(value):,}", "limit": f"{limit:,}"},
            field=field,
        )
    if "\x00" in value:
        raise DomainError(_("The text holds a NUL character, which cannot be stored."), field=field)
    return value


def check_line(value: str, *, field: str, model, name: str | None = None) -> str:
    """A one-line text against its column's length, the model field `name` (default `field`)."""
    limit = model._meta.get_field(name or field).max_length
    return check_text(value, field=field, limit=limit)


def check_items(items: Sized, *, field: str, limit: int | None = None) -> None:
    limit = settings.LIMIT_LIST_ITEMS if limit is None else limit
    if len(items) > limit:
        raise DomainError(
            _("This list has %(count)s items; at most %(limit)s are allowed.")
            % {"count": f"{len(items):,}", "limit": f"{limit:,}"},
            field=field,
        )


def check_candidates(count: int) -> None:
    """Refuse one more candidate when a ballot already has the most allowed."""
    limit = settings.LIMIT_CANDIDATES
    if count >= limit:
        raise DomainError(
            _("A ballot has at most %(limit)s candidates or options.") % {"limit": f"{limit:,}"},
            field="name",
        )
