"""Submission, admissibility, scheduling and referral of a motion."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
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
