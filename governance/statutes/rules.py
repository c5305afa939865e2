"""Statute rules as plain data, and their evaluation with the figures that explain it (no Django).

Each statute rule is stored as a kind and a JSON object of parameters on an article.
`parse_rule` turns that object into one of the frozen dataclasses below (refusing
anything malformed with a `RuleError` that names the parameter), and the evaluation
functions take the parsed rule and plain figures and return a `RuleOutcome`: whether
the rule is satisfied, the article it comes from, the threshold it sets and every
figure used, so a decision can show why it is valid and an auditor can re-check it.

Arithmetic is exact (integers and `fractions.Fraction`, never floats):

- a *simple* or *absolute* majority needs strictly more than the fraction of the base
  (more than half: a tie is lost); a *qualified* majority needs at least the fraction
  (two thirds: 20 of 30 is enough). Every majority needs at least one vote in favour.
- a quorum needs at least the fraction of the eligible, and never less than one person.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

KINDS = (
    "quorum",
    "majority",
    "eligibility",
    "notice",
    "terms",
    "proxies",
    "sponsorship",
    "trustees",
)
MAJORITY_KINDS = ("simple", "absolute", "qualified")
NOTICE_KINDS = ("assembly", "motion", "amendment")


def gettext_noop(message: str) -> str:
    """Marks a message for the catalogs without importing Django (this module stays pure).

    `governance.statutes.text.rule_error_in_words` translates it where it is shown.
    """
    return message


class RuleError(ValueError):
    """A rule's parameters are malformed; `field` names the parameter at fault.

    `message` is the untranslated template and `values` fill it, so the pages can say it
    in the reader's language; `str(error)` is the English sentence (logs, commands).
    """

    def __init__(self, message: str, field: str = "", **values: object):
        super().__init__(message % values if values else message)
        self.message = message
        self.values = values
        self.field = field


# ---------------------------------------------------------------------------
# Parsed rules
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class QuorumRule:
    """Share of the eligible who must take part; None means no quorum on that convocation."""

    first_convocation: Fraction | None
    second_convocation: Fraction | None
    kind: str = "quorum"

    def fraction_for(self, convocation: int) -> Fraction | None:
        if convocation not in (1, 2):
            raise ValueError("convocation must be 1 or 2")
        return self.first_convocation if convocation == 1 else self.second_convocation


@dataclass(frozen=True)
class MajorityRule:
    """Simple (of votes cast), absolute (of the eligible) or qualified (a fraction of votes cast)."""

    majority: str
    fraction: Fraction
    count_abstentions: bool
    count_blanks: bool
    kind: str = "majority"

    @property
    def strict(self) -> bool:
        """Simple and absolute majorities need *more than* the fraction; qualified, *at least*."""
        return self.majority != "qualified"


@dataclass(frozen=True)
class EligibilityRule:
    good_standing: bool
    min_months: int
    min_age: int
    body: str | None
    kind: str = "eligibility"


@dataclass(frozen=True)
class NoticeRule:
    """Days ahead of a meeting: to convene it, to submit a motion, to table an amendment."""

    assembly_days: int
    motion_days: int
    amendment_days: int
    kind: str = "notice"

    def days_for(self, what: str) -> int:
        if what not in NOTICE_KINDS:
            raise ValueError(f"notice is for one of {NOTICE_KINDS}, not {what!r}")
        return getattr(self, f"{what}_days")


@dataclass(frozen=True)
class TermsRule:
    length_months: int
    max_consecutive: int | None
    reserved_seats: dict[str, int] = field(default_factory=dict)
    youth_max_age: int | None = None
    kind: str = "terms"


@dataclass(frozen=True)
class ProxyRule:
    allowed: bool
    max_carried: int
    kind: str = "proxies"


@dataclass(frozen=True)
class SponsorshipRule:
    min_cosponsors: int
    kind: str = "sponsorship"


@dataclass(frozen=True)
class TrusteesRule:
    """Who holds a secret ballot's key by default: the members of a body (its code), any
    `threshold` of whom decrypt the count (k of n, n being the body's mandate holders)."""

    body: str
    threshold: int
    kind: str = "trustees"


Rule = (
    QuorumRule
    | MajorityRule
    | EligibilityRule
    | NoticeRule
    | TermsRule
    | ProxyRule
    | SponsorshipRule
    | TrusteesRule
)


# ---------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------


def _fraction(
    params: dict, name: str, *, optional: bool = False, low_open: bool = True
) -> Fraction | None:
    value = params.get(name)
    if value is None:
        if optional:
            return None
        raise RuleError(gettext_noop("%(name)s is required"), name, name=name)
    if not isinstance(value, str) or value.count("/") != 1:
        raise RuleError(
            gettext_noop("%(name)s must be a fraction written like '1/4'"), name, name=name
        )
    numerator, denominator = value.split("/")
    if not (numerator.strip().isdigit() and denominator.strip().isdigit()):
        raise RuleError(
            gettext_noop("%(name)s must be a fraction written like '1/4'"), name, name=name
        )
    if int(denominator) == 0:
        raise RuleError(gettext_noop("%(name)s cannot have a zero denominator"), name, name=name)
    fraction = Fraction(int(numerator), int(denominator))
    if fraction > 1 or (low_open and fraction <= 0):
        raise RuleError(gettext_noop("%(name)s must be more than 0 and at most 1"), name, name=name)
    return fraction


def _integer(params: dict, name: str, *, minimum: int = 0, optional: bool = False) -> int | None:
    value = params.get(name)
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise RuleError(gettext_noop("%(name)s must be a whole number"), name, name=name)
    if value < minimum:
        raise RuleError(
            gettext_noop("%(name)s must be at least %(minimum)s"), name, name=name, minimum=minimum
        )
    return value


def _boolean(params: dict, name: str) -> bool:
    value = params.get(name)
    if not isinstance(value, bool):
        raise RuleError(gettext_noop("%(name)s must be true or false"), name, name=name)
    return value


def _only(params: dict, allowed: set[str]) -> None:
    for name in params:
        if name not in allowed:
            raise RuleError(gettext_noop("unknown parameter %(name)s"), name, name=name)


def parse_rule(kind: str, params: Any) -> Rule:
    """The rule's dataclass; `RuleError` naming the parameter when anything is malformed."""
    if kind not in KINDS:
        raise RuleError(gettext_noop("unknown rule kind %(kind)s"), "kind", kind=repr(kind))
    if not isinstance(params, dict):
        raise RuleError(gettext_noop("the parameters must be an object"), "params")
    if kind == "quorum":
        _only(params, {"first_convocation", "second_convocation"})
        return QuorumRule(
            first_convocation=_fraction(params, "first_convocation", optional=True),
            second_convocation=_fraction(params, "second_convocation", optional=True),
        )
    if kind == "majority":
        _only(params, {"kind", "fraction", "count_abstentions", "count_blanks"})
        majority = params.get("kind")
        if majority not in MAJORITY_KINDS:
            raise RuleError(
                gettext_noop("kind must be one of %(kinds)s"),
                "kind",
                kinds=", ".join(MAJORITY_KINDS),
            )
        fraction = _fraction(params, "fraction")
        if fraction < Fraction(1, 2) or fraction == 1:
            raise RuleError(
                gettext_noop("fraction must be at least 1/2 and less than 1"), "fraction"
            )
        if majority == "qualified" and fraction == Fraction(1, 2):
            raise RuleError(gettext_noop("a qualified majority is more than 1/2"), "fraction")
        return MajorityRule(
            majority=majority,
            fraction=fraction,
            count_abstentions=_boolean(params, "count_abstentions"),
            count_blanks=_boolean(params, "count_blanks"),
        )
    if kind == "eligibility":
        _only(params, {"good_standing", "min_months", "min_age", "body"})
        body = params.get("body")
        if body is not None and (not isinstance(body, str) or not body):
            raise RuleError(gettext_noop("body must be a body's code or null"), "body")
        return EligibilityRule(
            good_standing=_boolean(params, "good_standing"),
            min_months=_integer(params, "min_months"),
            min_age=_integer(params, "min_age"),
            body=body,
        )
    if kind == "notice":
        _only(params, {"assembly_days", "motion_days", "amendment_days"})
        return NoticeRule(
            assembly_days=_integer(params, "assembly_days"),
            motion_days=_integer(params, "motion_days"),
            amendment_days=_integer(params, "amendment_days"),
        )
    if kind == "terms":
        _only(params, {"length_months", "max_consecutive", "reserved_seats", "youth_max_age"})
        reserved = params.get("reserved_seats") or {}
        if not isinstance(reserved, dict) or any(
            not isinstance(k, str) or isinstance(v, bool) or not isinstance(v, int) or v < 0
            for k, v in reserved.items()
        ):
            raise RuleError(
                gettext_noop("reserved_seats must map a seat kind to a whole number"),
                "reserved_seats",
            )
        youth_max_age = _integer(params, "youth_max_age", minimum=18, optional=True)
        if reserved.get("youth") and youth_max_age is None:
            raise RuleError(
                gettext_noop("a reserved youth seat needs youth_max_age"), "youth_max_age"
            )
        return TermsRule(
            length_months=_integer(params, "length_months", minimum=1),
            max_consecutive=_integer(params, "max_consecutive", minimum=1, optional=True),
            reserved_seats=dict(reserved),
            youth_max_age=youth_max_age,
        )
    if kind == "proxies":
        _only(params, {"allowed", "max_carried"})
        allowed = _boolean(params, "allowed")
        max_carried = _integer(params, "max_carried")
        if allowed and max_carried == 0:
            raise RuleError(
                gettext_noop("when proxies are allowed, max_carried must be at least 1"),
                "max_carried",
            )
        return ProxyRule(allowed=allowed, max_carried=max_carried if allowed else 0)
    if kind == "trustees":
        _only(params, {"body", "threshold"})
        body = params.get("body")
        if not isinstance(body, str) or not body.strip():
            raise RuleError(gettext_noop("body must be a body's code"), "body")
        return TrusteesRule(body=body, threshold=_integer(params, "threshold", minimum=1))
    _only(params, {"min_cosponsors"})
    return SponsorshipRule(min_cosponsors=_integer(params, "min_cosponsors"))


# ---------------------------------------------------------------------------
# Outcomes
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleOutcome:
    """Whether a rule is satisfied, and everything needed to say why.

    `threshold` is the rule's own figure as text ("1/4", "2/3", "30 days", "2 terms");
    `figures` holds the numbers and dates it was applied to, including what was needed.
    """

    kind: str
    satisfied: bool
    article: str
    threshold: str
    figures: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "satisfied": self.satisfied,
            "article": self.article,
            "threshold": self.threshold,
            "figures": {
                k: v.isoformat() if isinstance(v, dt.date) else v for k, v in self.figures.items()
            },
        }


def _not_negative(**figures: int | None) -> None:
    for name, value in figures.items():
        if value is not None and value < 0:
            raise ValueError(f"{name} cannot be negative")


def _at_least(fraction: Fraction, base: int) -> int:
    """The smallest whole number that is at least `fraction` of `base`."""
    return math.ceil(fraction * base)


def _more_than(fraction: Fraction, base: int) -> int:
    """The smallest whole number that is more than `fraction` of `base`."""
    return math.floor(fraction * base) + 1


def evaluate_quorum(
    rule: QuorumRule, *, eligible: int, took_part: int, convocation: int = 1, article: str = ""
) -> RuleOutcome:
    """Did enough of the eligible take part? Needs at least the fraction, and at least one person."""
    _not_negative(eligible=eligible, took_part=took_part)
    if took_part > eligible:
        raise ValueError("more took part than were eligible")
    fraction = rule.fraction_for(convocation)
    needed = 0 if fraction is None else max(1, _at_least(fraction, eligible))
    return RuleOutcome(
        kind="quorum",
        satisfied=took_part >= needed,
        article=article,
        threshold="none" if fraction is None else str(fraction),
        figures={
            "convocation": convocation,
            "eligible": eligible,
            "took_part": took_part,
            "needed": needed,
        },
    )


def majority_base(
    rule: MajorityRule,
    *,
    yes: int,
    no: int,
    abstain: int = 0,
    blank: int = 0,
    eligible: int | None = None,
) -> int:
    """The number the majority fraction is taken of."""
    if rule.majority == "absolute":
        if eligible is None:
            raise ValueError("an absolute majority is of the eligible: give eligible")
        return eligible
    return (
        yes + no + (abstain if rule.count_abstentions else 0) + (blank if rule.count_blanks else 0)
    )


def evaluate_majority(
    rule: MajorityRule,
    *,
    yes: int,
    no: int,
    abstain: int = 0,
    blank: int = 0,
    eligible: int | None = None,
    article: str = "",
) -> RuleOutcome:
    """Were there enough votes in favour? See the module docstring for "more than" and "at least"."""
    _not_negative(yes=yes, no=no, abstain=abstain, blank=blank, eligible=eligible)
    if eligible is not None and yes + no + abstain + blank > eligible:
        raise ValueError("more votes than eligible voters")
    base = majority_base(rule, yes=yes, no=no, abstain=abstain, blank=blank, eligible=eligible)
    needed = (
        _more_than(rule.fraction, base) if rule.strict else max(1, _at_least(rule.fraction, base))
    )
    return RuleOutcome(
        kind="majority",
        satisfied=yes >= needed,
        article=article,
        threshold=f"{rule.majority} {rule.fraction}",
        figures={
            "yes": yes,
            "no": no,
            "abstain": abstain,
            "blank": blank,
            "eligible": eligible,
            "base": base,
            "needed": needed,
        },
    )


# ---------------------------------------------------------------------------
# Eligibility
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberFacts:
    """What the eligibility rule looks at, read from the roll on the day of the vote."""

    is_member: bool
    good_standing: bool
    joined_on: dt.date
    birth_date: dt.date | None
    body_codes: frozenset[str] = frozenset()


def age_on(birth_date: dt.date, on: dt.date) -> int:
    """Age in whole years on a date (someone born on 29 February turns a year older on 1 March)."""
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole months from `start` to `end` (0 when `end` is before `start`)."""
    if end < start:
        return 0
    months = (end.year - start.year) * 12 + end.month - start.month
    if add_months(start, months) > end:
        months -= 1
    return months


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, on the month's last day when it is shorter (31 Jan + 1 = 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def evaluate_eligibility(
    rule: EligibilityRule, facts: MemberFacts, *, on: dt.date, article: str = ""
) -> RuleOutcome:
    """May this person vote (or stand) on that day? `figures["failed"]` lists each unmet condition."""
    failed = []
    if not facts.is_member:
        failed.append("not_a_member")
    if rule.good_standing and not facts.good_standing:
        failed.append("dues_unpaid")
    months = months_between(facts.joined_on, on)
    if months < rule.min_months:
        failed.append("membership_too_recent")
    age = age_on(facts.birth_date, on) if facts.birth_date else None
    if rule.min_age and (age is None or age < rule.min_age):
        failed.append("too_young" if age is not None else "birth_date_unknown")
    if rule.body and rule.body not in facts.body_codes:
        failed.append("not_on_body")
    return RuleOutcome(
        kind="eligibility",
        satisfied=not failed,
        article=article,
        threshold=f"{rule.min_months} months, age {rule.min_age}",
        figures={"on": on, "months_of_membership": months, "age": age, "failed": failed},
    )


def eligibility_test(rule: EligibilityRule, *, on: dt.date) -> Callable[[MemberFacts], bool]:
    """`evaluate_eligibility(rule, facts, on=on).satisfied`, for a whole roll at a time.

    The same conditions without building an outcome per member, and each date's months
    of membership and age worked out once (a roll of 100,000 shares its dates widely).
    """
    months_since = functools.cache(lambda joined: months_between(joined, on))
    age_of = functools.cache(lambda born: age_on(born, on))

    def satisfied(facts: MemberFacts) -> bool:
        if not facts.is_member or (rule.good_standing and not facts.good_standing):
            return False
        if months_since(facts.joined_on) < rule.min_months:
            return False
        if rule.min_age and (facts.birth_date is None or age_of(facts.birth_date) < rule.min_age):
            return False
        return not (rule.body and rule.body not in facts.body_codes)

    return satisfied


# ---------------------------------------------------------------------------
# Notice, terms, proxies, co-sponsors
# ---------------------------------------------------------------------------


def notice_deadline(rule: NoticeRule, *, what: str, event_on: dt.date) -> dt.date:
    """The last day on which the thing may be done for a meeting on `event_on`."""
    return event_on - dt.timedelta(days=rule.days_for(what))


def check_notice(
    rule: NoticeRule, *, what: str, event_on: dt.date, done_on: dt.date, article: str = ""
) -> RuleOutcome:
    """Was the assembly convened, the motion submitted or the amendment tabled early enough?"""
    days = rule.days_for(what)
    deadline = notice_deadline(rule, what=what, event_on=event_on)
    return RuleOutcome(
        kind="notice",
        satisfied=done_on <= deadline,
        article=article,
        threshold=f"{days} days",
        figures={
            "what": what,
            "days": days,
            "event_on": event_on,
            "done_on": done_on,
            "deadline": deadline,
        },
    )


def term_end(rule: TermsRule, starts_on: dt.date) -> dt.date:
    """The last day of a full term starting on `starts_on` (two years from 1 June end on 31 May)."""
    return add_months(starts_on, rule.length_months) - dt.timedelta(days=1)


def check_term_limit(
    rule: TermsRule, *, consecutive_terms_served: int, article: str = ""
) -> RuleOutcome:
    """May someone who has served that many consecutive terms start another one?"""
    _not_negative(consecutive_terms_served=consecutive_terms_served)
    limit = rule.max_consecutive
    return RuleOutcome(
        kind="terms",
        satisfied=limit is None or consecutive_terms_served < limit,
        article=article,
        threshold="none" if limit is None else f"{limit} terms",
        figures={"served": consecutive_terms_served, "max_consecutive": limit},
    )


def check_proxy(rule: ProxyRule, *, already_carried: int, article: str = "") -> RuleOutcome:
    """May a member who already carries that many proxies accept one more?"""
    _not_negative(already_carried=already_carried)
    return RuleOutcome(
        kind="proxies",
        satisfied=rule.allowed and already_carried < rule.max_carried,
        article=article,
        threshold=str(rule.max_carried) if rule.allowed else "none",
        figures={
            "allowed": rule.allowed,
            "already_carried": already_carried,
            "max_carried": rule.max_carried,
        },
    )


def check_sponsorship(rule: SponsorshipRule, *, cosponsors: int, article: str = "") -> RuleOutcome:
    """Does a motion have the co-sponsors the statutes require?"""
    _not_negative(cosponsors=cosponsors)
    return RuleOutcome(
        kind="sponsorship",
        satisfied=cosponsors >= rule.min_cosponsors,
        article=article,
        threshold=str(rule.min_cosponsors),
        figures={"cosponsors": cosponsors, "needed": rule.min_cosponsors},
    )
