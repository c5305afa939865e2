"""Co-sponsors: support given and withdrawn, counted among those entitled."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.audit import log as audit
from governance.exceptions import DomainError, RuleViolation
from governance.statutes import eligibility
from motions import workflow
from motions.models import (
    Amendment,
    Motion,
    Support,
)
from motions.services.common import _member_of


def _target(item) -> dict:
    return {"motion": item} if isinstance(item, Motion) else {"amendment": item}


def _locked(item: Motion | Amendment) -> Motion | Amendment:
    """The motion or amendment, re-read and locked for the rest of the transaction."""
    return workflow.lock_motion(item) if isinstance(item, Motion) else workflow.lock_amendment(item)


def support(*, actor, item: Motion | Amendment) -> Support:
    """A member entitled to vote co-sponsors a draft motion or amendment (not their own)."""
    member = _member_of(actor)
    with transaction.atomic():
        item = _locked(item)
        if item.status != "draft":
            raise DomainError(_("Support is collected before submission; this one is submitted."))
        if item.proposer_id == member.pk:
            raise DomainError(_("The proposer does not count as a co-sponsor."))
        entitlement = eligibility.entitlement_of(member, timezone.localdate())
        if not entitlement.entitled:
            raise RuleViolation(
                _(
                    "Only members entitled to vote may co-sponsor (article %(article)s): %(reasons)s."
                )
                % {"article": entitlement.article, "reasons": entitlement.reasons}
            )
        try:
            with transaction.atomic():
                row = Support.objects.create(
                    member=member, supported_at=timezone.now(), **_target(item)
                )
        except IntegrityError:
            raise DomainError(_("You already support this.")) from None
        audit.record(actor, "support.given", item, new={"member": member.pk})
    return row


def withdraw_support(*, actor, item: Motion | Amendment) -> None:
    """A co-sponsor withdraws their support, until the motion or amendment is submitted."""
    member = _member_of(actor)
    with transaction.atomic():
        item = _locked(item)
        if item.status != "draft":
            raise DomainError(_("Support can no longer be withdrawn: it has been submitted."))
        deleted, _counts = Support.objects.filter(member=member, **_target(item)).delete()
        if not deleted:
            raise DomainError(_("You do not support this."))
        audit.record(actor, "support.withdrawn", item, old={"member": member.pk})


def _eligible_supporters(item, today: dt.date) -> int:
    """Co-sponsors still entitled to vote today: one who stopped paying dues no longer counts."""
    ids = Support.objects.filter(**_target(item)).values_list("member_id", flat=True)
    return sum(e.entitled for e in eligibility.entitlements(ids, today).values())
