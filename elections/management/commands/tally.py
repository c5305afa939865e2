"""Recount a published ballot list (JSON) or a BLT file and print the result as JSON."""

import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import BinaryIO

from django.core.management.base import BaseCommand, CommandError

from elections.counting import BltError, ExportError, tally_file
from elections.counting.types import METHODS

STDIN = "-"


class Command(BaseCommand):
    help = (
        "Recount a ballot from FILE: the platform's published ballot list (JSON, "
        '"ballot-list/1") or a BLT file, and print the result as JSON with the '
        "candidates elected, in order of election, and every stage. FILE may be - for "
        "standard input."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="the file to count, or - for stdin")
        parser.add_argument(
            "--method",
            choices=METHODS,
            help="counting method; default: the one a JSON list names, stv for BLT",
        )
        parser.add_argument("--seats", type=int, help="number of seats, overriding the file's")
        parser.add_argument(
            "--seed", help="seed for drawing lots, overriding a JSON list's published seed"
        )
        parser.add_argument(
            "--format",
            dest="fmt",
            choices=("json", "blt"),
            help="file format; default: JSON when the text starts with {, otherwise BLT",
        )

    def handle(self, *args, file, method, seats, seed, fmt, **options):
        source = "<stdin>" if file == STDIN else file
        with _open(file) as stream:
            try:
                result = tally_file(stream, method, seats, fmt, seed=seed)
            except BltError as error:
                where = f"line {error.line_number}" if error.line_number else "end of file"
                raise CommandError(f"{source}: {where}: {error.message}") from None
            except ExportError as error:
                where = (
                    f"line {error.location}" if isinstance(error.location, int) else error.location
                )
                raise CommandError(f"{source}: {where}: {error.message}") from None
            except ValueError as error:
                # Options the file cannot be counted with (seats, a method of another kind).
                raise CommandError(f"{source}: {error}") from None
            except OSError as error:
                raise CommandError(f"cannot read {source}: {error.strerror or error}") from None
        self.stdout.write(json.dumps(result, indent=2, ensure_ascii=False, default=str))


def _open(file: str) -> BinaryIO:
    """The file as a seekable binary stream: read as it is counted, never whole in memory.

    Standard input is copied to a temporary file first (a JSON list is read twice: its
    header, then its papers).
    """
    if file != STDIN:
        try:
            return Path(file).open("rb")
        except OSError as error:
            raise CommandError(f"cannot read {file}: {error.strerror or error}") from None
    spool = tempfile.SpooledTemporaryFile(max_size=1 << 24)  # noqa: SIM115 (the caller closes it)
    buffer = getattr(sys.stdin, "buffer", None)
    try:
        if buffer is not None:
            shutil.copyfileobj(buffer, spool)
        else:  # a text stream without bytes underneath (tests, embedding)
            for chunk in iter(lambda: sys.stdin.read(1 << 16), ""):
                spool.write(chunk.encode("utf-8"))
    except UnicodeDecodeError:
        raise CommandError("<stdin>: not UTF-8 text") from None
    spool.seek(0)
    return spool
