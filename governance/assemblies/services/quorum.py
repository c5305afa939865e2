"""Who votes in the room and the live quorum, with its rule and figures."""

from __future__ import annotations

from dataclasses import dataclass, field

from governance.assemblies.services.common import seats_body
from governance.models import Assembly, AssemblyProxy, Attendance, Rule
from governance.statutes import eligibility, rules
from governance.statutes.lookup import rule_for


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
