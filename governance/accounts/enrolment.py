"""A second factor is enrolled or replaced only with a proof beyond the password.

Whoever has a member's password could otherwise claim their second factor (log in, read the
TOTP secret, post a code), and hold an officer's tools. So allauth's activation of an
authenticator app and its generation of recovery codes first ask for one of:

- a code of 8 digits sent to the account's verified e-mail address (`send_code`,
  `check_code`): 15 minutes, 5 tries, kept in the session as a hash;
- an enrolment link issued by staff (`issue_link`, `manage.py issue_enrolment_link`): signed,
  for that account only, valid 3 days.

Either leaves a proof in the session for `PROOF_SECONDS`. The change itself is told to the
account holder by e-mail (allauth's notifications, ACCOUNT_EMAIL_NOTIFICATIONS) and written
to the audit log (`record_change`, on allauth's authenticator signals).
"""

from __future__ import annotations

import hashlib
import secrets
import time

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from governance.audit import log as audit
from governance.exceptions import DomainError
from governance.permissions import ensure_may_write

SESSION_CODE = "mfa_enrolment_code"
SESSION_PROOF = "mfa_enrolment_proof"
CODE_SECONDS = 15 * 60
CODE_TRIES = 5
PROOF_SECONDS = 15 * 60
LINK_SECONDS = 3 * 24 * 60 * 60
_LINK_SALT = "governance.accounts.enrolment.link"


def _now() -> float:
    return time.time()


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def verified_email(user) -> str | None:
    address = EmailAddress.objects.filter(user=user, verified=True, primary=True).first()
    return address.email if address else None


def has_proof(request) -> bool:
    return has_proof_for_session(request.session, request.user)


def has_proof_for_session(session, user) -> bool:
    proof = session.get(SESSION_PROOF) or {}
    return proof.get("user") == user.pk and proof.get("until", 0) > _now()


def _grant(request, how: str) -> None:
    request.session[SESSION_PROOF] = {
        "user": request.user.pk,
        "until": _now() + PROOF_SECONDS,
        "how": how,
    }
    request.session.pop(SESSION_CODE, None)


def send_code(request) -> str:
    """E-mail a fresh code to the account's verified address; returns the address."""
    email = verified_email(request.user)
    if email is None:
        raise DomainError(
            _("Your account has no verified e-mail address: ask staff for an enrolment link.")
        )
    code = f"{secrets.randbelow(10**8):08d}"
    request.session[SESSION_CODE] = {
        "user": request.user.pk,
        "hash": _hash(code),
        "until": _now() + CODE_SECONDS,
        "tries": 0,
    }
    send_mail(
        _("Your code to set up two-factor authentication"),
        _(
            "Someone signed in to your account asks to set up or replace its second factor. "
            "If it is you, enter this code: %(code)s\n\nIt is valid for 15 minutes. If it is "
            "not you, change your password now and tell the section's staff."
        )
        % {"code": code},
        None,
        [email],
    )
    return email


def check_code(request, code: str) -> None:
    """Accept the e-mailed code (a proof for this session) or raise `DomainError`."""
    pending = request.session.get(SESSION_CODE) or {}
    if pending.get("user") != request.user.pk or pending.get("until", 0) <= _now():
        raise DomainError(_("No code is waiting, or it has expired: ask for a new one."))
    if pending["tries"] >= CODE_TRIES:
        raise DomainError(_("Too many wrong codes: ask for a new one."))
    pending["tries"] += 1
    request.session[SESSION_CODE] = pending
    if not secrets.compare_digest(_hash(code.strip()), pending["hash"]):
        raise DomainError(_("That code is not the one we sent."), field="code")
    _grant(request, "email")


def issue_link(*, actor, user) -> str:
    """Staff give an account an enrolment link (for one without a verified e-mail, or whose
    holder was checked in person). Audited; valid `LINK_SECONDS`, for that account only."""
    ensure_may_write(actor)
    if not (actor.is_staff or actor.is_superuser):
        raise DomainError(_("Only staff issue enrolment links."))
    token = signing.dumps({"user": user.pk}, salt=_LINK_SALT)
    with transaction.atomic():
        audit.record(actor, "account.enrolment_link_issued", user, new={"user": user.email})
    return settings.SITE_URL.rstrip("/") + reverse("mfa_enrolment_link", args=[token])


def accept_link(request, token: str) -> None:
    try:
        data = signing.loads(token, salt=_LINK_SALT, max_age=LINK_SECONDS)
    except signing.BadSignature:
        raise DomainError(_("This enrolment link is not valid or has expired.")) from None
    if data.get("user") != request.user.pk:
        raise DomainError(_("This enrolment link was issued for another account."))
    _grant(request, "staff link")


def record_change(action: str, sender, request=None, authenticator=None, **kwargs) -> None:
    """allauth's authenticator signals: each change of a second factor is an audit event."""
    user = getattr(authenticator, "user", None) or getattr(request, "user", None)
    kind = getattr(authenticator, "type", "")
    proof = (request.session.get(SESSION_PROOF) or {}).get("how", "") if request else ""
    with transaction.atomic():
        audit.record(user, action, user, new={"type": kind, "proof": proof})
