"""The one place domain errors become HTTP answers in the REST API."""

import sys

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from governance.audit.checkpoints import SigningKeyError
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


def bad_request(request, exception):
    """The project's 400 for what Django refuses before a view (a body over the upload limit,
    too many fields): JSON under /api/, the usual page elsewhere."""
    if request.path.startswith("/api/"):
        if isinstance(exception, RequestDataTooBig):
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            detail = _("The request body is larger than %(limit)s bytes.") % {"limit": f"{limit:,}"}
        else:
            detail = _("Bad request.")
        return JsonResponse({"detail": detail}, status=status.HTTP_400_BAD_REQUEST)
    return defaults.bad_request(request, exception)


def not_found(request, exception):
    """The project's 404: JSON under /api/ (what API clients parse), the usual page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Not found.")}, status=status.HTTP_404_NOT_FOUND)
    return defaults.page_not_found(request, exception)


#: What a database that went away raises (a restart, a failover, a full connection slot
#: list): transient, so the answer is "try again", not a server error.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


def server_error(request):
    """The project's 500, or a 503 with `Retry-After` when the database is unreachable, or a
    503 naming the missing audit signing key.

    Called by Django while it handles the uncaught exception, so `sys.exc_info()` names it.
    The 503 page is rendered without a query (no user, no context processors): the database
    is what is missing. JSON under /api/, as for every other API answer.
    """
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_UNAVAILABLE):
        retry_after = settings.DATABASE_RETRY_AFTER_SECONDS
        if request.path.startswith("/api/"):
            response = JsonResponse(
                {
                    "detail": _("The database is briefly unavailable: try again shortly."),
                    "retry_after": retry_after,
                },
                status=status.HTTP_503_SERVICE_UNAVAILABLE,
            )
        else:
            page = loader.get_template("503.html").render({"retry_after": retry_after})
            response = HttpResponse(page, status=status.HTTP_503_SERVICE_UNAVAILABLE)
        response["Retry-After"] = str(retry_after)
        return response
    if isinstance(error, SigningKeyError):
        # A configuration the administrator must mend (docs/deploy.md), not a passing fault:
        # no Retry-After. The log and the mail to ADMINS keep the operator's message.
        detail = _(
            "This page needs a signed checkpoint of the audit log, and the platform's "
            "administrator has not configured the audit signing key. Nothing was changed: ask "
            "them to set it (the deployment guide names it)."
        )
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": detail}, status=status.HTTP_503_SERVICE_UNAVAILABLE)
        title = _("Audit signing is not configured")
        page = loader.get_template("503.html").render({"title": title, "detail": detail})
        return HttpResponse(page, status=status.HTTP_503_SERVICE_UNAVAILABLE)
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": _("Server error.")}, status=status.HTTP_500_INTERNAL_SERVER_ERROR
        )
    return defaults.server_error(request)
