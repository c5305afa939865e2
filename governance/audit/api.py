"""REST API of the auditors' reads: the record as of a date, the anomaly report, and the
audit log's inclusion and consistency proofs (RFC 9162)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.api.kit import BAD_INPUT, valid_query
from governance.api.permissions import MayReadAudit
from governance.api.views import ArticleSerializer, MandateSerializer, StatuteVersionSerializer
from governance.audit import anomalies, proofs
from governance.audit.asof import as_of
from governance.forms import AsOfForm, ConsistencyProofForm, InclusionProofForm


class AsOfApi(APIView):
    """The statute version in force on ``date`` with its articles and rules, and every body's
    mandates running that day (with the decision that created each)."""

    permission_classes = [MayReadAudit]

    class AsOfBodySerializer(serializers.Serializer):
        code = serializers.CharField()
        name = serializers.CharField()
        kind = serializers.CharField()
        unit = serializers.CharField(source="unit.code")
        mandates = MandateSerializer(source="current_mandates", many=True)

    class AsOfSerializer(serializers.Serializer):
        date = serializers.DateField(source="on")
        statute_version = StatuteVersionSerializer(source="version", allow_null=True)
        articles = ArticleSerializer(many=True)
        bodies = serializers.SerializerMethodField()

        def get_bodies(self, record) -> list[dict]:
            return AsOfApi.AsOfBodySerializer(record.bodies, many=True).data

    @extend_schema(
        parameters=[OpenApiParameter("date", str, required=True, description="YYYY-MM-DD")],
        responses=AsOfSerializer,
    )
    def get(self, request):
        form = valid_query(AsOfForm(request.query_params))
        return Response(self.AsOfSerializer(as_of(form.cleaned_data["date"])).data)


class AnomalyReportApi(APIView):
    """Every anomaly found now (see governance.audit.anomalies); an empty list when there is none."""

    permission_classes = [MayReadAudit]

    class AnomalySerializer(serializers.Serializer):
        kind = serializers.CharField()
        subject = serializers.CharField()
        message = serializers.CharField()
        on = serializers.DateField(allow_null=True)
        url = serializers.CharField()

    @extend_schema(responses=AnomalySerializer(many=True))
    def get(self, request):
        return Response(self.AnomalySerializer(anomalies.report(), many=True).data)


@extend_schema_field({"type": "string", "pattern": "^[0-9a-f]{64}$"})
class _Hash(serializers.Field):
    """A SHA-256 hash as lowercase hexadecimal (64 characters)."""

    def to_representation(self, value: bytes) -> str:
        return value.hex()


class InclusionProofApi(APIView):
    """The inclusion proof (RFC 9162 2.1.3) of event ``sequence`` in the audit log's Merkle tree
    of ``tree_size`` events (the current head's when omitted): leaf index (``sequence`` - 1),
    leaf hash SHA-256(0x00 || event hash), the audit path and the root it leads to. Two
    queries beyond the session's, whatever the size."""

    permission_classes = [MayReadAudit]

    class InclusionProofSerializer(serializers.Serializer):
        sequence = serializers.IntegerField()
        leaf_index = serializers.IntegerField()
        tree_size = serializers.IntegerField()
        event_hash = _Hash()
        leaf_hash = _Hash()
        audit_path = serializers.ListField(child=_Hash())
        root = _Hash()

    @extend_schema(
        parameters=[
            OpenApiParameter("sequence", int, required=True, description="The event, from 1."),
            OpenApiParameter(
                "tree_size", int, description="From sequence to the head's size (the default)."
            ),
        ],
        responses={200: InclusionProofSerializer, 400: BAD_INPUT},
    )
    def get(self, request):
        form = valid_query(InclusionProofForm(request.query_params))
        proof = proofs.inclusion(form.cleaned_data["sequence"], form.cleaned_data["tree_size"])
        return Response(self.InclusionProofSerializer(proof).data)


class ConsistencyProofApi(APIView):
    """The consistency proof (RFC 9162 2.1.4) that the audit log's tree of ``first`` events is
    a prefix of its tree of ``second`` (the current head's size when omitted), with both
    roots. Two queries beyond the session's, whatever the sizes."""

    permission_classes = [MayReadAudit]

    class ConsistencyProofSerializer(serializers.Serializer):
        first = serializers.IntegerField()
        second = serializers.IntegerField()
        first_root = _Hash()
        second_root = _Hash()
        proof = serializers.ListField(child=_Hash())

    @extend_schema(
        parameters=[
            OpenApiParameter("first", int, required=True, description="From 1 to second."),
            OpenApiParameter("second", int, description="Up to the head's size (the default)."),
        ],
        responses={200: ConsistencyProofSerializer, 400: BAD_INPUT},
    )
    def get(self, request):
        form = valid_query(ConsistencyProofForm(request.query_params))
        proof = proofs.consistency(form.cleaned_data["first"], form.cleaned_data["second"])
        return Response(self.ConsistencyProofSerializer(proof).data)
