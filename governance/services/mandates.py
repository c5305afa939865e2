"""Mandates: seats taken under the terms rule and ended."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from governance.audit import log as audit
from governance.audit.log import model_values
from governance.exceptions import DomainError, RuleViolation
from governance.models import (
    Body,
    Decision,
    Mandate,
    Member,
)
from governance.permissions import (
    ensure_may_act_for_body,
    roles_changed,
)
from governance.services.common import SYSTEM
from governance.statutes import rules
from governance.statutes.lookup import rule_for


def consecutive_terms(member: Member, body: Body, before: dt.date) -> int:
    """How many mandates on the body the member has held back to back up to a date."""
    mandates = list(
        Mandate.objects.filter(member=member, body=body, starts_on__lt=before).order_by(
            "-starts_on"
        )
    )
    count, boundary = 0, before
    for mandate in mandates:
        if (boundary - mandate.ends_on).days > 1:
            break
        count += 1
        boundary = mandate.starts_on
    return count


def create_mandate(
    *,
    actor,
    member: Member,
    body: Body,
    role: str,
    starts_on: dt.date,
    decision: Decision | None,
    on_youth_seat: bool = False,
    ends_on: dt.date | None = None,
) -> Mandate:
    """Seat a member on a body after the decision that elected or appointed them.

    Applies the statutes' terms rule: the mandate's length, the limit of consecutive
    terms, and the age limit of a reserved youth seat.
    """
    if actor is not SYSTEM:
        ensure_may_act_for_body(actor, body)
    terms_rule = rule_for("terms", body=body, on=starts_on)
    parsed = terms_rule.parsed() if terms_rule else None
    if ends_on is None:
        if parsed is None:
            raise RuleViolation(
                _("No terms rule gives the length of this mandate; give an end date.")
            )
        ends_on = rules.term_end(parsed, starts_on)
    if ends_on < starts_on:
        raise DomainError(_("A mandate cannot end before it starts."), field="ends_on")
    with transaction.atomic():
        if parsed is not None:
            outcome = rules.check_term_limit(
                parsed,
                consecutive_terms_served=consecutive_terms(member, body, starts_on),
                article=terms_rule.article.number,
            )
            if not outcome.satisfied:
                raise RuleViolation(
                    _(
                        "%(name)s has reached the limit of %(limit)s consecutive terms (article %(article)s)."
                    )
                    % {
                        "name": member.full_name,
                        "limit": parsed.max_consecutive,
                        "article": terms_rule.article.number,
                    }
                )
            if on_youth_seat and (
                member.birth_date is None
                or rules.age_on(member.birth_date, starts_on) > parsed.youth_max_age
            ):
                raise RuleViolation(
                    _(
                        "A reserved youth seat is for members aged %(age)s or under (article %(article)s)."
                    )
                    % {"age": parsed.youth_max_age, "article": terms_rule.article.number}
                )
        if on_youth_seat:
            taken = Mandate.objects.filter(
                body=body, on_youth_seat=True, starts_on__lte=ends_on, ends_on__gte=starts_on
            ).count()
            if taken >= body.reserved_youth_seats:
                raise RuleViolation(
                    _("All reserved youth seats of this body are taken for that period.")
                )
        if Mandate.objects.filter(
            member=member, body=body, starts_on__lte=ends_on, ends_on__gte=starts_on
        ).exists():
            raise DomainError(
                _("%(name)s already holds a mandate on this body for that period.")
                % {"name": member.full_name}
            )
        mandate = Mandate.objects.create(
            member=member,
            body=body,
            role=role,
            starts_on=starts_on,
            ends_on=ends_on,
            decision=decision,
            on_youth_seat=on_youth_seat,
        )
        roles_changed()
        audit.record(actor, "mandate.created", mandate, new=model_values(mandate))
    return mandate


def end_mandate(*, actor, mandate: Mandate, ends_on: dt.date, reason: str) -> Mandate:
    """Officers of the body end a mandate early (resignation, death, removal), with a reason."""
    if actor is not SYSTEM:
        ensure_may_act_for_body(actor, mandate.body)
    if not reason.strip():
        raise DomainError(_("Give the reason the mandate ends early."), field="reason")
    with transaction.atomic():
        mandate = Mandate.objects.select_for_update().get(pk=mandate.pk)
        if not (mandate.starts_on <= ends_on <= mandate.ends_on):
            raise DomainError(_("The end date must fall within the mandate."), field="ends_on")
        old = model_values(mandate, ["ends_on"])
        mandate.ends_on = ends_on
        mandate.save(update_fields=["ends_on"])
        roles_changed()
        audit.record(
            actor, "mandate.ended", mandate, old=old, new={"ends_on": ends_on, "reason": reason}
        )
    return mandate
