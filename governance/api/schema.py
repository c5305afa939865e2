"""OpenAPI postprocessing: the answers every API operation can give, documented once.

Every operation sits behind the same login, roles, second-factor middleware and throttles,
so each can answer 403 and 429; one with an identifier in its path can answer 404, one
that reads input can answer 400, and one that reads a body 415 when it is not JSON. Views document what is particular to them; this hook adds
these common answers where a view did not.
"""

from __future__ import annotations

HTTP_METHODS = {"get", "put", "post", "patch", "delete", "head", "options", "trace"}

ERROR_SCHEMA = {
    "type": "object",
    "description": "A refusal: `detail`, plus the message under the name of each input field "
    "at fault.",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}

COMMON_RESPONSES = {
    "403": "Not logged in, a role that may not do this, or a second factor not set up yet.",
    "429": "Too many requests: wait a minute before trying again.",
}
NOT_FOUND = "No such object, or not visible to you."
BAD_INPUT = "Invalid input: the message is under each field at fault."
UNSUPPORTED = "The body is not JSON (`Content-Type: application/json`)."


def document_common_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook (see SPECTACULAR_SETTINGS)."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR_SCHEMA)
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            responses = operation.setdefault("responses", {})
            parameters = operation.get("parameters", [])
            expected = dict(COMMON_RESPONSES)
            if any(parameter["in"] == "path" for parameter in parameters):
                expected["404"] = NOT_FOUND
            if "requestBody" in operation or any(p["in"] == "query" for p in parameters):
                expected["400"] = BAD_INPUT
            if "requestBody" in operation:
                expected["415"] = UNSUPPORTED
            for code, description in expected.items():
                responses.setdefault(code, {"description": description, "content": content})
    return result
