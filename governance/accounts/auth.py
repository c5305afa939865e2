"""Authentication backends that load the member, and what the second-factor check needs, with the user.

Every request of a logged-in account reads its user, and nearly every one then reads its
member (roles, voting) and passes the second-factor middleware (does the account hold a
mandate today, has it a TOTP authenticator): one query, with a join and two ``EXISTS``,
instead of four. Django and allauth check passwords as before; only `get_user` (the
session's user, once per request) changes.
"""

from __future__ import annotations

from allauth.account import auth_backends as allauth_backends
from allauth.mfa.models import Authenticator
from django.contrib.auth import backends as django_backends
from django.db.models import Exists, OuterRef

from governance.models import Mandate


def session_users():
    """Users with their member, `holds_mandate` (a current mandate) and `has_totp`."""
    return django_backends.UserModel._default_manager.select_related("member").annotate(
        holds_mandate=Exists(Mandate.objects.current().filter(member__user=OuterRef("pk"))),
        has_totp=Exists(
            Authenticator.objects.filter(user=OuterRef("pk"), type=Authenticator.Type.TOTP)
        ),
    )


class _WithMember:
    def get_user(self, user_id):
        try:
            user = session_users().get(pk=user_id)
        except django_backends.UserModel.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


class ModelBackend(_WithMember, django_backends.ModelBackend):
    pass


class AuthenticationBackend(_WithMember, allauth_backends.AuthenticationBackend):
    pass
