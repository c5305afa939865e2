"""The ballot list's fast reader (orjson in blocks) against the streaming one (ijson).

The fast reader only ever accepts what the streaming reader accepts, with the same
groups, papers and count; on anything else it steps aside and the streaming reader names
the error. Blocks are made tiny here so that every document is cut many times.
"""

from __future__ import annotations

import io
import json
from contextlib import ExitStack
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from elections.counting import BallotList, ExportError, ListedCandidate, Paper, export, write_export


def platform_list(method: str = "stv", papers: int = 40) -> bytes:
    """A list as the platform writes it (one paper a line)."""
    if method == "yesno":
        contents = [{"choice": ("yes", "no", "abstain")[n % 3]} for n in range(papers)]
        candidates = []
    else:
        key = "ranking" if method == "stv" else "choices"
        rankings = (["c1", "c2"], ["c2"], ["c3", "c1", "c2"], ["c1"])
        contents = [{key: rankings[n % 4]} for n in range(papers)]
        candidates = [ListedCandidate(c, c.upper()) for c in ("c1", "c2", "c3")]
    listed = BallotList(
        reference="ORG 1/2026",
        title="Board",
        method=method,
        seats=1,
        candidates=candidates,
        seed="s",
        papers=[Paper(f"fp{n:04d}", content) for n, content in enumerate(contents)],
    )
    return write_export(listed).encode()


def outcome(data: bytes, *, fast: bool, keep: bool = True):
    """What `read_export` makes of `data`: the list read, or the error it raises."""
    with ExitStack() as patches:
        patches.enter_context(mock.patch.object(export, "_BLOCK", 37))
        if not fast:
            patches.enter_context(
                mock.patch.object(export, "_read_papers_fast", side_effect=export._Unsure)
            )
        try:
            listed = export.read_export(io.BytesIO(data), keep_papers=keep)
        except ExportError as error:
            return ("refused", str(error))
    return ("read", listed.groups, list(listed.groups), listed.number_of_papers, listed.papers)


def assert_agree(data: bytes) -> tuple:
    for keep in (True, False):
        slow = outcome(data, fast=False, keep=keep)
        assert outcome(data, fast=True, keep=keep) == slow
    return slow


@pytest.mark.parametrize("method", ["stv", "approval", "yesno"])
def test_the_platforms_layout_is_read_without_the_streaming_reader(method):
    data = platform_list(method)
    slow = mock.patch.object(export, "_read_papers", side_effect=AssertionError("slow path"))
    with slow, mock.patch.object(export, "_BLOCK", 37):
        listed = export.read_export(io.BytesIO(data), keep_papers=True)
    assert listed.number_of_papers == 40
    assert [p.receipt_fingerprint for p in listed.papers] == [f"fp{n:04d}" for n in range(40)]
    assert assert_agree(data)[0] == "read"


@pytest.mark.parametrize(
    "dumps",
    [
        lambda d: json.dumps(d),
        lambda d: json.dumps(d, separators=(",", ":")),
        lambda d: json.dumps(d, indent=2),
        lambda d: json.dumps({"papers": d["papers"], "ballot": d["ballot"], "format": d["format"]}),
    ],
    ids=["one line", "minified", "indented", "header last"],
)
def test_other_layouts_read_the_same(dumps):
    document = json.loads(platform_list())
    assert assert_agree(dumps(document).encode())[0] == "read"


def _replace_paper(data: bytes, index: int, text: str) -> bytes:
    lines = data.decode().split("\n")
    line = 3 + index
    comma = "," if lines[line].endswith(",") else ""
    lines[line] = "  " + text + comma
    return "\n".join(lines).encode()


@pytest.mark.parametrize(
    ("paper", "location"),
    [
        (
            '{"content": {"ranking": ["c1", 2]}, "receipt_fingerprint": "x"}',
            "papers[7].content.ranking",
        ),
        (
            '{"content": {"ranking": [["c1"]]}, "receipt_fingerprint": "x"}',
            "papers[7].content.ranking",
        ),
        ('{"content": {"ranking": "c1"}, "receipt_fingerprint": "x"}', "papers[7].content.ranking"),
        ('{"content": {"choice": "yes"}, "receipt_fingerprint": "x"}', "papers[7].content"),
        (
            '{"content": {"ranking": ["c1"]}, "receipt_fingerprint": ""}',
            "papers[7].receipt_fingerprint",
        ),
        (
            '{"content": {"ranking": ["c1"]}, "receipt_fingerprint": 12}',
            "papers[7].receipt_fingerprint",
        ),
        ('{"content": {"ranking": ["c1"]}}', "papers[7].receipt_fingerprint"),
        ('["c1"]', "papers[7]"),
        (
            '{"content": {"ranking": ["c1"]}, "receipt_fingerprint": "fp0003"}',
            "papers[7].receipt_fingerprint",
        ),
        ('{"content": {"ranking": ["c1"]} "receipt_fingerprint": "x"}', "line"),
        ('{"content": {"ranking": ["c1"]}, "receipt_fingerprint": "x"', "line"),
        ('{"content": {"ranking": ["c1"]}, "receipt_fingerprint": "x"}, ]', "line"),
        ('{"content": {"ranking": ["c1\\x"]}, "receipt_fingerprint": "x"}', "line"),
    ],
)
def test_a_malformed_paper_is_named_as_the_streaming_reader_names_it(paper, location):
    refused = assert_agree(_replace_paper(platform_list(), 7, paper))
    assert refused[0] == "refused"
    assert refused[1].startswith(location)


def test_a_missing_comma_between_lines_is_a_syntax_error():
    data = platform_list().replace(b"},\n", b"}\n", 1)
    assert assert_agree(data)[0] == "refused"


def test_a_trailing_comma_before_the_closing_bracket_is_a_syntax_error():
    data = platform_list().replace(b"}\n]}", b"},\n]}")
    assert assert_agree(data) == ("refused", "line 44: Unexpected symbol ']'")


def test_an_extra_key_in_a_paper_is_read_as_before():
    extra = '{"content": {"ranking": ["c1"]}, "note": [[[1]]], "receipt_fingerprint": "x"}'
    assert assert_agree(_replace_paper(platform_list(), 7, extra))[0] == "read"


def test_a_paper_nested_too_deep_is_still_refused():
    deep = "[" * 40 + "]" * 40
    paper = f'{{"content": {{"ranking": ["c1"]}}, "note": {deep}, "receipt_fingerprint": "x"}}'
    refused = assert_agree(_replace_paper(platform_list(), 7, paper))
    assert refused == ("refused", "$: the JSON is nested more than 32 levels deep")


def test_a_fingerprint_longer_than_a_mebibyte_is_still_refused():
    paper = '{"content": {"ranking": ["c1"]}, "receipt_fingerprint": "%s"}' % ("f" * (1 << 21))
    refused = assert_agree(_replace_paper(platform_list(), 7, paper))
    assert refused == ("refused", "$: a string in the file is longer than 1 MiB")


def test_a_second_papers_list_after_the_first_is_read_as_before():
    data = platform_list().replace(
        b"\n]}", b'\n], "papers": [{"content": {"ranking": ["c2"]}, "receipt_fingerprint": "z"}]}'
    )
    assert assert_agree(data)[0] == "read"


def test_papers_named_inside_the_header_are_not_the_list():
    data = platform_list().replace(
        b'"title": "Board"', b'"title": "\\"papers\\": [", "x": {"papers": []}'
    )
    assert assert_agree(data)[0] == "read"


def test_an_empty_list_and_an_unclosed_one():
    empty = platform_list(papers=0)
    assert assert_agree(empty)[:4] == ("read", {}, [], 0)
    assert assert_agree(platform_list().removesuffix(b"]}\n"))[0] == "refused"


def test_a_bad_escape_or_control_character_names_its_line():
    for bad in ("c1\\x", "c1\x01"):
        paper = '{"content": {"ranking": ["' + bad + '"]}, "receipt_fingerprint": "x"}'
        refused = assert_agree(_replace_paper(platform_list(), 7, paper))
        assert refused[0] == "refused"
        assert refused[1].startswith("line 11: a string is not valid JSON (")


def test_not_utf8_is_refused():
    data = _replace_paper(
        platform_list(), 7, '{"content": {"ranking": ["c1"]}, "receipt_fingerprint": "X"}'
    )
    data = data.replace(b'"X"', b'"\xff"')
    assert assert_agree(data)[0] == "refused"


MUTATIONS = st.sampled_from([*list(b'"[]{},:\n\\ x1'), None])


@settings(max_examples=150, deadline=None)
@given(
    method=st.sampled_from(["stv", "yesno"]),
    edits=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), MUTATIONS), min_size=1, max_size=3),
)
def test_any_edit_of_a_list_is_read_or_refused_alike(method, edits):
    """A byte deleted or inserted anywhere: both readers read the same or refuse alike."""
    data = bytearray(platform_list(method, papers=12))
    for where, byte in edits:
        at = int(where * len(data))
        if byte is None:
            del data[at]
        else:
            data.insert(at, byte)
    assert_agree(bytes(data))
