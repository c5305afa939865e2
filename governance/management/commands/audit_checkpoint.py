"""Sign a checkpoint of the audit log now: write it to a file, e-mail it, or print it.

Run daily from cron or a systemd timer (docs/operations.md), after `verify_audit
--checkpoint` against the previous one: `audit_checkpoint --output FILE --email`.
"""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from governance import tasks
from governance.audit import checkpoints


class Command(BaseCommand):
    help = (
        "Verify the audit log and sign a checkpoint of it (size, Merkle root, time) with the "
        "platform's key; write it to --output, e-mail it to the auditors (--email), or print it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", metavar="FILE", help="write the signed checkpoint here")
        parser.add_argument(
            "--email",
            action="store_true",
            help="also e-mail a checkpoint to the auditors, through the task queue",
        )
        parser.add_argument(
            "--verifier-key",
            action="store_true",
            help="print the platform's public key (verifier key) instead",
        )

    def handle(self, *args, output=None, email=False, verifier_key=False, **options):
        try:
            if verifier_key:
                self.stdout.write(checkpoints.verifier_key())
                return
            text, checkpoint = checkpoints.issue()
        except (checkpoints.CheckpointError, ImproperlyConfigured) as error:
            # No key, or a key file missing or malformed: its message, not a traceback.
            raise CommandError(str(error)) from None
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stdout.write(
                f"checkpoint of {checkpoint.size} events, root {checkpoint.root_hex}, "
                f"written to {output}"
            )
        else:
            self.stdout.write(text, ending="")
        if email:
            tasks.queue_checkpoint("audit_checkpoint --email")
