"""A decision's figures in words a member understands: no raw keys, no Python literals, the
elected named in the order of election, in English, French and Arabic."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from elections import services
from governance.statutes.text import figure_items
from tests.elections.conftest import add_voters, draft_election, published

pytestmark = pytest.mark.django_db


def test_figures_are_words_with_the_elected_in_order():
    items = dict(figure_items({"took_part": 74, "elected": ["Sara Guessous", "Amine Idrissi"]}))
    assert items == {"Took part": "74", "Elected": "1. Sara Guessous, 2. Amine Idrissi"}
    for language in ("fr", "ar"):
        with translation.override(language):
            shown = dict(figure_items({"took_part": 74, "method": "stv", "elected": ["A", "B"]}))
        assert not {"Took part", "Counting method", "took_part", "method"} & set(shown)
        assert "Single transferable vote (Scottish rules)" not in shown.values()
        assert "1. A, 2. B" in shown.values()


def test_figures_read_in_their_order_whatever_the_stored_one():
    # As PostgreSQL's jsonb returns them: shortest keys first.
    stored = {"no": 1, "yes": 5, "blank": 0, "method": "yesno", "abstain": 1, "invalid": 0}
    stored |= {"eligible": 7, "took_part": 7, "quorum_note": "met"}
    labels = [label for label, _value in figure_items(stored)]
    assert labels == [
        "Counting method",
        "Entitled to vote",
        "Took part",
        "Yes",
        "No",
        "Abstentions",
        "Blank papers",
        "Invalid papers",
        "Quorum note",
    ]


def test_the_decision_page_names_the_elected_without_raw_keys(world, client_for):
    voters = add_voters(world, 3)
    ballot = services.open_ballot(actor=world.officer, ballot=draft_election(world))
    rankings = [["c1", "c2"], ["c2", "c1"], ["c1", "c3"]]
    ballot = published(world, ballot, list(zip(voters, rankings, strict=True)))
    url = reverse("decision_detail", args=[ballot.decision.reference])
    for language in ("en", "fr", "ar"):
        body = client_for("member").get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert "took_part" not in body and "eligible" not in body
        assert "['" not in body and "&#x27;" not in body
    body = client_for("member").get(url).content.decode()
    elected = ballot.decision.figures["elected"]
    assert f"1. {elected[0]}, 2. {elected[1]}" in body
