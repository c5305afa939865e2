"""REST API of the voting engine: one view per action, every write through `elections.services`.

Input serializers check types and resolve codes (body code, article number, membership
number) so a malformed body is a 400 naming the field; the services then check roles and
statute rules, and `governance.api.errors.exception_handler` turns their refusals into
403 or 400. Nested serializers carry a `component_name` so the OpenAPI schema has no
colliding "Input"/"Output" components.
"""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound, Throttled
from rest_framework.response import Response
from rest_framework.views import APIView

from elections import access, ballot_box, forms, services
from elections.models import Ballot, Candidate, PaperCount, Proxy, Trustee
from governance.accounts import ratelimit
from governance.api.kit import (
    BAD_INPUT,
    NOT_FOUND,
    BodyCodeField,
    MembershipNumberField,
    StepApi,
    enum_field,
    fields_renamed,
    not_allowed,
    refusal,
)
from governance.api.parsers import BoundedJSONParser
from governance.api.permissions import WRITE_PERMISSIONS, MayActForSomeBody
from governance.exceptions import NotAllowed
from governance.models import Assembly, StatuteVersion
from governance.permissions import ensure_may_act_for_body, roles_for

TOO_MANY_VOTES = _(
    "Too many attempts to vote from your account in the last minute: wait a minute and try again."
)

#: Bounds that keep a request small; the services check the meaning.
MAX_MARKS = 200
MAX_GROUPS = 1000
MAX_PAPERS_IN_GROUP = 100_000


# ---------------------------------------------------------------------------
# Reads: which ballots a user sees, and what they see of them
# ---------------------------------------------------------------------------


def ballots_shown_to(user):
    """`Ballot.objects.visible_to(user)` (elections/access.py) with what the API shows of
    each: `on_roll` and `has_voted` for the user's membership, one query whatever the length."""
    return (
        Ballot.objects.visible_to(user)
        .select_related("body", "article", "article__version", "decision")
        .with_member_flags(roles_for(user).member_id)
    )


# ---------------------------------------------------------------------------
# Serializers shared by several views
# ---------------------------------------------------------------------------


BallotStatusField = enum_field(Ballot.Status, "BallotStatus")
BallotKindField = enum_field(Ballot.Kind, "BallotKind")
CandidateStatusField = enum_field(Candidate.Status, "CandidateStatus")
ProxyStatusField = enum_field(Proxy.Status, "ProxyStatus")


class CandidateSerializer(serializers.ModelSerializer):
    status = CandidateStatusField()

    class Meta:
        model = Candidate
        fields = ["id", "code", "name", "statement", "status"]


class BallotSummarySerializer(serializers.ModelSerializer):
    status = BallotStatusField()
    kind = BallotKindField()
    body = serializers.CharField(source="body.code")
    statute_version = serializers.IntegerField(source="article.version.number")
    article = serializers.CharField(source="article.number")
    on_roll = serializers.BooleanField(help_text="The current member is on the electoral roll.")
    has_voted = serializers.BooleanField(
        help_text="A vote has been cast for the current member (in person or by proxy)."
    )

    class Meta:
        model = Ballot
        fields = [
            "id",
            "title",
            "status",
            "kind",
            "method",
            "seats",
            "secret",
            "opens_at",
            "closes_at",
            "body",
            "statute_version",
            "article",
            "on_roll",
            "has_voted",
        ]


class BallotDetailSerializer(BallotSummarySerializer):
    elects_body = serializers.CharField(source="elects_body.code", allow_null=True)
    decision = serializers.CharField(source="decision.reference", allow_null=True)
    candidates = CandidateSerializer(many=True)
    roll_size = serializers.IntegerField(
        allow_null=True, help_text="For officers, auditors and staff; null for others."
    )
    turnout = serializers.IntegerField(
        allow_null=True, help_text="For officers, auditors and staff; null for others."
    )

    class Meta(BallotSummarySerializer.Meta):
        fields = [
            *BallotSummarySerializer.Meta.fields,
            "question",
            "max_approvals",
            "electorate",
            "rule_scope",
            "convocation",
            "assembly",
            "elects_body",
            "cancel_reason",
            "decision",
            "candidates",
            "roll_size",
            "turnout",
        ]


class BallotStatusChangeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = BallotStatusField()


class ProxySerializer(serializers.ModelSerializer):
    holder = serializers.CharField(source="holder.membership_number")
    status = ProxyStatusField()

    class Meta:
        model = Proxy
        fields = ["id", "ballot", "holder", "status", "created_at"]


class PaperCountSerializer(serializers.ModelSerializer):
    confirmed = serializers.SerializerMethodField()

    class Meta:
        model = PaperCount
        fields = ["id", "ballot", "label", "papers", "content", "confirmed", "status", "reason"]

    def get_confirmed(self, batch: PaperCount) -> bool:
        return batch.confirmed_by_id is not None


def ballot_detail(user, pk: int) -> Ballot:
    """One visible ballot with its candidates, and its turnout for those who oversee it."""
    candidates = Prefetch("candidates", queryset=Candidate.objects.order_by("position"))
    ballot = get_object_or_404(
        ballots_shown_to(user).select_related("elects_body").prefetch_related(candidates), pk=pk
    )
    ballot.roll_size = ballot.turnout = None
    if access.may_oversee_ballot(user, ballot):
        ballot.roll_size = ballot.roll.count()
        ballot.turnout = ballot.participations.count()
    return ballot


# ---------------------------------------------------------------------------
# Ballots: list, create, detail
# ---------------------------------------------------------------------------


@extend_schema(
    summary="Ballots visible to you",
    description="Every ballot past draft, draft elections (calls for candidates), and the "
    "drafts of the bodies you may act for; "
    "`on_roll` and `has_voted` are for your membership.",
)
class BallotListApi(generics.ListAPIView):
    serializer_class = BallotSummarySerializer

    def get_queryset(self):
        return ballots_shown_to(self.request.user)


class BallotCreateApi(APIView):
    """Officers of the deciding body draft a ballot (POST /api/ballots/create/)."""

    # Members are refused before the input, as on the page.
    permission_classes = [*WRITE_PERMISSIONS, MayActForSomeBody]

    @extend_schema_serializer(component_name="BallotCreateInput")
    class InputSerializer(serializers.Serializer):
        body = BodyCodeField()
        title = serializers.CharField(max_length=300)
        question = serializers.CharField(required=False, allow_blank=True, default="")
        kind = BallotKindField()
        method = serializers.ChoiceField(choices=Ballot.Method.choices)
        rule_scope = serializers.SlugField(max_length=40)
        article = serializers.CharField(
            max_length=20, help_text="Article number in the statutes in force when it opens."
        )
        opens_at = serializers.DateTimeField()
        closes_at = serializers.DateTimeField()
        seats = serializers.IntegerField(min_value=1, max_value=1000, default=1)
        max_approvals = serializers.IntegerField(
            min_value=1, max_value=1000, required=False, allow_null=True, default=None
        )
        secret = serializers.BooleanField(default=True)
        electorate = serializers.ChoiceField(
            choices=Ballot.Electorate.choices, default=Ballot.Electorate.MEMBERS
        )
        elects_body = BodyCodeField(required=False, allow_null=True, default=None)
        assembly = serializers.PrimaryKeyRelatedField(
            queryset=Assembly.objects.all(), required=False, allow_null=True, default=None
        )
        convocation = serializers.ChoiceField(choices=[1, 2], default=1)

        def validate(self, attrs):
            on = timezone.localdate(attrs["opens_at"])
            version = StatuteVersion.objects.in_force(on)
            article = version.articles.filter(number=attrs["article"]).first() if version else None
            if article is None:
                raise serializers.ValidationError(
                    {
                        "article": _(
                            "The statutes in force when the ballot opens have no such article."
                        )
                    }
                )
            return {**attrs, "article": article}

    @extend_schema(
        operation_id="ballots_create",
        summary="Draft a ballot",
        request=InputSerializer,
        responses={201: BallotDetailSerializer, 400: BAD_INPUT, 403: not_allowed()},
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ballot = services.create_ballot(actor=request.user, **serializer.validated_data)
        output = BallotDetailSerializer(ballot_detail(request.user, ballot.pk))
        return Response(output.data, status=status.HTTP_201_CREATED)


class BallotDetailApi(APIView):
    @extend_schema(
        summary="One ballot with its candidates",
        responses={200: BallotDetailSerializer, 404: NOT_FOUND},
    )
    def get(self, request, pk: int):
        return Response(BallotDetailSerializer(ballot_detail(request.user, pk)).data)


# ---------------------------------------------------------------------------
# Casting a vote
# ---------------------------------------------------------------------------


class BallotVoteApi(APIView):
    permission_classes = WRITE_PERMISSIONS
    # Voting has its own, stricter limit per account (governance.accounts.ratelimit, shared with the
    # page), counted before anything else: the API's general throttle would only add two
    # round trips to the cache to every vote.
    throttle_classes = ()

    @extend_schema_serializer(component_name="BallotVoteInput")
    class InputSerializer(serializers.Serializer):
        choices = serializers.JSONField(
            help_text='"yes", "no", "abstain" or "blank" for a question; a list of candidate '
            "codes for an election (a ranking for IRV and STV)."
        )
        on_behalf_of = MembershipNumberField(
            required=False,
            allow_null=True,
            default=None,
            help_text="The membership number of the member whose proxy you carry.",
        )

        def validate_choices(self, value):
            valid = isinstance(value, str) or (
                isinstance(value, list)
                and len(value) <= MAX_MARKS
                and all(isinstance(code, str) for code in value)
            )
            if not valid:
                raise serializers.ValidationError(
                    _("Give a choice (yes, no, abstain or blank) or a list of candidate codes.")
                )
            return value

    @extend_schema_serializer(component_name="Receipt")
    class OutputSerializer(serializers.Serializer):
        receipt = serializers.CharField(
            help_text="Shown once: keep it to find your paper in the list."
        )
        fingerprint = serializers.CharField()

    @extend_schema(
        summary="Cast a vote",
        request=InputSerializer,
        responses={
            201: OutputSerializer,
            400: BAD_INPUT,
            403: not_allowed("Not on the roll, no proxy, or a role that cannot vote."),
            404: NOT_FOUND,
            429: refusal(
                "Too many attempts to vote from this account in the last minute "
                "(page and API together); `Retry-After` says how many seconds to wait."
            ),
        },
    )
    def post(self, request, pk: int):
        if wait := ratelimit.attempt(ratelimit.vote_limit(), request.user):
            raise Throttled(wait=wait, detail=str(TOO_MANY_VOTES))
        ballot = get_object_or_404(Ballot.objects.visible_to(request.user), pk=pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        receipt = services.cast_vote(
            actor=request.user,
            ballot=ballot,
            choices=serializer.validated_data["choices"],
            on_behalf_of=serializer.validated_data["on_behalf_of"],
        )
        # Two strings: the OutputSerializer documents them, and need not copy them.
        return Response(
            {"receipt": receipt.code, "fingerprint": receipt.fingerprint},
            status=status.HTTP_201_CREATED,
        )


# ---------------------------------------------------------------------------
# The lifecycle: open, close, count, publish, cancel
# ---------------------------------------------------------------------------


class BallotStepApi(StepApi):
    """Officers take the ballot one step of `services.BALLOT` (open, close, count, publish,
    cancel with a reason); routed once per step by `kit.step_routes`."""

    table = services.BALLOT
    output = BallotStatusChangeSerializer

    @extend_schema_serializer(component_name="BallotCancelInput")
    class ReasonSerializer(StepApi.ReasonSerializer):
        pass


# ---------------------------------------------------------------------------
# Candidates
# ---------------------------------------------------------------------------


class CandidateNominateApi(APIView):
    permission_classes = WRITE_PERMISSIONS

    @extend_schema_serializer(component_name="CandidateNominateInput")
    class InputSerializer(serializers.Serializer):
        membership_number = MembershipNumberField(
            required=False,
            allow_null=True,
            default=None,
            help_text="The member nominated (yourself for a self-nomination).",
        )
        name = serializers.CharField(
            max_length=200,
            required=False,
            allow_blank=True,
            default="",
            help_text="Instead of a member: an option that is not a person (officers only).",
        )
        statement = serializers.CharField(
            max_length=5000, required=False, allow_blank=True, default=""
        )

        def validate(self, attrs):
            if attrs["membership_number"] is not None and attrs["name"].strip():
                raise serializers.ValidationError(
                    {"name": _("Give either a membership number or a name, not both.")}
                )
            return attrs

    @extend_schema(
        summary="Nominate a candidate (or add an option) to a draft election",
        request=InputSerializer,
        responses={201: CandidateSerializer, 400: BAD_INPUT, 403: not_allowed(), 404: NOT_FOUND},
    )
    def post(self, request, pk: int):
        ballot = get_object_or_404(Ballot.objects.visible_to(request.user), pk=pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with fields_renamed({"member": "membership_number"}):
            candidate = services.nominate_candidate(
                actor=request.user,
                ballot=ballot,
                member=data["membership_number"],
                name=data["name"],
                statement=data["statement"],
            )
        return Response(CandidateSerializer(candidate).data, status=status.HTTP_201_CREATED)


class CandidateConsentApi(APIView):
    permission_classes = WRITE_PERMISSIONS

    @extend_schema(
        summary="Accept a nomination made by someone else",
        request=None,
        responses={
            200: CandidateSerializer,
            400: BAD_INPUT,
            403: not_allowed("Only the nominee."),
            404: NOT_FOUND,
        },
    )
    def post(self, request, pk: int):
        candidate = get_object_or_404(Candidate.objects.visible_to(request.user), pk=pk)
        candidate = services.consent_to_nomination(actor=request.user, candidate=candidate)
        return Response(CandidateSerializer(candidate).data)


class CandidateWithdrawApi(APIView):
    permission_classes = WRITE_PERMISSIONS

    @extend_schema(
        summary="Withdraw a candidate before the ballot opens",
        request=None,
        responses={
            200: CandidateSerializer,
            400: BAD_INPUT,
            403: not_allowed("Only the candidate or an officer of the body."),
            404: NOT_FOUND,
        },
    )
    def post(self, request, pk: int):
        candidate = get_object_or_404(Candidate.objects.visible_to(request.user), pk=pk)
        candidate = services.withdraw_candidate(actor=request.user, candidate=candidate)
        return Response(CandidateSerializer(candidate).data)


# ---------------------------------------------------------------------------
# Proxies
# ---------------------------------------------------------------------------


class ProxyGiveApi(APIView):
    permission_classes = WRITE_PERMISSIONS

    @extend_schema_serializer(component_name="ProxyGiveInput")
    class InputSerializer(serializers.Serializer):
        holder = MembershipNumberField(help_text="The membership number of who will carry it.")

    @extend_schema(
        summary="Give your proxy on one ballot to another member",
        request=InputSerializer,
        responses={201: ProxySerializer, 400: BAD_INPUT, 403: not_allowed(), 404: NOT_FOUND},
    )
    def post(self, request, pk: int):
        ballot = get_object_or_404(Ballot.objects.visible_to(request.user), pk=pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        proxy = services.give_proxy(
            actor=request.user, ballot=ballot, holder=serializer.validated_data["holder"]
        )
        return Response(ProxySerializer(proxy).data, status=status.HTTP_201_CREATED)


class ProxyRevokeApi(APIView):
    permission_classes = WRITE_PERMISSIONS

    @extend_schema(
        summary="Take back a proxy that has not been used",
        request=None,
        responses={
            200: ProxySerializer,
            400: BAD_INPUT,
            403: not_allowed("Only the member who gave it."),
            404: NOT_FOUND,
        },
    )
    def post(self, request, pk: int):
        proxy = get_object_or_404(
            Proxy.objects.visible_to(request.user).select_related("holder"), pk=pk
        )
        proxy = services.revoke_proxy(actor=request.user, proxy=proxy)
        return Response(ProxySerializer(proxy).data)


# ---------------------------------------------------------------------------
# Paper results entered by tellers
# ---------------------------------------------------------------------------


class PaperCountEnterApi(APIView):
    permission_classes = WRITE_PERMISSIONS

    @extend_schema_serializer(component_name="PaperCountInput")
    class InputSerializer(serializers.Serializer):
        label = serializers.CharField(max_length=100, help_text="The batch: a room, a box.")
        groups = serializers.JSONField(
            help_text='Each distinct paper with how many there were: [["yes", 30], ["no", 5]] '
            'or [[["c2", "c1"], 12]].'
        )

        def validate_groups(self, value):
            message = _("Give a list of [paper, number] pairs, each number at least 1.")
            if not isinstance(value, list) or not value or len(value) > MAX_GROUPS:
                raise serializers.ValidationError(message)
            for group in value:
                if not (isinstance(group, list) and len(group) == 2):
                    raise serializers.ValidationError(message)
                paper, number = group
                paper_ok = isinstance(paper, str) or (
                    isinstance(paper, list)
                    and len(paper) <= MAX_MARKS
                    and all(isinstance(code, str) for code in paper)
                )
                number_ok = (
                    isinstance(number, int)
                    and not isinstance(number, bool)
                    and 1 <= number <= MAX_PAPERS_IN_GROUP
                )
                if not (paper_ok and number_ok):
                    raise serializers.ValidationError(message)
            return value

    @extend_schema(
        summary="Enter a batch of papers counted by hand",
        request=InputSerializer,
        responses={201: PaperCountSerializer, 400: BAD_INPUT, 403: not_allowed(), 404: NOT_FOUND},
    )
    def post(self, request, pk: int):
        ballot = get_object_or_404(
            Ballot.objects.visible_to(request.user).select_related("body"), pk=pk
        )
        ensure_may_act_for_body(request.user, ballot.body)  # the role before the input
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        batch = services.enter_paper_count(
            actor=request.user, ballot=ballot, **serializer.validated_data
        )
        return Response(PaperCountSerializer(batch).data, status=status.HTTP_201_CREATED)


class PaperCountConfirmApi(APIView):
    permission_classes = WRITE_PERMISSIONS

    @extend_schema(
        summary="Confirm a batch entered by another teller",
        request=None,
        responses={
            200: PaperCountSerializer,
            400: BAD_INPUT,
            403: not_allowed("Only another officer of the body."),
            404: NOT_FOUND,
        },
    )
    def post(self, request, pk: int):
        batch = get_object_or_404(PaperCount.objects.visible_to(request.user), pk=pk)
        batch = services.confirm_paper_count(actor=request.user, batch=batch)
        return Response(PaperCountSerializer(batch).data)


class PaperCountSetAsideApi(APIView):
    permission_classes = WRITE_PERMISSIONS

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=2000)

    @extend_schema(
        summary="Withdraw (the teller who entered it) or reject (a second teller) a batch",
        request=InputSerializer,
        responses={
            200: PaperCountSerializer,
            400: BAD_INPUT,
            403: not_allowed("Only an officer of the body."),
            404: NOT_FOUND,
        },
    )
    def post(self, request, pk: int):
        batch = get_object_or_404(
            PaperCount.objects.visible_to(request.user).select_related("ballot__body"), pk=pk
        )
        ensure_may_act_for_body(request.user, batch.ballot.body)  # the role before the input
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        batch = services.set_aside_paper_count(
            actor=request.user, batch=batch, reason=serializer.validated_data["reason"]
        )
        return Response(PaperCountSerializer(batch).data)


# ---------------------------------------------------------------------------
# Results, the published list of papers, receipts
# ---------------------------------------------------------------------------


class BallotResultsApi(APIView):
    @extend_schema_serializer(component_name="BallotResults")
    class OutputSerializer(serializers.Serializer):
        ballot = serializers.IntegerField(source="pk")
        title = serializers.CharField()
        status = BallotStatusField()
        decision = serializers.CharField(source="decision.reference", allow_null=True)
        result = serializers.JSONField(
            help_text="The count (stages, elected), the figures, candidate names and the outcome."
        )

    @extend_schema(
        summary="The result of a counted ballot",
        description="Officers, auditors and staff see it once counted; members once published.",
        responses={200: OutputSerializer, 404: NOT_FOUND},
    )
    def get(self, request, pk: int):
        ballot = get_object_or_404(ballots_shown_to(request.user), pk=pk)
        if not access.results_visible(request.user, ballot):
            raise NotFound(_("No result has been published for this ballot."))
        return Response(self.OutputSerializer(ballot).data)


class ListedCandidateSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()


class ListedBallotSerializer(serializers.Serializer):
    reference = serializers.CharField()
    title = serializers.CharField()
    method = serializers.ChoiceField(choices=Ballot.Method.choices)
    seats = serializers.IntegerField()
    candidates = ListedCandidateSerializer(many=True)
    max_approvals = serializers.IntegerField(allow_null=True)
    seed = serializers.CharField()


class ListedPaperSerializer(serializers.Serializer):
    receipt_fingerprint = serializers.CharField()
    content = serializers.JSONField()


class BallotPaperListSerializer(serializers.Serializer):
    format = serializers.CharField()
    ballot = ListedBallotSerializer()
    papers = ListedPaperSerializer(many=True)


class BallotPapersApi(APIView):
    @extend_schema(
        summary="The published list of papers, for recounting",
        description="Shuffled, without voters: the format `manage.py tally` reads.",
        responses={200: BallotPaperListSerializer, 404: NOT_FOUND},
    )
    def get(self, request, pk: int):
        ballot = get_object_or_404(
            ballots_shown_to(request.user), pk=pk, status=Ballot.Status.PUBLISHED
        )
        # Already plain data in the documented shape; a serializer pass would cost per paper.
        return Response(services.ballot_list(ballot).as_dict())


class ReceiptCheckApi(APIView):
    """A voter checks their receipt (a POST, so codes stay out of access logs)."""

    @extend_schema_serializer(component_name="ReceiptCheckInput")
    class InputSerializer(serializers.Serializer):
        code = serializers.CharField(max_length=100)

    @extend_schema_serializer(component_name="ReceiptCheck")
    class OutputSerializer(serializers.Serializer):
        ballot = serializers.IntegerField(source="ballot_id")
        title = serializers.CharField(source="ballot.title")
        fingerprint = serializers.CharField(source="receipt_fingerprint")
        content = serializers.JSONField(
            allow_null=True, help_text="What a named paper records; null for a secret ballot."
        )
        position = serializers.IntegerField(
            allow_null=True, help_text="A secret paper's place on the ballot's public board."
        )

    @extend_schema(
        summary="Find the paper a receipt stands for",
        request=InputSerializer,
        responses={200: OutputSerializer, 400: BAD_INPUT, 404: NOT_FOUND},
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        paper = services.find_paper(serializer.validated_data["code"])
        if paper is None:
            raise NotFound(_("No paper has this receipt."))
        return Response(self.OutputSerializer(paper).data)


# ---------------------------------------------------------------------------
# Trustees: what each is asked now, and the one upload
# ---------------------------------------------------------------------------


def trusteeships_shown_to(user):
    """The trusteeships `user` holds (elections/access.py), with every trustee of each box
    prefetched so that what each is asked costs no query a row."""
    return (
        Trustee.objects.visible_to(user)
        .with_context()
        .prefetch_related("box__trustees")
        .order_by("-box__ballot__closes_at", "pk")
    )


@extend_schema_serializer(component_name="Trusteeship")
class TrusteeshipSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    ballot = serializers.IntegerField(source="box.ballot_id")
    title = serializers.CharField(source="box.ballot.title")
    ballot_status = serializers.CharField(source="box.ballot.status")
    index = serializers.IntegerField(help_text="This trustee's number, for the tool's --index.")
    threshold = serializers.IntegerField(source="box.threshold")
    trustees = serializers.SerializerMethodField()
    asked = serializers.SerializerMethodField(
        help_text="What is asked now: transport, dealing, share_key or decrypt (an upload), "
        "or a wait (wait_transport, wait_dealings, wait_mix), key_ready, done, not_needed, "
        "cancelled."
    )
    ceremony = serializers.SerializerMethodField(
        help_text="The ceremony file for the tool's keygen and confirm (public keys, dealings)."
    )

    def get_trustees(self, trustee) -> int:
        return len(trustee.box.trustees.all())

    def get_asked(self, trustee) -> str:
        return ballot_box.trustee_task(trustee, list(trustee.box.trustees.all()))

    def get_ceremony(self, trustee) -> dict | None:
        if self.get_asked(trustee) not in (ballot_box.DEALING, ballot_box.SHARE_KEY):
            return None
        return ballot_box.ceremony_state(trustee.box)


class TrusteeshipListApi(generics.ListAPIView):
    """The ballots the caller is a trustee of, and what each asks of them now."""

    serializer_class = TrusteeshipSerializer

    def get_queryset(self):
        return trusteeships_shown_to(self.request.user)


class TrusteeshipApi(APIView):
    @extend_schema(
        summary="One trusteeship and what it asks now",
        responses={200: TrusteeshipSerializer, 404: NOT_FOUND},
    )
    def get(self, request, pk: int):
        trustee = get_object_or_404(trusteeships_shown_to(request.user), pk=pk)
        return Response(TrusteeshipSerializer(trustee).data)


class TrusteeshipBundleApi(APIView):
    @extend_schema(
        summary="After the close, the ballot's public bundle for the tool's decrypt",
        responses={200: OpenApiTypes.OBJECT, 404: NOT_FOUND},
    )
    def get(self, request, pk: int):
        trustee = get_object_or_404(trusteeships_shown_to(request.user), pk=pk)
        if trustee.box.tally is None:
            raise NotFound(_("There is nothing to decrypt yet: the ballot is not closed."))
        return Response(ballot_box.export_bundle(trustee.box.ballot))


def _trustee_file_too_large() -> str:
    return _(
        "This file is larger than %(limit)s bytes, the most a trustee's file may be: "
        "upload the public file the step wrote, nothing else."
    ) % {"limit": f"{forms.TRUSTEE_FILE_LIMIT:,}"}


class TrusteeFileParser(BoundedJSONParser):
    """Shares of a large ballot may pass the API's usual body limit: the trustee's file
    limit (the page's) and a little for the envelope. The view itself refuses a declared
    body above the file limit on `file`, before this reads anything."""

    def body_limit(self) -> int:
        return forms.TRUSTEE_FILE_LIMIT + 4096


class TrusteeshipUploadApi(APIView):
    """A trustee uploads the public file the step asked now wrote (JSON under `file`)."""

    permission_classes = WRITE_PERMISSIONS
    parser_classes = [TrusteeFileParser]

    @extend_schema_serializer(component_name="TrusteeUploadInput")
    class InputSerializer(serializers.Serializer):
        file = serializers.JSONField(
            help_text="The content of the public file written by python -m elections.trustee "
            "(transport.json, dealing.json, share-key.json or shares.json)."
        )

        def validate_file(self, value):
            if not isinstance(value, dict):
                raise serializers.ValidationError(
                    _("This is not a file written by the trustees' tool.")
                )
            if len(json.dumps(value, separators=(",", ":"))) > forms.TRUSTEE_FILE_LIMIT:
                raise serializers.ValidationError(_trustee_file_too_large())
            if "secret" in value or "transport" in value:
                raise serializers.ValidationError(
                    _(
                        "This is your private file: keep it on your own machine and upload "
                        "the public file the step wrote."
                    )
                )
            return value

    @extend_schema(
        summary="Upload a trustee's public file for the step asked now",
        request=InputSerializer,
        responses={
            200: TrusteeshipSerializer,
            400: BAD_INPUT,
            403: not_allowed("Only this trustee."),
            404: NOT_FOUND,
        },
    )
    def post(self, request, pk: int):
        trustee = get_object_or_404(trusteeships_shown_to(request.user), pk=pk)
        if int(request.META.get("CONTENT_LENGTH") or 0) > forms.TRUSTEE_FILE_LIMIT + 4096:
            # Refused on `file` before the body is read.
            raise serializers.ValidationError({"file": [_trustee_file_too_large()]})
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ballot_box.upload_trustee_file(
            actor=request.user, trustee=trustee, data=serializer.validated_data["file"]
        )
        return Response(TrusteeshipSerializer(trusteeships_shown_to(request.user).get(pk=pk)).data)


# ---------------------------------------------------------------------------
# Officers name a secret ballot's trustees
# ---------------------------------------------------------------------------


@extend_schema_serializer(component_name="BallotTrustee")
class BallotTrusteeSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    name = serializers.CharField()
    membership_number = serializers.CharField(source="member.membership_number", allow_null=True)
    demo = serializers.BooleanField(source="is_demo")


@extend_schema_serializer(component_name="BallotTrustees")
class BallotTrusteesSerializer(serializers.Serializer):
    threshold = serializers.IntegerField(source="k", help_text="k: trustees needed to decrypt.")
    trustees = BallotTrusteeSerializer(many=True, help_text="The n trustees, in order.")
    article = serializers.CharField(
        source="article.number",
        allow_null=True,
        default=None,
        help_text="The statute article whose trustees rule named them; null when officers chose.",
    )
    changeable = serializers.BooleanField(
        help_text="Whether officers may still name others (a draft, no key material yet)."
    )


class BallotTrusteesApi(APIView):
    """Officers name a draft secret ballot's trustees and the threshold k of n, in place of
    those the statutes named, until the key ceremony begins (the page's service)."""

    permission_classes = WRITE_PERMISSIONS

    @extend_schema_serializer(component_name="BallotTrusteesInput")
    class InputSerializer(serializers.Serializer):
        members = serializers.ListField(
            child=serializers.CharField(max_length=40),
            max_length=ballot_box.MAX_TRUSTEES,
            help_text="The trustees' membership numbers, in order (each once).",
        )
        threshold = serializers.IntegerField(
            min_value=1, max_value=ballot_box.MAX_TRUSTEES, help_text="k of the n trustees."
        )
        demo = serializers.BooleanField(
            required=False,
            default=False,
            help_text="Demonstration trustees whose keys the platform holds (a demo only).",
        )

        def validate_members(self, value):
            try:
                return forms.members_by_number(value)
            except ValidationError as error:
                raise serializers.ValidationError(error.messages) from None

    @extend_schema(
        summary="Name a draft secret ballot's trustees and the threshold k of n",
        request=InputSerializer,
        responses={
            200: BallotTrusteesSerializer,
            400: BAD_INPUT,
            403: not_allowed(),
            404: NOT_FOUND,
        },
    )
    def post(self, request, pk: int):
        ballot = get_object_or_404(
            Ballot.objects.visible_to(request.user).select_related("body"), pk=pk
        )
        if not access.may_run_ballot(request.user, ballot):  # the role before the input
            raise NotAllowed(
                _("Only officers of %(body)s run this ballot.") % {"body": ballot.body}
            )
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        ballot_box.appoint_trustees(
            actor=request.user,
            ballot=ballot,
            members=data["members"],
            threshold_k=data["threshold"],
            demo=data["demo"],
        )
        return Response(BallotTrusteesSerializer(ballot_box.trustees_summary(ballot)).data)
