"""The counting engine: pure Python (no Django) counts of every ballot method the platform runs.

Each method takes plain data and returns a dataclass with every stage, so the web app,
the `tally` command and an auditor's recount all use the same code:

- `count_yes_no` (yes/no/abstain figures; quorum and majority are governance rules),
- `count_plurality`, `count_approval` (top N elected, last-seat ties by lot),
- `count_irv` (instant run-off, one seat),
- `count_stv` (Scottish STV, the 2007 Order's rules 45-52),
- `count_meek` (Meek STV with New Zealand Schedule 1A arithmetic),
- `parse_blt` / `read_blt` / `write_blt` and `parse_export` / `read_export` / `write_export`
  / `tally_file` for files (the `read_` functions stream a file of any size).
"""

from elections.counting.approval import count_approval
from elections.counting.blt import BltElection, BltError, parse_blt, read_blt, write_blt
from elections.counting.export import (
    BallotList,
    ExportError,
    ListedCandidate,
    Paper,
    parse_export,
    read_export,
    tally,
    tally_file,
    write_export,
)
from elections.counting.irv import count_irv
from elections.counting.meek import count_meek
from elections.counting.plurality import count_plurality
from elections.counting.stv import count_stv
from elections.counting.types import (
    Action,
    CountResult,
    InvalidBallot,
    InvalidCode,
    Stage,
    TieBreak,
    TieMethod,
    TiePurpose,
    group_rankings,
    validate_choices,
    validate_ranking,
    validate_yes_no,
)
from elections.counting.yesno import YesNoResult, count_yes_no

__all__ = [
    "Action",
    "BallotList",
    "BltElection",
    "BltError",
    "CountResult",
    "ExportError",
    "InvalidBallot",
    "InvalidCode",
    "ListedCandidate",
    "Paper",
    "Stage",
    "TieBreak",
    "TieMethod",
    "TiePurpose",
    "YesNoResult",
    "count_approval",
    "count_irv",
    "count_meek",
    "count_plurality",
    "count_stv",
    "count_yes_no",
    "group_rankings",
    "parse_blt",
    "parse_export",
    "read_blt",
    "read_export",
    "tally",
    "tally_file",
    "validate_choices",
    "validate_ranking",
    "validate_yes_no",
    "write_blt",
    "write_export",
]
