"""Record one member's dues for a year, as staff do from the member's page."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from governance import services
from governance.exceptions import DomainError
from governance.management.imports import staff_account
from governance.models import Member


def _amount(value: str) -> Decimal:
    try:
        return Decimal(value)
    except InvalidOperation:
        raise CommandError(f"{value!r} is not an amount like 100.00") from None


class Command(BaseCommand):
    help = "Record a member's dues for a year (the member is then in good standing for it)."

    def add_arguments(self, parser):
        parser.add_argument("membership_number")
        parser.add_argument("year", type=int)
        parser.add_argument("amount", type=_amount)
        parser.add_argument(
            "--paid-on",
            type=dt.date.fromisoformat,
            help="the day it was paid, YYYY-MM-DD (today if omitted)",
        )
        parser.add_argument(
            "--as",
            dest="actor",
            metavar="EMAIL",
            help="the staff account the payment is recorded under (the platform if omitted)",
        )

    def handle(self, *args, membership_number, year, amount, paid_on, actor, **options):
        user = staff_account(actor)
        members = Member.objects.all() if user is None else Member.objects.visible_to(user)
        member = members.filter(membership_number=membership_number).first()
        if member is None:
            raise CommandError(f"no member has the number {membership_number}")
        try:
            services.record_dues_payment(
                actor=user,
                member=member,
                year=year,
                amount=amount,
                paid_on=paid_on or timezone.localdate(),
            )
        except DomainError as error:
            raise CommandError(error.message) from None
        self.stdout.write(self.style.SUCCESS(f"dues for {year} recorded for {member.full_name}"))
