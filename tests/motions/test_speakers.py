"""The list of speakers on a motion of the agenda, kept by the assembly's chair: added by
membership number, given the floor one at a time, done or taken off, each step audited."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from governance.assemblies import services as assemblies
from governance.exceptions import DomainError, NotAllowed
from governance.models import AuditEvent
from motions import services
from motions.models import Motion, Speaker
from tests.factories import DuesFactory
from tests.motions.conftest import draft, scheduled

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(section):
    return scheduled(section)


def members(section, count: int):
    return [user.member for user in section.supporters[:count]]


def test_the_chair_adds_speakers_in_order(section, item):
    first, second = members(section, 2)
    services.add_speaker(actor=section.chair, motion=item, member=first)
    services.add_speaker(actor=section.chair, motion=item, member=second)
    assert list(item.speakers.values_list("member", "position")) == [(first.pk, 1), (second.pk, 2)]
    assert AuditEvent.objects.filter(action="speaker.added").count() == 2


def test_a_member_is_on_the_list_once(section, item):
    (member,) = members(section, 1)
    services.add_speaker(actor=section.chair, motion=item, member=member)
    with pytest.raises(DomainError, match="already on the list"):
        services.add_speaker(actor=section.chair, motion=item, member=member)


def test_giving_the_floor_ends_the_speech_before(section, item):
    first, second = members(section, 2)
    one = services.add_speaker(actor=section.chair, motion=item, member=first)
    two = services.add_speaker(actor=section.chair, motion=item, member=second)
    services.give_floor(actor=section.chair, speaker=one)
    services.give_floor(actor=section.chair, speaker=two)
    assert Speaker.objects.get(pk=one.pk).status == "done"
    assert Speaker.objects.get(pk=two.pk).status == "speaking"
    assert AuditEvent.objects.filter(action="speaker.done", object_id=str(one.pk)).exists()


def test_a_speaker_who_has_spoken_may_ask_again(section, item):
    (member,) = members(section, 1)
    speaker = services.add_speaker(actor=section.chair, motion=item, member=member)
    services.give_floor(actor=section.chair, speaker=speaker)
    services.end_speech(actor=section.chair, speaker=speaker)
    again = services.add_speaker(actor=section.chair, motion=item, member=member)
    assert again.position == 2


def test_a_waiting_speaker_is_taken_off(section, item):
    (member,) = members(section, 1)
    speaker = services.add_speaker(actor=section.chair, motion=item, member=member)
    services.withdraw_speaker(actor=section.chair, speaker=speaker)
    assert Speaker.objects.get(pk=speaker.pk).status == "withdrawn"
    with pytest.raises(DomainError):
        services.give_floor(actor=section.chair, speaker=speaker)


def test_only_a_motion_on_the_agenda_has_speakers(section):
    motion = draft(section)
    with pytest.raises(DomainError, match="on the agenda"):
        services.add_speaker(actor=section.chair, motion=motion, member=members(section, 1)[0])


def test_a_member_may_not_keep_the_list(section, item):
    with pytest.raises(NotAllowed):
        services.add_speaker(actor=section.proposer, motion=item, member=members(section, 1)[0])


def test_the_chairs_page_lists_and_adds_in_constant_queries(
    client, section, item, django_assert_max_num_queries
):
    for member in members(section, 5):
        services.add_speaker(actor=section.chair, motion=item, member=member)
    client.force_login(section.chair)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("motion_speakers", args=[item.pk]))
    assert response.status_code == 200
    assert len(response.context["waiting"]) == 5
    newcomer = section.supporters[6].member
    response = client.post(
        reverse("motion_speakers", args=[item.pk]), {"member": newcomer.membership_number}
    )
    assert response.status_code == 302
    assert item.speakers.filter(member=newcomer).exists()


def test_an_unknown_number_is_a_form_error(client, section, item):
    client.force_login(section.chair)
    response = client.post(reverse("motion_speakers", args=[item.pk]), {"member": "NOPE"})
    assert response.status_code == 400
    assert not item.speakers.exists()


def test_the_chair_gives_the_floor_from_the_page(client, section, item):
    speaker = services.add_speaker(actor=section.chair, motion=item, member=members(section, 1)[0])
    client.force_login(section.chair)
    response = client.post(reverse("speaker_action", args=[speaker.pk, "floor"]))
    assert response.status_code == 302
    assert Speaker.objects.get(pk=speaker.pk).status == "speaking"


def test_a_member_may_not_open_the_chairs_page(client, section, item):
    client.force_login(section.proposer)
    assert client.get(reverse("motion_speakers", args=[item.pk])).status_code == 403


def test_a_member_may_not_give_the_floor(client, section, item):
    speaker = services.add_speaker(actor=section.chair, motion=item, member=members(section, 1)[0])
    client.force_login(section.proposer)
    assert client.post(reverse("speaker_action", args=[speaker.pk, "floor"])).status_code == 403
    assert Speaker.objects.get(pk=speaker.pk).status == "waiting"


def test_a_speaker_step_takes_no_get(client, section, item):
    speaker = services.add_speaker(actor=section.chair, motion=item, member=members(section, 1)[0])
    client.force_login(section.chair)
    assert client.get(reverse("speaker_action", args=[speaker.pk, "floor"])).status_code == 405


def test_the_projector_shows_who_speaks_and_who_is_next(client, section, item):
    first, second = members(section, 2)
    one = services.add_speaker(actor=section.chair, motion=item, member=first)
    services.add_speaker(actor=section.chair, motion=item, member=second)
    services.give_floor(actor=section.chair, speaker=one)
    client.force_login(section.proposer)
    page = client.get(reverse("assembly_projector", args=[item.assembly_id])).content.decode()
    assert f"Speaking: <bdi>{first.full_name}</bdi>" in page
    assert f"<li><bdi>{second.full_name}</bdi></li>" in page


def test_the_api_adds_a_speaker_and_gives_the_floor(client, section, item):
    member = members(section, 1)[0]
    client.force_login(section.chair)
    response = client.post(
        reverse("api_motion_speakers", args=[item.pk]),
        {"membership_number": member.membership_number},
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["position"] == 1
    speaker_id = response.json()["id"]
    response = client.post(
        reverse("api_speaker_step", args=[speaker_id, "floor"]), content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["status"] == "speaking"
    listed = client.get(reverse("api_motion_speakers", args=[item.pk])).json()
    assert [s["status"] for s in listed] == ["speaking"]


def test_the_api_refuses_a_member_before_the_input(client, section, item):
    client.force_login(section.proposer)
    response = client.post(
        reverse("api_motion_speakers", args=[item.pk]), {}, content_type="application/json"
    )
    assert response.status_code == 403


# --- members asking for the floor themselves ----------------------------------------------


@pytest.fixture
def in_session(section, item):
    """On the meeting's day, in session, with three supporters checked in at the door."""
    with time_machine.travel(section.assembly.starts_at, tick=True):
        present = section.supporters[:3]
        for user in present:
            DuesFactory(member=user.member)  # for the meeting's year
            assemblies.check_in(actor=section.chair, assembly=section.assembly, member=user.member)
        assemblies.open_session(actor=section.chair, assembly=section.assembly)
        yield present


def test_a_member_present_asks_for_the_floor_and_goes_to_the_end_of_the_list(
    section, item, in_session
):
    first, second = in_session[:2]
    services.add_speaker(actor=section.chair, motion=item, member=first.member)
    asked = services.ask_for_the_floor(actor=second, motion=item)
    assert (asked.member_id, asked.position, asked.status) == (second.member.pk, 2, "waiting")
    event = AuditEvent.objects.latest("sequence")
    assert (event.action, event.object_id) == ("speaker.asked", str(asked.pk))
    with pytest.raises(DomainError, match="already on the list"):
        services.ask_for_the_floor(actor=second, motion=item)
    assert services.floor_request(second, Motion.objects.get(pk=item.pk)).ahead == 1


def test_a_member_not_checked_in_may_not_ask_and_nothing_is_written(section, item, in_session):
    absent = section.supporters[5]
    events = AuditEvent.objects.count()
    with pytest.raises(NotAllowed, match="checked in at the door"):
        services.ask_for_the_floor(actor=absent, motion=item)
    assert services.floor_request(absent, Motion.objects.get(pk=item.pk)) is None
    assert not item.speakers.exists()
    assert AuditEvent.objects.count() == events


def test_the_floor_is_asked_for_only_while_the_meeting_is_in_session(section, item):
    user = section.supporters[0]
    with time_machine.travel(section.assembly.starts_at, tick=True):
        DuesFactory(member=user.member)
        assemblies.check_in(actor=section.chair, assembly=section.assembly, member=user.member)
        with pytest.raises(DomainError, match="in session"):
            services.ask_for_the_floor(actor=user, motion=item)
        assert services.floor_request(user, Motion.objects.get(pk=item.pk)) is None


def test_a_member_withdraws_their_own_request_and_only_theirs(section, item, in_session):
    first, second = in_session[:2]
    mine = services.ask_for_the_floor(actor=first, motion=item)
    with pytest.raises(DomainError, match="not waiting"):
        services.withdraw_my_request(actor=second, motion=item)
    services.withdraw_my_request(actor=first, motion=item)
    assert Speaker.objects.get(pk=mine.pk).status == "withdrawn"
    assert AuditEvent.objects.filter(action="speaker.withdrawn", object_id=str(mine.pk)).exists()
    with pytest.raises(DomainError, match="not waiting"):
        services.withdraw_my_request(actor=first, motion=item)


def test_a_member_asks_for_the_floor_from_the_motion_page_in_constant_queries(
    client, section, item, in_session, django_assert_max_num_queries
):
    user = in_session[0]
    for other in in_session[1:]:
        services.ask_for_the_floor(actor=other, motion=item)
    client.force_login(user)
    with django_assert_max_num_queries(40):
        page = client.get(reverse("motion_detail", args=[item.pk])).text
    assert "Ask for the floor" in page
    response = client.post(reverse("motion_floor", args=[item.pk, "ask"]), follow=True)
    assert "You are on the list of speakers." in response.text
    assert "2 speakers are before you" in response.text
    assert "Withdraw my request" in response.text
    speaker = item.speakers.get(member=user.member)
    services.give_floor(actor=section.chair, speaker=speaker)
    assert "You have the floor" in client.get(reverse("motion_detail", args=[item.pk])).text


def test_a_member_absent_sees_no_button_and_a_post_changes_nothing(
    client, section, item, in_session
):
    absent = section.supporters[5]
    client.force_login(absent)
    assert "Ask for the floor" not in client.get(reverse("motion_detail", args=[item.pk])).text
    response = client.post(reverse("motion_floor", args=[item.pk, "ask"]))
    assert response.status_code == 403
    assert not item.speakers.exists()


def test_the_api_asks_for_the_floor_and_withdraws(client, section, item, in_session):
    user = in_session[0]
    client.force_login(user)
    url = reverse("api_motion_floor", args=[item.pk])
    created = client.post(url)
    assert created.status_code == 201
    assert created.json()["status"] == "waiting"
    again = client.post(url)
    assert again.status_code == 400
    assert "already on the list" in json_text(again)
    withdrawn = client.delete(url)
    assert (withdrawn.status_code, withdrawn.json()["status"]) == (200, "withdrawn")
    assert client.delete(url).status_code == 400


def json_text(response) -> str:
    import json

    return json.dumps(response.json(), ensure_ascii=False)
