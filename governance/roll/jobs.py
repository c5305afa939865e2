"""The staff page's membership import, run by the task worker with its progress visible.

The page stores the file in a `MemberImport` row and enqueues `run_member_import`; the
worker runs `importing.import_members` (one transaction, all or nothing) and records each
phase's progress in the cache, which every app server reads (Redis in production): the
import's own transaction is not visible to anyone until it commits, so the progress cannot
live in its rows. The page polls `progress_of` through htmx. With the immediate backend
(development, the tests) the import runs inside the request, as before.
"""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.tasks import task
from django.utils import timezone, translation

from governance.exceptions import DomainError
from governance.models import MemberImport
from governance.roll import importing

PHASES = ("reading", "checking", "writing")
#: How long a job's progress is kept in the cache after its last report.
PROGRESS_SECONDS = 60 * 60


def _key(job_id) -> str:
    return f"member-import:{job_id}"


def record_progress(job_id, phase: str, done: int, total: int) -> None:
    cache.set(_key(job_id), (phase, done, total), PROGRESS_SECONDS)


def progress_of(job: MemberImport) -> tuple[str, int, int] | None:
    """(phase, done, total) as last reported by the worker, or None (not started, or ended)."""
    if job.status != MemberImport.Status.RUNNING:
        return None
    return cache.get(_key(job.pk))


def start(*, actor, upload) -> MemberImport:
    """Store the uploaded file for the worker and enqueue its import; the job row."""
    job = MemberImport.objects.create(
        created_by=actor,
        data=upload.read(),
        size=upload.size,
        language=translation.get_language() or "en",
    )
    run_member_import.enqueue(str(job.pk))
    job.refresh_from_db()
    return job


@task
def run_member_import(job_id: str) -> str:
    """Import a stored file as the staff account that sent it; record how it ended."""
    job = MemberImport.objects.select_related("created_by").get(pk=job_id)
    if job.status != MemberImport.Status.QUEUED:
        return job.status  # run once only (a retried task finds it started)
    MemberImport.objects.filter(pk=job.pk).update(status=MemberImport.Status.RUNNING)
    job.status = MemberImport.Status.RUNNING
    fields = ["status", "data"]
    try:
        with translation.override(job.language):  # the bad lines named in the sender's language
            report = importing.import_members(
                actor=job.created_by,
                data=bytes(job.data),
                today=timezone.localdate(),
                progress=lambda phase, done, total: record_progress(job.pk, phase, done, total),
            )
    except DomainError as error:
        job.status = MemberImport.Status.REJECTED
        job.message = error.message
        job.line_errors = [str(detail) for detail in error.details]
        fields += ["message", "line_errors"]
    except Exception:
        job.status = MemberImport.Status.FAILED
        job.data = b""
        job.save(update_fields=fields)
        raise
    else:
        job.status = MemberImport.Status.DONE
        job.created, job.updated, job.unchanged = report.created, report.updated, report.unchanged
        fields += ["created", "updated", "unchanged"]
    finally:
        cache.delete(_key(job.pk))
    job.data = b""  # personal data: kept no longer than the import needs it
    job.save(update_fields=fields)
    return job.status


#: Finished imports are kept this long for the staff page's link, then purged.
KEEP_FINISHED_DAYS = 30


def purge_finished(*, days: int = KEEP_FINISHED_DAYS, now=None) -> int:
    """Delete the imports that ended (done, refused, failed) more than `days` ago; how many.

    For the daily housekeeping job (docs/operations.md). These rows are not the record:
    each import's audit events (the members it created or changed) stay in the log, which
    nothing here touches. Queued and running jobs are kept, however old.
    """
    before = (now or timezone.now()) - dt.timedelta(days=days)
    finished = [MemberImport.Status.DONE, MemberImport.Status.REJECTED, MemberImport.Status.FAILED]
    deleted, _ = MemberImport.objects.filter(status__in=finished, created_at__lt=before).delete()
    return deleted
