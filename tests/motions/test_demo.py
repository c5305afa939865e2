"""The demo section has motions at every stage for the coming General Assembly."""

import pytest
from django.core.management import call_command

from governance.audit import log as audit
from motions.models import Amendment, Motion, VotingMandate

pytestmark = pytest.mark.django_db


def test_the_demo_has_motions_at_every_stage():
    call_command("load_demo")
    statuses = dict(Motion.objects.values_list("kind", "status").order_by("kind", "status"))
    assert set(Motion.objects.values_list("status", flat=True)) == {
        "draft",
        "submitted",
        "admissible",
        "scheduled",
    }
    assert statuses["statute_amendment"] == "submitted"
    scheduled = Motion.objects.get(status="scheduled")
    assert scheduled.agenda_position == 1
    assert Amendment.objects.get().status == "admissible"
    assert Motion.objects.get(status="draft").proposer.user.email == "member@demo.example"
    assert VotingMandate.objects.get().ballot.status == "open"
    assert audit.verify_chain().ok


def test_members_are_entitled_to_vote_at_the_coming_assembly_even_in_the_next_year():
    import datetime as dt

    import time_machine
    from django.utils import timezone

    from governance.assemblies import services as assemblies
    from governance.demo import load_demo
    from governance.models import Assembly

    # Loaded on 30 November, the General Assembly 40 days later is in January.
    late_november = timezone.make_aware(dt.datetime(timezone.localdate().year, 11, 30, 10))
    with time_machine.travel(late_november, tick=True):
        load_demo(today=timezone.localdate())
        coming = Assembly.objects.filter(starts_at__gt=timezone.now()).earliest("starts_at")
        assert coming.starts_at.year == late_november.year + 1
        assert assemblies.quorum_status(coming).eligible > 150
