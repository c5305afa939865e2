"""A realistic demo section: units, ~300 members with dues, the Board, statutes v1, assemblies.

Everything is written through the services, so the demo's audit chain verifies like real data.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from governance import services
from governance.models import Member, OrganisationUnit, User
from governance.roll import importing
from governance.services import SYSTEM, ArticleSpec, RuleSpec
from governance.statutes import rules
from governance.statutes.lookup import require_rule_for

DEMO_PASSWORD = "demo-governance-2026"

#: Sent at the end of `load_demo`, inside its transaction, with `today`. The apps above
#: governance (elections, motions) add their part of the demo from a receiver: governance
#: must not import them, so this is the one place the layering is inverted on purpose.
demo_section_loaded = Signal()


@dataclass(frozen=True)
class DemoAccount:
    email: str
    role: str
    totp_secret: str | None  # base32; privileged roles must use a second factor


DEMO_ACCOUNTS = (
    DemoAccount("member@demo.example", "member", None),
    DemoAccount(
        "officer@demo.example", "officer (Section Board chair)", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    ),
    DemoAccount(
        "auditor@demo.example", "auditor (Control Committee)", "KRUGS4ZANFZSAYJAORSXG5BAONSWG4TF"
    ),
    DemoAccount(
        "staff@demo.example", "staff (national office)", "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U"
    ),
)

FIRST_NAMES = [
    "Amina",
    "Youssef",
    "Fatima Zahra",
    "Mehdi",
    "Salma",
    "Omar",
    "Khadija",
    "Hamza",
    "Imane",
    "Anas",
    "Meryem",
    "Ayoub",
    "Sara",
    "Ilyas",
    "Nora",
    "Karim",
    "Houda",
    "Rachid",
    "Zineb",
    "Adil",
    "Hajar",
    "Soufiane",
    "Leila",
    "Yassine",
    "Asmae",
    "Driss",
    "Ghita",
    "Nabil",
    "Samira",
    "Othmane",
]
LAST_NAMES = [
    "El Amrani",
    "Benali",
    "Alaoui",
    "Bennani",
    "Chraibi",
    "Tazi",
    "El Idrissi",
    "Berrada",
    "Lahlou",
    "Ouazzani",
    "Fassi",
    "Naciri",
    "Sebti",
    "Kettani",
    "Belhaj",
    "Hajji",
    "Ait Lahcen",
    "Amzil",
    "Boukhari",
    "Zahraoui",
    "Mansouri",
    "Essaadi",
    "Filali",
    "Guessous",
    "Jettou",
    "Rami",
]
LOCAL_GROUPS = [
    ("rabat", "Groupe local de Rabat", "Rabat"),
    ("casablanca", "Groupe local de Casablanca", "Casablanca"),
    ("marrakech", "Groupe local de Marrakech", "Marrakech"),
    ("fes", "Groupe local de Fès", "Fès"),
    ("tanger", "Groupe local de Tanger", "Tanger"),
    ("agadir", "Groupe local d'Agadir", "Agadir"),
]
YOUTH_GROUPS = [
    ("youth-rabat-univ", "Groupe jeunes — Université Mohammed V", "Rabat"),
    ("youth-casa-univ", "Groupe jeunes — Université Hassan II", "Casablanca"),
    ("youth-oujda", "Groupe jeunes d'Oujda", "Oujda"),
]


def statutes_v1() -> list[ArticleSpec]:
    """The founding statutes: 16 articles, 17 machine-readable rules."""
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
            "A Control Committee of three members elected by the General Assembly reviews the accounts and the record of decisions and reports to the General Assembly. Its members hold the General Assembly's secret ballots in trust: any two of them decrypt the count.",
            [R("trustees", "assembly", {"body": "control-committee", "threshold": 2})],
        ),
    ]


def _date_of_age(rng: random.Random, today: dt.date, low: int, high: int) -> dt.date:
    years = rng.randint(low, high)
    return today.replace(year=today.year - years - 1) + dt.timedelta(days=rng.randint(1, 360))


def control_committee_members(
    members: list[Member], taken: list[tuple[Member, str]], today: dt.date
) -> list[Member]:
    """The auditor's two colleagues on the Control Committee: the first two members (by
    membership number, after the demo logins and the Board's seniors) over 25, in good
    standing this year and members for five years or more, who hold no Board seat."""
    busy = {person.pk for person, _role in taken}
    paid = set(
        Member.objects.in_good_standing(today.year)
        .filter(pk__in=[m.pk for m in members])
        .values_list("pk", flat=True)
    )
    chosen = [
        m
        for m in members[16:]
        if m.kind == Member.Kind.MEMBER
        and m.pk not in busy
        and m.pk in paid
        and rules.age_on(m.birth_date, today) > 25
        and m.joined_on <= today - dt.timedelta(days=5 * 365)
    ]
    return chosen[:2]


def load_demo(*, today: dt.date | None = None, stdout=None) -> bool:
    """Create the demo section once. Returns False (and writes nothing) if it is already there."""
    today = today or timezone.localdate()
    if OrganisationUnit.objects.filter(code="section").exists():
        return False
    rng = random.Random(1997)
    with transaction.atomic():
        ic = services.create_unit(
            actor=SYSTEM, code="ic", name="International Council", kind="international_council"
        )
        services.create_unit(
            actor=SYSTEM,
            code="international-board",
            name="International Board",
            kind="international_board",
            parent=ic,
        )
        section = services.create_unit(
            actor=SYSTEM,
            code="section",
            name="Section nationale",
            kind="section",
            parent=ic,
            city="Rabat",
        )
        groups = [
            services.create_unit(
                actor=SYSTEM, code=code, name=name, kind="local_group", parent=section, city=city
            )
            for code, name, city in LOCAL_GROUPS
        ]
        youth_groups = [
            services.create_unit(
                actor=SYSTEM, code=code, name=name, kind="youth_group", parent=section, city=city
            )
            for code, name, city in YOUTH_GROUPS
        ]
        services.create_body(
            actor=SYSTEM,
            unit=ic,
            code="ic-plenary",
            name="International Council plenary",
            kind="council",
        )
        ga = services.create_body(
            actor=SYSTEM,
            unit=section,
            code="general-assembly",
            name="General Assembly",
            kind="assembly",
        )
        board = services.create_body(
            actor=SYSTEM,
            unit=section,
            code="board",
            name="Section Board",
            kind="board",
            seats=7,
            reserved_youth_seats=1,
        )
        services.create_body(
            actor=SYSTEM,
            unit=section,
            code="standing-orders",
            name="Standing Orders Committee",
            kind="committee",
            seats=3,
        )
        control = services.create_body(
            actor=SYSTEM,
            unit=section,
            code="control-committee",
            name="Control Committee",
            kind="committee",
            seats=3,
        )

        founded = dt.date(today.year - 3, 1, 1)
        services.adopt_statute_version(
            actor=SYSTEM,
            title="Statuts de la section",
            effective_from=founded,
            articles=statutes_v1(),
            note="Founding statutes as registered.",
        )

        # ~300 people, through the same import staff use: 280 members (half aged 18-25)
        # and 20 supporters. The four demo logins and the Board are senior members.
        demo_emails = {
            1: DEMO_ACCOUNTS[1].email,
            3: DEMO_ACCOUNTS[0].email,
            5: DEMO_ACCOUNTS[2].email,
        }
        senior = {1, 3, 5, 7, 9, 11, 13, 15}
        units = [section, *groups, *youth_groups]
        lines = ["membership_number,first_name,last_name,email,birth_date,joined_on,unit,kind"]
        for index in range(300):
            youth = index % 2 == 0
            unit = rng.choice(youth_groups) if youth and rng.random() < 0.6 else rng.choice(units)
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            email = demo_emails.get(index) or (
                f"{first.split()[0].lower()}.{last.replace(' ', '').lower()}.{index}@members.demo.example"
            )
            joined = today - dt.timedelta(
                days=rng.randint(800, 3000) if index in senior else rng.randint(30, 3000)
            )
            born = _date_of_age(rng, today, 18, 24) if youth else _date_of_age(rng, today, 26, 70)
            kind = "supporter" if index >= 280 else "member"
            lines.append(
                f"MA-{10001 + index},{first},{last},{email},{born},{joined},{unit.code},{kind}"
            )
        importing.import_members(
            actor=SYSTEM, data="\n".join(lines).encode(), today=today, system=True
        )
        members = list(Member.objects.order_by("membership_number"))
        next_ga_day = today + dt.timedelta(days=40)
        for position, member in enumerate(members):
            if member.kind != Member.Kind.MEMBER:
                continue
            for year in range(max(member.joined_on.year, today.year - 2), next_ga_day.year + 1):
                if year == today.year and rng.random() > 0.78 and position not in senior:
                    break
                # When the coming General Assembly falls in January, paid-up members have
                # renewed in advance, so they are entitled to vote at it (article 4).
                paid_on = max(member.joined_on, dt.date(year, 1, 1)) + dt.timedelta(
                    days=rng.randint(0, 60)
                )
                services.record_dues_payment(
                    actor=SYSTEM,
                    member=member,
                    year=year,
                    amount=Decimal("80.00" if year < today.year else "100.00"),
                    paid_on=min(paid_on, today),
                )
        officer, member_person, auditor_person = members[1], members[3], members[5]

        # Last year's General Assembly, which elected the Board.
        last_ga_day = today - dt.timedelta(days=300)
        last_ga = services.convene_assembly(
            actor=SYSTEM,
            body=ga,
            title=f"Ordinary General Assembly {last_ga_day.year}",
            starts_at=timezone.make_aware(dt.datetime.combine(last_ga_day, dt.time(9, 30))),
            place="Rabat, Maison des associations",
            convened_on=last_ga_day - dt.timedelta(days=40),
            agenda="1. Activity and financial reports\n2. Election of the Section Board\n3. Motions",
        )
        eligible, took_part = 231, 74
        quorum_rule = require_rule_for("quorum", "assembly", on=last_ga_day)
        majority_rule = require_rule_for("majority", "assembly", on=last_ga_day)
        quorum = rules.evaluate_quorum(
            quorum_rule.parsed(),
            eligible=eligible,
            took_part=took_part,
            article=quorum_rule.article.number,
        )
        majority = rules.evaluate_majority(
            majority_rule.parsed(), yes=61, no=6, abstain=7, article=majority_rule.article.number
        )
        services.record_decision(
            actor=SYSTEM,
            body=ga,
            assembly=last_ga,
            decided_on=last_ga_day,
            title="Approval of the activity and financial reports",
            text="The General Assembly approves the Board's activity report and the audited accounts of the past year.",
            article=majority_rule.article,
            outcome="adopted",
            applied=[(quorum_rule, quorum), (majority_rule, majority)],
            figures={
                "eligible": eligible,
                "took_part": took_part,
                "yes": 61,
                "no": 6,
                "abstain": 7,
            },
        )
        terms_rule = require_rule_for("terms", "board", on=last_ga_day)
        election = services.record_decision(
            actor=SYSTEM,
            body=ga,
            assembly=last_ga,
            decided_on=last_ga_day,
            title="Election of the Section Board",
            text="Elected by single transferable vote for seven seats, one reserved for a youth member.",
            article=terms_rule.article,
            outcome="elected",
            applied=[(quorum_rule, quorum)],
            figures={"eligible": eligible, "took_part": took_part, "seats": 7},
        )
        youth_member = next(
            m
            for m in members[20:]
            if m.kind == Member.Kind.MEMBER and rules.age_on(m.birth_date, last_ga_day) <= 24
        )
        board_people = [
            (officer, "chair"),
            (members[7], "vice_chair"),
            (members[9], "treasurer"),
            (members[11], "secretary"),
            (members[13], "member"),
            (members[15], "member"),
        ]
        for person, role in board_people:
            services.create_mandate(
                actor=SYSTEM,
                member=person,
                body=board,
                role=role,
                starts_on=last_ga_day,
                decision=election,
            )
        services.create_mandate(
            actor=SYSTEM,
            member=youth_member,
            body=board,
            role="youth_representative",
            starts_on=last_ga_day,
            decision=election,
            on_youth_seat=True,
        )
        # The Control Committee's three members (article 16): the auditor chairs it, with two
        # long-standing members who sit on no other body. They are the default trustees of
        # the General Assembly's secret ballots (the demo makes them demonstration trustees).
        for person, role in zip(
            (auditor_person, *control_committee_members(members, board_people, today)),
            ("chair", "member", "member"),
            strict=True,
        ):
            services.create_mandate(
                actor=SYSTEM,
                member=person,
                body=control,
                role=role,
                starts_on=last_ga_day,
                decision=election,
                ends_on=last_ga_day + dt.timedelta(days=729),
            )

        # A Board decision by roll call.
        board_day = today - dt.timedelta(days=60)
        board_quorum = require_rule_for("quorum", "board", on=board_day)
        board_majority = require_rule_for("majority", "board", on=board_day)
        services.record_decision(
            actor=SYSTEM,
            body=board,
            decided_on=board_day,
            title="Campaign plan for the coming year",
            text="The Board adopts the campaign plan: freedom of expression, women's rights, and the youth human-rights education programme.",
            article=board_majority.article,
            outcome="adopted",
            applied=[
                (
                    board_quorum,
                    rules.evaluate_quorum(
                        board_quorum.parsed(), eligible=7, took_part=6, article="14"
                    ),
                ),
                (
                    board_majority,
                    rules.evaluate_majority(
                        board_majority.parsed(), yes=5, no=1, eligible=7, article="14"
                    ),
                ),
            ],
            figures={"members": 7, "present": 6, "yes": 5, "no": 1},
        )

        # This year's General Assembly, convened today for next month.
        services.convene_assembly(
            actor=SYSTEM,
            body=ga,
            title=f"Ordinary General Assembly {next_ga_day.year}",
            starts_at=timezone.make_aware(dt.datetime.combine(next_ga_day, dt.time(9, 30))),
            place="Rabat, Maison des associations",
            online_link="https://meet.demo.example/ag",
            agenda="1. Activity and financial reports\n2. Motions to the General Assembly\n3. Motions to the International Council\n4. Election of the Control Committee",
        )

        # Logins: three members with accounts, and a staff account of the national office.
        for account, person in zip(
            DEMO_ACCOUNTS[:3], (member_person, officer, auditor_person), strict=True
        ):
            user = services.create_account_for_member(
                actor=SYSTEM, member=person, password=DEMO_PASSWORD
            )
            if account.email.startswith("auditor"):
                services.set_account_roles(actor=SYSTEM, user=user, is_staff=False, is_auditor=True)
        services.create_account(
            actor=SYSTEM,
            email=DEMO_ACCOUNTS[3].email,
            password=DEMO_PASSWORD,
            first_name="Nadia",
            last_name="Bureau national",
            is_staff=True,
        )
        for account in DEMO_ACCOUNTS:
            user = User.objects.get(email=account.email)
            if (
                account.totp_secret
                and not Authenticator.objects.filter(
                    user=user, type=Authenticator.Type.TOTP
                ).exists()
            ):
                TOTP.activate(user, account.totp_secret)
        demo_section_loaded.send(sender=load_demo, today=today)
    return True
