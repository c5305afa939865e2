"""Check the audit chain: exit 0 with the count when it holds, non-zero naming the first bad event."""

from django.core.management.base import BaseCommand, CommandError

from governance.audit import verify_chain


class Command(BaseCommand):
    help = "Verify the hash chain of the audit log."

    def handle(self, *args, **options):
        result = verify_chain()
        if not result.ok:
            raise CommandError(
                f"audit chain broken at event {result.bad_sequence}: {result.problem} "
                f"({result.count} events verified before it)"
            )
        self.stdout.write(
            self.style.SUCCESS(f"audit chain ok: {result.count} events, head {result.head_hash}")
        )
