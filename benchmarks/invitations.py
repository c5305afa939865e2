"""The invitations of a ballot's opening through the task, at N members: time and peak memory.

Run from the project root (PostgreSQL; the database is dropped and created):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/governance_invite \\
        .venv/bin/python benchmarks/invitations.py --members 10000 100000

For each size, on a fresh database: the benchmark section (benchmarks/bench_section.py, N
members in good standing, each with an address, a third written to in French and a third
in Arabic); a yes/no question opened through `elections.services.open_ballot` with
TASKS_BACKEND=database, so the opening only queues the task; then the task's own function,
`elections.tasks.send_invitations.call`, run in this process as the worker would, twice on
two ballots: once timed, once under tracemalloc for the peak of Python's heap while it
runs. The mail backend renders each message to its bytes (as SMTP would send) and drops
it. Beside it, the floor in the same run: the same messages rendered and dropped from
a list of plain values already in memory (no database, no batches, no progress).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_section import production_database, section_with_members  # noqa: E402


class Dropping:
    """A mail backend that turns each message into its bytes and drops them."""

    sent = 0

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        for message in messages:
            message.message().as_bytes()
        Dropping.sent += len(messages)
        return len(messages)


def run(members: int) -> None:
    """One size, in a child process of its own (a fresh database, a fresh heap)."""
    production_database(TASKS_BACKEND="database")
    import django

    django.setup()
    from django.conf import settings
    from django.core.mail import EmailMessage, mailers
    from django.db.models import CharField, F, Value
    from django.db.models.functions import Cast, Concat, Mod
    from django.template.loader import render_to_string
    from django.test import override_settings
    from django.utils import translation

    from elections import services, tasks
    from governance.models import Member

    bench = section_with_members(members, prefix="I", email="voter{n}@invite.example")
    Member.objects.update(
        email=Concat(Value("member"), Cast(F("pk"), CharField()), Value("@invite.example"))
    )
    for remainder, language in ((1, "fr"), (2, "ar")):
        Member.objects.annotate(third=Mod("pk", 3)).filter(third=remainder).update(
            language=language
        )
    ballots = [
        services.open_ballot(actor=bench.chair, ballot=bench.draft_question(f"Vote {n}"))
        for n in range(2)
    ]

    mailers_setting = {"default": {"BACKEND": f"{__name__}.Dropping"}}
    with override_settings(MAILERS=mailers_setting):
        mailers.default  # noqa: B018 (built once, outside the measures)
        start = time.perf_counter()
        sent = tasks.send_invitations.call(ballots[0].pk)
        elapsed = time.perf_counter() - start
        tracemalloc.start()
        tasks.send_invitations.call(ballots[1].pk)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()

        # The floor: the same messages from plain values in memory, rendered and dropped.
        ballot = ballots[0]
        link = settings.SITE_URL.rstrip("/") + f"/ballots/{ballot.pk}/"
        rows = list(
            Member.objects.order_by("pk").only("first_name", "last_name", "email", "language")
        )
        start = time.perf_counter()
        for member in rows:
            with translation.override(member.language or settings.LANGUAGE_CODE):
                subject = str(tasks.SUBJECTS["invitation"]) % {"title": ballot.title}
                body = render_to_string(
                    "elections/email/invitation.txt",
                    {"ballot": ballot, "member": member, "link": link},
                )
            mailers.default.send_messages([EmailMessage(subject, body, to=[member.email])])
        floor = time.perf_counter() - start
    assert sent == members, (sent, members)
    load = Path("/proc/loadavg").read_text().split()[0]
    print(
        f"{members:>7,} members  task {elapsed:6.2f} s  peak heap {peak / 2**20:6.1f} MB  "
        f"floor (render and drop, no database) {floor:6.2f} s  ({elapsed / floor:.2f}x)  "
        f"batch {tasks.SEND_BATCH}, load average {load}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("set DATABASE_URL to a PostgreSQL database (it is dropped and created)")
    if options.one:
        run(options.one)
        return
    print(f"{os.cpu_count()} CPUs")
    for members in options.members:
        subprocess.run([sys.executable, __file__, "--one", str(members)], check=True)


if __name__ == "__main__":
    main()
