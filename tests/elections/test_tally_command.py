"""The `tally` command: recounts from BLT files and published ballot lists, and its errors."""

from __future__ import annotations

import io
import json
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from elections.counting import BallotList, ListedCandidate, Paper, write_export

# Quota floor(14 / 3) + 1 = 5. Stage 1: Amina 8, Salma 3, Karim 2, Youssef 1; Amina elected.
# Stage 2: her surplus of 3 goes to Youssef (8 papers at 3/8): Youssef 4. Nobody new at 5.
# Stage 3: Karim (2) excluded, his papers go to Salma: 5, elected. Amina, Salma in 3 stages.
BOARD_BLT = """\
4 2
8 1 2 0
3 3 0
2 4 3 0
1 2 0
0
"Amina"
"Youssef"
"Salma"
"Karim"
"Section Board 2026"
"""

CANDIDATES = [
    ListedCandidate("c1", "Amina"),
    ListedCandidate("c2", "Youssef"),
    ListedCandidate("c3", "Salma"),
]


def tally(*args: str) -> dict:
    out = io.StringIO()
    call_command("tally", *args, stdout=out)
    return json.loads(out.getvalue())


def ballot_list(method: str, contents: list[dict], candidates=CANDIDATES) -> BallotList:
    return BallotList(
        reference="ORG 50/003/2026",
        title="Election of the Section Board",
        method=method,
        seats=1,
        candidates=list(candidates),
        seed="4f1c",
        papers=[Paper(f"fp{index}", content) for index, content in enumerate(contents)],
    )


@pytest.fixture
def board_blt(tmp_path):
    path = tmp_path / "board.blt"
    path.write_text(BOARD_BLT, encoding="utf-8")
    return path


@pytest.fixture
def irv_list(tmp_path):
    # Amina 4, Youssef 3, Salma 2 (then Youssef), 1 blank: Salma out, Youssef wins 5 to 4.
    papers = (
        [{"ranking": ["c1"]}] * 4
        + [{"ranking": ["c2"]}] * 3
        + [{"ranking": ["c3", "c2"]}] * 2
        + [{"ranking": []}]
    )
    path = tmp_path / "irv.json"
    path.write_text(write_export(ballot_list("irv", papers)), encoding="utf-8")
    return path


def test_stv_count_of_a_blt_file_prints_the_elected_in_order_and_every_stage(board_blt):
    result = tally(str(board_blt))
    assert result["method"] == "stv"
    assert result["title"] == "Section Board 2026"
    assert result["elected"] == ["Amina", "Salma"]
    assert result["quota"] == "5.00000"
    assert [(s["action_code"], s["subject"]) for s in result["stages"]] == [
        ("first_preferences", None),
        ("surplus_transferred", "Amina"),
        ("excluded", "Karim"),
    ]
    assert result["stages"][1]["votes"]["Youssef"] == "4.00000"
    assert result["stages"][2]["votes"]["Salma"] == "5.00000"


def test_output_is_indented_json_on_stdout(board_blt):
    out = io.StringIO()
    call_command("tally", str(board_blt), stdout=out)
    assert out.getvalue().startswith('{\n  "format": "blt",')


def test_meek_count_of_the_same_blt_file_elects_the_same_candidates(board_blt):
    result = tally("--method", "meek", str(board_blt))
    assert result["method"] == "meek"
    assert result["elected"] == ["Amina", "Salma"]
    assert result["stages"][-1]["subject"] == "Karim"


def test_seats_option_overrides_the_blt_file(board_blt):
    # One seat: quota floor(14 / 2) + 1 = 8, which Amina reaches on first preferences.
    result = tally("--seats", "1", str(board_blt))
    assert result["seats"] == 1
    assert result["elected"] == ["Amina"]
    assert len(result["stages"]) == 1


def test_yes_no_ballot_list_is_recounted_with_its_figures(tmp_path):
    choices = ["yes"] * 5 + ["no"] * 3 + ["abstain", "blank", "maybe"]
    path = tmp_path / "motion.json"
    path.write_text(
        write_export(ballot_list("yesno", [{"choice": c} for c in choices], candidates=[])),
        encoding="utf-8",
    )
    result = tally(str(path))
    assert result["reference"] == "ORG 50/003/2026"
    expected = {"yes": 5, "no": 3, "abstain": 1, "blank": 1, "invalid": 1, "total": 11}
    assert {key: result[key] for key in expected} == expected
    assert result["invalid_reasons"] == {"unknown_choice": 1}
    assert (result["elected"], result["stages"]) == ([], [])


def test_irv_ballot_list_is_recounted_by_the_method_it_names(irv_list):
    result = tally(str(irv_list))
    assert result["method"] == "irv"
    assert result["elected"] == ["Youssef"]
    assert result["elected_ids"] == ["c2"]
    assert (result["valid"], result["blank"]) == (9, 1)
    assert result["stages"][0]["votes"] == {"c1": 4, "c2": 3, "c3": 2}
    assert result["stages"][-1]["votes"]["c2"] == 5


def test_plurality_ballot_list_is_recounted(tmp_path):
    papers = [{"choices": ["c1"]}] * 4 + [{"choices": ["c2"]}] * 3 + [{"choices": ["c2", "c3"]}]
    path = tmp_path / "plurality.json"
    path.write_text(write_export(ballot_list("plurality", papers)), encoding="utf-8")
    result = tally(str(path))
    assert result["method"] == "plurality"
    assert result["elected"] == ["Amina"]
    assert (result["valid"], result["invalid"]) == (7, 1)


def test_ranked_papers_cannot_be_recounted_by_plurality(irv_list):
    with pytest.raises(CommandError, match=r"ballot\.method: irv papers cannot be counted by"):
        tally("--method", "plurality", str(irv_list))


def test_a_bad_token_in_a_blt_file_is_named_by_its_line(tmp_path):
    path = tmp_path / "bad.blt"
    path.write_text(BOARD_BLT.replace("2 4 3 0", "2 4 x 0"), encoding="utf-8")
    with pytest.raises(CommandError, match=r"bad\.blt: line 4: a preference must be an integer"):
        tally(str(path))


def test_a_blt_file_ending_too_early_is_reported_at_the_end_of_file(tmp_path):
    path = tmp_path / "short.blt"
    path.write_text("4 2\n8 1 2 0\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"short\.blt: end of file: the file ends before"):
        tally(str(path))


def test_a_json_syntax_error_is_named_by_its_line(irv_list):
    lines = irv_list.read_text(encoding="utf-8").splitlines()
    lines[3] = '  {"content": },'
    irv_list.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(CommandError, match=r"irv\.json: line 4: Unexpected symbol"):
        tally(str(irv_list))


def test_a_paper_without_content_is_named_by_its_json_path(irv_list):
    document = json.loads(irv_list.read_text(encoding="utf-8"))
    del document["papers"][1]["content"]
    irv_list.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(CommandError, match=r"irv\.json: papers\[1\]\.content: expected"):
        tally(str(irv_list))


def test_a_missing_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match=r"cannot read .*missing\.blt: No such file"):
        tally(str(tmp_path / "missing.blt"))


def test_a_file_that_is_not_utf8_is_a_command_error(tmp_path):
    path = tmp_path / "latin1.blt"
    path.write_bytes(BOARD_BLT.replace("Salma", "Séverine").encode("latin-1"))
    with pytest.raises(CommandError, match=r"latin1\.blt: line 9: not UTF-8 text"):
        tally(str(path))


def test_zero_seats_is_a_command_error(board_blt):
    with pytest.raises(CommandError, match="seats must be a positive integer"):
        tally("--seats", "0", str(board_blt))


def test_a_blt_file_cannot_be_counted_by_a_yes_no_method(board_blt):
    with pytest.raises(CommandError, match="a BLT file holds rankings"):
        tally("--method", "yesno", str(board_blt))


def test_format_option_forces_the_parser(irv_list):
    with pytest.raises(CommandError, match=r"irv\.json: line 1: "):
        tally("--format", "blt", str(irv_list))


def test_dash_reads_the_file_from_standard_input(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(BOARD_BLT))
    assert tally("-")["elected"] == ["Amina", "Salma"]


def test_standard_input_that_is_not_utf8_is_a_command_error(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b'1 1\n1 1 0\n0\n"\xe9"\n')))
    with pytest.raises(CommandError, match="<stdin>: line 4: not UTF-8 text"):
        tally("-")


def test_json_nested_fifty_thousand_deep_is_refused_with_a_clear_error(tmp_path):
    listed = json.loads(write_export(ballot_list("irv", [{"ranking": ["c1"]}])))
    text = json.dumps(listed).replace('["c1"]', "[" * 50_000 + "]" * 50_000)
    path = tmp_path / "deep.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError, match=r"deep\.json: \$: the JSON is nested more than 32"):
        tally(str(path))


def test_a_json_list_with_its_header_after_the_papers_is_still_counted(irv_list):
    document = json.loads(irv_list.read_text(encoding="utf-8"))
    reordered = {
        "papers": document["papers"],
        "ballot": document["ballot"],
        "format": "ballot-list/1",
    }
    irv_list.write_text(json.dumps(reordered), encoding="utf-8")
    assert tally(str(irv_list))["elected"] == ["Youssef"]


def test_a_json_list_read_from_standard_input_is_counted(irv_list, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(irv_list.read_bytes())))
    assert tally("-")["elected"] == ["Youssef"]


def test_a_bad_line_repeated_in_a_blt_file_is_named_by_its_first_occurrence(tmp_path):
    path = tmp_path / "repeated.blt"
    path.write_text(BOARD_BLT.replace("\n1 2 0\n", "\n1 9 0\n1 9 0\n"), encoding="utf-8")
    with pytest.raises(CommandError, match=r"repeated\.blt: line 5: candidate numbers go from 1"):
        tally(str(path))
