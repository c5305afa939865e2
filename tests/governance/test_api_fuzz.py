"""Schemathesis fuzzes the REST API from its own OpenAPI schema: no server error, and no
answer the schema does not document (status code, content type, body).

The schema is the one `/api/schema/` serves, generated in process (that view wants a login,
and the tests are built at collection, before the test database exists); requests go to
the project's WSGI application (no server), as a member and as the Board's chair (an officer
with a second factor), over the suite's section with one object of every kind
(`tests.worlds.every_object`), so identifiers often name real ballots, motions and meetings. Each operation gets a bounded number of generated requests, valid and
invalid, so the run stays within CI's budget. Every request starts with an empty cache:
the throttles have their own tests.
"""

from __future__ import annotations

import json
import os

import pytest
import schemathesis
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from governance.wsgi import application
from tests.conftest import build_world
from tests.worlds import every_object

#: The roles the requests are sent as, by their account in `tests.conftest.World`.
ROLES = ("member", "officer")
#: Generated requests per operation and role beyond the coverage phase's systematic ones;
#: `FUZZ_EXAMPLES=200 FUZZ_SEED=random` digs deeper on a developer's machine.
EXAMPLES_PER_OPERATION = int(os.environ.get("FUZZ_EXAMPLES", "20"))
DERANDOMIZE = os.environ.get("FUZZ_SEED") != "random"


def served_schema() -> dict:
    """The document `/api/schema/` serves (the same generator and renderer, no request)."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document))


CONFIG = schemathesis.Config.from_dict(
    {
        # The API ignores query parameters it does not know, as HTTP APIs commonly do.
        "generation": {"allow-extra-parameters": False},
        # Valid input is still refused when the domain says no (a ballot's state, a deadline,
        # a membership number that names nobody): a 400 naming the rule, which no schema
        # can foresee. Invalid input must still be refused (negative_data_rejection).
        "checks": {"positive_data_acceptance": {"enabled": False}},
    }
)
schema = schemathesis.openapi.from_dict(served_schema(), config=CONFIG)
schema.app = application


@pytest.fixture(scope="module")
def section(django_db_setup, django_db_blocker):
    """The suite's section with one object of every kind, built once for the module and
    rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        world = build_world()
        every_object(world)
        yield world
        transaction.set_rollback(True)


@schema.hook
def map_path_parameters(context, path_parameters: dict | None) -> dict | None:
    """Generated identifiers mostly name the section's objects (its tables hold a handful
    of rows each); the coverage phase still sends zero, negative and huge ones."""
    if path_parameters is None:
        return None
    return {
        name: value % 8 + 1 if isinstance(value, int) and not isinstance(value, bool) else value
        for name, value in path_parameters.items()
    }


#: The browser's cookies. Schemathesis writes them into some cases while it collects the
#: tests, before any login, so they are fixed here; the `role` fixture puts the role's login
#: in the session with this key.
SESSION_KEY = "schemathesis0fuzz0session0key"  # at most 40 characters
CSRF_TOKEN = _get_new_csrf_string()


@schema.auth(refresh_interval=None, retry_on=[])
class BrowserSession:
    """The logged-in browser: its session cookie, its CSRF cookie and the matching header.

    Schemathesis leaves it off the requests that test a missing or invalid login.
    """

    def get(self, case, context) -> str:
        return SESSION_KEY

    def set(self, case, session_key: str, context) -> None:
        case.cookies = {
            **(case.cookies or {}),
            settings.SESSION_COOKIE_NAME: session_key,
            settings.CSRF_COOKIE_NAME: CSRF_TOKEN,
        }
        case.headers = {**(case.headers or {}), "X-CSRFToken": CSRF_TOKEN}


@pytest.fixture(scope="module", params=sorted(ROLES))
def role(request, section, django_db_blocker) -> str:
    """Log the role in under `SESSION_KEY` (pytest runs one role's tests, then the other's)."""
    with django_db_blocker.unblock():
        client = Client()
        client.force_login(section.user(request.param))
        # The login's session row, under the key the requests carry.
        key = client.cookies[settings.SESSION_COOKIE_NAME].value
        Session.objects.filter(session_key=key).update(session_key=SESSION_KEY)
    yield request.param
    with django_db_blocker.unblock():
        Session.objects.filter(session_key=SESSION_KEY).delete()


@pytest.fixture
def same_connection(db):
    """Requests run inside the test's transaction, as Django's test client arranges."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@hypothesis_settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=DERANDOMIZE,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_every_generated_request_as_documented(case, role, same_connection):
    cache.clear()
    case.call_and_validate()
