"""The lifecycle tables: one `take` for every step, and docs/architecture.md drawn from them."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from elections.services import BALLOT
from governance import lifecycle
from governance.assemblies.services import ASSEMBLY
from governance.exceptions import DomainError

DOCS = Path(settings.BASE_DIR) / "docs" / "architecture.md"
REGENERATE = ".venv/bin/python manage.py lifecycle_docs"


def test_the_architecture_docs_show_the_tables_as_built():
    text = DOCS.read_text(encoding="utf-8")
    assert lifecycle.docs_section(text) == lifecycle.render_markdown(), (
        f"docs/architecture.md's lifecycle tables differ from the code: run `{REGENERATE}`"
    )


def test_every_lifecycle_is_rendered():
    names = {table.name for table in lifecycle.registered()}
    assert {"ballot", "assembly"} <= names
    rendered = lifecycle.render_markdown()
    for table in lifecycle.registered():
        for step in table.steps.values():
            assert f"| `{step.name}`" in rendered


def test_the_check_fails_on_stale_docs_and_names_the_command(tmp_path, monkeypatch):
    from governance.management.commands import lifecycle_docs

    stale = tmp_path / "architecture.md"
    stale.write_text(f"x\n{lifecycle.DOCS_BEGIN}\n| old |\n{lifecycle.DOCS_END}\n", "utf-8")
    monkeypatch.setattr(lifecycle_docs, "DOCS", stale)
    with pytest.raises(CommandError, match=r"manage\.py lifecycle_docs"):
        call_command("lifecycle_docs", "--check")
    call_command("lifecycle_docs")
    assert lifecycle.docs_section(stale.read_text("utf-8")) == lifecycle.render_markdown()
    call_command("lifecycle_docs", "--check")


def test_a_rendered_ballot_row_names_states_roles_work_and_event():
    rendered = lifecycle.render_markdown([BALLOT])
    assert (
        "| `cancel` | draft, open, closed | cancelled | officers of the body (or of its unit's "
        "board), staff | `elections.services.cancel_ballot`: keeps the reason; a motion in that "
        "vote goes back where it was | `ballot.cancelled` + reason |  |"
    ) in rendered
    assert (
        "| `elections.services.count_ballot`: counts under the statutes' quorum and majority; "
        "records the decision (a secret ballot only once the task worker has mixed its tally) "
        "| `ballot.counted` | yes |"
    ) in rendered


def test_the_docs_name_public_services_that_exist_and_no_private_function():
    from django.utils.module_loading import import_string

    rendered = lifecycle.render_markdown()
    assert "._" not in rendered
    for table in lifecycle.registered():
        for step in table.steps.values():
            if step.service:
                assert callable(import_string(step.service)), step.service
            for hook in (step.work, step.lock, step.then):
                assert hook is None or callable(lifecycle._resolved(hook)), (step.name, hook)


def test_ballots_and_assemblies_share_the_officers_table_and_its_translated_label():
    from django.utils import translation

    assert BALLOT.role_labels is ASSEMBLY.role_labels is lifecycle.OFFICER_LABELS
    with translation.override("fr"):
        label = str(lifecycle.OFFICER_LABELS[lifecycle.OFFICERS])
    assert label != "officers of the body (or of its unit's board), staff"


def test_the_steps_asked_first_are_the_irreversible_ones():
    assert {s.name for s in BALLOT.steps.values() if s.confirm} == {"close", "count", "publish"}
    assert {s.name for s in ASSEMBLY.steps.values() if s.confirm} == {"close"}


def test_the_next_step_of_a_page_skips_the_steps_with_a_reason():
    assert BALLOT.forward("draft").name == "open"
    assert BALLOT.forward("published") is None
    assert ASSEMBLY.forward("convened").name == "open"
    assert BALLOT.allows("closed", "cancelled") and not BALLOT.allows("counted", "cancelled")


def test_an_unknown_step_is_refused():
    with pytest.raises(DomainError):
        BALLOT.get("reopen")
