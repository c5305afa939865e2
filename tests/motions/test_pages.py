"""The motions pages: drafting with preview, the motion page, steps, amendments, the IC panel."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from motions import services
from motions.models import Amendment, Motion
from tests.motions.conftest import draft, gather_support, scheduled, submitted

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def test_a_member_drafts_a_motion_and_sees_the_live_preview(client, section):
    login(client, section.proposer)
    url = reverse("motion_create")
    assert client.get(url).status_code == 200
    preview = client.post(
        url, {"text": "First.\n\nSecond.", "preview": "1"}, headers={"HX-Request": "true"}
    )
    assert preview.status_code == 200
    assert b'id="preview"' in preview.content and b"<li>Second.</li>" in preview.content
    assert b"<html" not in preview.content
    response = client.post(
        url,
        {
            "kind": "resolution",
            "body": "general-assembly",
            "assembly": section.assembly.pk,
            "title": "Refugee rights",
            "text": "The section campaigns.\n\nThe Board reports.",
        },
    )
    motion = Motion.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "motion_detail", args=[motion.pk]
    )
    assert motion.proposer == section.proposer.member and motion.title == "Refugee rights"


def test_editing_makes_versions_that_compare_word_by_word(client, section):
    motion = draft(section)
    login(client, section.proposer)
    client.post(
        reverse("motion_edit", args=[motion.pk]),
        {
            "title": motion.title,
            "text": "The General Assembly demands abolition.\n\nThe Board shall report each year.",
            "assembly": section.assembly.pk,
        },
    )
    response = client.get(
        reverse("motion_compare", args=[motion.pk]),
        {"a": 1, "b": 2},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert "<del>calls for</del>" in html and "<ins>demands</ins>" in html
    missing = client.get(reverse("motion_compare", args=[motion.pk]), {"a": 1, "b": 9})
    assert missing.status_code == 400


def test_other_members_read_a_draft_by_its_link_to_support_it_but_cannot_edit_it(client, section):
    motion = draft(section)
    login(client, section.supporters[0])
    client.get(reverse("draft_shared", args=[motion.share_token]))
    html = client.get(reverse("motion_detail", args=[motion.pk])).content.decode()
    assert "Support this motion" in html and "Edit the draft" not in html
    assert client.get(reverse("motion_edit", args=[motion.pk])).status_code == 403


def test_support_submit_and_admissibility_through_the_page(client, section):
    motion = draft(section)
    for user in section.supporters[:5]:
        login(client, user).get(reverse("draft_shared", args=[motion.share_token]))
        client.post(reverse("motion_action", args=[motion.pk, "support"]))
    assert motion.supports.count() == 5
    login(client, section.proposer).post(reverse("motion_action", args=[motion.pk, "submit"]))
    motion.refresh_from_db()
    assert motion.status == "submitted" and motion.reference
    # A step without its reason is refused with the message, and changes nothing.
    login(client, section.standing_orders)
    response = client.post(
        reverse("motion_action", args=[motion.pk, "reject_admissibility"]),
        {"reason": ""},
        follow=True,
    )
    assert "Give the reason." in response.content.decode()
    motion.refresh_from_db()
    assert motion.status == "submitted"
    client.post(reverse("motion_action", args=[motion.pk, "admit"]))
    motion.refresh_from_db()
    assert motion.status == "admissible"


def test_a_step_by_the_wrong_role_is_a_403(client, section):
    motion = submitted(section)
    response = login(client, section.proposer).post(
        reverse("motion_action", args=[motion.pk, "admit"])
    )
    assert response.status_code == 403
    response = login(client, section.world.auditor).post(
        reverse("motion_action", args=[motion.pk, "withdraw"])
    )
    assert response.status_code == 403
    motion.refresh_from_db()
    assert motion.status == "submitted"


def test_the_motion_page_shows_amendments_against_the_text_and_the_final_text(
    client, section, django_assert_max_num_queries
):
    motion = scheduled(section)
    for n in range(3):
        amendment = services.create_amendment(
            actor=section.supporters[-1],
            motion=motion,
            kind="replace_paragraph",
            paragraph=1,
            text=f"Amended {n}.",
        )
        gather_support(section, amendment, 2)
    login(client, section.chair)
    with django_assert_max_num_queries(40):
        response = client.get(reverse("motion_detail", args=[motion.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Put the motion itself to the vote" in html
    login(client, section.supporters[-1])
    html = client.get(reverse("motion_detail", args=[motion.pk])).content.decode()
    assert html.count('class="card amendment"') == 3 and "<ins>Amended</ins>" in html


def test_the_page_has_a_constant_number_of_queries(client, section, django_assert_max_num_queries):
    motion = scheduled(section)
    login(client, section.chair)
    client.get(reverse("motion_detail", args=[motion.pk]))
    for n in range(2, 8):
        a = services.create_amendment(
            actor=section.supporters[n], motion=motion, kind="replace_text", text=f"T{n}"
        )
        gather_support(section, a, 2)
        services.submit_amendment(actor=section.supporters[n], amendment=a)
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("motion_detail", args=[motion.pk]))
    small = len(few.captured_queries)
    for n in range(8, 11):
        a = services.create_amendment(
            actor=section.supporters[n], motion=motion, kind="replace_text", text=f"T{n}"
        )
        gather_support(section, a, 2)
        services.submit_amendment(actor=section.supporters[n], amendment=a)
    with django_assert_max_num_queries(small):
        client.get(reverse("motion_detail", args=[motion.pk]))
    with django_assert_max_num_queries(12):
        client.get(reverse("motion_list"))


def test_the_chair_opens_the_vote_from_the_page(client, section):
    motion = scheduled(section)
    login(client, section.chair)
    closes = (timezone.localtime() + dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    bad = client.post(reverse("motion_vote", args=[motion.pk]), {"mode": "online"})
    assert bad.status_code == 400 and "closing time" in bad.content.decode()
    response = client.post(
        reverse("motion_vote", args=[motion.pk]), {"mode": "online", "closes_at": closes}
    )
    motion.refresh_from_db()
    assert response.status_code == 302 and motion.status == "in_vote"
    assert response.url == reverse("ballot_console", args=[motion.ballot.pk])


def test_amendments_through_the_page(client, section):
    motion = submitted(section)
    login(client, section.supporters[-1])
    bad = client.post(
        reverse("amendment_create", args=[motion.pk]),
        {"kind": "replace_paragraph", "paragraph": 7, "text": "x"},
    )
    assert bad.status_code == 400 and "between 1 and 2" in bad.content.decode()
    client.post(
        reverse("amendment_create", args=[motion.pk]),
        {"kind": "replace_paragraph", "paragraph": 2, "text": "Reports twice a year."},
    )
    amendment = Amendment.objects.get()
    for user in section.supporters[:2]:
        login(client, user).get(reverse("draft_shared", args=[amendment.share_token]))
        client.post(reverse("amendment_action", args=[amendment.pk, "support"]))
    login(client, section.supporters[-1]).post(
        reverse("amendment_action", args=[amendment.pk, "submit"])
    )
    amendment.refresh_from_db()
    assert amendment.status == "submitted" and amendment.label == "A1"


def test_members_browse_and_filter_motions(client, section):
    submitted(section, title="Death penalty")
    submitted(section, title="Refugees")
    draft(section, title="Secret draft")
    login(client, section.supporters[0])
    html = client.get(reverse("motion_list")).content.decode()
    assert "Death penalty" in html and "Refugees" in html and "Secret draft" not in html
    html = client.get(reverse("motion_list"), {"q": "refugee"}).content.decode()
    assert "Refugees" in html and "Death penalty" not in html
    assert client.get(reverse("motion_list"), {"status": "nonsense"}).status_code == 200


def test_the_board_puts_a_voting_mandate_to_a_roll_call_from_its_page(client, section):
    from elections.models import Ballot

    url = reverse("voting_mandates")
    login(client, section.supporters[0])
    assert client.get(url).status_code == 200
    assert client.post(url, {}).status_code == 403
    login(client, section.chair)
    closes = (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    data = {
        "ic_reference": "POL 40/300/2026",
        "motion_title": "Climate",
        "submitted_by": "Section of Ghana",
        "position": "against",
        "closes_at": closes,
    }
    bad = client.post(url, {**data, "position": "maybe"})
    assert bad.status_code == 400 and not Ballot.objects.exists()
    response = client.post(url, data)
    ballot = Ballot.objects.get()
    assert response.status_code == 302 and ballot.kind == "roll_call" and ballot.status == "open"
    assert "POL 40/300/2026" in client.get(url).content.decode()


def test_the_chair_puts_an_amendment_to_the_vote_from_the_motion_page(client, section):
    from tests.motions.test_votes import tabled

    motion = scheduled(section)
    amendment = tabled(section, motion)
    login(client, section.chair)
    html = client.get(reverse("motion_detail", args=[motion.pk])).content.decode()
    assert f'name="amendment" value="{amendment.pk}"' in html
    closes = (timezone.localtime() + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("motion_vote", args=[motion.pk]),
        {"amendment": amendment.pk, "mode": "online", "closes_at": closes},
    )
    amendment.refresh_from_db()
    assert response.status_code == 302 and amendment.status == "in_vote"
    assert amendment.ballot.question == amendment.text


def test_the_motions_list_names_the_meeting_in_the_readers_language(section, client_for):
    from governance import services as governance

    submitted(section)
    governance.translate_names(
        actor=section.world.staff,
        obj=section.assembly,
        language="ar",
        values={"title": "الجمع العام"},
    )
    client = client_for("member")
    client.cookies["django_language"] = "ar"
    page = client.get(reverse("motion_list")).text
    assert "<bdi>الجمع العام</bdi>" in page
    assert section.assembly.title not in page


@pytest.mark.parametrize("count", [1, 27])
def test_the_list_pages_its_motions_with_their_counts_in_constant_queries(
    client, section, django_assert_max_num_queries, count
):
    first = submitted(section)  # five co-sponsors
    for _ in range(count - 1):
        draft(section, title="Another draft")
    login(client, section.proposer)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("motion_list"))
    listed = list(response.context["page"])
    assert len(listed) == min(count, 25)
    assert ("Page 1 of 2" in response.content.decode()) == (count > 25)
    oldest = client.get(reverse("motion_list"), {"page": 2 if count > 25 else 1}).context["page"]
    shown = next(m for m in oldest if m.pk == first.pk)
    assert shown.supporter_count == 5 and shown.version_count == 1
