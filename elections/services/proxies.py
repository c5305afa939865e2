"""Proxies for a ballot: given and revoked under the statutes' proxy rule."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from elections.models import (
    Ballot,
    Participation,
    Proxy,
    RollEntry,
)
from elections.services.common import S, _locked, _member_of
from governance.audit import log as audit
from governance.audit.log import model_values
from governance.exceptions import DomainError, NotAllowed, RuleViolation
from governance.models import Member
from governance.permissions import ensure_may_write
from governance.statutes import rules
from governance.statutes.lookup import rule_for


def proxy_rule(ballot: Ballot):
    return rule_for("proxies", body=ballot.body, on=timezone.localdate(ballot.opens_at))


def give_proxy(*, actor, ballot: Ballot, holder: Member) -> Proxy:
    """A member asks another eligible member to vote for them on one ballot, within the limit."""
    ensure_may_write(actor)
    giver = _member_of(actor)
    if holder.pk == giver.pk:
        raise DomainError(_("You cannot give a proxy to yourself."), field="holder")
    if ballot.electorate == Ballot.Electorate.ASSEMBLY:
        raise DomainError(
            _("Proxies for a vote in the room are registered at the assembly's door."),
            field="holder",
        )
    rule = proxy_rule(ballot)
    if rule is None or not rule.parsed().allowed:
        raise RuleViolation(_("The statutes allow no proxies for this ballot."))
    with transaction.atomic():
        ballot = _locked(ballot)
        if ballot.status not in (S.DRAFT, S.OPEN):
            raise DomainError(_("Proxies can only be given before the ballot closes."))
        if ballot.status == S.OPEN:
            on_roll = set(
                RollEntry.objects.filter(ballot=ballot, member__in=[giver, holder]).values_list(
                    "member_id", flat=True
                )
            )
            if giver.pk not in on_roll:
                raise NotAllowed(_("You are not on the electoral roll of this ballot."))
            if holder.pk not in on_roll:
                raise RuleViolation(
                    _("%(name)s is not on the electoral roll.") % {"name": holder.full_name},
                    field="holder",
                )
            if Participation.objects.filter(ballot=ballot, member=giver).exists():
                raise DomainError(_("You have already voted in this ballot."))
        if (
            Proxy.objects.live().filter(ballot=ballot, giver=giver).exists()
            or Proxy.objects.filter(ballot=ballot, giver=giver, status=Proxy.Status.USED).exists()
        ):
            raise DomainError(_("You have already given a proxy for this ballot; revoke it first."))
        # Lock the holder's proxies so two givers cannot both take the last place.
        carried = len(
            Proxy.objects.select_for_update()
            .filter(ballot=ballot, holder=holder)
            .exclude(status=Proxy.Status.REVOKED)
        )
        outcome = rules.check_proxy(
            rule.parsed(), already_carried=carried, article=rule.article.number
        )
        if not outcome.satisfied:
            raise RuleViolation(
                _(
                    "%(name)s already carries %(count)s proxies, the most article %(article)s allows."
                )
                % {"name": holder.full_name, "count": carried, "article": rule.article.number},
                field="holder",
            )
        proxy = Proxy.objects.create(
            ballot=ballot, giver=giver, holder=holder, created_at=timezone.now()
        )
        audit.record(actor, "proxy.given", proxy, new=model_values(proxy))
    return proxy


def revoke_proxy(*, actor, proxy: Proxy) -> Proxy:
    """The giver takes back a proxy that has not been used yet."""
    ensure_may_write(actor)
    with transaction.atomic():
        proxy = (
            Proxy.objects.select_for_update(of=("self",)).select_related("giver").get(pk=proxy.pk)
        )
        if proxy.giver.user_id != actor.pk:
            raise NotAllowed(_("Only the member who gave a proxy can revoke it."))
        if proxy.status != Proxy.Status.ACTIVE:
            raise DomainError(_("This proxy has already been used or revoked."))
        proxy.status = Proxy.Status.REVOKED
        proxy.save(update_fields=["status"])
        audit.record(
            actor, "proxy.revoked", proxy, old={"status": "active"}, new={"status": "revoked"}
        )
    return proxy
