"""Members, their dues and their accounts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.audit import log as audit
from governance.audit.log import model_values
from governance.exceptions import DomainError
from governance.models import (
    DuesPayment,
    Member,
    User,
)
from governance.permissions import roles_changed
from governance.services.common import _ensure_system_or_staff, _ensure_system_or_superuser

#: How far back a dues year may go (the oldest roll a section would bring over).
EARLIEST_DUES_YEAR = 1900


def check_dues(*, year: int, amount: Decimal, paid_on: dt.date, today: dt.date) -> Decimal:
    """The checks every dues payment passes (one payment, or a line of a dues file).

    Returns the amount with its two decimals, as the database stores (and audits) it.

    Dues may be paid in advance for next year (members renew before a January assembly),
    never for a later one, and never on a day still to come.
    """
    if amount < 0:
        raise DomainError(_("The amount cannot be negative."), field="amount")
    if amount >= 10**6 or amount.as_tuple().exponent < -2:
        raise DomainError(
            _("The amount must be below 1,000,000 with at most two decimals."), field="amount"
        )
    if not EARLIEST_DUES_YEAR <= year <= today.year + 1:
        raise DomainError(
            _("The year must be between %(first)s and %(last)s.")
            % {"first": EARLIEST_DUES_YEAR, "last": today.year + 1},
            field="year",
        )
    if paid_on > today:
        raise DomainError(_("The payment date is in the future."), field="paid_on")
    return amount.quantize(Decimal("0.01"))


def record_dues_payment(
    *, actor, member: Member, year: int, amount: Decimal, paid_on: dt.date
) -> DuesPayment:
    """Staff record a year's dues; the member is then in good standing for that year.

    One payment per member and year; the amount and dates are checked by `check_dues`.
    """
    _ensure_system_or_staff(actor)
    amount = check_dues(
        year=year, amount=Decimal(amount), paid_on=paid_on, today=timezone.localdate()
    )
    with transaction.atomic():
        # The member's row lock queues two staff recording the same dues at once.
        member = Member.objects.select_for_update().get(pk=member.pk)
        if DuesPayment.objects.filter(member=member, year=year).exists():
            raise DomainError(
                _("Dues for %(year)s are already recorded for this member.") % {"year": year},
                field="year",
            )
        payment = DuesPayment.objects.create(
            member=member, year=year, amount=amount, paid_on=paid_on
        )
        audit.record(actor, "dues.recorded", payment, new=model_values(payment))
    return payment


def set_member_language(*, actor, member: Member, language: str) -> Member:
    """Staff set the language the platform writes to a member in (their ballots' e-mails).

    `language` is one of settings.LANGUAGES, or "" for the section's own. A change is an
    audit event (old and new); setting the language the member already has changes nothing.
    """
    _ensure_system_or_staff(actor)
    if language and language not in dict(settings.LANGUAGES):
        raise DomainError(
            _("%(value)r is not a language of the platform.") % {"value": language[:20]},
            field="language",
        )
    return _change_language(actor, member, language)


def set_own_language(*, actor, language: str) -> Member:
    """A member chooses the language the platform speaks to them in: its pages after each
    login (`accounts.middleware.MemberLanguageMiddleware`), the e-mails written to them.

    The preference is the roll's `Member.language`, the same field staff may set: an
    account that is not on the roll has none to store (its language stays the browser's
    cookie). Any signed-in member may set their own, auditors too: it is their setting, not
    the governance record. `language` must be one of settings.LANGUAGES; a change is the
    same audit event as staff's, with the member as its actor.
    """
    if language not in dict(settings.LANGUAGES):
        raise DomainError(
            _("%(value)r is not a language of the platform.") % {"value": str(language)[:20]},
            field="language",
        )
    member = own_member(actor)
    if member is None:
        raise DomainError(
            _(
                "Your account is not on the membership roll: your language is kept by this "
                "browser only."
            ),
            field="language",
        )
    return _change_language(actor, member, language)


def own_member(user) -> Member | None:
    """The roll's entry of a signed-in account, or None (the session's user has it loaded)."""
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.member
    except Member.DoesNotExist:
        return None


def _change_language(actor, member: Member, language: str) -> Member:
    with transaction.atomic():
        member = Member.objects.select_for_update().get(pk=member.pk)
        if member.language == language:
            return member
        old = member.language
        member.language = language
        member.save(update_fields=["language"])
        audit.record(
            actor,
            "member.language_changed",
            member,
            old={"language": old},
            new={"language": language},
        )
    return member


def create_account_for_member(
    *, actor, member: Member, password: str | None = None, email_verified: bool = True
) -> User:
    """Staff give a member a login (by e-mail). Without a password the member sets one by reset."""
    from allauth.account.models import EmailAddress

    _ensure_system_or_staff(actor)
    if not member.email:
        raise DomainError(_("The member has no e-mail address."), field="email")
    with transaction.atomic():
        member = Member.objects.select_for_update().get(pk=member.pk)
        if member.user_id:
            raise DomainError(_("This member already has an account."))
        if User.objects.filter(email__iexact=member.email).exists():
            raise DomainError(_("Another account already uses this e-mail address."), field="email")
        user = User.objects.create_user(
            member.email, password, first_name=member.first_name, last_name=member.last_name
        )
        EmailAddress.objects.create(
            user=user, email=user.email, primary=True, verified=email_verified
        )
        member.user = user
        member.save(update_fields=["user"])
        audit.record(
            actor, "member.account_created", member, old={"user": None}, new={"user": user.pk}
        )
    return user


def create_account(
    *,
    actor,
    email: str,
    password: str | None,
    first_name: str = "",
    last_name: str = "",
    is_staff: bool = False,
) -> User:
    """The platform administrator creates a login that is not a member's (e.g. national office staff)."""
    from allauth.account.models import EmailAddress

    _ensure_system_or_superuser(actor)
    with transaction.atomic():
        if User.objects.filter(email__iexact=email).exists():
            raise DomainError(_("Another account already uses this e-mail address."), field="email")
        user = User.objects.create_user(
            email, password, first_name=first_name, last_name=last_name, is_staff=is_staff
        )
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
        audit.record(
            actor,
            "account.created",
            user,
            new=model_values(user, ["email", "first_name", "last_name", "is_staff", "is_auditor"]),
        )
    return user


def set_account_roles(*, actor, user: User, is_staff: bool, is_auditor: bool) -> User:
    """The platform administrator grants or withdraws the staff and auditor roles."""
    _ensure_system_or_superuser(actor)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        old = model_values(user, ["is_staff", "is_auditor"])
        user.is_staff, user.is_auditor = is_staff, is_auditor
        user.save(update_fields=["is_staff", "is_auditor"])
        roles_changed()
        audit.record(
            actor,
            "account.roles_changed",
            user,
            old=old,
            new=model_values(user, ["is_staff", "is_auditor"]),
        )
    return user
