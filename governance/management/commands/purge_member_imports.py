"""Delete finished membership imports (the staff page's job rows) older than N days."""

from django.core.management.base import BaseCommand, CommandError

from governance.roll import jobs


def _days(value: str) -> int:
    try:
        days = int(value)
    except ValueError:
        days = -1
    if days < 0:
        raise CommandError(f"{value!r} is not a number of days (0 or more)")
    return days


class Command(BaseCommand):
    help = (
        "Delete the membership imports that ended (imported, refused or failed) more than "
        "--days days ago. Their audit events stay in the log; queued and running ones stay."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=_days,
            default=jobs.KEEP_FINISHED_DAYS,
            help=f"keep the imports of the last DAYS days (default {jobs.KEEP_FINISHED_DAYS})",
        )

    def handle(self, *args, days, **options):
        deleted = jobs.purge_finished(days=days)
        self.stdout.write(f"{deleted} finished import(s) older than {days} days deleted.")
