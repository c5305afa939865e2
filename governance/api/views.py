"""REST API (read side): units, bodies, mandates, statutes, decisions, audit events."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.api.kit import valid_query
from governance.api.permissions import MayReadAudit, MayReadRoll
from governance.audit import log as audit
from governance.forms import DecisionFilterForm
from governance.models import (
    AuditEvent,
    Body,
    Decision,
    Mandate,
    Member,
    OrganisationUnit,
    Rule,
    StatuteVersion,
)
from governance.statutes.text import describe_rule


class UnitSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = OrganisationUnit
        fields = ["id", "code", "name", "kind", "parent", "city"]


class MandateSerializer(serializers.ModelSerializer):
    member = serializers.CharField(source="member.full_name", read_only=True)
    body = serializers.SlugRelatedField(slug_field="code", read_only=True)
    decision = serializers.SlugRelatedField(slug_field="reference", read_only=True, allow_null=True)

    class Meta:
        model = Mandate
        fields = [
            "id",
            "member",
            "body",
            "role",
            "on_youth_seat",
            "starts_on",
            "ends_on",
            "decision",
        ]


class BodySerializer(serializers.ModelSerializer):
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    current_mandates = MandateSerializer(many=True, read_only=True)

    class Meta:
        model = Body
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "unit",
            "seats",
            "reserved_youth_seats",
            "current_mandates",
        ]


class RuleSerializer(serializers.ModelSerializer):
    description = serializers.SerializerMethodField()

    class Meta:
        model = Rule
        fields = ["kind", "scope", "params", "description"]

    def get_description(self, rule: Rule) -> str:
        return describe_rule(rule.kind, rule.params)


class ArticleSerializer(serializers.Serializer):
    number = serializers.CharField()
    title = serializers.CharField()
    text = serializers.CharField()
    rules = RuleSerializer(many=True)


class StatuteVersionSerializer(serializers.ModelSerializer):
    adopted_by = serializers.SlugRelatedField(
        slug_field="reference", read_only=True, allow_null=True
    )

    class Meta:
        model = StatuteVersion
        fields = ["number", "title", "effective_from", "adopted_by", "note"]


class StatuteVersionDetailSerializer(StatuteVersionSerializer):
    articles = ArticleSerializer(many=True, read_only=True)

    class Meta(StatuteVersionSerializer.Meta):
        fields = [*StatuteVersionSerializer.Meta.fields, "articles"]


class DecisionSerializer(serializers.ModelSerializer):
    body = serializers.SlugRelatedField(slug_field="code", read_only=True)
    statute_version = serializers.SlugRelatedField(slug_field="number", read_only=True)
    article = serializers.CharField(source="article.number", read_only=True)
    supersedes = serializers.SlugRelatedField(
        slug_field="reference", read_only=True, allow_null=True
    )

    class Meta:
        model = Decision
        fields = [
            "reference",
            "body",
            "assembly",
            "decided_on",
            "title",
            "text",
            "statute_version",
            "article",
            "rule_snapshot",
            "figures",
            "outcome",
            "supersedes",
            "recorded_at",
        ]


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = list(audit.EXPORT_FIELDS)  # an event as the export and the API give it


class MemberSerializer(serializers.ModelSerializer):
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    good_standing = serializers.BooleanField(source="paid_current_year", read_only=True)

    class Meta:
        model = Member
        fields = [
            "membership_number",
            "first_name",
            "last_name",
            "email",
            "unit",
            "kind",
            "status",
            "joined_on",
            "good_standing",
            "language",  # of the member's e-mails; "" for the section's
        ]


class UnitList(generics.ListAPIView):
    queryset = OrganisationUnit.objects.select_related("parent").order_by("id")
    serializer_class = UnitSerializer


class BodyList(generics.ListAPIView):
    queryset = Body.objects.with_current_mandates().order_by("id")
    serializer_class = BodySerializer


class MandateList(generics.ListAPIView):
    serializer_class = MandateSerializer

    def get_queryset(self):
        qs = Mandate.objects.with_people().order_by("-starts_on", "id")
        if self.request.query_params.get("current") in {"1", "true"}:
            qs = qs.current()
        return qs


class StatuteVersionList(generics.ListAPIView):
    queryset = StatuteVersion.objects.select_related("adopted_by")
    serializer_class = StatuteVersionSerializer


class StatuteVersionDetail(generics.RetrieveAPIView):
    serializer_class = StatuteVersionDetailSerializer
    lookup_field = "number"
    queryset = StatuteVersion.objects.select_related("adopted_by").prefetch_related(
        "articles__rules"
    )


class DecisionList(generics.ListAPIView):
    """The register, filtered as on the page: ``body`` (code), ``assembly`` (id), ``outcome``,
    ``statute_version`` (number), ``article`` (number), ``date_from``, ``date_to``, ``q``."""

    serializer_class = DecisionSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter(name, str, description=description)
            for name, description in [
                ("body", "body code"),
                ("assembly", "assembly id"),
                ("outcome", "adopted, rejected, elected, no_quorum or noted"),
                ("statute_version", "statute version number"),
                ("article", "article number"),
                ("date_from", "YYYY-MM-DD"),
                ("date_to", "YYYY-MM-DD"),
                ("q", "text in the title, the text or the reference"),
            ]
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        form = valid_query(DecisionFilterForm(self.request.query_params))
        decisions = Decision.objects.visible_to(self.request.user).for_register()
        return decisions.filter_register(**form.register_filters())


class DecisionDetail(generics.RetrieveAPIView):
    serializer_class = DecisionSerializer
    lookup_field = "reference"
    lookup_value_regex = "[^?#]+"

    def get_queryset(self):
        return Decision.objects.visible_to(self.request.user).for_register()


class AuditEventList(generics.ListAPIView):
    serializer_class = AuditEventSerializer
    permission_classes = [MayReadAudit]

    def get_queryset(self):
        return AuditEvent.objects.visible_to(self.request.user).order_by("sequence")


class MemberList(generics.ListAPIView):
    serializer_class = MemberSerializer
    permission_classes = [MayReadRoll]

    def get_queryset(self):
        return Member.objects.visible_to(self.request.user).for_roll().order_by("membership_number")


class AuditVerification(APIView):
    permission_classes = [MayReadAudit]

    class OutputSerializer(serializers.Serializer):
        ok = serializers.BooleanField()
        count = serializers.IntegerField()
        head_hash = serializers.CharField()
        bad_sequence = serializers.IntegerField(allow_null=True)
        problem = serializers.CharField()

    @extend_schema(responses=OutputSerializer)
    def get(self, request):
        result = audit.verify_chain()
        return Response(self.OutputSerializer(result).data)
