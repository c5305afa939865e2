"""Authentication backends that load the member with the user.

Every request of a logged-in account reads its user, and nearly every one then reads its
member (roles, voting): one query with a join instead of two. Django and allauth check
passwords as before; only `get_user` (the session's user, once per request) changes.
"""

from __future__ import annotations

from allauth.account import auth_backends as allauth_backends
from django.contrib.auth import backends as django_backends


class _WithMember:
    def get_user(self, user_id):
        user_model = django_backends.UserModel
        try:
            user = user_model._default_manager.select_related("member").get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


class ModelBackend(_WithMember, django_backends.ModelBackend):
    pass


class AuthenticationBackend(_WithMember, allauth_backends.AuthenticationBackend):
    pass
