"""The OpenAPI schema that documents the REST API is valid and complete."""

import io

import yaml
from django.core.management import call_command


def test_the_openapi_schema_validates_without_warnings():
    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    schema = yaml.safe_load(out.getvalue())
    paths = schema["paths"]
    assert {"/api/ballots/{id}/vote/", "/api/decisions/{reference}/", "/api/members/"} <= set(paths)
    assert "post" in paths["/api/ballots/{id}/vote/"]
