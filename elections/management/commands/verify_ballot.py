"""Verify a secret ballot from its public bundle alone; name the first thing that fails.

Checks the key ceremony, the board's chain and length (equal to the participations'
weight), every paper's proofs, the totals or the mix, every decryption share, that the
counted papers are the decryption, and the recount against the published count. Reads
nothing from the database: anyone with the bundle and this code can run it.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from elections.counting import tally_file
from elections.counting.export import FORMAT, ExportError
from elections.crypto import parallel
from elections.crypto.bundle import BundleError, verify_bundle
from elections.management.commands.recount_published import differences


def recount(bundle: dict) -> list[str]:
    listed = {"format": FORMAT, "ballot": bundle["ballot"], "papers": bundle["papers"]}
    try:
        return differences(bundle["result"], tally_file(json.dumps(listed)))
    except ExportError as exc:  # the ballot or its papers as listed cannot be counted
        raise BundleError(f"the published papers cannot be recounted: {exc}") from exc
    except (KeyError, TypeError, AttributeError) as exc:  # a published result of another shape
        raise BundleError(f"the published result cannot be read ({exc!r})") from exc


class Command(BaseCommand):
    help = "Verify a secret ballot's public bundle; exit 1 naming the first failure."

    def add_arguments(self, parser):
        parser.add_argument("bundle", metavar="BUNDLE")
        parser.add_argument(
            "--workers",
            type=int,
            default=parallel.available_cpus(),
            help="processes that check the proofs (default: the processors available)",
        )

    def handle(self, *args, bundle: str, workers: int, **options):
        try:
            data = json.loads(Path(bundle).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(f"cannot read {bundle}: {error}") from None
        except RecursionError:  # json's decoder recurses once a level
            raise CommandError(f"cannot read {bundle}: its JSON is nested too deeply") from None
        try:
            with parallel.Pool(workers) as pool:
                summary = verify_bundle(data, recount=recount, pool=pool)
        except BundleError as error:
            raise CommandError(f"FAILS: {error}") from None
        if summary["demo_trustees"]:
            self.stdout.write(
                self.style.WARNING(
                    "DEMONSTRATION TRUSTEES: the platform held their private files; "
                    "not a real secret ballot."
                )
            )
        elif summary["demo_key"]:
            self.stdout.write(self.style.WARNING("DEMONSTRATION KEY: not a real secret ballot."))
        self.stdout.write(
            self.style.SUCCESS(
                f"ok: {summary['papers']} papers, decrypted by {summary['threshold']} trustees; "
                "chain, proofs, mix, shares, papers and recount verify"
            )
        )
