"""Export the whole decision register with its digest and the audit chain's head (JSON, CSV, PDF)."""

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from governance.audit import checkpoints
from governance.audit.exports import FORMATS, export_register


class Command(BaseCommand):
    help = (
        "Write every decision of the register, the SHA-256 digest of the rows and the audit "
        "chain's head, read in one snapshot, as JSON or CSV (to standard output by default) "
        "or PDF (--output required). verify_export checks such a file later."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", dest="fmt", choices=FORMATS, default="json")
        parser.add_argument("--output", type=Path, metavar="FILE", help="write to FILE")

    def handle(self, *args, fmt: str, output: Path | None, **options):
        try:
            checkpoints.signing_key()  # before a line is written: the export ends signed
        except checkpoints.SigningKeyError as error:
            raise CommandError(str(error)) from None
        if output is None:
            if fmt == "pdf":
                raise CommandError(_("A PDF export needs --output FILE."))
            # The raw stream: OutputWrapper.write would add line endings of its own.
            trailer = export_register(self.stdout._out, fmt=fmt)
        else:
            # Written beside the target and renamed, so a failed export leaves no half file.
            output = Path(output)  # call_command(output="...") skips the parser's type
            partial = output.with_name(output.name + ".part")
            try:
                if fmt == "pdf":
                    with partial.open("wb") as file:
                        trailer = export_register(file, fmt=fmt)
                else:
                    with partial.open("w", encoding="utf-8", newline="") as file:
                        trailer = export_register(file, fmt=fmt)
                os.replace(partial, output)
            except OSError as error:
                partial.unlink(missing_ok=True)
                raise CommandError(
                    _("cannot write %(file)s: %(error)s")
                    % {"file": output, "error": error.strerror}
                ) from None
            except BaseException:
                partial.unlink(missing_ok=True)
                raise
        message = _(
            "exported %(count)s decisions, digest %(digest)s, audit head #%(sequence)s %(hash)s"
        ) % {
            "count": trailer.count,
            "digest": trailer.digest,
            "sequence": trailer.head_sequence,
            "hash": trailer.head_hash,
        }
        # On standard error when the export itself went to standard output.
        (self.stdout if output else self.stderr).write(self.style.SUCCESS(message))
