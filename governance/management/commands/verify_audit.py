"""Check the audit log: the hash chain, its Merkle root, and that it extends signed checkpoints.

Exit 0 with the count and the root when everything holds; non-zero naming the first bad
event, or the checkpoint the log no longer extends and what changed before it.
"""

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from governance.audit import checkpoints
from governance.audit.log import verify_chain


class Command(BaseCommand):
    help = (
        "Verify the hash chain of the audit log and, with --checkpoint, that the log still "
        "extends each signed checkpoint given (nothing before it removed, rewritten or "
        "reordered)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--checkpoint",
            action="append",
            default=[],
            metavar="FILE",
            help="a signed checkpoint (audit_checkpoint --output); may be given several times",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=os.cpu_count() or 1,
            help="processes checking ranges of the log in parallel on PostgreSQL "
            "(default: one per CPU; 1 walks it in this process)",
        )
        parser.add_argument(
            "--verifier-key",
            metavar="KEY",
            help="check the signatures with this verifier key rather than the configured key",
        )

    def handle(
        self, *args, checkpoint: list[str], workers: int, verifier_key: str | None = None, **options
    ):
        public = None
        if verifier_key:
            public = checkpoints.public_key_from_verifier(verifier_key)[1]
        signed = []
        for name in checkpoint:
            try:
                text = Path(name).read_text(encoding="utf-8")
            except OSError as error:
                raise CommandError(f"cannot read {name}: {error.strerror}") from None
            except UnicodeDecodeError:
                raise CommandError(
                    f"{name}: not a checkpoint (the file is not UTF-8 text)"
                ) from None
            try:
                signed.append(checkpoints.read_signed(text, public))
            except checkpoints.CheckpointError as error:
                raise CommandError(f"{name}: {error}") from None
        result = verify_chain(signed, workers=max(workers, 1))
        failures = [check for check in result.checkpoints if not check.ok]
        for check in result.checkpoints:
            state = "extends" if check.ok else "DOES NOT extend"
            when = check.time.isoformat()
            self.stdout.write(f"{state} the checkpoint of {check.size} events ({when})")
        if failures:
            raise CommandError(
                "the audit log no longer extends its signed checkpoint: "
                + "; ".join(check.problem for check in failures)
            )
        if not result.ok:
            raise CommandError(
                f"audit chain broken at event {result.bad_sequence}: {result.problem} "
                f"({result.count} events verified before it)"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"audit chain ok: {result.count} events, head {result.head_hash}, "
                f"Merkle root {result.root.hex()}"
            )
        )
