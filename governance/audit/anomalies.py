"""The auditors' anomaly report: records that contradict the statutes or the roles of their authors.

Four kinds, each found by reading what is stored (never by trusting a flag set when it was
written):

- ``decision_figures``: a decision whose figures do not satisfy the rule snapshot it cites,
  re-evaluated with `governance.statutes.rules`;
- ``mandate_overlap`` and ``mandate_term``: a member's mandates on one body that overlap,
  or a mandate longer than the term, or beyond the limit of consecutive terms, of the
  statutes in force when it started;
- ``ballot_closed_early``: contributed by the voting engine (see below);
- ``event_without_role``: an audit event written by an account that did not hold the
  role the action needs on that day.

The apps above governance contribute through registries filled in their
``AppConfig.ready()``, so governance never imports them: `register_anomaly_check` adds a
whole check (the voting engine's closed-early ballots), `register_officer_actions` says
which of an app's actions need an officer of a body and how to find that body.

The rule checks are pure functions over plain data (`recheck_decision`, `mandate_anomalies`,
`role_anomalies`); the functions that read the database call them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance.audit.log import EVENT_FIELDS
from governance.models import (
    Assembly,
    AuditEvent,
    Body,
    Decision,
    Mandate,
    Member,
    Rule,
    StatuteVersion,
    User,
)
from governance.statutes import lookup, rules
from governance.statutes.text import rule_error_in_words

KINDS = {
    "decision_figures": gettext_lazy("Decision figures that do not satisfy the rule cited"),
    "mandate_overlap": gettext_lazy("Overlapping mandates"),
    "mandate_term": gettext_lazy("Mandate beyond the term limits"),
    "ballot_closed_early": gettext_lazy("Ballot closed before its announced time"),
    "ballot_count": gettext_lazy("Ballot figures that do not add up"),
    "event_without_role": gettext_lazy("Action by an account without the role"),
}


@dataclass(frozen=True)
class Anomaly:
    kind: str
    subject: str
    message: str
    on: dt.date | None = None
    url: str = ""

    @property
    def kind_label(self) -> str:
        return str(KINDS.get(self.kind, self.kind))

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "subject": self.subject,
            "message": self.message,
            "on": self.on.isoformat() if self.on else None,
            "url": self.url,
        }


Check = Callable[[], Iterable[Anomaly]]

_checks: dict[str, Check] = {}


def register_anomaly_check(name: str, check: Check) -> None:
    """Add (or replace, by name) a check: a callable returning anomalies, a fixed number of queries."""
    _checks[name] = check


@dataclass(frozen=True)
class OfficerActions:
    """Actions on one object type that only an officer of a body (or staff) may take."""

    object_type: str
    actions: frozenset[str]
    bodies_of: Callable[[set[str]], Mapping[str, int]]  # object ids -> body id, one query


_officer_actions: dict[str, OfficerActions] = {}


def register_officer_actions(
    object_type: str, actions: Iterable[str], bodies_of: Callable[[set[str]], Mapping[str, int]]
) -> None:
    """Declare that `actions` on `object_type` need an officer of the body `bodies_of` names.

    `bodies_of` receives the ids (strings, as in ``AuditEvent.object_id``) of the objects
    concerned and returns each one's body id, in one query.
    """
    _officer_actions[object_type] = OfficerActions(object_type, frozenset(actions), bodies_of)


#: Actions only staff (or the platform itself) take: the roll, dues, units and bodies.
STAFF_ACTIONS = frozenset(
    {
        "member.imported",
        "member.updated",
        "member.account_created",
        "dues.recorded",
        "unit.created",
        "body.created",
    }
)
#: Actions only the platform administrator takes.
SUPERUSER_ACTIONS = frozenset({"account.created", "account.roles_changed"})


def report() -> list[Anomaly]:
    """Every anomaly of every kind, governance's checks first, then the registered ones."""
    found: list[Anomaly] = []
    found.extend(decision_anomalies())
    found.extend(mandate_anomalies_in_db())
    for check in _checks.values():
        found.extend(check())
    found.extend(event_anomalies())
    return found


# ---------------------------------------------------------------------------
# (a) Decisions against the rules they cite
# ---------------------------------------------------------------------------


def _whole(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


@dataclass(frozen=True)
class RuleRecheck:
    """One rule of a decision's snapshot evaluated again from the stored figures."""

    kind: str
    article: str
    recorded: bool | None  # what the snapshot says, None when it says nothing
    outcome: rules.RuleOutcome | None  # None when it cannot be evaluated
    problem: str = ""


def _evaluate(
    kind: str, parsed: Any, figure: Callable[..., int | None], article: str
) -> rules.RuleOutcome:
    """A quorum or majority rule evaluated on the figures; LookupError when one is missing,
    ValueError when they are impossible."""
    if kind == "quorum":
        eligible, took_part = figure("eligible"), figure("took_part")
        if eligible is None or took_part is None:
            raise LookupError
        convocation = figure("convocation", 1)
        return rules.evaluate_quorum(
            parsed,
            eligible=eligible,
            took_part=min(took_part, eligible),
            convocation=convocation if convocation in (1, 2) else 1,
            article=article,
        )
    yes, no = figure("yes"), figure("no")
    if yes is None or no is None:
        raise LookupError
    abstain, blank = figure("abstain", 0), figure("blank", 0)
    eligible = figure("eligible")
    total = yes + no + abstain + blank
    return rules.evaluate_majority(
        parsed,
        yes=yes,
        no=no,
        abstain=abstain,
        blank=blank,
        eligible=None if eligible is None else max(eligible, total),
        article=article,
    )


def recheck_rules(figures: Mapping[str, Any], snapshot: Sequence[Any]) -> list[RuleRecheck]:
    """Evaluate each quorum and majority rule of a snapshot on the decision's figures.

    A figure missing from the decision's own figures is taken from the figures the
    snapshot's outcome recorded (older decisions named them differently). Pure: no database.
    """
    results = []
    for entry in snapshot if isinstance(snapshot, list | tuple) else []:
        if not isinstance(entry, dict) or entry.get("kind") not in ("quorum", "majority"):
            continue
        kind, article = entry["kind"], str(entry.get("article", ""))
        recorded_outcome = entry.get("outcome") if isinstance(entry.get("outcome"), dict) else {}
        recorded = recorded_outcome.get("satisfied")
        recorded = recorded if isinstance(recorded, bool) else None
        stored = recorded_outcome.get("figures")
        stored = stored if isinstance(stored, dict) else {}

        def figure(name: str, default: int | None = None, stored: dict = stored) -> int | None:
            for source in (figures, stored):
                value = _whole(source.get(name))
                if value is not None:
                    return value
            return default

        outcome, problem = None, ""
        try:
            parsed = rules.parse_rule(kind, entry.get("params"))
        except rules.RuleError as error:
            problem = _("the snapshot of the rule is malformed (%(error)s)") % {
                "error": rule_error_in_words(error)
            }
        else:
            try:
                outcome = _evaluate(kind, parsed, figure, article)
            except LookupError:
                problem = _("the figures needed to re-check it are missing")
            except ValueError as error:
                problem = _("its figures are impossible (%(error)s)") % {"error": error}
        results.append(RuleRecheck(kind, article, recorded, outcome, problem))
    return results


def recheck_decision(
    outcome: str, figures: Mapping[str, Any], snapshot: Sequence[Any]
) -> list[str]:
    """What is wrong with a decision's outcome given its figures and rules (empty when nothing)."""
    problems = []
    checks = recheck_rules(figures, snapshot)
    for check in checks:
        if check.problem:
            problems.append(
                _("article %(article)s (%(kind)s): %(problem)s")
                % {"article": check.article, "kind": check.kind, "problem": check.problem}
            )
        elif check.recorded is not None and check.outcome.satisfied != check.recorded:
            problems.append(
                _(
                    "article %(article)s (%(kind)s): the snapshot says %(recorded)s, the figures "
                    "give %(found)s (%(needed)s needed)"
                )
                % {
                    "article": check.article,
                    "kind": check.kind,
                    "recorded": _("met") if check.recorded else _("not met"),
                    "found": _("met") if check.outcome.satisfied else _("not met"),
                    "needed": check.outcome.figures["needed"],
                }
            )
    evaluated = [c for c in checks if c.outcome is not None]
    quorums = [c.outcome for c in evaluated if c.kind == "quorum"]
    majorities = [c.outcome for c in evaluated if c.kind == "majority"]
    quorum_met = all(q.satisfied for q in quorums)
    for quorum in quorums:
        if outcome in ("adopted", "elected", "rejected") and not quorum.satisfied:
            problems.append(
                _(
                    "recorded as %(outcome)s without the quorum of article %(article)s: "
                    "%(took_part)s took part, %(needed)s needed"
                )
                % {"outcome": outcome, "article": quorum.article, **quorum.figures}
            )
    for majority in majorities:
        if outcome == "adopted" and not majority.satisfied:
            problems.append(
                _(
                    "recorded as adopted without the majority of article %(article)s: "
                    "%(yes)s in favour, %(needed)s needed"
                )
                % {"article": majority.article, **majority.figures}
            )
    if outcome == "rejected" and quorum_met and majorities and all(m.satisfied for m in majorities):
        problems.append(_("recorded as rejected although the quorum and the majority are met"))
    if outcome == "no_quorum" and quorums and quorum_met:
        problems.append(_("recorded as without quorum although the quorum is met"))
    return problems


def decision_anomalies() -> Iterator[Anomaly]:
    rows = Decision.objects.order_by("pk").values_list(
        "reference", "decided_on", "outcome", "figures", "rule_snapshot"
    )
    for reference, decided_on, outcome, figures, snapshot in rows.iterator(chunk_size=2000):
        for problem in recheck_decision(outcome, figures or {}, snapshot or []):
            yield Anomaly(
                "decision_figures",
                reference,
                problem,
                decided_on,
                reverse("decision_detail", args=[reference]),
            )


# ---------------------------------------------------------------------------
# (b) Mandates: overlaps and term limits
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MandateFacts:
    pk: int
    member: str
    member_id: int
    body: str
    body_id: int
    body_code: str
    body_kind: str
    starts_on: dt.date
    ends_on: dt.date


@dataclass(frozen=True)
class TermsInForce:
    """The terms rules of one statute version by scope, from the day it took effect."""

    effective_from: dt.date
    number: int
    by_scope: Mapping[str, tuple[str, rules.TermsRule]] = field(default_factory=dict)


def _terms_rule(
    versions: Sequence[TermsInForce], body_code: str, body_kind: str, on: dt.date
) -> tuple[str, rules.TermsRule] | None:
    """In `lookup.rule_for`'s order (the body's own scope, else its kind's), from memory."""
    in_force = [v for v in versions if v.effective_from <= on]
    if not in_force:
        return None
    version = max(in_force, key=lambda v: (v.effective_from, v.number))
    return lookup.first_in_order(
        version.by_scope, lookup.fallback_scopes(body_code=body_code, body_kind=body_kind)
    )


def mandate_anomalies(
    mandates: Sequence[MandateFacts], versions: Sequence[TermsInForce]
) -> list[Anomaly]:
    """Overlaps between one member's mandates on a body, and terms beyond the rule. Pure."""
    found = []
    by_seat: dict[tuple[int, int], list[MandateFacts]] = defaultdict(list)
    for mandate in mandates:
        by_seat[(mandate.member_id, mandate.body_id)].append(mandate)
    for seat in by_seat.values():
        seat.sort(key=lambda m: (m.starts_on, m.ends_on, m.pk))
        latest_end: MandateFacts | None = None
        run = 0  # consecutive mandates ending with the current one
        for index, mandate in enumerate(seat):
            subject = f"{mandate.member} — {mandate.body}"
            if latest_end is not None and mandate.starts_on <= latest_end.ends_on:
                found.append(
                    Anomaly(
                        "mandate_overlap",
                        subject,
                        _(
                            "the mandate from %(start)s to %(end)s overlaps the one from "
                            "%(other_start)s to %(other_end)s"
                        )
                        % {
                            "start": mandate.starts_on,
                            "end": mandate.ends_on,
                            "other_start": latest_end.starts_on,
                            "other_end": latest_end.ends_on,
                        },
                        mandate.starts_on,
                    )
                )
            previous = seat[index - 1] if index else None
            back_to_back = previous is not None and (mandate.starts_on - previous.ends_on).days <= 1
            run = run + 1 if back_to_back else 1
            if latest_end is None or mandate.ends_on > latest_end.ends_on:
                latest_end = mandate
            terms = _terms_rule(versions, mandate.body_code, mandate.body_kind, mandate.starts_on)
            if terms is None:
                continue
            article, rule = terms
            longest = rules.term_end(rule, mandate.starts_on)
            if mandate.ends_on > longest:
                found.append(
                    Anomaly(
                        "mandate_term",
                        subject,
                        _(
                            "the mandate from %(start)s runs to %(end)s, beyond the %(months)s-month "
                            "term of article %(article)s (until %(longest)s)"
                        )
                        % {
                            "start": mandate.starts_on,
                            "end": mandate.ends_on,
                            "months": rule.length_months,
                            "article": article,
                            "longest": longest,
                        },
                        mandate.starts_on,
                    )
                )
            if rule.max_consecutive is not None and run > rule.max_consecutive:
                found.append(
                    Anomaly(
                        "mandate_term",
                        subject,
                        _(
                            "the mandate from %(start)s is consecutive term number %(run)s; "
                            "article %(article)s allows %(limit)s"
                        )
                        % {
                            "start": mandate.starts_on,
                            "run": run,
                            "article": article,
                            "limit": rule.max_consecutive,
                        },
                        mandate.starts_on,
                    )
                )
    return found


def terms_in_force() -> list[TermsInForce]:
    """Every statute version with its terms rules (two queries)."""
    by_version: dict[int, dict[str, tuple[str, rules.TermsRule]]] = defaultdict(dict)
    for version_id, scope, params, article in (
        Rule.objects.filter(kind="terms")
        .order_by("article", "pk")
        .values_list("article__version_id", "scope", "params", "article__number")
    ):
        try:
            parsed = rules.parse_rule("terms", params)
        except rules.RuleError:
            continue  # a stored rule was validated when its version was adopted
        by_version[version_id].setdefault(scope, (article, parsed))  # the first article's
    return [
        TermsInForce(effective_from, number, by_version.get(pk, {}))
        for pk, effective_from, number in StatuteVersion.objects.values_list(
            "pk", "effective_from", "number"
        )
    ]


def mandate_anomalies_in_db() -> list[Anomaly]:
    mandates = [
        MandateFacts(
            pk=m.pk,
            member=m.member.full_name,
            member_id=m.member_id,
            body=m.body.name,
            body_id=m.body_id,
            body_code=m.body.code,
            body_kind=m.body.kind,
            starts_on=m.starts_on,
            ends_on=m.ends_on,
        )
        for m in Mandate.objects.select_related("member", "body").order_by("pk")
    ]
    found = mandate_anomalies(mandates, terms_in_force())
    urls = {m.body_id: m.body_code for m in mandates}
    codes = {f"{m.member} — {m.body}": urls[m.body_id] for m in mandates}
    return [
        Anomaly(a.kind, a.subject, a.message, a.on, reverse("body_detail", args=[codes[a.subject]]))
        for a in found
    ]


# ---------------------------------------------------------------------------
# (d) Events by accounts that lacked the role
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class EventFacts:
    sequence: int
    on: dt.date
    actor_id: int
    actor: str
    action: str
    object_type: str
    object_id: str
    object_label: str
    body_id: int | None = None  # for an officer action: the body it acts for


@dataclass(frozen=True)
class Seat:
    """A mandate as the role check needs it."""

    body_id: int
    unit_id: int
    is_board: bool
    starts_on: dt.date
    ends_on: dt.date


@dataclass
class FlagHistory:
    """An account's staff and auditor flags over time, rebuilt from ``account.*`` events.

    `changes` are (sequence, is_staff, is_auditor) in order: the flags from that event on.
    Before the first change, the flags are the first change's old values, or, without any
    change, the account's creation values or else its flags today.
    """

    initial: tuple[bool, bool]
    changes: list[tuple[int, bool, bool]] = field(default_factory=list)

    def at(self, sequence: int) -> tuple[bool, bool]:
        flags = self.initial
        for changed_at, staff, auditor in self.changes:
            if changed_at >= sequence:
                break
            flags = (staff, auditor)
        return flags


def role_anomalies(
    events: Iterable[EventFacts],
    *,
    flags: Mapping[int, FlagHistory],
    seats: Mapping[int, Sequence[Seat]],
    units: Mapping[int, int],
    superusers: frozenset[int],
    officer_actions: frozenset[str],
) -> list[Anomaly]:
    """Which events were taken by an account without the role that day. Pure.

    `seats` are the mandates of the member linked to each account, `units` each body's
    unit. An auditor account may write nothing; an officer action needs a mandate on the
    body, or on a board of the body's unit, that day (staff may act for any body); a staff
    action needs the staff flag; an account action needs the administrator.
    """
    found = []
    for event in events:
        history = flags.get(event.actor_id)
        staff, auditor = history.at(event.sequence) if history else (False, False)
        subject = f"#{event.sequence} {event.action}"
        details = {"actor": event.actor, "action": event.action, "object": event.object_label}
        if auditor:
            found.append(
                Anomaly(
                    "event_without_role",
                    subject,
                    _(
                        "%(actor)s held the auditor role, which changes nothing, yet wrote %(action)s on %(object)s"
                    )
                    % details,
                    event.on,
                )
            )
        elif event.action in SUPERUSER_ACTIONS:
            if event.actor_id not in superusers:
                found.append(
                    Anomaly(
                        "event_without_role",
                        subject,
                        _(
                            "%(actor)s is not the platform administrator, yet wrote %(action)s on %(object)s"
                        )
                        % details,
                        event.on,
                    )
                )
        elif event.action in STAFF_ACTIONS:
            if not staff:
                found.append(
                    Anomaly(
                        "event_without_role",
                        subject,
                        _("%(actor)s was not staff on %(on)s, yet wrote %(action)s on %(object)s")
                        % {**details, "on": event.on},
                        event.on,
                    )
                )
        elif event.action in officer_actions and not staff:
            unit = units.get(event.body_id) if event.body_id is not None else None
            held = any(
                seat.starts_on <= event.on <= seat.ends_on
                and (seat.body_id == event.body_id or (seat.is_board and seat.unit_id == unit))
                for seat in seats.get(event.actor_id, ())
            )
            if not held:
                found.append(
                    Anomaly(
                        "event_without_role",
                        subject,
                        _(
                            "%(actor)s held no mandate on the body (or its unit's board) on "
                            "%(on)s and was not staff, yet wrote %(action)s on %(object)s"
                        )
                        % {**details, "on": event.on},
                        event.on,
                    )
                )
    return found


def _flag_histories() -> dict[int, FlagHistory]:
    """Every account's flags, from its creation and role-change events (two queries)."""
    today = {
        pk: (staff, auditor)
        for pk, staff, auditor in User.objects.values_list("pk", "is_staff", "is_auditor")
    }
    histories = {pk: FlagHistory(initial=flags) for pk, flags in today.items()}
    seen: set[int] = set()
    events = (
        AuditEvent.objects.filter(
            object_type=User._meta.label_lower,
            action__in=["account.created", "account.roles_changed"],
        )
        .order_by("sequence")
        .values_list("sequence", "action", "object_id", "old", "new")
    )
    for sequence, action, object_id, old, new in events.iterator(chunk_size=2000):
        pk = _whole(object_id)
        if pk not in histories:
            continue
        new = new if isinstance(new, dict) else {}
        old = old if isinstance(old, dict) else {}
        history = histories[pk]
        if action == "account.created":
            history.initial = (bool(new.get("is_staff")), bool(new.get("is_auditor")))
            seen.add(pk)
            continue
        if pk not in seen:
            history.initial = (bool(old.get("is_staff")), bool(old.get("is_auditor")))
            seen.add(pk)
        history.changes.append((sequence, bool(new.get("is_staff")), bool(new.get("is_auditor"))))
    return histories


def event_anomalies() -> list[Anomaly]:
    """Read what `role_anomalies` needs: a fixed number of queries, whatever the log's size."""
    officer = {spec.object_type: spec for spec in _officer_actions.values()}
    officer_actions = frozenset().union(*(spec.actions for spec in officer.values()))
    auditors_ever = set(User.objects.filter(is_auditor=True).values_list("pk", flat=True)) | {
        _whole(pk)
        for pk in AuditEvent.objects.filter(action="account.roles_changed").values_list(
            "object_id", flat=True
        )
    }
    interesting = AuditEvent.objects.filter(actor__isnull=False).filter(
        Q(action__in=officer_actions | STAFF_ACTIONS | SUPERUSER_ACTIONS)
        | Q(actor_id__in=[pk for pk in auditors_ever if pk is not None])
    )
    rows = list(interesting.order_by("sequence").values_list(*EVENT_FIELDS))
    wanted: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        spec = officer.get(row[5])
        if spec is not None and row[4] in spec.actions:
            wanted[row[5]].add(row[6])
    bodies = {
        object_type: officer[object_type].bodies_of(ids) for object_type, ids in wanted.items()
    }
    events = [
        EventFacts(
            sequence,
            timezone.localdate(occurred_at),
            actor_id,
            actor_label,
            action,
            object_type,
            object_id,
            object_label,
            bodies.get(object_type, {}).get(object_id),
        )
        for sequence, occurred_at, actor_id, actor_label, action, object_type, object_id, object_label in rows
    ]
    members = dict(Member.objects.filter(user__isnull=False).values_list("pk", "user_id"))
    seats: dict[int, list[Seat]] = defaultdict(list)
    for member_id, body_id, unit_id, kind, starts_on, ends_on in Mandate.objects.filter(
        member_id__in=members
    ).values_list("member_id", "body_id", "body__unit_id", "body__kind", "starts_on", "ends_on"):
        seats[members[member_id]].append(
            Seat(body_id, unit_id, kind == Body.Kind.BOARD, starts_on, ends_on)
        )
    found = role_anomalies(
        events,
        flags=_flag_histories(),
        seats=seats,
        units=dict(Body.objects.values_list("pk", "unit_id")),
        superusers=frozenset(User.objects.filter(is_superuser=True).values_list("pk", flat=True)),
        officer_actions=officer_actions,
    )
    audit_url = reverse("audit_log")
    actions = {f"#{e.sequence} {e.action}": e.action for e in events}
    return [
        Anomaly(a.kind, a.subject, a.message, a.on, f"{audit_url}?action={actions[a.subject]}")
        for a in found
    ]


def bodies_by_id(model, path: str = "body_id") -> Callable[[set[str]], dict[str, int]]:
    """A `bodies_of` for `register_officer_actions`: each object's body through `path`."""

    def bodies_of(ids: set[str]) -> dict[str, int]:
        pks = [pk for pk in (_whole(i) for i in ids) if pk is not None]
        return {
            str(pk): body_id
            for pk, body_id in model.objects.filter(pk__in=pks).values_list("pk", path)
        }

    return bodies_of


# Governance's own officer actions; the voting engine and motions register theirs.
register_officer_actions("governance.decision", {"decision.recorded"}, bodies_by_id(Decision))
register_officer_actions(
    "governance.mandate", {"mandate.created", "mandate.ended"}, bodies_by_id(Mandate)
)
register_officer_actions("governance.assembly", {"assembly.convened"}, bodies_by_id(Assembly))
