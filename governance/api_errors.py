"""The one place domain errors become HTTP answers in the REST API."""

from rest_framework import status
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
    return drf_exception_handler(exc, context)
