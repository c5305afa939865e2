"""Who may read a draft motion or amendment: its proposer, its co-sponsors, and those given its
share link (which holds an unguessable token, never the sequential id).

Opening the link remembers the draft in the session, so the pages it leads to (support, the
version diff, htmx fragments) work by id for that person afterwards. The API takes the token
as the `share` query parameter.
"""

from __future__ import annotations

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


def may_read(user, item: Motion | Amendment, *, request=None, token: str = "") -> bool:
    """Anything submitted is public to readers; a draft only to those listed above."""
    if not is_draft(item):
        return True
    if token and constant_time_compare(token, item.share_token):
        return True
    if item.created_by_id == user.pk:
        return True
    member = getattr(user, "member", None)
    if member is not None and item.proposer_id == member.pk:
        return True
    if request is not None and _key(item) in request.session.get(SESSION_KEY, []):
        return True
    return member is not None and item.supports.filter(member=member).exists()
