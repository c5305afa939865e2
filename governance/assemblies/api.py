"""REST API of the assemblies: the meetings with their live quorum, the door, the proxies.

One view per action, every write through `governance.assemblies.services`; refusals become 403 or
400 naming the input field in `governance.api.errors.exception_handler`. Members are
given by membership number. Nested serializers carry a `component_name` so the schema
has no colliding components.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.access import may_oversee_body
from governance.api.kit import (
    MembershipNumberField,
    StepApi,
    WritesOnPost,
    enum_field,
    fields_renamed,
    not_allowed,
    refusal,
)
from governance.api.permissions import WRITE_PERMISSIONS
from governance.assemblies import services as assemblies
from governance.models import Assembly, AssemblyProxy, Attendance, Member
from governance.permissions import ensure_may_act_for_body, roles_for

AssemblyStatusField = enum_field(Assembly.Status, "AssemblyStatus")
AssemblyProxyStatusField = enum_field(AssemblyProxy.Status, "AssemblyProxyStatus")


BAD_INPUT = refusal("Refused: the message is under each input field at fault.")
FORBIDDEN = not_allowed("Only officers acting for the body, and staff.")
NOT_FOUND = refusal("No such assembly.")


# ---------------------------------------------------------------------------
# Serializers
# ---------------------------------------------------------------------------


@extend_schema_serializer(component_name="QuorumStatus")
class QuorumSerializer(serializers.Serializer):
    eligible = serializers.IntegerField(help_text="Members entitled to vote on the day.")
    present = serializers.IntegerField(help_text="Checked in and not checked out.")
    represented = serializers.IntegerField(help_text="Live proxies whose holder is present.")
    took_part = serializers.IntegerField()
    scope = serializers.CharField()
    convocation = serializers.IntegerField()
    article = serializers.CharField(help_text="The article of the quorum rule; empty if none.")
    statute_version = serializers.IntegerField(allow_null=True)
    needed = serializers.IntegerField()
    satisfied = serializers.BooleanField()
    threshold = serializers.CharField(allow_null=True)


class AssemblySerializer(serializers.ModelSerializer):
    status = AssemblyStatusField()
    body = serializers.CharField(source="body.code")

    class Meta:
        model = Assembly
        fields = [
            "id",
            "title",
            "body",
            "starts_at",
            "place",
            "online_link",
            "convocation",
            "convened_on",
            "status",
        ]


@extend_schema_serializer(component_name="AssemblyDetail")
class AssemblyDetailSerializer(AssemblySerializer):
    quorum = QuorumSerializer()

    class Meta(AssemblySerializer.Meta):
        fields = [
            *AssemblySerializer.Meta.fields,
            "agenda",
            "opened_at",
            "closed_at",
            "cancel_reason",
            "quorum",
        ]


class AttendanceSerializer(serializers.ModelSerializer):
    membership_number = serializers.CharField(source="member.membership_number")
    name = serializers.CharField(source="member.full_name")
    present = serializers.BooleanField()

    class Meta:
        model = Attendance
        fields = ["membership_number", "name", "checked_in_at", "checked_out_at", "present"]


class AssemblyProxySerializer(serializers.ModelSerializer):
    giver = serializers.CharField(source="giver.membership_number")
    holder = serializers.CharField(source="holder.membership_number")
    status = AssemblyProxyStatusField()

    class Meta:
        model = AssemblyProxy
        fields = ["id", "assembly", "giver", "holder", "status", "created_at", "revoke_reason"]


def _with_quorum(assembly: Assembly) -> Assembly:
    assembly.quorum = assemblies.quorum_status(assembly).as_dict()
    return assembly


# ---------------------------------------------------------------------------
# Reads
# ---------------------------------------------------------------------------


@extend_schema(summary="Assemblies, the latest meeting first")
class AssemblyListApi(generics.ListAPIView):
    serializer_class = AssemblySerializer

    def get_queryset(self):
        return (
            Assembly.objects.visible_to(self.request.user)
            .with_context()
            .order_by("-starts_at", "-pk")
        )


class AssemblyDetailApi(APIView):
    @extend_schema(
        summary="One assembly with its live quorum",
        responses={200: AssemblyDetailSerializer, 404: NOT_FOUND},
    )
    def get(self, request, pk: int):
        assembly = get_object_or_404(
            Assembly.objects.with_context().visible_to(request.user), pk=pk
        )
        return Response(AssemblyDetailSerializer(_with_quorum(assembly)).data)


@extend_schema(
    summary="Who checked in (officers of the body, staff, auditors)",
    responses={200: AttendanceSerializer(many=True), 403: FORBIDDEN, 404: NOT_FOUND},
)
class AttendanceListApi(generics.ListAPIView):
    serializer_class = AttendanceSerializer

    def get_queryset(self):
        assembly = get_object_or_404(
            Assembly.objects.visible_to(self.request.user).select_related("body"),
            pk=self.kwargs["pk"],
        )
        if not may_oversee_body(self.request.user, assembly.body):
            raise PermissionDenied(_("Only officers of the body, staff and auditors."))
        return Attendance.objects.filter(assembly=assembly).with_members()


# ---------------------------------------------------------------------------
# The door
# ---------------------------------------------------------------------------


@extend_schema_serializer(component_name="AssemblyMemberInput")
class MemberInputSerializer(serializers.Serializer):
    membership_number = MembershipNumberField()


class DoorStepApi(APIView):
    """Base of check-in and check-out: the service named by `step`, for one member."""

    permission_classes = WRITE_PERMISSIONS
    step: str
    created = status.HTTP_200_OK

    def post(self, request, pk: int):
        assembly = get_object_or_404(
            Assembly.objects.visible_to(request.user).select_related("body"), pk=pk
        )
        ensure_may_act_for_body(request.user, assembly.body)  # the role before the input
        serializer = MemberInputSerializer(data=request.data)
        members = Member.objects.visible_at_door(request.user, assembly)
        serializer.fields["membership_number"].queryset = members  # the access layer's door
        serializer.is_valid(raise_exception=True)
        with fields_renamed({"member": "membership_number"}):
            attendance = getattr(assemblies, self.step)(
                actor=request.user,
                assembly=assembly,
                member=serializer.validated_data["membership_number"],
            )
        return Response(AttendanceSerializer(attendance).data, status=self.created)


def door_schema(summary: str, code: int):
    return extend_schema(
        summary=summary,
        request=MemberInputSerializer,
        responses={code: AttendanceSerializer, 400: BAD_INPUT, 403: FORBIDDEN, 404: NOT_FOUND},
    )


class CheckInApi(DoorStepApi):
    step = "check_in"
    created = status.HTTP_201_CREATED

    @door_schema("Check a member entitled to vote in at the door", 201)
    def post(self, request, pk: int):
        return super().post(request, pk)


class CheckOutApi(DoorStepApi):
    step = "check_out"

    @door_schema("Record that a member left the room", 200)
    def post(self, request, pk: int):
        return super().post(request, pk)


# ---------------------------------------------------------------------------
# Proxies
# ---------------------------------------------------------------------------


class AssemblyProxyApi(WritesOnPost, APIView):
    @extend_schema_serializer(component_name="AssemblyProxyInput")
    class InputSerializer(serializers.Serializer):
        giver = MembershipNumberField(help_text="Membership number of the member giving it.")
        holder = MembershipNumberField(help_text="Membership number of the member carrying it.")

    @extend_schema(
        summary="The live proxies of an assembly (officers of the body, staff, auditors)",
        responses={200: AssemblyProxySerializer(many=True), 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request, pk: int):
        assembly = get_object_or_404(
            Assembly.objects.visible_to(request.user).select_related("body"), pk=pk
        )
        if not may_oversee_body(request.user, assembly.body):
            raise PermissionDenied(_("Only officers of the body, staff and auditors."))
        proxies = AssemblyProxy.objects.filter(assembly=assembly).live().with_members()
        return Response(AssemblyProxySerializer(proxies, many=True).data)

    @extend_schema(
        summary="Register a proxy for the meeting, within the statutes' limit",
        request=InputSerializer,
        responses={201: AssemblyProxySerializer, 400: BAD_INPUT, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request, pk: int):
        assembly = get_object_or_404(
            Assembly.objects.visible_to(request.user).select_related("body"), pk=pk
        )
        ensure_may_act_for_body(request.user, assembly.body)  # the role before the input
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        proxy = assemblies.register_proxy(
            actor=request.user, assembly=assembly, **serializer.validated_data
        )
        return Response(AssemblyProxySerializer(proxy).data, status=status.HTTP_201_CREATED)


class AssemblyProxyRevokeApi(APIView):
    permission_classes = WRITE_PERMISSIONS

    @extend_schema_serializer(component_name="AssemblyProxyRevokeInput")
    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=200, required=False, allow_blank=True)

    @extend_schema(
        summary="Revoke a live proxy",
        request=InputSerializer,
        responses={200: AssemblyProxySerializer, 400: BAD_INPUT, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request, pk: int):
        proxy = get_object_or_404(AssemblyProxy.objects.visible_to(request.user), pk=pk)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        proxy = assemblies.revoke_proxy(
            actor=request.user, proxy=proxy, reason=serializer.validated_data.get("reason", "")
        )
        return Response(AssemblyProxySerializer(proxy).data)


# ---------------------------------------------------------------------------
# The session's lifecycle
# ---------------------------------------------------------------------------


@extend_schema_serializer(component_name="AssemblyStatusChange")
class StatusChangeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = AssemblyStatusField()


class AssemblyStepApi(StepApi):
    """Officers take the session one step of `assemblies.ASSEMBLY` (open, close, cancel with
    a reason); routed once per step by `kit.step_routes`."""

    table = assemblies.ASSEMBLY
    output = StatusChangeSerializer

    @extend_schema_serializer(component_name="AssemblyCancelInput")
    class ReasonSerializer(StepApi.ReasonSerializer):
        pass


# ---------------------------------------------------------------------------
# A member's own proxy
# ---------------------------------------------------------------------------


class OwnProxyApi(APIView):
    permission_classes = WRITE_PERMISSIONS

    @extend_schema_serializer(component_name="OwnProxyInput")
    class InputSerializer(serializers.Serializer):
        holder = MembershipNumberField(help_text="Membership number of the member voting for you.")

    @extend_schema(
        summary="Give your own proxy for a meeting, before it starts, within the statutes' limit",
        request=InputSerializer,
        responses={201: AssemblyProxySerializer, 400: BAD_INPUT, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request, pk: int):
        assembly = get_object_or_404(
            Assembly.objects.visible_to(request.user).select_related("body"), pk=pk
        )
        if not roles_for(request.user).member:  # the role before the input
            raise PermissionDenied(_("Only a member gives their own proxy."))
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        proxy = assemblies.give_own_proxy(
            actor=request.user, assembly=assembly, holder=serializer.validated_data["holder"]
        )
        return Response(AssemblyProxySerializer(proxy).data, status=status.HTTP_201_CREATED)


class OwnProxyWithdrawApi(APIView):
    permission_classes = WRITE_PERMISSIONS

    @extend_schema(
        summary="Withdraw the proxy you gave, before the meeting starts",
        request=None,
        responses={200: AssemblyProxySerializer, 400: BAD_INPUT, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request, pk: int):
        proxy = get_object_or_404(AssemblyProxy.objects.visible_to(request.user), pk=pk)
        proxy = assemblies.withdraw_own_proxy(actor=request.user, proxy=proxy)
        return Response(AssemblyProxySerializer(proxy).data)
