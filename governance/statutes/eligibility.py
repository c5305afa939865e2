"""Who is entitled to vote on a day: the statutes' eligibility rule, or a body's current seats.

The one place the eligibility loop lives: the voting engine freezes a ballot's roll with it
(`elections.services.eligible_voters`), the assembly counts its quorum base and checks
members in at the door with it (`governance.assemblies.services`). A constant number of queries
whatever the size of the roll: the rule, the members' facts in one query (dues as an
``EXISTS`` annotation), and the current mandates when the rule names a body.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import FilteredRelation, Q
from django.utils.translation import gettext as _

from governance.models import Body, Mandate, Member
from governance.statutes import rules
from governance.statutes.lookup import require_rule_for

#: The `failed` codes of `rules.evaluate_eligibility`, in words for the person at the door.
FAILED_REASONS = {
    "not_a_member": lambda: _("not a voting member (supporter, suspended or resigned)"),
    "dues_unpaid": lambda: _("dues for the year not paid"),
    "membership_too_recent": lambda: _("member for too short a time"),
    "too_young": lambda: _("under the voting age"),
    "birth_date_unknown": lambda: _("birth date unknown"),
    "not_on_body": lambda: _("not a member of the required body"),
    "no_mandate": lambda: _("holds no current seat on the body"),
}


#: Members' facts read a chunk at a time from PostgreSQL's server-side cursor: a round
#: trip each (2,000 a chunk was 50 round trips at 100,000 members); 20,000 rows of six
#: plain columns hold a few MB.
FACTS_CHUNK = 20_000


@dataclass(frozen=True)
class Entitlement:
    """Whether one member may vote on a day, why not, and the article that says so."""

    entitled: bool
    failed: tuple[str, ...] = ()
    article: str = ""

    @property
    def reasons(self) -> str:
        return ", ".join(str(FAILED_REASONS.get(code, lambda c=code: c)()) for code in self.failed)


def _facts_rows(members, on: dt.date):
    """(pk, kind, status, dues, joined_on, birth_date) for each member, in one query.

    `dues` is the id of the year's payment, or None: a LEFT JOIN on it (at most one a
    member and year, a unique constraint), not `with_standing`'s ``EXISTS`` in the select
    list. PostgreSQL runs that as a subplan it costs high enough at 100,000 members to
    JIT-compile the query (0.6 s of a 1.3 s query); the join is a merge join on the
    members' and the payments' indexes, in id order, in 0.3 s.
    """
    year = FilteredRelation("dues_payments", condition=Q(dues_payments__year=on.year))
    return members.annotate(year_dues=year).values_list(
        "pk", "kind", "status", "year_dues__id", "joined_on", "birth_date"
    )


def _body_codes(on: dt.date, member_ids: Iterable[int] | None = None) -> dict[int, set[str]]:
    mandates = Mandate.objects.current(on)
    if member_ids is not None:
        mandates = mandates.filter(member_id__in=list(member_ids))
    codes: dict[int, set[str]] = {}
    for member_id, code in mandates.values_list("member_id", "body__code"):
        codes.setdefault(member_id, set()).add(code)
    return codes


def _evaluate(rule, rows, on: dt.date, body_codes: dict[int, set[str]]):
    parsed = rule.parsed()
    article = rule.article.number
    for pk, kind, status, paid, joined_on, birth_date in rows:
        facts = rules.MemberFacts(
            is_member=kind == Member.Kind.MEMBER and status == Member.Status.ACTIVE,
            good_standing=paid is not None,
            joined_on=joined_on,
            birth_date=birth_date,
            body_codes=frozenset(body_codes.get(pk, ())),
        )
        yield pk, rules.evaluate_eligibility(parsed, facts, on=on, article=article)


def entitled_member_ids(on: dt.date, *, body: Body | None = None) -> list[int]:
    """The members entitled to vote on `on`, by id, in id order.

    With a `body`: the active members holding a current mandate on it (a Board meeting, a
    roll call). Without: the eligibility rule of scope ``ballot`` in the statutes in force
    that day (`RuleViolation` when the statutes have none).
    """
    if body is not None:
        return list(
            Mandate.objects.current(on)
            .filter(body=body, member__status=Member.Status.ACTIVE)
            .order_by("member_id")
            .values_list("member_id", flat=True)
            .distinct()
        )
    rule = require_rule_for("eligibility", "ballot", on=on)
    body_codes = _body_codes(on) if rule.parsed().body else {}
    rows = _facts_rows(Member.objects.voting_members().order_by("pk"), on)
    satisfied = rules.eligibility_test(rule.parsed(), on=on)
    active, member = Member.Status.ACTIVE, Member.Kind.MEMBER
    none: frozenset[str] = frozenset()
    return [
        pk
        for pk, kind, status, paid, joined_on, birth_date in rows.iterator(FACTS_CHUNK)
        if satisfied(
            rules.MemberFacts(
                is_member=kind == member and status == active,
                good_standing=paid is not None,
                joined_on=joined_on,
                birth_date=birth_date,
                body_codes=frozenset(body_codes[pk]) if pk in body_codes else none,
            )
        )
    ]


def entitlements(members: Iterable[int], on: dt.date, *, body: Body | None = None) -> dict:
    """Member id -> `Entitlement` on `on` for a few members (a page of search results).

    The same rules as `entitled_member_ids`, in a constant number of queries.
    """
    ids = list(members)
    if not ids:
        return {}
    if body is not None:
        seated = set(
            Mandate.objects.current(on)
            .filter(body=body, member_id__in=ids, member__status=Member.Status.ACTIVE)
            .values_list("member_id", flat=True)
        )
        return {
            pk: Entitlement(pk in seated, () if pk in seated else ("no_mandate",)) for pk in ids
        }
    rule = require_rule_for("eligibility", "ballot", on=on)
    body_codes = _body_codes(on, ids) if rule.parsed().body else {}
    rows = _facts_rows(Member.objects.filter(pk__in=ids), on)
    found = {
        pk: Entitlement(outcome.satisfied, tuple(outcome.figures["failed"]), rule.article.number)
        for pk, outcome in _evaluate(rule, rows, on, body_codes)
    }
    missing = Entitlement(False, ("not_a_member",), rule.article.number)
    return {pk: found.get(pk, missing) for pk in ids}


def entitlement_of(member: Member, on: dt.date, *, body: Body | None = None) -> Entitlement:
    """Whether one member may vote on `on` (same rules as `entitled_member_ids`), and why not."""
    return entitlements([member.pk], on, body=body)[member.pk]
