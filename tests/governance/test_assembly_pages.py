"""The assembly pages through the test client: who sees what, what each form writes, query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from governance.assemblies import services as assemblies
from governance.models import Assembly, AssemblyProxy, Attendance
from tests.governance.assembly_support import at, convene, unpaid_member, voters

pytestmark = pytest.mark.django_db

#: One bound per page, the same with 2 or 30 members in the room.
MAX_QUERIES = 18


@pytest.fixture
def ga(world) -> Assembly:
    return convene(world.assembly_body, title="Ordinary General Assembly")


def fill(world, ga, count: int) -> list:
    """`count` members present, and as many proxies as the limit allows carried in."""
    people = voters(world, count)
    for member in people:
        assemblies.check_in(actor=world.officer, assembly=ga, member=member)
    givers = voters(world, 2)
    for giver in givers:
        assemblies.register_proxy(actor=world.officer, assembly=ga, giver=giver, holder=people[0])
    return people


# ---------------------------------------------------------------------------
# The list and convening
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 8])
def test_the_list_shows_coming_and_past_meetings_in_constant_queries(
    client_for, world, django_assert_max_num_queries, count
):
    for index in range(count):
        convene(world.assembly_body, title=f"Meeting {index}")
    convene(
        world.board, day=timezone.localdate() - dt.timedelta(days=30), title="Last board meeting"
    )
    client = client_for("member")
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(reverse("assembly_list"))
    assert response.status_code == 200
    assert "Last board meeting" in response.text and "Meeting 0" in response.text
    assert reverse("assembly_convene") not in response.text


@pytest.mark.parametrize("count", [2, 27])
def test_the_list_pages_past_and_coming_meetings_each_in_constant_queries(
    client_for, world, django_assert_max_num_queries, count
):
    today = timezone.localdate()
    for n in range(count):
        convene(world.assembly_body, day=today + dt.timedelta(days=40 + n), title=f"Coming {n:02d}")
        convene(world.board, day=today - dt.timedelta(days=1 + n), title=f"Past {n:02d}")
    client = client_for("member")
    url = reverse("assembly_list")
    with django_assert_max_num_queries(MAX_QUERIES):
        page = client.get(url).text
    assert "Coming 00" in page and "Past 00" in page  # the soonest, the latest
    assert "Coming 25" not in page and "Past 25" not in page
    if count > 25:
        assert page.count("Page 1 of 2") == 2
        # Paging the past meetings keeps the page of those to come, and the other way round.
        with django_assert_max_num_queries(MAX_QUERIES):
            page = client.get(url, {"past": 2, "upcoming": 2}).text
        assert "Past 26" in page and "Past 00" not in page
        assert "Coming 26" in page and "Coming 00" not in page
        assert "?upcoming=2&amp;past=1" in page and "?past=2&amp;upcoming=1" in page


def test_a_meeting_convened_for_today_is_still_to_come_until_it_is_held(world):
    today = timezone.localdate()
    morning = convene(world.assembly_body, title="This morning")
    Assembly.objects.filter(pk=morning.pk).update(
        starts_at=timezone.make_aware(dt.datetime.combine(today, dt.time(0, 0)))
    )
    yesterday = convene(world.board, day=today - dt.timedelta(days=1), title="Yesterday")
    assert list(Assembly.objects.upcoming()) == [morning]
    assert list(Assembly.objects.past()) == [yesterday]


def test_the_navigation_links_to_the_assemblies(client_for, world):
    response = client_for("member").get(reverse("dashboard"))
    assert reverse("assembly_list") in response.text


def test_anonymous_visitors_are_sent_to_log_in(client_for, world):
    response = client_for("anonymous").get(reverse("assembly_list"))
    assert response.status_code == 302 and "login" in response.url


def test_an_officer_convenes_a_meeting(client_for, world):
    client = client_for("officer")
    assert client.get(reverse("assembly_convene")).status_code == 200
    day = timezone.localdate() + dt.timedelta(days=45)
    response = client.post(
        reverse("assembly_convene"),
        {
            "body": world.assembly_body.pk,
            "title": "Extraordinary General Assembly",
            "starts_at": at(day).strftime("%Y-%m-%dT%H:%M"),
            "place": "Rabat",
            "convocation": 1,
            "agenda": "1. Statutes",
        },
    )
    assembly = Assembly.objects.get(title="Extraordinary General Assembly")
    assert response.status_code == 302 and response.url == reverse(
        "assembly_detail", args=[assembly.pk]
    )
    assert assembly.convened_by == world.officer


def test_a_meeting_convened_too_late_is_a_form_error_naming_the_article(client_for, world):
    day = timezone.localdate() + dt.timedelta(days=10)
    response = client_for("officer").post(
        reverse("assembly_convene"),
        {
            "body": world.assembly_body.pk,
            "title": "Too soon",
            "starts_at": at(day).strftime("%Y-%m-%dT%H:%M"),
            "place": "Rabat",
            "convocation": 1,
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors["starts_at"]
    deadline = (day - dt.timedelta(days=30)).isoformat()
    assert "article 6" in errors[0] and deadline in errors[0]
    assert not Assembly.objects.filter(title="Too soon").exists()


@pytest.mark.parametrize("role", ["member", "auditor"])
def test_members_and_auditors_cannot_convene(client_for, world, role):
    assert client_for(role).get(reverse("assembly_convene")).status_code == 403


# ---------------------------------------------------------------------------
# A meeting's page and its steps
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("count", [2, 30])
def test_the_meeting_page_has_a_constant_number_of_queries(
    client_for, world, ga, django_assert_max_num_queries, count
):
    fill(world, ga, count)
    client = client_for("officer")
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(reverse("assembly_detail", args=[ga.pk]))
    assert response.status_code == 200
    quorum = response.context["quorum"]
    assert (quorum.present, quorum.represented) == (count, 2)
    assert reverse("assembly_door", args=[ga.pk]) in response.text
    assert reverse("assembly_minutes", args=[ga.pk]) in response.text
    assert f'hx-get="{reverse("assembly_detail", args=[ga.pk])}"' in response.text


def test_htmx_gets_the_quorum_panel_only(client_for, world, ga, django_assert_max_num_queries):
    fill(world, ga, 3)
    client = client_for("member")
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(
            reverse("assembly_detail", args=[ga.pk]), headers={"HX-Request": "true"}
        )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="quorum"')
    assert "<html" not in response.text and "Article 7" in response.text


def test_a_member_sees_the_meeting_but_not_its_tools(client_for, world, ga):
    response = client_for("member").get(reverse("assembly_detail", args=[ga.pk]))
    assert response.status_code == 200
    assert reverse("assembly_door", args=[ga.pk]) not in response.text
    assert reverse("assembly_minutes", args=[ga.pk]) not in response.text
    assert "Open the session" not in response.text


def test_an_officer_opens_and_closes_the_session(client_for, world, ga):
    client = client_for("officer")
    response = client.post(reverse("assembly_action", args=[ga.pk, "open"]))
    assert response.status_code == 302
    assert Assembly.objects.get(pk=ga.pk).status == "in_session"
    client.post(reverse("assembly_action", args=[ga.pk, "close"]))
    assert Assembly.objects.get(pk=ga.pk).status == "closed"


def test_a_step_out_of_order_is_a_message(client_for, world, ga):
    client = client_for("officer")
    response = client.post(reverse("assembly_action", args=[ga.pk, "close"]), follow=True)
    assert "cannot become closed" in response.text
    assert Assembly.objects.get(pk=ga.pk).status == "convened"


@pytest.mark.parametrize("role", ["auditor", "member"])
def test_steps_are_refused_to_auditors_and_members(client_for, world, ga, role):
    response = client_for(role).post(reverse("assembly_action", args=[ga.pk, "open"]))
    assert response.status_code == 403
    assert Assembly.objects.get(pk=ga.pk).status == "convened"


def test_steps_are_posted_not_fetched(client_for, world, ga):
    assert (
        client_for("officer").get(reverse("assembly_action", args=[ga.pk, "open"])).status_code
        == 405
    )


def test_cancelling_needs_a_reason(client_for, world, ga):
    client = client_for("officer")
    response = client.post(reverse("assembly_action", args=[ga.pk, "cancel"]), {"reason": ""})
    assert response.status_code == 400 and response.context["cancel_form"].errors["reason"]
    client.post(reverse("assembly_action", args=[ga.pk, "cancel"]), {"reason": "No hall"})
    assert Assembly.objects.get(pk=ga.pk).cancel_reason == "No hall"


def test_the_minutes_are_a_pdf_for_officers_and_auditors(client_for, world, ga):
    for role in ("officer", "auditor"):
        response = client_for(role).get(reverse("assembly_minutes", args=[ga.pk]))
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
    assert client_for("member").get(reverse("assembly_minutes", args=[ga.pk])).status_code == 403


# ---------------------------------------------------------------------------
# The door
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("count", [2, 30])
def test_the_door_searches_in_a_constant_number_of_queries(
    client_for, world, ga, django_assert_max_num_queries, count
):
    fill(world, ga, count)
    client = client_for("staff")
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(reverse("assembly_door", args=[ga.pk]), {"q": "Amina"})
    assert response.status_code == 200
    assert len(response.context["results"]) == min(count + 6, 20)
    assert "Present since" in response.text and "<table" not in response.text
    with django_assert_max_num_queries(MAX_QUERIES):
        partial = client.get(
            reverse("assembly_door", args=[ga.pk]), {"q": "Amina"}, headers={"HX-Request": "true"}
        )
    assert partial.text.lstrip().startswith('<div id="door-results"')


@pytest.mark.parametrize("role", ["member", "auditor", "other_officer"])
def test_the_door_is_for_officers_of_the_body_and_staff(client_for, world, ga, role):
    assert client_for(role).get(reverse("assembly_door", args=[ga.pk])).status_code == 403


def test_one_click_checks_a_member_in_and_htmx_gets_their_row(client_for, world, ga):
    member = world.member.member
    client = client_for("staff")
    response = client.post(
        reverse("assembly_check_in", args=[ga.pk]),
        {"member": member.pk, "q": "Amina"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith(
        f'<li class="door-result is-present" id="member-{member.pk}"'
    )
    assert Attendance.objects.filter(assembly=ga, member=member).present().exists()
    response = client.post(reverse("assembly_check_out", args=[ga.pk]), {"member": member.pk})
    assert response.status_code == 302
    assert not Attendance.objects.filter(assembly=ga).present().exists()


def test_a_refused_check_in_shows_the_reason_in_the_row(client_for, world, ga):
    unpaid = unpaid_member(world)
    client = client_for("officer")
    response = client.post(
        reverse("assembly_check_in", args=[ga.pk]),
        {"member": unpaid.pk},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 400
    assert 'role="alert"' in response.text and "article 4" in response.text
    response = client.post(
        reverse("assembly_check_in", args=[ga.pk]), {"member": unpaid.pk}, follow=True
    )
    assert "article 4" in response.text
    assert not Attendance.objects.exists()


def test_auditors_cannot_check_in(client_for, world, ga):
    response = client_for("auditor").post(
        reverse("assembly_check_in", args=[ga.pk]), {"member": world.member.member.pk}
    )
    assert response.status_code == 403 and not Attendance.objects.exists()


def test_a_proxy_is_registered_by_membership_numbers(client_for, world, ga):
    giver, holder = voters(world, 2)
    response = client_for("officer").post(
        reverse("assembly_proxy_register", args=[ga.pk]),
        {"giver": giver.membership_number, "holder": f" {holder.membership_number} "},
    )
    assert response.status_code == 302
    assert AssemblyProxy.objects.live().get().holder == holder


def test_a_proxy_over_the_limit_is_a_form_error_naming_the_article(client_for, world, ga):
    holder, *givers = voters(world, 4)
    for giver in givers[:2]:
        assemblies.register_proxy(actor=world.officer, assembly=ga, giver=giver, holder=holder)
    response = client_for("officer").post(
        reverse("assembly_proxy_register", args=[ga.pk]),
        {"giver": givers[2].membership_number, "holder": holder.membership_number},
    )
    assert response.status_code == 400
    error = response.context["proxy_form"].errors["holder"][0]
    assert "article 9" in error and "at most 2" in error
    assert AssemblyProxy.objects.count() == 2


def test_an_unknown_membership_number_is_a_form_error(client_for, world, ga):
    response = client_for("officer").post(
        reverse("assembly_proxy_register", args=[ga.pk]), {"giver": "NOPE", "holder": "NOPE2"}
    )
    assert response.status_code == 400
    assert response.context["proxy_form"].errors["giver"]


def test_a_proxy_is_revoked_from_the_door(client_for, world, ga):
    giver, holder = voters(world, 2)
    proxy = assemblies.register_proxy(actor=world.officer, assembly=ga, giver=giver, holder=holder)
    response = client_for("staff").post(reverse("assembly_proxy_revoke", args=[proxy.pk]))
    assert response.status_code == 302
    assert AssemblyProxy.objects.get(pk=proxy.pk).status == "revoked"
