"""`rule_for`: which statute rule applies — the matter's own, the body's own, its kind's —
in the version in force on the day; one order for every caller."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from governance import services
from governance.assemblies import services as assemblies
from governance.exceptions import RuleViolation
from governance.services import SYSTEM, ArticleSpec, RuleSpec
from governance.statutes.lookup import fallback_scopes, require_rule_for, rule_for
from tests.governance.assembly_support import convene

pytestmark = pytest.mark.django_db


def test_the_order_is_the_matter_then_the_body_then_its_kind():
    assert fallback_scopes("ic_motion", body_code="general-assembly", body_kind="assembly") == (
        "ic_motion",
        "general-assembly",
        "assembly",
    )
    assert fallback_scopes(None, body_code="board", body_kind="board") == ("board",)
    assert fallback_scopes("ballot") == ("ballot",)


def test_the_matter_s_own_rule_comes_before_the_body_s(world):
    rule = rule_for("majority", "statute_amendment", body=world.assembly_body)
    assert (rule.scope, rule.article.number) == ("statute_amendment", "15")
    # Motions have no majority of their own: the General Assembly's applies.
    rule = rule_for("majority", "motion", body=world.assembly_body)
    assert (rule.scope, rule.article.number) == ("assembly", "8")
    assert rule_for("majority", "motion") is None
    with pytest.raises(RuleViolation):
        require_rule_for("majority", "motion")


def _version_two(effective_from: dt.date, rules: list[RuleSpec]) -> None:
    services.adopt_statute_version(
        actor=SYSTEM,
        title="v2",
        effective_from=effective_from,
        articles=[ArticleSpec("9", "Proxies", "Proxies.", rules)],
    )


def test_an_article_written_for_the_body_comes_before_its_kind_s(world):
    _version_two(
        timezone.localdate(),
        [
            RuleSpec("proxies", "assembly", {"allowed": True, "max_carried": 2}),
            RuleSpec("proxies", "general-assembly", {"allowed": True, "max_carried": 1}),
        ],
    )
    assert rule_for("proxies", body=world.assembly_body).params["max_carried"] == 1
    assert rule_for("proxies", "assembly").params["max_carried"] == 2
    # The meeting's proxies follow the body's own article.
    assert assemblies.proxy_rule(convene(world.assembly_body)).scope == "general-assembly"


def test_the_version_is_the_one_in_force_on_the_day(world):
    later = timezone.localdate() + dt.timedelta(days=10)
    services.adopt_statute_version(
        actor=SYSTEM,
        title="v2",
        effective_from=later,
        articles=[
            ArticleSpec(
                "7",
                "Quorum",
                "A fifth.",
                [
                    RuleSpec(
                        "quorum",
                        "assembly",
                        {"first_convocation": "1/5", "second_convocation": None},
                    )
                ],
            )
        ],
    )
    assert rule_for("quorum", "assembly").params["first_convocation"] == "1/4"
    assert rule_for("quorum", "assembly", on=later).params["first_convocation"] == "1/5"
    assert rule_for("quorum", body=world.assembly_body, on=later).article.version.number == 2


def test_the_room_shows_the_quorum_the_count_applies(world):
    """The copies disagreed: the count of an IC motion's vote fell back to the General
    Assembly's quorum (an IC motion has a majority of its own but no quorum), the room's
    quorum for the same matter showed none. Both now ask `rule_for`: article 7."""
    ga = convene(world.assembly_body)
    status = assemblies.quorum_status(ga, scope="ic_motion")
    assert status.rule is not None
    assert (status.article, status.scope) == ("7", "assembly")
    statute = assemblies.quorum_status(ga, scope="statute_amendment")
    assert (statute.article, statute.scope) == ("15", "statute_amendment")


def test_a_trustees_rule_for_every_ballot_is_found_after_the_ballot_s_own(world):
    """Scope ``ballot`` (every vote, as the eligibility rule's): the trustees lookup tries
    it after the ballot's scope, its body's code and its body's kind, so such a rule applies
    instead of being adopted and never found."""
    from elections.ballot_box import trustees_rule
    from elections.models import Ballot

    _version_two(
        timezone.localdate(),
        [RuleSpec("trustees", "ballot", {"body": "standing-orders", "threshold": 1})],
    )
    ballot = Ballot(body=world.board, rule_scope="board", opens_at=timezone.now())
    rule = trustees_rule(ballot)
    assert (rule.scope, rule.params["body"]) == ("ballot", "standing-orders")
    # A rule written for the body's kind comes first.
    _version_two(
        timezone.localdate(),
        [
            RuleSpec("trustees", "ballot", {"body": "standing-orders", "threshold": 1}),
            RuleSpec("trustees", "board", {"body": "control-committee", "threshold": 2}),
        ],
    )
    assert trustees_rule(ballot).scope == "board"
    assert fallback_scopes("board", body_code="board", body_kind="board", general="ballot") == (
        "board",
        "ballot",
    )
