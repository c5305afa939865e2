"""The API's pagination: `limit` and `offset` as documented, and a bounded page."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination


class StrictLimitOffsetPagination(LimitOffsetPagination):
    """DRF's limit/offset, but a value that is not a whole number is a 400 naming it
    (DRF would silently fall back to the first page), and no page holds more than
    `max_limit` rows, whatever `limit` asks for."""

    max_limit = 500
    minimum = {"limit": 1, "offset": 0}

    def _whole_number(self, request, name: str) -> int | None:
        raw = request.query_params.get(name)
        if raw is None:
            return None
        minimum = self.minimum[name]
        try:
            value = int(raw)
        except ValueError:
            value = minimum - 1
        if value < minimum:
            raise ValidationError(
                {name: [_("Give a whole number of at least %(minimum)d.") % {"minimum": minimum}]}
            )
        return value

    def get_limit(self, request):
        value = self._whole_number(request, self.limit_query_param)
        return self.default_limit if value is None else min(value, self.max_limit)

    def get_offset(self, request):
        return self._whole_number(request, self.offset_query_param) or 0

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = self.minimum[parameter["name"]]
            if parameter["name"] == "limit":
                parameter["description"] = _(
                    "Number of results to return per page (at most %(max)d)."
                ) % {"max": self.max_limit}
        return parameters
