"""A decision's full trail for auditors: what led to it (from any app) and every audit event, in order.

Governance knows only the decision itself. The apps above it contribute what they know
through a registry filled in their ``AppConfig.ready()`` (imports point down, so this is
the one place an upper layer hands governance a callable instead of being imported):

    from governance.audit.trail import register_trail_provider
    register_trail_provider("elections", ballot_trail)

A provider is called with the decision (``body``, ``article``, ``statute_version`` and
``assembly`` already loaded) and returns a `TrailContribution` or None. It must run a
fixed number of queries, whatever the size of what it describes: the decision page's
query count is the sum of the providers' plus two.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Min, Q

from governance.audit.log import canonical_json
from governance.models import AuditEvent, Decision

GENERIC_SECTION_TEMPLATE = "governance/trail/section.html"


@dataclass(frozen=True)
class AuditRef:
    """Audit events about one object belong to the trail.

    Events whose action is in `summarise` are counted instead of listed (a ballot's
    ``ballot.vote_cast``: one per voter, which would drown the trail).
    """

    object_type: str
    object_id: str
    summarise: frozenset[str] = frozenset()

    @classmethod
    def to(cls, obj, *, summarise: Iterable[str] = ()) -> AuditRef:
        return cls(obj._meta.label_lower, str(obj.pk), frozenset(summarise))


@dataclass(frozen=True)
class TrailSection:
    """One step that led to the decision (a motion, an amendment, a ballot ...).

    `facts` are (label, value) pairs and `links` (label, url) pairs, shown by the generic
    template; a provider that needs more gives its own `template`, rendered with
    ``section`` (this object) and the `context` mapping.
    """

    key: str
    title: str
    occurred_at: dt.datetime | dt.date | None = None
    facts: Sequence[tuple[str, Any]] = ()
    links: Sequence[tuple[str, str]] = ()
    template: str = GENERIC_SECTION_TEMPLATE
    context: Mapping[str, Any] = field(default_factory=dict)

    @property
    def sort_key(self) -> tuple[int, str]:
        when = self.occurred_at
        if when is None:
            return (1, "")
        if isinstance(when, dt.datetime):
            return (0, when.astimezone(dt.UTC).isoformat())
        return (0, when.isoformat())


@dataclass(frozen=True)
class TrailContribution:
    sections: Sequence[TrailSection] = ()
    audit_refs: Sequence[AuditRef] = ()


@dataclass(frozen=True)
class EventSummary:
    """Events counted rather than listed: how many, and the first and last sequence numbers."""

    action: str
    count: int
    first: int
    last: int


@dataclass(frozen=True)
class Trail:
    decision: Decision
    sections: list[TrailSection]
    events: list[AuditEvent]
    summaries: list[EventSummary]


def _shown(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, dict | list):
        return canonical_json(value)
    return str(value)


def event_changes(old: Any, new: Any) -> list[tuple[str, str, str]]:
    """An event's old and new values side by side: (field, old, new), as text."""
    old = old if isinstance(old, dict) else ({} if old is None else {"": old})
    new = new if isinstance(new, dict) else ({} if new is None else {"": new})
    names = list(old) + [name for name in new if name not in old]
    return [(name, _shown(old.get(name)), _shown(new.get(name))) for name in names]


Provider = Callable[[Decision], TrailContribution | None]

_providers: dict[str, Provider] = {}


def register_trail_provider(name: str, provider: Provider) -> None:
    """Add (or replace, by name: ``ready()`` may run twice in tests) a trail provider."""
    _providers[name] = provider


def providers() -> dict[str, Provider]:
    return dict(_providers)


def decision_trail(decision: Decision) -> Trail:
    """The sections every provider contributes, in time order, and the audit events of the
    decision and of every object the providers name, in sequence order."""
    sections: list[TrailSection] = []
    refs: list[AuditRef] = [AuditRef.to(decision)]
    for provider in _providers.values():
        contribution = provider(decision)
        if contribution is None:
            continue
        sections.extend(contribution.sections)
        refs.extend(contribution.audit_refs)
    sections.sort(key=lambda section: section.sort_key)

    listed, counted = Q(), Q()
    for ref in refs:
        about = Q(object_type=ref.object_type, object_id=ref.object_id)
        if ref.summarise:
            listed |= about & ~Q(action__in=ref.summarise)
            counted |= about & Q(action__in=ref.summarise)
        else:
            listed |= about
    events = list(AuditEvent.objects.filter(listed).order_by("sequence"))
    for event in events:
        event.changes = event_changes(event.old, event.new)
    summaries = []
    if counted:
        summaries = [
            EventSummary(row["action"], row["count"], row["first"], row["last"])
            for row in AuditEvent.objects.filter(counted)
            .values("action")
            .annotate(count=Count("pk"), first=Min("sequence"), last=Max("sequence"))
            .order_by("first")
        ]
    return Trail(decision=decision, sections=sections, events=events, summaries=summaries)
