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
    """The suite's founding statutes: 16 articles, 16 machine-readable rules.

    Tests cite them by number: 4 voting eligibility, 6 notice, 7/8 the General Assembly's
    quorum and majority, 9 proxies, 10/11 sponsorship (and the IC majority), 12 the Board's
    terms, 13 candidates, 14 the Board's notice, quorum and majority, 15 statute amendments.
    """
    A = ArticleSpec
    R = RuleSpec
    return [
        A(
            "1",
            "Name and seat",
            "The association is the national section of the movement. Its seat is in Rabat.",
        ),
        A(
            "2",
            "Purpose",
            "The section works for every person to enjoy all the human rights set out in the Universal Declaration of Human Rights, independent of any government, political ideology, economic interest or religion.",
        ),
        A(
            "3",
            "Membership",
            "Any person aged 18 or over who accepts the statutes and pays the yearly dues may be a member. Donors and supporters who do not pay dues are not members and do not vote.",
        ),
        A(
            "4",
            "Voting rights",
            "A member votes when their dues for the current year are paid, they have been a member for at least three months, and they are aged 18 or over on the day of the vote.",
            [
                R(
                    "eligibility",
                    "ballot",
                    {"good_standing": True, "min_months": 3, "min_age": 18, "body": None},
                )
            ],
        ),
        A(
            "5",
            "Dues",
            "The General Assembly sets the yearly dues. Dues are paid for the calendar year.",
        ),
        A(
            "6",
            "The General Assembly",
            "The General Assembly of members is the supreme body of the section. It meets once a year in ordinary session, convened by the Board at least thirty days ahead. Motions are submitted at least twenty-one days and amendments at least ten days before it meets.",
            [
                R(
                    "notice",
                    "assembly",
                    {"assembly_days": 30, "motion_days": 21, "amendment_days": 10},
                )
            ],
        ),
        A(
            "7",
            "Quorum of the General Assembly",
            "The General Assembly deliberates validly when a quarter of the members entitled to vote take part. Failing that, it is convened again and deliberates validly on second convocation whatever the number taking part.",
            [R("quorum", "assembly", {"first_convocation": "1/4", "second_convocation": None})],
        ),
        A(
            "8",
            "Majority of the General Assembly",
            "Decisions of the General Assembly are taken by a simple majority of the votes cast. Abstentions and blank ballots are not votes cast.",
            [
                R(
                    "majority",
                    "assembly",
                    {
                        "kind": "simple",
                        "fraction": "1/2",
                        "count_abstentions": False,
                        "count_blanks": False,
                    },
                )
            ],
        ),
        A(
            "9",
            "Proxies",
            "A member who cannot attend may give a proxy to another member entitled to vote. No member may carry more than two proxies.",
            [R("proxies", "assembly", {"allowed": True, "max_carried": 2})],
        ),
        A(
            "10",
            "Motions",
            "A motion to the General Assembly is tabled by a member and supported by at least five co-sponsors entitled to vote. An amendment to a motion needs at least two co-sponsors.",
            [
                R("sponsorship", "motion", {"min_cosponsors": 5}),
                R("sponsorship", "amendment", {"min_cosponsors": 2}),
            ],
        ),
        A(
            "11",
            "Motions to the International Council",
            "The section submits motions to the International Council once adopted by the General Assembly. Such a motion needs at least ten co-sponsors.",
            [
                R("sponsorship", "ic_motion", {"min_cosponsors": 10}),
                R(
                    "majority",
                    "ic_motion",
                    {
                        "kind": "simple",
                        "fraction": "1/2",
                        "count_abstentions": False,
                        "count_blanks": False,
                    },
                ),
            ],
        ),
        A(
            "12",
            "The Section Board",
            "The Board has seven members elected by the General Assembly for two years, one seat being reserved for a member aged 25 or under. No one may serve more than two consecutive terms.",
            [
                R(
                    "terms",
                    "board",
                    {
                        "length_months": 24,
                        "max_consecutive": 2,
                        "reserved_seats": {"youth": 1},
                        "youth_max_age": 25,
                    },
                )
            ],
        ),
        A(
            "13",
            "Candidates to the Board",
            "Candidates to the Board must be members in good standing for at least twelve months.",
            [
                R(
                    "eligibility",
                    "election",
                    {"good_standing": True, "min_months": 12, "min_age": 18, "body": None},
                )
            ],
        ),
        A(
            "14",
            "Board meetings and decisions",
            "The Board meets when convened by its chair at least seven days ahead. It deliberates validly when half its members are present and decides by an absolute majority of its members, by roll-call vote.",
            [
                R("notice", "board", {"assembly_days": 7, "motion_days": 3, "amendment_days": 1}),
                R("quorum", "board", {"first_convocation": "1/2", "second_convocation": "1/2"}),
                R(
                    "majority",
                    "board",
                    {
                        "kind": "absolute",
                        "fraction": "1/2",
                        "count_abstentions": True,
                        "count_blanks": True,
                    },
                ),
            ],
        ),
        A(
            "15",
            "Amending the statutes",
            "The statutes are amended by the General Assembly by a two-thirds majority of the votes cast, when a third of the members entitled to vote take part on first convocation, or a fifth on second convocation.",
            [
                R(
                    "quorum",
                    "statute_amendment",
                    {"first_convocation": "1/3", "second_convocation": "1/5"},
                ),
                R(
                    "majority",
                    "statute_amendment",
                    {
                        "kind": "qualified",
                        "fraction": "2/3",
                        "count_abstentions": False,
                        "count_blanks": False,
                    },
                ),
            ],
        ),
        A(
            "16",
            "Control Committee",
            "A Control Committee of three members elected by the General Assembly reviews the accounts and the record of decisions and reports to the General Assembly.",
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
