"""What governance's services share: the platform's own actor and its guards."""

from __future__ import annotations

from django.utils.translation import gettext as _

from governance.exceptions import NotAllowed
from governance.permissions import (
    ensure_may_write,
    ensure_staff,
)

SYSTEM = None  # the actor for writes made by the platform itself (demo loader, migrations)


def _ensure_system_or_staff(actor) -> None:
    if actor is not SYSTEM:
        ensure_staff(actor)


def _ensure_system_or_superuser(actor) -> None:
    if actor is not SYSTEM:
        ensure_may_write(actor)
        if not actor.is_superuser:
            raise NotAllowed(_("Only the platform administrator may change account roles."))
