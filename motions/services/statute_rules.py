"""The statute rules the motions' workflow applies: sponsorship and vote scopes, notice deadlines."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from governance.exceptions import RuleViolation
from governance.statutes import rules
from governance.statutes.lookup import rule_for
from motions.models import Motion


def sponsorship_scope(kind: str) -> str:
    return "ic_motion" if kind == Motion.Kind.IC_MOTION else "motion"


def vote_scope(motion: Motion) -> str:
    """The rule scope a motion's votes are counted under: its kind's own rules if the statutes
    set them (statute amendments, IC motions), else the deciding body's."""
    specific = {
        Motion.Kind.STATUTE_AMENDMENT: "statute_amendment",
        Motion.Kind.IC_MOTION: "ic_motion",
    }.get(motion.kind)
    rule = rule_for("majority", specific, body=motion.body)
    return rule.scope if rule is not None else motion.body.kind


@dataclass(frozen=True)
class Deadline:
    what: str  # "motion" or "amendment"
    deadline: dt.date
    article: str
    days: int
    assembly_on: dt.date


def deadline_for(motion: Motion, what: str, on: dt.date | None = None) -> Deadline | None:
    """The last day to submit a motion (or table an amendment) for the motion's assembly."""
    if motion.assembly_id is None:
        return None
    on = on or timezone.localdate()
    rule = rule_for("notice", body=motion.body, on=on)
    if rule is None:
        return None
    assembly_on = timezone.localtime(motion.assembly.starts_at).date()
    parsed = rule.parsed()
    return Deadline(
        what,
        rules.notice_deadline(parsed, what=what, event_on=assembly_on),
        rule.article.number,
        parsed.days_for(what),
        assembly_on,
    )


def _check_deadline(motion: Motion, what: str, today: dt.date) -> dict:
    deadline = deadline_for(motion, what, today)
    if deadline is None:
        return {}
    if today > deadline.deadline:
        message = (
            _(
                "Too late: article %(article)s requires motions %(days)s days before the assembly, "
                "by %(deadline)s for the assembly of %(date)s."
            )
            if what == "motion"
            else _(
                "Too late: article %(article)s requires amendments %(days)s days before the "
                "assembly, by %(deadline)s for the assembly of %(date)s."
            )
        )
        raise RuleViolation(
            message
            % {
                "article": deadline.article,
                "days": deadline.days,
                "deadline": date_format(deadline.deadline),
                "date": date_format(deadline.assembly_on),
            },
            field="assembly",
        )
    return {"deadline": deadline.deadline.isoformat(), "notice_article": deadline.article}


def _check_sponsorship(scope: str, supporters: int, *, required: bool = True) -> dict:
    rule = rule_for("sponsorship", scope)
    if rule is None:
        if required:
            raise RuleViolation(
                _("The statutes in force set no co-sponsorship rule for %(scope)s.")
                % {"scope": scope}
            )
        return {}
    outcome = rules.check_sponsorship(
        rule.parsed(), cosponsors=supporters, article=rule.article.number
    )
    if not outcome.satisfied:
        raise RuleViolation(
            _(
                "Article %(article)s requires %(needed)s co-sponsors entitled to vote; "
                "there are %(count)s."
            )
            % {"article": rule.article.number, "needed": outcome.threshold, "count": supporters},
            field="supports",
        )
    return {"sponsorship": outcome.as_dict()}
