"""The session's lifecycle table (`ASSEMBLY`) and its steps: open, close, cancel."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance import lifecycle
from governance.assemblies.services.common import S, _locked
from governance.assemblies.services.quorum import quorum_status
from governance.exceptions import DomainError
from governance.models import Assembly


def open_session(*, actor, assembly: Assembly) -> Assembly:
    """Officers of the body (or staff) open the session, on the day of the meeting.

    The quorum at the opening is kept in the audit event.
    """
    return lifecycle.take(ASSEMBLY.steps["open"], assembly, actor)


def _open(assembly: Assembly, actor) -> dict:
    today = timezone.localdate()
    if assembly.meets_on != today:
        raise DomainError(
            _("The session opens on the day of the meeting (%(date)s).")
            % {"date": assembly.meets_on.isoformat()},
            field="status",
        )
    assembly.opened_at = timezone.now()
    return {"quorum": quorum_status(assembly).as_dict()}


def close_session(*, actor, assembly: Assembly) -> Assembly:
    """Officers of the body (or staff) close the session.

    The number of members entitled to vote is frozen on the assembly, so the quorum on
    the record (the page, the minutes) no longer moves when the roll changes later.
    """
    return lifecycle.take(ASSEMBLY.steps["close"], assembly, actor)


def _close(assembly: Assembly, actor) -> dict:
    status = quorum_status(assembly)
    assembly.closed_at = timezone.now()
    assembly.eligible_at_close = status.eligible
    return {"quorum": status.as_dict()}


def cancel_assembly(*, actor, assembly: Assembly, reason: str) -> Assembly:
    """Officers of the body (or staff) cancel a convened meeting before it opens, with a reason."""
    return lifecycle.take(ASSEMBLY.steps["cancel"], assembly, actor, reason=reason)


OFFICERS = lifecycle.OFFICERS

#: The session's lifecycle; each step needs an officer of the body (or of its unit's
#: board) or staff (`lifecycle.officer_lifecycle`).
ASSEMBLY = lifecycle.officer_lifecycle(
    name="assembly",
    model=Assembly,
    lock=_locked,
    refusal=gettext_lazy("An assembly that is %(status)s cannot become %(target)s."),
    refusal_field="status",
    steps=[
        lifecycle.step(
            "open",
            gettext_lazy("Open the session"),
            [S.CONVENED],
            S.IN_SESSION,
            [OFFICERS],
            event="assembly.session_opened",
            service="governance.assemblies.services.open_session",
            does="on the day of the meeting; the quorum at the opening goes in the event",
            work=_open,
            fields=("opened_at",),
            done=gettext_lazy("The session is open."),
        ),
        lifecycle.step(
            "close",
            gettext_lazy("Close the session"),
            [S.IN_SESSION],
            S.CLOSED,
            [OFFICERS],
            event="assembly.session_closed",
            service="governance.assemblies.services.close_session",
            does="freezes the number entitled to vote, for the quorum on the record",
            work=_close,
            fields=("closed_at", "eligible_at_close"),
            confirm=gettext_lazy("Close the session?"),
            done=gettext_lazy("The session is closed."),
        ),
        lifecycle.step(
            "cancel",
            gettext_lazy("Cancel the meeting"),
            [S.CONVENED],
            S.CANCELLED,
            [OFFICERS],
            event="assembly.cancelled",
            service="governance.assemblies.services.cancel_assembly",
            inputs=("reason",),
            needs_reason=True,
            reason_prompt=gettext_lazy("Give the reason for cancelling."),
            done=gettext_lazy("The meeting is cancelled."),
        ),
    ],
)
