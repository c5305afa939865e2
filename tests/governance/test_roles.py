"""Roles are computed once per request, and a role changed within the request is seen at once."""

import datetime as dt

import pytest
from django.utils import timezone

from governance import services
from governance.accounts.auth import session_users
from governance.models import Mandate
from governance.permissions import may_act_for_body, roles_for, roles_per_request
from governance.services import SYSTEM
from tests.factories import MandateFactory

pytestmark = pytest.mark.django_db


def test_within_a_request_the_roles_of_an_account_are_read_once(world, django_assert_num_queries):
    with roles_per_request():
        first = roles_for(world.officer)
        with django_assert_num_queries(0):
            assert roles_for(world.officer) is first
            assert first.officer_body_ids == {world.board.pk}


def test_a_mandate_ended_within_a_request_is_refused_at_the_next_check(world):
    mandate = Mandate.objects.get(member=world.officer.member, body=world.board)
    with roles_per_request():
        assert may_act_for_body(world.officer, world.board)
        services.end_mandate(
            actor=world.officer,
            mandate=mandate,
            ends_on=timezone.localdate() - dt.timedelta(days=1),
            reason="Resigned",
        )
        assert not may_act_for_body(world.officer, world.board)
        assert not roles_for(world.officer).officer


def test_a_mandate_granted_within_a_request_counts_at_the_next_check(world):
    # The session's user, loaded with `holds_mandate` (False: an ordinary member).
    user = session_users().get(pk=world.member.pk)
    with roles_per_request():
        assert not roles_for(user).officer
        services.create_mandate(
            actor=SYSTEM,
            member=user.member,
            body=world.committee,
            role=Mandate.Role.MEMBER,
            starts_on=timezone.localdate(),
            ends_on=timezone.localdate() + dt.timedelta(days=365),
            decision=None,
        )
        assert roles_for(user).officer_body_ids == {world.committee.pk}


def test_outside_a_request_nothing_is_kept_on_the_user(world):
    assert not roles_for(world.member).officer
    MandateFactory(member=world.member.member, body=world.committee)
    assert roles_for(world.member).officer_body_ids == {world.committee.pk}


def test_a_request_keeps_nothing_for_the_next_one(world):
    with roles_per_request():
        assert not roles_for(world.member).officer
    MandateFactory(member=world.member.member, body=world.committee)
    with roles_per_request():
        assert roles_for(world.member).officer


def test_outside_a_request_the_session_users_mandate_flag_is_not_trusted(world):
    user = session_users().get(pk=world.member.pk)
    MandateFactory(member=user.member, body=world.committee)
    assert roles_for(user).officer_body_ids == {world.committee.pk}
