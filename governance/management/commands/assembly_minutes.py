"""Write the minutes of an assembly as a PDF (the same document as the page's download)."""

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.assemblies.minutes import render_minutes
from governance.audit import checkpoints
from governance.models import Assembly


class Command(BaseCommand):
    help = (
        "Write the minutes of an assembly (attendance, quorum, every decision recorded at it) "
        "as a PDF to FILE."
    )

    def add_arguments(self, parser):
        parser.add_argument("assembly", help="the assembly's id")
        parser.add_argument("--output", type=Path, metavar="FILE", required=True)

    def handle(self, *args, assembly: str, output: Path, **options):
        if not str(assembly).isdigit():
            raise CommandError(
                _("The assembly id must be a number, not %(id)s.") % {"id": assembly}
            )
        found = Assembly.objects.filter(pk=int(assembly)).first()
        if found is None:
            raise CommandError(_("No assembly has the id %(id)s.") % {"id": assembly})
        try:
            pdf = render_minutes(found, generated_at=timezone.now())
        except checkpoints.SigningKeyError as error:  # the minutes print a signed checkpoint
            raise CommandError(str(error)) from None
        # Written beside the target and renamed, so a failure leaves no half file.
        output = Path(output)
        partial = output.with_name(output.name + ".part")
        try:
            partial.write_bytes(pdf)
            os.replace(partial, output)
        except OSError as error:
            partial.unlink(missing_ok=True)
            raise CommandError(
                _("cannot write %(file)s: %(error)s") % {"file": output, "error": error.strerror}
            ) from None
        self.stdout.write(
            self.style.SUCCESS(
                _("minutes of %(title)s written to %(file)s")
                % {"title": found.title, "file": output}
            )
        )
