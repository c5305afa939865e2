"""Print the current two-factor code of a demo account (demo data only)."""

import time

from allauth.mfa import app_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.management.base import BaseCommand, CommandError

from governance.demo import DEMO_ACCOUNTS


class Command(BaseCommand):
    help = "Print the current TOTP code of a demo account, so the demo can be tried without an app."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email: str, **options):
        account = next((a for a in DEMO_ACCOUNTS if a.email == email.lower()), None)
        if account is None or not account.totp_secret:
            raise CommandError(f"{email} is not a demo account with a second factor")
        counter = int(time.time()) // app_settings.TOTP_PERIOD
        self.stdout.write(format_hotp_value(hotp_value(account.totp_secret, counter)))
