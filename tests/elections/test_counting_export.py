"""The published ballot list (ballot-list/1) and recounting from a file."""

from __future__ import annotations

import io
import json

import pytest

from elections.counting import (
    BallotList,
    ExportError,
    ListedCandidate,
    Paper,
    parse_export,
    read_export,
    tally,
    tally_file,
    write_blt,
    write_export,
)
from elections.counting.yesno import YesNoResult


def ballot_list(method: str, contents: list[dict], **ballot: object) -> dict:
    candidates = [{"id": "c1", "name": "Amina"}, {"id": "c2", "name": "Youssef"}]
    return {
        "format": "ballot-list/1",
        "ballot": {
            "reference": "ORG 50/003/2026",
            "title": "Board election",
            "method": method,
            "seats": 1,
            "candidates": [] if method == "yesno" else candidates,
            "max_approvals": None,
            "seed": "published-seed",
            **ballot,
        },
        "papers": [
            {"receipt_fingerprint": f"r{i}", "content": content}
            for i, content in enumerate(contents)
        ],
    }


def test_parse_reads_the_ballot_and_papers():
    parsed = parse_export(json.dumps(ballot_list("stv", [{"ranking": ["c2", "c1"]}])))
    assert parsed.reference == "ORG 50/003/2026"
    assert parsed.candidate_ids == ["c1", "c2"]
    assert parsed.ballots() == [["c2", "c1"]]


def test_write_then_parse_gives_back_the_list():
    original = BallotList(
        reference="ORG 50/004/2026",
        title="Motion 12",
        method="yesno",
        seats=1,
        candidates=[],
        seed="s",
        papers=[Paper("r1", {"choice": "yes"}), Paper("r2", {"choice": "abstain"})],
    )
    assert parse_export(write_export(original)) == original


def test_written_list_has_one_paper_per_line():
    listed = BallotList(
        "R", "T", "irv", 1, [ListedCandidate("a", "A")], "s", [Paper("r1", {"ranking": ["a"]})]
    )
    lines = write_export(listed).splitlines()
    assert any(line.strip().startswith('{"content"') and "r1" in line for line in lines)


def test_json_syntax_error_names_the_line():
    with pytest.raises(ExportError) as raised:
        parse_export('{\n"format": "ballot-list/1",\n"ballot": }')
    assert raised.value.location == 3


def test_paper_with_the_wrong_content_names_the_paper():
    document = ballot_list("stv", [{"ranking": ["c1"]}, {"choices": ["c1"]}])
    with pytest.raises(ExportError) as raised:
        parse_export(json.dumps(document))
    assert raised.value.location == "papers[1].content"


def test_ranking_that_is_not_a_list_of_ids_names_the_field():
    document = ballot_list("irv", [{"ranking": ["c1", 2]}])
    with pytest.raises(ExportError) as raised:
        parse_export(json.dumps(document))
    assert raised.value.location == "papers[0].content.ranking"


def test_duplicate_receipt_fingerprint_is_refused():
    document = ballot_list("yesno", [{"choice": "yes"}, {"choice": "no"}])
    document["papers"][1]["receipt_fingerprint"] = "r0"
    with pytest.raises(ExportError, match="duplicate receipt"):
        parse_export(json.dumps(document))


def test_unknown_format_is_refused():
    document = ballot_list("yesno", [])
    document["format"] = "ballot-list/2"
    with pytest.raises(ExportError) as raised:
        parse_export(json.dumps(document))
    assert raised.value.location == "format"


def test_tally_dispatches_yes_no_papers():
    result = tally("yesno", 1, [], ["yes", "no", "yes"])
    assert isinstance(result, YesNoResult) and result.yes == 2


def test_tally_refuses_an_unknown_method():
    with pytest.raises(ValueError, match="unknown method"):
        tally("borda", 1, ["a"], [])


def test_tally_file_recounts_a_json_list_with_names():
    contents = [{"ranking": ["c2", "c1"]}] * 3 + [{"ranking": ["c1"]}] * 2
    summary = tally_file(json.dumps(ballot_list("stv", contents)))
    assert summary["method"] == "stv"
    assert summary["elected"] == ["Youssef"]
    assert summary["elected_ids"] == ["c2"]
    assert summary["reference"] == "ORG 50/003/2026"
    json.dumps(summary)


def test_tally_file_counts_unknown_candidates_as_invalid():
    contents = [{"ranking": ["c1"]}, {"ranking": ["c9"]}]
    summary = tally_file(json.dumps(ballot_list("irv", contents)))
    assert (summary["valid"], summary["invalid"]) == (1, 1)


def test_tally_file_can_recount_rankings_by_another_ranked_method():
    contents = [{"ranking": ["c1", "c2"]}] * 3 + [{"ranking": ["c2"]}] * 2
    summary = tally_file(json.dumps(ballot_list("stv", contents)), method="meek")
    assert (summary["method"], summary["elected"]) == ("meek", ["Amina"])


def test_tally_file_refuses_a_method_of_another_kind():
    with pytest.raises(ExportError, match="cannot be counted"):
        tally_file(json.dumps(ballot_list("stv", [])), method="approval")


def test_tally_file_reads_yes_no_figures():
    contents = [{"choice": "yes"}, {"choice": "no"}, {"choice": "blank"}]
    summary = tally_file(json.dumps(ballot_list("yesno", contents)))
    assert (summary["yes"], summary["no"], summary["blank"], summary["total"]) == (1, 1, 1, 3)


def test_tally_file_uses_the_published_seed_for_lots():
    contents = [{"choices": ["c1"]}, {"choices": ["c2"]}]
    summary = tally_file(json.dumps(ballot_list("plurality", contents)))
    assert summary["seed"] == "published-seed"
    assert summary["tie_breaks"][0]["method"] == "lot"


def test_tally_file_detects_blt_and_counts_scottish_stv_by_default():
    text = write_blt(["A", "B", "C"], 1, {("A",): 4, ("B", "A"): 2, ("C",): 3}, title="Chair")
    summary = tally_file(text)
    assert (summary["format"], summary["method"], summary["title"]) == ("blt", "stv", "Chair")
    assert summary["elected"] == ["A"]


def test_tally_file_counts_blt_by_instant_runoff_for_one_seat():
    text = write_blt(["A", "B", "C"], 2, {("A",): 4, ("B", "A"): 2, ("C",): 3})
    summary = tally_file(text, method="irv")
    assert (summary["seats"], summary["elected"]) == (1, ["A"])


def test_a_read_list_groups_identical_papers_without_keeping_them():
    contents = [{"ranking": ["c1", "c2"]}] * 3 + [{"ranking": ["c2"]}]
    listed = read_export(io.BytesIO(json.dumps(ballot_list("stv", contents)).encode()))
    assert listed.papers == []
    assert listed.ballots() == {("c1", "c2"): 3, ("c2",): 1}
    assert listed.number_of_papers == 4


def test_a_repeated_fingerprint_among_many_papers_names_the_second_paper():
    document = ballot_list("yesno", [{"choice": "yes"}] * 600)
    document["papers"][517]["receipt_fingerprint"] = "r3"
    with pytest.raises(ExportError) as raised:
        read_export(io.BytesIO(json.dumps(document).encode()))
    assert raised.value.location == "papers[517].receipt_fingerprint"
