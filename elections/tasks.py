"""Background work of the voting engine, run through Django's tasks API: the ballot e-mails
and the tally of a closed secret ballot.

Enqueued after the writing transaction commits (the opening, the reminder, the
publication). With the default immediate backend they run in process; a production worker
runs them from a queue (docs/architecture.md).

A mailing goes out in batches of `SEND_BATCH` recipients, read by member id after the
`Mailing`'s cursor: memory stays that of one batch however long the roll (before, every
message of 100,000 was built before the first was sent), and each batch is sent in the
transaction that moves the cursor and the progress the officers' console shows. A task run
again sends nobody twice; a batch whose sending failed is sent again whole. Each message is
written in its recipient's language (`Member.language`, the section's by default).
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from elections import ballot_box
from elections.models import Ballot, Mailing
from governance.models import Member

SUBJECTS = {
    Mailing.Kind.INVITATION: _("Vote open: %(title)s"),
    Mailing.Kind.REMINDER: _("Reminder: the vote closes soon: %(title)s"),
    Mailing.Kind.RESULT: _("Result published: %(title)s"),
}


#: Recipients read, messages built and handed to the mail backend at a time.
SEND_BATCH = 500


def recipients(ballot: Ballot, kind: str):
    """Who the mailing writes to: the roll's members with an address (a reminder: those who
    have not taken part yet), by member id, the order the batches follow."""
    members = Member.objects.filter(roll_entries__ballot=ballot).exclude(email="")
    if kind == Mailing.Kind.REMINDER:
        members = members.exclude(participations__ballot=ballot)
    return members.order_by("pk")


def _message(ballot: Ballot, kind: str, member: Member, link: str) -> EmailMessage:
    with translation.override(member.language or settings.LANGUAGE_CODE):
        subject = str(SUBJECTS[kind]) % {"title": ballot.title}
        context = {"ballot": ballot, "member": member, "link": link}
        body = render_to_string(f"elections/email/{kind}.txt", context)
    return EmailMessage(subject, body, to=[member.email])


def send_batch(mailing_id: int, ballot: Ballot, link: str) -> int:
    """Send the next batch of a mailing and move its cursor, in one transaction; the number
    sent (0 once every recipient has been written to, and the mailing is marked finished).

    The mailing's row is locked first, so two workers running the same task take turns and
    the second finds the cursor already moved."""
    with transaction.atomic():
        mailing = Mailing.objects.select_for_update().get(pk=mailing_id)
        if mailing.finished_at is not None:
            return 0
        batch = list(
            recipients(ballot, mailing.kind)
            .filter(pk__gt=mailing.last_member)
            .only("first_name", "last_name", "email", "language")[:SEND_BATCH]
        )
        if not batch:
            mailing.finished_at = timezone.now()
            # A reminder's recipients shrink as they vote: the total is what went out.
            mailing.total = mailing.sent
            mailing.save(update_fields=["finished_at", "total"])
            return 0
        mailers.default.send_messages([_message(ballot, mailing.kind, m, link) for m in batch])
        mailing.sent += len(batch)
        mailing.last_member = batch[-1].pk
        mailing.save(update_fields=["sent", "last_member"])
        return len(batch)


def send_mailing(ballot_id: int, kind: str) -> int:
    """Every batch of the ballot's mailing of this kind, from where it stopped; the number
    sent by this run."""
    ballot = Ballot.objects.select_related("body", "decision").get(pk=ballot_id)
    mailing, _created = Mailing.objects.get_or_create(
        ballot=ballot,
        kind=kind,
        defaults={"total": recipients(ballot, kind).count(), "started_at": timezone.now()},
    )
    link = settings.SITE_URL.rstrip("/") + reverse("ballot_detail", args=[ballot.pk])
    sent = 0
    while batch := send_batch(mailing.pk, ballot, link):
        sent += batch
    return sent


@task
def send_invitations(ballot_id: int) -> int:
    """Invite everyone on the roll of a ballot that has just opened."""
    return send_mailing(ballot_id, Mailing.Kind.INVITATION)


@task
def send_reminders(ballot_id: int) -> int:
    """Remind those on the roll who have not voted yet that the ballot closes soon."""
    return send_mailing(ballot_id, Mailing.Kind.REMINDER)


@task
def send_results(ballot_id: int) -> int:
    """Tell everyone on the roll that the result is published."""
    return send_mailing(ballot_id, Mailing.Kind.RESULT)


@task
def prepare_tally(box_id: int) -> str:
    """The closed secret ballot's totals or mix, with the proof of the shuffle, for its
    trustees (`ballot_box.run_tally`): about 30 s of CPU at 10,000 voters, so never in the
    close's request. A rerun or a duplicate does nothing twice."""
    return ballot_box.run_tally(box_id)
