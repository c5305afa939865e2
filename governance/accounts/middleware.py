"""Request middleware of accounts: roles kept for one request; a second factor before any tool;
a member's chosen language."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from governance.accounts import enrolment
from governance.permissions import roles_for, roles_per_request

EXEMPT_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/health")


class RolesPerRequestMiddleware:
    """Each account's roles are computed once in a request (`governance.permissions.roles_for`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with roles_per_request():
            return self.get_response(request)


def _privileged(user) -> bool:
    # The session's user comes with `holds_mandate` (governance/accounts/auth.py): no mandate query.
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


#: allauth's pages that enrol or replace a second factor: they need a proof beyond the
#: password first (governance/accounts/enrolment.py).
ENROLMENT_URL_NAMES = ("mfa_activate_totp", "mfa_generate_recovery_codes")


class RequireEnrolmentProofMiddleware:
    """Send a signed-in account to the proof page before it may set up a second factor."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._paths: frozenset[str] | None = None

    def __call__(self, request):
        if self._paths is None:
            self._paths = frozenset(reverse(name) for name in ENROLMENT_URL_NAMES)
        if (
            request.path in self._paths
            and request.user.is_authenticated
            and not enrolment.has_proof(request)
        ):
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('mfa_enrolment_proof')}?{query}")
        return self.get_response(request)


def preferred_language(user) -> str:
    """The language a signed-in member chose (`Member.language`), or "" for none: read from
    the member the session's user comes with (governance/accounts/auth.py), no query."""
    from governance.services import own_member

    member = own_member(user)
    return member.language if member is not None else ""


def set_language_cookie(response, language: str) -> None:
    """Django's language cookie, with the settings `django.views.i18n.set_language` uses."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


class MemberLanguageMiddleware:
    """A member's chosen language wins over the browser's, on every request of their session.

    After `AuthenticationMiddleware`: `LocaleMiddleware` has activated the cookie's (or the
    browser's) language; when the signed-in member chose another, it is activated instead,
    and the answer sets the language cookie to it. The login's answer sets it too (the user
    is known only once the view has run), so the page after the login, and any other
    browser the member signs in on, follows the choice. The header's language switch stores
    the choice for a member (`governance.accounts.profile_views.set_language`), so the two
    never disagree.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = preferred_language(request.user)
        if language and language != translation.get_language():
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        # After the view: the login's own answer knows the account it signed in.
        language = preferred_language(getattr(request, "user", None))
        if language and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != language:
            set_language_cookie(response, language)
        return response
