"""The list of speakers for a motion on the agenda: added, given the floor, done, withdrawn."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.audit import log as audit
from governance.audit.log import model_values
from governance.exceptions import DomainError, NotAllowed
from governance.models import Assembly, Attendance, Member
from governance.permissions import roles_for
from motions import workflow
from motions.models import (
    Motion,
    Speaker,
)
from motions.services.common import M, ensure_may_take

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
        return _append(actor, motion, member, "speaker.added")


def ask_for_the_floor(*, actor, motion: Motion) -> Speaker:
    """A member present at the meeting asks to speak on a motion debated there: they go to
    the end of the list of speakers, as if the chair had put them there.

    Only a member checked in at the door of the motion's meeting, while it is in session;
    the chair still gives the floor (`give_floor`).
    """
    with transaction.atomic():
        motion = workflow.lock_motion(motion)  # read afresh: the meeting's status, the door's
        member = _present_member(actor, motion)
        return _append(actor, motion, member, "speaker.asked")


def _present_member(actor, motion: Motion) -> Member:
    roles = roles_for(actor)
    if not roles.may_write or roles.member_id is None:
        raise NotAllowed(_("Only a member present at the meeting may ask for the floor."))
    assembly = motion.assembly
    if assembly is None or assembly.status != Assembly.Status.IN_SESSION:
        raise DomainError(
            _("The floor is asked for during the meeting, while it is in session."),
            field="motion",
        )
    attendance = (
        Attendance.objects.present()
        .filter(assembly=assembly, member_id=roles.member_id)
        .select_related("member")
        .first()
    )
    if attendance is None:
        raise NotAllowed(
            _("Only a member checked in at the door of the meeting may ask for the floor.")
        )
    return attendance.member


@dataclass(frozen=True)
class FloorRequest:
    """What a member present at the meeting sees of a motion's list of speakers."""

    speaker: Speaker | None  # their place on the list, waiting or speaking
    ahead: int  # how many are waiting before them


def floor_request(actor, motion: Motion) -> FloorRequest | None:
    """``None`` where ``actor`` may not ask for the floor on ``motion`` (the same checks as
    `ask_for_the_floor`); else their place on the list, if any (three queries)."""
    try:
        _ensure_on_the_agenda(motion)
        member = _present_member(actor, motion)
    except DomainError:
        return None
    mine = Speaker.objects.filter(
        motion=motion, member=member, status__in=[Speaker.Status.WAITING, Speaker.Status.SPEAKING]
    ).first()
    ahead = 0
    if mine is not None and mine.status == Speaker.Status.WAITING:
        ahead = Speaker.objects.filter(
            motion=motion, status=Speaker.Status.WAITING, position__lt=mine.position
        ).count()
    return FloorRequest(mine, ahead)


def _append(actor, motion: Motion, member: Member, action: str) -> Speaker:
    """Under the motion's lock: ``member`` at the end of its list, with the audit event."""
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
    audit.record(actor, action, speaker, new=model_values(speaker))
    return speaker


def _speaker_step(
    actor, speaker: Speaker, target: str, sources: tuple[str, ...], *, own: bool = False
) -> Speaker:
    """The chair's steps on the list; with ``own``, a member's step on their own request."""
    motion = Motion.objects.select_related("body").get(pk=speaker.motion_id)
    if own:
        roles = roles_for(actor)
        if not roles.may_write or roles.member_id != speaker.member_id:
            raise NotAllowed(_("Only the member who asked for the floor may withdraw the request."))
    else:
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


def withdraw_my_request(*, actor, motion: Motion) -> Speaker:
    """A member waiting on a motion's list takes their own name off it (the chair's `withdraw`)."""
    roles = roles_for(actor)
    if not roles.may_write or roles.member_id is None:
        raise NotAllowed(_("Only the member who asked for the floor may withdraw the request."))
    speaker = (
        Speaker.objects.filter(
            motion=motion, member_id=roles.member_id, status=Speaker.Status.WAITING
        )
        .select_related("member")
        .first()
    )
    if speaker is None:
        raise DomainError(_("You are not waiting on the list of speakers."), field="motion")
    return _speaker_step(
        actor, speaker, Speaker.Status.WITHDRAWN, (Speaker.Status.WAITING,), own=True
    )
