"""Many rows at once (`governance.bulk`): PostgreSQL's COPY stores what bulk_create would."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from governance import bulk
from governance.audit import log as audit
from governance.models import AuditEvent, Member

pytestmark = pytest.mark.django_db

N = bulk.COPY_FROM + 50  # enough to take the COPY path on PostgreSQL


def members(world, prefix: str) -> list[Member]:
    return [
        Member(
            membership_number=f"{prefix}-{i:04d}",
            first_name="Amal",
            last_name=f"Nom {i} — اسم",
            email=f"{prefix}{i}@example.org",
            unit=world.board.unit,
            birth_date=dt.date(1990, 1, 1) if i % 2 else None,
            joined_on=dt.date(2020, 5, 17),
        )
        for i in range(N)
    ]


def test_inserted_members_are_stored_as_bulk_create_stores_them(world):
    fields = ("first_name", "last_name", "unit_id", "kind", "status", "birth_date", "joined_on")
    copied, created = members(world, "C"), members(world, "B")
    with transaction.atomic():
        bulk.insert(Member, copied, with_pks=True)
    Member.objects.bulk_create(created)
    assert all(m.pk for m in copied)
    stored = Member.objects.in_bulk([m.pk for m in copied])
    for mine, theirs in zip(
        copied,
        Member.objects.filter(membership_number__startswith="B-").order_by("membership_number"),
        strict=True,
    ):
        assert stored[mine.pk].membership_number == mine.membership_number
        assert stored[mine.pk].email == mine.email
        assert [getattr(stored[mine.pk], f) for f in fields] == [getattr(theirs, f) for f in fields]


def test_a_batch_of_audit_events_stores_the_values_it_hashed(world):
    changes = [
        audit.Change(
            action="test.bulk", object_type="test", object_id=str(i), new={"i": i, "t": "é ع"}
        )
        for i in range(N)
    ]
    with transaction.atomic():
        audit.record_many(None, changes, actor_label="system: test")
    assert AuditEvent.objects.filter(action="test.bulk").count() == N
    assert audit.verify_chain().ok


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the COPY path is PostgreSQL's")
def test_a_repeated_key_in_a_copy_is_the_usual_integrity_error(world):
    rows = members(world, "D")
    rows[-1].membership_number = rows[0].membership_number
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk.insert(Member, rows, with_pks=True)
    assert not Member.objects.filter(membership_number__startswith="D-").exists()
