"""Officers, auditors and staff must set up a second factor before they reach any tool."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from governance.permissions import roles_for

EXEMPT_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/health")


def _privileged(user) -> bool:
    # The session's user comes with `holds_mandate` (governance/auth.py): no mandate query.
    holds_mandate = getattr(user, "holds_mandate", None)
    if holds_mandate is None:
        return roles_for(user).privileged
    return user.is_staff or user.is_auditor or holds_mandate


def _has_totp(user) -> bool:
    has_totp = getattr(user, "has_totp", None)
    if has_totp is None:
        return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    return has_totp


class RequireMFAForPrivilegedRolesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(EXEMPT_PREFIXES)
            and _privileged(user)
            and not _has_totp(user)
        ):
            message = _(
                "Your role needs two-factor authentication: set up an authenticator app first."
            )
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=403)
            messages.warning(request, message)
            return redirect("mfa_activate_totp")
        return self.get_response(request)
