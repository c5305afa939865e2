"""The decision register: references and decisions recorded against their article."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from governance import tasks
from governance.audit import log as audit
from governance.audit.log import model_values
from governance.exceptions import DomainError
from governance.models import (
    Article,
    Assembly,
    Body,
    Decision,
    DocumentCounter,
    Rule,
)
from governance.permissions import ensure_may_act_for_body
from governance.services.common import SYSTEM
from governance.statutes import rules


def next_reference(*, year: int, subject: str | None = None) -> str:
    """The next number in the movement's document index, e.g. ``ORG 50/003/2026``.

    Must run inside the caller's transaction: the counter row is locked until it commits,
    so two decisions never get the same number and numbers are not skipped.
    """
    subject = subject or settings.DOCUMENT_SUBJECT_CODE
    counter, _created = DocumentCounter.objects.select_for_update().get_or_create(
        subject=subject, year=year
    )
    counter = DocumentCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"{subject}/{counter.last_number:03d}/{year}"


def record_decision(
    *,
    actor,
    body: Body,
    title: str,
    text: str,
    article: Article,
    outcome: str,
    decided_on: dt.date,
    applied: Sequence[tuple[Rule, rules.RuleOutcome | None]] = (),
    figures: dict | None = None,
    assembly: Assembly | None = None,
    supersedes: Decision | None = None,
) -> Decision:
    """Enter a decision in the register, citing the article and statute version it was taken under.

    Officers of the body (and the platform, as SYSTEM) may call it, and every caller is
    checked here, whatever it checked before: the voting engine's count enters its decision
    as the officer who counts, so no decision reaches the register past this check. The
    snapshots of the rules applied and their evaluated outcomes are stored with the figures, so the
    decision can be re-checked later even after the statutes change.
    """
    if actor is not SYSTEM:
        ensure_may_act_for_body(actor, body)
    if outcome not in Decision.Outcome.values:
        raise DomainError(_("Unknown outcome."), field="outcome")
    with transaction.atomic():
        if supersedes is not None and Decision.objects.filter(supersedes=supersedes).exists():
            raise DomainError(_("That decision has already been superseded."), field="supersedes")
        snapshot = [
            {**rule.snapshot(), "outcome": evaluated.as_dict() if evaluated is not None else None}
            for rule, evaluated in applied
        ]
        decision = Decision.objects.create(
            reference=next_reference(year=decided_on.year),
            body=body,
            assembly=assembly,
            decided_on=decided_on,
            title=title,
            text=text,
            statute_version=article.version,
            article=article,
            rule_snapshot=audit.jsonable(snapshot),
            figures=audit.jsonable(figures or {}),
            outcome=outcome,
            supersedes=supersedes,
            recorded_by=actor if actor is not SYSTEM else None,
        )
        audit.record(actor, "decision.recorded", decision, new=model_values(decision))
        # A checkpoint signed after every decision reaches the auditors (governance.tasks).
        reference = decision.reference
        transaction.on_commit(lambda: tasks.queue_checkpoint(reference))
    return decision
