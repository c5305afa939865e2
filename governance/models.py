"""The base domain: accounts, units, members and dues, bodies, statutes, assemblies, decisions, audit."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from governance.querysets import (
    AssemblyProxyQuerySet,
    AssemblyQuerySet,
    AttendanceQuerySet,
    AuditEventQuerySet,
    BodyQuerySet,
    DecisionQuerySet,
    MandateQuerySet,
    MemberQuerySet,
    OrganisationUnitQuerySet,
    StatuteVersionQuerySet,
)

# ---------------------------------------------------------------------------
# Names translated by the officers
# ---------------------------------------------------------------------------


class Translatable(models.Model):
    """Names that officers translate per language, beside the original they were written in.

    ``translations`` is ``{"fr": {"name": "..."}, "ar": {"name": "..."}}`` for the fields listed
    in ``translatable_fields``; written only by ``services.translate_names`` (with its audit
    event). A page shows the active language's translation, or the original where there is none.
    """

    translatable_fields: tuple[str, ...] = ()

    translations = models.JSONField(_("translations"), default=dict, blank=True)

    class Meta:
        abstract = True

    def translation_of(self, field: str, language: str | None = None) -> str:
        """The field in ``language`` (the active one by default), or "" when not translated."""
        language = (language or get_language() or "").split("-")[0]
        return ((self.translations or {}).get(language) or {}).get(field, "")

    def translated(self, field: str, language: str | None = None) -> str:
        """The field in the active language, or the original where no translation exists."""
        return self.translation_of(field, language) or getattr(self, field)


# ---------------------------------------------------------------------------
# Accounts
# ---------------------------------------------------------------------------


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A login. Roles come from the member it is linked to, its mandates and its groups."""

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    is_auditor = models.BooleanField(
        _("auditor"),
        default=False,
        help_text=_("Reads the whole history (control committee, external or IC auditors)."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []
    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.email


# ---------------------------------------------------------------------------
# Organisation
# ---------------------------------------------------------------------------


class OrganisationUnit(Translatable):
    """A node of the movement: the IC, the International Board, a section, its groups."""

    translatable_fields = ("name",)

    class Kind(models.TextChoices):
        INTERNATIONAL_COUNCIL = "international_council", _("International Council")
        INTERNATIONAL_BOARD = "international_board", _("International Board")
        SECTION = "section", _("Section")
        LOCAL_GROUP = "local_group", _("Local group")
        YOUTH_GROUP = "youth_group", _("Youth group")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    city = models.CharField(_("city"), max_length=100, blank=True)

    objects = OrganisationUnitQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")

    def __str__(self) -> str:
        return self.translated("name")


# ---------------------------------------------------------------------------
# Members and dues
# ---------------------------------------------------------------------------


class Member(models.Model):
    """A person on the membership roll. Good standing is derived from dues, never stored."""

    class Kind(models.TextChoices):
        MEMBER = "member", _("Member")
        SUPPORTER = "supporter", _("Supporter")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        RESIGNED = "resigned", _("Resigned")
        DECEASED = "deceased", _("Deceased")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member",
    )
    membership_number = models.CharField(_("membership number"), max_length=32, unique=True)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("e-mail address"), blank=True)
    unit = models.ForeignKey(
        OrganisationUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="members"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.MEMBER)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    joined_on = models.DateField(_("joined on"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    # The language the platform writes to the member in (the ballots' e-mails); blank: the
    # section's own (settings.LANGUAGE_CODE).
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, blank=True, default=""
    )

    objects = MemberQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "membership_number"]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        indexes = [models.Index(fields=["last_name", "first_name"])]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} ({self.membership_number})"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def is_in_good_standing(self, year: int | None = None) -> bool:
        """Dues paid for the year (this year by default). Uses `paid_current_year` if annotated."""
        year = year or timezone.localdate().year
        if year == timezone.localdate().year and hasattr(self, "paid_current_year"):
            return bool(self.paid_current_year)
        return self.dues_payments.filter(year=year).exists()

    def facts(self, *, on: dt.date, body_codes: frozenset[str] = frozenset()):
        """The plain facts (a rules.MemberFacts) the statute eligibility rule is evaluated on."""
        from governance.statutes import rules

        return rules.MemberFacts(
            is_member=self.kind == self.Kind.MEMBER and self.status == self.Status.ACTIVE,
            good_standing=self.is_in_good_standing(on.year),
            joined_on=self.joined_on,
            birth_date=self.birth_date,
            body_codes=body_codes,
        )


class DuesPayment(models.Model):
    """One year's dues (cotisation) paid by a member."""

    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="dues_payments"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("amount"), max_digits=8, decimal_places=2)
    paid_on = models.DateField(_("paid on"))

    class Meta:
        ordering = ["-year"]
        verbose_name = _("dues payment")
        verbose_name_plural = _("dues payments")
        constraints = [
            models.UniqueConstraint(fields=["member", "year"], name="one_dues_payment_per_year"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="dues_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.member.membership_number} {self.year}"


# ---------------------------------------------------------------------------
# Bodies and mandates
# ---------------------------------------------------------------------------


class Body(Translatable):
    """An elected or statutory body of a unit: the General Assembly, the Board, a committee."""

    translatable_fields = ("name",)

    class Kind(models.TextChoices):
        ASSEMBLY = "assembly", _("Assembly of members")
        BOARD = "board", _("Board")
        COMMITTEE = "committee", _("Committee")
        COUNCIL = "council", _("Council")

    unit = models.ForeignKey(
        OrganisationUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="bodies"
    )
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    seats = models.PositiveSmallIntegerField(_("seats"), default=0)
    reserved_youth_seats = models.PositiveSmallIntegerField(_("reserved youth seats"), default=0)

    objects = BodyQuerySet.as_manager()

    class Meta:
        ordering = ["unit__name", "name"]
        verbose_name = _("body")
        verbose_name_plural = _("bodies")
        constraints = [
            models.CheckConstraint(
                condition=Q(reserved_youth_seats__lte=models.F("seats")),
                name="reserved_seats_within_seats",
            )
        ]

    def __str__(self) -> str:
        return self.translated("name")


class Mandate(models.Model):
    """A member's seat on a body, in a role, for a period, created by a decision."""

    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair")
        VICE_CHAIR = "vice_chair", _("Vice-chair")
        TREASURER = "treasurer", _("Treasurer")
        SECRETARY = "secretary", _("Secretary")
        YOUTH_REPRESENTATIVE = "youth_representative", _("Youth representative")
        MEMBER = "member", _("Member")

    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="mandates"
    )
    body = models.ForeignKey(
        Body, verbose_name=_("body"), on_delete=models.PROTECT, related_name="mandates"
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices, default=Role.MEMBER)
    on_youth_seat = models.BooleanField(_("on a reserved youth seat"), default=False)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    decision = models.ForeignKey(
        "Decision",
        verbose_name=_("decision"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mandates",
        help_text=_("The decision (election or appointment) that created the mandate."),
    )

    objects = MandateQuerySet.as_manager()

    class Meta:
        ordering = ["body", "role", "starts_on"]
        verbose_name = _("mandate")
        verbose_name_plural = _("mandates")
        # A body's page reads its past mandates off it, a page at a time.
        indexes = [models.Index(fields=["body", "-ends_on", "-id"], name="mandate_past_order")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="mandate_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member.full_name} — {self.get_role_display()}, {self.body}"

    def is_current(self, on: dt.date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.starts_on <= on <= self.ends_on


# ---------------------------------------------------------------------------
# Statutes
# ---------------------------------------------------------------------------


class StatuteVersion(models.Model):
    """One version of the statutes, in force from a date, adopted by a decision."""

    number = models.PositiveIntegerField(_("version"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    effective_from = models.DateField(_("effective from"))
    adopted_by = models.ForeignKey(
        "Decision",
        verbose_name=_("adopted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)

    objects = StatuteVersionQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        verbose_name = _("statute version")
        verbose_name_plural = _("statute versions")

    def __str__(self) -> str:
        return f"{self.title} (v{self.number})"


class Article(Translatable):
    """An article of a statute version, with its text."""

    translatable_fields = ("title",)

    version = models.ForeignKey(
        StatuteVersion,
        verbose_name=_("statute version"),
        on_delete=models.PROTECT,
        related_name="articles",
    )
    number = models.CharField(_("number"), max_length=20)
    position = models.PositiveIntegerField(_("position"))
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))

    class Meta:
        ordering = ["version", "position"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "number"], name="article_number_unique_in_version"
            ),
            models.UniqueConstraint(
                fields=["version", "position"], name="article_position_unique_in_version"
            ),
        ]

    def __str__(self) -> str:
        return _("Article %(number)s — %(title)s") % {
            "number": self.number,
            "title": self.translated("title"),
        }


class Rule(models.Model):
    """A machine-readable rule carried by an article (see governance.statutes.rules for the kinds).

    `scope` says what the rule governs, so services can ask for "the majority rule for
    statute amendments" in the version in force: e.g. ``general_assembly``,
    ``statute_amendment``, ``board``, ``election``, ``motion``, ``ballot``.
    """

    class Kind(models.TextChoices):
        QUORUM = "quorum", _("Quorum")
        MAJORITY = "majority", _("Majority")
        ELIGIBILITY = "eligibility", _("Eligibility")
        NOTICE = "notice", _("Notice periods")
        TERMS = "terms", _("Terms of office")
        PROXIES = "proxies", _("Proxies")
        SPONSORSHIP = "sponsorship", _("Co-sponsors")
        TRUSTEES = "trustees", _("Trustees of secret ballots")

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.PROTECT, related_name="rules"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    scope = models.SlugField(_("scope"), max_length=40)
    params = models.JSONField(_("parameters"))

    class Meta:
        ordering = ["article", "kind", "scope"]
        verbose_name = _("rule")
        verbose_name_plural = _("rules")
        constraints = [
            models.UniqueConstraint(
                fields=["article", "kind", "scope"], name="one_rule_per_kind_and_scope"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.scope})"

    def parsed(self):
        """The rule as its governance.statutes.rules dataclass."""
        from governance.statutes import rules

        return rules.parse_rule(self.kind, self.params)

    def snapshot(self) -> dict:
        """What a decision stores about the rule it applied: enough to re-check it later."""
        version = self.article.version
        return {
            "kind": self.kind,
            "scope": self.scope,
            "params": self.params,
            "article": self.article.number,
            "article_title": self.article.title,
            "statute_version": version.number,
        }


# ---------------------------------------------------------------------------
# Assemblies
# ---------------------------------------------------------------------------


class Assembly(Translatable):
    """A convened meeting of a body: a General Assembly or a Board meeting."""

    translatable_fields = ("title", "agenda")

    class Status(models.TextChoices):
        CONVENED = "convened", _("Convened")
        IN_SESSION = "in_session", _("In session")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    body = models.ForeignKey(
        Body, verbose_name=_("body"), on_delete=models.PROTECT, related_name="assemblies"
    )
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_link = models.URLField(_("online link"), blank=True)
    convocation = models.PositiveSmallIntegerField(_("convocation"), default=1)
    convened_on = models.DateField(_("convened on"))
    convened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("convened by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    agenda = models.TextField(_("agenda"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.CONVENED
    )
    opened_at = models.DateTimeField(_("session opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("session closed at"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    eligible_at_close = models.PositiveIntegerField(
        _("entitled to vote at the close"),
        null=True,
        blank=True,
        help_text=_(
            "Frozen when the session closes, so the quorum on the record does not move "
            "when the roll changes later."
        ),
    )

    objects = AssemblyQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("assembly")
        verbose_name_plural = _("assemblies")
        # The assemblies list reads its pages off it (past ones backwards).
        indexes = [models.Index(fields=["-starts_at", "-id"], name="assembly_list_order")]
        constraints = [
            models.CheckConstraint(
                condition=Q(convocation__in=[1, 2]), name="convocation_first_or_second"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def meets_on(self) -> dt.date:
        return timezone.localdate(self.starts_at)

    @property
    def lapsed(self) -> bool:
        """Convened for a day that has passed without its session being opened."""
        return self.status == self.Status.CONVENED and self.meets_on < timezone.localdate()


class Attendance(models.Model):
    """A member checked in at an assembly's door as a voter. Present = checked in, not out.

    One row per member and assembly: checking in again after leaving clears the check-out
    (the audit log keeps every arrival and departure).
    """

    assembly = models.ForeignKey(
        Assembly, verbose_name=_("assembly"), on_delete=models.PROTECT, related_name="attendances"
    )
    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="attendances"
    )
    checked_in_at = models.DateTimeField(_("checked in at"))
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked in by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        ordering = ["assembly", "member"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.UniqueConstraint(fields=["assembly", "member"], name="attends_an_assembly_once"),
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True)
                | Q(checked_out_at__gte=models.F("checked_in_at")),
                name="attendance_leaves_after_arriving",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assembly_id}: {self.member_id}"

    @property
    def present(self) -> bool:
        return self.checked_out_at is None


class AssemblyProxy(models.Model):
    """A procuration for one meeting: the giver's vote carried by the holder, registered at the door."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        REVOKED = "revoked", _("Revoked")

    assembly = models.ForeignKey(
        Assembly, verbose_name=_("assembly"), on_delete=models.PROTECT, related_name="proxies"
    )
    giver = models.ForeignKey(
        Member,
        verbose_name=_("given by"),
        on_delete=models.PROTECT,
        related_name="assembly_proxies_given",
    )
    holder = models.ForeignKey(
        Member,
        verbose_name=_("carried by"),
        on_delete=models.PROTECT,
        related_name="assembly_proxies_carried",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    created_at = models.DateTimeField(_("registered at"))
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoke_reason = models.CharField(_("reason for revoking"), max_length=200, blank=True)

    objects = AssemblyProxyQuerySet.as_manager()

    class Meta:
        ordering = ["assembly", "created_at", "pk"]
        verbose_name = _("assembly proxy")
        verbose_name_plural = _("assembly proxies")
        constraints = [
            models.UniqueConstraint(
                fields=["assembly", "giver"],
                condition=Q(status="active"),
                name="one_live_assembly_proxy_per_giver",
            ),
            models.CheckConstraint(
                condition=~Q(giver=models.F("holder")), name="assembly_proxy_not_to_oneself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.giver} → {self.holder}"


# ---------------------------------------------------------------------------
# Decision register
# ---------------------------------------------------------------------------


class DocumentCounter(models.Model):
    """The next number per subject code and year in the movement's document index."""

    subject = models.CharField(max_length=20)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subject", "year"], name="one_counter_per_subject_year")
        ]

    def __str__(self) -> str:
        return f"{self.subject}/{self.last_number:03d}/{self.year}"


class Decision(models.Model):
    """An entry of the decision register, cited against the statute article that authorises it.

    Never edited: a later decision may supersede it and says so in ``supersedes``.
    """

    class Outcome(models.TextChoices):
        ADOPTED = "adopted", _("Adopted")
        REJECTED = "rejected", _("Rejected")
        ELECTED = "elected", _("Elected")
        NO_QUORUM = "no_quorum", _("No quorum")
        NOTED = "noted", _("Noted")

    reference = models.CharField(_("reference"), max_length=40, unique=True)
    body = models.ForeignKey(
        Body, verbose_name=_("body"), on_delete=models.PROTECT, related_name="decisions"
    )
    assembly = models.ForeignKey(
        Assembly,
        verbose_name=_("assembly"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decisions",
    )
    decided_on = models.DateField(_("decided on"))
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("text"))
    statute_version = models.ForeignKey(
        StatuteVersion,
        verbose_name=_("statute version"),
        on_delete=models.PROTECT,
        related_name="decisions",
    )
    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.PROTECT, related_name="decisions"
    )
    rule_snapshot = models.JSONField(_("rule applied"), default=list)
    figures = models.JSONField(_("figures"), default=dict)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    supersedes = models.ForeignKey(
        "self",
        verbose_name=_("supersedes"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = DecisionQuerySet.as_manager()

    class Meta:
        ordering = ["-decided_on", "-id"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        indexes = [
            models.Index(fields=["decided_on"]),
            models.Index(fields=["outcome"]),
            # The register's order: a page of 25 read off the index, not 10,000 rows sorted.
            models.Index(fields=["-decided_on", "-id"], name="decision_register_order"),
            # A meeting's decisions, a page at a time, in the same order.
            models.Index(fields=["assembly", "-decided_on", "-id"], name="decision_meeting_order"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} — {self.title}"


# ---------------------------------------------------------------------------
# Audit log
# ---------------------------------------------------------------------------


class AuditEvent(models.Model):
    """An append-only, hash-chained record of one write (see governance.audit.log)."""

    sequence = models.PositiveBigIntegerField(_("sequence"), unique=True)
    occurred_at = models.DateTimeField(_("occurred at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(_("actor"), max_length=254, blank=True)
    action = models.CharField(_("action"), max_length=80)
    object_type = models.CharField(_("object type"), max_length=80)
    object_id = models.CharField(_("object id"), max_length=64)
    object_label = models.CharField(_("object"), max_length=300, blank=True)
    old = models.JSONField(_("old values"), null=True, blank=True)
    new = models.JSONField(_("new values"), null=True, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["sequence"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action}"

    @property
    def names_no_one(self) -> bool:
        """An event that carries a commitment instead of a person (a secret ballot's vote)."""
        return self.actor_id is None and isinstance(self.new, dict) and "commitment" in self.new


class AuditSubtree(models.Model):
    """The RFC 9162 hash of one complete, aligned block of the audit log's Merkle tree.

    Block `index` at `level` covers leaves index * 2**level to (index + 1) * 2**level - 1
    (events #index * 2**level + 1 onwards). Written by the function that appends events, in
    the same transaction, when a block completes, so proofs read the block hashes and the
    leaves of at most two partial blocks rather than the whole log. Derived data:
    `verify_audit` recomputes every block from the events and names any that differs.
    """

    level = models.PositiveSmallIntegerField()
    index = models.PositiveBigIntegerField()
    hash = models.BinaryField(max_length=32)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["level", "index"], name="audit_subtree_unique")
        ]

    def __str__(self) -> str:
        return f"block {self.index} at level {self.level}"


class AuditHead(models.Model):
    """The single row that holds the chain's head; writers lock it to append in order."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    sequence = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="audit_head_is_singleton")]

    def __str__(self) -> str:
        return f"head #{self.sequence}"


class MinutesApproval(models.Model):
    """The chair's or the secretary's approval of a meeting's minutes, given with their
    second factor; it keeps the audit checkpoint the minutes were drawn from."""

    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair")
        SECRETARY = "secretary", _("Secretary")

    assembly = models.ForeignKey(
        Assembly,
        verbose_name=_("assembly"),
        on_delete=models.PROTECT,
        related_name="minutes_approvals",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    signer_name = models.CharField(_("signed by"), max_length=200)
    approved_at = models.DateTimeField(_("approved at"))
    checkpoint = models.TextField(_("audit checkpoint"))

    class Meta:
        ordering = ["approved_at"]
        verbose_name = _("minutes approval")
        verbose_name_plural = _("minutes approvals")
        constraints = [
            models.UniqueConstraint(fields=["assembly", "role"], name="one_approval_per_role")
        ]

    def __str__(self) -> str:
        return f"{self.assembly_id}: {self.role}"


class MemberImport(models.Model):
    """A membership file handed to the task worker by the staff page, and how its import went.

    Not part of the record (the import's own audit events are): the file waits here for the
    worker and is emptied once imported or refused; the live progress is in the cache
    (`governance.roll.jobs`), this row says where the job ended.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for the worker")
        RUNNING = "running", _("Running")
        DONE = "done", _("Imported")
        REJECTED = "rejected", _("Refused")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    data = models.BinaryField(_("file"), default=b"")
    size = models.PositiveBigIntegerField(_("size"), default=0)
    language = models.CharField(_("language"), max_length=10, default="en")  # of its messages
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    message = models.TextField(_("message"), blank=True)
    line_errors = models.JSONField(_("lines to correct"), default=list, blank=True)

    class Meta:
        verbose_name = _("membership import")
        verbose_name_plural = _("membership imports")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.get_status_display()}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.REJECTED, self.Status.FAILED)
