"""The word diff: exact on ordinary texts, bounded in size and time on hostile ones."""

from __future__ import annotations

import time

from governance.textdiff import word_diff


def _rebuild(pieces, *, side: str) -> str:
    keep = {"same", side}
    return "".join(p.text for p in pieces if p.op in keep)


def test_a_changed_word_is_one_removal_and_one_addition():
    pieces = word_diff("The section calls on the state", "The section urges the state")
    assert [(p.op, p.text) for p in pieces if p.op != "same"] == [
        ("removed", "calls on"),
        ("added", "urges"),
    ]
    assert pieces.notice == ""


def test_both_texts_can_be_rebuilt_from_the_pieces_in_arabic_too():
    old, new = "تطالب الفرع الدولة بالإفراج", "تطالب الفرع الحكومة بالإفراج فورا"
    pieces = word_diff(old, new)
    assert _rebuild(pieces, side="removed") == old
    assert _rebuild(pieces, side="added") == new


def test_sixteen_kilobytes_of_a_repeated_pair_compare_quickly(settings):
    settings.DIFF_TIMEOUT_SECONDS = 0.5
    old = "a b " * 4096
    new = "b a " * 4000 + "c " * 96
    started = time.monotonic()
    pieces = word_diff(old, new)
    assert time.monotonic() - started < 3
    assert _rebuild(pieces, side="removed") == old
    assert _rebuild(pieces, side="added") == new


def test_a_comparison_stopped_at_its_deadline_says_so(settings):
    settings.DIFF_TIMEOUT_SECONDS = 0.0001
    old = " ".join(str(i) for i in range(3000))
    new = " ".join(str(i) for i in range(3000, 0, -1))
    pieces = word_diff(old, new)
    assert "stopped" in pieces.notice
    assert _rebuild(pieces, side="added") == new


def test_texts_past_the_cap_are_shown_whole_with_a_notice(settings):
    settings.DIFF_MAX_CHARS = 100
    pieces = word_diff("x " * 60, "y " * 60)
    assert [p.op for p in pieces] == ["removed", "added"]
    assert "too long" in pieces.notice
