"""Membership import: idempotent by number, all or nothing, every bad line named."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from governance.audit import log as audit
from governance.exceptions import DomainError, NotAllowed
from governance.models import AuditEvent, Member, MemberImport
from governance.roll import importing

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 24)
HEADER = "membership_number,first_name,last_name,email,birth_date,joined_on,unit,kind"


def csv_bytes(*lines: str, header: str = HEADER) -> bytes:
    return "\n".join([header, *lines]).encode()


GOOD = csv_bytes(
    "MA-1,Amina,Alaoui,amina@example.org,2001-03-04,2024-01-10,rabat,member",
    "MA-2,Youssef,Benali,,1980-12-31,2019-06-01,rabat,supporter",
    "MA-3,Salma,Tazi,salma@example.org,,2025-09-09,section,",
)


def run(world, data: bytes):
    return importing.import_members(actor=world.staff, data=data, today=TODAY)


def test_new_members_are_created(world):
    report = run(world, GOOD)
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    amina = Member.objects.get(membership_number="MA-1")
    assert amina.unit == world.group
    assert amina.birth_date == dt.date(2001, 3, 4)
    assert Member.objects.get(membership_number="MA-2").kind == "supporter"
    assert Member.objects.get(membership_number="MA-3").kind == "member"


def test_importing_the_same_file_twice_changes_nothing(world):
    run(world, GOOD)
    events = AuditEvent.objects.count()
    report = run(world, GOOD)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert Member.objects.filter(membership_number__startswith="MA-").count() == 3
    assert AuditEvent.objects.count() == events


def test_changed_rows_update_the_member_with_old_and_new_values_audited(world):
    run(world, GOOD)
    report = run(
        world,
        csv_bytes("MA-1,Amina,El Alaoui,amina@example.org,2001-03-04,2024-01-10,rabat,member"),
    )
    assert report.updated == 1
    assert Member.objects.get(membership_number="MA-1").last_name == "El Alaoui"
    event = AuditEvent.objects.filter(action="member.updated").get()
    assert event.old == {"last_name": "Alaoui"}
    assert event.new == {"last_name": "El Alaoui"}


def test_each_created_member_gets_an_audit_event(world):
    run(world, GOOD)
    assert AuditEvent.objects.filter(action="member.imported").count() == 3


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("MA-9,Nora,Filali,nora@example.org,2001-02-30,2024-01-10,rabat,member", "birth_date"),
        ("MA-9,Nora,Filali,nora@example.org,2001-02-03,10/01/2024,rabat,member", "joined_on"),
        ("MA-9,Nora,Filali,nora@example.org,2001-02-03,2024-01-10,nowhere,member", "unknown unit"),
        ("MA-9,Nora,Filali,not-an-email,2001-02-03,2024-01-10,rabat,member", "e-mail"),
        ("MA-9,Nora,Filali,nora@example.org,2001-02-03,2024-01-10,rabat,donor", "kind"),
        (
            ",Nora,Filali,nora@example.org,2001-02-03,2024-01-10,rabat,member",
            "membership_number is required",
        ),
        ("MA-9,Nora,Filali,nora@example.org,2001-02-03,2030-01-10,rabat,member", "future"),
        (
            "MA-9,Nora,Filali,nora@example.org,2001-02-03,2024-01-10,rabat,member,extra",
            "more fields",
        ),
    ],
)
def test_a_bad_line_rejects_the_whole_file_and_is_named(world, line, message):
    data = csv_bytes("MA-8,Omar,Sebti,omar@example.org,1990-01-01,2020-01-01,rabat,member", line)
    with pytest.raises(importing.ImportRejected) as caught:
        run(world, data)
    details = [str(d) for d in caught.value.details]
    assert any(d.startswith("line 3:") and message in d for d in details), details
    assert not Member.objects.filter(membership_number__in=["MA-8", "MA-9"]).exists()


def test_duplicate_numbers_name_both_lines(world):
    data = csv_bytes(
        "MA-8,Omar,Sebti,,1990-01-01,2020-01-01,rabat,member",
        "MA-8,Omar,Sebti,,1990-01-01,2020-01-01,rabat,member",
    )
    with pytest.raises(importing.ImportRejected) as caught:
        run(world, data)
    assert "line 3: membership number MA-8 repeats line 2" in [str(d) for d in caught.value.details]


def test_every_bad_line_is_reported_not_just_the_first(world):
    data = csv_bytes(
        "MA-8,Omar,Sebti,,1990-13-01,2020-01-01,rabat,member",
        "MA-9,Nora,Filali,,1990-01-01,2020-01-01,mars,member",
    )
    with pytest.raises(importing.ImportRejected) as caught:
        run(world, data)
    lines = {d.line for d in caught.value.details}
    assert lines == {2, 3}


def test_wrong_header_is_refused(world):
    with pytest.raises(importing.ImportRejected) as caught:
        run(world, csv_bytes("1,a,b", header="number,first,last"))
    assert "missing columns" in str(caught.value.details[0])


def test_wrong_encoding_names_the_line(world):
    data = (
        HEADER.encode()
        + "\nMA-1,Amina,Alaoui,,2001-03-04,2024-01-10,rabat,member\nMA-2,Hélène,X,,2001-03-04,2024-01-10,rabat,member".encode(
            "latin-1"
        )
    )
    with pytest.raises(importing.ImportRejected) as caught:
        run(world, data)
    assert caught.value.details[0].line == 3


def test_utf8_with_byte_order_mark_is_accepted(world):
    report = run(world, b"\xef\xbb\xbf" + GOOD)
    assert report.created == 3


def test_only_staff_may_import(world):
    for user in (world.member, world.officer, world.auditor):
        with pytest.raises(NotAllowed):
            importing.import_members(actor=user, data=GOOD, today=TODAY)
    assert not Member.objects.filter(membership_number="MA-1").exists()


def test_command_imports_a_file(world, tmp_path, capsys):
    path = tmp_path / "roll.csv"
    path.write_bytes(GOOD)
    call_command("import_members", str(path), verbosity=0)
    assert "3 created" in capsys.readouterr().out


def test_command_names_the_bad_line_and_fails(world, tmp_path):
    path = tmp_path / "roll.csv"
    path.write_bytes(csv_bytes("MA-1,Amina,Alaoui,,2001-03-04,yesterday,rabat,member"))
    with pytest.raises(CommandError, match="line 2: joined_on"):
        call_command("import_members", str(path), verbosity=0)
    assert not Member.objects.filter(membership_number="MA-1").exists()


def test_command_refuses_a_missing_file(world, tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_members", str(tmp_path / "nope.csv"), verbosity=0)


def test_staff_page_imports_a_file(client_for, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for("staff")
    response = client.post(reverse("member_import"), {"file": SimpleUploadedFile("roll.csv", GOOD)})
    assert response.status_code == 302
    assert Member.objects.filter(membership_number__startswith="MA-").count() == 3


def test_staff_page_lists_bad_lines_with_a_400(client_for, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for("staff")
    data = csv_bytes("MA-1,Amina,Alaoui,,2001-03-04,2024-01-10,nowhere,member")
    response = client.post(reverse("member_import"), {"file": SimpleUploadedFile("roll.csv", data)})
    assert response.status_code == 400
    assert "line 2: unknown unit code" in response.content.decode()
    assert not Member.objects.filter(membership_number="MA-1").exists()


def test_domain_error_is_the_base_of_import_rejection():
    assert issubclass(importing.ImportRejected, DomainError)


HOSTILE_LINES = [
    ("MA-9," + "A" * 101 + ",Alaoui,,2001-03-04,2024-01-10,rabat,member", "first_name is longer"),
    ("MA-9,Amina," + "B" * 101 + ",,2001-03-04,2024-01-10,rabat,member", "last_name is longer"),
    ("M" * 33 + ",Amina,Alaoui,,2001-03-04,2024-01-10,rabat,member", "membership_number is"),
    (
        "MA-9,Amina,Alaoui," + "a" * 250 + "@x.org,2001-03-04,2024-01-10,rabat,member",
        "email is longer than 254",
    ),
    ("MA-9,Am\x00ina,Alaoui,,2001-03-04,2024-01-10,rabat,member", "first_name contains a NUL"),
]


@pytest.mark.parametrize(("line", "message"), HOSTILE_LINES)
def test_staff_page_names_the_line_and_field_of_an_oversized_or_nul_value(
    client_for, world, line, message
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = csv_bytes("MA-8,Salma,Tazi,,2001-03-04,2024-01-10,rabat,member", line)
    response = client_for("staff").post(
        reverse("member_import"), {"file": SimpleUploadedFile("roll.csv", data)}
    )
    assert response.status_code == 400
    assert f"line 3: {message}" in response.content.decode()
    assert not Member.objects.filter(membership_number__in=["MA-8", "MA-9"]).exists()


@pytest.mark.parametrize(("line", "message"), HOSTILE_LINES)
def test_command_names_the_line_and_field_of_an_oversized_or_nul_value(
    world, tmp_path, line, message
):
    path = tmp_path / "roll.csv"
    path.write_bytes(csv_bytes("MA-8,Salma,Tazi,,2001-03-04,2024-01-10,rabat,member", line))
    with pytest.raises(CommandError, match=f"line 3: {message}"):
        call_command("import_members", str(path), verbosity=0)
    assert not Member.objects.filter(membership_number__in=["MA-8", "MA-9"]).exists()


def test_progress_reads_then_checks_then_writes(world):
    calls = []
    importing.import_members(
        actor=world.staff, data=GOOD, today=TODAY, progress=lambda *call: calls.append(call)
    )
    order = {"reading": 0, "checking": 1, "writing": 2}
    phases = [phase for phase, _done, _total in calls]
    assert phases == sorted(phases, key=order.get) and set(phases) == set(order)
    # Reading counts the file's bytes; checking and writing its members.
    assert ("reading", len(GOOD), len(GOOD)) in calls
    assert ("checking", 3, 3) in calls
    assert calls[-1] == ("writing", 3, 3)
    for phase in order:
        done = [d for p, d, _t in calls if p == phase]
        assert done == sorted(done), phase


def test_a_rejected_file_shows_no_checking_or_writing_phase(world):
    calls = []
    with pytest.raises(importing.ImportRejected):
        importing.import_members(
            actor=world.staff,
            data=csv_bytes("MA-1,Amina,Alaoui,,2001-03-04,yesterday,rabat,member"),
            today=TODAY,
            progress=lambda *call: calls.append(call),
        )
    assert {phase for phase, _done, _total in calls} <= {"reading"}


def many_lines(count: int, *, last: str | None = None) -> bytes:
    lines = [
        f"MB-{index:05d},Name{index},Family{index},p{index}@example.org,1990-01-01,"
        f"2020-01-01,{'rabat' if index % 2 else 'section'},member"
        for index in range(count)
    ]
    if last is not None:
        lines[-1] = last
    return csv_bytes(*lines)


def test_a_bad_last_line_of_thousands_rejects_the_whole_file(world, monkeypatch, tmp_path):
    monkeypatch.setattr(importing, "BATCH", 500)  # several batches spooled before the bad line
    data = many_lines(3000, last="MB-99999,Bad,Line,,1990-01-01,2020-01-01,nowhere,member")
    events = AuditEvent.objects.count()
    with pytest.raises(importing.ImportRejected) as caught:
        run(world, data)
    assert [str(d) for d in caught.value.details] == ["line 3001: unknown unit code 'nowhere'"]
    assert not Member.objects.filter(membership_number__startswith="MB-").exists()
    assert AuditEvent.objects.count() == events
    path = tmp_path / "roll.csv"
    path.write_bytes(data)
    with pytest.raises(CommandError, match="line 3001: unknown unit code"):
        call_command("import_members", str(path), verbosity=0)
    assert not Member.objects.filter(membership_number__startswith="MB-").exists()


def test_a_repeat_at_the_end_of_thousands_names_both_lines(world):
    data = many_lines(3000, last="MB-00007,Again,Seven,,1990-01-01,2020-01-01,rabat,member")
    with pytest.raises(importing.ImportRejected) as caught:
        run(world, data)
    assert [str(d) for d in caught.value.details] == [
        "line 3001: membership number MB-00007 repeats line 9"
    ]
    assert not Member.objects.filter(membership_number__startswith="MB-").exists()


def test_thousands_of_lines_in_batches_leave_a_chain_verify_audit_accepts(
    world, monkeypatch, tmp_path
):
    monkeypatch.setattr(importing, "BATCH", 700)
    report = run(world, many_lines(3000))
    assert report.created == 3000
    changed = many_lines(3000).replace(b",member", b",supporter")
    assert run(world, changed).updated == 3000
    assert (
        Member.objects.filter(membership_number__startswith="MB-", kind="supporter").count() == 3000
    )
    event = AuditEvent.objects.filter(
        action="member.updated", object_label__contains="MB-00002"
    ).get()
    assert (event.old, event.new) == ({"kind": "member"}, {"kind": "supporter"})
    imported = AuditEvent.objects.filter(action="member.imported", object_label="MB-00002").get()
    member = Member.objects.get(membership_number="MB-00002")
    assert imported.object_id == str(member.pk)
    # The columns the file has none for get the model's defaults, as bulk_create gives them.
    defaults = Member(membership_number="x", unit=world.section, joined_on=TODAY)
    assert (member.status, member.language, member.user_id) == (
        defaults.status,
        defaults.language,
        None,
    )
    assert imported.new == {
        "membership_number": "MB-00002",
        "first_name": "Name2",
        "last_name": "Family2",
        "email": "p2@example.org",
        "birth_date": "1990-01-01",
        "joined_on": "2020-01-01",
        "unit_id": world.section.pk,
        "kind": "member",
        "language": "",
    }
    assert audit.verify_chain().ok
    call_command("verify_audit", verbosity=0)  # exits non-zero on a broken chain


def test_the_command_reads_the_file_as_a_stream(world, tmp_path, capsys):
    path = tmp_path / "roll.csv"
    path.write_bytes(many_lines(1200))
    call_command("import_members", str(path), verbosity=0)
    assert "1200 created" in capsys.readouterr().out


def test_a_file_larger_than_a_batch_is_written_whole(world, monkeypatch):
    monkeypatch.setattr(importing, "BATCH", 2)
    report = run(world, GOOD)
    assert report.created == 3
    assert AuditEvent.objects.filter(action="member.imported").count() == 3


def test_a_field_over_the_csv_limit_is_refused_with_its_line(world):
    data = csv_bytes("MA-1,Amina,Alaoui,,2001-03-04,2024-01-10,rabat,member", "x" * 200_000)
    with pytest.raises(importing.ImportRejected) as raised:
        run(world, data)
    assert "line 3:" in str(raised.value.details[0])
    assert not Member.objects.filter(membership_number="MA-1").exists()


# ---------------------------------------------------------------------------
# The staff page through the task worker: the job, its phases, its progress
# ---------------------------------------------------------------------------


@pytest.fixture
def queued_tasks(settings):
    # Enqueued, never run: the test runs the worker's part itself (backends rebuilt on
    # setting_changed, governance.apps).
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


def upload(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"file": SimpleUploadedFile("roll.csv", data)}


def test_the_task_records_reading_then_checking_then_writing(client_for, world, monkeypatch):
    from governance.roll import jobs

    recorded = []
    real = jobs.record_progress
    monkeypatch.setattr(
        jobs, "record_progress", lambda *call: (recorded.append(call[1:]), real(*call))
    )
    response = client_for("staff").post(reverse("member_import"), upload(many_lines(1200)))
    assert response.status_code == 302
    phases = [phase for phase, _done, _total in recorded]
    assert phases[0] == "reading" and phases[-1] == "writing"
    assert [p for i, p in enumerate(phases) if i == 0 or phases[i - 1] != p] == list(jobs.PHASES)
    assert recorded[-1] == ("writing", 1200, 1200)
    job = MemberImport.objects.get()
    assert (job.status, job.created, job.data) == ("done", 1200, b"")  # the file not kept


def test_the_staff_page_shows_the_workers_progress(
    client_for, world, queued_tasks, django_assert_max_num_queries
):
    from governance.roll import jobs

    client = client_for("staff")
    response = client.post(reverse("member_import"), upload(GOOD))
    job = MemberImport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("member_import_progress", args=[job.pk])
    page = client.get(response.url).content.decode()
    assert "Waiting for the worker" in page and 'hx-trigger="every 1s"' in page

    job.status = "running"
    job.save()
    jobs.record_progress(job.pk, "checking", 1, 3)
    with django_assert_max_num_queries(4):
        partial = client.get(response.url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial and 'hx-trigger="every 1s"' in partial
    assert 'class="phase-done">Reading the file' in partial
    assert 'aria-current="step">Checking against the roll' in partial
    assert '<progress max="100" value="33"' in partial
    assert 'class="phase-waiting">Writing the members' in partial

    job.status = "queued"
    job.save()
    jobs.run_member_import.call(str(job.pk))
    with django_assert_max_num_queries(4):
        partial = client.get(response.url, headers={"HX-Request": "true"}).content.decode()
    assert "Import done: 3 added, 0 updated, 0 unchanged." in partial
    assert "hx-trigger" not in partial  # the polling stops
    assert Member.objects.filter(membership_number__startswith="MA-").count() == 3


def test_a_file_refused_by_the_worker_names_its_lines_on_the_page(client_for, world, queued_tasks):
    from governance.roll import jobs

    client = client_for("staff")
    data = many_lines(3000, last="MB-99999,Bad,Line,,1990-01-01,2020-01-01,nowhere,member")
    response = client.post(reverse("member_import"), upload(data))
    job = MemberImport.objects.get()
    jobs.run_member_import.call(str(job.pk))
    page = client.get(response.url).content.decode()
    assert "line 3001: unknown unit code" in page
    assert "hx-trigger" not in page
    assert not Member.objects.filter(membership_number__startswith="MB-").exists()
    job.refresh_from_db()
    assert (job.status, job.data) == ("rejected", b"")


def test_the_progress_page_takes_the_same_queries_however_many_lines_are_refused(
    client_for, world, django_assert_max_num_queries
):
    client = client_for("staff")
    for count in (1, 500):
        job = MemberImport.objects.create(
            created_by=world.staff,
            status="rejected",
            message="refused",
            line_errors=[f"line {i}: bad" for i in range(count)],
        )
        with django_assert_max_num_queries(4):
            page = client.get(reverse("member_import_progress", args=[job.pk]))
        assert page.status_code == 200 and f"line {count - 1}: bad" in page.content.decode()


def test_finished_imports_older_than_the_days_kept_are_purged_and_their_events_stay(world):
    from io import StringIO

    from django.utils import timezone

    from governance.roll import jobs

    run(world, GOOD)  # the members and their audit events
    events = AuditEvent.objects.count()
    now = timezone.now()

    def job(status: str, age_days: int) -> MemberImport:
        return MemberImport.objects.create(
            created_by=world.staff, status=status, created_at=now - dt.timedelta(days=age_days)
        )

    old = [job(status, 31) for status in ("done", "rejected", "failed")]
    kept = [job("done", 29), job("queued", 90), job("running", 90)]
    out = StringIO()
    call_command("purge_member_imports", "--days", "30", stdout=out)
    assert "3 finished import(s) older than 30 days deleted." in out.getvalue()
    assert set(MemberImport.objects.all()) == set(kept)
    assert not MemberImport.objects.filter(pk__in=[j.pk for j in old]).exists()
    assert AuditEvent.objects.count() == events  # the record untouched, nothing added
    assert audit.verify_chain().ok
    assert jobs.purge_finished(days=0, now=now + dt.timedelta(seconds=1)) == 1  # the 29-day one


def test_the_purge_refuses_a_negative_number_of_days(world):
    with pytest.raises(CommandError, match="not a number of days"):
        call_command("purge_member_imports", "--days", "-1")


LANGUAGE_HEADER = HEADER + ",language"


def test_the_optional_language_column_sets_each_members_language_audited(world):
    run(
        world,
        csv_bytes(
            "MA-1,Amina,Alaoui,amina@example.org,2001-03-04,2024-01-10,rabat,member,fr",
            "MA-2,Youssef,Benali,,1980-12-31,2019-06-01,rabat,supporter,AR",
            "MA-3,Salma,Tazi,salma@example.org,,2025-09-09,section,,",
            header=LANGUAGE_HEADER,
        ),
    )
    languages = dict(Member.objects.values_list("membership_number", "language"))
    assert (languages["MA-1"], languages["MA-2"], languages["MA-3"]) == ("fr", "ar", "")
    imported = AuditEvent.objects.get(action="member.imported", object_label="MA-1")
    assert imported.new["language"] == "fr"
    report = run(
        world,
        csv_bytes(
            "MA-1,Amina,Alaoui,amina@example.org,2001-03-04,2024-01-10,rabat,member,ar",
            header=LANGUAGE_HEADER,
        ),
    )
    assert report.updated == 1 and Member.objects.get(membership_number="MA-1").language == "ar"
    updated = AuditEvent.objects.get(action="member.updated")
    assert (updated.old, updated.new) == ({"language": "fr"}, {"language": "ar"})
    assert audit.verify_chain().ok


def test_a_file_without_the_language_column_keeps_each_members_own(world):
    run(world, csv_bytes(GOOD.decode().splitlines()[1] + ",fr", header=LANGUAGE_HEADER))
    report = run(world, GOOD)  # no language column: MA-1 keeps French, the others get ""
    assert (report.created, report.updated, report.unchanged) == (2, 0, 1)
    languages = Member.objects.filter(membership_number__startswith="MA-")
    assert dict(languages.values_list("membership_number", "language")) == {
        "MA-1": "fr",
        "MA-2": "",
        "MA-3": "",
    }


def test_an_unknown_language_names_its_line_and_nothing_is_written(world):
    events = AuditEvent.objects.count()
    data = csv_bytes(
        "MA-8,Omar,Sebti,omar@example.org,1990-01-01,2020-01-01,rabat,member,en",
        "MA-9,Nora,Filali,nora@example.org,2001-02-03,2024-01-10,rabat,member,es",
        header=LANGUAGE_HEADER,
    )
    with pytest.raises(importing.ImportRejected) as caught:
        run(world, data)
    details = [str(d) for d in caught.value.details]
    assert details == ["line 3: language must be one of ar, en, fr or empty, not 'es'"]
    assert not Member.objects.filter(membership_number__in=["MA-8", "MA-9"]).exists()
    assert AuditEvent.objects.count() == events
