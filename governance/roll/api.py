"""REST API of the membership roll for staff: one member with their dues and mandates,
recording one dues payment, importing a dues file (all or nothing, bad lines named).

Members are named by membership number, as everywhere in the API. Writes go through
`governance.services.record_dues_payment` and `governance.roll.importing.import_dues`;
refusals become 403 or 400 in `governance.api.errors.exception_handler`.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from governance import services
from governance.access import may_manage_roll
from governance.api.kit import not_allowed, refusal
from governance.api.permissions import MayReadRoll
from governance.api.views import MandateSerializer, MemberSerializer
from governance.models import DuesPayment, Mandate, Member
from governance.permissions import ensure_staff
from governance.roll import importing


class MayManageRoll(permissions.BasePermission):
    """Staff who may write; auditors and everyone else are refused before the input."""

    message = _("Only staff who keep the membership roll may do this.")

    def has_permission(self, request, view) -> bool:
        return may_manage_roll(request.user)


BAD_INPUT = refusal("Refused: the message is under each input field at fault.")
FORBIDDEN = not_allowed("Only staff (auditors read).")
NOT_FOUND = refusal("No member has this number.")


class DuesPaymentSerializer(serializers.ModelSerializer):
    class Meta:
        model = DuesPayment
        fields = ["year", "amount", "paid_on"]


@extend_schema_serializer(component_name="RollMember")
class MemberDetailSerializer(MemberSerializer):
    dues = DuesPaymentSerializer(source="dues_payments", many=True, read_only=True)
    mandates = MandateSerializer(many=True, read_only=True)

    class Meta(MemberSerializer.Meta):
        fields = [*MemberSerializer.Meta.fields, "birth_date", "dues", "mandates"]


def _member(user, membership_number: str) -> Member:
    return get_object_or_404(
        Member.objects.visible_to(user)
        .for_roll()
        .prefetch_related(
            Prefetch("dues_payments", queryset=DuesPayment.objects.order_by("-year")),
            Prefetch("mandates", queryset=Mandate.objects.with_people().order_by("-ends_on", "pk")),
        ),
        membership_number=membership_number,
    )


class MemberDetailApi(APIView):
    permission_classes = [MayReadRoll]

    @extend_schema(
        summary="One member with their dues history and mandates (staff, auditors)",
        responses={200: MemberDetailSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request, membership_number: str):
        return Response(MemberDetailSerializer(_member(request.user, membership_number)).data)


class DuesPaymentApi(APIView):
    permission_classes = [MayManageRoll]

    @extend_schema_serializer(component_name="DuesPaymentInput")
    class InputSerializer(serializers.Serializer):
        year = serializers.IntegerField(min_value=1900, max_value=9999)
        amount = serializers.DecimalField(max_digits=8, decimal_places=2, min_value=0)
        paid_on = serializers.DateField()

    @extend_schema(
        summary="Record one year's dues for a member",
        request=InputSerializer,
        responses={201: DuesPaymentSerializer, 400: BAD_INPUT, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request, membership_number: str):
        member = get_object_or_404(
            Member.objects.visible_to(request.user), membership_number=membership_number
        )
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        payment = services.record_dues_payment(
            actor=request.user, member=member, **serializer.validated_data
        )
        return Response(DuesPaymentSerializer(payment).data, status=status.HTTP_201_CREATED)


class DuesImportApi(APIView):
    permission_classes = [MayManageRoll]

    @extend_schema_serializer(component_name="DuesImportInput")
    class InputSerializer(serializers.Serializer):
        csv = serializers.CharField(
            max_length=20 * 1024 * 1024,
            trim_whitespace=False,
            help_text="The file's text: header membership_number,year,amount,paid_on.",
        )

    @extend_schema_serializer(component_name="DuesImportReport")
    class OutputSerializer(serializers.Serializer):
        recorded = serializers.IntegerField()
        unchanged = serializers.IntegerField(help_text="Lines repeating a recorded payment.")

    @extend_schema(
        summary="Import a dues file: all or nothing, every bad line named under `errors`",
        request=InputSerializer,
        responses={201: OutputSerializer, 400: BAD_INPUT, 403: FORBIDDEN},
    )
    def post(self, request):
        ensure_staff(request.user)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = importing.import_dues(
            actor=request.user,
            data=serializer.validated_data["csv"].encode(),
            today=timezone.localdate(),
        )
        return Response(self.OutputSerializer(report).data, status=status.HTTP_201_CREATED)
