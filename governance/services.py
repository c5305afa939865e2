"""Writes to governance state: one transaction each, permission and statute checks, an audit event."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance import tasks
from governance.audit import log as audit
from governance.audit.log import model_values
from governance.exceptions import DomainError, NotAllowed, RuleViolation
from governance.models import (
    Article,
    Assembly,
    Body,
    Decision,
    DocumentCounter,
    DuesPayment,
    Mandate,
    Member,
    OrganisationUnit,
    Rule,
    StatuteVersion,
    User,
)
from governance.permissions import (
    ensure_may_act_for_body,
    ensure_may_write,
    ensure_staff,
    roles_changed,
)
from governance.statutes import rules
from governance.statutes.lookup import rule_for
from governance.statutes.text import rule_error_in_words

SYSTEM = None  # the actor for writes made by the platform itself (demo loader, migrations)


def _ensure_system_or_staff(actor) -> None:
    if actor is not SYSTEM:
        ensure_staff(actor)


# ---------------------------------------------------------------------------
# Organisation
# ---------------------------------------------------------------------------


def create_unit(
    *,
    actor,
    code: str,
    name: str,
    kind: str,
    parent: OrganisationUnit | None = None,
    city: str = "",
) -> OrganisationUnit:
    """Staff (or the platform) add a unit to the organisation tree."""
    _ensure_system_or_staff(actor)
    with transaction.atomic():
        if OrganisationUnit.objects.filter(code=code).exists():
            raise DomainError(
                _("A unit with the code %(code)s already exists.") % {"code": code}, field="code"
            )
        unit = OrganisationUnit.objects.create(
            code=code, name=name, kind=kind, parent=parent, city=city
        )
        audit.record(actor, "unit.created", unit, new=model_values(unit))
    return unit


def create_body(
    *,
    actor,
    unit: OrganisationUnit,
    code: str,
    name: str,
    kind: str,
    seats: int = 0,
    reserved_youth_seats: int = 0,
) -> Body:
    """Staff (or the platform) set up a statutory body of a unit."""
    _ensure_system_or_staff(actor)
    if reserved_youth_seats > seats:
        raise DomainError(
            _("A body cannot reserve more seats than it has."), field="reserved_youth_seats"
        )
    with transaction.atomic():
        if Body.objects.filter(code=code).exists():
            raise DomainError(
                _("A body with the code %(code)s already exists.") % {"code": code}, field="code"
            )
        body = Body.objects.create(
            unit=unit,
            code=code,
            name=name,
            kind=kind,
            seats=seats,
            reserved_youth_seats=reserved_youth_seats,
        )
        audit.record(actor, "body.created", body, new=model_values(body))
    return body


# ---------------------------------------------------------------------------
# Members and dues
# ---------------------------------------------------------------------------


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


def _ensure_system_or_superuser(actor) -> None:
    if actor is not SYSTEM:
        ensure_may_write(actor)
        if not actor.is_superuser:
            raise NotAllowed(_("Only the platform administrator may change account roles."))


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


# ---------------------------------------------------------------------------
# Statutes
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleSpec:
    kind: str
    scope: str
    params: dict


@dataclass(frozen=True)
class ArticleSpec:
    number: str
    title: str
    text: str
    rules: Sequence[RuleSpec] = field(default_factory=tuple)


def adopt_statute_version(
    *,
    actor,
    title: str,
    effective_from: dt.date,
    articles: Sequence[ArticleSpec],
    adopted_by: Decision | None = None,
    note: str = "",
) -> StatuteVersion:
    """Create the next statute version with its articles and rules.

    Called by the platform for the founding statutes and by the statute-amendment
    service once the amendment decision is taken. Every rule is validated first; a
    bad one refuses the whole version.
    """
    if adopted_by is None:
        _ensure_system_or_staff(actor)
    elif actor is not SYSTEM:
        ensure_may_write(actor)
    numbers = [a.number for a in articles]
    if len(set(numbers)) != len(numbers):
        raise DomainError(_("Two articles have the same number."), field="articles")
    for spec in articles:
        for rule in spec.rules:
            try:
                rules.parse_rule(rule.kind, rule.params)
            except rules.RuleError as error:
                raise DomainError(
                    _("Article %(number)s: rule %(kind)s: %(error)s")
                    % {
                        "number": spec.number,
                        "kind": rule.kind,
                        "error": rule_error_in_words(error),
                    },
                    field=f"rules.{error.field}",
                ) from error
    with transaction.atomic():
        last = StatuteVersion.objects.select_for_update().order_by("-number").first()
        if last and effective_from < last.effective_from:
            raise DomainError(
                _("A new version cannot take effect before the version in force (%(date)s).")
                % {"date": last.effective_from},
                field="effective_from",
            )
        version = StatuteVersion.objects.create(
            number=(last.number + 1) if last else 1,
            title=title,
            effective_from=effective_from,
            adopted_by=adopted_by,
            note=note,
        )
        for position, spec in enumerate(articles, start=1):
            article = Article.objects.create(
                version=version,
                number=spec.number,
                position=position,
                title=spec.title,
                text=spec.text,
            )
            Rule.objects.bulk_create(
                [
                    Rule(article=article, kind=r.kind, scope=r.scope, params=r.params)
                    for r in spec.rules
                ]
            )
        audit.record(
            actor,
            "statutes.version_adopted",
            version,
            new={
                **model_values(version),
                "articles": [
                    {
                        "number": a.number,
                        "title": a.title,
                        "text": a.text,
                        "rules": [r.__dict__ for r in a.rules],
                    }
                    for a in articles
                ],
            },
        )
    return version


# ---------------------------------------------------------------------------
# Decision register
# ---------------------------------------------------------------------------


def next_reference(*, year: int, subject: str | None = None) -> str:
    """The next number in the movement's document index, e.g. ``ORG 50/003/2026``.

    Must run inside the caller's transaction: the counter row is locked until it commits,
    so two decisions never get the same number and numbers are not skipped.
    """
    subject = subject or settings.DOCUMENT_SUBJECT_CODE
    counter, _created = DocumentCounter.objects.select_for_update().get_or_create(
        subject=subject, year=year
    )
    counter = DocumentCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"{subject}/{counter.last_number:03d}/{year}"


def record_decision(
    *,
    actor,
    body: Body,
    title: str,
    text: str,
    article: Article,
    outcome: str,
    decided_on: dt.date,
    applied: Sequence[tuple[Rule, rules.RuleOutcome | None]] = (),
    figures: dict | None = None,
    assembly: Assembly | None = None,
    supersedes: Decision | None = None,
) -> Decision:
    """Enter a decision in the register, citing the article and statute version it was taken under.

    Officers of the body (and the platform, as SYSTEM) may call it, and every caller is
    checked here, whatever it checked before: the voting engine's count enters its decision
    as the officer who counts, so no decision reaches the register past this check. The
    snapshots of the rules applied and their evaluated outcomes are stored with the figures, so the
    decision can be re-checked later even after the statutes change.
    """
    if actor is not SYSTEM:
        ensure_may_act_for_body(actor, body)
    if outcome not in Decision.Outcome.values:
        raise DomainError(_("Unknown outcome."), field="outcome")
    with transaction.atomic():
        if supersedes is not None and Decision.objects.filter(supersedes=supersedes).exists():
            raise DomainError(_("That decision has already been superseded."), field="supersedes")
        snapshot = [
            {**rule.snapshot(), "outcome": evaluated.as_dict() if evaluated is not None else None}
            for rule, evaluated in applied
        ]
        decision = Decision.objects.create(
            reference=next_reference(year=decided_on.year),
            body=body,
            assembly=assembly,
            decided_on=decided_on,
            title=title,
            text=text,
            statute_version=article.version,
            article=article,
            rule_snapshot=audit.jsonable(snapshot),
            figures=audit.jsonable(figures or {}),
            outcome=outcome,
            supersedes=supersedes,
            recorded_by=actor if actor is not SYSTEM else None,
        )
        audit.record(actor, "decision.recorded", decision, new=model_values(decision))
        # A checkpoint signed after every decision reaches the auditors (governance.tasks).
        reference = decision.reference
        transaction.on_commit(lambda: tasks.send_checkpoint.enqueue(reason=reference))
    return decision


# ---------------------------------------------------------------------------
# Mandates
# ---------------------------------------------------------------------------


def consecutive_terms(member: Member, body: Body, before: dt.date) -> int:
    """How many mandates on the body the member has held back to back up to a date."""
    mandates = list(
        Mandate.objects.filter(member=member, body=body, starts_on__lt=before).order_by(
            "-starts_on"
        )
    )
    count, boundary = 0, before
    for mandate in mandates:
        if (boundary - mandate.ends_on).days > 1:
            break
        count += 1
        boundary = mandate.starts_on
    return count


def create_mandate(
    *,
    actor,
    member: Member,
    body: Body,
    role: str,
    starts_on: dt.date,
    decision: Decision | None,
    on_youth_seat: bool = False,
    ends_on: dt.date | None = None,
) -> Mandate:
    """Seat a member on a body after the decision that elected or appointed them.

    Applies the statutes' terms rule: the mandate's length, the limit of consecutive
    terms, and the age limit of a reserved youth seat.
    """
    if actor is not SYSTEM:
        ensure_may_act_for_body(actor, body)
    terms_rule = rule_for("terms", body=body, on=starts_on)
    parsed = terms_rule.parsed() if terms_rule else None
    if ends_on is None:
        if parsed is None:
            raise RuleViolation(
                _("No terms rule gives the length of this mandate; give an end date.")
            )
        ends_on = rules.term_end(parsed, starts_on)
    if ends_on < starts_on:
        raise DomainError(_("A mandate cannot end before it starts."), field="ends_on")
    with transaction.atomic():
        if parsed is not None:
            outcome = rules.check_term_limit(
                parsed,
                consecutive_terms_served=consecutive_terms(member, body, starts_on),
                article=terms_rule.article.number,
            )
            if not outcome.satisfied:
                raise RuleViolation(
                    _(
                        "%(name)s has reached the limit of %(limit)s consecutive terms (article %(article)s)."
                    )
                    % {
                        "name": member.full_name,
                        "limit": parsed.max_consecutive,
                        "article": terms_rule.article.number,
                    }
                )
            if on_youth_seat and (
                member.birth_date is None
                or rules.age_on(member.birth_date, starts_on) > parsed.youth_max_age
            ):
                raise RuleViolation(
                    _(
                        "A reserved youth seat is for members aged %(age)s or under (article %(article)s)."
                    )
                    % {"age": parsed.youth_max_age, "article": terms_rule.article.number}
                )
        if on_youth_seat:
            taken = Mandate.objects.filter(
                body=body, on_youth_seat=True, starts_on__lte=ends_on, ends_on__gte=starts_on
            ).count()
            if taken >= body.reserved_youth_seats:
                raise RuleViolation(
                    _("All reserved youth seats of this body are taken for that period.")
                )
        if Mandate.objects.filter(
            member=member, body=body, starts_on__lte=ends_on, ends_on__gte=starts_on
        ).exists():
            raise DomainError(
                _("%(name)s already holds a mandate on this body for that period.")
                % {"name": member.full_name}
            )
        mandate = Mandate.objects.create(
            member=member,
            body=body,
            role=role,
            starts_on=starts_on,
            ends_on=ends_on,
            decision=decision,
            on_youth_seat=on_youth_seat,
        )
        roles_changed()
        audit.record(actor, "mandate.created", mandate, new=model_values(mandate))
    return mandate


def end_mandate(*, actor, mandate: Mandate, ends_on: dt.date, reason: str) -> Mandate:
    """Officers of the body end a mandate early (resignation, death, removal), with a reason."""
    if actor is not SYSTEM:
        ensure_may_act_for_body(actor, mandate.body)
    if not reason.strip():
        raise DomainError(_("Give the reason the mandate ends early."), field="reason")
    with transaction.atomic():
        mandate = Mandate.objects.select_for_update().get(pk=mandate.pk)
        if not (mandate.starts_on <= ends_on <= mandate.ends_on):
            raise DomainError(_("The end date must fall within the mandate."), field="ends_on")
        old = model_values(mandate, ["ends_on"])
        mandate.ends_on = ends_on
        mandate.save(update_fields=["ends_on"])
        roles_changed()
        audit.record(
            actor, "mandate.ended", mandate, old=old, new={"ends_on": ends_on, "reason": reason}
        )
    return mandate


# ---------------------------------------------------------------------------
# Assemblies
# ---------------------------------------------------------------------------


def convene_assembly(
    *,
    actor,
    body: Body,
    title: str,
    starts_at: dt.datetime,
    place: str = "",
    online_link: str = "",
    agenda: str = "",
    convocation: int = 1,
    convened_on: dt.date | None = None,
) -> Assembly:
    """Officers of the body (or its unit's board) convene a meeting, within the notice period."""
    if actor is not SYSTEM:
        ensure_may_act_for_body(actor, body)
    convened_on = convened_on or timezone.localdate()
    if not (place or online_link):
        raise DomainError(_("Give a place or an online link."), field="place")
    if convocation not in (1, 2):
        raise DomainError(_("The convocation is the first or the second."), field="convocation")
    meets_on = (
        timezone.localtime(starts_at).date() if timezone.is_aware(starts_at) else starts_at.date()
    )
    notice_rule = rule_for("notice", body=body, on=convened_on)
    with transaction.atomic():
        if notice_rule is not None:
            outcome = rules.check_notice(
                notice_rule.parsed(),
                what="assembly",
                event_on=meets_on,
                done_on=convened_on,
                article=notice_rule.article.number,
            )
            if not outcome.satisfied:
                raise RuleViolation(
                    _(
                        "Too late to convene for %(date)s: article %(article)s requires notice by %(deadline)s."
                    )
                    % {
                        "date": meets_on,
                        "article": notice_rule.article.number,
                        "deadline": outcome.figures["deadline"],
                    },
                    field="starts_at",
                )
        assembly = Assembly.objects.create(
            body=body,
            title=title,
            starts_at=starts_at,
            place=place,
            online_link=online_link,
            agenda=agenda,
            convocation=convocation,
            convened_on=convened_on,
            convened_by=actor if actor is not SYSTEM else None,
        )
        audit.record(actor, "assembly.convened", assembly, new=model_values(assembly))
    return assembly


# ---------------------------------------------------------------------------
# Names translated by the officers
# ---------------------------------------------------------------------------

TRANSLATION_MAX_LENGTH = {"name": 200, "title": 200, "agenda": 5000}


def translating_body(obj: OrganisationUnit | Body | Article | Assembly) -> Body | None:
    """The body whose officers may translate ``obj``'s names (staff always may): the body
    itself, an assembly's body, a unit's board, and the section's board for the statutes."""
    if isinstance(obj, Body):
        return obj
    if isinstance(obj, Assembly):
        return obj.body
    boards = Body.objects.filter(kind=Body.Kind.BOARD)
    if isinstance(obj, OrganisationUnit):
        return boards.filter(unit=obj).first()
    return boards.filter(unit__kind=OrganisationUnit.Kind.SECTION).order_by("pk").first()


def translate_names(
    *,
    actor,
    obj: OrganisationUnit | Body | Article | Assembly,
    language: str,
    values: dict[str, str],
) -> OrganisationUnit | Body | Article | Assembly:
    """Officers of the translating body (or staff) set the names of ``obj`` in ``language``.

    ``values`` maps translatable fields to their translation; an empty value removes it, so
    the original shows again. The original itself is never changed here. One audit event with
    the old and new translations of that language.
    """
    body = translating_body(obj)
    if body is None:
        ensure_staff(actor)
    else:
        ensure_may_act_for_body(actor, body)
    if language not in dict(settings.LANGUAGES):
        raise DomainError(_("Unknown language: %(code)s.") % {"code": language}, field="language")
    unknown = set(values) - set(obj.translatable_fields)
    if unknown:
        raise DomainError(
            _("These names cannot be translated: %(fields)s.")
            % {"fields": ", ".join(sorted(unknown))}
        )
    cleaned = {}
    for name, value in values.items():
        value = (value or "").strip()
        if len(value) > TRANSLATION_MAX_LENGTH.get(name, 200):
            raise DomainError(
                _("At most %(limit)s characters.")
                % {"limit": TRANSLATION_MAX_LENGTH.get(name, 200)},
                field=name,
            )
        cleaned[name] = value
    with transaction.atomic():
        obj = type(obj).objects.select_for_update().get(pk=obj.pk)
        translations = dict(obj.translations or {})
        old = dict(translations.get(language) or {})
        new = {**old, **cleaned}
        new = {name: value for name, value in new.items() if value}
        if new == old:
            return obj
        if new:
            translations[language] = new
        else:
            translations.pop(language, None)
        obj.translations = translations
        obj.save(update_fields=["translations"])
        audit.record(actor, "names.translated", obj, old={language: old}, new={language: new})
    return obj
