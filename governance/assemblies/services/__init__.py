"""Assemblies in the room: the session's lifecycle, the door (check-in, proxies) and the quorum.

Writes follow `governance.services`: keyword-only, the acting user first, permission
first (`ensure_may_act_for_body`: officers of the body or of its unit's board, and
staff), statute rules next, one transaction, the audit event in it. The session's steps
are the table `ASSEMBLY`, taken by `governance.lifecycle.take`.

Who may be checked in as a voter: a member entitled to vote on the day of the meeting
(the eligibility rule of scope ``ballot`` for a General Assembly; a current seat on the
body for a Board or committee meeting), see `governance.statutes.eligibility`.

Proxies (procurations) are registered at the door for one meeting, under the proxies
rule of the body's kind (article 9 of the demo statutes for the General Assembly; the
Board has none). A member who is present votes in person: checking in a member who gave
a proxy revokes that proxy at once, with its own audit event, so the chair never has to
undo it by hand and no vote is carried twice.

The public surface of the assemblies' writes and reads: callers use
`governance.assemblies.services.<name>`; the modules below hold them by topic.
"""

from governance.assemblies.services.approval import approve_minutes, minutes_signing_role  # noqa: F401
from governance.assemblies.services.common import S, door_is_open, seats_body  # noqa: F401
from governance.assemblies.services.door import check_in, check_out, door_search  # noqa: F401
from governance.assemblies.services.proxies import (  # noqa: F401
    give_own_proxy,
    proxy_rule,
    register_proxy,
    revoke_proxy,
    withdraw_own_proxy,
)
from governance.assemblies.services.quorum import QuorumStatus, Room, quorum_status, room  # noqa: F401
from governance.assemblies.services.session import (  # noqa: F401
    ASSEMBLY,
    OFFICERS,
    cancel_assembly,
    close_session,
    open_session,
)
