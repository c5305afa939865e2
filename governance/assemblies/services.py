"""Assemblies in the room: the session's lifecycle, the door (check-in, proxies) and the quorum.

Writes follow `governance.services`: keyword-only, the acting user first, permission
first (`ensure_may_act_for_body`: officers of the body or of its unit's board, and
staff), statute rules next, one transaction, the audit event in it. The session's steps
are the table `ASSEMBLY`, taken by `governance.lifecycle.take`.

Who may be checked in as a voter: a member entitled to vote on the day of the meeting
(the eligibility rule of scope ``ballot`` for a General Assembly; a current seat on the
body for a Board or committee meeting), see `governance.statutes.eligibility`.

Proxies (procurations) are registered at the door for one meeting, under the proxies
rule of the body's kind (article 9 of the demo statutes for the General Assembly; the
Board has none). A member who is present votes in person: checking in a member who gave
a proxy revokes that proxy at once, with its own audit event, so the chair never has to
undo it by hand and no vote is carried twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance import lifecycle
from governance.audit import log as audit
from governance.audit.log import model_values
from governance.exceptions import DomainError, NotAllowed, RuleViolation
from governance.models import Assembly, AssemblyProxy, Attendance, Body, Member, Rule
from governance.permissions import ensure_may_act_for_body, ensure_may_write
from governance.statutes import eligibility, rules
from governance.statutes.lookup import rule_for

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


# ---------------------------------------------------------------------------
# The quorum
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class QuorumStatus:
    """Who counts in the room now, and whether the quorum rule is met.

    `eligible`: the members entitled to vote on the day (for a Board meeting, its current
    seats); `present`: checked in and not out; `represented`: live proxies whose holder is
    present; `took_part` = present + represented. `outcome` is None when the statutes have
    no quorum rule for the scope.
    """

    eligible: int
    present: int
    represented: int
    scope: str
    convocation: int
    rule: Rule | None = None
    outcome: rules.RuleOutcome | None = None

    @property
    def took_part(self) -> int:
        return self.present + self.represented

    @property
    def article(self) -> str:
        return self.rule.article.number if self.rule else ""

    @property
    def statute_version(self) -> int | None:
        return self.rule.article.version.number if self.rule else None

    @property
    def needed(self) -> int:
        return self.outcome.figures["needed"] if self.outcome else 0

    @property
    def satisfied(self) -> bool:
        return self.outcome.satisfied if self.outcome else True

    @property
    def missing(self) -> int:
        return max(0, self.needed - self.took_part)

    def as_dict(self) -> dict:
        return {
            "eligible": self.eligible,
            "present": self.present,
            "represented": self.represented,
            "took_part": self.took_part,
            "scope": self.scope,
            "convocation": self.convocation,
            "article": self.article,
            "statute_version": self.statute_version,
            "needed": self.needed,
            "satisfied": self.satisfied,
            "threshold": self.outcome.threshold if self.outcome else None,
        }


@dataclass(frozen=True)
class Room:
    """The in-room electorate: present entitled members and the proxies carried into the room."""

    eligible: int
    present_ids: list[int]
    proxies: list[tuple[int, int]] = field(default_factory=list)  # (giver, holder)

    @property
    def voter_ids(self) -> list[int]:
        return sorted({*self.present_ids, *(giver for giver, _holder in self.proxies)})


def room(assembly: Assembly) -> Room:
    """Who is in the room now, in a constant number of queries.

    Only members entitled to vote on the day count (the door checks it; this checks it
    again, in case the roll changed since). Once the session is closed, the number
    entitled is the one frozen at the close.
    """
    present = list(
        Attendance.objects.filter(assembly=assembly)
        .present()
        .order_by("member_id")
        .values_list("member_id", flat=True)
    )
    live = list(
        AssemblyProxy.objects.filter(assembly=assembly)
        .live()
        .order_by("pk")
        .values_list("giver_id", "holder_id")
    )
    if assembly.eligible_at_close is not None:
        entitled = None
        eligible = assembly.eligible_at_close
    else:
        entitled = set(
            eligibility.entitled_member_ids(assembly.meets_on, body=seats_body(assembly))
        )
        eligible = len(entitled)
        present = [pk for pk in present if pk in entitled]
    here = set(present)
    proxies = [
        (giver, holder)
        for giver, holder in live
        if holder in here and giver not in here and (entitled is None or giver in entitled)
    ]
    return Room(eligible=eligible, present_ids=present, proxies=proxies)


def quorum_status(assembly: Assembly, *, scope: str | None = None) -> QuorumStatus:
    """The live quorum of an assembly: figures, the rule of `scope` and its outcome.

    `scope` names a matter with a quorum of its own (``statute_amendment`` for the stricter
    quorum of a statute change); without one, or where the statutes give the matter none,
    the body's quorum applies (`rule_for`'s order), as when its vote is counted.
    The convocation is the assembly's. A constant number of queries.
    """
    here = room(assembly)
    rule = rule_for("quorum", scope, body=assembly.body, on=assembly.meets_on)
    scope = rule.scope if rule is not None else scope or assembly.body.kind
    outcome = None
    present, represented = len(here.present_ids), len(here.proxies)
    if rule is not None:
        outcome = rules.evaluate_quorum(
            rule.parsed(),
            eligible=here.eligible,
            took_part=min(present + represented, here.eligible),
            convocation=assembly.convocation,
            article=rule.article.number,
        )
    return QuorumStatus(
        eligible=here.eligible,
        present=present,
        represented=represented,
        scope=scope,
        convocation=assembly.convocation,
        rule=rule,
        outcome=outcome,
    )


# ---------------------------------------------------------------------------
# The session's lifecycle
# ---------------------------------------------------------------------------


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


def _ensure_officer(actor, assembly: Assembly, step: lifecycle.Step) -> None:
    ensure_may_act_for_body(actor, assembly.body)


def _refusal(assembly: Assembly, step: lifecycle.Step) -> DomainError:
    return DomainError(
        _("An assembly that is %(status)s cannot become %(target)s.")
        % {"status": assembly.get_status_display().lower(), "target": S(step.target).label.lower()},
        field="status",
    )


OFFICERS = "officers"

#: The session's lifecycle; each step needs an officer of the body (or of its unit's
#: board) or staff, checked by `ensure_may_act_for_body`.
ASSEMBLY = lifecycle.Lifecycle(
    name="assembly",
    model=Assembly,
    role_labels={OFFICERS: "officers of the body (or of its unit's board), staff"},
    ensure_role=_ensure_officer,
    refusal=_refusal,
    lock=_locked,
    reason_field="cancel_reason",
    steps={
        s.name: s
        for s in [
            lifecycle.step(
                "open",
                gettext_lazy("Open the session"),
                [S.CONVENED],
                S.IN_SESSION,
                [OFFICERS],
                event="assembly.session_opened",
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
                needs_reason=True,
                reason_prompt=gettext_lazy("Give the reason for cancelling."),
                done=gettext_lazy("The meeting is cancelled."),
            ),
        ]
    },
)


# ---------------------------------------------------------------------------
# The door: check-in and check-out
# ---------------------------------------------------------------------------


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
            "body": assembly.body.name,
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


def check_in(*, actor, assembly: Assembly, member: Member) -> Attendance:
    """Staff or officers at the door check in a member entitled to vote, as present.

    Only on the day of a convened meeting or while it is in session. A proxy the member
    gave for this meeting is revoked at once (they vote in person), with its own audit
    event. A member who left may be checked in again.
    """
    ensure_may_act_for_body(actor, assembly.body)
    with transaction.atomic():
        assembly = _locked(assembly)
        _ensure_door_open(assembly)
        attendance = (
            Attendance.objects.select_for_update().filter(assembly=assembly, member=member).first()
        )
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
        assembly = _locked(assembly)
        _ensure_door_open(assembly)
        attendance = (
            Attendance.objects.select_for_update().filter(assembly=assembly, member=member).first()
        )
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


# ---------------------------------------------------------------------------
# Proxies for a meeting
# ---------------------------------------------------------------------------


def proxy_rule(assembly: Assembly) -> Rule | None:
    """The proxies rule of the body in force on the day of the meeting."""
    return rule_for("proxies", body=assembly.body, on=assembly.meets_on)


def register_proxy(*, actor, assembly: Assembly, giver: Member, holder: Member) -> AssemblyProxy:
    """Staff or officers register a proxy for one meeting, within the statutes' limit.

    Both members must be entitled to vote; the giver is absent (a member present votes in
    person) and carries no proxy; the holder has not given their own; the holder carries
    fewer than the most the rule allows. Until the session closes.
    """
    ensure_may_act_for_body(actor, assembly.body)
    return _register_proxy(actor=actor, assembly=assembly, giver=giver, holder=holder)


def _register_proxy(
    *, actor, assembly: Assembly, giver: Member, holder: Member, before_start: bool = False
) -> AssemblyProxy:
    """The statutes' checks and the write of a proxy, for the door and for the giver.

    `before_start`: the giver's own proxy is given while the meeting is convened and
    before it starts (at the meeting, the door registers it).
    """
    if giver.pk == holder.pk:
        raise DomainError(_("A member cannot give a proxy to themselves."), field="holder")
    rule = proxy_rule(assembly)
    parsed = rule.parsed() if rule is not None else None
    if parsed is None or not parsed.allowed:
        if rule is not None:
            message = _("Article %(article)s allows no proxies at this meeting.") % {
                "article": rule.article.number
            }
        else:
            message = _("The statutes allow no proxies at this meeting.")
        raise RuleViolation(message, field="giver")
    with transaction.atomic():
        assembly = _locked(assembly)
        if assembly.status not in (S.CONVENED, S.IN_SESSION):
            raise DomainError(
                _("Proxies are registered until the session closes."), field="assembly"
            )
        if before_start:
            _ensure_not_started(assembly)
        _ensure_entitled(assembly, giver, "giver")
        _ensure_entitled(assembly, holder, "holder")
        if Attendance.objects.filter(assembly=assembly, member=giver).present().exists():
            raise DomainError(
                _("%(name)s is present and votes in person: a member present cannot give a proxy.")
                % {"name": giver.full_name},
                field="giver",
            )
        # Lock every live proxy touching either member, so two registrations cannot race.
        touching = list(
            AssemblyProxy.objects.select_for_update()
            .filter(assembly=assembly, status=AssemblyProxy.Status.ACTIVE)
            .filter(Q(giver__in=[giver, holder]) | Q(holder__in=[giver, holder]))
            .select_related("holder")
        )
        given = next((p for p in touching if p.giver_id == giver.pk), None)
        if given is not None:
            raise DomainError(
                _("%(name)s has already given a proxy to %(holder)s; revoke it first.")
                % {"name": giver.full_name, "holder": given.holder.full_name},
                field="giver",
            )
        if any(p.holder_id == giver.pk for p in touching):
            raise DomainError(
                _("%(name)s carries proxies for others and so cannot give their own.")
                % {"name": giver.full_name},
                field="giver",
            )
        if any(p.giver_id == holder.pk for p in touching):
            raise DomainError(
                _("%(name)s has given their own proxy and cannot carry one.")
                % {"name": holder.full_name},
                field="holder",
            )
        carried = sum(1 for p in touching if p.holder_id == holder.pk)
        outcome = rules.check_proxy(parsed, already_carried=carried, article=rule.article.number)
        if not outcome.satisfied:
            raise RuleViolation(
                _(
                    "%(name)s already carries %(count)s proxies: article %(article)s allows at most %(limit)s."
                )
                % {
                    "name": holder.full_name,
                    "count": carried,
                    "article": rule.article.number,
                    "limit": parsed.max_carried,
                },
                field="holder",
            )
        proxy = AssemblyProxy.objects.create(
            assembly=assembly,
            giver=giver,
            holder=holder,
            created_at=timezone.now(),
            registered_by=actor,
        )
        audit.record(
            actor,
            "assembly.proxy_registered",
            proxy,
            new={**model_values(proxy), "rule": outcome.as_dict()},
        )
    return proxy


def _ensure_not_started(assembly: Assembly) -> None:
    if assembly.status != S.CONVENED or timezone.now() >= assembly.starts_at:
        raise DomainError(
            _(
                "A member gives or withdraws their own proxy before the meeting starts; "
                "from then on, at the door."
            ),
            field="assembly",
        )


def _own_member(actor) -> Member:
    roles = ensure_may_write(actor)
    if not roles.member:
        raise NotAllowed(_("Only a member gives their own proxy."))
    return Member.objects.get(pk=roles.member_id)


def give_own_proxy(*, actor, assembly: Assembly, holder: Member) -> AssemblyProxy:
    """A member gives their own proxy for a meeting to another member, before it starts.

    The same statutes' checks as at the door (`register_proxy`): both entitled to vote,
    the rule's limit of proxies carried, no chains, one proxy given at a time. The
    giver's arrival at the door later revokes it, as for any proxy.
    """
    giver = _own_member(actor)
    return _register_proxy(
        actor=actor, assembly=assembly, giver=giver, holder=holder, before_start=True
    )


def withdraw_own_proxy(*, actor, proxy: AssemblyProxy) -> AssemblyProxy:
    """The member who gave a proxy withdraws it, before the meeting starts."""
    giver = _own_member(actor)
    with transaction.atomic():
        proxy = AssemblyProxy.objects.select_for_update().get(pk=proxy.pk)
        if proxy.giver_id != giver.pk:
            raise NotAllowed(_("Only the member who gave this proxy may withdraw it."))
        assembly = _locked(proxy.assembly)
        if proxy.status != AssemblyProxy.Status.ACTIVE:
            raise DomainError(_("This proxy has already been revoked."), field="proxy")
        _ensure_not_started(assembly)
        _revoke(actor, proxy, _("Withdrawn by the member who gave it."))
    return proxy


def revoke_proxy(*, actor, proxy: AssemblyProxy, reason: str = "") -> AssemblyProxy:
    """Staff or officers revoke a live proxy (the giver's word), until the session closes."""
    proxy = AssemblyProxy.objects.select_related("assembly__body").get(pk=proxy.pk)
    ensure_may_act_for_body(actor, proxy.assembly.body)
    with transaction.atomic():
        assembly = _locked(proxy.assembly)
        proxy = AssemblyProxy.objects.select_for_update().get(pk=proxy.pk)
        if proxy.status != AssemblyProxy.Status.ACTIVE:
            raise DomainError(_("This proxy has already been revoked."), field="proxy")
        if assembly.status not in (S.CONVENED, S.IN_SESSION):
            raise DomainError(
                _("The assembly is %(status)s: its proxies are on the record.")
                % {"status": assembly.get_status_display().lower()},
                field="proxy",
            )
        _revoke(actor, proxy, (reason or "").strip() or _("Revoked at the giver's request."))
    return proxy


# ---------------------------------------------------------------------------
# Reads for the door
# ---------------------------------------------------------------------------


def door_search(assembly: Assembly, text: str, *, limit: int = 20) -> list[Member]:
    """Members matching a name or a membership number, with what the door needs to know.

    Each member carries the `Member.objects.at_door` annotations and an `entitlement`
    (`governance.statutes.eligibility.Entitlement`). A constant number of queries.
    """
    text = (text or "").strip()
    if not text:
        return []
    members = list(
        Member.objects.search(text)
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


# ---------------------------------------------------------------------------
# Approving the minutes
# ---------------------------------------------------------------------------


def minutes_signing_role(user, assembly: Assembly) -> str | None:
    """ "chair" or "secretary" if the user holds that office, on the meeting's day, on the
    meeting's body or on the Board of its unit (which chairs and minutes its meetings)."""
    from governance.models import Mandate

    if not user.is_authenticated:
        return None
    on = timezone.localdate(assembly.starts_at)
    offices = set(
        Mandate.objects.current(on)
        .filter(member__user=user, role__in=["chair", "secretary"])
        .filter(
            Q(body=assembly.body)
            | Q(body__unit_id=assembly.body.unit_id, body__kind=Body.Kind.BOARD)
        )
        .values_list("role", flat=True)
    )
    return "chair" if "chair" in offices else ("secretary" if offices else None)


def approve_minutes(*, actor, assembly: Assembly, code: str):
    """The chair or the secretary approves a closed meeting's minutes with their second factor.

    The code from their authenticator app (TOTP through allauth's MFA) is checked here, at
    the moment of signing, whatever their session; the approval keeps the signed audit
    checkpoint of the log as it stands, which the minutes then print with the signer and the
    time. Each office approves once; the approval is an audit event.
    """
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    from governance.audit import checkpoints
    from governance.models import MinutesApproval

    ensure_may_write(actor)
    role = minutes_signing_role(actor, assembly)
    if role is None:
        raise NotAllowed(_("Only the chair and the secretary approve the minutes."))
    if assembly.minutes_approvals.filter(role=role).exists():  # before spending the code
        raise DomainError(_("The minutes were already approved in this office."))
    authenticator = Authenticator.objects.filter(user=actor, type=Authenticator.Type.TOTP).first()
    if authenticator is None or not TOTP(authenticator).validate_code((code or "").strip()):
        raise DomainError(_("This code from your authenticator app is not valid."), field="code")
    with transaction.atomic():
        assembly = Assembly.objects.select_for_update().get(pk=assembly.pk)
        if assembly.status != Assembly.Status.CLOSED:
            raise DomainError(_("The minutes are approved once the session is closed."))
        if assembly.minutes_approvals.filter(role=role).exists():
            raise DomainError(_("The minutes were already approved in this office."))
        approval = MinutesApproval.objects.create(
            assembly=assembly,
            role=role,
            approved_by=actor,
            signer_name=actor.member.full_name if getattr(actor, "member", None) else actor.email,
            approved_at=timezone.now(),
            checkpoint=checkpoints.signed_current(),
        )
        signed = checkpoints.parse(approval.checkpoint)[0]
        audit.record(
            actor,
            "minutes.approved",
            assembly,
            new={
                "role": role,
                "signer": approval.signer_name,
                "approved_at": approval.approved_at,
                "checkpoint_size": signed.size,
                "checkpoint_root": signed.root_hex,
            },
        )
    return approval
