"""Writes of the motions app: one transaction each, role and statute checks first, audit event last.

Every change of a motion's or an amendment's status goes through `lifecycle.take` (the
step's work, and its own lock when it needs other rows, are named in its table) or, for a
row already locked inside another service's transaction, `lifecycle.move`; both check the
step against the tables of `motions.workflow` (the states it may leave from and the roles
that may take it) and write its audit event. The votes themselves are ballots of the voting engine; when one is counted,
`apply_count` (called by the engine's `ballot_counted` signal, in the count's own
transaction) moves the motion or amendment on and, for an adopted statute amendment,
creates the new statute version; `apply_cancellation` (called by `ballot_cancelled`, in the
cancellation's transaction) puts it back where it was before the vote.

The public surface of the motions' writes: callers use `motions.services.<name>`; the modules
below hold them by topic (drafting, sponsors, submission, amendments, voting, ic, speakers,
statute_rules, and common for the workflow's roles).
"""

from motions.services.amendments import (  # noqa: F401
    as_change,
    create_amendment,
    final_text,
    submit_amendment,
    take_amendment_step,
    text_before,
)
from motions.services.common import (  # noqa: F401
    AMENDABLE,
    LIVE_AMENDMENT,
    A,
    M,
    ensure_may_take,
    may_take,
    next_steps,
)
from motions.services.drafting import create_motion, edit_motion, proposed_statutes  # noqa: F401
from motions.services.ic import (  # noqa: F401
    IC_STEPS,
    add_follow_up,
    forward_to_ic,
    propose_voting_mandate,
    record_ic_outcome,
)
from motions.services.speakers import (  # noqa: F401
    DEBATED,
    FloorRequest,
    add_speaker,
    ask_for_the_floor,
    end_speech,
    floor_request,
    give_floor,
    withdraw_my_request,
    withdraw_speaker,
)
from motions.services.sponsors import support, withdraw_support  # noqa: F401
from motions.services.statute_rules import Deadline, deadline_for, sponsorship_scope, vote_scope  # noqa: F401
from motions.services.submission import refer_motion, schedule_motion, submit_motion, take_step  # noqa: F401
from motions.services.voting import (  # noqa: F401
    IN_ROOM,
    ONLINE,
    apply_cancellation,
    apply_count,
    put_amendment_to_vote,
    put_motion_to_vote,
)
