"""Background work of the voting engine, run through Django's tasks API: the ballot e-mails.

Enqueued after the writing transaction commits; messages are built and sent 500 at a time. With the default immediate backend they
run in process; a production worker runs them from a queue (docs/architecture.md).
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from elections.models import Ballot
from governance.models import Member

SUBJECTS = {
    "invitation": _("Vote open: %(title)s"),
    "reminder": _("Reminder: the vote closes soon: %(title)s"),
    "result": _("Result published: %(title)s"),
}


#: Messages built and handed to the mail backend at a time: memory stays that of one batch
#: however long the roll (before, every message was built before the first was sent).
SEND_BATCH = 500


def _send(ballot_id: int, template: str, *, only_abstainers: bool = False) -> int:
    """One message per member on the roll with an e-mail address, sent in batches."""
    ballot = Ballot.objects.select_related("body", "decision").get(pk=ballot_id)
    members = Member.objects.filter(roll_entries__ballot=ballot).exclude(email="")
    if only_abstainers:
        members = members.exclude(participations__ballot=ballot)
    link = settings.SITE_URL.rstrip("/") + reverse("ballot_detail", args=[ballot.pk])
    sent = 0
    batch: list[EmailMessage] = []
    with translation.override(settings.LANGUAGE_CODE):
        subject = str(SUBJECTS[template]) % {"title": ballot.title}
        for member in members.only("first_name", "last_name", "email").iterator(chunk_size=2000):
            context = {"ballot": ballot, "member": member, "link": link}
            body = render_to_string(f"elections/email/{template}.txt", context)
            batch.append(EmailMessage(subject, body, to=[member.email]))
            if len(batch) >= SEND_BATCH:
                mailers.default.send_messages(batch)
                sent += len(batch)
                batch = []
    if batch:
        mailers.default.send_messages(batch)
        sent += len(batch)
    return sent


@task
def send_invitations(ballot_id: int) -> int:
    """Invite everyone on the roll of a ballot that has just opened."""
    return _send(ballot_id, "invitation")


@task
def send_reminders(ballot_id: int) -> int:
    """Remind those on the roll who have not voted yet that the ballot closes soon."""
    return _send(ballot_id, "reminder", only_abstainers=True)


@task
def send_results(ballot_id: int) -> int:
    """Tell everyone on the roll that the result is published."""
    return _send(ballot_id, "result")
