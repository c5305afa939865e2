"""The one place domain errors become HTTP answers in the REST API."""

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from governance.exceptions import DomainError, NotAllowed


def exception_handler(exc, context):
    """Domain errors: 403 when a role is missing, otherwise 400 naming the field at fault."""
    if isinstance(exc, NotAllowed):
        return Response({"detail": exc.message}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, DomainError):
        body = {"detail": exc.message}
        if exc.field:
            body[exc.field] = [exc.message]
        if exc.details:
            body["errors"] = [str(d) for d in exc.details]
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    response = drf_exception_handler(exc, context)
    if isinstance(exc, ValidationError) and response is not None:
        # Every refusal has a `detail`, as the schema says; the field messages stay beside it.
        fields = response.data if isinstance(response.data, dict) else {"errors": response.data}
        if "detail" not in fields:
            response.data = {
                "detail": _("Invalid input: see the message under each field."),
                **fields,
            }
    return response


def not_found(request, exception):
    """The project's 404: JSON under /api/ (what API clients parse), the usual page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Not found.")}, status=status.HTTP_404_NOT_FOUND)
    return defaults.page_not_found(request, exception)
