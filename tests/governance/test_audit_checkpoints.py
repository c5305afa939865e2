"""Signed checkpoints anchor the audit log outside the database: every tamper a database
administrator could try, the daily `verify_audit --checkpoint` detects and names.

The tampers rewrite the log as someone who knows the algorithm would: events deleted or
changed, every later hash recomputed and the head moved, so that the chain alone holds.
"""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection  # noqa: F401 (read by the skipif condition)
from django.urls import reverse

from elections import services as elections
from elections.integrity import cast_commitment
from elections.models import BoardEntry, Participation
from governance import services
from governance.audit import checkpoints, merkle
from governance.audit import log as audit
from governance.models import AuditEvent, AuditHead
from governance.services import SYSTEM
from tests.elections.conftest import draft_ballot, published, rewrite_one_no_as_yes
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def make_events(count: int) -> None:
    start = AuditEvent.objects.count()
    for index in range(start, start + count):
        services.create_unit(
            actor=SYSTEM, code=f"group-{index}", name=f"Group {index}", kind="local_group"
        )


def save_checkpoint(tmp_path, name="checkpoint.txt"):
    path = tmp_path / name
    call_command("audit_checkpoint", "--output", str(path), stdout=StringIO())
    return path


def verify(*paths) -> str:
    out = StringIO()
    args = [arg for path in paths for arg in ("--checkpoint", str(path))]
    call_command("verify_audit", *args, stdout=out)
    return out.getvalue()


def rehash_from(sequence: int) -> None:
    """What a careful intruder does after a change: renumber and rehash every later event,
    and move the head, so that the hash chain holds again."""
    events = list(AuditEvent.objects.filter(sequence__gte=sequence).order_by("sequence"))
    before = AuditEvent.objects.filter(sequence__lt=sequence).order_by("-sequence").first()
    prev = before.hash if before else audit.GENESIS_HASH
    number = before.sequence if before else 0
    for event in events:  # through free numbers first, so the unique columns never clash
        AuditEvent.objects.filter(pk=event.pk).update(
            sequence=event.sequence + 10**6, hash=f"{event.pk:064x}"
        )
    for event in events:
        number += 1
        event.sequence, event.prev_hash = number, prev
        event.hash = prev = audit._hash_of(event)
        AuditEvent.objects.filter(pk=event.pk).update(
            sequence=number, prev_hash=event.prev_hash, hash=event.hash
        )
    AuditHead.objects.filter(id=1).update(sequence=number, hash=prev)


def test_a_checkpoint_is_signed_with_size_root_and_time(tmp_path):
    make_events(5)
    text = save_checkpoint(tmp_path).read_text()
    checkpoint = checkpoints.read_signed(text)
    assert checkpoint.size == 5
    assert checkpoint.root == merkle.root(audit.leaves())
    assert checkpoint.origin == "governance-platform/audit-log"
    assert text.split("\n")[4] == "" and text.split("\n")[5].startswith("— ")


def test_the_log_extends_its_earlier_checkpoint(tmp_path):
    make_events(3)
    first = save_checkpoint(tmp_path, "first.txt")
    make_events(4)
    output = verify(first)
    assert "extends the checkpoint of 3 events" in output
    assert "audit chain ok: 7 events" in output


def test_a_forged_checkpoint_signature_is_refused(tmp_path):
    make_events(3)
    path = save_checkpoint(tmp_path)
    lines = path.read_text().split("\n")
    lines[1] = "2"  # a smaller log, "signed" by the same signature
    path.write_text("\n".join(lines))
    with pytest.raises(CommandError, match="does not carry a valid signature"):
        verify(path)
    # Signed with another key: refused too.
    other = Ed25519PrivateKey.generate()
    forged = checkpoints.sign(checkpoints.read_signed(save_checkpoint(tmp_path).read_text()), other)
    path.write_text(forged)
    with pytest.raises(CommandError, match="forged or altered"):
        verify(path)


def test_truncating_the_log_and_moving_the_head_back_is_detected(tmp_path):
    make_events(6)
    path = save_checkpoint(tmp_path)
    # Delete the events after the 4th and move the head back: the chain alone holds.
    AuditEvent.objects.filter(sequence__gt=4).delete()
    last = AuditEvent.objects.get(sequence=4)
    AuditHead.objects.filter(id=1).update(sequence=4, hash=last.hash)
    assert audit.verify_chain().ok
    with pytest.raises(CommandError) as failed:
        verify(path)
    assert (
        "the log holds 4 events but 6 were signed at" in str(failed.value)
        and "2 events at or before #6 were removed (the log was truncated, rolled back or cut)"
        in str(failed.value)
    )


def test_erasing_acknowledged_votes_with_their_events_is_detected(world, tmp_path):
    voters = [world.member, world.officer, world.other_officer]
    ballot = elections.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    for user in voters:
        elections.cast_vote(actor=user, ballot=ballot, choices="yes")
    path = save_checkpoint(tmp_path)
    # Erase two of the votes everywhere: participations, papers, events; rehash the rest.
    # The intruder has the database: the participations' salts give each event's commitment.
    kept = Participation.objects.get(ballot=ballot, member=world.member.member)
    kept_commitment = cast_commitment(
        ballot_id=ballot.pk, member_id=kept.member_id, by_proxy=False, salt=kept.salt
    )
    Participation.objects.filter(ballot=ballot).exclude(pk=kept.pk).delete()
    BoardEntry.objects.filter(box__ballot=ballot).exclude(position=0).delete()
    votes = AuditEvent.objects.filter(action="ballot.vote_cast").order_by("sequence")
    first = votes.exclude(new__commitment=kept_commitment).first().sequence
    votes.exclude(new__commitment=kept_commitment).delete()
    rehash_from(first)
    assert audit.verify_chain().ok  # the chain alone no longer tells
    with pytest.raises(CommandError, match=r"2 events at or before #.* were removed"):
        verify(path)


def test_rewriting_a_published_ballots_papers_and_result_together_is_detected(world, tmp_path):
    ballot = elections.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    ballot = published(world, ballot, [(world.member, "yes"), (world.officer, "no")])
    path = save_checkpoint(tmp_path)
    # The papers, the stored result, the decision and its audit event, all made "adopted 2-0".
    figures = rewrite_one_no_as_yes(ballot)
    event = AuditEvent.objects.get(action="decision.recorded")
    AuditEvent.objects.filter(pk=event.pk).update(new=dict(event.new, figures=figures))
    rehash_from(event.sequence)
    call_command("recount_published", stdout=StringIO())  # everything agrees inside the DB
    signed = checkpoints.read_signed(path.read_text()).size
    with pytest.raises(CommandError, match=f"the first {signed} events no longer give the root"):
        verify(path)


def test_reordering_events_and_rehashing_is_detected_and_narrowed(tmp_path):
    make_events(4)
    early = save_checkpoint(tmp_path, "early.txt")
    make_events(4)
    late = save_checkpoint(tmp_path, "late.txt")
    # Swap events 6 and 7, then rehash from 6.
    six, seven = AuditEvent.objects.get(sequence=6), AuditEvent.objects.get(sequence=7)
    AuditEvent.objects.filter(pk=six.pk).update(sequence=99)
    AuditEvent.objects.filter(pk=seven.pk).update(sequence=6)
    AuditEvent.objects.filter(pk=six.pk).update(sequence=7)
    rehash_from(6)
    assert audit.verify_chain().ok
    with pytest.raises(CommandError) as failed:
        verify(early, late)
    message = str(failed.value)
    assert "the first 8 events no longer give the root signed at" in message
    assert "(after #4, which the checkpoint of" in message


def test_a_plain_alteration_is_still_named_by_the_chain(tmp_path):
    make_events(4)
    path = save_checkpoint(tmp_path)
    AuditEvent.objects.filter(sequence=2).update(actor_label="somebody else")
    with pytest.raises(CommandError, match="the log breaks at event #2, within the 4 events"):
        verify(path)


def test_no_checkpoint_is_signed_over_a_broken_log(tmp_path):
    make_events(3)
    AuditEvent.objects.filter(sequence=2).update(action="forged")
    with pytest.raises(CommandError, match="no checkpoint is signed over a broken log"):
        save_checkpoint(tmp_path)


def test_a_checkpoint_pasted_with_the_e_mail_around_it_is_read(tmp_path):
    make_events(2)
    text = save_checkpoint(tmp_path).read_text()
    pasted = f"Hello,\n\nHere it is:\n\n{text}\nRegards\n"
    assert checkpoints.read_signed(pasted).size == 2


def test_auditors_receive_a_checkpoint_at_each_decision(
    world, settings, django_capture_on_commit_callbacks
):
    settings.AUDIT_CHECKPOINT_EMAILS = ["control@example.org"]
    auditor = UserFactory(is_auditor=True, email="control-committee@example.org")
    ballot = elections.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        published(world, ballot, [(world.member, "yes")])
    sent = [m for m in mail.outbox if m.subject.startswith("Audit log checkpoint")]
    assert len(sent) == 1
    assert {auditor.email, world.auditor.email, "control@example.org"} == set(
        sent[0].to + sent[0].bcc
    )
    checkpoint = checkpoints.read_signed(sent[0].body)
    assert checkpoint.size >= AuditEvent.objects.get(action="decision.recorded").sequence
    assert checkpoints.verifier_key() in sent[0].body


def test_the_verifier_key_checks_a_checkpoint_without_the_private_key(tmp_path):
    make_events(2)
    path = save_checkpoint(tmp_path)
    out = StringIO()
    call_command("audit_checkpoint", "--verifier-key", stdout=out)
    key = out.getvalue().strip()
    assert key.startswith("governance-platform/audit-log+")
    output = StringIO()
    call_command("verify_audit", "--checkpoint", str(path), "--verifier-key", key, stdout=output)
    assert "extends the checkpoint of 2 events" in output.getvalue()


def test_a_verifier_key_whose_base64_holds_a_plus_is_read_back():
    keys = (Ed25519PrivateKey.from_private_bytes(bytes([n]) * 32).public_key() for n in range(256))
    public = next(key for key in keys if "+" in checkpoints.verifier_key(key).split("+", 2)[2])
    origin, read = checkpoints.public_key_from_verifier(checkpoints.verifier_key(public))
    assert origin == settings.AUDIT_LOG_ORIGIN
    assert checkpoints.verifier_key(read) == checkpoints.verifier_key(public)


def test_the_checkpoint_time_is_utc_to_the_second(tmp_path):
    make_events(1)
    checkpoint = checkpoints.read_signed(save_checkpoint(tmp_path).read_text())
    assert checkpoint.time.utcoffset() == dt.timedelta(0) and checkpoint.time.microsecond == 0


def test_the_auditors_page_proves_a_pasted_checkpoint(client_for, tmp_path):
    make_events(3)
    text = save_checkpoint(tmp_path).read_text()
    signed = checkpoints.read_signed(text).size
    make_events(2)
    client = client_for("auditor")
    response = client.post(reverse("audit_checkpoint_check"), {"checkpoint": text})
    body = response.content.decode()
    assert response.status_code == 200
    assert f"The log extends this checkpoint: its first {signed} events" in body
    # Truncated by one event before the checkpoint's end, the head moved back.
    AuditEvent.objects.filter(sequence__gte=signed).delete()
    kept = AuditEvent.objects.get(sequence=signed - 1)
    AuditHead.objects.filter(id=1).update(sequence=kept.sequence, hash=kept.hash)
    body = client.post(reverse("audit_checkpoint_check"), {"checkpoint": text}).content.decode()
    assert f"1 events at or before #{signed} were removed" in body


def test_a_forged_checkpoint_pasted_on_the_page_is_a_form_error(client_for, tmp_path):
    make_events(2)
    lines = save_checkpoint(tmp_path).read_text().split("\n")
    lines[1] = str(int(lines[1]) - 1)  # one event fewer, under the same signature
    text = "\n".join(lines)
    response = client_for("auditor").post(reverse("audit_checkpoint_check"), {"checkpoint": text})
    assert response.status_code == 400
    assert "does not carry a valid signature" in response.content.decode()


def test_the_current_checkpoint_downloads_signed(client_for):
    make_events(2)
    response = client_for("auditor").get(reverse("audit_checkpoint_download"))
    assert response["Content-Disposition"].startswith('attachment; filename="audit-checkpoint-')
    checkpoint = checkpoints.read_signed(response.content.decode())
    assert checkpoint.size == AuditEvent.objects.count()


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.django_db(transaction=True)
class TestRangesCheckedInParallel:
    """On PostgreSQL the command checks ranges in processes; each tamper is found the same."""

    @pytest.fixture(autouse=True)
    def small_ranges(self, monkeypatch):
        monkeypatch.setattr(audit, "CHUNK", 4)

    def test_an_intact_log_gives_the_same_answer_as_one_walk(self, tmp_path):
        make_events(3)
        path = save_checkpoint(tmp_path)
        make_events(8)
        serial, parallel = audit.verify_chain(), audit.verify_chain(workers=2)
        assert parallel == serial and parallel.ok and parallel.count == 11
        assert "extends the checkpoint of 3 events" in verify(path)

    @pytest.mark.parametrize("sequence", [1, 4, 5, 6, 9])
    def test_an_altered_event_is_named_in_any_range(self, sequence):
        make_events(11)
        AuditEvent.objects.filter(sequence=sequence).update(actor_label="somebody else")
        result = audit.verify_chain(workers=2)
        assert result == audit.verify_chain() and result.bad_sequence == sequence

    @pytest.mark.parametrize("sequence", [4, 5, 8, 11])
    def test_a_deleted_event_is_named_in_any_range(self, sequence):
        make_events(11)
        AuditEvent.objects.filter(sequence=sequence).delete()
        result = audit.verify_chain(workers=2)
        assert not result.ok and result == audit.verify_chain()

    def test_a_rewrite_across_ranges_fails_the_checkpoint(self, tmp_path):
        make_events(10)
        path = save_checkpoint(tmp_path)
        AuditEvent.objects.filter(sequence=6).update(action="forged")
        rehash_from(6)
        with pytest.raises(CommandError, match="the first 10 events no longer give the root"):
            verify(path)


# Without a signing key (a deployment that forgot it) -----------------------------------------


@pytest.fixture
def no_signing_key(settings):
    settings.AUDIT_SIGNING_KEY = ""
    settings.AUDIT_SIGNING_KEY_FILE = ""


def test_without_a_key_the_system_check_warns_once_naming_the_settings(no_signing_key):
    from django.core import checks

    found = [m for m in checks.run_checks() if m.id.startswith("governance.")]
    assert [(m.id, m.level) for m in found] == [("governance.W001", checks.WARNING)]
    assert "AUDIT_SIGNING_KEY_FILE" in found[0].hint and "docs/deploy.md" in found[0].hint


def test_with_a_key_the_system_check_is_silent():
    from django.core import checks

    assert not [m for m in checks.run_checks() if m.id.startswith("governance.")]


def test_without_a_key_a_decision_queues_no_checkpoint_and_logs_no_failure(
    world, no_signing_key, caplog, django_capture_on_commit_callbacks
):
    UserFactory(is_auditor=True, email="control-committee@example.org")
    ballot = elections.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        published(world, ballot, [(world.member, "yes")])
    assert AuditEvent.objects.filter(action="decision.recorded").exists()
    assert not [m for m in mail.outbox if m.subject.startswith("Audit log checkpoint")]
    assert "send_checkpoint" not in caplog.text
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]


def test_without_a_key_the_demo_loads_without_a_failed_task(no_signing_key, caplog):
    call_command("load_demo", stdout=StringIO())
    assert "send_checkpoint" not in caplog.text
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]
    assert AuditEvent.objects.filter(action="decision.recorded").exists()


@pytest.mark.parametrize("args", [(), ("--verifier-key",), ("--email",)])
def test_without_a_key_audit_checkpoint_names_the_settings_not_a_traceback(no_signing_key, args):
    make_events(1)
    with pytest.raises(CommandError, match=r"set AUDIT_SIGNING_KEY_FILE \(or AUDIT_SIGNING_KEY\)"):
        call_command("audit_checkpoint", *args, stdout=StringIO())


def test_a_missing_key_file_outside_development_is_a_command_error(settings, tmp_path):
    settings.AUDIT_SIGNING_KEY = ""
    settings.AUDIT_SIGNING_KEY_FILE = str(tmp_path / "absent.key")
    settings.AUDIT_SIGNING_KEY_GENERATE = False
    with pytest.raises(CommandError, match=r"absent\.key does not exist"):
        call_command("audit_checkpoint", stdout=StringIO())
