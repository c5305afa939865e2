"""The list of speakers for a motion on the agenda: added, given the floor, done, withdrawn."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.audit import log as audit
from governance.audit.log import model_values
from governance.exceptions import DomainError
from governance.models import Member
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
