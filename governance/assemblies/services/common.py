"""What the assemblies' services share: the status names, the body seated, the row lock, the door's hours."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from governance.exceptions import DomainError
from governance.models import Assembly, Body

S = Assembly.Status


def seats_body(assembly: Assembly) -> Body | None:
    """The body whose seats make the electorate (a Board meeting), or None for the members' assembly."""
    return None if assembly.body.kind == Body.Kind.ASSEMBLY else assembly.body


def _locked(assembly: Assembly) -> Assembly:
    return (
        Assembly.objects.select_for_update(of=("self",))
        .select_related("body", "body__unit")
        .get(pk=assembly.pk)
    )


def door_is_open(assembly: Assembly, today: dt.date | None = None) -> bool:
    """Members are checked in on the day of a convened meeting, and while it is in session."""
    today = today or timezone.localdate()
    return assembly.status == S.IN_SESSION or (
        assembly.status == S.CONVENED and assembly.meets_on == today
    )


def _ensure_door_open(assembly: Assembly) -> None:
    if not door_is_open(assembly):
        if assembly.status == S.CONVENED:
            message = _("Members are checked in on the day of the meeting (%(date)s).") % {
                "date": assembly.meets_on.isoformat()
            }
        else:
            message = _("The assembly is %(status)s: nobody can be checked in or out.") % {
                "status": assembly.get_status_display().lower()
            }
        raise DomainError(message, field="assembly")
