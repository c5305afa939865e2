"""The API's JSON parser: DRF's, with a bound on the body's size and on its nesting, and a
400 in the reader's language for every way a body can fail to be JSON in UTF-8."""

from __future__ import annotations

import codecs
import json
import sys

from django.conf import settings
from django.utils.http import parse_header_parameters
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from governance import jsonsafe

#: What the standard library's JSON reader says (`JSONDecodeError.msg`), in words the API's
#: readers have in their language. A message not listed here is shown as Python wrote it.
JSON_REASONS = {
    "Expecting value": gettext_lazy("a value was expected"),
    "Expecting property name enclosed in double quotes": gettext_lazy(
        "a name in double quotes was expected"
    ),
    "Expecting ':' delimiter": gettext_lazy("a colon (:) was expected"),
    "Expecting ',' delimiter": gettext_lazy("a comma (,) was expected"),
    "Illegal trailing comma before end of array": gettext_lazy("a list may not end with a comma"),
    "Illegal trailing comma before end of object": gettext_lazy(
        "an object may not end with a comma"
    ),
    "Unterminated string starting at": gettext_lazy("a string is not closed"),
    "Invalid control character at": gettext_lazy("a string holds a control character"),
    "Invalid \\escape": gettext_lazy("a string holds an unknown backslash escape"),
    "Invalid \\uXXXX escape": gettext_lazy("a string holds an incomplete \\uXXXX escape"),
    "Extra data": gettext_lazy("something follows the end of the JSON value"),
}


class BodyRefused(ValueError):
    """A value inside the JSON the API refuses (NaN, a number of thousands of digits)."""


def _refuse_constant(value: str):
    raise BodyRefused(
        _("%(value)s is not a number JSON allows: the API refuses NaN and infinities.")
        % {"value": value}
    )


def _bounded_int(text: str) -> int:
    limit = sys.get_int_max_str_digits()
    if limit and len(text.lstrip("-")) > limit:
        raise BodyRefused(
            _("A number in the request body has more than %(limit)s digits.")
            % {"limit": f"{limit:,}"}
        )
    return int(text)


def _position(raw: bytes, offset: int) -> tuple[int, int]:
    """The line and the byte within it (from 1) of byte `offset` of `raw`."""
    line = raw.count(b"\n", 0, offset) + 1
    return line, offset - (raw.rfind(b"\n", 0, offset) + 1) + 1


def _not_utf8(charset: str) -> ParseError:
    return ParseError(
        _("The request body is declared as %(charset)s: the API reads JSON in UTF-8 only.")
        % {"charset": charset[:40]}
    )


def _decode(raw: bytes, media_type: str | None) -> str:
    """The body as text: UTF-8, declared so or undeclared, without a byte order mark."""
    _type, params = parse_header_parameters(media_type or "")
    charset = params.get("charset")
    if charset:
        try:
            if codecs.lookup(charset).name != "utf-8":
                raise _not_utf8(charset)
        except LookupError:
            raise _not_utf8(charset) from None
    if raw.startswith(codecs.BOM_UTF8):
        raise ParseError(
            _("The request body starts with a byte order mark: send UTF-8 JSON without one.")
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = _position(raw, error.start)
        raise ParseError(
            _(
                "The request body is not valid UTF-8 (line %(line)s, byte %(column)s): "
                "send JSON encoded as UTF-8."
            )
            % {"line": line, "column": column}
        ) from None


def _not_json(error: json.JSONDecodeError) -> ParseError:
    place = {"line": error.lineno, "column": error.colno}
    if not error.doc.strip():
        return ParseError(_("The request body holds no JSON value: send a JSON object."))
    if error.msg != "Extra data" and not error.doc[error.pos :].strip():
        return ParseError(
            _(
                "The request body ends before its JSON is complete "
                "(line %(line)s, column %(column)s)."
            )
            % place
        )
    reason = JSON_REASONS.get(error.msg, error.msg)
    return ParseError(
        _("The request body is not valid JSON at line %(line)s, column %(column)s: %(reason)s.")
        % {**place, "reason": reason}
    )


class BoundedJSONParser(JSONParser):
    """JSON bodies up to `DATA_UPLOAD_MAX_MEMORY_SIZE` bytes, nested at most
    `JSON_MAX_DEPTH` levels, in UTF-8; anything else is a 400 that says what is wrong.
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
        text = _decode(raw, media_type)
        try:
            return jsonsafe.loads(text, parse_constant=_refuse_constant, parse_int=_bounded_int)
        except (jsonsafe.JSONTooDeep, BodyRefused) as error:
            raise ParseError(str(error)) from None
        except json.JSONDecodeError as error:
            raise _not_json(error) from None
        except ValueError as error:
            raise ParseError(_("JSON parse error - %(error)s") % {"error": error}) from None
