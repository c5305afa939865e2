"""Writes of the voting engine: one transaction each, role and statute checks first, audit event last.

The ballot lifecycle is explicit (`BALLOT`, a `governance.lifecycle` table): draft → open →
closed → counted → published, and cancelled from draft, open or closed; `open_ballot` and
the other steps take it through `lifecycle.take`. Casting and closing lock the ballot
row, so a vote racing the close is either committed before the close (and counted) or
sees the ballot closed (and is refused): a receipt is only ever given for a vote that is
in the count.

The public surface of the voting engine's writes: callers use `elections.services.<name>`;
the modules below hold them by topic (drafting, opening, casting, proxies, tellers,
counting, steps for the lifecycle table, reads).
"""

from elections.services.casting import (  # noqa: F401
    Receipt,
    candidate_codes,
    cast_vote,
    fingerprint,
    paper_content,
)
from elections.services.common import METHODS_BY_KIND, S  # noqa: F401
from elections.services.counting import (  # noqa: F401
    count_problems,
    papers_for_count,
    seat_the_elected,
    tally_ballot,
)
from elections.services.drafting import (  # noqa: F401
    consent_to_nomination,
    create_ballot,
    nominate_candidate,
    withdraw_candidate,
)
from elections.services.opening import eligible_voters  # noqa: F401
from elections.services.proxies import give_proxy, proxy_rule, revoke_proxy  # noqa: F401
from elections.services.reads import FoundReceipt, ballot_list, find_paper  # noqa: F401
from elections.services.steps import (  # noqa: F401
    BALLOT,
    OFFICERS,
    cancel_ballot,
    close_ballot,
    count_ballot,
    mark_reminded,
    open_ballot,
    publish_results,
    retry_tally,
)
from elections.services.tellers import confirm_paper_count, enter_paper_count, set_aside_paper_count  # noqa: F401
