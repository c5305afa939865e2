"""REST API of the auditors' reads: the record as of a date and the anomaly report."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.api.kit import valid_query
from governance.api.permissions import MayReadAudit
from governance.api.views import ArticleSerializer, MandateSerializer, StatuteVersionSerializer
from governance.audit import anomalies
from governance.audit.asof import as_of
from governance.forms import AsOfForm


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
