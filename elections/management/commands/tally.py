"""Recount a published ballot list (JSON) or a BLT file and print the result as JSON."""

import json
import sys
from pathlib import Path

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
        text = _decode(_read(file), source)
        try:
            result = tally_file(text, method, seats, fmt, seed=seed)
        except BltError as error:
            where = f"line {error.line_number}" if error.line_number else "end of file"
            raise CommandError(f"{source}: {where}: {error.message}") from None
        except ExportError as error:
            where = f"line {error.location}" if isinstance(error.location, int) else error.location
            raise CommandError(f"{source}: {where}: {error.message}") from None
        except ValueError as error:
            # Options the file cannot be counted with (seats, a method of another kind).
            raise CommandError(f"{source}: {error}") from None
        self.stdout.write(json.dumps(result, indent=2, ensure_ascii=False, default=str))


def _read(file: str) -> bytes:
    if file == STDIN:
        # Bytes when there are any, so that the UTF-8 check is ours, not the locale's.
        stream = sys.stdin
        buffer = getattr(stream, "buffer", None)
        try:
            data = buffer.read() if buffer is not None else stream.read()
        except UnicodeDecodeError:
            raise CommandError("<stdin>: not UTF-8 text") from None
        return data.encode() if isinstance(data, str) else data
    try:
        return Path(file).read_bytes()
    except OSError as error:
        raise CommandError(f"cannot read {file}: {error.strerror or error}") from None


def _decode(data: bytes, source: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise CommandError(f"{source}: line {line}: not UTF-8 text") from None
