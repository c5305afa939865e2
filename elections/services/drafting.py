"""Drafting a ballot: the question or election, its candidates, nominations and consent."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from elections import ballot_box
from elections.models import (
    Ballot,
    Candidate,
)
from elections.services.common import METHODS_BY_KIND, S, _locked
from governance import limits
from governance import services as governance
from governance.audit import log as audit
from governance.audit.log import model_values
from governance.exceptions import DomainError, NotAllowed, RuleViolation
from governance.models import Assembly, Body, Member, StatuteVersion
from governance.permissions import ensure_may_act_for_body, ensure_may_write
from governance.statutes import rules
from governance.statutes.lookup import rule_for
from governance.statutes.text import scope_in_words


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
        # A secret ballot's trustees, as the statutes name them (officers may name others
        # until the key ceremony begins: ballot_box.appoint_trustees).
        ballot_box.appoint_default_trustees(actor, ballot)
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
                        "body": body.translated("name"),
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
