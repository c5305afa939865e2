"""Writes of the motions app: one transaction each, role and statute checks first, audit event last.

Every change of a motion's or an amendment's status goes through `lifecycle.take` or
`lifecycle.move`, which check the step against the tables of `motions.workflow` (the states
it may leave from and the roles that may take it) and write its audit event. The votes themselves are ballots of the voting engine; when one is counted,
`apply_count` (called by the engine's `ballot_counted` signal, in the count's own
transaction) moves the motion or amendment on and, for an adopted statute amendment,
creates the new statute version; `apply_cancellation` (called by `ballot_cancelled`, in the
cancellation's transaction) puts it back where it was before the vote.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from elections import services as elections
from elections.models import Ballot
from governance import lifecycle, limits
from governance import services as governance
from governance.audit import log as audit
from governance.audit.log import model_values
from governance.exceptions import DomainError, NotAllowed, RuleViolation
from governance.models import (
    Assembly,
    Body,
    Decision,
    Member,
    OrganisationUnit,
    StatuteVersion,
)
from governance.permissions import ensure_may_write
from governance.statutes import eligibility, rules
from governance.statutes.lookup import require_rule_for, rule_for
from motions import statute_changes, texts, workflow
from motions.models import (
    Amendment,
    FollowUp,
    ICSubmission,
    Motion,
    MotionVersion,
    Speaker,
    Support,
    VotingMandate,
)

M = Motion.Status
A = Amendment.Status
LIVE_AMENDMENT = (A.SUBMITTED, A.ADMISSIBLE, A.IN_VOTE)
AMENDABLE = (M.SUBMITTED, M.ADMISSIBLE, M.SCHEDULED)

# ---------------------------------------------------------------------------
# Roles
# ---------------------------------------------------------------------------


def next_steps(user, item: Motion | Amendment) -> list[workflow.Step]:
    """The steps `user` may take on the item now (for the pages' buttons and the API)."""
    table, kind = _table(item)
    held = workflow.roles_on(user, item)
    return [s for s in table.steps_from(item.status, kind) if s.roles & held]


def _table(item) -> tuple[lifecycle.Lifecycle, str]:
    if isinstance(item, Motion):
        return workflow.MOTION, item.kind
    return workflow.AMENDMENT, item.motion.kind


def _step(item, name: str) -> workflow.Step:
    """The named step of the item's table (a `DomainError` if its kind has no such step)."""
    return _table(item)[0].get(name, item)


def _roles_for(item, names: Sequence[str]) -> frozenset[str]:
    """The roles that may take any of the named steps (or `workflow.ACTION_ROLES`) on the item."""
    table, _kind = _table(item)
    roles: frozenset[str] = frozenset()
    for name in names:
        step = table.steps.get(name)
        roles |= step.roles if step is not None else workflow.ACTION_ROLES[name]
    return roles


def may_take(user, item: Motion | Amendment, *names: str) -> bool:
    """Whether `user` holds a role that may take one of the named steps (or actions) on the
    item, whatever its status: who may, not whether it is possible now."""
    return bool(_roles_for(item, names) & workflow.roles_on(user, item))


def ensure_may_take(user, item: Motion | Amendment, *names: str) -> None:
    """Refuse (`NotAllowed`) a user who may take none of the named steps on the item.

    The pages and the API call this before reading any input, so a role that may not gets
    a 403 whatever it posts; the service checks the step again, with the item's status.
    """
    ensure_may_write(user)
    if may_take(user, item, *names):
        return
    table, _kind = _table(item)
    if len(names) == 1 and names[0] in table.steps:
        step = table.steps[names[0]]
        raise NotAllowed(
            _("Only the %(roles)s may take the step “%(step)s”.")
            % {"roles": workflow.role_names(step.roles), "step": step.label}
        )
    raise NotAllowed(
        _("Only the %(roles)s may do this.")
        % {"roles": workflow.role_names(_roles_for(item, names))}
    )


def _member_of(user) -> Member:
    ensure_may_write(user)
    member = getattr(user, "member", None)
    if member is None:
        raise NotAllowed(_("Only members on the roll may do this."))
    return member


# ---------------------------------------------------------------------------
# Statute rules the workflow applies
# ---------------------------------------------------------------------------


def sponsorship_scope(kind: str) -> str:
    return "ic_motion" if kind == Motion.Kind.IC_MOTION else "motion"


def vote_scope(motion: Motion) -> str:
    """The rule scope a motion's votes are counted under: its kind's own rules if the statutes
    set them (statute amendments, IC motions), else the deciding body's."""
    specific = {
        Motion.Kind.STATUTE_AMENDMENT: "statute_amendment",
        Motion.Kind.IC_MOTION: "ic_motion",
    }.get(motion.kind)
    rule = rule_for("majority", specific, body=motion.body)
    return rule.scope if rule is not None else motion.body.kind


@dataclass(frozen=True)
class Deadline:
    what: str  # "motion" or "amendment"
    deadline: dt.date
    article: str
    days: int
    assembly_on: dt.date


def deadline_for(motion: Motion, what: str, on: dt.date | None = None) -> Deadline | None:
    """The last day to submit a motion (or table an amendment) for the motion's assembly."""
    if motion.assembly_id is None:
        return None
    on = on or timezone.localdate()
    rule = rule_for("notice", body=motion.body, on=on)
    if rule is None:
        return None
    assembly_on = timezone.localtime(motion.assembly.starts_at).date()
    parsed = rule.parsed()
    return Deadline(
        what,
        rules.notice_deadline(parsed, what=what, event_on=assembly_on),
        rule.article.number,
        parsed.days_for(what),
        assembly_on,
    )


def _check_deadline(motion: Motion, what: str, today: dt.date) -> dict:
    deadline = deadline_for(motion, what, today)
    if deadline is None:
        return {}
    if today > deadline.deadline:
        message = (
            _(
                "Too late: article %(article)s requires motions %(days)s days before the assembly, "
                "by %(deadline)s for the assembly of %(date)s."
            )
            if what == "motion"
            else _(
                "Too late: article %(article)s requires amendments %(days)s days before the "
                "assembly, by %(deadline)s for the assembly of %(date)s."
            )
        )
        raise RuleViolation(
            message
            % {
                "article": deadline.article,
                "days": deadline.days,
                "deadline": date_format(deadline.deadline),
                "date": date_format(deadline.assembly_on),
            },
            field="assembly",
        )
    return {"deadline": deadline.deadline.isoformat(), "notice_article": deadline.article}


def _check_sponsorship(scope: str, supporters: int, *, required: bool = True) -> dict:
    rule = rule_for("sponsorship", scope)
    if rule is None:
        if required:
            raise RuleViolation(
                _("The statutes in force set no co-sponsorship rule for %(scope)s.")
                % {"scope": scope}
            )
        return {}
    outcome = rules.check_sponsorship(
        rule.parsed(), cosponsors=supporters, article=rule.article.number
    )
    if not outcome.satisfied:
        raise RuleViolation(
            _(
                "Article %(article)s requires %(needed)s co-sponsors entitled to vote; "
                "there are %(count)s."
            )
            % {"article": rule.article.number, "needed": outcome.threshold, "count": supporters},
            field="supports",
        )
    return {"sponsorship": outcome.as_dict()}


# ---------------------------------------------------------------------------
# Drafting
# ---------------------------------------------------------------------------


def proposed_statutes(motion_or_changes, on: dt.date | None = None):
    """The statutes in force with the motion's changes applied (`DomainError` if they cannot be)."""
    changes = (
        motion_or_changes.current_version.statute_changes
        if isinstance(motion_or_changes, Motion)
        else motion_or_changes
    )
    version = StatuteVersion.objects.in_force(on)
    if version is None:
        raise DomainError(_("There are no statutes in force to amend."))
    current = statute_changes.specs_of(version.articles.prefetch_related("rules"))
    return version, current, statute_changes.apply_changes(current, changes)


def _clean_draft(kind: str, title: str, text: str, changes: Any) -> tuple[str, str, list]:
    title, text = title.strip(), texts.normalise(text)
    limits.check_line(title, field="title", model=MotionVersion)
    limits.check_text(text, field="text")
    limits.check_items(changes, field="statute_changes")
    if not title:
        raise DomainError(_("Give the motion a title."), field="title")
    if not text:
        raise DomainError(_("Write the text of the motion."), field="text")
    if kind == Motion.Kind.STATUTE_AMENDMENT:
        # A draft may not change an article yet (they are drafted one by one on their page);
        # submitting it and putting it to the vote need at least one.
        if changes:
            proposed_statutes(changes)
        return title, text, changes
    if changes:
        raise DomainError(
            _("Only a statute amendment changes articles of the statutes."),
            field="statute_changes",
        )
    return title, text, []


def create_motion(
    *,
    actor,
    kind: str,
    body: Body,
    title: str,
    text: str,
    assembly: Assembly | None = None,
    statute_changes: Sequence[dict] | None = None,
) -> Motion:
    """A member drafts a motion (version 1). Statute amendments and IC motions go to an assembly
    of members; the draft is the proposer's until submitted."""
    proposer = _member_of(actor)
    if kind not in Motion.Kind.values:
        raise DomainError(_("Unknown kind of motion."), field="kind")
    if kind != Motion.Kind.RESOLUTION and body.kind != Body.Kind.ASSEMBLY:
        raise DomainError(
            _("Statute amendments and motions to the IC are decided by the General Assembly."),
            field="body",
        )
    if body.kind not in (Body.Kind.ASSEMBLY, Body.Kind.BOARD):
        raise DomainError(_("Motions go to the General Assembly or the Board."), field="body")
    if assembly is not None:
        _check_assembly(body, assembly)
    title, text, changes = _clean_draft(kind, title, text, list(statute_changes or []))
    now = timezone.now()
    with transaction.atomic():
        motion = Motion.objects.create(
            kind=kind,
            body=body,
            assembly=assembly,
            proposer=proposer,
            created_at=now,
            created_by=actor,
        )
        version = MotionVersion.objects.create(
            motion=motion,
            number=1,
            title=title,
            text=text,
            statute_changes=changes,
            created_at=now,
            created_by=actor,
        )
        motion.current_version = version
        motion.save(update_fields=["current_version"])
        audit.record(
            actor,
            "motion.drafted",
            motion,
            new={**model_values(motion), "title": title, "text": text, "statute_changes": changes},
        )
    return motion


def _check_assembly(body: Body, assembly: Assembly) -> None:
    if assembly.body_id != body.pk:
        raise DomainError(
            _("That meeting is not a meeting of the deciding body."), field="assembly"
        )
    if assembly.status not in (Assembly.Status.CONVENED, Assembly.Status.IN_SESSION):
        raise DomainError(_("That meeting is no longer open to motions."), field="assembly")


def edit_motion(
    *,
    actor,
    motion: Motion,
    title: str,
    text: str,
    statute_changes: Sequence[dict] | None = None,
    assembly: Assembly | None = None,
) -> MotionVersion | None:
    """The proposer saves a new version of a draft; returns None when nothing changed."""
    ensure_may_write(actor)
    with transaction.atomic():
        motion = workflow.lock_motion(motion)
        if motion.status != M.DRAFT:
            raise DomainError(_("Only a draft can be edited; a submitted motion is amended."))
        if not may_take(actor, motion, "edit"):
            raise NotAllowed(_("Only the proposer edits a draft."))
        title, text, changes = _clean_draft(motion.kind, title, text, list(statute_changes or []))
        if assembly is not None and assembly.pk != motion.assembly_id:
            _check_assembly(motion.body, assembly)
            old_assembly = motion.assembly_id
            motion.assembly = assembly
            motion.save(update_fields=["assembly"])
            audit.record(
                actor,
                "motion.assembly_changed",
                motion,
                old={"assembly": old_assembly},
                new={"assembly": assembly.pk},
            )
        current = motion.current_version
        if (current.title, current.text, current.statute_changes) == (title, text, changes):
            return None
        version = MotionVersion.objects.create(
            motion=motion,
            number=current.number + 1,
            title=title,
            text=text,
            statute_changes=changes,
            created_at=timezone.now(),
            created_by=actor,
        )
        motion.current_version = version
        motion.save(update_fields=["current_version"])
        audit.record(
            actor,
            "motion.edited",
            motion,
            old={"version": current.number, "title": current.title, "text": current.text},
            new={
                "version": version.number,
                "title": title,
                "text": text,
                "statute_changes": changes,
            },
        )
    return version


# ---------------------------------------------------------------------------
# Co-sponsors
# ---------------------------------------------------------------------------


def _target(item) -> dict:
    return {"motion": item} if isinstance(item, Motion) else {"amendment": item}


def support(*, actor, item: Motion | Amendment) -> Support:
    """A member entitled to vote co-sponsors a draft motion or amendment (not their own)."""
    member = _member_of(actor)
    with transaction.atomic():
        item = (
            workflow.lock_motion(item)
            if isinstance(item, Motion)
            else workflow.lock_amendment(item)
        )
        if item.status != "draft":
            raise DomainError(_("Support is collected before submission; this one is submitted."))
        if item.proposer_id == member.pk:
            raise DomainError(_("The proposer does not count as a co-sponsor."))
        entitlement = eligibility.entitlement_of(member, timezone.localdate())
        if not entitlement.entitled:
            raise RuleViolation(
                _(
                    "Only members entitled to vote may co-sponsor (article %(article)s): %(reasons)s."
                )
                % {"article": entitlement.article, "reasons": entitlement.reasons}
            )
        try:
            with transaction.atomic():
                row = Support.objects.create(
                    member=member, supported_at=timezone.now(), **_target(item)
                )
        except IntegrityError:
            raise DomainError(_("You already support this.")) from None
        audit.record(actor, "support.given", item, new={"member": member.pk})
    return row


def withdraw_support(*, actor, item: Motion | Amendment) -> None:
    """A co-sponsor withdraws their support, until the motion or amendment is submitted."""
    member = _member_of(actor)
    with transaction.atomic():
        item = (
            workflow.lock_motion(item)
            if isinstance(item, Motion)
            else workflow.lock_amendment(item)
        )
        if item.status != "draft":
            raise DomainError(_("Support can no longer be withdrawn: it has been submitted."))
        deleted, _counts = Support.objects.filter(member=member, **_target(item)).delete()
        if not deleted:
            raise DomainError(_("You do not support this."))
        audit.record(actor, "support.withdrawn", item, old={"member": member.pk})


def _eligible_supporters(item, today: dt.date) -> int:
    """Co-sponsors still entitled to vote today: one who stopped paying dues no longer counts."""
    ids = Support.objects.filter(**_target(item)).values_list("member_id", flat=True)
    return sum(e.entitled for e in eligibility.entitlements(ids, today).values())


# ---------------------------------------------------------------------------
# Submission and admissibility
# ---------------------------------------------------------------------------


def submit_motion(*, actor, motion: Motion) -> Motion:
    """The proposer submits a draft: before the notice deadline, with the co-sponsors the statutes
    require still entitled to vote. The motion gets its reference in the document index."""
    ensure_may_write(actor)
    today = timezone.localdate()
    with transaction.atomic():
        motion = workflow.lock_motion(motion)
        lifecycle.check(_step(motion, "submit"), motion, actor)
        if motion.assembly_id is None:
            raise DomainError(_("Choose the assembly the motion is for."), field="assembly")
        _check_assembly(motion.body, motion.assembly)
        checks = _check_deadline(motion, "motion", today)
        checks.update(
            _check_sponsorship(sponsorship_scope(motion.kind), _eligible_supporters(motion, today))
        )
        if motion.is_statute_amendment:
            proposed_statutes(motion)
        motion.reference = governance.next_reference(
            year=today.year, subject=settings.MOTION_SUBJECT_CODE
        )
        motion.submitted_at = timezone.now()
        lifecycle.move(
            _step(motion, "submit"),
            motion,
            actor,
            update_fields=["reference", "submitted_at"],
            reference=motion.reference,
            version=motion.current_version.number,
            **checks,
        )
    return motion


def take_step(*, actor, motion: Motion, step: str, reason: str = "") -> Motion:
    """Withdraw, or rule on admissibility (standing-orders committee), with a reason where needed.

    The step's work is in its table (`workflow.MOTION`): withdrawing waits for no amendment
    in the vote, and the motion's pending amendments fall with it."""
    ensure_may_write(actor)
    if step not in workflow.SIMPLE_STEPS:
        raise DomainError(_("This step has its own form."), field="step")
    return lifecycle.take(_step(motion, step), motion, actor, reason=reason)


def schedule_motion(*, actor, motion: Motion, assembly: Assembly | None = None) -> Motion:
    """The Board puts an admissible motion on the agenda of its assembly (or another meeting of
    the same body, e.g. the second convocation), after the items already there."""
    ensure_may_write(actor)
    with transaction.atomic():
        motion = workflow.lock_motion(motion)
        target = assembly or motion.assembly
        if target is None:
            raise DomainError(_("Choose the assembly."), field="assembly")
        _check_assembly(motion.body, target)
        Assembly.objects.select_for_update().get(pk=target.pk)  # agenda positions in order
        last = Motion.objects.filter(assembly=target).aggregate(Max("agenda_position"))
        motion.assembly = target
        motion.agenda_position = (last["agenda_position__max"] or 0) + 1
        lifecycle.move(
            _step(motion, "schedule"),
            motion,
            actor,
            update_fields=["assembly", "agenda_position"],
            assembly=target.pk,
            agenda_position=motion.agenda_position,
        )
    return motion


def refer_motion(*, actor, motion: Motion, body: Body | None, reason: str) -> Motion:
    """The Board (or the assembly, through its chair) refers a motion to another body."""
    ensure_may_take(actor, motion, "refer")
    if body is None:
        raise DomainError(_("Choose the body."), field="body")
    with transaction.atomic():
        motion = workflow.lock_motion(motion)
        if body.pk == motion.body_id:
            raise DomainError(_("Refer the motion to another body."), field="body")
        workflow.ensure_no_amendment_in_vote(motion)
        motion.referred_to = body
        motion.agenda_position = None
        lifecycle.move(
            _step(motion, "refer"),
            motion,
            actor,
            reason=reason,
            update_fields=["referred_to", "agenda_position"],
            referred_to=body.code,
        )
    return motion


# ---------------------------------------------------------------------------
# Amendments
# ---------------------------------------------------------------------------


def _clean_amendment(motion: Motion, kind: str, paragraph: int | None, text: str):
    if kind not in Amendment.Kind.values:
        raise DomainError(_("Unknown kind of amendment."), field="kind")
    text = limits.check_text(texts.normalise(text), field="text")
    if not text:
        raise DomainError(_("Write the amended text."), field="text")
    if kind == Amendment.Kind.REPLACE_TEXT:
        return None, text
    count = len(texts.paragraphs(motion.text))
    if paragraph is None or not 1 <= paragraph <= count:
        raise DomainError(
            _("Choose a paragraph between 1 and %(count)s.") % {"count": count}, field="paragraph"
        )
    if len(texts.paragraphs(text)) != 1:
        raise DomainError(_("A paragraph amendment replaces one paragraph."), field="text")
    return paragraph, text


def create_amendment(
    *,
    actor,
    motion: Motion,
    kind: str,
    text: str,
    paragraph: int | None = None,
    rationale: str = "",
) -> Amendment:
    """A member drafts an amendment to a submitted motion that is not yet voted."""
    proposer = _member_of(actor)
    limits.check_text(rationale, field="rationale")
    with transaction.atomic():
        motion = workflow.lock_motion(motion)
        if motion.status not in AMENDABLE:
            raise DomainError(_("This motion can no longer be amended."))
        paragraph, text = _clean_amendment(motion, kind, paragraph, text)
        amendment = Amendment.objects.create(
            motion=motion,
            kind=kind,
            paragraph=paragraph,
            text=text,
            rationale=rationale.strip(),
            proposer=proposer,
            created_at=timezone.now(),
            created_by=actor,
        )
        audit.record(actor, "amendment.drafted", amendment, new=model_values(amendment))
    return amendment


def submit_amendment(*, actor, amendment: Amendment) -> Amendment:
    """The proposer tables an amendment: before the amendment deadline, with its co-sponsors."""
    ensure_may_write(actor)
    today = timezone.localdate()
    with transaction.atomic():
        amendment = workflow.lock_amendment(amendment)
        motion = workflow.lock_motion(amendment.motion)
        lifecycle.check(_step(amendment, "submit"), amendment, actor)
        if motion.status not in AMENDABLE:
            raise DomainError(_("This motion can no longer be amended."))
        checks = _check_deadline(motion, "amendment", today)
        checks.update(
            _check_sponsorship("amendment", _eligible_supporters(amendment, today), required=False)
        )
        last = motion.amendments.aggregate(Max("number"))["number__max"] or 0
        amendment.number = last + 1
        amendment.submitted_at = timezone.now()
        lifecycle.move(
            _step(amendment, "submit"),
            amendment,
            actor,
            update_fields=["number", "submitted_at"],
            number=amendment.number,
            **checks,
        )
    return amendment


def take_amendment_step(*, actor, amendment: Amendment, step: str, reason: str = "") -> Amendment:
    """Withdraw an amendment, or rule on its admissibility."""
    ensure_may_write(actor)
    if step not in workflow.SIMPLE_STEPS:
        raise DomainError(_("This step has its own form."), field="step")
    return lifecycle.take(_step(amendment, step), amendment, actor, reason=reason)


def text_before(amendment: Amendment) -> str:
    """The motion's text as the amendment will find it: earlier adopted amendments merged."""
    motion = amendment.motion
    earlier = motion.amendments.filter(status=A.ADOPTED, number__lt=amendment.number or 10**6)
    return texts.merge(motion.text, (as_change(a) for a in earlier.order_by("number")))


def as_change(amendment: Amendment) -> texts.Change:
    return texts.Change(amendment.label, amendment.text, amendment.paragraph)


def final_text(motion: Motion) -> str:
    """The motion's text with its adopted amendments merged, in the order they were voted."""
    adopted = motion.amendments.filter(status=A.ADOPTED).order_by("number")
    return texts.merge(motion.text, (as_change(a) for a in adopted))


# ---------------------------------------------------------------------------
# Putting to the vote
# ---------------------------------------------------------------------------


IN_ROOM, ONLINE = "in_room", "online"


def _open_vote(
    *, actor, motion: Motion, title: str, question: str, mode: str, closes_at: dt.datetime | None
) -> Ballot:
    """A yes/no ballot on the motion's body under the motion's rules, opened at once."""
    if mode not in (IN_ROOM, ONLINE):
        raise DomainError(_("The vote is in the room or online."), field="mode")
    assembly = motion.assembly
    now = timezone.now()
    if mode == IN_ROOM:
        if assembly is None or assembly.status != Assembly.Status.IN_SESSION:
            raise DomainError(_("An in-room vote needs the assembly in session."), field="mode")
        closes_at = closes_at or now + dt.timedelta(minutes=30)
    elif closes_at is None:
        raise DomainError(_("Give the closing time of the online vote."), field="closes_at")
    if closes_at <= now:
        raise DomainError(_("The vote must close in the future."), field="closes_at")
    scope = vote_scope(motion)
    majority = require_rule_for("majority", scope)
    board = motion.body.kind == Body.Kind.BOARD
    ballot = elections.create_ballot(
        actor=actor,
        body=motion.body,
        title=title,
        question=question,
        kind=Ballot.Kind.ROLL_CALL if board else Ballot.Kind.QUESTION,
        method=Ballot.Method.YESNO,
        rule_scope=scope,
        article=majority.article,
        opens_at=now,
        closes_at=closes_at,
        electorate=(
            Ballot.Electorate.BODY
            if board
            else (Ballot.Electorate.ASSEMBLY if mode == IN_ROOM else Ballot.Electorate.MEMBERS)
        ),
        assembly=assembly,
        convocation=assembly.convocation if assembly else 1,
    )
    return elections.open_ballot(actor=actor, ballot=ballot)


def put_amendment_to_vote(
    *, actor, amendment: Amendment, mode: str = IN_ROOM, closes_at: dt.datetime | None = None
) -> Ballot:
    """The chair puts an admissible amendment to the vote, in the order they were tabled."""
    ensure_may_write(actor)
    with transaction.atomic():
        amendment = workflow.lock_amendment(amendment)
        motion = workflow.lock_motion(amendment.motion)
        lifecycle.check(_step(amendment, "put_to_vote"), amendment, actor)
        if motion.status != M.SCHEDULED:
            raise DomainError(_("Amendments are voted when their motion is on the agenda."))
        earlier = motion.amendments.filter(
            number__lt=amendment.number, status__in=LIVE_AMENDMENT
        ).order_by("number")
        if earlier.exists():
            raise DomainError(
                _("Vote the earlier amendments first: %(labels)s.")
                % {"labels": ", ".join(a.label for a in earlier)}
            )
        try:
            texts.apply_change(text_before(amendment), as_change(amendment))
        except texts.MergeError as error:
            raise DomainError(
                _("Paragraph %(n)s no longer exists after the earlier amendments.")
                % {"n": error.paragraph}
            ) from error
        ballot = _open_vote(
            actor=actor,
            motion=motion,
            title=_("%(motion)s — amendment %(label)s")
            % {"motion": motion.reference, "label": amendment.label},
            question=amendment.text,
            mode=mode,
            closes_at=closes_at,
        )
        amendment.ballot = ballot
        lifecycle.move(
            _step(amendment, "put_to_vote"),
            amendment,
            actor,
            update_fields=["ballot"],
            ballot=ballot.pk,
        )
    return ballot


def put_motion_to_vote(
    *, actor, motion: Motion, mode: str = IN_ROOM, closes_at: dt.datetime | None = None
) -> Ballot:
    """The chair puts a scheduled motion to the vote: its amendments all decided first, the
    question is the final text with the adopted amendments merged."""
    ensure_may_write(actor)
    with transaction.atomic():
        motion = workflow.lock_motion(motion)
        pending = motion.amendments.filter(status__in=LIVE_AMENDMENT).order_by("number")
        if pending.exists():
            raise DomainError(
                _("Decide the amendments before the motion: %(labels)s.")
                % {"labels": ", ".join(a.label for a in pending)}
            )
        if motion.is_statute_amendment:
            proposed_statutes(motion)
        lifecycle.check(_step(motion, "put_to_vote"), motion, actor)
        motion.final_text = final_text(motion)
        ballot = _open_vote(
            actor=actor,
            motion=motion,
            title=f"{motion.reference} — {motion.title}",
            question=motion.final_text,
            mode=mode,
            closes_at=closes_at,
        )
        motion.ballot = ballot
        lifecycle.move(
            _step(motion, "put_to_vote"),
            motion,
            actor,
            update_fields=["final_text", "ballot"],
            ballot=ballot.pk,
            mode=mode,
        )
    return ballot


# ---------------------------------------------------------------------------
# The count's outcome (called inside `count_ballot`'s transaction)
# ---------------------------------------------------------------------------


def apply_count(*, actor, ballot: Ballot, decision: Decision) -> None:
    """Move the motion, amendment or voting mandate a counted ballot decided.

    Adopted: the motion is adopted and linked to its decision; an adopted statute
    amendment creates the next statute version, effective from the decision's date and
    citing it. Rejected: rejected. No quorum: back where it was before the vote.
    """
    step = {"adopted": "adopt", "rejected": "reject", "no_quorum": "no_quorum"}.get(
        decision.outcome
    )
    motion = Motion.objects.filter(ballot=ballot).first()
    amendment = Amendment.objects.filter(ballot=ballot).first()
    item = motion or amendment
    if item is None or step is None:
        return
    item = workflow.lock_motion(item) if motion else workflow.lock_amendment(item)
    reason = _("The quorum was not reached (%(ref)s).") % {"ref": decision.reference}
    if step != "no_quorum":
        item.decision = decision
        reason = ""
    else:
        item.ballot = None
    lifecycle.move(
        _step(item, step),
        item,
        actor,
        reason=reason,
        system=True,
        update_fields=["decision", "ballot"],
        decision=decision.reference,
    )
    if motion and step == "adopt" and motion.is_statute_amendment:
        version, _current, proposed = proposed_statutes(motion, decision.decided_on)
        governance.adopt_statute_version(
            actor=actor,
            title=version.title,
            effective_from=decision.decided_on,
            articles=proposed,
            adopted_by=decision,
            note=_("Amended by %(reference)s (motion %(motion)s).")
            % {"reference": decision.reference, "motion": motion.reference},
        )


def apply_cancellation(*, actor, ballot: Ballot) -> None:
    """Put the motion or amendment a cancelled ballot was voting on back where it was before
    the vote (on the agenda, or admissible), with the cancellation's reason.

    Called inside `cancel_ballot`'s transaction: if the move fails, the ballot stays as it
    was. The motion (or amendment) can be put to the vote again. A motion's ballot opens
    only once its amendments are decided (they stay decided), and an amendment's only while
    its motion waits on the agenda, which it cannot leave during that vote, so a
    cancellation never has another ballot to undo.
    """
    motion = Motion.objects.filter(ballot=ballot).first()
    amendment = None if motion else Amendment.objects.filter(ballot=ballot).first()
    if motion is None and amendment is None:
        return  # not a motion's vote (a voting mandate's ballot just shows as cancelled)
    item = (
        workflow.lock_motion(motion) if motion is not None else workflow.lock_amendment(amendment)
    )
    item.ballot = None
    lifecycle.move(
        _step(item, "vote_cancelled"),
        item,
        actor,
        reason=_("The vote was cancelled: %(reason)s") % {"reason": ballot.cancel_reason},
        system=True,
        update_fields=["ballot"],
        ballot=ballot.pk,
    )


# ---------------------------------------------------------------------------
# The International Council
# ---------------------------------------------------------------------------


def forward_to_ic(
    *,
    actor,
    motion: Motion,
    council: OrganisationUnit,
    cosponsoring_sections: Sequence[str] = (),
    forwarded_on: dt.date | None = None,
) -> ICSubmission:
    """The Board forwards an adopted IC motion to the International Council."""
    ensure_may_take(actor, motion, "forward")
    if council.kind != OrganisationUnit.Kind.INTERNATIONAL_COUNCIL:
        raise DomainError(_("Choose the International Council."), field="council")
    sections = [s.strip() for s in cosponsoring_sections if s.strip()]
    with transaction.atomic():
        motion = workflow.lock_motion(motion)
        forwarded_on = forwarded_on or timezone.localdate()
        if motion.decision_id and forwarded_on < motion.decision.decided_on:
            raise DomainError(
                _("A motion is forwarded after the decision that adopted it."), field="forwarded_on"
            )
        lifecycle.move(
            _step(motion, "forward"),
            motion,
            actor,
            council=council.code,
            cosponsoring_sections=sections,
        )
        submission = ICSubmission.objects.create(
            motion=motion,
            council=council,
            cosponsoring_sections=sections,
            forwarded_on=forwarded_on,
            forwarded_by=actor,
        )
        audit.record(actor, "ic_submission.created", submission, new=model_values(submission))
    return submission


IC_STEPS = {
    ICSubmission.Outcome.ADOPTED: "ic_adopted",
    ICSubmission.Outcome.AMENDED: "ic_adopted",
    ICSubmission.Outcome.REJECTED: "ic_rejected",
    ICSubmission.Outcome.WITHDRAWN: "ic_withdrawn",
}


def record_ic_outcome(
    *,
    actor,
    motion: Motion,
    outcome: str,
    decided_on: dt.date,
    ic_reference: str = "",
    text: str = "",
) -> ICSubmission:
    """An officer records what the IC did with the section's motion, with the IC's reference."""
    ensure_may_take(actor, motion, *IC_STEPS.values())
    if outcome not in IC_STEPS:
        raise DomainError(_("Unknown outcome."), field="outcome")
    if outcome == ICSubmission.Outcome.AMENDED and not text.strip():
        raise DomainError(_("Give the text as the IC adopted it."), field="text")
    with transaction.atomic():
        motion = workflow.lock_motion(motion)
        submission = ICSubmission.objects.select_for_update().filter(motion=motion).first()
        if submission is None:
            raise DomainError(_("This motion has not been forwarded to the IC."))
        if decided_on < submission.forwarded_on:
            raise DomainError(
                _("The IC decides after the motion was forwarded (%(date)s).")
                % {"date": date_format(submission.forwarded_on)},
                field="decided_on",
            )
        lifecycle.move(
            _step(motion, IC_STEPS[outcome]),
            motion,
            actor,
            ic_outcome=outcome,
            ic_reference=ic_reference,
        )
        submission.outcome, submission.outcome_on = outcome, decided_on
        submission.ic_reference, submission.outcome_text = ic_reference.strip(), text.strip()
        submission.save(update_fields=["outcome", "outcome_on", "ic_reference", "outcome_text"])
    return submission


def add_follow_up(*, actor, motion: Motion, noted_on: dt.date, text: str) -> FollowUp:
    """Officers of the Board or staff keep dated notes on the implementation of an IC motion."""
    ensure_may_write(actor)
    if not may_take(actor, motion, "follow_up"):
        raise NotAllowed(_("Only the Board or staff keep the follow-up notes."))
    if not text.strip():
        raise DomainError(_("Write the note."), field="text")
    submission = ICSubmission.objects.filter(motion=motion).first()
    if submission is None:
        raise DomainError(_("This motion has not been forwarded to the IC."))
    if noted_on < submission.forwarded_on:
        raise DomainError(_("A follow-up comes after the motion was forwarded."), field="noted_on")
    with transaction.atomic():
        note = FollowUp.objects.create(
            submission=submission, noted_on=noted_on, text=text.strip(), author=actor
        )
        audit.record(actor, "ic_follow_up.added", note, new=model_values(note))
    return note


def propose_voting_mandate(
    *,
    actor,
    board: Body,
    ic_reference: str,
    motion_title: str,
    submitted_by: str,
    position: str,
    closes_at: dt.datetime,
    article,
) -> VotingMandate:
    """The Board decides, by roll call, how its IC delegates vote on another section's motion.

    Opens the Board's roll-call ballot at once; its count records the decision.
    """
    ensure_may_write(actor)
    if board.kind != Body.Kind.BOARD:
        raise DomainError(_("The Board decides the delegates' voting mandate."), field="board")
    if position not in VotingMandate.Position.values:
        raise DomainError(_("Unknown position."), field="position")
    for name, value in (("ic_reference", ic_reference), ("motion_title", motion_title)):
        if not value.strip():
            raise DomainError(_("This field is required."), field=name)
    with transaction.atomic():
        label = VotingMandate.Position(position).label
        ballot = elections.create_ballot(
            actor=actor,
            body=board,
            title=_("Voting mandate on %(ref)s: %(position)s")
            % {"ref": ic_reference.strip(), "position": label},
            question=_(
                "Do our delegates to the International Council %(position)s on motion %(ref)s "
                "(%(title)s), submitted by %(section)s?"
            )
            % {
                "position": str(label).lower(),
                "ref": ic_reference.strip(),
                "title": motion_title.strip(),
                "section": submitted_by.strip(),
            },
            kind=Ballot.Kind.ROLL_CALL,
            method=Ballot.Method.YESNO,
            rule_scope=Body.Kind.BOARD,
            article=article,
            opens_at=timezone.now(),
            closes_at=closes_at,
        )
        mandate = VotingMandate.objects.create(
            ic_reference=ic_reference.strip(),
            motion_title=motion_title.strip(),
            submitted_by=submitted_by.strip(),
            position=position,
            ballot=ballot,
        )
        audit.record(actor, "voting_mandate.proposed", mandate, new=model_values(mandate))
        mandate.ballot = elections.open_ballot(actor=actor, ballot=ballot)
    return mandate


# ---------------------------------------------------------------------------
# The list of speakers
# ---------------------------------------------------------------------------

#: A motion is debated while it is on the agenda: scheduled, or being voted.
DEBATED = (M.SCHEDULED, M.IN_VOTE)


def _ensure_on_the_agenda(motion: Motion) -> None:
    if motion.agenda_position is None or motion.status not in DEBATED:
        raise DomainError(
            _("Only a motion on the agenda of a meeting has a list of speakers."), field="motion"
        )


def add_speaker(*, actor, motion: Motion, member: Member) -> Speaker:
    """The assembly's chair (or staff) puts a member at the end of the list of speakers.

    Only for a motion on the agenda; a member is on the list once until they have spoken
    or withdrawn (a constraint too).
    """
    ensure_may_take(actor, motion, "speakers")
    with transaction.atomic():
        motion = workflow.lock_motion(motion)
        _ensure_on_the_agenda(motion)
        speakers = Speaker.objects.filter(motion=motion)
        if speakers.filter(
            member=member, status__in=[Speaker.Status.WAITING, Speaker.Status.SPEAKING]
        ).exists():
            raise DomainError(
                _("%(name)s is already on the list.") % {"name": member.full_name},
                field="member",
            )
        last = speakers.order_by("-position").values_list("position", flat=True).first() or 0
        speaker = Speaker.objects.create(
            motion=motion,
            member=member,
            position=last + 1,
            added_at=timezone.now(),
            added_by=actor,
        )
        audit.record(actor, "speaker.added", speaker, new=model_values(speaker))
    return speaker


def _speaker_step(actor, speaker: Speaker, target: str, sources: tuple[str, ...]) -> Speaker:
    motion = Motion.objects.select_related("body").get(pk=speaker.motion_id)
    ensure_may_take(actor, motion, "speakers")
    with transaction.atomic():
        motion = workflow.lock_motion(motion)
        speaker = Speaker.objects.select_for_update().get(pk=speaker.pk)
        if speaker.status not in sources:
            raise DomainError(
                _("%(name)s is %(status)s: that step does not apply.")
                % {
                    "name": speaker.member.full_name,
                    "status": speaker.get_status_display().lower(),
                },
                field="speaker",
            )
        now = timezone.now()
        if target == Speaker.Status.SPEAKING:
            _ensure_on_the_agenda(motion)
            # Whoever had the floor has finished: one speaker at a time.
            for current in Speaker.objects.select_for_update().filter(
                motion=motion, status=Speaker.Status.SPEAKING
            ):
                current.status, current.ended_at = Speaker.Status.DONE, now
                current.save(update_fields=["status", "ended_at"])
                audit.record(
                    actor,
                    "speaker.done",
                    current,
                    old={"status": Speaker.Status.SPEAKING},
                    new={"status": Speaker.Status.DONE},
                )
            speaker.started_at = now
        else:
            speaker.ended_at = now
        old = speaker.status
        speaker.status = target
        speaker.save(update_fields=["status", "started_at", "ended_at"])
        audit.record(
            actor, f"speaker.{target}", speaker, old={"status": old}, new={"status": target}
        )
    return speaker


def give_floor(*, actor, speaker: Speaker) -> Speaker:
    """The chair gives the floor to a member waiting on the list (the one speaking is done)."""
    return _speaker_step(actor, speaker, Speaker.Status.SPEAKING, (Speaker.Status.WAITING,))


def end_speech(*, actor, speaker: Speaker) -> Speaker:
    """The chair records that the member speaking has finished."""
    return _speaker_step(actor, speaker, Speaker.Status.DONE, (Speaker.Status.SPEAKING,))


def withdraw_speaker(*, actor, speaker: Speaker) -> Speaker:
    """The chair takes a waiting member off the list (at their request, or they left)."""
    return _speaker_step(actor, speaker, Speaker.Status.WITHDRAWN, (Speaker.Status.WAITING,))
