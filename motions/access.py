"""Who may read a draft motion or amendment: its proposer, its co-sponsors, and those given its
share link (which holds an unguessable token, never the sequential id). Anything submitted is
read by every reader of the record (`governance.access.may_read_record`, the pages' and the
API's gate). Lists show submitted motions and the user's own drafts (`listed`, through
`Motion.objects.listed_for(user)`); others' drafts are read by their link.

Every lookup of a motion or an amendment, for a write too, asks `may_read` first, so a draft
one may not read is a 404 on the pages and in the API alike.

Opening the link remembers the draft in the session, so the pages it leads to (support, the
version diff, htmx fragments) work by id for that person afterwards. The API takes the token
as the `share` query parameter.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.crypto import constant_time_compare

from motions.models import Amendment, Motion

SESSION_KEY = "shared_drafts"
_REMEMBERED = 200


def _key(item: Motion | Amendment) -> str:
    return f"{item._meta.model_name}:{item.pk}"


def is_draft(item: Motion | Amendment) -> bool:
    return item.status == "draft"


def remember(request, item: Motion | Amendment) -> None:
    """The person opened the draft's share link: they may read it by id from now on."""
    shared = [key for key in request.session.get(SESSION_KEY, []) if key != _key(item)]
    request.session[SESSION_KEY] = [_key(item), *shared][:_REMEMBERED]


def _own(user, item: Motion | Amendment) -> bool:
    member = getattr(user, "member", None)
    return item.created_by_id == user.pk or (member is not None and item.proposer_id == member.pk)


def listed(user) -> Q:
    """The motions a list shows `user`: every one submitted, and the user's own drafts."""
    member = getattr(user, "member", None)
    own = Q(created_by=user) | Q(proposer=member) if member else Q(created_by=user)
    return ~Q(status="draft") | own


def may_read(user, item: Motion | Amendment, *, request=None, token: str = "") -> bool:
    """Anything submitted is public to readers; a draft only to those listed above."""
    if not is_draft(item):
        return True
    if token and constant_time_compare(token, item.share_token):
        return True
    if _own(user, item):
        return True
    if request is not None and _key(item) in request.session.get(SESSION_KEY, []):
        return True
    member = getattr(user, "member", None)
    return member is not None and item.supports.filter(member=member).exists()
