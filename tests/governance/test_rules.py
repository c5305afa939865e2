"""Statute rule evaluation (governance.statutes.rules): pure functions, no database."""

import datetime as dt
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from governance.statutes import rules

QUARTER = rules.parse_rule("quorum", {"first_convocation": "1/4", "second_convocation": None})
SIMPLE = rules.parse_rule(
    "majority",
    {"kind": "simple", "fraction": "1/2", "count_abstentions": False, "count_blanks": False},
)
SIMPLE_ABSTENTIONS_COUNT = rules.parse_rule(
    "majority",
    {"kind": "simple", "fraction": "1/2", "count_abstentions": True, "count_blanks": True},
)
ABSOLUTE = rules.parse_rule(
    "majority",
    {"kind": "absolute", "fraction": "1/2", "count_abstentions": True, "count_blanks": True},
)
TWO_THIRDS = rules.parse_rule(
    "majority",
    {"kind": "qualified", "fraction": "2/3", "count_abstentions": False, "count_blanks": False},
)

fractions = st.builds(Fraction, st.integers(1, 20), st.integers(1, 20)).filter(lambda f: f <= 1)
majority_fractions = st.builds(Fraction, st.integers(1, 19), st.integers(2, 20)).filter(
    lambda f: Fraction(1, 2) <= f < 1
)
counts = st.integers(0, 10_000)


# ---------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "params", "field"),
    [
        ("quorum", {"first_convocation": "3/2", "second_convocation": None}, "first_convocation"),
        ("quorum", {"first_convocation": "0/4", "second_convocation": None}, "first_convocation"),
        ("quorum", {"first_convocation": "1/0", "second_convocation": None}, "first_convocation"),
        ("quorum", {"first_convocation": 0.25, "second_convocation": None}, "first_convocation"),
        (
            "quorum",
            {"first_convocation": "a quarter", "second_convocation": None},
            "first_convocation",
        ),
        ("quorum", {"first_convocation": "1/4", "third_convocation": "1/8"}, "third_convocation"),
        (
            "majority",
            {
                "kind": "relative",
                "fraction": "1/2",
                "count_abstentions": False,
                "count_blanks": False,
            },
            "kind",
        ),
        (
            "majority",
            {
                "kind": "simple",
                "fraction": "1/3",
                "count_abstentions": False,
                "count_blanks": False,
            },
            "fraction",
        ),
        (
            "majority",
            {
                "kind": "qualified",
                "fraction": "1/2",
                "count_abstentions": False,
                "count_blanks": False,
            },
            "fraction",
        ),
        (
            "majority",
            {
                "kind": "qualified",
                "fraction": "1/1",
                "count_abstentions": False,
                "count_blanks": False,
            },
            "fraction",
        ),
        (
            "majority",
            {"kind": "simple", "fraction": "1/2", "count_abstentions": "no", "count_blanks": False},
            "count_abstentions",
        ),
        (
            "eligibility",
            {"good_standing": True, "min_months": -1, "min_age": 18, "body": None},
            "min_months",
        ),
        (
            "eligibility",
            {"good_standing": True, "min_months": 3, "min_age": True, "body": None},
            "min_age",
        ),
        (
            "eligibility",
            {"good_standing": True, "min_months": 3, "min_age": 18, "body": ""},
            "body",
        ),
        ("notice", {"assembly_days": 30, "motion_days": "21", "amendment_days": 10}, "motion_days"),
        ("terms", {"length_months": 0, "max_consecutive": 2}, "length_months"),
        (
            "terms",
            {"length_months": 24, "max_consecutive": 2, "reserved_seats": {"youth": 1}},
            "youth_max_age",
        ),
        (
            "terms",
            {"length_months": 24, "max_consecutive": 2, "reserved_seats": {"youth": -1}},
            "reserved_seats",
        ),
        ("proxies", {"allowed": True, "max_carried": 0}, "max_carried"),
        ("sponsorship", {"min_cosponsors": 2.5}, "min_cosponsors"),
        ("trustees", {"body": "", "threshold": 2}, "body"),
        ("trustees", {"body": "control-committee", "threshold": 0}, "threshold"),
        ("trustees", {"body": "control-committee", "threshold": "2"}, "threshold"),
        ("trustees", {"body": "control-committee", "threshold": 2, "k": 2}, "k"),
    ],
)
def test_malformed_parameters_are_refused_naming_the_parameter(kind, params, field):
    with pytest.raises(rules.RuleError) as caught:
        rules.parse_rule(kind, params)
    assert caught.value.field == field


def test_unknown_kind_and_non_object_parameters_are_refused():
    with pytest.raises(rules.RuleError):
        rules.parse_rule("veto", {})
    with pytest.raises(rules.RuleError):
        rules.parse_rule("quorum", ["1/4"])


def test_a_trustees_rule_names_a_body_and_a_threshold():
    rule = rules.parse_rule("trustees", {"body": "control-committee", "threshold": 2})
    assert (rule.body, rule.threshold, rule.kind) == ("control-committee", 2, "trustees")


def test_disallowed_proxies_carry_none():
    rule = rules.parse_rule("proxies", {"allowed": False, "max_carried": 3})
    assert rule.max_carried == 0
    assert not rules.check_proxy(rule, already_carried=0).satisfied


# ---------------------------------------------------------------------------
# Quorum
# ---------------------------------------------------------------------------


def test_quorum_of_a_quarter_boundaries():
    assert rules.evaluate_quorum(QUARTER, eligible=200, took_part=50).satisfied
    assert not rules.evaluate_quorum(QUARTER, eligible=200, took_part=49).satisfied
    # 201 / 4 = 50.25: 51 people are needed, 50 are not enough.
    outcome = rules.evaluate_quorum(QUARTER, eligible=201, took_part=50, article="7")
    assert not outcome.satisfied
    assert outcome.figures["needed"] == 51
    assert outcome.article == "7" and outcome.threshold == "1/4"


def test_no_quorum_on_second_convocation_accepts_any_turnout():
    outcome = rules.evaluate_quorum(QUARTER, eligible=200, took_part=0, convocation=2)
    assert outcome.satisfied
    assert outcome.threshold == "none"


def test_quorum_with_nobody_eligible_is_not_met():
    assert not rules.evaluate_quorum(QUARTER, eligible=0, took_part=0).satisfied


def test_quorum_refuses_impossible_figures():
    with pytest.raises(ValueError):
        rules.evaluate_quorum(QUARTER, eligible=10, took_part=11)
    with pytest.raises(ValueError):
        rules.evaluate_quorum(QUARTER, eligible=10, took_part=-1)
    with pytest.raises(ValueError):
        rules.evaluate_quorum(QUARTER, eligible=10, took_part=5, convocation=3)


@given(fraction=fractions, eligible=st.integers(0, 100_000), data=st.data())
def test_quorum_is_met_exactly_from_the_fraction_of_the_eligible(fraction, eligible, data):
    took_part = data.draw(st.integers(0, eligible))
    rule = rules.QuorumRule(first_convocation=fraction, second_convocation=None)
    outcome = rules.evaluate_quorum(rule, eligible=eligible, took_part=took_part)
    assert outcome.satisfied == (
        took_part * fraction.denominator >= fraction.numerator * eligible and took_part >= 1
    )
    needed = outcome.figures["needed"]
    if needed <= eligible:
        # `needed` is the boundary: one fewer is not enough.
        assert rules.evaluate_quorum(rule, eligible=eligible, took_part=needed).satisfied
        if needed >= 1:
            assert not rules.evaluate_quorum(
                rule, eligible=eligible, took_part=needed - 1
            ).satisfied


@given(fraction=fractions, eligible=st.integers(1, 10_000), data=st.data())
def test_more_participants_never_lose_a_quorum(fraction, eligible, data):
    took_part = data.draw(st.integers(0, eligible - 1))
    rule = rules.QuorumRule(first_convocation=fraction, second_convocation=None)
    before = rules.evaluate_quorum(rule, eligible=eligible, took_part=took_part).satisfied
    after = rules.evaluate_quorum(rule, eligible=eligible, took_part=took_part + 1).satisfied
    assert after or not before


# ---------------------------------------------------------------------------
# Majority
# ---------------------------------------------------------------------------


def test_simple_majority_tie_is_lost():
    assert not rules.evaluate_majority(SIMPLE, yes=50, no=50).satisfied
    assert rules.evaluate_majority(SIMPLE, yes=51, no=50).satisfied


def test_abstentions_do_not_count_unless_the_statutes_say_so():
    assert rules.evaluate_majority(SIMPLE, yes=40, no=30, abstain=50).satisfied
    assert not rules.evaluate_majority(
        SIMPLE_ABSTENTIONS_COUNT, yes=40, no=30, abstain=50
    ).satisfied
    assert not rules.evaluate_majority(SIMPLE_ABSTENTIONS_COUNT, yes=40, no=30, blank=11).satisfied


def test_absolute_majority_is_of_the_eligible():
    outcome = rules.evaluate_majority(ABSOLUTE, yes=4, no=0, abstain=2, eligible=7, article="14")
    assert outcome.satisfied
    assert outcome.figures["base"] == 7 and outcome.figures["needed"] == 4
    assert not rules.evaluate_majority(ABSOLUTE, yes=3, no=0, eligible=7).satisfied
    assert not rules.evaluate_majority(ABSOLUTE, yes=4, no=0, eligible=8).satisfied


def test_absolute_majority_needs_the_electorate():
    with pytest.raises(ValueError):
        rules.evaluate_majority(ABSOLUTE, yes=4, no=0)


def test_two_thirds_is_at_least_two_thirds():
    assert rules.evaluate_majority(TWO_THIRDS, yes=20, no=10).satisfied
    assert not rules.evaluate_majority(TWO_THIRDS, yes=19, no=10).satisfied
    outcome = rules.evaluate_majority(TWO_THIRDS, yes=67, no=33, abstain=40)
    assert outcome.satisfied and outcome.figures["needed"] == 67


def test_zero_turnout_adopts_nothing():
    for rule in (SIMPLE, SIMPLE_ABSTENTIONS_COUNT, TWO_THIRDS):
        assert not rules.evaluate_majority(rule, yes=0, no=0).satisfied
    assert not rules.evaluate_majority(TWO_THIRDS, yes=0, no=0, abstain=5).satisfied
    assert not rules.evaluate_majority(ABSOLUTE, yes=0, no=0, eligible=0).satisfied


def test_majority_refuses_impossible_figures():
    with pytest.raises(ValueError):
        rules.evaluate_majority(SIMPLE, yes=-1, no=0)
    with pytest.raises(ValueError):
        rules.evaluate_majority(SIMPLE, yes=5, no=5, eligible=9)


@given(
    majority=st.sampled_from(rules.MAJORITY_KINDS),
    fraction=majority_fractions,
    count_abstentions=st.booleans(),
    count_blanks=st.booleans(),
    yes=counts,
    no=counts,
    abstain=counts,
    blank=counts,
    extra=counts,
)
def test_majority_matches_exact_arithmetic(
    majority, fraction, count_abstentions, count_blanks, yes, no, abstain, blank, extra
):
    assume(not (majority == "qualified" and fraction == Fraction(1, 2)))
    rule = rules.MajorityRule(majority, fraction, count_abstentions, count_blanks)
    eligible = yes + no + abstain + blank + extra
    outcome = rules.evaluate_majority(
        rule, yes=yes, no=no, abstain=abstain, blank=blank, eligible=eligible
    )
    if majority == "absolute":
        base = eligible
    else:
        base = yes + no + (abstain if count_abstentions else 0) + (blank if count_blanks else 0)
    if majority == "qualified":
        expected = yes >= 1 and Fraction(yes, 1) >= fraction * base
    else:
        expected = Fraction(yes, 1) > fraction * base
    assert outcome.satisfied == expected
    assert outcome.figures["base"] == base
    assert outcome.satisfied == (yes >= outcome.figures["needed"])


@given(fraction=majority_fractions, yes=counts, no=counts)
def test_one_more_vote_in_favour_never_loses_and_one_more_against_never_wins(fraction, yes, no):
    rule = rules.MajorityRule("simple", fraction, False, False)
    won = rules.evaluate_majority(rule, yes=yes, no=no).satisfied
    assert rules.evaluate_majority(rule, yes=yes + 1, no=no).satisfied or not won
    assert not rules.evaluate_majority(rule, yes=yes, no=no + 1).satisfied or won


@given(yes=counts, no=counts)
def test_simple_majority_of_half_means_more_for_than_against(yes, no):
    assert rules.evaluate_majority(SIMPLE, yes=yes, no=no).satisfied == (yes > no)


@given(yes=counts, no=counts)
def test_a_qualified_majority_implies_a_simple_one(yes, no):
    if rules.evaluate_majority(TWO_THIRDS, yes=yes, no=no).satisfied:
        assert rules.evaluate_majority(SIMPLE, yes=yes, no=no).satisfied


def test_outcome_serialises_to_plain_json_data():
    outcome = rules.check_notice(
        rules.parse_rule("notice", {"assembly_days": 30, "motion_days": 21, "amendment_days": 10}),
        what="motion",
        event_on=dt.date(2026, 6, 30),
        done_on=dt.date(2026, 6, 1),
        article="6",
    )
    assert outcome.as_dict() == {
        "kind": "notice",
        "satisfied": True,
        "article": "6",
        "threshold": "21 days",
        "figures": {
            "what": "motion",
            "days": 21,
            "event_on": "2026-06-30",
            "done_on": "2026-06-01",
            "deadline": "2026-06-09",
        },
    }


# ---------------------------------------------------------------------------
# Eligibility
# ---------------------------------------------------------------------------

VOTING = rules.parse_rule(
    "eligibility", {"good_standing": True, "min_months": 3, "min_age": 18, "body": None}
)
BOARD_ONLY = rules.parse_rule(
    "eligibility", {"good_standing": False, "min_months": 0, "min_age": 0, "body": "board"}
)
VOTE_DAY = dt.date(2026, 6, 15)


def facts(**overrides):
    values = {
        "is_member": True,
        "good_standing": True,
        "joined_on": dt.date(2026, 3, 15),
        "birth_date": dt.date(2008, 6, 15),
    }
    values.update(overrides)
    return rules.MemberFacts(**values)


def test_eligible_on_the_exact_day_of_three_months_and_eighteenth_birthday():
    outcome = rules.evaluate_eligibility(VOTING, facts(), on=VOTE_DAY, article="4")
    assert outcome.satisfied
    assert outcome.figures["months_of_membership"] == 3 and outcome.figures["age"] == 18


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"is_member": False}, "not_a_member"),
        ({"good_standing": False}, "dues_unpaid"),
        ({"joined_on": dt.date(2026, 3, 16)}, "membership_too_recent"),
        ({"birth_date": dt.date(2008, 6, 16)}, "too_young"),
        ({"birth_date": None}, "birth_date_unknown"),
    ],
)
def test_each_unmet_condition_is_named(overrides, reason):
    outcome = rules.evaluate_eligibility(VOTING, facts(**overrides), on=VOTE_DAY)
    assert not outcome.satisfied
    assert outcome.figures["failed"] == [reason]


def test_body_membership_condition():
    assert not rules.evaluate_eligibility(BOARD_ONLY, facts(), on=VOTE_DAY).satisfied
    assert rules.evaluate_eligibility(
        BOARD_ONLY, facts(body_codes=frozenset({"board"})), on=VOTE_DAY
    ).satisfied


def test_age_on_a_leap_day_birthday():
    born = dt.date(2008, 2, 29)
    assert rules.age_on(born, dt.date(2026, 2, 28)) == 17
    assert rules.age_on(born, dt.date(2026, 3, 1)) == 18


def test_months_and_month_arithmetic_at_month_ends():
    assert rules.add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert rules.add_months(dt.date(2027, 12, 15), 2) == dt.date(2028, 2, 15)
    assert rules.months_between(dt.date(2026, 1, 31), dt.date(2026, 2, 27)) == 0
    assert rules.months_between(dt.date(2026, 1, 31), dt.date(2026, 2, 28)) == 1
    assert rules.months_between(dt.date(2026, 5, 1), dt.date(2026, 4, 1)) == 0


@given(start=st.dates(dt.date(1950, 1, 1), dt.date(2100, 1, 1)), months=st.integers(0, 600))
def test_months_between_inverts_add_months(start, months):
    assert rules.months_between(start, rules.add_months(start, months)) == months


# ---------------------------------------------------------------------------
# Notice, terms, proxies, co-sponsors
# ---------------------------------------------------------------------------

NOTICE = rules.parse_rule("notice", {"assembly_days": 30, "motion_days": 21, "amendment_days": 10})


@pytest.mark.parametrize(("what", "days"), [("assembly", 30), ("motion", 21), ("amendment", 10)])
def test_notice_deadline_is_inclusive(what, days):
    meeting = dt.date(2026, 6, 30)
    deadline = meeting - dt.timedelta(days=days)
    assert rules.check_notice(NOTICE, what=what, event_on=meeting, done_on=deadline).satisfied
    late = rules.check_notice(
        NOTICE, what=what, event_on=meeting, done_on=deadline + dt.timedelta(days=1)
    )
    assert not late.satisfied
    assert late.figures["deadline"] == deadline


def test_notice_for_an_unknown_thing_is_an_error():
    with pytest.raises(ValueError):
        rules.check_notice(
            NOTICE, what="dinner", event_on=dt.date(2026, 6, 30), done_on=dt.date(2026, 6, 1)
        )


TERMS = rules.parse_rule(
    "terms",
    {
        "length_months": 24,
        "max_consecutive": 2,
        "reserved_seats": {"youth": 1},
        "youth_max_age": 25,
    },
)


def test_a_term_ends_the_day_before_its_anniversary():
    assert rules.term_end(TERMS, dt.date(2026, 6, 1)) == dt.date(2028, 5, 31)
    assert rules.term_end(TERMS, dt.date(2026, 2, 28)) == dt.date(2028, 2, 27)


def test_term_limit():
    assert rules.check_term_limit(TERMS, consecutive_terms_served=1).satisfied
    outcome = rules.check_term_limit(TERMS, consecutive_terms_served=2, article="12")
    assert not outcome.satisfied and outcome.threshold == "2 terms"
    unlimited = rules.parse_rule("terms", {"length_months": 12, "max_consecutive": None})
    assert rules.check_term_limit(unlimited, consecutive_terms_served=40).satisfied


def test_proxy_limit():
    rule = rules.parse_rule("proxies", {"allowed": True, "max_carried": 2})
    assert rules.check_proxy(rule, already_carried=1).satisfied
    assert not rules.check_proxy(rule, already_carried=2).satisfied


def test_cosponsor_minimum():
    rule = rules.parse_rule("sponsorship", {"min_cosponsors": 5})
    assert rules.check_sponsorship(rule, cosponsors=5).satisfied
    outcome = rules.check_sponsorship(rule, cosponsors=4)
    assert not outcome.satisfied and outcome.figures["needed"] == 5


def test_rule_evaluation_has_no_django_imports():
    import ast
    from pathlib import Path

    tree = ast.parse(Path(rules.__file__).read_text())
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not any(name and name.startswith("django") for name in imported)


def test_every_founding_rule_reads_in_plain_words():
    from governance.statutes.text import describe_rule
    from tests.factories import statute_articles

    for article in statute_articles():
        for rule in article.rules:
            assert "Unreadable" not in describe_rule(rule.kind, rule.params)


@given(
    good_standing=st.booleans(),
    min_months=st.integers(0, 36),
    min_age=st.integers(0, 30),
    body=st.sampled_from([None, "board"]),
    facts=st.lists(
        st.builds(
            rules.MemberFacts,
            is_member=st.booleans(),
            good_standing=st.booleans(),
            joined_on=st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31)),
            birth_date=st.none() | st.dates(dt.date(1930, 1, 1), dt.date(2030, 12, 31)),
            body_codes=st.sampled_from([frozenset(), frozenset({"board"})]),
        ),
        max_size=20,
    ),
    on=st.dates(dt.date(2000, 1, 1), dt.date(2030, 12, 31)),
)
def test_the_roll_wide_eligibility_test_agrees_with_the_full_evaluation(
    good_standing, min_months, min_age, body, facts, on
):
    rule = rules.EligibilityRule(good_standing, min_months, min_age, body)
    satisfied = rules.eligibility_test(rule, on=on)
    for member in facts:
        expected = rules.evaluate_eligibility(rule, member, on=on).satisfied
        assert satisfied(member) == expected
