"""Amendments: drafted, submitted, taken through their steps; the motion's text with them applied."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from governance import lifecycle, limits
from governance.audit import log as audit
from governance.audit.log import model_values
from governance.exceptions import DomainError
from governance.permissions import ensure_may_write
from motions import texts, workflow
from motions.models import (
    Amendment,
    Motion,
)
from motions.services.common import AMENDABLE, A, _member_of, _step
from motions.services.sponsors import _eligible_supporters
from motions.services.statute_rules import _check_deadline, _check_sponsorship


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
    return lifecycle.take(_step(amendment, "submit"), amendment, actor)


def check_submission(amendment: Amendment, actor) -> dict:
    """The motion still amendable, the deadline and co-sponsors checked; the number given."""
    today = timezone.localdate()
    motion = amendment.motion
    if motion.status not in AMENDABLE:
        raise DomainError(_("This motion can no longer be amended."))
    checks = _check_deadline(motion, "amendment", today)
    checks.update(
        _check_sponsorship("amendment", _eligible_supporters(amendment, today), required=False)
    )
    last = motion.amendments.aggregate(Max("number"))["number__max"] or 0
    amendment.number = last + 1
    amendment.submitted_at = timezone.now()
    return {"number": amendment.number, **checks}


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
