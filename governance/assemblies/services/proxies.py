"""Proxies for a meeting: registered at the door, given and withdrawn by members, revoked."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.assemblies.services.common import S, _locked
from governance.assemblies.services.door import _ensure_entitled, _revoke
from governance.audit import log as audit
from governance.audit.log import model_values
from governance.exceptions import DomainError, NotAllowed, RuleViolation
from governance.models import Assembly, AssemblyProxy, Attendance, Member, Rule
from governance.permissions import ensure_may_act_for_body, ensure_may_write
from governance.statutes import rules
from governance.statutes.lookup import rule_for


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
