"""What every app's API is built from: refusals as documented answers, shared fields.

The apps' `api.py` modules (governance's roll, assemblies and audit, the voting engine,
motions) declare their views with these; `errors.exception_handler` turns the services'
refusals into the 403 or 400 these document, and `schema.document_common_responses` adds
the answers every operation can give.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from governance import lifecycle
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


class _StepSchema(AutoSchema):
    """Each route of a `StepApi` documented from its step: the label as the summary, what it
    does as the description, a body only for a step that needs a reason."""

    def _step(self) -> lifecycle.Step:
        return self.view.table.steps[self.view.step]

    def get_summary(self):
        return str(self._step().label)

    def get_description(self):
        return lifecycle.describe(self._step())

    def get_request_serializer(self):
        return self.view.ReasonSerializer if self._step().needs_reason else None

    def get_response_serializers(self):
        step = self._step()
        roles = ", ".join(str(self.view.table.role_labels.get(r, r)) for r in sorted(step.roles))
        return {
            200: self.view.output,
            400: BAD_INPUT if step.needs_reason else STEP_REFUSED,
            403: not_allowed(f"Only the {roles}."),
            404: NOT_FOUND,
        }


# One view for every step of a lifecycle table (`table`), routed once per step with
# `as_view(step=name)` by `step_routes`: the object is looked up through the access layer
# (`model.objects.visible_to`), the reason (when the step needs one) read after the role is
# checked, and the step taken by `lifecycle.take`; the answer is `output`. (A comment, not
# a docstring: the schema takes each route's description from its step.)
class StepApi(APIView):
    permission_classes = WRITE_PERMISSIONS
    schema = _StepSchema()
    table: lifecycle.Lifecycle
    output: type[serializers.Serializer]
    step = ""

    class ReasonSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=2000)

    def post(self, request, pk: int):
        model = self.table.model
        obj = get_object_or_404(
            model.objects.visible_to(request.user).select_related("body"), pk=pk
        )
        step = self.table.steps[self.step]
        args = {}
        if step.needs_reason:
            lifecycle.ensure_role(step, obj, request.user)  # the role before the input
            serializer = self.ReasonSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            args["reason"] = serializer.validated_data["reason"]
        obj = lifecycle.take(step, obj, request.user, **args)
        return Response(self.output(obj).data)


def step_routes(view: type[StepApi], prefix: str) -> list:
    """`<prefix>/<int:pk>/<step>/` for each step of the view's table, named
    `api_<table>_<step>`."""
    return [
        path(
            f"{prefix}/<int:pk>/{name}/",
            view.as_view(step=name),
            name=f"api_{view.table.name}_{name}",
        )
        for name in view.table.steps
    ]


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
