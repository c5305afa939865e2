"""Assemblies convened under the notice and quorum rules (their session: `governance.assemblies`)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.audit import log as audit
from governance.audit.log import model_values
from governance.exceptions import DomainError, RuleViolation
from governance.models import (
    Assembly,
    Body,
)
from governance.permissions import ensure_may_act_for_body
from governance.services.common import SYSTEM
from governance.statutes import rules
from governance.statutes.lookup import rule_for


def convene_assembly(
    *,
    actor,
    body: Body,
    title: str,
    starts_at: dt.datetime,
    place: str = "",
    online_link: str = "",
    agenda: str = "",
    convocation: int = 1,
    convened_on: dt.date | None = None,
) -> Assembly:
    """Officers of the body (or its unit's board) convene a meeting, within the notice period."""
    if actor is not SYSTEM:
        ensure_may_act_for_body(actor, body)
    convened_on = convened_on or timezone.localdate()
    if not (place or online_link):
        raise DomainError(_("Give a place or an online link."), field="place")
    if convocation not in (1, 2):
        raise DomainError(_("The convocation is the first or the second."), field="convocation")
    meets_on = (
        timezone.localtime(starts_at).date() if timezone.is_aware(starts_at) else starts_at.date()
    )
    notice_rule = rule_for("notice", body=body, on=convened_on)
    with transaction.atomic():
        if notice_rule is not None:
            outcome = rules.check_notice(
                notice_rule.parsed(),
                what="assembly",
                event_on=meets_on,
                done_on=convened_on,
                article=notice_rule.article.number,
            )
            if not outcome.satisfied:
                raise RuleViolation(
                    _(
                        "Too late to convene for %(date)s: article %(article)s requires notice by %(deadline)s."
                    )
                    % {
                        "date": meets_on,
                        "article": notice_rule.article.number,
                        "deadline": outcome.figures["deadline"],
                    },
                    field="starts_at",
                )
        assembly = Assembly.objects.create(
            body=body,
            title=title,
            starts_at=starts_at,
            place=place,
            online_link=online_link,
            agenda=agenda,
            convocation=convocation,
            convened_on=convened_on,
            convened_by=actor if actor is not SYSTEM else None,
        )
        audit.record(actor, "assembly.convened", assembly, new=model_values(assembly))
    return assembly
