"""Submission, admissibility, scheduling and referral of a motion."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from governance import lifecycle
from governance import services as governance
from governance.exceptions import DomainError
from governance.models import (
    Assembly,
    Body,
)
from governance.permissions import ensure_may_write
from motions import workflow
from motions.models import Motion
from motions.services.common import _step, ensure_may_take
from motions.services.drafting import _check_assembly, proposed_statutes
from motions.services.sponsors import _eligible_supporters
from motions.services.statute_rules import _check_deadline, _check_sponsorship, sponsorship_scope


def submit_motion(*, actor, motion: Motion) -> Motion:
    """The proposer submits a draft: before the notice deadline, with the co-sponsors the statutes
    require still entitled to vote. The motion gets its reference in the document index."""
    ensure_may_write(actor)
    return lifecycle.take(_step(motion, "submit"), motion, actor)


def check_submission(motion: Motion, actor) -> dict:
    """The assembly, the deadline and the co-sponsors checked; the reference given."""
    today = timezone.localdate()
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
    return {"reference": motion.reference, "version": motion.current_version.number, **checks}


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
    return lifecycle.take(_step(motion, "schedule"), motion, actor, assembly=assembly)


def place_on_agenda(motion: Motion, actor, *, assembly: Assembly | None = None) -> dict:
    """The meeting checked and locked (agenda positions in order); the motion placed last."""
    target = assembly or motion.assembly
    if target is None:
        raise DomainError(_("Choose the assembly."), field="assembly")
    _check_assembly(motion.body, target)
    Assembly.objects.select_for_update().get(pk=target.pk)  # agenda positions in order
    last = Motion.objects.filter(assembly=target).aggregate(Max("agenda_position"))
    motion.assembly = target
    motion.agenda_position = (last["agenda_position__max"] or 0) + 1
    return {"assembly": target.pk, "agenda_position": motion.agenda_position}


def refer_motion(*, actor, motion: Motion, body: Body | None, reason: str) -> Motion:
    """The Board (or the assembly, through its chair) refers a motion to another body."""
    ensure_may_take(actor, motion, "refer")
    if body is None:
        raise DomainError(_("Choose the body."), field="body")
    return lifecycle.take(_step(motion, "refer"), motion, actor, reason=reason, body=body)


def check_referral(motion: Motion, actor, *, body: Body, reason: str) -> dict:
    """Another body, and no amendment in the vote; the motion leaves the agenda."""
    if body.pk == motion.body_id:
        raise DomainError(_("Refer the motion to another body."), field="body")
    workflow.ensure_no_amendment_in_vote(motion)
    motion.referred_to = body
    motion.agenda_position = None
    return {"referred_to": body.code}
