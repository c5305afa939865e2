"""The API's JSON parser: DRF's, with a bound on the body's size and on its nesting."""

from __future__ import annotations

import codecs

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.settings import api_settings
from rest_framework.utils import json as drf_json

from governance import jsonsafe


class BoundedJSONParser(JSONParser):
    """JSON bodies up to `DATA_UPLOAD_MAX_MEMORY_SIZE` bytes, nested at most
    `JSON_MAX_DEPTH` levels; anything else is a 400 that says which limit it broke.
    A view whose body is larger by nature (a trustee's shares) overrides `body_limit`."""

    def body_limit(self) -> int:
        return settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        request = parser_context.get("request")
        limit = self.body_limit()
        declared = int((request and request.META.get("CONTENT_LENGTH")) or 0)
        raw = stream.read(limit + 1) if stream is not None else b""
        if declared > limit or len(raw) > limit:
            raise ParseError(
                _("The request body is larger than %(limit)s bytes.") % {"limit": f"{limit:,}"}
            )
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.decode(raw, encoding)
            constant = drf_json.strict_constant if api_settings.STRICT_JSON else None
            return jsonsafe.loads(text, parse_constant=constant)
        except jsonsafe.JSONTooDeep as error:
            raise ParseError(str(error)) from None
        except ValueError as error:
            raise ParseError(_("JSON parse error - %(error)s") % {"error": error}) from None
