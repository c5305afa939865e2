"""Send the closing reminder of every open ballot that closes soon (run it from cron, hourly)."""

import datetime as dt

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from elections import services, tasks
from elections.models import Ballot
from governance.services import SYSTEM


class Command(BaseCommand):
    help = (
        "Remind the voters who have not voted yet, once per ballot, when it closes within --hours."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--hours", type=int, default=24, help="how long before closing (default 24)"
        )

    def handle(self, *args, hours: int, **options):
        due = Ballot.objects.filter(
            status=Ballot.Status.OPEN,
            reminded_at__isnull=True,
            closes_at__gt=timezone.now(),
            closes_at__lte=timezone.now() + dt.timedelta(hours=hours),
        )
        sent = 0
        for ballot in due:
            with transaction.atomic():
                if services.mark_reminded(actor=SYSTEM, ballot=ballot):
                    transaction.on_commit(lambda pk=ballot.pk: tasks.send_reminders.enqueue(pk))
                    sent += 1
        self.stdout.write(f"reminders queued for {sent} ballot(s)")
