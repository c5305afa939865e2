"""factory-boy factories for the governance domain, and the suite's statutes (tests write through them or the services)."""

import datetime as dt
from decimal import Decimal

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from governance import services
from governance.models import (
    Body,
    DuesPayment,
    Mandate,
    Member,
    OrganisationUnit,
    StatuteVersion,
    User,
)
from governance.services import SYSTEM, ArticleSpec, RuleSpec


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
        # A member pays once a year: a test that pays for a year already paid (the
        # meeting's year, which the moved clock may make the world's own) reuses it.
        django_get_or_create = ("member", "year")

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


# ---------------------------------------------------------------------------
# Statutes: the suite's own, written out here so that editing the demo
# (governance/demo.py) changes no test but the demo's own.
# ---------------------------------------------------------------------------


def statute_articles() -> list[ArticleSpec]:
    """The suite's founding statutes: 16 articles, 17 machine-readable rules.

    Tests cite them by number: 4 voting eligibility, 6 notice, 7/8 the General Assembly's
    quorum and majority, 9 proxies, 10/11 sponsorship (and the IC majority), 12 the Board's
    terms, 13 candidates, 14 the Board's notice, quorum and majority, 15 statute amendments;
    5 and 16 (no rules) are amended and repealed. The texts are short on purpose: no test
    reads them, and the demo's fuller statutes (governance/demo.py) are the demo's own.
    """
    A = ArticleSpec
    R = RuleSpec

    def majority(kind: str, fraction: str, *, counts_everyone: bool = False) -> dict:
        # `counts_everyone`: abstentions and blanks count among the votes (a majority of members).
        return {
            "kind": kind,
            "fraction": fraction,
            "count_abstentions": counts_everyone,
            "count_blanks": counts_everyone,
        }

    def eligibility(min_months: int) -> dict:
        return {"good_standing": True, "min_months": min_months, "min_age": 18, "body": None}

    def notice(assembly_days: int, motion_days: int, amendment_days: int) -> dict:
        return {
            "assembly_days": assembly_days,
            "motion_days": motion_days,
            "amendment_days": amendment_days,
        }

    board_terms = {
        "length_months": 24,
        "max_consecutive": 2,
        "reserved_seats": {"youth": 1},
        "youth_max_age": 25,
    }
    return [
        A("1", "Name and seat", "The test section and where it sits."),
        A("2", "Purpose", "What the test section works for."),
        A("3", "Membership", "Who may join: adults who pay their dues."),
        A(
            "4",
            "Voting rights",
            "Paid up, a member for three months, and 18 on the day.",
            [R("eligibility", "ballot", eligibility(3))],
        ),
        A("5", "Dues", "Dues are yearly."),
        A(
            "6",
            "The General Assembly",
            "Convened 30 days ahead; motions 21 days, amendments 10 days before.",
            [R("notice", "assembly", notice(30, 21, 10))],
        ),
        A(
            "7",
            "Quorum of the General Assembly",
            "A quarter on first convocation; anyone on the second.",
            [R("quorum", "assembly", {"first_convocation": "1/4", "second_convocation": None})],
        ),
        A(
            "8",
            "Majority of the General Assembly",
            "A simple majority of the votes cast.",
            [R("majority", "assembly", majority("simple", "1/2"))],
        ),
        A(
            "9",
            "Proxies",
            "At most two proxies each.",
            [R("proxies", "assembly", {"allowed": True, "max_carried": 2})],
        ),
        A(
            "10",
            "Motions",
            "Five co-sponsors for a motion, two for an amendment.",
            [
                R("sponsorship", "motion", {"min_cosponsors": 5}),
                R("sponsorship", "amendment", {"min_cosponsors": 2}),
            ],
        ),
        A(
            "11",
            "Motions to the International Council",
            "Ten co-sponsors; a simple majority.",
            [
                R("sponsorship", "ic_motion", {"min_cosponsors": 10}),
                R("majority", "ic_motion", majority("simple", "1/2")),
            ],
        ),
        A(
            "12",
            "The Section Board",
            "Seven members for two years, one seat for 25 or under; two terms at most.",
            [R("terms", "board", board_terms)],
        ),
        A(
            "13",
            "Candidates to the Board",
            "Twelve months a member in good standing.",
            [R("eligibility", "election", eligibility(12))],
        ),
        A(
            "14",
            "Board meetings and decisions",
            "Seven days' notice, half present, an absolute majority of the members.",
            [
                R("notice", "board", notice(7, 3, 1)),
                R("quorum", "board", {"first_convocation": "1/2", "second_convocation": "1/2"}),
                R("majority", "board", majority("absolute", "1/2", counts_everyone=True)),
            ],
        ),
        A(
            "15",
            "Amending the statutes",
            "Two thirds of the votes cast; a third take part, or a fifth on second convocation.",
            [
                R(
                    "quorum",
                    "statute_amendment",
                    {"first_convocation": "1/3", "second_convocation": "1/5"},
                ),
                R("majority", "statute_amendment", majority("qualified", "2/3")),
            ],
        ),
        A(
            "16",
            "Control Committee",
            "Three members review the accounts and hold the General Assembly's secret ballots "
            "in trust: any two of them decrypt the count.",
            [R("trustees", "assembly", {"body": "control-committee", "threshold": 2})],
        ),
    ]


def adopt_statutes(
    *, effective_from: dt.date, title: str = "Statutes", articles: list[ArticleSpec] | None = None
) -> StatuteVersion:
    """Adopt a statute version through the service (as the platform), by default `statute_articles()`."""
    return services.adopt_statute_version(
        actor=SYSTEM,
        title=title,
        effective_from=effective_from,
        articles=statute_articles() if articles is None else articles,
    )


def close_and_tally(*, actor, ballot):
    """Close a ballot as `elections.services.close_ballot` does, then run what the close
    enqueues on commit, as the task worker would: a secret ballot's tally (totals or mix).

    A test runs inside a transaction that never commits, so on-commit callbacks do not run
    by themselves; the suite's task backend is the immediate one, so the tally task runs
    here, in process, when its callback does. Use it wherever a test closes a ballot and
    then counts it or lets its trustees decrypt."""
    from django.test import TestCase

    from elections import services as elections

    with TestCase.captureOnCommitCallbacks(execute=True):
        return elections.close_ballot(actor=actor, ballot=ballot)
