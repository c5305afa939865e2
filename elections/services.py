"""Writes of the voting engine: one transaction each, role and statute checks first, audit event last.

The ballot lifecycle is explicit (`BALLOT`, a `governance.lifecycle` table): draft → open →
closed → counted → published, and cancelled from draft, open or closed; `open_ballot` and
the other steps take it through `lifecycle.take`. Casting and closing lock the ballot
row, so a vote racing the close is either committed before the close (and counted) or
sees the ballot closed (and is refused): a receipt is only ever given for a vote that is
in the count.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from elections import ballot_box, counting, integrity, signals, tasks
from elections.counting import papers as paper_format
from elections.models import (
    Ballot,
    BallotPaper,
    Candidate,
    NamedVote,
    PaperCount,
    Participation,
    Proxy,
    RollEntry,
)
from governance import lifecycle, limits
from governance import services as governance
from governance.assemblies import services as assemblies
from governance.audit import log as audit
from governance.audit.log import model_values
from governance.exceptions import DomainError, NotAllowed, RuleViolation
from governance.models import Assembly, Body, Mandate, Member, StatuteVersion
from governance.permissions import ensure_may_act_for_body, ensure_may_write
from governance.statutes import eligibility, rules
from governance.statutes.lookup import require_rule_for, rule_for
from governance.statutes.text import scope_in_words

S = Ballot.Status

METHODS_BY_KIND = {
    Ballot.Kind.QUESTION: {Ballot.Method.YESNO},
    Ballot.Kind.ROLL_CALL: {Ballot.Method.YESNO},
    Ballot.Kind.ELECTION: {
        Ballot.Method.PLURALITY,
        Ballot.Method.APPROVAL,
        Ballot.Method.IRV,
        Ballot.Method.STV,
        Ballot.Method.MEEK,
    },
}


def _locked(ballot: Ballot) -> Ballot:
    """The ballot row, locked until the transaction ends.

    Voters and the closer queue on this lock in arrival order (PostgreSQL queues
    conflicting row locks fairly; a shared lock for voters would let a stream of votes
    starve the chair's close). Votes append to the audit chain, which serialises them
    anyway, so the lock costs no throughput. On SQLite, transactions are IMMEDIATE: the
    database is already locked for writing.
    """
    return (
        Ballot.objects.select_for_update(no_key=True, of=("self",))
        .select_related("body")
        .get(pk=ballot.pk)
    )


def _member_of(user) -> Member:
    member = getattr(user, "member", None) if user is not None else None
    if member is None:
        raise NotAllowed(_("Only members on the roll may do this."))
    return member


# ---------------------------------------------------------------------------
# Drafting
# ---------------------------------------------------------------------------


def create_ballot(
    *,
    actor,
    body: Body,
    title: str,
    kind: str,
    method: str,
    rule_scope: str,
    article,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    question: str = "",
    seats: int = 1,
    max_approvals: int | None = None,
    secret: bool = True,
    electorate: str = Ballot.Electorate.MEMBERS,
    elects_body: Body | None = None,
    assembly=None,
    convocation: int = 1,
) -> Ballot:
    """Officers of the deciding body draft a ballot; it opens later, by `open_ballot`."""
    ensure_may_act_for_body(actor, body)
    limits.check_line(title, field="title", model=Ballot)
    limits.check_text(question, field="question")
    if seats > settings.LIMIT_CANDIDATES:
        raise DomainError(
            _("A ballot fills at most %(limit)s seats.") % {"limit": settings.LIMIT_CANDIDATES},
            field="seats",
        )
    if not title.strip():
        raise DomainError(_("Give the ballot a title."), field="title")
    if kind not in Ballot.Kind.values:
        raise DomainError(_("Unknown kind of ballot."), field="kind")
    if method not in METHODS_BY_KIND[kind]:
        raise DomainError(
            _("This counting method does not fit this kind of ballot."), field="method"
        )
    if kind == Ballot.Kind.ROLL_CALL:
        secret, electorate = False, Ballot.Electorate.BODY
    if seats < 1 or (method in (Ballot.Method.YESNO, Ballot.Method.IRV) and seats != 1):
        raise DomainError(_("This method fills exactly one seat."), field="seats")
    if max_approvals is not None and method != Ballot.Method.APPROVAL:
        raise DomainError(_("Only approval ballots limit approvals."), field="max_approvals")
    if closes_at <= opens_at:
        raise DomainError(_("The ballot must close after it opens."), field="closes_at")
    if convocation not in (1, 2):
        raise DomainError(_("The convocation is the first or the second."), field="convocation")
    if electorate not in Ballot.Electorate.values:
        raise DomainError(_("Unknown electorate."), field="electorate")
    if electorate == Ballot.Electorate.ASSEMBLY:
        if assembly is None:
            raise DomainError(
                _("A vote in the room needs the assembly it is taken at."), field="assembly"
            )
        if assembly.body_id != body.pk:
            raise DomainError(_("The assembly is a meeting of another body."), field="assembly")
        if assembly.status not in (Assembly.Status.CONVENED, Assembly.Status.IN_SESSION):
            raise DomainError(
                _("The assembly is %(status)s: no vote can be taken at it.")
                % {"status": assembly.get_status_display().lower()},
                field="assembly",
            )
        # The quorum of a vote in the room is the meeting's: its convocation.
        convocation = assembly.convocation
    in_force = StatuteVersion.objects.in_force(timezone.localdate(opens_at))
    if in_force is None or article.version_id != in_force.pk:
        raise DomainError(
            _("Cite an article of the statutes in force when the ballot opens."), field="article"
        )
    if (
        method == Ballot.Method.YESNO
        and rule_for("majority", rule_scope, on=in_force.effective_from) is None
    ):
        raise RuleViolation(
            _("The statutes in force have no majority rule for %(scope)s.")
            % {"scope": scope_in_words(rule_scope)},
            field="rule_scope",
        )
    with transaction.atomic():
        ballot = Ballot.objects.create(
            title=title.strip(),
            question=question,
            body=body,
            assembly=assembly,
            elects_body=elects_body,
            kind=kind,
            method=method,
            seats=seats,
            max_approvals=max_approvals,
            secret=secret,
            electorate=electorate,
            rule_scope=rule_scope,
            article=article,
            convocation=convocation,
            opens_at=opens_at,
            closes_at=closes_at,
            seed=secrets.token_hex(16),
            created_by=actor,
        )
        audit.record(actor, "ballot.created", ballot, new=model_values(ballot))
    return ballot


def _check_candidate_eligibility(ballot: Ballot, member: Member) -> None:
    """The statutes' rules for standing: the election eligibility rule and the term limit."""
    on = timezone.localdate(ballot.opens_at)
    rule = rule_for("eligibility", "election", on=on)
    if rule is not None:
        standing = Member.objects.with_standing(on.year).get(pk=member.pk)
        outcome = rules.evaluate_eligibility(
            rule.parsed(), standing.facts(on=on), on=on, article=rule.article.number
        )
        if not outcome.satisfied:
            raise RuleViolation(
                _("%(name)s cannot stand: article %(article)s (%(reasons)s).")
                % {
                    "name": member.full_name,
                    "article": rule.article.number,
                    "reasons": ", ".join(outcome.figures["failed"]),
                },
                field="member",
            )
    body = ballot.elects_body
    if body is not None:
        terms = rule_for("terms", body=body, on=on)
        if terms is not None:
            outcome = rules.check_term_limit(
                terms.parsed(),
                consecutive_terms_served=governance.consecutive_terms(member, body, on),
                article=terms.article.number,
            )
            if not outcome.satisfied:
                raise RuleViolation(
                    _(
                        "%(name)s has reached the limit of consecutive terms on %(body)s (article %(article)s)."
                    )
                    % {
                        "name": member.full_name,
                        "body": body.name,
                        "article": terms.article.number,
                    },
                    field="member",
                )


def nominate_candidate(
    *, actor, ballot: Ballot, member: Member | None = None, name: str = "", statement: str = ""
) -> Candidate:
    """Nominate a candidate (or add an option) to a draft election.

    A member nominating themselves stands at once; a nomination by someone else waits for
    the nominee's consent. Officers may add an option that is not a person (a name only).
    Eligibility and the term limit come from the statutes in force when the ballot opens.
    """
    roles = ensure_may_write(actor)
    if ballot.kind != Ballot.Kind.ELECTION:
        raise DomainError(_("Only elections have candidates."))
    limits.check_line(name, field="name", model=Candidate)
    limits.check_text(statement, field="statement")
    if member is None:
        ensure_may_act_for_body(actor, ballot.body)
        if not name.strip():
            raise DomainError(_("Give the option a name."), field="name")
    elif not roles.member:
        raise NotAllowed(_("Only members may nominate."))
    with transaction.atomic():
        ballot = _locked(ballot)
        if ballot.status != S.DRAFT:
            raise DomainError(_("Nominations close when the ballot opens."))
        if member is not None:
            if ballot.candidates.filter(member=member).exists():
                raise DomainError(
                    _("%(name)s is already nominated.") % {"name": member.full_name}, field="member"
                )
            _check_candidate_eligibility(ballot, member)
        position = ballot.candidates.count() + 1
        limits.check_candidates(position - 1)
        self_nominated = member is not None and member.user_id == actor.pk
        candidate = Candidate.objects.create(
            ballot=ballot,
            code=f"c{position}",
            member=member,
            name=member.full_name if member else name.strip(),
            statement=statement,
            position=position,
            status=Candidate.Status.STANDING
            if member is None or self_nominated
            else Candidate.Status.NOMINATED,
            nominated_by=actor,
        )
        audit.record(actor, "candidate.nominated", candidate, new=model_values(candidate))
    return candidate


def consent_to_nomination(*, actor, candidate: Candidate) -> Candidate:
    """The nominee accepts a nomination made by someone else; they then stand."""
    ensure_may_write(actor)
    with transaction.atomic():
        candidate = (
            Candidate.objects.select_for_update(of=("self",))
            .select_related("member", "ballot")
            .get(pk=candidate.pk)
        )
        if candidate.member is None or candidate.member.user_id != actor.pk:
            raise NotAllowed(_("Only the nominee can accept a nomination."))
        if candidate.ballot.status != S.DRAFT or candidate.status != Candidate.Status.NOMINATED:
            raise DomainError(_("This nomination is not awaiting consent."))
        candidate.status = Candidate.Status.STANDING
        candidate.save(update_fields=["status"])
        audit.record(
            actor,
            "candidate.consented",
            candidate,
            old={"status": "nominated"},
            new={"status": "standing"},
        )
    return candidate


def withdraw_candidate(*, actor, candidate: Candidate) -> Candidate:
    """The candidate (or an officer of the body) withdraws before the ballot opens."""
    ensure_may_write(actor)
    with transaction.atomic():
        candidate = (
            Candidate.objects.select_for_update(of=("self",))
            .select_related("member", "ballot__body")
            .get(pk=candidate.pk)
        )
        if candidate.member is None or candidate.member.user_id != actor.pk:
            ensure_may_act_for_body(actor, candidate.ballot.body)
        if candidate.ballot.status != S.DRAFT:
            raise DomainError(_("A candidate can only withdraw before the ballot opens."))
        if candidate.status == Candidate.Status.WITHDRAWN:
            raise DomainError(_("This candidate has already withdrawn."))
        old = candidate.status
        candidate.status = Candidate.Status.WITHDRAWN
        candidate.save(update_fields=["status"])
        audit.record(
            actor,
            "candidate.withdrawn",
            candidate,
            old={"status": old},
            new={"status": "withdrawn"},
        )
    return candidate


# ---------------------------------------------------------------------------
# Opening: the roll is frozen
# ---------------------------------------------------------------------------


def eligible_voters(ballot: Ballot, on: dt.date) -> list[int]:
    """Who may vote, by member id, per the statutes in force on `on`: the roll `open_ballot` freezes.

    The body's current seats for a roll call, the statutes' eligibility rule otherwise
    (`governance.statutes.eligibility`, which the assemblies use too). A vote in the room takes its
    roll from the assembly instead: see `_room_roll`.
    """
    body = ballot.body if ballot.electorate == Ballot.Electorate.BODY else None
    return eligibility.entitled_member_ids(on, body=body)


def _freeze_roll(ballot: Ballot, voters: list[int]) -> None:
    """Write the roll: on PostgreSQL one ``INSERT ... SELECT unnest(array)`` statement.

    The same rows as `bulk_create` without a model instance, a placeholder and a bound
    parameter per voter (at 100,000 voters that was most of the opening's time); other
    databases take `bulk_create` in batches.
    """
    if connection.vendor != "postgresql":
        RollEntry.objects.bulk_create(
            [RollEntry(ballot=ballot, member_id=pk) for pk in voters], batch_size=2000
        )
        return
    table = connection.ops.quote_name(RollEntry._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (ballot_id, member_id, weight) "
            "SELECT %s, voter, 1 FROM unnest(%s::bigint[]) AS voter",
            [ballot.pk, voters],
        )


def _room_roll(ballot: Ballot) -> tuple[list[int], list[tuple[int, int]], int]:
    """A vote in the room: (voters, proxies as (giver, holder), the number entitled).

    The voters are the members present and entitled to vote, and the givers of the live
    proxies whose holder is present; the number entitled is the assembly's quorum base.
    """
    assembly = Assembly.objects.select_related("body").get(pk=ballot.assembly_id)
    if assembly.status != Assembly.Status.IN_SESSION:
        raise DomainError(
            _("A vote in the room opens while the assembly is in session."), field="assembly"
        )
    here = assemblies.room(assembly)
    return here.voter_ids, here.proxies, here.eligible


def open_ballot(*, actor, ballot: Ballot) -> Ballot:
    """Officers open a draft ballot: the electoral roll is frozen from the statutes in force.

    Later changes to the membership do not change an open ballot's roll. Invitations are
    sent after the transaction commits.
    """
    return lifecycle.take(BALLOT.steps["open"], ballot, actor)


def _open(ballot: Ballot, actor) -> dict:
    now = timezone.now()
    if now >= ballot.closes_at:
        raise DomainError(
            _("The closing time has passed; change it before opening."), field="closes_at"
        )
    if ballot.kind == Ballot.Kind.ELECTION:
        if ballot.candidates.filter(status=Candidate.Status.NOMINATED).exists():
            raise DomainError(
                _("Some nominations still await the nominee's consent: withdraw them or wait.")
            )
        if not ballot.candidates.filter(status=Candidate.Status.STANDING).exists():
            raise DomainError(_("An election needs at least one candidate standing."))
    room_proxies: list[tuple[int, int]] = []
    if ballot.electorate == Ballot.Electorate.ASSEMBLY:
        voters, room_proxies, ballot.quorum_eligible = _room_roll(ballot)
    else:
        voters = eligible_voters(ballot, timezone.localdate(now))
    if not voters:
        raise RuleViolation(_("Nobody is entitled to vote in this ballot."))
    _freeze_roll(ballot, voters)
    # A proxy carried into the room becomes the ballot's: the holder casts it with
    # `cast_vote(on_behalf_of=giver)`, like a proxy given online.
    Proxy.objects.bulk_create(
        [
            Proxy(ballot=ballot, giver_id=giver, holder_id=holder, created_at=now)
            for giver, holder in room_proxies
        ]
    )
    if ballot.secret:
        ballot_box.prepare_for_opening(ballot, candidate_codes(ballot))
    ballot.opened_at = now
    if ballot.opens_at > now:
        ballot.opens_at = now
    opened = {"roll_size": len(voters), "seed": ballot.seed}
    if ballot.electorate == Ballot.Electorate.ASSEMBLY:
        opened.update(
            quorum_eligible=ballot.quorum_eligible,
            proxies=[{"giver": g, "holder": h} for g, h in room_proxies],
        )
    return opened


def _invite(ballot: Ballot, actor) -> None:
    transaction.on_commit(lambda: tasks.send_invitations.enqueue(ballot.pk))


# ---------------------------------------------------------------------------
# Casting
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Receipt:
    """Given to the voter once.

    For a secret ballot the code is the tracker of the voter's encrypted paper (the SHA-256
    of its ciphertexts and proofs), which the voter finds on the ballot's public board; it
    says nothing of the vote. For a named vote it finds the paper in the published list.
    """

    code: str
    fingerprint: str
    trackers: tuple[str, ...] = ()


def fingerprint(code: str) -> str:
    return hashlib.sha256(code.strip().encode()).hexdigest()


def candidate_codes(ballot: Ballot) -> list[str]:
    return list(
        ballot.candidates.filter(status=Candidate.Status.STANDING).values_list("code", flat=True)
    )


def paper_content(ballot: Ballot, choices: Any, codes: Sequence[str]) -> dict[str, Any]:
    """Validate what the voter chose for the ballot's method; the paper's JSON content."""
    try:
        return paper_format.content(
            ballot.method, choices, codes, seats=ballot.seats, max_approvals=ballot.max_approvals
        )
    except counting.InvalidBallot as error:
        messages = {
            counting.InvalidCode.UNKNOWN_CANDIDATE: _("That candidate is not on this ballot."),
            counting.InvalidCode.REPEATED_CANDIDATE: _("Each candidate may be ranked once only."),
            counting.InvalidCode.TOO_MANY_CHOICES: _("Too many candidates marked."),
            counting.InvalidCode.UNKNOWN_CHOICE: _("Choose yes, no, abstain or blank."),
        }
        raise DomainError(
            messages.get(error.code, _("This vote is not valid.")), field="choices"
        ) from None


def _roll_weight(ballot: Ballot, member: Member) -> int | None:
    """The member's weight on the ballot's roll, or None if they are not on it."""
    try:
        return RollEntry.objects.values_list("weight", flat=True).get(ballot=ballot, member=member)
    except RollEntry.DoesNotExist:
        return None


def cast_vote(
    *,
    actor,
    ballot: Ballot,
    choices: Any = None,
    on_behalf_of: Member | None = None,
    encrypted: Sequence[dict] | None = None,
) -> Receipt:
    """A voter on the roll casts their vote (or one they carry by proxy); returns the receipt.

    In one transaction: the ballot is open (its row locked, so closing waits for the vote),
    the voter is on the roll, the choices are valid for the method; the participation (unique
    per ballot and voter, a database constraint) and the paper are written together.

    A secret paper is encrypted to the trustees' joint key and goes on the ballot's board as
    one entry per unit of the voter's weight; its plaintext is never written. ``encrypted``
    takes papers already encrypted (by the voter's browser), one per unit of weight, whose
    proofs are checked like the server's own.
    """
    ensure_may_write(actor)
    holder = _member_of(actor)
    voter = on_behalf_of or holder
    with transaction.atomic():
        # The roll and the candidates never change once a ballot is open: when the caller's
        # ballot was read open, read them before the lock, which every vote queues for, so
        # that it is held for the writes only (benchmarks/load_votes.py).
        if ballot.status == S.OPEN:
            weight = _roll_weight(ballot, voter)
            codes = [] if ballot.yes_no else candidate_codes(ballot)
            # Under the lock, only what can still change: the status and the closing time.
            status, closes_at = (
                Ballot.objects.select_for_update(no_key=True)
                .values_list("status", "closes_at")
                .get(pk=ballot.pk)
            )
        else:  # read before it opened (or closed): everything again, under the lock
            ballot = _locked(ballot)
            status, closes_at = ballot.status, ballot.closes_at
            weight = _roll_weight(ballot, voter)
            codes = [] if ballot.yes_no else candidate_codes(ballot)
        if status != S.OPEN or timezone.now() >= closes_at:
            raise DomainError(_("This ballot is not open for voting."))
        if weight is None:
            raise NotAllowed(_("You are not on the electoral roll of this ballot."))
        if on_behalf_of is not None:
            proxy = (
                Proxy.objects.select_for_update()
                .filter(ballot=ballot, giver=voter, holder=holder)
                .first()
            )
            if proxy is None or proxy.status != Proxy.Status.ACTIVE:
                raise NotAllowed(_("You do not carry a proxy for this member on this ballot."))
            proxy.status = Proxy.Status.USED
            proxy.save(update_fields=["status"])
        if encrypted is None or not ballot.secret:
            content = paper_content(ballot, choices, codes)
            sealed = None
        else:
            content, sealed = None, ballot_box.read_papers(ballot, encrypted, weight)
        if not Participation.objects.take_part(
            ballot_id=ballot.pk, member_id=voter.pk, by_proxy=on_behalf_of is not None
        ):
            raise DomainError(_("A vote has already been cast for this member in this ballot."))
        if ballot.secret:
            if sealed is None:
                box = ballot_box.BallotBox.objects.get(ballot_id=ballot.pk)
                sealed = [ballot_box.encrypt_paper(box, content) for _n in range(weight)]
            trackers = ballot_box.append_to_board(ballot, sealed)
            receipt = Receipt(code=trackers[0], fingerprint=trackers[0], trackers=tuple(trackers))
        else:
            code = secrets.token_urlsafe(18)
            receipt = Receipt(code=code, fingerprint=fingerprint(code))
            BallotPaper.objects.create(
                ballot=ballot,
                content=content,
                weight=weight,
                receipt_fingerprint=receipt.fingerprint,
            )
        if not ballot.secret:
            NamedVote.objects.create(
                ballot=ballot, member=voter, content=content, cast_at=timezone.now()
            )
        audit.record(
            actor,
            "ballot.vote_cast",
            ballot,
            # Who took part, never what they chose (for a named vote, the record is NamedVote).
            new={"voter": voter.pk, "by_proxy": on_behalf_of is not None},
        )
    return receipt


# ---------------------------------------------------------------------------
# Proxies
# ---------------------------------------------------------------------------


def proxy_rule(ballot: Ballot):
    return rule_for("proxies", body=ballot.body, on=timezone.localdate(ballot.opens_at))


def give_proxy(*, actor, ballot: Ballot, holder: Member) -> Proxy:
    """A member asks another eligible member to vote for them on one ballot, within the limit."""
    ensure_may_write(actor)
    giver = _member_of(actor)
    if holder.pk == giver.pk:
        raise DomainError(_("You cannot give a proxy to yourself."), field="holder")
    if ballot.electorate == Ballot.Electorate.ASSEMBLY:
        raise DomainError(
            _("Proxies for a vote in the room are registered at the assembly's door."),
            field="holder",
        )
    rule = proxy_rule(ballot)
    if rule is None or not rule.parsed().allowed:
        raise RuleViolation(_("The statutes allow no proxies for this ballot."))
    with transaction.atomic():
        ballot = _locked(ballot)
        if ballot.status not in (S.DRAFT, S.OPEN):
            raise DomainError(_("Proxies can only be given before the ballot closes."))
        if ballot.status == S.OPEN:
            on_roll = set(
                RollEntry.objects.filter(ballot=ballot, member__in=[giver, holder]).values_list(
                    "member_id", flat=True
                )
            )
            if giver.pk not in on_roll:
                raise NotAllowed(_("You are not on the electoral roll of this ballot."))
            if holder.pk not in on_roll:
                raise RuleViolation(
                    _("%(name)s is not on the electoral roll.") % {"name": holder.full_name},
                    field="holder",
                )
            if Participation.objects.filter(ballot=ballot, member=giver).exists():
                raise DomainError(_("You have already voted in this ballot."))
        if (
            Proxy.objects.live().filter(ballot=ballot, giver=giver).exists()
            or Proxy.objects.filter(ballot=ballot, giver=giver, status=Proxy.Status.USED).exists()
        ):
            raise DomainError(_("You have already given a proxy for this ballot; revoke it first."))
        # Lock the holder's proxies so two givers cannot both take the last place.
        carried = len(
            Proxy.objects.select_for_update()
            .filter(ballot=ballot, holder=holder)
            .exclude(status=Proxy.Status.REVOKED)
        )
        outcome = rules.check_proxy(
            rule.parsed(), already_carried=carried, article=rule.article.number
        )
        if not outcome.satisfied:
            raise RuleViolation(
                _(
                    "%(name)s already carries %(count)s proxies, the most article %(article)s allows."
                )
                % {"name": holder.full_name, "count": carried, "article": rule.article.number},
                field="holder",
            )
        proxy = Proxy.objects.create(
            ballot=ballot, giver=giver, holder=holder, created_at=timezone.now()
        )
        audit.record(actor, "proxy.given", proxy, new=model_values(proxy))
    return proxy


def revoke_proxy(*, actor, proxy: Proxy) -> Proxy:
    """The giver takes back a proxy that has not been used yet."""
    ensure_may_write(actor)
    with transaction.atomic():
        proxy = (
            Proxy.objects.select_for_update(of=("self",)).select_related("giver").get(pk=proxy.pk)
        )
        if proxy.giver.user_id != actor.pk:
            raise NotAllowed(_("Only the member who gave a proxy can revoke it."))
        if proxy.status != Proxy.Status.ACTIVE:
            raise DomainError(_("This proxy has already been used or revoked."))
        proxy.status = Proxy.Status.REVOKED
        proxy.save(update_fields=["status"])
        audit.record(
            actor, "proxy.revoked", proxy, old={"status": "active"}, new={"status": "revoked"}
        )
    return proxy


# ---------------------------------------------------------------------------
# Paper results entered by tellers
# ---------------------------------------------------------------------------


def enter_paper_count(
    *, actor, ballot: Ballot, label: str, groups: Sequence[Sequence[Any]]
) -> PaperCount:
    """A teller (an officer of the body) enters a batch of papers counted by hand.

    `groups` lists each distinct paper with how many there were; the batch counts only
    once a second teller confirms it.
    """
    ensure_may_act_for_body(actor, ballot.body)
    if not label.strip():
        raise DomainError(_("Name the batch (e.g. the room or the box)."), field="label")
    codes = candidate_codes(ballot)
    clean: list[list[Any]] = []
    for index, group in enumerate(groups, start=1):
        if (
            not isinstance(group, list | tuple)
            or len(group) != 2
            or isinstance(group[1], bool)
            or not isinstance(group[1], int)
            or group[1] < 1
        ):
            raise DomainError(
                _("Line %(line)s: give a paper and a number of at least 1.") % {"line": index},
                field="groups",
            )
        try:
            content = paper_content(ballot, group[0], codes)
        except DomainError as error:
            raise DomainError(
                _("Line %(line)s: %(problem)s") % {"line": index, "problem": error.message},
                field="groups",
            ) from None
        clean.append([next(iter(content.values())), group[1]])
    if not clean:
        raise DomainError(_("The batch is empty."), field="groups")
    with transaction.atomic():
        ballot = _locked(ballot)
        if ballot.status not in (S.OPEN, S.CLOSED):
            raise DomainError(
                _("Paper results are entered while the ballot is open or closed, before the count.")
            )
        if ballot.paper_counts.live().filter(label=label.strip()).exists():
            raise DomainError(_("A batch with this name was already entered."), field="label")
        papers = sum(n for _paper, n in clean)
        # Under the ballot's lock, so two batches entered at once cannot both fit.
        too_many = integrity.batch_problem(
            integrity.turnout(ballot), label=label.strip(), papers=papers
        )
        if too_many:
            raise DomainError(too_many, field="groups")
        batch = PaperCount.objects.create(
            ballot=ballot,
            label=label.strip(),
            content={"groups": clean},
            papers=papers,
            entered_by=actor,
        )
        audit.record(actor, "paper_count.entered", batch, new=model_values(batch))
    return batch


def confirm_paper_count(*, actor, batch: PaperCount) -> PaperCount:
    """A second teller confirms a batch entered by another; it is then merged into the count."""
    with transaction.atomic():
        batch = (
            PaperCount.objects.select_for_update(of=("self",))
            .select_related("ballot__body")
            .get(pk=batch.pk)
        )
        ensure_may_act_for_body(actor, batch.ballot.body)
        if batch.entered_by_id == actor.pk:
            raise NotAllowed(_("A second teller must confirm: not the one who entered the batch."))
        if batch.status != PaperCount.Status.PENDING:
            raise DomainError(
                _("This batch is %(status)s: it cannot be confirmed.")
                % {"status": batch.get_status_display()}
            )
        if batch.ballot.status not in (S.OPEN, S.CLOSED):
            raise DomainError(_("The ballot has already been counted."))
        batch.confirmed_by, batch.status = actor, PaperCount.Status.CONFIRMED
        batch.save(update_fields=["confirmed_by", "status"])
        audit.record(
            actor,
            "paper_count.confirmed",
            batch,
            old={"status": PaperCount.Status.PENDING},
            new={"confirmed_by": actor.pk, "status": PaperCount.Status.CONFIRMED},
        )
    return batch


def set_aside_paper_count(*, actor, batch: PaperCount, reason: str) -> PaperCount:
    """Take a batch out before it is confirmed: withdrawn by the teller who entered it,
    rejected by a second teller. The reason is kept on the batch and in the audit event;
    the batch stays on the record and never counts. Officers of the ballot's body only.
    """
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason."), field="reason")
    with transaction.atomic():
        batch = (
            PaperCount.objects.select_for_update(of=("self",))
            .select_related("ballot__body")
            .get(pk=batch.pk)
        )
        ensure_may_act_for_body(actor, batch.ballot.body)
        if batch.status != PaperCount.Status.PENDING:
            raise DomainError(
                _("This batch is %(status)s: only a batch awaiting confirmation can be set aside.")
                % {"status": batch.get_status_display()}
            )
        if batch.ballot.status not in (S.OPEN, S.CLOSED):
            raise DomainError(_("The ballot has already been counted."))
        withdrawn = batch.entered_by_id == actor.pk
        batch.status = PaperCount.Status.WITHDRAWN if withdrawn else PaperCount.Status.REJECTED
        batch.set_aside_by, batch.reason = actor, reason
        batch.save(update_fields=["status", "set_aside_by", "reason"])
        audit.record(
            actor,
            "paper_count.withdrawn" if withdrawn else "paper_count.rejected",
            batch,
            old={"status": PaperCount.Status.PENDING},
            new={"status": batch.status, "reason": reason},
        )
    return batch


# ---------------------------------------------------------------------------
# Closing, counting, publishing, cancelling
# ---------------------------------------------------------------------------


def close_ballot(*, actor, ballot: Ballot) -> Ballot:
    """Officers close an open ballot. Votes already committed are in; later ones are refused.

    The lock waits for the votes already under way (`_locked`)."""
    return lifecycle.take(BALLOT.steps["close"], ballot, actor)


def _close(ballot: Ballot, actor) -> dict:
    ballot.closed_at = timezone.now()
    if ballot.secret:
        # The board is frozen: what the trustees decrypt is fixed now (totals or a mix).
        # A board that does not match the participations is left unprepared: the
        # ballot still closes, and the count refuses it (check_board says why).
        box = ballot_box.BallotBox.objects.select_for_update().get(ballot=ballot)
        try:
            entries = ballot_box.check_board(box)
        except DomainError:
            entries = None
        if entries is not None:
            box.tally = ballot_box.prepare_tally(box, entries)
            box.save(update_fields=["tally"])
    return {"early": ballot.closed_at < ballot.closes_at}


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


def count_ballot(*, actor, ballot: Ballot):
    """Officers count a closed ballot; the result is recorded as a decision in the register.

    The quorum and majority rules of the ballot's scope in the statutes in force are
    applied; the decision cites the ballot's article, the rules' snapshots and the figures.
    """
    return lifecycle.take(BALLOT.steps["count"], ballot, actor)


def _count(ballot: Ballot, actor) -> dict:
    if ballot.paper_counts.pending().exists():
        raise DomainError(_("A batch of paper results awaits a second teller's confirmation."))
    stored = integrity.turnout(ballot)
    problems = integrity.turnout_problems(stored)
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


def seat_the_elected(
    *, ballot: Ballot, decision, elected: Sequence[str], on: dt.date
) -> list[Mandate]:
    """The decision of an election seats those it elected, in its transaction (count_ballot).

    The body's ordinary mandates current that day are ended the day before (they are the
    seats the election fills; a chair or other office stays); each elected candidate, in the
    order of election, gets a mandate from the decision's date for the terms rule's length,
    on a reserved youth seat while the body has one free and the member is young enough
    under that rule. A candidate who holds another current office on the body keeps it.
    Written by the platform (the audit events name the decision); statute refusals (term
    limits) roll the whole count back.
    """
    body = ballot.elects_body
    reason = _("Replaced by the election %(reference)s") % {"reference": decision.reference}
    replaced = Mandate.objects.current(on).filter(body=body, role=Mandate.Role.MEMBER)
    for mandate in replaced:
        governance.end_mandate(
            actor=governance.SYSTEM,
            mandate=mandate,
            ends_on=max(mandate.starts_on, on - dt.timedelta(days=1)),
            reason=reason,
        )
    terms = rule_for("terms", body=body, on=on)
    youth_age = terms.parsed().youth_max_age if terms else None
    youth_free = body.reserved_youth_seats
    members = {
        c.code: c.member
        for c in ballot.candidates.select_related("member").filter(code__in=list(elected))
    }
    holding = set(Mandate.objects.current(on).filter(body=body).values_list("member_id", flat=True))
    seated = []
    for code in elected:
        member = members.get(code)
        if member is None or member.pk in holding:
            continue
        young = (
            youth_free > 0
            and youth_age is not None
            and member.birth_date is not None
            and rules.age_on(member.birth_date, on) <= youth_age
        )
        seated.append(
            governance.create_mandate(
                actor=governance.SYSTEM,
                member=member,
                body=body,
                role=Mandate.Role.MEMBER,
                starts_on=on,
                decision=decision,
                on_youth_seat=young,
            )
        )
        youth_free -= young
    return seated


def _decrypt_for_count(ballot: Ballot) -> dict[str, Any]:
    """The board checked and the tally decrypted by k trustees; the papers for the count.

    Refuses if the board's length is not the participations' weight. The decrypted papers
    (ranked: the mix's order) are written as the ballot's papers for the counting code.
    """
    box = ballot_box.BallotBox.objects.select_for_update().get(ballot=ballot)
    entries = ballot_box.check_board(box)
    if box.tally is None:
        box.tally = ballot_box.prepare_tally(box, entries)
        box.save(update_fields=["tally"])
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
    return {
        "board_length": box.length,
        "board_head": box.head,
        "threshold": box.threshold,
        "trustees": 1 if box.demo_secret else box.trustees.count(),
        "demo_key": box.is_demo,
        "decrypted": box.tally["kind"],
    }


def publish_results(*, actor, ballot: Ballot) -> Ballot:
    """Officers publish a counted ballot: the result and the list of papers become public."""
    return lifecycle.take(BALLOT.steps["publish"], ballot, actor)


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

    The stored figures (papers = participations online, took part <= entitled) and the
    decision's figures against a recount of the ballot's list of papers (`recount`, the
    `tally_file` result, is computed when not given). Asked by the publication,
    `recount_published` and the anomaly report.
    """
    stored = integrity.turnout(ballot)
    problems = integrity.turnout_problems(stored)
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


def cancel_ballot(*, actor, ballot: Ballot, reason: str) -> Ballot:
    """Officers cancel a ballot before it is counted, giving the reason (kept on the record)."""
    return lifecycle.take(BALLOT.steps["cancel"], ballot, actor, reason=reason)


def _cancelled(ballot: Ballot, actor, *, reason: str) -> None:
    signals.ballot_cancelled.send(sender=Ballot, ballot=ballot, actor=actor)


def _ensure_officer(actor, ballot: Ballot, step: lifecycle.Step) -> None:
    ensure_may_act_for_body(actor, ballot.body)


def _refusal(ballot: Ballot, step: lifecycle.Step) -> DomainError:
    return DomainError(
        _("A ballot that is %(status)s cannot become %(target)s.")
        % {"status": ballot.get_status_display().lower(), "target": S(step.target).label.lower()}
    )


OFFICERS = "officers"

#: The ballot's lifecycle. Every step needs an officer of the deciding body (or of its
#: unit's board) or staff, checked by `ensure_may_act_for_body`.
BALLOT = lifecycle.Lifecycle(
    name="ballot",
    model=Ballot,
    role_labels={OFFICERS: "officers of the body (or of its unit's board), staff"},
    ensure_role=_ensure_officer,
    refusal=_refusal,
    lock=_locked,
    reason_field="cancel_reason",
    steps={
        s.name: s
        for s in [
            lifecycle.step(
                "open",
                gettext_lazy("Open the ballot and freeze the roll"),
                [S.DRAFT],
                S.OPEN,
                [OFFICERS],
                event="ballot.opened",
                work=_open,
                then=_invite,
                fields=("opened_at", "opens_at", "quorum_eligible"),
                done=gettext_lazy("The ballot is open; the electoral roll is frozen."),
            ),
            lifecycle.step(
                "close",
                gettext_lazy("Close the ballot"),
                [S.OPEN],
                S.CLOSED,
                [OFFICERS],
                event="ballot.closed",
                work=_close,
                fields=("closed_at",),
                confirm=gettext_lazy("Close the ballot?"),
                done=gettext_lazy("The ballot is closed."),
            ),
            lifecycle.step(
                "count",
                gettext_lazy("Count and record the decision"),
                [S.CLOSED],
                S.COUNTED,
                [OFFICERS],
                event="ballot.counted",
                work=_count,
                then=_counted,
                fields=("result", "decision"),
                confirm=gettext_lazy("Count the ballot and record the decision?"),
                done=gettext_lazy("The ballot is counted and the decision recorded."),
            ),
            lifecycle.step(
                "publish",
                gettext_lazy("Publish the results and the papers"),
                [S.COUNTED],
                S.PUBLISHED,
                [OFFICERS],
                event="ballot.published",
                work=_publish,
                then=_announce,
                confirm=gettext_lazy("Publish the results and the papers?"),
                done=gettext_lazy("The results and the list of papers are published."),
            ),
            lifecycle.step(
                "cancel",
                gettext_lazy("Cancel the ballot"),
                [S.DRAFT, S.OPEN, S.CLOSED],
                S.CANCELLED,
                [OFFICERS],
                event="ballot.cancelled",
                then=_cancelled,
                needs_reason=True,
                reason_prompt=gettext_lazy("Give the reason for cancelling."),
                done=gettext_lazy("The ballot is cancelled."),
            ),
        ]
    },
)


def mark_reminded(*, actor, ballot: Ballot) -> bool:
    """The reminder job records that the closing reminder went out (once per ballot)."""
    with transaction.atomic():
        ballot = _locked(ballot)
        if ballot.status != S.OPEN or ballot.reminded_at is not None:
            return False
        ballot.reminded_at = timezone.now()
        ballot.save(update_fields=["reminded_at"])
        audit.record(actor, "ballot.reminder_sent", ballot, new={"reminded_at": ballot.reminded_at})
    return True


# ---------------------------------------------------------------------------
# Reads for verification
# ---------------------------------------------------------------------------


def ballot_list(ballot: Ballot) -> counting.BallotList:
    """The published list of papers, in random order, with the teller batches as papers."""
    rng = secrets.SystemRandom()
    papers = []
    for fp, content, weight in ballot.papers.values_list(
        "receipt_fingerprint", "content", "weight"
    ):
        papers.extend(
            counting.Paper(fp if n == 0 else f"{fp}/{n + 1}", content) for n in range(weight)
        )
    key = paper_format.content_key(ballot.method)
    for batch in ballot.paper_counts.confirmed().order_by("pk"):
        serial = 0
        for paper, number in batch.content["groups"]:
            for _n in range(number):
                serial += 1
                papers.append(counting.Paper(f"paper:{batch.label}:{serial}", {key: paper}))
    rng.shuffle(papers)
    return counting.BallotList(
        reference=ballot.decision.reference if ballot.decision else f"ballot-{ballot.pk}",
        title=ballot.title,
        method=ballot.method,
        seats=ballot.seats,
        candidates=[
            counting.ListedCandidate(c.code, c.name)
            for c in ballot.candidates.exclude(status=Candidate.Status.WITHDRAWN)
        ],
        seed=ballot.seed,
        papers=papers,
        max_approvals=ballot.max_approvals,
    )


@dataclass(frozen=True)
class FoundReceipt:
    """What a receipt check shows: a named paper's content, or a secret paper's board place.

    A secret ballot's receipt (a tracker) finds only its encrypted paper on the board:
    never the vote, during the ballot or after.
    """

    ballot: Ballot
    receipt_fingerprint: str
    content: dict[str, Any] | None = None
    position: int | None = None

    @property
    def ballot_id(self) -> int:
        return self.ballot.pk


def find_paper(code: str) -> FoundReceipt | None:
    """The paper a receipt code stands for, if any."""
    if not code or len(code) > 100:
        return None
    entry = ballot_box.find_tracker(code.strip())
    if entry is not None:
        return FoundReceipt(entry.box.ballot, entry.tracker, position=entry.position)
    paper = (
        BallotPaper.objects.select_related("ballot")
        .filter(receipt_fingerprint=fingerprint(code), ballot__secret=False)
        .first()
    )
    if paper is None:
        return None
    return FoundReceipt(paper.ballot, paper.receipt_fingerprint, content=paper.content)
