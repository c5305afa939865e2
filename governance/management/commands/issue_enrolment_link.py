"""Staff issue an account its enrolment link for a second factor (audited, valid 3 days)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from governance.accounts import enrolment
from governance.exceptions import DomainError
from governance.models import User


class Command(BaseCommand):
    help = "Print an enrolment link for ACCOUNT (an e-mail), issued by the staff account BY."

    def add_arguments(self, parser):
        parser.add_argument("account", help="the e-mail of the account that will enrol")
        parser.add_argument(
            "--by", required=True, help="the e-mail of the staff account issuing it"
        )

    def handle(self, *args, account: str, by: str, **options):
        try:
            user = User.objects.get(email__iexact=account)
            actor = User.objects.get(email__iexact=by)
        except User.DoesNotExist:
            raise CommandError(f"No account {account!r} or {by!r}.") from None
        try:
            link = enrolment.issue_link(actor=actor, user=user)
        except DomainError as error:
            raise CommandError(error.message) from None
        self.stdout.write(link)
