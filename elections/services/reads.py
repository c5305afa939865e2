"""Reads for verification: a ballot's list of papers, a receipt found by its code."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from elections import ballot_box, counting
from elections.counting import papers as paper_format
from elections.models import (
    Ballot,
    BallotPaper,
    Candidate,
)
from elections.services.casting import fingerprint


def ballot_list(ballot: Ballot) -> counting.BallotList:
    """The published list of papers, in random order, with the teller batches as papers."""
    rng = secrets.SystemRandom()
    papers = []
    for fp, content, weight in ballot.papers.values_list(
        "receipt_fingerprint", "content", "weight"
    ):
        papers.extend(
            counting.Paper(fp if n == 0 else f"{fp}/{n + 1}", content) for n in range(weight)
        )
    key = paper_format.content_key(ballot.method)
    for batch in ballot.paper_counts.confirmed().order_by("pk"):
        serial = 0
        for paper, number in batch.content["groups"]:
            for _n in range(number):
                serial += 1
                papers.append(counting.Paper(f"paper:{batch.label}:{serial}", {key: paper}))
    rng.shuffle(papers)
    return counting.BallotList(
        reference=ballot.decision.reference if ballot.decision else f"ballot-{ballot.pk}",
        title=ballot.title,
        method=ballot.method,
        seats=ballot.seats,
        candidates=[
            counting.ListedCandidate(c.code, c.name)
            for c in ballot.candidates.exclude(status=Candidate.Status.WITHDRAWN)
        ],
        seed=ballot.seed,
        papers=papers,
        max_approvals=ballot.max_approvals,
    )


@dataclass(frozen=True)
class FoundReceipt:
    """What a receipt check shows: a named paper's content, or a secret paper's board place.

    A secret ballot's receipt (a tracker) finds only its encrypted paper on the board:
    never the vote, during the ballot or after.
    """

    ballot: Ballot
    receipt_fingerprint: str
    content: dict[str, Any] | None = None
    position: int | None = None

    @property
    def ballot_id(self) -> int:
        return self.ballot.pk


def find_paper(code: str) -> FoundReceipt | None:
    """The paper a receipt code stands for, if any."""
    if not code or len(code) > 100:
        return None
    entry = ballot_box.find_tracker(code.strip())
    if entry is not None:
        return FoundReceipt(entry.box.ballot, entry.tracker, position=entry.position)
    paper = (
        BallotPaper.objects.select_related("ballot")
        .filter(receipt_fingerprint=fingerprint(code), ballot__secret=False)
        .first()
    )
    if paper is None:
        return None
    return FoundReceipt(paper.ballot, paper.receipt_fingerprint, content=paper.content)
