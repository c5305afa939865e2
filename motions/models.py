"""Motions and their amendments, co-sponsors, versions, and submissions to the International Council.

The workflow (which state may follow which, and who may take the step) is data in
`motions.workflow`; the writes that take the steps are in `motions.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from elections.models import Ballot
from governance.models import Assembly, Body, Decision, Member, OrganisationUnit
from motions.querysets import AmendmentQuerySet, MotionQuerySet


def new_share_token() -> str:
    """The secret of a draft's share link: 192 random bits, never a counter."""
    import secrets

    return secrets.token_urlsafe(24)


def _share_token_field():
    return models.CharField(
        _("share token"),
        max_length=64,
        unique=True,
        editable=False,
        default=new_share_token,
        help_text=_("A draft is read by those given its share link, which holds this token."),
    )


class Motion(models.Model):
    """A proposal put to a body: a section resolution, a statute amendment or an IC motion."""

    class Kind(models.TextChoices):
        RESOLUTION = "resolution", _("Section resolution")
        STATUTE_AMENDMENT = "statute_amendment", _("Statute amendment")
        IC_MOTION = "ic_motion", _("Motion to the International Council")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        ADMISSIBLE = "admissible", _("Admissible")
        INADMISSIBLE = "inadmissible", _("Inadmissible")
        SCHEDULED = "scheduled", _("Scheduled")
        IN_VOTE = "in_vote", _("In vote")
        ADOPTED = "adopted", _("Adopted")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        REFERRED = "referred", _("Referred to a body")
        FORWARDED = "forwarded", _("Forwarded to the International Council")
        IC_ADOPTED = "ic_adopted", _("Adopted by the International Council")
        IC_REJECTED = "ic_rejected", _("Rejected by the International Council")
        IC_WITHDRAWN = "ic_withdrawn", _("Withdrawn at the International Council")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    body = models.ForeignKey(
        Body, verbose_name=_("deciding body"), on_delete=models.PROTECT, related_name="motions"
    )
    assembly = models.ForeignKey(
        Assembly,
        verbose_name=_("assembly"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="motions",
        help_text=_("The meeting the motion is tabled for; its date sets the deadline."),
    )
    proposer = models.ForeignKey(
        Member, verbose_name=_("proposer"), on_delete=models.PROTECT, related_name="motions"
    )
    reference = models.CharField(_("reference"), max_length=40, unique=True, null=True, blank=True)
    share_token = _share_token_field()
    current_version = models.OneToOneField(
        "MotionVersion",
        verbose_name=_("current version"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    status_reason = models.TextField(_("reason"), blank=True)
    referred_to = models.ForeignKey(
        Body,
        verbose_name=_("referred to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referred_motions",
    )
    agenda_position = models.PositiveSmallIntegerField(_("agenda position"), null=True, blank=True)
    final_text = models.TextField(
        _("final text"), blank=True, help_text=_("The text put to the vote, amendments merged.")
    )
    ballot = models.OneToOneField(
        Ballot,
        verbose_name=_("ballot"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="motion",
    )
    decision = models.OneToOneField(
        Decision,
        verbose_name=_("decision"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="motion",
    )
    created_at = models.DateTimeField(_("created at"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drafted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = MotionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("motion")
        verbose_name_plural = _("motions")
        # The motions list reads its pages off it rather than sorting every motion.
        indexes = [models.Index(fields=["-created_at", "-id"], name="motion_list_order")]
        constraints = [
            models.UniqueConstraint(
                fields=["assembly", "agenda_position"],
                condition=Q(agenda_position__isnull=False),
                name="one_motion_per_agenda_position",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "withdrawn"]) | Q(reference__isnull=False),
                name="submitted_motion_has_reference",
            ),
        ]

    def __str__(self) -> str:
        return self.reference or _("Draft motion %(pk)s") % {"pk": self.pk}

    @property
    def title(self) -> str:
        return self.current_version.title if self.current_version_id else ""

    @property
    def text(self) -> str:
        return self.current_version.text if self.current_version_id else ""

    @property
    def is_ic(self) -> bool:
        return self.kind == self.Kind.IC_MOTION

    @property
    def is_statute_amendment(self) -> bool:
        return self.kind == self.Kind.STATUTE_AMENDMENT


class MotionVersion(models.Model):
    """The motion's title and text as saved at one edit; versions are never changed."""

    motion = models.ForeignKey(
        Motion, verbose_name=_("motion"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveSmallIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("text"))
    statute_changes = models.JSONField(
        _("statute changes"),
        default=list,
        blank=True,
        help_text=_("For a statute amendment: the articles it replaces, adds or removes."),
    )
    created_at = models.DateTimeField(_("saved at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saved by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["motion", "number"]
        verbose_name = _("motion version")
        verbose_name_plural = _("motion versions")
        constraints = [
            models.UniqueConstraint(fields=["motion", "number"], name="motion_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.motion_id} v{self.number}"


class Amendment(models.Model):
    """A change to a motion's text: the whole text replaced, or one paragraph."""

    class Kind(models.TextChoices):
        REPLACE_TEXT = "replace_text", _("Replace the whole text")
        REPLACE_PARAGRAPH = "replace_paragraph", _("Replace one paragraph")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        ADMISSIBLE = "admissible", _("Admissible")
        INADMISSIBLE = "inadmissible", _("Inadmissible")
        IN_VOTE = "in_vote", _("In vote")
        ADOPTED = "adopted", _("Adopted")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    motion = models.ForeignKey(
        Motion, verbose_name=_("motion"), on_delete=models.PROTECT, related_name="amendments"
    )
    number = models.PositiveSmallIntegerField(
        _("number"), null=True, blank=True, help_text=_("Given on submission: A1, A2, ...")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    paragraph = models.PositiveSmallIntegerField(_("paragraph"), null=True, blank=True)
    text = models.TextField(_("new text"))
    rationale = models.TextField(_("rationale"), blank=True)
    proposer = models.ForeignKey(
        Member, verbose_name=_("proposer"), on_delete=models.PROTECT, related_name="amendments"
    )
    share_token = _share_token_field()
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    status_reason = models.TextField(_("reason"), blank=True)
    ballot = models.OneToOneField(
        Ballot,
        verbose_name=_("ballot"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="amendment",
    )
    decision = models.OneToOneField(
        Decision,
        verbose_name=_("decision"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="amendment",
    )
    created_at = models.DateTimeField(_("created at"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drafted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = AmendmentQuerySet.as_manager()

    class Meta:
        ordering = ["motion", "number", "id"]
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")
        constraints = [
            models.UniqueConstraint(
                fields=["motion", "number"],
                condition=Q(number__isnull=False),
                name="amendment_number_unique_in_motion",
            ),
            models.CheckConstraint(
                condition=Q(kind="replace_text", paragraph__isnull=True)
                | Q(kind="replace_paragraph", paragraph__gte=1),
                name="paragraph_amendment_names_its_paragraph",
            ),
        ]

    def __str__(self) -> str:
        if self.number:
            return f"{self.motion} A{self.number}"
        return _("Draft amendment %(pk)s") % {"pk": self.pk}

    @property
    def label(self) -> str:
        return f"A{self.number}" if self.number else _("draft")


class Support(models.Model):
    """A member co-sponsoring a motion or an amendment, withdrawable until its submission."""

    motion = models.ForeignKey(
        Motion,
        verbose_name=_("motion"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supports",
    )
    amendment = models.ForeignKey(
        Amendment,
        verbose_name=_("amendment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supports",
    )
    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="supports"
    )
    supported_at = models.DateTimeField(_("supported at"))

    class Meta:
        ordering = ["supported_at", "id"]
        verbose_name = _("co-sponsor")
        verbose_name_plural = _("co-sponsors")
        constraints = [
            models.CheckConstraint(
                condition=Q(motion__isnull=False, amendment__isnull=True)
                | Q(motion__isnull=True, amendment__isnull=False),
                name="support_for_a_motion_or_an_amendment",
            ),
            models.UniqueConstraint(
                fields=["motion", "member"],
                condition=Q(motion__isnull=False),
                name="one_support_per_motion",
            ),
            models.UniqueConstraint(
                fields=["amendment", "member"],
                condition=Q(amendment__isnull=False),
                name="one_support_per_amendment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} → {self.motion_id or self.amendment_id}"


class ICSubmission(models.Model):
    """An adopted IC motion as forwarded to the International Council, and what became of it."""

    class Outcome(models.TextChoices):
        ADOPTED = "adopted", _("Adopted")
        AMENDED = "amended", _("Adopted as amended")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    motion = models.OneToOneField(
        Motion, verbose_name=_("motion"), on_delete=models.PROTECT, related_name="ic_submission"
    )
    council = models.ForeignKey(
        OrganisationUnit,
        verbose_name=_("International Council"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    cosponsoring_sections = models.JSONField(_("co-sponsoring sections"), default=list, blank=True)
    forwarded_on = models.DateField(_("forwarded on"))
    forwarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("forwarded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    ic_reference = models.CharField(_("IC reference"), max_length=60, blank=True)
    outcome = models.CharField(_("IC outcome"), max_length=20, choices=Outcome.choices, blank=True)
    outcome_on = models.DateField(_("decided by the IC on"), null=True, blank=True)
    outcome_text = models.TextField(_("text as adopted by the IC"), blank=True)

    class Meta:
        verbose_name = _("submission to the International Council")
        verbose_name_plural = _("submissions to the International Council")
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="") | Q(outcome_on__isnull=False),
                name="ic_outcome_has_a_date",
            )
        ]

    def __str__(self) -> str:
        return str(self.motion)


class FollowUp(models.Model):
    """A dated note on how an IC decision is being implemented."""

    submission = models.ForeignKey(
        ICSubmission,
        verbose_name=_("submission"),
        on_delete=models.PROTECT,
        related_name="follow_ups",
    )
    noted_on = models.DateField(_("date"))
    text = models.TextField(_("note"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["noted_on", "id"]
        verbose_name = _("follow-up note")
        verbose_name_plural = _("follow-up notes")

    def __str__(self) -> str:
        return f"{self.submission} {self.noted_on}"


class VotingMandate(models.Model):
    """How the section's IC delegates are to vote on another section's motion, decided by the Board."""

    class Position(models.TextChoices):
        FOR = "for", _("Vote for")
        AGAINST = "against", _("Vote against")
        ABSTAIN = "abstain", _("Abstain")
        FREE = "free", _("Delegates decide")

    ic_reference = models.CharField(_("IC motion reference"), max_length=60)
    motion_title = models.CharField(_("IC motion title"), max_length=300)
    submitted_by = models.CharField(_("submitted by (section)"), max_length=200)
    position = models.CharField(_("voting position"), max_length=20, choices=Position.choices)
    ballot = models.OneToOneField(
        Ballot,
        verbose_name=_("Board vote"),
        on_delete=models.PROTECT,
        related_name="voting_mandate",
    )

    class Meta:
        ordering = ["-id"]
        verbose_name = _("voting mandate for the IC delegates")
        verbose_name_plural = _("voting mandates for the IC delegates")

    def __str__(self) -> str:
        return f"{self.ic_reference}: {self.get_position_display()}"


class Speaker(models.Model):
    """A member on the list of speakers for a motion on a meeting's agenda, kept by the chair."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        SPEAKING = "speaking", _("Speaking")
        DONE = "done", _("Has spoken")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    motion = models.ForeignKey(
        Motion, verbose_name=_("motion"), on_delete=models.PROTECT, related_name="speakers"
    )
    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveIntegerField(_("position"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.WAITING
    )
    added_at = models.DateTimeField(_("added at"))
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        ordering = ["motion", "position"]
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")
        constraints = [
            models.UniqueConstraint(fields=["motion", "position"], name="one_speaker_per_place"),
            models.UniqueConstraint(
                fields=["motion", "member"],
                condition=Q(status__in=["waiting", "speaking"]),
                name="one_live_place_per_speaker",
            ),
            models.UniqueConstraint(
                fields=["motion"],
                condition=Q(status="speaking"),
                name="one_speaker_at_a_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.member}"
