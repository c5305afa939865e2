"""Who holds a secret ballot's key: by default the body the statutes name (the trustees
rule of article 16: the Control Committee, 2 of its members), else whom officers appoint,
on the page or the API, while the ballot is a draft and no trustee has begun the ceremony."""

from __future__ import annotations

import pytest

from elections import ballot_box, services
from elections.models import BallotBox
from governance.exceptions import DomainError, NotAllowed
from governance.models import AuditEvent, Body
from tests.elections.conftest import add_voters, draft_ballot
from tests.factories import MandateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def control(world):
    """The Control Committee of the suite's article 16, with three members in office."""
    body = Body.objects.create(
        unit=world.section, code="control-committee", name="Control Committee", kind="committee"
    )
    users = add_voters(world, 3)
    for user in users:
        MandateFactory(member=user.member, body=body)
    return [u.member for u in users]


def test_a_secret_ballot_is_drafted_with_the_trustees_the_statutes_name(world, control):
    ballot = draft_ballot(world)
    box = BallotBox.objects.get(ballot=ballot)
    assert box.threshold == 2 and box.trustees_article.number == "16"
    assert {t.member_id for t in box.trustees.all()} == {m.pk for m in control}
    assert not any(t.is_demo for t in box.trustees.all())
    event = AuditEvent.objects.get(action="ballot.trustees_appointed")
    assert event.new["article"] == "16" and event.new["threshold"] == 2


def test_no_default_without_enough_members_in_office_or_for_a_named_ballot(world, control):
    assert not BallotBox.objects.filter(
        ballot=draft_ballot(world, kind="roll_call", body=world.board, rule_scope="board")
    ).exists()
    world_body = Body.objects.get(code="control-committee")
    world_body.mandates.update(ends_on=world_body.mandates.first().starts_on)
    assert not BallotBox.objects.filter(ballot=draft_ballot(world)).exists()


def test_officers_name_other_trustees_until_the_ceremony_begins(world, control, tmp_path):
    ballot = draft_ballot(world)
    others = [world.member.member, world.officer.member]
    box = ballot_box.appoint_trustees(
        actor=world.officer, ballot=ballot, members=others, threshold_k=1
    )
    assert box.trustees_article is None and box.threshold == 1
    assert [t.member_id for t in box.trustees.all()] == [m.pk for m in others]
    event = AuditEvent.objects.filter(action="ballot.trustees_appointed").last()
    assert event.old["article"] == "16" and event.new["article"] is None
    # Back to the statutes' choice: the article is recorded again.
    box = ballot_box.appoint_trustees(
        actor=world.officer, ballot=ballot, members=control, threshold_k=2
    )
    assert box.trustees_article.number == "16"
    # Once a trustee has published their transport key, the choice stands.
    box.trustees.filter(index=1).update(transport_key={"index": 1, "key": "00"})
    with pytest.raises(DomainError, match="key ceremony"):
        ballot_box.appoint_trustees(
            actor=world.officer, ballot=ballot, members=others, threshold_k=1
        )


@pytest.mark.parametrize(
    ("case", "field"),
    [("k_above_n", "threshold"), ("twice", "members"), ("outsider", "members"), ("demo", "demo")],
)
def test_a_bad_appointment_is_refused_naming_the_field(world, settings, case, field):
    settings.ELECTIONS_DEMO_SERVER_KEY = case != "demo"
    ballot = draft_ballot(world)
    one, two = world.member.member, world.officer.member
    outsider = add_voters(world, 1)[0].member
    outsider.kind = "supporter"
    outsider.save()
    members, k = {
        "k_above_n": ([one, two], 3),
        "twice": ([one, one], 1),
        "outsider": ([one, outsider], 1),
        "demo": ([one], 1),
    }[case]
    with pytest.raises(DomainError) as caught:
        ballot_box.appoint_trustees(
            actor=world.officer, ballot=ballot, members=members, threshold_k=k, demo=case == "demo"
        )
    assert caught.value.field == field
    assert not BallotBox.objects.filter(ballot=ballot).exists()


def test_only_officers_of_the_body_and_only_on_a_draft(world):
    ballot = draft_ballot(world)
    with pytest.raises(NotAllowed):
        ballot_box.appoint_trustees(
            actor=world.member, ballot=ballot, members=[world.member.member], threshold_k=1
        )
    services.open_ballot(actor=world.officer, ballot=ballot)
    with pytest.raises(DomainError, match="draft"):
        ballot_box.appoint_trustees(
            actor=world.officer, ballot=ballot, members=[world.member.member], threshold_k=1
        )
