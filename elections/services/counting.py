"""Closing, counting, publishing and cancelling: the work of the lifecycle's steps, and the seats filled."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from elections import ballot_box, counting, integrity, signals, tasks
from elections.counting import papers as paper_format
from elections.models import (
    Ballot,
    BallotPaper,
    Candidate,
)
from elections.services.reads import ballot_list
from governance import services as governance
from governance.audit import log as audit
from governance.exceptions import DomainError
from governance.models import Mandate
from governance.statutes import rules
from governance.statutes.lookup import require_rule_for, rule_for


def _close(ballot: Ballot, actor) -> dict:
    ballot.closed_at = timezone.now()
    if ballot.secret:
        # The board is frozen: what the trustees decrypt is fixed now (totals or a mix),
        # prepared by the task worker after the close commits (`_prepare_tally`).
        box = ballot_box.BallotBox.objects.select_for_update().get(ballot=ballot)
        box.tally_state = ballot_box.TALLY.WAITING
        box.save(update_fields=["tally_state"])
    return {"early": ballot.closed_at < ballot.closes_at}


def _prepare_tally(ballot: Ballot, actor) -> None:
    """After the close (or an officer's retry) commits, the task worker prepares the tally."""
    if ballot.secret:
        box_id = ballot_box.BallotBox.objects.values_list("pk", flat=True).get(ballot=ballot)
        transaction.on_commit(lambda: tasks.prepare_tally.enqueue(box_id))


def _retry_tally(ballot: Ballot, actor) -> dict:
    """A tally that failed waits for the worker again (the reason it failed is kept)."""
    return ballot_box.retry_tally(ballot)


def _box_of(ballot: Ballot):
    """The ballot's box: joined by the console's query (`with_context`), else one read."""
    try:
        return ballot.box
    except ballot_box.BallotBox.DoesNotExist:
        return None


def _count_guard(ballot: Ballot) -> str:
    """A secret ballot is counted only once the task worker has mixed its tally (or added
    its totals): the count's request never prepares it (`ballot_box.tally_hindrance`)."""
    if not ballot.secret or ballot.status != Ballot.Status.CLOSED:
        return ""
    box = _box_of(ballot)
    if box is None:
        return _("This ballot has no ballot box to tally.")
    return ballot_box.tally_hindrance(box)


def _retry_guard(ballot: Ballot) -> str:
    """Only a secret ballot's tally that failed, or that is stuck in mixing, is retried."""
    if ballot.status != Ballot.Status.CLOSED:
        return ""
    return ballot_box.retry_hindrance(_box_of(ballot) if ballot.secret else None)


def papers_for_count(ballot: Ballot) -> list[tuple[Any, int]]:
    """Every paper's content value with its weight: online papers and confirmed batches."""
    found = [
        (paper_format.value_of(ballot.method, content), weight)
        for content, weight in ballot.papers.values_list("content", "weight")
    ]
    for content in ballot.paper_counts.confirmed().values_list("content", flat=True):
        found.extend((paper, number) for paper, number in content["groups"])
    return found


def tally_ballot(ballot: Ballot):
    """The count of the ballot's papers by its method (pure counting, no rule applied)."""
    papers = papers_for_count(ballot)
    codes = [c.code for c in ballot.candidates.exclude(status=Candidate.Status.WITHDRAWN)]
    if ballot.yes_no:
        return counting.count_yes_no(p for paper, weight in papers for p in [paper] * weight)
    grouped: Counter = Counter()
    for paper, weight in papers:
        grouped[tuple(paper)] += weight
    return counting.tally(
        ballot.method,
        ballot.seats,
        codes,
        grouped,
        seed=ballot.seed,
        max_approvals=ballot.max_approvals,
    )


def _count(ballot: Ballot, actor) -> dict:
    if ballot.paper_counts.pending().exists():
        raise DomainError(_("A batch of paper results awaits a second teller's confirmation."))
    stored = integrity.turnout(ballot)
    # A vote with no audit event, or an event with no vote, first: nothing else then holds.
    problems = integrity.unaudited_votes([ballot.pk]).get(ballot.pk, [])
    problems += integrity.turnout_problems(stored)
    if problems:
        raise DomainError(
            _("The count is refused: %(problems)s.") % {"problems": "; ".join(problems)}
        )
    on = timezone.localdate(ballot.closed_at or timezone.now())
    encrypted = _decrypt_for_count(ballot) if ballot.secret else None
    eligible = stored.entitled
    # A vote in the room: the quorum is of every member entitled to vote in the
    # assembly, not only of those on the roll (present or represented).
    quorum_base = eligible if ballot.quorum_eligible is None else ballot.quorum_eligible
    result = tally_ballot(ballot)
    took_part = stored.took_part
    figures: dict[str, Any] = {
        "eligible": quorum_base,
        "took_part": took_part,
        "method": ballot.method,
    }
    if ballot.quorum_eligible is not None:
        figures["on_roll"] = eligible
    applied = []
    # A scope with a majority of its own but no quorum (the demo's IC motions, article
    # 11) still needs the deciding body's quorum: the meeting must be able to decide.
    quorum_rule = rule_for("quorum", ballot.rule_scope, body=ballot.body, on=on)
    quorum_met = True
    if quorum_rule is not None:
        quorum = rules.evaluate_quorum(
            quorum_rule.parsed(),
            eligible=quorum_base,
            took_part=min(took_part, quorum_base),
            convocation=ballot.convocation,
            article=quorum_rule.article.number,
        )
        applied.append((quorum_rule, quorum))
        quorum_met = quorum.satisfied
    names = dict(ballot.candidates.values_list("code", "name"))
    if ballot.yes_no:
        figures.update(
            yes=result.yes,
            no=result.no,
            abstain=result.abstain,
            blank=result.blank,
            invalid=result.invalid,
        )
        majority_rule = require_rule_for("majority", ballot.rule_scope, on=on)
        majority = rules.evaluate_majority(
            majority_rule.parsed(),
            yes=result.yes,
            no=result.no,
            abstain=result.abstain,
            blank=result.blank,
            eligible=max(eligible, result.total),
            article=majority_rule.article.number,
        )
        applied.append((majority_rule, majority))
        outcome = (
            "no_quorum" if not quorum_met else ("adopted" if majority.satisfied else "rejected")
        )
    else:
        figures.update(
            seats=ballot.seats,
            valid=result.valid,
            blank=result.blank,
            invalid=result.invalid,
            elected=[names.get(code, code) for code in result.elected],
        )
        outcome = "elected" if quorum_met else "no_quorum"
    ballot.result = audit.jsonable(
        {"count": result.as_dict(), "figures": figures, "names": names, "outcome": outcome}
    )
    if encrypted is not None:
        ballot.result["encrypted"] = encrypted
    decision = governance.record_decision(
        actor=actor,
        body=ballot.body,
        title=ballot.title,
        text=ballot.question or ballot.title,
        article=ballot.article,
        outcome=outcome,
        decided_on=on,
        applied=applied,
        figures=figures,
        assembly=ballot.assembly,
    )
    ballot.decision = decision
    if ballot.elects_body_id is not None and outcome == "elected":
        seat_the_elected(ballot=ballot, decision=decision, elected=result.elected, on=on)
    return {"decision": decision.reference}


def _counted(ballot: Ballot, actor) -> None:
    signals.ballot_counted.send(sender=Ballot, ballot=ballot, decision=ballot.decision, actor=actor)


def _reserved_seat_criteria(terms, on: dt.date) -> dict:
    """Each reserved-seat kind the terms rule defines, with who may take such a seat.

    The statutes' rules (governance.statutes.rules.TermsRule) define one criterion, the age
    of a youth seat (`youth_max_age`); a kind named in `reserved_seats` without a criterion
    in the rules cannot be allocated and is left out.
    """
    criteria = {}
    if terms is not None and terms.youth_max_age is not None:
        age = terms.youth_max_age
        criteria["youth"] = lambda member: (
            member.birth_date is not None and rules.age_on(member.birth_date, on) <= age
        )
    return criteria


def seat_the_elected(
    *, ballot: Ballot, decision, elected: Sequence[str], on: dt.date
) -> list[Mandate]:
    """The decision of an election seats those it elected, in its transaction (count_ballot).

    The body's ordinary mandates current that day are ended the day before (they are the
    seats the election fills; a chair or other office stays, unless its holder is elected).
    Each elected candidate, in the order of election, gets a mandate from the decision's date
    for the terms rule's length. A reserved seat of each kind the terms rule defines (its
    number: the rule's `reserved_seats`, within the body's own reserved seats) goes to the
    first elected who qualify, less the reserved seats that mandates staying on the body
    already take for the new term. An elected candidate who holds another office on the body
    has it ended the day before, for the decision, and takes the new term instead; a mandate
    on another body is kept beside the new one, the statutes' rules having no incompatibility
    between bodies. Written by the platform (the audit events name the decision); statute
    refusals (term limits) roll the whole count back.
    """
    body = ballot.elects_body
    reason = _("Replaced by the election %(reference)s") % {"reference": decision.reference}
    members = {
        c.code: c.member
        for c in ballot.candidates.select_related("member").filter(code__in=list(elected))
    }
    elected_ids = {member.pk for member in members.values() if member is not None}
    replaced = (
        Mandate.objects.current(on)
        .filter(body=body)
        .filter(Q(role=Mandate.Role.MEMBER) | Q(member_id__in=elected_ids))
    )
    for mandate in replaced:
        governance.end_mandate(
            actor=governance.SYSTEM,
            mandate=mandate,
            ends_on=max(mandate.starts_on, on - dt.timedelta(days=1)),
            reason=reason,
        )
    terms_rule = rule_for("terms", body=body, on=on)
    terms = terms_rule.parsed() if terms_rule else None
    criteria = _reserved_seat_criteria(terms, on)
    staying = Mandate.objects.filter(body=body, ends_on__gte=on)
    free = {}
    for kind in criteria:
        # Only the youth seat has a column of its own on the body and the mandate.
        reserved = min((terms.reserved_seats or {}).get(kind, 0), body.reserved_youth_seats)
        free[kind] = max(0, reserved - staying.filter(on_youth_seat=True).count())
    seated = []
    for code in elected:
        member = members.get(code)
        if member is None:
            continue
        seat = next((k for k, ok in criteria.items() if free[k] > 0 and ok(member)), None)
        seated.append(
            governance.create_mandate(
                actor=governance.SYSTEM,
                member=member,
                body=body,
                role=Mandate.Role.MEMBER,
                starts_on=on,
                decision=decision,
                on_youth_seat=seat == "youth",
            )
        )
        if seat is not None:
            free[seat] -= 1
    return seated


def _decrypt_for_count(ballot: Ballot) -> dict[str, Any]:
    """The board checked and the tally the task worker prepared decrypted by k trustees;
    the papers for the count.

    Refuses if the tally is not mixed yet (the step's guard asked it already; asked again
    under the box's lock) or the board's length is not the participations' weight. The
    decrypted papers (ranked: the mix's order) are written as the ballot's papers for the
    counting code.
    """
    box = ballot_box.BallotBox.objects.select_for_update().get(ballot=ballot)
    if waits := ballot_box.tally_hindrance(box):
        raise DomainError(waits)
    ballot_box.check_board(box)
    contents = ballot_box.counted_contents(box, ballot_box.decrypt_tally(box))
    BallotPaper.objects.bulk_create(
        [
            BallotPaper(
                ballot=ballot,
                content=content,
                weight=1,
                receipt_fingerprint=ballot_box.mixed_fingerprint(box, n),
            )
            for n, content in enumerate(contents)
        ],
        batch_size=2000,
    )
    demo_trustees = not box.demo_secret and box.trustees.filter(is_demo=True).exists()
    return {
        "board_length": box.length,
        "board_head": box.head,
        "threshold": box.threshold,
        "trustees": 1 if box.demo_secret else box.trustees.count(),
        # A demonstration either way: the server's 1-of-1 key, or trustees whose private
        # files the platform keeps (`demo_trustees`, so the pages say which).
        "demo_key": bool(box.demo_secret) or demo_trustees,
        "demo_trustees": demo_trustees,
        "decrypted": box.tally["kind"],
    }


def _publish(ballot: Ballot, actor) -> None:
    problems = count_problems(ballot)
    if problems:
        raise DomainError(
            _("The results cannot be published: %(problems)s.") % {"problems": "; ".join(problems)}
        )


def _announce(ballot: Ballot, actor) -> None:
    transaction.on_commit(lambda: tasks.send_results.enqueue(ballot.pk))


def count_problems(ballot: Ballot, recount: dict[str, Any] | None = None) -> list[str]:
    """What does not add up in a counted ballot, in words; empty when everything holds.

    The stored figures (papers = participations online, took part <= entitled), one audit
    event per participation (`integrity.unaudited_votes`) and the decision's figures
    against a recount of the ballot's list of papers (`recount`, the
    `tally_file` result, is computed when not given). Asked by the publication,
    `recount_published` and the anomaly report.
    """
    stored = integrity.turnout(ballot)
    # A vote with no audit event, or an event with no vote, first: nothing else then holds.
    problems = integrity.unaudited_votes([ballot.pk]).get(ballot.pk, [])
    problems += integrity.turnout_problems(stored)
    if recount is None:
        recount = counting.tally_file(counting.write_export(ballot_list(ballot)))
    if ballot.decision is not None:
        problems += integrity.figure_differences(
            ballot.decision.figures,
            recount=recount,
            figures=stored,
            names=dict(ballot.candidates.values_list("code", "name")),
            quorum_eligible=ballot.quorum_eligible,
        )
    return problems


def _cancelled(ballot: Ballot, actor, *, reason: str) -> None:
    signals.ballot_cancelled.send(sender=Ballot, ballot=ballot, actor=actor)
