"""The chair and the secretary approve a meeting's minutes with their second factor; the
approval is an audit event and the PDF carries the signers, the time and the checkpoint."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from governance.assemblies import services as assemblies
from governance.assemblies.minutes import render_minutes
from governance.audit import checkpoints
from governance.exceptions import DomainError, NotAllowed
from governance.models import AuditEvent, MinutesApproval
from tests.conftest import TOTP_SECRET, totp_code
from tests.factories import MandateFactory, MemberFactory, UserFactory
from tests.governance.test_minutes import held  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def secretary(world):
    user = UserFactory()
    member = MemberFactory(user=user, unit=world.group)
    today = timezone.localdate()
    MandateFactory(
        member=member,
        body=world.board,
        role="secretary",
        starts_on=today - dt.timedelta(days=30),
        ends_on=today + dt.timedelta(days=300),
    )
    TOTP.activate(user, TOTP_SECRET)
    return user


def text_of(pdf: bytes) -> str:
    """The PDF's text with runs of spaces (from justified lines) made single."""
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"\s+", " ", text)


def test_the_chair_and_the_secretary_approve_with_their_second_factor(world, held, secretary):  # noqa: F811
    ga, _people = held
    first = assemblies.approve_minutes(actor=world.officer, assembly=ga, code=totp_code())
    second = assemblies.approve_minutes(actor=secretary, assembly=ga, code=totp_code())
    assert (first.role, second.role) == ("chair", "secretary")
    events = AuditEvent.objects.filter(action="minutes.approved").order_by("sequence")
    assert [e.new["role"] for e in events] == ["chair", "secretary"]
    assert events[0].new["checkpoint_size"] == checkpoints.read_signed(first.checkpoint).size
    text = text_of(render_minutes(ga, generated_at=timezone.now()))
    assert f"Chair: {first.signer_name}" in text and f"Secretary: {second.signer_name}" in text
    assert "with the second factor" in text
    assert f"{checkpoints.read_signed(second.checkpoint).size} events, root" in text


def test_a_wrong_code_approves_nothing(world, held):  # noqa: F811
    ga, _people = held
    with pytest.raises(DomainError, match="code from your authenticator app is not valid"):
        assemblies.approve_minutes(actor=world.officer, assembly=ga, code="000000")
    assert not MinutesApproval.objects.exists()
    assert not AuditEvent.objects.filter(action="minutes.approved").exists()


def test_only_the_chair_and_the_secretary_approve(world, held):  # noqa: F811
    ga, _people = held
    with pytest.raises(NotAllowed):
        assemblies.approve_minutes(actor=world.member, assembly=ga, code=totp_code())


def test_an_office_approves_once(world, held):  # noqa: F811
    ga, _people = held
    assemblies.approve_minutes(actor=world.officer, assembly=ga, code=totp_code())
    with pytest.raises(DomainError, match="already approved"):
        assemblies.approve_minutes(actor=world.officer, assembly=ga, code=totp_code())


def test_the_meeting_page_offers_the_approval_to_the_chair(world, held, client_for):  # noqa: F811
    ga, _people = held
    client = client_for("officer")
    page = client.get(reverse("assembly_detail", args=[ga.pk])).content.decode()
    assert reverse("assembly_minutes_approve", args=[ga.pk]) in page
    response = client.post(reverse("assembly_minutes_approve", args=[ga.pk]), {"code": totp_code()})
    assert response.status_code == 302
    assert MinutesApproval.objects.get().approved_by == world.officer
    member = client_for("member")
    assert member.post(reverse("assembly_minutes_approve", args=[ga.pk])).status_code == 403
