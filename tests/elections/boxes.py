"""Test helpers for secret ballots: what the board holds, decrypted with the demo key."""

from __future__ import annotations

from elections import ballot_box
from elections.crypto.elgamal import DiscreteLogTable, decrypt_with_key
from elections.crypto.group import Scalar
from elections.crypto.papers import EncryptedPaper
from elections.models import Ballot, BallotBox


def decrypted_board(ballot: Ballot) -> list[dict]:
    """Every paper on the ballot's board as the counting code reads it, in board order.

    Only a ballot opened with the 1-of-1 demo key can be read this way: the tests use it
    to see that a vote went on the board as cast, which nobody can do with trustees' keys.
    """
    box = BallotBox.objects.get(ballot=ballot)
    secret = Scalar.from_hex(box.demo_secret)
    spec = ballot_box.spec_of(box)
    table = DiscreteLogTable(spec.width)
    contents = []
    for entry in box.entries.order_by("position"):
        paper = EncryptedPaper.from_json(entry.paper, spec)
        values = [decrypt_with_key(secret, c, table) for c in paper.ciphertexts]
        options = box.spec["options"]
        if ballot.yes_no:
            contents.append({"choice": options[values.index(1)]})
        elif ballot.ranked:
            contents.append({"ranking": [options[v - 1] for v in values if v]})
        else:
            contents.append({"choices": [o for o, v in zip(options, values, strict=False) if v]})
    return contents
