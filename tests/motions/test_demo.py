"""The demo section has motions at every stage for the coming General Assembly."""

import pytest
from django.core.management import call_command

from governance import audit
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

    from django.utils import timezone

    from governance import assemblies
    from governance.demo import load_demo
    from governance.models import Assembly

    # Loaded in late November, the General Assembly 40 days later is in January.
    load_demo(today=dt.date(timezone.localdate().year, 11, 30))
    coming = Assembly.objects.filter(starts_at__gt=timezone.now()).earliest("starts_at")
    assert assemblies.quorum_status(coming).eligible > 150
