"""Background work of governance, run through Django's tasks API: the audit checkpoints' e-mail.

Every checkpoint goes to the auditors (accounts with `is_auditor` and an address) and to
``AUDIT_CHECKPOINT_EMAILS``: their mailboxes are outside the database's reach, so a later
rewrite of the log cannot take back what they received.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from governance.audit import checkpoints
from governance.models import User


def checkpoint_recipients() -> list[str]:
    auditors = User.objects.filter(is_auditor=True, is_active=True).exclude(email="")
    return sorted({*auditors.values_list("email", flat=True), *settings.AUDIT_CHECKPOINT_EMAILS})


def queue_checkpoint(reason: str) -> bool:
    """Queue `send_checkpoint`, unless no signing key is configured: then the task could
    only fail (a traceback in the worker's log for every decision), and the operator is
    told once instead, by the system check `governance.W001`. Whether it was queued."""
    if not checkpoints.signing_configured():
        return False
    send_checkpoint.enqueue(reason=reason)
    return True


@task
def send_checkpoint(reason: str = "") -> int:
    """Sign a checkpoint of the log now and e-mail it to the auditors; the number sent."""
    recipients = checkpoint_recipients()
    if not recipients:
        return 0
    text, checkpoint = checkpoints.issue()
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Audit log checkpoint: %(size)s events") % {"size": checkpoint.size}
        body = render_to_string(
            "governance/email/checkpoint.txt",
            {
                "checkpoint": checkpoint,
                "text": text,
                "reason": reason,
                "verifier_key": checkpoints.verifier_key(),
            },
        )
    message = EmailMessage(subject, body, to=recipients[:1], bcc=recipients[1:])
    mailers.default.send_messages([message])
    return len(recipients)
