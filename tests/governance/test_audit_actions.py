"""Every audit action the code can write has a label in words, in the three languages, and
the auditors' pages show it beside its code (`governance.audit.actions`)."""

from __future__ import annotations

import ast
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from governance import lifecycle
from governance.audit import actions
from governance.audit import log as audit

BASE = Path(settings.BASE_DIR)
WRITERS = {"record", "_append", "Change"}  # the calls whose action argument is a code


def _literal_codes() -> set[str]:
    """Codes written as literals: `audit.record(actor, "x.y", ...)`, `Change(..., action=)`."""
    codes = set()
    for app in ("governance", "elections", "motions"):
        for path in (BASE / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call):
                    continue
                name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
                if name not in WRITERS:
                    continue
                given = [*node.args, *(k.value for k in node.keywords if k.arg == "action")]
                for arg in given:
                    literal = isinstance(arg, ast.Constant) and isinstance(arg.value, str)
                    if literal and "." in arg.value and " " not in arg.value:
                        codes.add(arg.value)
    return codes


def every_code() -> set[str]:
    from elections import integrity
    from motions.models import Speaker

    codes = _literal_codes() | {integrity.VOTE_CAST}
    for table in lifecycle.registered():
        codes |= {step.event or f"{table.name}.{step.name}" for step in table.steps.values()}
    # Codes the code composes: a speaker's step, a second factor's change, a paper count set
    # aside.
    codes |= {f"speaker.{status}" for status in Speaker.Status.values if status != "waiting"}
    codes |= {f"account.second_factor_{name}" for name in ("added", "removed", "reset")}
    codes |= {"paper_count.withdrawn", "paper_count.rejected"}
    return codes


def test_every_code_the_code_writes_has_a_label():
    codes = every_code()
    assert len(codes) > 80
    assert codes - set(actions.labels()) == set()


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_every_label_is_translated(language):
    catalog = polib.pofile(str(BASE / "locale" / language / "LC_MESSAGES" / "django.po"))
    translated = {entry.msgid for entry in catalog.translated_entries()}
    with translation.override("en"):  # the source language: the msgid itself
        msgids = {str(label) for label in actions.labels().values()}
    missing = msgids - translated
    assert missing == set()
    with translation.override(language):
        assert actions.label("ballot.opened") != "Ballot opened"


def test_an_unknown_code_is_shown_as_itself():
    assert actions.label("something.older") == "something.older"


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_the_audit_log_shows_the_label_beside_the_code(client_for, world, language):
    client = client_for("auditor")
    event = audit.AuditEvent.objects.order_by("-sequence").first()
    assert event is not None and event.action in actions.labels()
    page = client.get(reverse("audit_log"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    with translation.override(language):
        label = actions.label(event.action)
    assert label != event.action
    assert label in page and f'class="action-code">{event.action}</code>' in page
