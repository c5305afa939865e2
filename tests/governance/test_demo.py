"""The demo section: realistic, valid under its own statutes, and loaded only once."""

import logging

import pytest
from django.core.management import call_command

from governance.audit import log as audit
from governance.models import Assembly, Body, Decision, Member, Rule, StatuteVersion

pytestmark = pytest.mark.django_db


def test_demo_loads_a_realistic_section_once(capsys):
    call_command("load_demo")
    out = capsys.readouterr().out
    assert "member@demo.example" in out and "officer@demo.example" in out
    assert "auditor@demo.example" in out and "staff@demo.example" in out
    counts = (Member.objects.count(), Decision.objects.count(), Assembly.objects.count())
    assert 280 <= counts[0] <= 320
    version = StatuteVersion.objects.get()
    assert version.articles.count() >= 12
    assert Rule.objects.filter(article__version=version).values("article").distinct().count() >= 10
    board = Body.objects.with_current_mandates().get(code="board")
    assert len(board.current_mandates) == 7
    assert any(m.on_youth_seat for m in board.current_mandates)
    assert audit.verify_chain().ok

    call_command("load_demo")
    assert (Member.objects.count(), Decision.objects.count(), Assembly.objects.count()) == counts
    assert "already present" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)  # the tasks run when the demo's transaction commits
@pytest.mark.parametrize(("verbosity", "lines"), [(1, False), (2, True)])
def test_the_demo_s_tasks_run_without_a_line_each_before_the_logins(caplog, verbosity, lines):
    """They run in process: a line at each start and end, 42 of them, buried the logins."""
    with caplog.at_level(logging.INFO, logger="django.tasks"):
        call_command("load_demo", verbosity=verbosity)
        assert logging.getLogger("django.tasks").level == logging.INFO  # put back
    tasks = [r for r in caplog.records if r.name == "django.tasks"]
    assert bool(tasks) is lines


def test_half_of_the_demo_members_are_young():
    from django.utils import timezone

    from governance.statutes import rules

    call_command("load_demo")
    today = timezone.localdate()
    members = Member.objects.filter(kind="member")
    young = sum(1 for m in members if 18 <= rules.age_on(m.birth_date, today) <= 25)
    assert 0.4 <= young / members.count() <= 0.6


def test_every_rule_of_the_demo_statutes_reads_in_plain_words():
    from governance.demo import statutes_v1
    from governance.statutes.text import describe_rule

    rules = [rule for article in statutes_v1() for rule in article.rules]
    assert len(rules) == 17  # as its docstring says
    for rule in rules:
        assert "Unreadable" not in describe_rule(rule.kind, rule.params)


def test_every_demo_account_logs_in_with_its_documented_password_and_second_factor(client):
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP
    from django.urls import reverse

    from governance.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
    from governance.models import Mandate, User
    from tests.conftest import totp_code

    call_command("load_demo", verbosity=0)
    for account in DEMO_ACCOUNTS:
        user = User.objects.get(email=account.email)
        assert user.check_password(DEMO_PASSWORD), account.email
        if account.totp_secret is not None:
            totp = TOTP(Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP))
            assert totp.validate_code(totp_code(account.totp_secret)), account.email
        client.force_login(user)
        assert client.get(reverse("dashboard")).status_code == 200, account.email
    # The demo's auditor also chairs the Control Committee, as its role line says.
    auditor = User.objects.get(email__startswith="auditor@")
    assert auditor.is_auditor and Mandate.objects.held_by_user(auditor).exists()


def test_outside_debug_without_the_demo_key_the_demo_is_refused_plainly(settings):
    from django.core.management.base import CommandError

    settings.ELECTIONS_DEMO_SERVER_KEY = False
    with pytest.raises(CommandError, match="set ELECTIONS_DEMO_SERVER_KEY=true"):
        call_command("load_demo", verbosity=0)
    assert not Member.objects.exists() and not Decision.objects.exists()
