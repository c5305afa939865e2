"""Failed logins slow the guesser, never lock the owner out: counts per account and client,
growing waits, a refusal that says how long (and holds no worker)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from governance.accounts import login_throttle
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.7"
ROOM = "198.51.100.20"  # a meeting room's NAT: one address for everybody in it
HOME = "192.0.2.44"


class Clock:
    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(login_throttle, "_now", clock)
    return clock


def login(client, email: str, password: str = "secret-pass-123", *, address: str = ATTACKER):
    return client.post(
        reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=address
    )


def refused_with_wait(response) -> bool:
    return "Too many failed attempts for this account from this connection" in (
        response.content.decode()
    )


def guess(email: str, times: int, *, address: str = ATTACKER, client=None):
    client = client or Client()
    return [login(client, email, "wrong", address=address) for _ in range(times)]


def test_five_failures_are_free_and_the_sixth_attempt_waits_fifteen_seconds(world, clock):
    answers = guess(world.member.email, 5)
    assert not any(refused_with_wait(answer) for answer in answers)
    response = login(Client(), world.member.email)  # even the right password, from there
    assert response.status_code == 200
    assert "Try again in 15 seconds" in response.content.decode()


def test_each_failure_after_the_free_ones_doubles_the_wait(world, clock):
    guess(world.member.email, 5)
    waits = []
    for _ in range(4):
        answer = login(Client(), world.member.email, "wrong")
        assert refused_with_wait(answer)
        waits.append(login_throttle.wait_for(login_throttle.Bucket("address", _pair(world))))
        clock.now += waits[-1]
        guess(world.member.email, 1)  # the attempt the wait allowed, wrong again
    assert waits == [15, 30, 60, 120]


def _pair(world) -> str:
    return f"{login_throttle._login_id(world.member.email)}:{ATTACKER}"


def test_the_wait_is_capped(world, clock, settings):
    settings.LOGIN_MAX_DELAY_SECONDS = 60
    assert [login_throttle.delay_after(n) for n in range(4, 12)] == [0, 15, 30, 60, 60, 60, 60, 60]


def test_a_refused_attempt_is_not_checked_against_the_password_nor_counted(world, clock):
    guess(world.member.email, 6)
    bucket = login_throttle.Bucket("address", _pair(world))
    before = login_throttle.wait_for(bucket)
    guess(world.member.email, 20)
    assert login_throttle.wait_for(bucket) == before
    clock.now += before
    assert login(Client(), world.member.email).status_code == 302


def test_the_owner_logs_in_from_another_address_while_the_attacker_waits(world, clock):
    guess(world.member.email, 12)
    assert login(Client(), world.member.email, address=HOME).status_code == 302


def test_the_owner_logs_in_from_the_attackers_own_network_on_a_known_browser(world, clock):
    """The member logged in on this phone before; the attacker now sits behind the same NAT
    and hammers the member's account. The phone still gets in at the first try."""
    phone = Client()
    assert login(phone, world.member.email, address=ROOM).status_code == 302
    phone.post(reverse("account_logout"))
    assert login_throttle.DEVICE_COOKIE in phone.cookies

    guess(world.member.email, 30, address=ROOM)
    assert refused_with_wait(login(Client(), world.member.email, address=ROOM))

    response = login(phone, world.member.email, address=ROOM)
    assert response.status_code == 302
    assert phone.get(reverse("dashboard")).status_code == 200


def test_another_member_on_the_attackers_network_votes_undisturbed(world, clock):
    guess(world.member.email, 30, address=ROOM)
    neighbour = UserFactory()
    assert login(Client(), neighbour.email, address=ROOM).status_code == 302


def test_a_forged_device_cookie_is_an_unknown_client(world, clock):
    guess(world.member.email, 6)
    client = Client()
    client.cookies[login_throttle.DEVICE_COOKIE] = "forged"
    assert refused_with_wait(login(client, world.member.email))


def test_a_known_browser_that_guesses_wrong_is_slowed_on_its_own_count(world, clock):
    phone = Client()
    login(phone, world.member.email)
    phone.post(reverse("account_logout"))
    guess(world.member.email, 6, client=phone)
    assert refused_with_wait(login(phone, world.member.email))
    # ... and the address's pair is untouched by it.
    assert login(Client(), world.member.email).status_code == 302


def test_a_success_forgets_the_failures_of_its_client(world, clock):
    guess(world.member.email, 4)
    assert login(Client(), world.member.email).status_code == 302
    answers = guess(world.member.email, 5)
    assert not any(refused_with_wait(answer) for answer in answers)
