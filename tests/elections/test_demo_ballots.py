"""The demo section includes the voting engine: a published roll call and two open ballots."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from elections import services
from elections.models import Ballot, BallotBox, NamedVote, Participation, RollEntry
from governance import services as governance
from governance.models import Mandate, User
from governance.services import SYSTEM
from tests.factories import close_and_tally

pytestmark = pytest.mark.django_db


def test_demo_has_a_published_roll_call_and_open_ballots(capsys):
    call_command("load_demo")
    published = Ballot.objects.get(status="published")
    assert published.kind == "roll_call" and published.decision.outcome == "adopted"
    assert NamedVote.objects.filter(ballot=published).count() == 7
    election = Ballot.objects.get(kind="election")
    assert election.status == "open" and election.candidates.filter(status="standing").count() == 5
    assert Ballot.objects.get(kind="question").roll.count() > 150


def test_the_demo_s_secret_ballots_are_held_by_the_control_committee_as_demo_trustees(
    tmp_path, capsys
):
    """Article 16 names the Control Committee's three members, any two of whom decrypt: the
    demo makes them demonstration trustees (the platform keeps their private files), and
    no demo ballot falls back to the 1-of-1 demonstration key."""
    call_command("load_demo", verbosity=0)
    committee = set(
        Mandate.objects.current(timezone.localdate())
        .filter(body__code="control-committee")
        .values_list("member_id", flat=True)
    )
    auditor = User.objects.get(email="auditor@demo.example")
    assert len(committee) == 3 and auditor.member.pk in committee
    secret = Ballot.objects.filter(secret=True).order_by("pk")
    assert [b.title for b in secret] == ["Dues for next year", "Election of the Control Committee"]
    assert not BallotBox.objects.exclude(demo_secret="").exists()
    for box in BallotBox.objects.filter(ballot__in=secret):
        trustees = list(box.trustees.all())
        assert box.threshold == 2 and box.trustees_article.number == "16"
        assert {t.member_id for t in trustees} == committee
        assert all(t.is_demo and t.demo_private for t in trustees) and box.public_key
    # The election to the Control Committee does not list its members as candidates.
    election = secret.get(kind="election")
    standing = set(election.candidates.values_list("member_id", flat=True))
    assert len(standing) == 5 and not standing & committee

    # The dues question counts: two demonstration trustees' shares decrypt its totals.
    dues = secret.get(kind="question")
    voters = (
        RollEntry.objects.filter(ballot=dues)
        .exclude(member__pk__in=committee)
        .select_related("member")
        .order_by("member__membership_number")[:5]
    )
    choices = ["yes", "yes", "no", "abstain", "yes"]
    for entry, choice in zip(voters, choices, strict=True):
        if not entry.member.user_id:
            governance.create_account_for_member(actor=SYSTEM, member=entry.member)
            entry.member.refresh_from_db()
        services.cast_vote(actor=entry.member.user, ballot=dues, choices=choice)
    officer = User.objects.get(email="officer@demo.example")
    close_and_tally(actor=officer, ballot=dues)
    services.count_ballot(actor=officer, ballot=dues)
    dues.refresh_from_db()
    count, encrypted = dues.result["count"], dues.result["encrypted"]
    assert (count["yes"], count["no"], count["abstain"]) == (3, 1, 1)
    assert encrypted["demo_key"] and encrypted["demo_trustees"]
    assert (encrypted["threshold"], encrypted["trustees"]) == (2, 3)
    box = BallotBox.objects.get(ballot=dues)
    assert box.trustees.filter(decryption__isnull=False).count() == 2
    assert Participation.objects.filter(ballot=dues).count() == 5

    # Its bundle verifies, and says whose keys the demo held.
    services.publish_results(actor=officer, ballot=dues)
    call_command("export_ballot", dues.pk, output=str(tmp_path / "dues.json"))
    capsys.readouterr()
    call_command("verify_ballot", str(tmp_path / "dues.json"), "--workers", "1")
    out = capsys.readouterr().out
    assert "DEMONSTRATION TRUSTEES" in out and "ok: 5 papers, decrypted by 2 trustees" in out
