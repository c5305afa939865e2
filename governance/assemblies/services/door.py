"""The door: check-in and check-out, and the search officers use there."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _

from governance.assemblies.services.common import _ensure_door_open, _locked, seats_body
from governance.audit import log as audit
from governance.audit.log import model_values
from governance.exceptions import DomainError, RuleViolation
from governance.models import Assembly, AssemblyProxy, Attendance, Member
from governance.permissions import ensure_may_act_for_body
from governance.statutes import eligibility


def _ensure_entitled(assembly: Assembly, member: Member, field_name: str) -> None:
    entitlement = eligibility.entitlement_of(member, assembly.meets_on, body=seats_body(assembly))
    if entitlement.entitled:
        return
    if entitlement.article:
        message = _("%(name)s is not entitled to vote (article %(article)s): %(reasons)s.") % {
            "name": member.full_name,
            "article": entitlement.article,
            "reasons": entitlement.reasons,
        }
    else:
        message = _(
            "%(name)s holds no current seat on %(body)s and cannot vote at this meeting."
        ) % {
            "name": member.full_name,
            "body": assembly.body.translated("name"),
        }
    raise RuleViolation(message, field=field_name)


def _revoke(actor, proxy: AssemblyProxy, reason: str) -> AssemblyProxy:
    proxy.status, proxy.revoked_at, proxy.revoke_reason = (
        AssemblyProxy.Status.REVOKED,
        timezone.now(),
        reason[:200],
    )
    proxy.save(update_fields=["status", "revoked_at", "revoke_reason"])
    audit.record(
        actor,
        "assembly.proxy_revoked",
        proxy,
        old={"status": AssemblyProxy.Status.ACTIVE},
        new={"status": AssemblyProxy.Status.REVOKED, "reason": proxy.revoke_reason},
    )
    return proxy


def _at_the_door(assembly: Assembly, member: Member) -> tuple[Assembly, Attendance | None]:
    """In the caller's transaction: the assembly locked, its door open, and the member's
    attendance locked (None if they have not come yet)."""
    assembly = _locked(assembly)
    _ensure_door_open(assembly)
    attendance = (
        Attendance.objects.select_for_update().filter(assembly=assembly, member=member).first()
    )
    return assembly, attendance


def check_in(*, actor, assembly: Assembly, member: Member) -> Attendance:
    """Staff or officers at the door check in a member entitled to vote, as present.

    Only on the day of a convened meeting or while it is in session. A proxy the member
    gave for this meeting is revoked at once (they vote in person), with its own audit
    event. A member who left may be checked in again.
    """
    ensure_may_act_for_body(actor, assembly.body)
    with transaction.atomic():
        assembly, attendance = _at_the_door(assembly, member)
        if attendance is not None and attendance.present:
            raise DomainError(
                _("%(name)s is already checked in (at %(time)s).")
                % {
                    "name": member.full_name,
                    "time": time_format(timezone.localtime(attendance.checked_in_at), "H:i"),
                },
                field="member",
            )
        _ensure_entitled(assembly, member, "member")
        now = timezone.now()
        old = None
        if attendance is None:
            attendance = Attendance.objects.create(
                assembly=assembly, member=member, checked_in_at=now, checked_in_by=actor
            )
        else:
            old = model_values(attendance, ["checked_in_at", "checked_out_at"])
            attendance.checked_in_at, attendance.checked_in_by, attendance.checked_out_at = (
                now,
                actor,
                None,
            )
            attendance.save(update_fields=["checked_in_at", "checked_in_by", "checked_out_at"])
        audit.record(
            actor,
            "assembly.checked_in",
            attendance,
            old=old,
            new={"assembly": assembly.pk, "member": member.pk, "checked_in_at": now},
        )
        given = (
            AssemblyProxy.objects.select_for_update()
            .filter(assembly=assembly, giver=member)
            .live()
            .first()
        )
        if given is not None:
            _revoke(actor, given, _("The giver arrived and votes in person."))
    return attendance


def check_out(*, actor, assembly: Assembly, member: Member) -> Attendance:
    """Staff or officers at the door record that a present member left the room.

    The proxies they carry stop counting until they come back.
    """
    ensure_may_act_for_body(actor, assembly.body)
    with transaction.atomic():
        assembly, attendance = _at_the_door(assembly, member)
        if attendance is None or not attendance.present:
            raise DomainError(
                _("%(name)s is not checked in.") % {"name": member.full_name}, field="member"
            )
        attendance.checked_out_at = timezone.now()
        attendance.save(update_fields=["checked_out_at"])
        audit.record(
            actor,
            "assembly.checked_out",
            attendance,
            old={"checked_out_at": None},
            new={"checked_out_at": attendance.checked_out_at},
        )
    return attendance


def door_search(assembly: Assembly, text: str, *, viewer, limit: int = 20) -> list[Member]:
    """Members matching a name or a membership number, with what the door needs to know;
    only those `viewer` may look up at this door (`access.door_visibility`: those who run
    the meeting).

    Each member carries the `Member.objects.at_door` annotations and an `entitlement`
    (`governance.statutes.eligibility.Entitlement`). A constant number of queries.
    """
    text = (text or "").strip()
    if not text:
        return []
    members = list(
        Member.objects.visible_at_door(viewer, assembly)
        .search(text)
        .at_door(assembly)
        .select_related("unit")
        .order_by("last_name", "first_name", "membership_number")[:limit]
    )
    found = eligibility.entitlements(
        [m.pk for m in members], assembly.meets_on, body=seats_body(assembly)
    )
    for member in members:
        member.entitlement = found[member.pk]
    return members
