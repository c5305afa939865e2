"""Check a register export: its own digest, the live register, the audit chain at its head."""

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from governance.audit.exports import ExportFormatError, verify_export


class Command(BaseCommand):
    help = (
        "Verify an export_register file (JSON, CSV or PDF): its rows against its digest, each "
        "exported decision against the live register, and the audit chain up to its head."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--workers",
            type=int,
            default=os.cpu_count() or 1,
            help="processes checking ranges of the audit log in parallel on PostgreSQL, as "
            "verify_audit's (default: one per CPU; 1 walks it in this process)",
        )

    def handle(self, *args, file: Path, workers: int = 1, **options):
        file = Path(file)  # call_command(file="...") skips the parser's type
        try:
            check = verify_export(file, workers=max(workers, 1))
        except ExportFormatError as error:
            raise CommandError(
                _("%(file)s is not a readable export: %(error)s") % {"file": file, "error": error}
            ) from None
        if not check.ok:
            raise CommandError(
                _("%(file)s does NOT match the register:") % {"file": file}
                + "".join(f"\n  {problem}" for problem in check.problems)
            )
        message = _(
            "%(file)s matches the register: %(count)s decisions, digest %(digest)s; audit chain "
            "verified (%(events)s events), head #%(sequence)s unchanged"
        ) % {
            "file": file,
            "count": check.count,
            "digest": check.digest,
            "events": check.audit_events,
            "sequence": check.trailer.head_sequence,
        }
        if check.recorded_since:
            message += "; " + ngettext(
                "%(count)s decision recorded since the export",
                "%(count)s decisions recorded since the export",
                check.recorded_since,
            ) % {"count": check.recorded_since}
        self.stdout.write(self.style.SUCCESS(message))
