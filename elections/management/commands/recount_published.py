"""Recount every published ballot from its papers and compare with the result it published.

Run after restoring a backup (docs/operations.md), beside `verify_audit`: the audit chain
proves the events are intact, this proves the papers still give the results announced. Each
ballot's published list is built as the results page serves it and recounted by `tally_file`,
the function of the `tally` command, and checked against the stored turnout and the decision's
figures (`services.count_problems`) and against the figures the decision's audit event
recorded; `--write-lists DIR` also writes the lists, so that anyone
can recount them with `manage.py tally FILE` or another program. Exit 1 on any difference.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from elections import services
from elections.counting import tally_file, write_export
from elections.models import Ballot
from governance.models import AuditEvent

# Words, not figures: the explanation is written in the language active when it was counted.
NOT_COMPARED = {"explanation"}


def _plain(value: Any) -> Any:
    """The value as JSON gives it back, so stored and recounted figures compare alike."""
    return json.loads(json.dumps(value, default=str, sort_keys=True))


def differences(published: dict[str, Any], recounted: dict[str, Any]) -> list[str]:
    """The keys of the published count that the recount does not reproduce."""
    recounted = dict(recounted)
    if "elected_ids" in recounted:
        # The recount names the elected and the candidates; the published count keeps codes.
        recounted["elected"] = recounted.pop("elected_ids")
        recounted["candidates"] = [c["id"] for c in recounted.get("candidates", [])]
    return sorted(
        key
        for key in published
        if key not in NOT_COMPARED and _plain(published[key]) != _plain(recounted.get(key))
    )


def recorded_differences(ballot: Ballot) -> list[str]:
    """Where the decision's figures differ from the ballot's stored ones, or from the figures
    its audit event recorded when it was taken (the event is what the signed log protects)."""
    decision = ballot.decision
    if decision is None:
        return []
    problems = []
    stored = (ballot.result or {}).get("figures")
    if stored is not None and _plain(stored) != _plain(decision.figures):
        problems.append("the ballot's stored figures differ from its decision's")
    event = (
        AuditEvent.objects.filter(
            object_type="governance.decision",
            object_id=str(decision.pk),
            action="decision.recorded",
        )
        .order_by("sequence")
        .first()
    )
    if event is None:
        problems.append(f"no audit event records decision {decision.reference}")
    elif _plain((event.new or {}).get("figures")) != _plain(decision.figures):
        problems.append(
            f"the decision's figures differ from those its audit event #{event.sequence} recorded"
        )
    return problems


class Command(BaseCommand):
    help = (
        "Recount every published ballot (or the ballots given) from its published list of "
        "papers and compare with the published result; exit 1 if any differs."
    )

    def add_arguments(self, parser):
        parser.add_argument("ballots", nargs="*", type=int, metavar="ID", help="ballot ids")
        parser.add_argument(
            "--write-lists",
            metavar="DIR",
            help="also write each published list to DIR/ballot-ID.json (for `tally`)",
        )

    def handle(self, *args, ballots: list[int], write_lists: str | None, **options):
        queryset = Ballot.objects.filter(status=Ballot.Status.PUBLISHED).order_by("pk")
        if ballots:
            queryset = queryset.filter(pk__in=ballots)
            missing = set(ballots) - set(queryset.values_list("pk", flat=True))
            if missing:
                raise CommandError(f"not published: {', '.join(map(str, sorted(missing)))}")
        folder = Path(write_lists) if write_lists else None
        if folder:
            folder.mkdir(parents=True, exist_ok=True)
        checked, failed = 0, []
        for ballot in queryset.select_related("decision"):
            text = write_export(services.ballot_list(ballot))
            if folder:
                (folder / f"ballot-{ballot.pk}.json").write_text(text, encoding="utf-8")
            recounted = tally_file(text)
            published = (ballot.result or {}).get("count", {})
            wrong = differences(published, recounted) if published else ["no published count"]
            wrong += services.count_problems(ballot, recount=recounted)
            wrong += recorded_differences(ballot)
            reference = ballot.decision.reference if ballot.decision else f"ballot {ballot.pk}"
            checked += 1
            if wrong:
                failed.append(ballot.pk)
                self.stdout.write(
                    f"DIFFERS  {ballot.pk} {reference}: {'; '.join(wrong)} ({ballot.title})"
                )
            else:
                figures = (
                    f"{recounted['total']} papers"
                    if "total" in recounted
                    else f"elected {', '.join(recounted['elected'])}"
                )
                self.stdout.write(f"ok       {ballot.pk} {reference}: {figures} ({ballot.title})")
        if failed:
            raise CommandError(
                f"{len(failed)} of {checked} published ballots recount differently: "
                f"{', '.join(map(str, failed))}"
            )
        self.stdout.write(self.style.SUCCESS(f"{checked} published ballots recount as published"))
