"""What every app's API is built from: refusals as documented answers, shared fields.

The apps' `api.py` modules (governance's roll, assemblies and audit, the voting engine,
motions) declare their views with these; `errors.exception_handler` turns the services'
refusals into the 403 or 400 these document, and `schema.document_common_responses` adds
the answers every operation can give.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from governance.api.permissions import WRITE_PERMISSIONS
from governance.exceptions import DomainError
from governance.models import Body, Member

# ---------------------------------------------------------------------------
# Refusals
# ---------------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    """A refusal: `detail`, plus the message under the name of each input field at fault."""

    detail = serializers.CharField()


def refusal(description: str) -> OpenApiResponse:
    """A documented error answer: the `Error` body, with what it means for this operation."""
    return OpenApiResponse(ErrorSerializer, description=description)


def not_allowed(description: str = "The role or the service refused.") -> OpenApiResponse:
    return refusal(description)


BAD_INPUT = refusal("Invalid input: the message is under each field at fault.")
NOT_FOUND = refusal("No such object, or not visible to you.")
STEP_REFUSED = refusal("The lifecycle forbids this step.")


@contextmanager
def fields_renamed(names: dict[str, str]):
    """Report a service's field under the name the API's input uses for it."""
    try:
        yield
    except DomainError as error:
        error.field = names.get(error.field, error.field)
        raise


def valid_query(form):
    """A form over the query parameters, once valid; otherwise a 400 naming each one at fault."""
    if not form.is_valid():
        raise ValidationError({name: list(errors) for name, errors in form.errors.items()})
    return form


# ---------------------------------------------------------------------------
# Views
# ---------------------------------------------------------------------------


# A view that reads on GET and writes on POST: the POST also needs `WRITE_PERMISSIONS`.
# (A comment, not a docstring: the schema would take a docstring as each view's description.)
class WritesOnPost:
    def get_permissions(self):
        if self.request.method == "POST":
            return [permission() for permission in WRITE_PERMISSIONS]
        return super().get_permissions()


# ---------------------------------------------------------------------------
# Fields
# ---------------------------------------------------------------------------


def enum_field(choices, component_name: str) -> type[serializers.ChoiceField]:
    """A ChoiceField whose enum is one named schema component.

    "status" and "kind" name different choice sets across the API (a member's, a body's);
    without a component of its own, the schema would name each enum by a hash.
    """

    @extend_schema_field(
        {"type": "string", "enum": list(choices.values)}, component_name=component_name
    )
    class EnumField(serializers.ChoiceField):
        def __init__(self, **kwargs):
            super().__init__(choices=choices.choices, **kwargs)

    EnumField.__name__ = EnumField.__qualname__ = f"{component_name}Field"
    return EnumField


class MembershipNumberField(serializers.SlugRelatedField):
    """A member named by membership number, as everywhere in the API."""

    default_error_messages = {
        "does_not_exist": _("No member has the membership number {value}."),
        "invalid": _("Give a membership number."),
    }

    def __init__(self, **kwargs):
        super().__init__(slug_field="membership_number", queryset=Member.objects.all(), **kwargs)


class BodyCodeField(serializers.SlugRelatedField):
    """A body named by its code."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=Body.objects.all(), **kwargs)
