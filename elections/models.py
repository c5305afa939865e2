"""The voting engine's records: ballots, candidates, frozen rolls, participations, papers, proxies.

Secrecy is a property of the schema: for a secret ballot, `Participation` (who took part)
and `BallotPaper` (what was voted) share nothing but the ballot. A paper has a random
UUID key, no voter, no timestamp and no sequence; a participation has no choice. Reads
of papers are ordered by the receipt fingerprint, which is random.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from elections.querysets import (
    BallotQuerySet,
    CandidateQuerySet,
    PaperCountQuerySet,
    ParticipationManager,
    ProxyQuerySet,
    TrusteeQuerySet,
)
from governance.models import Article, Assembly, Body, Decision, Member


class Ballot(models.Model):
    """One question put to one electorate, frozen when it opens."""

    class Kind(models.TextChoices):
        QUESTION = "question", _("Yes/no question")
        ELECTION = "election", _("Election")
        ROLL_CALL = "roll_call", _("Roll-call vote")

    class Method(models.TextChoices):
        YESNO = "yesno", _("Yes / no / abstain")
        PLURALITY = "plurality", _("Plurality")
        APPROVAL = "approval", _("Approval")
        IRV = "irv", _("Instant run-off")
        STV = "stv", _("Single transferable vote (Scottish rules)")
        MEEK = "meek", _("Single transferable vote (Meek)")

    class Electorate(models.TextChoices):
        MEMBERS = "members", _("Members entitled to vote")
        BODY = "body", _("Members of the body")
        ASSEMBLY = "assembly", _("Present members and their proxies")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        COUNTED = "counted", _("Counted")
        PUBLISHED = "published", _("Published")
        CANCELLED = "cancelled", _("Cancelled")

    title = models.CharField(_("title"), max_length=300)
    question = models.TextField(_("question or text put to the vote"), blank=True)
    body = models.ForeignKey(
        Body, verbose_name=_("deciding body"), on_delete=models.PROTECT, related_name="ballots"
    )
    assembly = models.ForeignKey(
        Assembly,
        verbose_name=_("assembly"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ballots",
    )
    elects_body = models.ForeignKey(
        Body,
        verbose_name=_("body whose seats are filled"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="elections",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    seats = models.PositiveSmallIntegerField(_("seats"), default=1)
    max_approvals = models.PositiveSmallIntegerField(
        _("most approvals per paper"), null=True, blank=True
    )
    secret = models.BooleanField(_("secret ballot"), default=True)
    electorate = models.CharField(
        _("electorate"), max_length=20, choices=Electorate.choices, default=Electorate.MEMBERS
    )
    rule_scope = models.SlugField(
        _("rules applied"),
        max_length=40,
        help_text=_(
            "The scope of the statute rules that apply: quorum and majority (e.g. assembly, board)."
        ),
    )
    article = models.ForeignKey(
        Article,
        verbose_name=_("authorising article"),
        on_delete=models.PROTECT,
        related_name="ballots",
        help_text=_("The statute article the decision will be recorded under."),
    )
    convocation = models.PositiveSmallIntegerField(_("convocation"), default=1)
    quorum_eligible = models.PositiveIntegerField(
        _("entitled to vote, for the quorum"),
        null=True,
        blank=True,
        help_text=_(
            "For a vote in the room: the members entitled to vote in the assembly, frozen when "
            "the ballot opens. The quorum is taken of them, not only of those present."
        ),
    )
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    seed = models.CharField(_("seed for drawing lots"), max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    result = models.JSONField(_("result"), null=True, blank=True)
    decision = models.OneToOneField(
        Decision,
        verbose_name=_("decision"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ballot",
    )

    objects = BallotQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at", "-id"]
        # The lists' order: a page read off the index, not every ballot sorted.
        indexes = [models.Index(fields=["-opens_at", "-id"], name="ballot_list_order")]
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="ballot_closes_after_opening"
            ),
            models.CheckConstraint(condition=Q(seats__gte=1), name="ballot_has_a_seat"),
            models.CheckConstraint(
                condition=Q(convocation__in=[1, 2]), name="ballot_convocation_first_or_second"
            ),
            models.CheckConstraint(
                condition=~Q(kind="roll_call") | Q(secret=False), name="roll_call_is_never_secret"
            ),
            models.CheckConstraint(
                condition=~Q(electorate="assembly") | Q(assembly__isnull=False),
                name="vote_in_the_room_has_an_assembly",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def ranked(self) -> bool:
        return self.method in (self.Method.IRV, self.Method.STV, self.Method.MEEK)

    @property
    def yes_no(self) -> bool:
        return self.method == self.Method.YESNO


class Candidate(models.Model):
    """A person standing in an election (or an option of a choice), nominated with consent."""

    class Status(models.TextChoices):
        NOMINATED = "nominated", _("Nominated, awaiting consent")
        STANDING = "standing", _("Standing")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    ballot = models.ForeignKey(
        Ballot, verbose_name=_("ballot"), on_delete=models.PROTECT, related_name="candidates"
    )
    code = models.SlugField(_("code"), max_length=20)
    member = models.ForeignKey(
        Member,
        verbose_name=_("member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="candidacies",
    )
    name = models.CharField(_("name"), max_length=200)
    statement = models.TextField(_("statement"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NOMINATED
    )
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("nominated by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = CandidateQuerySet.as_manager()

    class Meta:
        ordering = ["ballot", "position"]
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        constraints = [
            models.UniqueConstraint(
                fields=["ballot", "code"], name="candidate_code_unique_in_ballot"
            ),
            models.UniqueConstraint(
                fields=["ballot", "member"],
                condition=Q(member__isnull=False),
                name="one_candidacy_per_ballot",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RollEntry(models.Model):
    """One voter on a ballot's electoral roll, frozen when the ballot opened."""

    ballot = models.ForeignKey(
        Ballot, verbose_name=_("ballot"), on_delete=models.PROTECT, related_name="roll"
    )
    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="roll_entries"
    )
    weight = models.PositiveIntegerField(_("weight"), default=1)

    class Meta:
        verbose_name = _("electoral roll entry")
        verbose_name_plural = _("electoral roll")
        constraints = [models.UniqueConstraint(fields=["ballot", "member"], name="once_on_a_roll")]

    def __str__(self) -> str:
        return f"{self.ballot_id}: {self.member_id}"


class Mailing(models.Model):
    """A ballot's e-mails of one kind, sent in batches by the task worker, and how far it got.

    The batches go through the recipients by member id: `last_member` is the cursor, moved
    in the transaction that sends a batch, so a task run again (a worker restarted, the task
    enqueued twice) starts after the last batch that went out and sends nobody twice; a
    batch whose sending failed is rolled back and sent again whole. The officers' console
    shows `sent` of `total`.
    """

    class Kind(models.TextChoices):
        INVITATION = "invitation", _("Invitations")
        REMINDER = "reminder", _("Reminders")
        RESULT = "result", _("Results")

    ballot = models.ForeignKey(
        Ballot, verbose_name=_("ballot"), on_delete=models.CASCADE, related_name="mailings"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    total = models.PositiveIntegerField(_("recipients"))
    sent = models.PositiveIntegerField(_("sent"), default=0)
    last_member = models.BigIntegerField(_("last member sent to"), default=0)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("mailing")
        verbose_name_plural = _("mailings")
        constraints = [
            models.UniqueConstraint(fields=["ballot", "kind"], name="one_mailing_a_kind")
        ]

    def __str__(self) -> str:
        return f"{self.ballot_id} {self.kind}: {self.sent}/{self.total}"


class Participation(models.Model):
    """That a voter took part (in person or by proxy). Never what they chose.

    No timestamp and a random key, so its order says nothing about the papers' order.

    On a secret ballot `salt` is the random salt of the commitment its `ballot.vote_cast`
    audit event carries instead of the voter (`elections.integrity.cast_commitment`): the
    log proves every participation was audited without saying whose event is whose. Only
    the database holds it; no page, API, export or bundle shows it. Empty on a named ballot,
    whose event names the voter.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ballot = models.ForeignKey(
        Ballot, verbose_name=_("ballot"), on_delete=models.PROTECT, related_name="participations"
    )
    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="participations"
    )
    by_proxy = models.BooleanField(_("cast by a proxy holder"), default=False)
    salt = models.CharField(_("commitment salt"), max_length=64, blank=True, default="")

    objects = ParticipationManager()

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            models.UniqueConstraint(fields=["ballot", "member"], name="one_participation_per_voter")
        ]

    def __str__(self) -> str:
        return f"{self.ballot_id}: {self.member_id}"


class BallotPaper(models.Model):
    """What one voter voted, and nothing about who: see the module docstring.

    `receipt_fingerprint` is the SHA-256 of the receipt code given to the voter, so the
    voter can find the paper in the published list and nobody else can tie it to them.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ballot = models.ForeignKey(
        Ballot, verbose_name=_("ballot"), on_delete=models.PROTECT, related_name="papers"
    )
    content = models.JSONField(_("content"))
    weight = models.PositiveIntegerField(_("weight"), default=1)
    receipt_fingerprint = models.CharField(_("receipt fingerprint"), max_length=64, unique=True)

    class Meta:
        ordering = ["receipt_fingerprint"]
        verbose_name = _("ballot paper")
        verbose_name_plural = _("ballot papers")

    def __str__(self) -> str:
        return self.receipt_fingerprint[:12]


class NamedVote(models.Model):
    """A roll-call vote, recorded with the voter as boards require (never for secret ballots)."""

    ballot = models.ForeignKey(
        Ballot, verbose_name=_("ballot"), on_delete=models.PROTECT, related_name="named_votes"
    )
    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="named_votes"
    )
    content = models.JSONField(_("content"))
    cast_at = models.DateTimeField(_("cast at"))

    class Meta:
        ordering = ["member__last_name", "member__first_name"]
        verbose_name = _("named vote")
        verbose_name_plural = _("named votes")
        constraints = [
            models.UniqueConstraint(fields=["ballot", "member"], name="one_named_vote_per_voter")
        ]

    def __str__(self) -> str:
        return f"{self.ballot_id}: {self.member_id}"


class Proxy(models.Model):
    """A member's vote on one ballot carried by another member, until used or revoked."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        USED = "used", _("Used")
        REVOKED = "revoked", _("Revoked")

    ballot = models.ForeignKey(
        Ballot, verbose_name=_("ballot"), on_delete=models.PROTECT, related_name="proxies"
    )
    giver = models.ForeignKey(
        Member, verbose_name=_("given by"), on_delete=models.PROTECT, related_name="proxies_given"
    )
    holder = models.ForeignKey(
        Member,
        verbose_name=_("carried by"),
        on_delete=models.PROTECT,
        related_name="proxies_carried",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    created_at = models.DateTimeField(_("given at"))

    objects = ProxyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("proxy")
        verbose_name_plural = _("proxies")
        constraints = [
            models.UniqueConstraint(
                fields=["ballot", "giver"],
                condition=~Q(status="revoked"),
                name="one_live_proxy_per_giver",
            ),
            models.CheckConstraint(
                condition=~Q(giver=models.F("holder")), name="proxy_not_to_oneself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.giver} → {self.holder}"


class PaperCount(models.Model):
    """Results counted by hand by a teller, merged into the count once a second teller confirms.

    `content` is ``{"groups": [[paper, number], ...]}``: each distinct paper as it would be
    cast online (``"yes"``; ``["c1", "c3"]`` for plurality and approval; a ranking such as
    ``["c2", "c1"]``) with the number of such papers counted, so a batch merges into the
    count and the published ballot list exactly like papers cast online.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("awaiting a second teller")
        CONFIRMED = "confirmed", _("confirmed")
        WITHDRAWN = "withdrawn", _("withdrawn")
        REJECTED = "rejected", _("rejected")

    ballot = models.ForeignKey(
        Ballot, verbose_name=_("ballot"), on_delete=models.PROTECT, related_name="paper_counts"
    )
    label = models.CharField(_("batch"), max_length=100)
    content = models.JSONField(_("content"))
    papers = models.PositiveIntegerField(_("papers in the batch"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    # Who withdrew (the teller who entered it) or rejected (a second teller) the batch, and why.
    set_aside_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawn or rejected by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("reason"), blank=True)

    objects = PaperCountQuerySet.as_manager()

    class Meta:
        ordering = ["ballot", "id"]
        verbose_name = _("paper count")
        verbose_name_plural = _("paper counts")
        constraints = [
            # A withdrawn or rejected batch keeps its name on the record; it may be entered again.
            models.UniqueConstraint(
                fields=["ballot", "label"],
                condition=Q(status__in=["pending", "confirmed"]),
                name="paper_batch_label_unique",
            ),
            models.CheckConstraint(
                condition=Q(status="confirmed", confirmed_by__isnull=False)
                | (~Q(status="confirmed") & Q(confirmed_by__isnull=True)),
                name="paper_count_confirmed_has_its_teller",
            ),
            models.CheckConstraint(
                condition=Q(confirmed_by__isnull=True) | ~Q(confirmed_by=models.F("entered_by")),
                name="paper_count_confirmed_by_another_teller",
            ),
        ]

    def __str__(self) -> str:
        return self.label


class BallotBox(models.Model):
    """A secret ballot's public ballot box: its joint key, its papers' shape and its board.

    The key is the trustees' (k of n, Pedersen's DKG, elections/crypto/threshold.py), or a
    1-of-1 key the server holds for a demo only (`demo_secret`, labelled on every page).
    `head` is the hash of the board's last entry and `length` its number of entries, moved
    in the same transaction as each participation.
    """

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    ballot = models.OneToOneField(
        Ballot, verbose_name=_("ballot"), on_delete=models.PROTECT, related_name="box"
    )
    threshold = models.PositiveSmallIntegerField(_("trustees needed to decrypt"), default=1)
    spec = models.JSONField(_("shape of the papers"), null=True, blank=True)
    public_key = models.CharField(_("public key"), max_length=64, blank=True)
    demo_secret = models.CharField(
        _("demonstration key held by the server"), max_length=64, blank=True
    )
    length = models.PositiveIntegerField(_("papers on the board"), default=0)
    head = models.CharField(_("hash of the last entry"), max_length=64, default="0" * 64)
    tally = models.JSONField(_("what the trustees decrypt"), null=True, blank=True)
    trustees_article = models.ForeignKey(
        Article,
        verbose_name=_("article naming the trustees"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_(
            "The statute article whose rule named these trustees; empty when officers chose them."
        ),
    )

    class TallyState(models.TextChoices):
        """Where the tally stands: prepared by the task worker after the close
        (`elections.tasks.prepare_tally`), not by the close's request."""

        OPEN = "", _("not closed yet")
        WAITING = "waiting", _("waiting for the mix")
        MIXING = "mixing", _("mixing")
        MIXED = "mixed", _("mixed")
        FAILED = "failed", _("failed")

    tally_state = models.CharField(
        _("state of the tally"), max_length=8, choices=TallyState, blank=True, default=""
    )
    tally_error = models.TextField(_("why the tally failed"), blank=True)

    class Meta:
        verbose_name = _("ballot box")
        verbose_name_plural = _("ballot boxes")

    def __str__(self) -> str:
        return f"{self.ballot_id}: {self.length}"

    @property
    def is_demo(self) -> bool:
        return bool(self.demo_secret) or self.trustees.filter(is_demo=True).exists()


class BoardEntry(models.Model):
    """One encrypted paper on a ballot's bulletin board: no voter, no time.

    `digest` = SHA-256(previous digest, position, tracker) chains the board; `tracker` is the
    SHA-256 of the paper's canonical JSON and is the voter's receipt.
    """

    box = models.ForeignKey(
        BallotBox, verbose_name=_("ballot box"), on_delete=models.PROTECT, related_name="entries"
    )
    position = models.PositiveIntegerField(_("position"))
    paper = models.JSONField(_("encrypted paper"))
    tracker = models.CharField(_("tracker"), max_length=64, unique=True)
    digest = models.CharField(_("chained hash"), max_length=64)

    class Meta:
        ordering = ["box", "position"]
        verbose_name = _("board entry")
        verbose_name_plural = _("board entries")
        constraints = [
            models.UniqueConstraint(fields=["box", "position"], name="one_entry_per_position")
        ]

    def __str__(self) -> str:
        return self.tracker[:12]


class Trustee(models.Model):
    """One of a secret ballot's n trustees and what they have published so far.

    Only public material: the transport key, the dealing (commitments and shares sealed to
    the other trustees), the share key and the decryption shares. A demo trustee's private
    file is kept in `demo_private`, and such a trustee is labelled as a demonstration.
    """

    box = models.ForeignKey(
        BallotBox, verbose_name=_("ballot box"), on_delete=models.PROTECT, related_name="trustees"
    )
    index = models.PositiveSmallIntegerField(_("number"))
    member = models.ForeignKey(
        Member,
        verbose_name=_("member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="trusteeships",
    )
    name = models.CharField(_("name"), max_length=200)
    is_demo = models.BooleanField(_("demonstration trustee"), default=False)
    transport_key = models.JSONField(_("transport key"), null=True, blank=True)
    dealing = models.JSONField(_("dealing"), null=True, blank=True)
    share_key = models.JSONField(_("share key"), null=True, blank=True)
    decryption = models.JSONField(_("decryption shares"), null=True, blank=True)
    demo_private = models.JSONField(_("demonstration private file"), null=True, blank=True)

    objects = TrusteeQuerySet.as_manager()

    class Meta:
        ordering = ["box", "index"]
        verbose_name = _("trustee")
        verbose_name_plural = _("trustees")
        constraints = [
            models.UniqueConstraint(fields=["box", "index"], name="one_trustee_per_number")
        ]

    def __str__(self) -> str:
        return self.name
