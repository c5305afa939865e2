"""What the commands that record under a staff account share: the --as account, and a CSV
import run all or nothing with its bad lines named (import_members, import_dues)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from governance import access
from governance.exceptions import DomainError


def staff_account(email: str | None):
    """The account named by --as, who must manage the roll as on its pages
    (`access.may_manage_roll`), or None (the platform) when none is given."""
    return access.command_account(email, access.may_manage_roll)


class CsvImportCommand(BaseCommand):
    """Read one CSV file and hand it to `run_import` under the --as account (the platform if
    none); a refused import exits non-zero naming every bad line, and nothing is recorded."""

    actor_help = "the staff account the import is recorded under (the platform if omitted)"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--as", dest="actor", metavar="EMAIL", help=self.actor_help)

    #: Hand `run_import` the open file (read a line at a time) rather than its bytes.
    streamed = False

    def handle(self, *args, file: Path, actor: str | None, **options):
        try:
            stream = file.open("rb")
        except OSError as error:
            raise CommandError(f"cannot read {file}: {error.strerror}") from None
        user = staff_account(actor)
        with stream:
            try:
                data = stream if self.streamed else stream.read()
                summary = self.run_import(actor=user, data=data, system=user is None, **options)
            except OSError as error:
                raise CommandError(f"cannot read {file}: {error.strerror}") from None
            except DomainError as error:
                details = "\n".join(f"  {file}: {detail}" for detail in error.details)
                raise CommandError(f"{error.message}\n{details}".rstrip()) from None
        self.stdout.write(self.style.SUCCESS(summary))

    def run_import(self, *, actor, data: bytes, system: bool, **options) -> str:
        """Import `data` through the roll's service; return the one-line summary."""
        raise NotImplementedError
