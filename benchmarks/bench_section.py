"""The section every benchmark votes in: written through the services, members in bulk.

`casting.py` and `load_votes.py` call `section_with_members` after `django.setup()`;
`production_database` is the prologue of the benchmarks that measure on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import sys
import tempfile
from dataclasses import dataclass


def production_database(
    url: str | None = None,
    *,
    drop: tuple[str, ...] = (),
    sqlite: bool = False,
    **environ: str,
) -> str:
    """The prologue of every benchmark that measures against a database, before
    `django.setup()`: drop and create the PostgreSQL database of `url` (DATABASE_URL by
    default; the databases named in `drop`, on the same server, are dropped first), then
    production settings in the environment: DEBUG off, a throw-away SECRET_KEY,
    governance.settings, DATABASE_URL, and `environ` on top (it wins over the defaults and
    over what the environment had).

    Without a PostgreSQL URL the benchmark exits with a message, or, with `sqlite`, gets
    a throw-away SQLite file instead. Returns the database URL."""
    url = url if url is not None else os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        base, name = url.rsplit("/", 1)
        # Outside a transaction (CREATE DATABASE cannot run in one); FORCE ends the
        # connections a killed earlier run left behind.
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            for database in (*drop, name):
                admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
    elif sqlite:
        url = f"sqlite:///{tempfile.mkdtemp()}/benchmark.sqlite3"
    else:
        sys.exit("set DATABASE_URL to a PostgreSQL database (it is dropped and created)")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-" + "x" * 50)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")
    os.environ["DATABASE_URL"] = url
    os.environ.update(environ)
    return url


@dataclass
class BenchSection:
    assembly: object
    members: list
    users: list

    @property
    def chair(self):
        """The first account: the Board's chair, who runs the ballots."""
        return self.users[0]

    @functools.cached_property
    def majority_article(self):
        """Article 8 of the statutes in force: the General Assembly's majority."""
        from governance.models import StatuteVersion

        return StatuteVersion.objects.get().articles.get(number="8")

    def draft_question(self, title: str, *, secret: bool = False):
        """A draft yes/no question to the General Assembly under article 8, drawn up by the
        chair, open from now for a day. Plaintext unless `secret`: new ballots are secret by
        default, and a secret one needs its trustees' key before it opens (secret_ballot.py
        measures that path); open_ballot, load_votes and vote_cpu measure plaintext casting."""
        from django.utils import timezone

        from elections import services
        from elections.models import Ballot

        now = timezone.now()
        return services.create_ballot(
            actor=self.chair,
            body=self.assembly,
            title=title,
            question="Does the General Assembly adopt the report?",
            kind=Ballot.Kind.QUESTION,
            method=Ballot.Method.YESNO,
            rule_scope="assembly",
            article=self.majority_article,
            opens_at=now,
            closes_at=now + dt.timedelta(days=1),
            secret=secret,
        )


def section_with_members(
    count: int, *, prefix: str, email: str, password: str = "!"
) -> BenchSection:
    """A section under the demo statutes with a General Assembly and a Board, and `count`
    members in good standing, each with an account (verified e-mail `email.format(n=...)`,
    the password hash `password`). The first member chairs the Board."""
    from allauth.account.models import EmailAddress
    from django.core.management import call_command
    from django.utils import timezone

    from governance import services as governance
    from governance.demo import statutes_v1
    from governance.models import DuesPayment, Mandate, Member, User
    from governance.services import SYSTEM

    call_command("migrate", verbosity=0)
    if Member.objects.exists():
        sys.exit("the benchmark needs an empty database")
    today = timezone.localdate()
    section = governance.create_unit(actor=SYSTEM, code="section", name="Section", kind="section")
    governance.adopt_statute_version(
        actor=SYSTEM,
        title="Statutes",
        effective_from=today - dt.timedelta(days=1000),
        articles=statutes_v1(),
    )
    assembly = governance.create_body(
        actor=SYSTEM, unit=section, code="ga", name="General Assembly", kind="assembly"
    )
    board = governance.create_body(
        actor=SYSTEM, unit=section, code="board", name="Board", kind="board", seats=7
    )
    joined = today - dt.timedelta(days=500)
    members = Member.objects.bulk_create(
        Member(
            membership_number=f"{prefix}{n:06d}",
            first_name="Voter",
            last_name=f"{n}",
            unit=section,
            birth_date=dt.date(1990, 1, 1),
            joined_on=joined,
        )
        for n in range(count)
    )
    DuesPayment.objects.bulk_create(
        DuesPayment(member=m, year=today.year, amount=100, paid_on=today) for m in members
    )
    users = User.objects.bulk_create(
        User(email=email.format(n=n), password=password) for n in range(count)
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(user=u, email=u.email, primary=True, verified=True) for u in users
    )
    for member, user in zip(members, users, strict=True):
        member.user = user
    Member.objects.bulk_update(members, ["user"], batch_size=2000)
    Mandate.objects.create(
        member=members[0],
        body=board,
        role="chair",
        starts_on=today - dt.timedelta(days=10),
        ends_on=today + dt.timedelta(days=700),
    )
    return BenchSection(assembly=assembly, members=members, users=users)
