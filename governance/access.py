"""Who may read the governance record and use its tools: one definition of each rule, asked
by the pages, the API and the commands alike.

Roles come from `governance.permissions.roles_for`; who acts for a body from
`governance.permissions.may_act_for_body` (which the services' guards use too). Each app
above has its own `access.py` with its scoped querysets (`Ballot.objects.visible_to(user)`,
`Motion.objects.visible_to(user)`) built on these.
"""

from __future__ import annotations

from django.db.models import Q

from governance.permissions import bodies_acted_for, may_act_for_body, roles_for


def may_read_record(user) -> bool:
    """Members, officers, auditors and staff read the record: bodies, statutes, decisions,
    meetings, ballots, motions. An account that is none of these (an outsider) reads nothing."""
    roles = roles_for(user)
    return roles.member or roles.privileged


def may_take_part(user) -> bool:
    """A reader who may change something: every reader but an auditor's account."""
    return may_read_record(user) and roles_for(user).may_write


def may_act_for_some_body(user) -> bool:
    """Staff, and officers who may write: they draft ballots and convene meetings."""
    roles = roles_for(user)
    return roles.may_write and (roles.staff or roles.officer)


def may_oversee_body(user, body) -> bool:
    """Who follows a body's work before it is public (turnout, a count not yet published, the
    meeting's door and minutes): those who act for it, and the auditors."""
    return roles_for(user).auditor or may_act_for_body(user, body)


def may_run_meeting(user, assembly) -> bool:
    """Officers acting for the meeting's body (its own or its unit's board) and staff run the
    meeting: its door, its proxies, its steps."""
    return may_act_for_body(user, assembly.body)


def may_read_audit(user) -> bool:
    roles = roles_for(user)
    return roles.auditor or roles.staff


def may_read_roll(user) -> bool:
    roles = roles_for(user)
    return roles.staff or roles.auditor


def may_manage_roll(user) -> bool:
    roles = roles_for(user)
    return roles.staff and roles.may_write


# ---------------------------------------------------------------------------
# The scoped querysets' filters: `Model.objects.visible_to(user)` in governance/querysets.py
# ---------------------------------------------------------------------------

NOTHING = Q(pk__in=[])


def record_visibility(user) -> Q:
    """Meetings and decisions: the whole record for its readers, nothing for anyone else."""
    return Q() if may_read_record(user) else NOTHING


def roll_visibility(user) -> Q:
    """Members (with their dues and mandates): the roll is for staff and auditors."""
    return Q() if may_read_roll(user) else NOTHING


def door_visibility(user, assembly) -> Q:
    """The members one may look up at a meeting's door: any member may arrive, so the whole
    roll for those who run the meeting; nobody for anyone else."""
    return Q() if may_run_meeting(user, assembly) else NOTHING


def audit_visibility(user) -> Q:
    return Q() if may_read_audit(user) else NOTHING


def assembly_proxy_visibility(user) -> Q:
    """A meeting proxy: to those who oversee the meeting's body, and to its giver and holder."""
    if not may_read_record(user):
        return NOTHING
    roles = roles_for(user)
    if roles.auditor or (roles.staff and roles.may_write):
        return Q()
    seen = NOTHING
    if roles.member_id is not None:
        seen = Q(giver_id=roles.member_id) | Q(holder_id=roles.member_id)
    run = bodies_acted_for(user)
    if not run.query.is_empty():
        seen |= Q(assembly__body__in=run.values("pk"))
    return seen


# ---------------------------------------------------------------------------
# Commands that act for an account (`--as EMAIL`)
# ---------------------------------------------------------------------------


def command_account(email: str | None, may=None):
    """The account a command acts for (`--as EMAIL`), or None (the platform, an operator's
    command) when none is given; with `may` (one of the checks above), the account must
    pass it, as on the page. Raises `CommandError` naming the e-mail otherwise."""
    from django.contrib.auth import get_user_model
    from django.core.management.base import CommandError

    if not email:
        return None
    user = get_user_model().objects.filter(email__iexact=email).first()
    if user is None:
        raise CommandError(f"no account with the e-mail {email}")
    if may is not None and not may(user):
        raise CommandError(f"the account {email} may not do this ({may.__name__} refuses it)")
    return user
