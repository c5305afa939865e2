"""Which statute rule applies: one lookup, one fallback order.

A rule is found by its kind (quorum, majority, terms ...) and the most specific scope the
statutes in force give it, in this order:

1. the matter's own scope, when the caller names one (``statute_amendment``, ``ic_motion``,
   ``ballot``, ``election``, a motion kind, a ballot's ``rule_scope``);
2. the body's own scope, its code (``section-board``): an article written for that body;
3. the scope of the body's kind (``assembly``, ``board``): the article for every body of
   that kind;
4. the matter's general scope, when the caller names one (`general`): ``ballot`` for a
   rule written for every ballot, such as the trustees of every secret ballot.

always in the statute version in force on the day `on` (today when not given): the latest
version effective on or before it. The first scope that has a rule wins; a version with no
rule in any of them gives none (`require_rule_for` refuses with the statutes' words).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from governance.exceptions import RuleViolation
from governance.models import Rule, StatuteVersion

if TYPE_CHECKING:
    from governance.models import Body


def fallback_scopes(
    scope: str | None = None,
    *,
    body_code: str | None = None,
    body_kind: str | None = None,
    general: str | None = None,
) -> tuple[str, ...]:
    """The scopes to try, most specific first, without repeats. Pure."""
    order: list[str] = []
    for candidate in (scope, body_code, body_kind, general):
        if candidate and candidate not in order:
            order.append(candidate)
    return tuple(order)


def first_in_order[T](by_scope: Mapping[str, T], scopes: tuple[str, ...]) -> T | None:
    """The entry of the first scope in `scopes` that `by_scope` has. Pure."""
    for scope in scopes:
        if scope in by_scope:
            return by_scope[scope]
    return None


def scopes_for(
    scope: str | None = None, body: Body | None = None, general: str | None = None
) -> tuple[str, ...]:
    return fallback_scopes(
        scope,
        body_code=body.code if body is not None else None,
        body_kind=body.kind if body is not None else None,
        general=general,
    )


def rule_for(
    kind: str,
    scope: str | None = None,
    *,
    body: Body | None = None,
    on: dt.date | None = None,
    general: str | None = None,
) -> Rule | None:
    """The rule of `kind` that applies to `scope` and `body` on `on` (see the module's order),
    or failing those to the `general` scope.

    Two queries: the version in force, then its rules of that kind in the candidate scopes.
    """
    order = scopes_for(scope, body, general)
    if not order:
        raise ValueError("rule_for needs a scope or a body")
    version = StatuteVersion.objects.in_force(on)
    if version is None:
        return None
    found: dict[str, Rule] = {}
    for rule in (
        Rule.objects.select_related("article", "article__version")
        .filter(article__version=version, kind=kind, scope__in=order)
        .order_by("article", "pk")
    ):
        found.setdefault(rule.scope, rule)
    return first_in_order(found, order)


def require_rule_for(
    kind: str, scope: str | None = None, *, body: Body | None = None, on: dt.date | None = None
) -> Rule:
    """`rule_for`, refusing when the statutes in force have no such rule."""
    rule = rule_for(kind, scope, body=body, on=on)
    if rule is None:
        raise RuleViolation(
            _("The statutes in force have no %(kind)s rule for %(scope)s.")
            % {"kind": kind, "scope": scopes_for(scope, body)[0]}
        )
    return rule
