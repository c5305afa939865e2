"""Shared fixtures: the suite's clock, a small section with statutes and one user per role."""

from __future__ import annotations

import datetime as dt
import logging
import os
import zoneinfo
from dataclasses import dataclass

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.core.cache import cache
from django.utils import timezone, translation

from governance.models import Body, OrganisationUnit, User
from tests.factories import (
    DuesFactory,
    MandateFactory,
    MemberFactory,
    UnitFactory,
    UserFactory,
    adopt_statutes,
)

TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

# The suite's clock. Every test runs on the same day, whatever day the suite runs: the
# clock starts at 10:00 (local time) on SUITE_TODAY and ticks from there, so no test can
# depend on the real date, and no run crosses midnight. `.ci/run` runs the suite again
# with SUITE_TODAY moved years ahead, so a world that mixes fixed dates with relative
# ones fails in CI on the day it is written, not on a newcomer's machine later.
DEFAULT_SUITE_TODAY = "2026-12-02"


def suite_start() -> dt.datetime:
    today = dt.date.fromisoformat(os.environ.get("SUITE_TODAY") or DEFAULT_SUITE_TODAY)
    zone = zoneinfo.ZoneInfo(os.environ.get("TIME_ZONE", "Africa/Tunis"))
    return dt.datetime.combine(today, dt.time(10, 0), tzinfo=zone)


_clock = time_machine.travel(suite_start(), tick=True)
_clock_coordinates: time_machine.Coordinates | None = None


def _set_clock(running: bool) -> None:
    global _clock_coordinates
    if running and _clock_coordinates is None:
        _clock_coordinates = _clock.start()
    elif not running and _clock_coordinates is not None:
        _clock.stop()
        _clock_coordinates = None


def pytest_configure(config):
    _set_clock(True)


def pytest_unconfigure(config):
    _set_clock(False)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    # Before the item's fixtures (module-scoped ones included) are set up.
    _set_clock(item.get_closest_marker("real_clock") is None)


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """A request in Arabic leaves its language active in the thread; the next test starts in English."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _task_loggers_put_back():
    """db_worker sets the task loggers' levels for its process and never puts them back: after
    a worker test at verbosity 0, a failed task logged nothing for the rest of the run, so the
    tests that look for one in caplog could not see it."""
    loggers = [logging.getLogger(name) for name in ("django.tasks", "django_tasks_db")]
    levels = [logger.level for logger in loggers]
    yield
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)


@dataclass
class World:
    section: OrganisationUnit
    group: OrganisationUnit
    board: Body
    assembly_body: Body
    committee: Body
    member: User
    officer: User
    other_officer: User
    auditor: User
    staff: User
    outsider: User

    def user(self, role: str) -> User | None:
        return None if role == "anonymous" else getattr(self, role)


def _with_totp(user: User) -> User:
    TOTP.activate(user, TOTP_SECRET)
    return user


@pytest.fixture
def world(db) -> World:
    return build_world()


def build_world() -> World:
    """The small section most tests start from (the `world` fixture; module-scoped worlds call it)."""
    today = timezone.localdate()
    section = UnitFactory(code="section", name="Section", kind=OrganisationUnit.Kind.SECTION)
    group = UnitFactory(
        code="rabat", name="Rabat group", kind=OrganisationUnit.Kind.LOCAL_GROUP, parent=section
    )
    adopt_statutes(effective_from=today - dt.timedelta(days=1000))
    board = Body.objects.create(
        unit=section,
        code="board",
        name="Section Board",
        kind="board",
        seats=7,
        reserved_youth_seats=1,
    )
    assembly_body = Body.objects.create(
        unit=section, code="general-assembly", name="General Assembly", kind="assembly"
    )
    committee = Body.objects.create(
        unit=group, code="group-committee", name="Group committee", kind="committee", seats=3
    )

    def person(email: str, **user_fields) -> User:
        user = UserFactory(email=email, **user_fields)
        member = MemberFactory(
            user=user, unit=group, email=email, joined_on=today - dt.timedelta(days=900)
        )
        DuesFactory(member=member)
        return user

    member = person("member@example.org")
    officer = _with_totp(person("officer@example.org"))
    MandateFactory(member=officer.member, body=board, role="chair")
    other_officer = _with_totp(person("other-officer@example.org"))
    MandateFactory(member=other_officer.member, body=committee, role="chair")
    auditor = _with_totp(person("auditor@example.org", is_auditor=True))
    staff = _with_totp(UserFactory(email="staff@example.org", is_staff=True))
    outsider = UserFactory(email="outsider@example.org")
    return World(
        section,
        group,
        board,
        assembly_body,
        committee,
        member,
        officer,
        other_officer,
        auditor,
        staff,
        outsider,
    )


@pytest.fixture
def client_for(client, world):
    """A Django test client logged in as the given role ("anonymous" for none)."""

    def make(role: str):
        client.logout()
        user = world.user(role)
        if user is not None:
            client.force_login(user)
        return client

    return make


def totp_code(secret: str = TOTP_SECRET) -> str:
    """The code of this 30-second window, with time to use it: near the window's end the
    suite's clock moves on to the next window (a busy machine took more than the seconds
    left between reading a code and the server checking it)."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    left = 30 - timezone.now().timestamp() % 30
    if left < 10 and _clock_coordinates is not None:
        _clock_coordinates.shift(left)
    return format_hotp_value(hotp_value(secret, int(timezone.now().timestamp()) // 30))


__all__ = ["TOTP_SECRET", "Authenticator", "World", "totp_code"]
