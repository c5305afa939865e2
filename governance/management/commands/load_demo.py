"""Load the demo section (idempotent) and print how to log in."""

import logging

from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from governance.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, load_demo
from governance.exceptions import DomainError


class Command(BaseCommand):
    help = "Create a realistic demo section with members, the Board, statutes and assemblies."

    def add_arguments(self, parser):
        parser.add_argument(
            "--send-mail",
            action="store_true",
            help="send the ballot invitations of the demo (by default they are dropped: the addresses are fictitious)",
        )

    def handle(self, *args, send_mail: bool, verbosity: int, **options):
        # The demo's tasks run in this process, and each logged its start and its end: 42
        # lines before the logins. A failed task is an error and still prints; -v 2 shows all.
        tasks_log = logging.getLogger("django.tasks")
        level = tasks_log.level
        if verbosity < 2:
            tasks_log.setLevel(logging.WARNING)
        try:
            created = self.load(send_mail)
        except DomainError as error:  # refused in one transaction: nothing was written
            raise CommandError(error.message) from None
        finally:
            tasks_log.setLevel(level)
        self.report(created)

    def load(self, send_mail: bool) -> bool:
        if send_mail:
            created = load_demo()
        else:
            # Tasks in process too: a worker would send the invitations with the real mailer.
            with override_settings(
                MAILERS={"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}},
                TASKS={"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}},
            ):
                created = load_demo()
        return created

    def report(self, created: bool) -> None:
        if created:
            self.stdout.write(self.style.SUCCESS("Demo section loaded."))
        else:
            self.stdout.write("Demo section already present: nothing changed.")
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
        for account in DEMO_ACCOUNTS:
            line = f"  {account.email:<24} {account.role}"
            if account.totp_secret:
                line += f"\n  {'':<24} two-factor secret {account.totp_secret}"
                line += f"\n  {'':<24} current code: python manage.py demo_code {account.email}"
            self.stdout.write(line)
