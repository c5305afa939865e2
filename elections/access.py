"""Who sees which ballot, who runs it and who follows it: one definition of each rule, asked
by the pages, the API and the commands alike.

A ballot past draft is read by everyone who reads the governance record (members, officers,
auditors, staff: `governance.access.may_read_record`). A draft is seen by those who may run
it — staff, officers of the deciding body, officers of the board of its unit
(`governance.permissions.may_act_for_body`) — and by nobody else, with one exception: a draft
election is the call for candidates, read by every reader so that members stand, nominate
and accept a nomination before it opens (issue 3's "a draft election is visible to
members"). Candidates, proxies and paper counts are seen with their ballot.

The querysets are reached as `Ballot.objects.visible_to(user)` (and the same on `Candidate`,
`Proxy`, `PaperCount`): their methods filter by `visibility` here.
"""

from __future__ import annotations

from django.db.models import Q

from governance.access import may_oversee_body, may_read_record
from governance.permissions import bodies_acted_for, may_act_for_body, roles_for

DRAFT = "draft"
COUNTED = "counted"
PUBLISHED = "published"
ELECTION = "election"


def visibility(user, via: str = "") -> Q:
    """The ballots `user` may read, as a filter; `via` is the path to the ballot
    (`"ballot__"` for a candidate, a proxy, a paper count)."""
    if not may_read_record(user):
        return Q(pk__in=[])
    roles = roles_for(user)
    if roles.staff and roles.may_write:
        return Q()  # staff run every ballot
    seen = ~Q(**{f"{via}status": DRAFT}) | Q(**{f"{via}kind": ELECTION})
    run = bodies_acted_for(user)
    if run.query.is_empty():
        return seen
    return seen | Q(**{f"{via}body__in": run.values("pk")})


def may_read_ballot(user, ballot) -> bool:
    """The yes/no form of `visibility`, for a ballot already in hand."""
    if not may_read_record(user):
        return False
    return ballot.status != DRAFT or ballot.kind == ELECTION or may_run_ballot(user, ballot)


def may_run_ballot(user, ballot) -> bool:
    """Open, close, count, publish, cancel, enter papers, add options: those who act for the
    deciding body (the services check it again: `ensure_may_act_for_body`)."""
    return may_act_for_body(user, ballot.body)


def may_oversee_ballot(user, ballot) -> bool:
    """Who sees the turnout, and the result once counted but not yet published: those who
    run the ballot, and the auditors."""
    return may_oversee_body(user, ballot.body)


def results_visible(user, ballot) -> bool:
    """Published results are public to readers; counted ones only to those who oversee."""
    if ballot.status == PUBLISHED:
        return True
    return ballot.status == COUNTED and may_oversee_ballot(user, ballot)


def trusteeship_visibility(user) -> Q:
    """The trusteeships `user` holds: a trustee's page and files are their own member's.

    Demonstration trustees (whose files the platform keeps) are nobody's to act for. Staff
    and officers see who the trustees are on the ballot's console, not here."""
    member = getattr(user, "member", None) if getattr(user, "is_authenticated", False) else None
    if member is None or not may_read_record(user):
        return Q(pk__in=[])
    return Q(member=member, is_demo=False)
