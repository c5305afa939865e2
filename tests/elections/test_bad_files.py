"""The trustees' tool and verify_ballot read files a person hands them: a file that is not
JSON, not an object, nested without end or of the wrong step gets one line naming it and a
non-zero exit, never a traceback (non-negotiable 5)."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from elections import trustee

BAD = {
    "not json": "{not json",
    "a list": "[1, 2]",
    "nested without end": "[" * 100_000 + "]" * 100_000,
    "another step's file": json.dumps({"index": 1}),
    "wrong types": json.dumps({"index": "one", "transport": 7, "secret": [], "format": 1}),
}


@pytest.fixture(params=sorted(BAD))
def bad_file(request, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(BAD[request.param], encoding="utf-8")
    return path


@pytest.mark.parametrize("step", ["keygen", "confirm", "decrypt"])
@pytest.mark.parametrize("which", ["private", "public"])
def test_the_trustee_tool_names_a_bad_file(bad_file, tmp_path, capsys, step, which):
    good_private = tmp_path / "me.json"
    trustee.main(["init", "--index", "1", "--private", str(good_private), "--public",
                  str(tmp_path / "me.pub.json")])  # fmt: skip
    private = bad_file if which == "private" else good_private
    source = "--bundle" if step == "decrypt" else "--ceremony"
    output = tmp_path / "out.json"
    code = trustee.main(
        [step, "--private", str(private), source, str(bad_file), "--output", str(output)]
    )
    assert code == 1
    error = capsys.readouterr().err
    assert error.startswith("error: ") and "Traceback" not in error
    assert len(error.strip().splitlines()) == 1
    assert not output.exists()


def test_verify_ballot_names_a_bad_file(bad_file):
    with pytest.raises(CommandError) as raised:
        call_command("verify_ballot", str(bad_file), "--workers", "1")
    message = str(raised.value)
    assert message.startswith(("cannot read", "FAILS:"))
