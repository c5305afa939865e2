"""Concurrent writers on PostgreSQL append to one unbroken chain."""

import threading

import pytest
from django.db import connection, connections

from governance import services
from governance.audit import log as audit
from governance.models import AuditEvent
from governance.services import SYSTEM

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrency is tested on PostgreSQL"
    ),
]


def test_forty_concurrent_writers_make_one_chain():
    barrier = threading.Barrier(8)
    errors = []

    def writer(worker: int) -> None:
        try:
            barrier.wait()
            for index in range(5):
                services.create_unit(
                    actor=SYSTEM,
                    code=f"w{worker}-{index}",
                    name=f"Worker {worker} unit {index}",
                    kind="local_group",
                )
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    result = audit.verify_chain()
    assert result.ok
    assert result.count == 40
    assert sorted(AuditEvent.objects.values_list("sequence", flat=True)) == list(range(1, 41))
