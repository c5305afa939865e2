"""allauth adapters: accounts come from the membership roll, never from open sign-up; failed
logins are slowed per account and client (governance/accounts/login_throttle.py), never per account."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import ValidationError
from django.utils.translation import ngettext

from governance.accounts import login_throttle


def _login(credentials) -> str:
    return str(credentials.get("email") or credentials.get("username") or "")


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return False

    def pre_authenticate(self, request, **credentials) -> None:
        """Refuse at once, with the seconds to wait, a client whose failures owe a delay; then
        allauth's per-address limit (ACCOUNT_RATE_LIMITS), which a known browser skips."""
        bucket = login_throttle.bucket_for(
            request, _login(credentials), self.get_client_ip(request)
        )
        request.login_bucket = bucket
        wait = login_throttle.wait_for(bucket)
        if wait:
            raise ValidationError(
                ngettext(
                    "Too many failed attempts for this account from this connection. "
                    "Try again in %(seconds)s second.",
                    "Too many failed attempts for this account from this connection. "
                    "Try again in %(seconds)s seconds.",
                    wait,
                )
                % {"seconds": wait},
                code="too_many_login_attempts",
            )
        if bucket.recognised:
            self._login_failed_rl_usage = None
            return
        super().pre_authenticate(request, **credentials)

    def authenticate(self, request, **credentials):
        user = super().authenticate(request, **credentials)
        if user is not None:
            login_throttle.forget(request.login_bucket)
        return user

    def authentication_failed(self, request, **credentials) -> None:
        login_throttle.record_failure(request.login_bucket)

    def post_login(self, request, user, **kwargs):
        response = super().post_login(request, user, **kwargs)
        login_throttle.remember_device(request, response, user.email)
        return response
