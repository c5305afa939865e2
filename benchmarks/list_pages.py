"""List pages' latency at 10 and at 10,000 objects, in the same run.

Run from the project root (PostgreSQL; the database is dropped and created):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gov_lists_pages \\
        .venv/bin/python benchmarks/list_pages.py

Loads the demo section (`load_demo`), then for each page adds 10 objects of its kind in bulk
(copies of a demo row with a new key), times the page (median of --repeat GETs through
Django's test client, the demo account that reads it logged in, every middleware; also the
fastest GET, and this process's CPU time, the Django side of the page), adds
9,990 more and times it again. Pages: the decision register, a meeting's page (its
decisions), the roll, the officers' ballot list, the assemblies list (its past meetings, then
its meetings to come), a body's page (its past mandates), the motions list and the audit
log. Each table is analysed after its rows are added, as autovacuum does in production (it
is off on the development server, where the planner would otherwise plan for the empty
table). The target is 10,000 within 1.5x of 10.
"""

from __future__ import annotations

import argparse
import copy
import os
import statistics
import sys
import time
from io import StringIO
from pathlib import Path

from bench_section import production_database  # beside this script

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9)
    options = parser.parse_args()
    # The demo opens secret ballots: the demo server key.
    production_database(
        ELECTIONS_DEMO_SERVER_KEY=os.environ.get("ELECTIONS_DEMO_SERVER_KEY", "true")
    )
    import django

    django.setup()
    import datetime as dt
    import hashlib

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from elections.models import Ballot
    from governance.models import Assembly, AuditEvent, Decision, Mandate, Member, User
    from motions.models import Motion, new_share_token

    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=StringIO())
    officer = User.objects.get(email="officer@demo.example")
    auditor = User.objects.get(email="auditor@demo.example")
    staff = User.objects.filter(is_staff=True).first()
    decision = Decision.objects.exclude(assembly=None).first()
    ballot = Ballot.objects.filter(status="draft").first() or Ballot.objects.first()
    member = Member.objects.first()
    meeting = Assembly.objects.first()
    mandate = Mandate.objects.select_related("body").first()
    motion = Motion.objects.exclude(status="draft").first()
    event = AuditEvent.objects.order_by("-sequence").first()
    now = timezone.now()

    def copies(row, count, start, change):
        made = []
        for n in range(start, start + count):
            new = copy.copy(row)
            new.pk = None
            change(new, n)
            made.append(new)
        type(row).objects.bulk_create(made, batch_size=2000)
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {type(row)._meta.db_table}")

    def new_decision(d, n):
        d.reference = f"BENCH {n}/2026"
        d.title = f"Bench decision {n}"

    def new_register_entry(d, n):
        # Outside every meeting, so that the meeting's page starts from its own few.
        new_decision(d, n)
        d.assembly = None

    def new_past_meeting(a, n):
        a.title = f"Bench meeting {n}"
        a.status = "closed"
        a.starts_at = now - dt.timedelta(days=30 + n % 5000)

    def new_coming_meeting(a, n):
        a.title = f"Bench meeting {n}"
        a.status = "convened"
        a.opened_at = a.closed_at = None
        a.starts_at = now + dt.timedelta(days=40 + n % 5000)

    def new_past_mandate(m, n):
        m.starts_on = now.date() - dt.timedelta(days=800 + n % 5000)
        m.ends_on = now.date() - dt.timedelta(days=400 + n % 5000)

    def new_motion(m, n):
        m.reference = f"BENCH {n}/2026"
        m.share_token = new_share_token()
        m.current_version = None  # one version per motion (unique): copies list untitled

    def new_event(e, n):
        e.sequence = event.sequence + 1 + n
        e.hash = hashlib.sha256(f"bench {n}".encode()).hexdigest()

    def new_member(m, n):
        m.membership_number = f"BENCH{n:06d}"
        m.user = None
        m.last_name = f"Bench {n}"

    def new_ballot(b, n):
        b.title = f"Bench ballot {n}"
        b.status = "draft"
        b.decision = None
        b.opened_at = b.closed_at = None

    pages = [
        ("decision register", auditor, reverse("decision_list"), decision, new_register_entry),
        (
            "meeting page (its decisions)",
            officer,
            reverse("assembly_detail", args=[decision.assembly_id]),
            decision,
            new_decision,
        ),
        ("membership roll", staff, reverse("member_roll"), member, new_member),
        ("ballot list (officer)", officer, reverse("ballot_list"), ballot, new_ballot),
        ("assemblies, past meetings", officer, reverse("assembly_list"), meeting, new_past_meeting),
        (
            "assemblies, meetings to come",
            officer,
            reverse("assembly_list"),
            meeting,
            new_coming_meeting,
        ),
        (
            "body page (its past mandates)",
            officer,
            reverse("body_detail", args=[mandate.body.code]),
            mandate,
            new_past_mandate,
        ),
        ("motions list", officer, reverse("motion_list"), motion, new_motion),
        ("audit log", auditor, reverse("audit_log"), event, new_event),
    ]
    print(
        f"{os.cpu_count()} CPUs, load average {Path('/proc/loadavg').read_text().split()[0]}; "
        f"medians of {options.repeat} GETs"
    )
    print(
        "| page | 10 added | 10,000 added | ratio | fastest GETs | app CPU | queries |\n"
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
    )
    serial = 0
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(ALLOWED_HOSTS=["*"], STORAGES=storages):
        for label, user, path, row, change in pages:
            client = Client()
            client.force_login(user)
            times, fastest, cpu, queries = [], [], [], []
            for count in (10, 9_990):
                copies(row, count, serial, change)
                serial += count
                with CaptureQueriesContext(connection) as captured:
                    response = client.get(path, secure=True)
                assert response.status_code == 200, (label, response.status_code)
                queries.append(str(len(captured)))
                runs, cpus = [], []
                for _ in range(options.repeat):
                    start, start_cpu = time.perf_counter(), time.process_time()
                    client.get(path, secure=True)
                    runs.append(time.perf_counter() - start)
                    cpus.append(time.process_time() - start_cpu)
                times.append(statistics.median(runs))
                fastest.append(min(runs))
                cpu.append(statistics.median(cpus))
            print(
                f"| {label} | {times[0] * 1000:.1f} ms | {times[1] * 1000:.1f} ms "
                f"| {times[1] / times[0]:.2f}x "
                f"| {fastest[0] * 1000:.1f} / {fastest[1] * 1000:.1f} ms, "
                f"{fastest[1] / fastest[0]:.2f}x "
                f"| {cpu[0] * 1000:.1f} / {cpu[1] * 1000:.1f} ms, {cpu[1] / cpu[0]:.2f}x "
                f"| {' / '.join(queries)} |"
            )


if __name__ == "__main__":
    main()
