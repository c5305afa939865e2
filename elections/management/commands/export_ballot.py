"""Write a counted secret ballot's public bundle: what `verify_ballot` checks on its own."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from elections import ballot_box
from elections.models import Ballot
from governance.exceptions import DomainError


class Command(BaseCommand):
    help = "Write a counted secret ballot's public bundle (board, proofs, shares, papers, count)."

    def add_arguments(self, parser):
        parser.add_argument("ballot", type=int, metavar="ID")
        parser.add_argument("--output", required=True, metavar="BUNDLE")

    def handle(self, *args, ballot: int, output: str, **options):
        found = Ballot.objects.filter(pk=ballot, secret=True).first()
        if found is None:
            raise CommandError(f"no secret ballot {ballot}")
        try:
            data = ballot_box.export_bundle(found)
        except (DomainError, ballot_box.BallotBox.DoesNotExist) as error:
            raise CommandError(str(getattr(error, "message", error))) from None
        Path(output).write_text(json.dumps(data, sort_keys=True), encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(f"{len(data['board'])} papers written to {output}"))
