"""factory-boy factories for the governance domain (tests write through them or the services)."""

import datetime as dt
from decimal import Decimal

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from governance.models import Body, DuesPayment, Mandate, Member, OrganisationUnit, User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")
    password = factory.PostGenerationMethodCall("set_password", "secret-pass-123")

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        if create:
            self.save()
            EmailAddress.objects.create(user=self, email=self.email, primary=True, verified=True)


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganisationUnit
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"unit-{n}")
    name = factory.Sequence(lambda n: f"Unit {n}")
    kind = OrganisationUnit.Kind.LOCAL_GROUP


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    membership_number = factory.Sequence(lambda n: f"T-{n:05d}")
    first_name = "Amina"
    last_name = factory.Sequence(lambda n: f"Member{n}")
    email = factory.LazyAttribute(lambda m: f"{m.last_name.lower()}@members.example.org")
    unit = factory.SubFactory(UnitFactory)
    birth_date = dt.date(1995, 5, 17)
    joined_on = dt.date(2020, 1, 15)


class DuesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DuesPayment

    member = factory.SubFactory(MemberFactory)
    year = factory.LazyFunction(lambda: timezone.localdate().year)
    amount = Decimal("100.00")
    paid_on = factory.LazyFunction(timezone.localdate)


class BodyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Body

    unit = factory.SubFactory(UnitFactory, code="section", kind=OrganisationUnit.Kind.SECTION)
    code = factory.Sequence(lambda n: f"body-{n}")
    name = factory.Sequence(lambda n: f"Body {n}")
    kind = Body.Kind.BOARD
    seats = 7
    reserved_youth_seats = 1


class MandateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mandate

    member = factory.SubFactory(MemberFactory)
    body = factory.SubFactory(BodyFactory)
    role = Mandate.Role.MEMBER
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=100))
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=600))
