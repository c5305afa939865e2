"""Drafting a motion: its text, its statute changes, its assembly; edits while it is a draft."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance import limits
from governance.audit import log as audit
from governance.audit.log import model_values
from governance.exceptions import DomainError, NotAllowed
from governance.models import (
    Assembly,
    Body,
    StatuteVersion,
)
from governance.permissions import ensure_may_write
from motions import statute_changes, texts, workflow
from motions.models import (
    Motion,
    MotionVersion,
)
from motions.services.common import M, _member_of, may_take


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
