"""REST API of the motions app: the same services as the pages, one view per resource or action.

Workflow steps are actions: ``POST /api/motions/{id}/steps/{step}/`` and
``POST /api/amendments/{id}/steps/{step}/``, with the step's input (a reason, a body, a
voting mode). Refusals come out of `governance.api.errors.exception_handler`: 403 when a
role is missing, 400 naming the field otherwise. The role is checked against the workflow
before the input is read, so a caller who may not take the step gets 403 whatever it sends.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from governance import lifecycle
from governance.api.kit import (
    BAD_INPUT,
    NOT_FOUND,
    BodyCodeField,
    MembershipNumberField,
    WritesOnPost,
    enum_field,
    not_allowed,
)
from governance.api.permissions import WRITE_PERMISSIONS, IsMemberOrPrivileged
from governance.models import Assembly, OrganisationUnit
from governance.textdiff import word_diff
from motions import access, services, workflow
from motions.models import (
    Amendment,
    FollowUp,
    ICSubmission,
    Motion,
    MotionVersion,
    Speaker,
    Support,
)

MotionStatusField = enum_field(Motion.Status, "MotionStatus")
MotionKindField = enum_field(Motion.Kind, "MotionKind")
AmendmentStatusField = enum_field(Amendment.Status, "AmendmentStatus")
AmendmentKindField = enum_field(Amendment.Kind, "AmendmentKind")
ICOutcomeField = enum_field(ICSubmission.Outcome, "ICOutcome")

# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------


class VersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = MotionVersion
        fields = ["number", "title", "text", "statute_changes", "created_at"]


class ShareTokenMixin(serializers.Serializer):
    share_token = serializers.SerializerMethodField(
        help_text="The draft's share token, for its proposer only (null otherwise): give it "
        "(or the page's share link) to the members asked to co-sponsor."
    )

    def get_share_token(self, item) -> str | None:
        request = self.context.get("request")
        member = getattr(getattr(request, "user", None), "member", None)
        if item.status == "draft" and member is not None and item.proposer_id == member.pk:
            return item.share_token
        return None


class AmendmentSerializer(ShareTokenMixin, serializers.ModelSerializer):
    status = AmendmentStatusField()
    kind = AmendmentKindField()
    label = serializers.CharField()
    proposer = serializers.CharField(source="proposer.full_name")
    supporters = serializers.IntegerField(source="supporter_count")
    decision = serializers.CharField(source="decision.reference", allow_null=True)

    class Meta:
        model = Amendment
        fields = [
            "id",
            "label",
            "kind",
            "paragraph",
            "text",
            "rationale",
            "status",
            "status_reason",
            "proposer",
            "supporters",
            "ballot",
            "decision",
            "share_token",
        ]


class FollowUpSerializer(serializers.ModelSerializer):
    class Meta:
        model = FollowUp
        fields = ["noted_on", "text"]


class ICSubmissionSerializer(serializers.ModelSerializer):
    council = serializers.CharField(source="council.code")
    outcome = serializers.CharField(allow_blank=True)
    follow_ups = FollowUpSerializer(many=True)

    class Meta:
        model = ICSubmission
        fields = [
            "council",
            "cosponsoring_sections",
            "forwarded_on",
            "ic_reference",
            "outcome",
            "outcome_on",
            "outcome_text",
            "follow_ups",
        ]


class MotionSummarySerializer(serializers.ModelSerializer):
    kind = MotionKindField()
    status = MotionStatusField()
    title = serializers.CharField()
    body = serializers.CharField(source="body.code")
    proposer = serializers.CharField(source="proposer.full_name")
    version = serializers.IntegerField(source="current_version.number")

    class Meta:
        model = Motion
        fields = [
            "id",
            "reference",
            "kind",
            "status",
            "title",
            "body",
            "assembly",
            "proposer",
            "version",
            "submitted_at",
        ]


class DeadlineSerializer(serializers.Serializer):
    what = serializers.CharField()
    deadline = serializers.DateField()
    article = serializers.CharField()
    days = serializers.IntegerField()


class MotionDetailSerializer(ShareTokenMixin, MotionSummarySerializer):
    text = serializers.CharField()
    statute_changes = serializers.JSONField(source="current_version.statute_changes")
    supporters = serializers.SerializerMethodField()
    decision = serializers.CharField(source="decision.reference", allow_null=True)
    referred_to = serializers.CharField(source="referred_to.code", allow_null=True)
    amendments = AmendmentSerializer(many=True)
    versions = VersionSerializer(many=True)
    next_steps = serializers.SerializerMethodField()
    deadlines = serializers.SerializerMethodField()
    ic_submission = serializers.SerializerMethodField()

    class Meta(MotionSummarySerializer.Meta):
        fields = [
            *MotionSummarySerializer.Meta.fields,
            "text",
            "statute_changes",
            "status_reason",
            "referred_to",
            "agenda_position",
            "final_text",
            "ballot",
            "decision",
            "supporters",
            "amendments",
            "versions",
            "next_steps",
            "deadlines",
            "ic_submission",
            "share_token",
        ]

    def get_supporters(self, motion) -> list[str]:
        return [s.member.full_name for s in motion.supports.all()]

    def get_next_steps(self, motion) -> list[str]:
        return [s.name for s in services.next_steps(self.context["request"].user, motion)]

    @extend_schema_field(DeadlineSerializer(many=True))
    def get_deadlines(self, motion) -> list:
        deadlines = (services.deadline_for(motion, w) for w in ("motion", "amendment"))
        return DeadlineSerializer([d for d in deadlines if d], many=True).data

    @extend_schema_field(ICSubmissionSerializer(allow_null=True))
    def get_ic_submission(self, motion):
        submission = getattr(motion, "ic_submission", None)
        return ICSubmissionSerializer(submission).data if submission else None


def motion_queryset():
    amendments = Prefetch(
        "amendments",
        queryset=Amendment.objects.with_people().exclude(status=Amendment.Status.DRAFT),
    )
    supports = Prefetch("supports", queryset=Support.objects.select_related("member"))
    return Motion.objects.for_detail().prefetch_related(
        amendments, supports, "versions", "ic_submission__follow_ups"
    )


SHARE_PARAMETER = OpenApiParameter(
    "share",
    str,
    required=False,
    description="A draft's share token (from its share link): drafts are found only with it, "
    "by their proposer, or by their co-sponsors.",
)


def _readable(request, item):
    """A draft is found only by its proposer, its co-sponsors, and with its share token (the
    `share` query parameter, or the share link opened in this session); else 404."""
    token = request.query_params.get("share", "")
    if not access.may_read(request.user, item, request=request, token=token):
        raise NotFound(_("Not found."))
    return item


def _motion(request, pk: int) -> Motion:
    return _readable(request, get_object_or_404(motion_queryset(), pk=pk))


def _validated(serializer_class, request) -> dict:
    """The request's input, or a 400 naming each field at fault."""
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _detail(request, pk: int, code=status.HTTP_200_OK) -> Response:
    data = MotionDetailSerializer(_motion(request, pk), context={"request": request}).data
    return Response(data, status=code)


# ---------------------------------------------------------------------------
# Motions: list and draft, read, edit (new version), diff
# ---------------------------------------------------------------------------


class MotionListApi(WritesOnPost, APIView):
    """Submitted motions and your own drafts (GET); draft a motion (POST)."""

    @extend_schema_serializer(component_name="MotionCreateInput")
    class InputSerializer(serializers.Serializer):
        kind = MotionKindField()
        body = BodyCodeField()
        assembly = serializers.PrimaryKeyRelatedField(
            queryset=Assembly.objects.all(), required=False, allow_null=True, default=None
        )
        title = serializers.CharField(max_length=300)
        text = serializers.CharField()
        statute_changes = serializers.ListField(
            child=serializers.DictField(), required=False, default=list, max_length=200
        )

    @extend_schema(
        summary="Motions",
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=Motion.Status.values),
            OpenApiParameter("kind", OpenApiTypes.STR, enum=Motion.Kind.values),
            OpenApiParameter("q", OpenApiTypes.STR, description="Reference, title or text."),
        ],
        responses={200: MotionSummarySerializer(many=True)},
    )
    def get(self, request):
        motions = Motion.objects.for_list().listed_for(request.user)
        for name, choices in (("status", Motion.Status), ("kind", Motion.Kind)):
            value = request.query_params.get(name)
            if value is not None and value not in choices.values:
                raise serializers.ValidationError({name: [_("There is no such choice.")]})
            if value is not None:
                motions = motions.filter(**{name: value})
        if request.query_params.get("q"):
            motions = motions.filter(
                pk__in=Motion.objects.search(request.query_params["q"]).values("pk")
            )
        return Response(MotionSummarySerializer(motions[:500], many=True).data)

    @extend_schema(
        operation_id="motions_create",
        summary="Draft a motion",
        request=InputSerializer,
        responses={201: MotionDetailSerializer, 400: BAD_INPUT, 403: not_allowed()},
    )
    def post(self, request):
        data = _validated(self.InputSerializer, request)
        motion = services.create_motion(actor=request.user, **data)
        return _detail(request, motion.pk, status.HTTP_201_CREATED)


class MotionDetailApi(APIView):
    permission_classes = [IsMemberOrPrivileged]

    @extend_schema(summary="A motion", responses={200: MotionDetailSerializer, 404: NOT_FOUND})
    def get(self, request, pk: int):
        return _detail(request, pk)


class MotionVersionApi(APIView):
    """Save a new version of a draft (the proposer)."""

    permission_classes = WRITE_PERMISSIONS

    @extend_schema_serializer(component_name="MotionEditInput")
    class InputSerializer(serializers.Serializer):
        title = serializers.CharField(max_length=300)
        text = serializers.CharField()
        statute_changes = serializers.ListField(
            child=serializers.DictField(), required=False, default=list, max_length=200
        )
        assembly = serializers.PrimaryKeyRelatedField(
            queryset=Assembly.objects.all(), required=False, allow_null=True, default=None
        )

    @extend_schema(
        operation_id="motions_versions_create",
        summary="Save a new version of a draft",
        request=InputSerializer,
        responses={201: MotionDetailSerializer, 400: BAD_INPUT, 403: not_allowed()},
    )
    def post(self, request, pk: int):
        motion = _motion(request, pk)
        services.ensure_may_take(request.user, motion, "edit")
        data = _validated(self.InputSerializer, request)
        services.edit_motion(actor=request.user, motion=motion, **data)
        return _detail(request, pk, status.HTTP_201_CREATED)


class PieceSerializer(serializers.Serializer):
    op = serializers.ChoiceField(choices=["same", "removed", "added"])
    text = serializers.CharField()


class DiffSerializer(serializers.Serializer):
    title = PieceSerializer(many=True)
    text = PieceSerializer(many=True)
    notice = serializers.CharField(
        allow_blank=True,
        help_text="Why the diff is coarser than word by word (too long, or stopped at its "
        "time limit); empty when it is exact.",
    )


class MotionDiffApi(APIView):
    """The word diff between two versions of a motion."""

    permission_classes = [IsMemberOrPrivileged]

    @extend_schema(
        summary="Compare two versions",
        parameters=[
            OpenApiParameter("from", OpenApiTypes.INT, required=True),
            OpenApiParameter("to", OpenApiTypes.INT, required=True),
        ],
        responses={200: DiffSerializer, 400: BAD_INPUT, 404: NOT_FOUND},
    )
    def get(self, request, pk: int):
        motion = _motion(request, pk)
        try:
            numbers = int(request.query_params["from"]), int(request.query_params["to"])
        except (KeyError, ValueError):
            raise serializers.ValidationError(
                {"from": [_("Give two version numbers, from and to.")]}
            ) from None
        versions = {v.number: v for v in motion.versions.all()}
        if any(n not in versions for n in numbers):
            raise NotFound(_("There is no such version."))
        a, b = (versions[n] for n in numbers)
        title, text = word_diff(a.title, b.title), word_diff(a.text, b.text)
        return Response(
            DiffSerializer(
                {"title": title, "text": text, "notice": text.notice or title.notice}
            ).data
        )


# ---------------------------------------------------------------------------
# Co-sponsors
# ---------------------------------------------------------------------------


class SupportApi(APIView):
    """Co-sponsor a draft motion or amendment (POST), or withdraw the support (DELETE)."""

    permission_classes = WRITE_PERMISSIONS
    model = Motion

    def _item(self, request, pk: int):
        return _readable(request, get_object_or_404(self.model.objects.all(), pk=pk))

    @extend_schema(
        request=None,
        parameters=[SHARE_PARAMETER],
        responses={204: None, 400: BAD_INPUT, 403: not_allowed(), 404: NOT_FOUND},
    )
    def post(self, request, pk: int):
        services.support(actor=request.user, item=self._item(request, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=None,
        parameters=[SHARE_PARAMETER],
        responses={204: None, 400: BAD_INPUT, 403: not_allowed(), 404: NOT_FOUND},
    )
    def delete(self, request, pk: int):
        services.withdraw_support(actor=request.user, item=self._item(request, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class MotionSupportApi(SupportApi):
    model = Motion


class AmendmentSupportApi(SupportApi):
    model = Amendment


# ---------------------------------------------------------------------------
# Workflow steps as actions
# ---------------------------------------------------------------------------


@extend_schema_serializer(component_name="StepInput")
class StepInputSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    body = BodyCodeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="For refer: the body the motion is referred to.",
    )
    assembly = serializers.PrimaryKeyRelatedField(
        queryset=Assembly.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="For schedule: another meeting of the same body (e.g. the second convocation).",
    )
    mode = serializers.ChoiceField(
        choices=[services.IN_ROOM, services.ONLINE], default=services.IN_ROOM
    )
    closes_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


PERSON_MOTION_STEPS = [
    name
    for name, step in workflow.MOTION.steps.items()
    if workflow.SYSTEM not in step.roles and name not in ("forward", *services.IC_STEPS.values())
]
PERSON_AMENDMENT_STEPS = [
    name for name, step in workflow.AMENDMENT.steps.items() if workflow.SYSTEM not in step.roles
]


class MotionStepApi(APIView):
    """Take a workflow step on a motion; the workflow table says who may."""

    permission_classes = WRITE_PERMISSIONS

    @extend_schema(
        operation_id="motions_steps_create",
        summary="Take a workflow step",
        parameters=[
            OpenApiParameter(
                "step", OpenApiTypes.STR, OpenApiParameter.PATH, enum=PERSON_MOTION_STEPS
            )
        ],
        request=StepInputSerializer,
        responses={200: MotionDetailSerializer, 400: BAD_INPUT, 403: not_allowed(), 404: NOT_FOUND},
    )
    def post(self, request, pk: int, step: str):
        motion = _motion(request, pk)
        if step not in PERSON_MOTION_STEPS:
            raise NotFound(_("This step is not taken through this action."))
        services.ensure_may_take(request.user, motion, step)
        data = _validated(StepInputSerializer, request)
        lifecycle.call(workflow.MOTION.get(step, motion), motion, request.user, **data)
        return _detail(request, pk)


class AmendmentApi(APIView):
    """Table an amendment to a motion (POST); the motion's amendments are in its detail."""

    permission_classes = WRITE_PERMISSIONS

    @extend_schema_serializer(component_name="AmendmentCreateInput")
    class InputSerializer(serializers.Serializer):
        kind = AmendmentKindField()
        paragraph = serializers.IntegerField(
            min_value=1, required=False, allow_null=True, default=None
        )
        text = serializers.CharField()
        rationale = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(
        operation_id="motions_amendments_create",
        summary="Draft an amendment",
        request=InputSerializer,
        responses={201: AmendmentSerializer, 400: BAD_INPUT, 403: not_allowed()},
    )
    def post(self, request, pk: int):
        motion = _motion(request, pk)
        data = _validated(self.InputSerializer, request)
        amendment = services.create_amendment(actor=request.user, motion=motion, **data)
        amendment = Amendment.objects.with_people().get(pk=amendment.pk)
        return Response(
            AmendmentSerializer(amendment, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class AmendmentStepApi(APIView):
    permission_classes = WRITE_PERMISSIONS

    @extend_schema(
        operation_id="amendments_steps_create",
        summary="Take a workflow step on an amendment",
        parameters=[
            OpenApiParameter(
                "step", OpenApiTypes.STR, OpenApiParameter.PATH, enum=PERSON_AMENDMENT_STEPS
            ),
            SHARE_PARAMETER,
        ],
        request=StepInputSerializer,
        responses={200: AmendmentSerializer, 400: BAD_INPUT, 403: not_allowed(), 404: NOT_FOUND},
    )
    def post(self, request, pk: int, step: str):
        amendment = _readable(
            request,
            get_object_or_404(Amendment.objects.select_related("motion", "motion__body"), pk=pk),
        )
        if step not in PERSON_AMENDMENT_STEPS:
            raise NotFound(_("This step is not taken through this action."))
        services.ensure_may_take(request.user, amendment, step)
        data = _validated(StepInputSerializer, request)
        lifecycle.call(workflow.AMENDMENT.get(step, amendment), amendment, request.user, **data)
        return Response(AmendmentSerializer(Amendment.objects.with_people().get(pk=pk)).data)


# ---------------------------------------------------------------------------
# The International Council
# ---------------------------------------------------------------------------


class ICForwardApi(APIView):
    permission_classes = WRITE_PERMISSIONS

    @extend_schema_serializer(component_name="ICForwardInput")
    class InputSerializer(serializers.Serializer):
        council = serializers.SlugRelatedField(
            slug_field="code", queryset=OrganisationUnit.objects.all()
        )
        cosponsoring_sections = serializers.ListField(
            child=serializers.CharField(max_length=200),
            required=False,
            default=list,
            max_length=200,
        )
        forwarded_on = serializers.DateField(required=False, allow_null=True, default=None)

    @extend_schema(
        operation_id="motions_ic_forward",
        summary="Forward an adopted motion to the International Council",
        request=InputSerializer,
        responses={200: MotionDetailSerializer, 400: BAD_INPUT, 403: not_allowed()},
    )
    def post(self, request, pk: int):
        motion = _motion(request, pk)
        services.ensure_may_take(request.user, motion, "forward")
        data = _validated(self.InputSerializer, request)
        services.forward_to_ic(actor=request.user, motion=motion, **data)
        return _detail(request, pk)


class ICOutcomeApi(APIView):
    permission_classes = WRITE_PERMISSIONS

    @extend_schema_serializer(component_name="ICOutcomeInput")
    class InputSerializer(serializers.Serializer):
        outcome = ICOutcomeField()
        decided_on = serializers.DateField()
        ic_reference = serializers.CharField(
            max_length=60, required=False, allow_blank=True, default=""
        )
        text = serializers.CharField(required=False, allow_blank=True, default="")

    @extend_schema(
        operation_id="motions_ic_outcome",
        summary="Record the IC's outcome",
        request=InputSerializer,
        responses={200: MotionDetailSerializer, 400: BAD_INPUT, 403: not_allowed()},
    )
    def post(self, request, pk: int):
        motion = _motion(request, pk)
        services.ensure_may_take(request.user, motion, *services.IC_STEPS.values())
        data = _validated(self.InputSerializer, request)
        services.record_ic_outcome(actor=request.user, motion=motion, **data)
        return _detail(request, pk)


class FollowUpApi(APIView):
    permission_classes = WRITE_PERMISSIONS

    @extend_schema_serializer(component_name="FollowUpInput")
    class InputSerializer(serializers.Serializer):
        noted_on = serializers.DateField()
        text = serializers.CharField(max_length=5000)

    @extend_schema(
        operation_id="motions_follow_ups_create",
        summary="Add a follow-up note on an IC motion",
        request=InputSerializer,
        responses={201: FollowUpSerializer, 400: BAD_INPUT, 403: not_allowed()},
    )
    def post(self, request, pk: int):
        motion = _motion(request, pk)
        services.ensure_may_take(request.user, motion, "follow_up")
        data = _validated(self.InputSerializer, request)
        note = services.add_follow_up(actor=request.user, motion=motion, **data)
        return Response(FollowUpSerializer(note).data, status=status.HTTP_201_CREATED)


# ---------------------------------------------------------------------------
# The list of speakers
# ---------------------------------------------------------------------------


class SpeakerSerializer(serializers.ModelSerializer):
    membership_number = serializers.CharField(source="member.membership_number")
    name = serializers.CharField(source="member.full_name")
    status = enum_field(Speaker.Status, "SpeakerStatus")()

    class Meta:
        model = Speaker
        fields = ["id", "position", "membership_number", "name", "status", "started_at", "ended_at"]


class SpeakerListApi(APIView):
    permission_classes = WRITE_PERMISSIONS

    @extend_schema_serializer(component_name="SpeakerInput")
    class InputSerializer(serializers.Serializer):
        membership_number = MembershipNumberField()

    @extend_schema(
        operation_id="motions_speakers_list",
        summary="The list of speakers on a motion of the agenda (the chair, staff)",
        responses={200: SpeakerSerializer(many=True), 403: not_allowed(), 404: NOT_FOUND},
    )
    def get(self, request, pk: int):
        motion = _motion(request, pk)
        services.ensure_may_take(request.user, motion, "speakers")
        speakers = motion.speakers.select_related("member").order_by("position")
        return Response(SpeakerSerializer(speakers, many=True).data)

    @extend_schema(
        operation_id="motions_speakers_create",
        summary="Put a member at the end of the list of speakers",
        request=InputSerializer,
        responses={201: SpeakerSerializer, 400: BAD_INPUT, 403: not_allowed(), 404: NOT_FOUND},
    )
    def post(self, request, pk: int):
        motion = _motion(request, pk)
        services.ensure_may_take(request.user, motion, "speakers")  # the role before the input
        data = _validated(self.InputSerializer, request)
        speaker = services.add_speaker(
            actor=request.user, motion=motion, member=data["membership_number"]
        )
        return Response(SpeakerSerializer(speaker).data, status=status.HTTP_201_CREATED)


class FloorApi(APIView):
    """A member present at the meeting asks for the floor on a motion (POST), or withdraws
    the request (DELETE): `services.ask_for_the_floor`, `services.withdraw_my_request`."""

    permission_classes = WRITE_PERMISSIONS

    @extend_schema(
        operation_id="motions_floor_ask",
        summary="Ask for the floor on a motion of the meeting you are checked in at",
        request=None,
        responses={201: SpeakerSerializer, 400: BAD_INPUT, 403: not_allowed(), 404: NOT_FOUND},
    )
    def post(self, request, pk: int):
        speaker = services.ask_for_the_floor(actor=request.user, motion=_motion(request, pk))
        return Response(SpeakerSerializer(speaker).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="motions_floor_withdraw",
        summary="Withdraw your request for the floor on a motion",
        request=None,
        responses={200: SpeakerSerializer, 400: BAD_INPUT, 403: not_allowed(), 404: NOT_FOUND},
    )
    def delete(self, request, pk: int):
        speaker = services.withdraw_my_request(actor=request.user, motion=_motion(request, pk))
        return Response(SpeakerSerializer(speaker).data)


SPEAKER_API_STEPS = {
    "floor": services.give_floor,
    "done": services.end_speech,
    "withdraw": services.withdraw_speaker,
}


class SpeakerStepApi(APIView):
    permission_classes = WRITE_PERMISSIONS

    @extend_schema(
        operation_id="speakers_step",
        summary="Give the floor (floor), record the speech as done (done), or take off (withdraw)",
        request=None,
        responses={200: SpeakerSerializer, 400: BAD_INPUT, 403: not_allowed(), 404: NOT_FOUND},
    )
    def post(self, request, pk: int, step: str):
        if step not in SPEAKER_API_STEPS:
            raise NotFound(_("Unknown step."))
        speaker = get_object_or_404(Speaker.objects.select_related("member"), pk=pk)
        speaker = SPEAKER_API_STEPS[step](actor=request.user, speaker=speaker)
        return Response(SpeakerSerializer(speaker).data)
