"""Property-based fuzzing of every input that is not the API (schemathesis covers that): every
form of every page, posted as each role, and every management command that reads a file.

Generated values: long, empty, NUL bytes, right-to-left marks, deep JSON, wrong types (numbers
where text goes, text where numbers go, dates that do not exist, several values for one
field). Each answer must be a clear refusal or a success, never a server error; a refusal
must leave every table as it was (nothing half-written).

The default budget keeps the suite quick; FUZZ_EXAMPLES raises it (e.g. FUZZ_EXAMPLES=2000).
"""

from __future__ import annotations

import io
import os
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.governance.test_authorization_matrix import ROLES, logged_in, objects  # noqa: F401
from tests.urlwalk import url_patterns

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES") or 120)
COMMAND_EXAMPLES = max(10, EXAMPLES // 4)
#: The cases run, by kind, for the report (printed with -s).
COUNTS = {"form requests": 0, "command runs": 0}

DEEP_JSON = "[" * 50_000 + "]" * 50_000
HOSTILE = st.sampled_from(
    [
        "",
        " ",
        "x" * 200_001,
        "a\x00b",
        "\x00",
        "\u202eevil\u202c \u200f\u0645\u0631\u062d\u0628\u0627\u200f",
        "\ufeff\u200b",
        DEEP_JSON,
        '{"a": ' * 2000 + "1" + "}" * 2000,
        "-1",
        "0",
        "99999999999999999999999",
        "1e309",
        "NaN",
        "2026-02-30",
        "9999-12-31T25:61",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        '=HYPERLINK("x")',
        "../../etc/passwd",
        "true",
        "null",
    ]
)
VALUE = st.one_of(HOSTILE, st.text(max_size=300), st.integers().map(str))


class _Forms(HTMLParser):
    """The POST forms of a page: (action, the names of their fields)."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, list[str]]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            if (attrs.get("method") or "get").lower() == "post":
                self.forms.append((attrs.get("action") or "", []))
            else:
                self.forms.append(("", None))
        elif tag in ("input", "select", "textarea", "button") and self.forms:
            fields = self.forms[-1][1]
            name = attrs.get("name")
            if fields is not None and name and name != "csrfmiddlewaretoken":
                fields.append(name)


def discover_forms(world, objects) -> list[tuple[str, tuple[str, ...]]]:  # noqa: F811
    """Every POST form on every page, as the roles that see the most forms."""
    found: dict[tuple[str, tuple[str, ...]], None] = {}
    for role in ("officer", "staff", "member", "auditor"):
        client = logged_in(world, role)
        for route in url_patterns():
            if route.is_api or route.is_regex or "logout" in (route.name or ""):
                continue
            url = objects.fill(route)
            response = client.get(url)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            parser = _Forms()
            parser.feed(response.content.decode(errors="replace"))
            for action, fields in parser.forms:
                if fields is None:
                    continue
                target = urlsplit(urljoin(url, action or url)).path
                if "logout" in target or target.startswith("/i18n/"):
                    continue
                found[(target, tuple(sorted(set(fields))))] = None
    return list(found)


def table_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for config in ("governance", "elections", "motions")
        for model in apps.get_app_config(config).get_models()
    }


@pytest.fixture
def forms(world, objects):  # noqa: F811
    found = discover_forms(world, objects)
    assert len(found) > 30, found  # the walk reached the pages' forms
    return found


def test_every_form_of_every_page_answers_every_role_without_a_server_error(world, forms):
    clients = {role: logged_in(world, role) for role in ROLES}

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        role=st.sampled_from(ROLES),
        form=st.sampled_from(forms),
        data=st.data(),
    )
    def post(role, form, data):
        action, fields = form
        payload = {
            name: data.draw(st.one_of(VALUE, st.lists(VALUE, min_size=2, max_size=3)), name)
            for name in fields
        }
        extra = data.draw(st.dictionaries(st.sampled_from(["id", "pk", "x"]), VALUE, max_size=1))
        client = clients[role]
        before = table_counts()
        with transaction.atomic():
            response = client.post(action, {**payload, **extra})
            refused = response.status_code >= 400
            after = table_counts() if refused else before
            transaction.set_rollback(True)
        COUNTS["form requests"] += 1
        assert response.status_code < 500, (role, action, payload)
        if refused:
            assert after == before, f"{action} refused with {response.status_code} but wrote"

    post()
    print(f"\nform fuzzing: {COUNTS['form requests']} requests over {len(forms)} forms")


# Management commands that read a file -------------------------------------------------------

FILE_CONTENT = st.one_of(
    HOSTILE.map(lambda text: text.encode()),
    st.binary(max_size=500),
    st.text(max_size=500).map(lambda text: text.encode()),
    st.just(b"\xff\xfe\x00garbage"),
    st.just(("membership_number,first_name\n" + "1," + "x" * 300 + "\n").encode()),
    st.just(DEEP_JSON.encode()),
)

#: Each command that takes a file, and the arguments around it.
COMMANDS = {
    "verify_export": lambda path, world: ([str(path)], {}),
    "verify_audit": lambda path, world: ([], {"checkpoint": [str(path)], "workers": 1}),
    "import_dues": lambda path, world: ([str(path)], {"actor": world.staff.email}),
    "import_members": lambda path, world: ([str(path)], {"actor": world.staff.email}),
    "tally": lambda path, world: ([str(path)], {}),
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_that_reads_a_file_refuses_hostile_files_clearly(world, tmp_path, command):
    @settings(
        max_examples=COMMAND_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(content=FILE_CONTENT, suffix=st.sampled_from([".csv", ".json", ".blt", ".txt"]))
    def run(content, suffix):
        path = tmp_path / f"input{suffix}"
        path.write_bytes(content)
        args, options = COMMANDS[command](path, world)
        before = table_counts()
        failed = False
        with transaction.atomic():
            try:
                call_command(command, *args, stdout=io.StringIO(), stderr=io.StringIO(), **options)
            except CommandError:
                failed = True
            except SystemExit as exit_:  # a command that reports a failed check by its status
                failed = exit_.code not in (0, None)
            after = table_counts() if failed else before
            transaction.set_rollback(True)
        COUNTS["command runs"] += 1
        if failed:
            assert after == before, f"{command} failed but wrote"

    run()
