"""The REST API's My account: the signed-in account's roll facts and its chosen language.

GET reads; PATCH changes the one field a member may change, `language`, through
`services.set_own_language` (a refusal is a 400 naming the field, as everywhere in the API).
"""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from governance import services
from governance.api.kit import BAD_INPUT, not_allowed
from governance.models import Member


class UnitRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField(source="__str__", help_text="In the language of the answer.")


@extend_schema_serializer(component_name="Profile")
class ProfileSerializer(serializers.Serializer):
    email = serializers.EmailField(help_text="The account's login address.")
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    membership_number = serializers.CharField(
        allow_null=True, help_text="Null for an account that is not on the membership roll."
    )
    unit = UnitRefSerializer(allow_null=True)
    language = serializers.CharField(
        help_text="The language chosen (en, fr, ar); empty: none chosen, the section's is used."
    )


def profile_of(user) -> dict:
    member = Member.objects.select_related("unit", "unit__parent").filter(user_id=user.pk).first()
    person = member or user
    return {
        "email": user.email,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "membership_number": member.membership_number if member else None,
        "unit": member.unit if member else None,
        "language": member.language if member else "",
    }


@extend_schema_serializer(component_name="ProfileInput")
class ProfileInputSerializer(serializers.Serializer):
    language = serializers.ChoiceField(choices=settings.LANGUAGES)


# Any signed-in account reads its own profile (a comment, not a docstring: the schema would
# take a docstring as the description).
class ProfileApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="My account: the roll's facts about me, and my language",
        responses={200: ProfileSerializer, 403: not_allowed("Not signed in.")},
    )
    def get(self, request):
        return Response(ProfileSerializer(profile_of(request.user)).data)

    @extend_schema(
        summary="Choose my language (pages after each login, e-mails)",
        request=ProfileInputSerializer,
        responses={
            200: ProfileSerializer,
            400: BAD_INPUT,
            403: not_allowed("Not signed in."),
        },
    )
    def patch(self, request):
        serializer = ProfileInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        language = serializer.validated_data["language"]
        member = services.set_own_language(actor=request.user, language=language)
        request.user.member = member  # the session's copy, for the language middleware
        return Response(ProfileSerializer(profile_of(request.user)).data)
