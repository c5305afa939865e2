"""Officers, auditors and staff must set up a second factor before they reach any tool."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from governance.permissions import roles_for

EXEMPT_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/health")


class RequireMFAForPrivilegedRolesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(EXEMPT_PREFIXES)
            and roles_for(user).privileged
            and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        ):
            message = _(
                "Your role needs two-factor authentication: set up an authenticator app first."
            )
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=403)
            messages.warning(request, message)
            return redirect("mfa_activate_totp")
        return self.get_response(request)
