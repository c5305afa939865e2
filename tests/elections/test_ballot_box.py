"""Secret ballots end to end: trustees' keys, the encrypted board, the count, the bundle."""

from __future__ import annotations

import copy
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from elections import ballot_box, integrity, services, trustee
from elections.crypto import parallel
from elections.crypto.bundle import BundleError, verify_bundle
from elections.management.commands.verify_ballot import recount
from elections.models import Ballot, BallotBox, BallotPaper, BoardEntry, Participation, Trustee
from governance.exceptions import DomainError, NotAllowed
from governance.models import AuditEvent
from tests.elections.conftest import add_voters, draft_ballot, draft_election
from tests.factories import close_and_tally


def _ceremony(world, ballot, tmp_path, k=2):
    """Three trustees make a 2-of-3 key with the trustees' tool, each from their own files."""
    users = [world.member, world.officer, world.other_officer]
    box = ballot_box.appoint_trustees(
        actor=world.officer, ballot=ballot, members=[u.member for u in users], threshold_k=k
    )
    trustees = list(box.trustees.order_by("index"))
    for user, t in zip(users, trustees, strict=True):
        private, public = tmp_path / f"t{t.index}.json", tmp_path / f"t{t.index}-transport.json"
        assert (
            trustee.main(
                [
                    "init",
                    "--index",
                    str(t.index),
                    "--private",
                    str(private),
                    "--public",
                    str(public),
                ]
            )
            == 0
        )
        ballot_box.publish_transport_key(actor=user, trustee=t, data=json.loads(public.read_text()))
    for step, publish in (
        ("keygen", ballot_box.publish_dealing),
        ("confirm", ballot_box.publish_share_key),
    ):
        state = tmp_path / f"ceremony-{step}.json"
        state.write_text(json.dumps(ballot_box.ceremony_state(BallotBox.objects.get(pk=box.pk))))
        for user, t in zip(users, trustees, strict=True):
            out = tmp_path / f"t{t.index}-{step}.json"
            assert (
                trustee.main(
                    [
                        step,
                        "--private",
                        str(tmp_path / f"t{t.index}.json"),
                        "--ceremony",
                        str(state),
                        "--output",
                        str(out),
                    ]
                )
                == 0
            )
            publish(actor=user, trustee=t, data=json.loads(out.read_text()))
    box.refresh_from_db()
    return box, users, trustees


def _decrypt(ballot, tmp_path, users, trustees, who):
    partial = tmp_path / "partial.json"
    partial.write_text(json.dumps(ballot_box.export_bundle(ballot)))
    for n in who:
        out = tmp_path / f"shares-{n}.json"
        assert (
            trustee.main(
                [
                    "decrypt",
                    "--private",
                    str(tmp_path / f"t{n}.json"),
                    "--bundle",
                    str(partial),
                    "--output",
                    str(out),
                ]
            )
            == 0
        )
        ballot_box.publish_decryption(
            actor=users[n - 1], trustee=trustees[n - 1], data=json.loads(out.read_text())
        )


@pytest.fixture
def trusted_election(world, tmp_path):
    """An STV election under a 2-of-3 trustees' key, with six votes cast and closed."""
    voters = add_voters(world, 3)
    ballot = draft_election(world)
    _box, users, trustees = _ceremony(world, ballot, tmp_path)
    ballot = services.open_ballot(actor=world.officer, ballot=ballot)
    rankings = [["c1", "c2"], ["c2"], ["c3", "c1", "c2"], ["c1"], ["c2", "c3"], ["c1", "c3"]]
    for user, ranking in zip([*users, *voters], rankings, strict=True):
        services.cast_vote(actor=user, ballot=ballot, choices=ranking)
    close_and_tally(actor=world.officer, ballot=ballot)
    return ballot, users, trustees, rankings


def test_the_joint_key_comes_from_the_trustees_and_the_platform_holds_no_share(world, tmp_path):
    box, _users, _trustees = _ceremony(world, draft_ballot(world), tmp_path)
    assert box.public_key and not box.demo_secret
    for t in Trustee.objects.filter(box=box):
        assert t.demo_private is None and "secret" not in json.dumps(t.share_key)
    # Each trustee's private file holds their share; the platform has only sealed boxes.
    private = json.loads((tmp_path / "t1.json").read_text())
    assert private["secret"] not in json.dumps(list(Trustee.objects.values()), default=str)


def test_a_secret_ballot_without_its_trustees_key_cannot_open_outside_a_demo(world, settings):
    settings.ELECTIONS_DEMO_SERVER_KEY = False
    with pytest.raises(DomainError, match="trustees"):
        services.open_ballot(actor=world.officer, ballot=draft_ballot(world))


def test_only_the_trustee_may_publish_for_a_trustee(world, tmp_path):
    box = ballot_box.appoint_trustees(
        actor=world.officer,
        ballot=draft_ballot(world),
        members=[world.member.member],
        threshold_k=1,
    )
    trustee.main(
        ["init", "--index", "1", "--private", str(tmp_path / "p"), "--public", str(tmp_path / "t")]
    )
    with pytest.raises(NotAllowed):
        ballot_box.publish_transport_key(
            actor=world.officer,
            trustee=box.trustees.get(),
            data=json.loads((tmp_path / "t").read_text()),
        )


def test_two_of_three_trustees_decrypt_a_mixed_stv_count(world, tmp_path, trusted_election):
    ballot, users, trustees, rankings = trusted_election
    with pytest.raises(DomainError, match="still missing"):
        services.count_ballot(actor=world.officer, ballot=ballot)
    _decrypt(ballot, tmp_path, users, trustees, who=[1, 3])
    services.count_ballot(actor=world.officer, ballot=ballot)
    counted = sorted(
        p["ranking"]
        for p in BallotPaper.objects.filter(ballot=ballot).values_list("content", flat=True)
    )
    assert counted == sorted(rankings)
    ballot.refresh_from_db()
    assert (
        ballot.result["encrypted"]["threshold"] == 2 and not ballot.result["encrypted"]["demo_key"]
    )


def test_a_trustee_cannot_be_made_to_decrypt_a_single_paper(world, tmp_path, trusted_election):
    ballot, _users, _trustees, _ = trusted_election
    data = ballot_box.export_bundle(ballot)
    # A tally that is one voter's paper rather than the mix's output.
    data["tally"]["ciphertexts"] = data["board"][0]["paper"]["ciphertexts"]
    (tmp_path / "evil.json").write_text(json.dumps(data))
    code = trustee.main(
        [
            "decrypt",
            "--private",
            str(tmp_path / "t1.json"),
            "--bundle",
            str(tmp_path / "evil.json"),
            "--output",
            str(tmp_path / "o"),
        ]
    )
    assert code == 1 and not (tmp_path / "o").exists()


def test_a_wrong_decryption_share_is_refused_on_upload(world, tmp_path, trusted_election):
    ballot, users, trustees, _ = trusted_election
    _decrypt(ballot, tmp_path, users, trustees, who=[1])
    shares = json.loads((tmp_path / "shares-1.json").read_text())
    shares["index"] = 2
    with pytest.raises(DomainError):
        ballot_box.publish_decryption(actor=users[1], trustee=trustees[1], data=shares)


def _published_bundle(world, tmp_path, trusted_election):
    ballot, users, trustees, _ = trusted_election
    _decrypt(ballot, tmp_path, users, trustees, who=[2, 3])
    services.count_ballot(actor=world.officer, ballot=ballot)
    services.publish_results(actor=world.officer, ballot=ballot)
    path = tmp_path / "bundle.json"
    call_command("export_ballot", ballot.pk, output=str(path))
    return json.loads(path.read_text())


def test_a_published_bundle_verifies_on_its_own(world, tmp_path, trusted_election, capsys):
    data = _published_bundle(world, tmp_path, trusted_election)
    assert verify_bundle(data, recount=recount)["papers"] == 6
    call_command("verify_ballot", str(tmp_path / "bundle.json"))
    assert "ok: 6 papers" in capsys.readouterr().out


def _tamper(data, how):
    if how == "altered ciphertext":
        c = data["board"][1]["paper"]["ciphertexts"][0]
        c[0], c[1] = c[1], c[0]
    elif how == "dropped ciphertext":
        del data["board"][-1]
    elif how == "added ciphertext":
        data["board"].append(copy.deepcopy(data["board"][0]) | {"position": len(data["board"])})
    elif how == "replayed ciphertext":
        data["board"][2]["paper"] = data["board"][0]["paper"]
    elif how == "bad proof":
        data["board"][3]["paper"]["proofs"][0] = data["board"][4]["paper"]["proofs"][0]
    elif how == "wrong decryption share":
        factors = data["decryptions"][0]["factors"]
        factors[0], factors[1] = factors[1], factors[0]
    elif how == "replaced mixed paper":
        data["tally"]["mixes"][0]["rows"][0] = data["board"][0]["paper"]["ciphertexts"]
    elif how == "changed counted paper":
        data["papers"][0]["content"]["ranking"] = ["c3"]
    elif how == "changed result":
        data["result"]["elected"] = list(reversed(data["result"]["elected"]))
    elif how == "other public key":
        data["box"]["public_key"] = data["ceremony"]["trustees"][0]["share_key"]["public"]


@pytest.mark.parametrize(
    ("how", "named"),
    [
        ("altered ciphertext", "board paper 1"),
        ("dropped ciphertext", "head or length"),
        ("added ciphertext", "board paper 6"),
        ("replayed ciphertext", "board paper 2"),
        ("bad proof", "board paper 3"),
        ("wrong decryption share", "decryption"),
        ("replaced mixed paper", "mix 1"),
        ("changed counted paper", "counted papers"),
        ("changed result", "recount"),
        ("other public key", "key ceremony"),
    ],
)
def test_a_tampered_bundle_fails_naming_the_first_failure(
    world, tmp_path, trusted_election, how, named
):
    data = _published_bundle(world, tmp_path, trusted_election)
    _tamper(data, how)
    with pytest.raises(BundleError, match=named):
        verify_bundle(data, recount=recount)
    (tmp_path / "tampered.json").write_text(json.dumps(data))
    with pytest.raises(CommandError, match="FAILS"):
        call_command("verify_ballot", str(tmp_path / "tampered.json"))


def test_worker_processes_give_the_same_verdict_and_name_the_same_failure(
    world, tmp_path, trusted_election
):
    """Chunks of one paper in two worker processes: every verdict as with one process."""
    data = _published_bundle(world, tmp_path, trusted_election)
    with parallel.Pool(2, minimum=1) as pool:
        assert verify_bundle(copy.deepcopy(data), recount=recount, pool=pool)["papers"] == 6
        for how in (
            "altered ciphertext",
            "bad proof",
            "wrong decryption share",
            "replaced mixed paper",
        ):
            tampered = copy.deepcopy(data)
            _tamper(tampered, how)
            with pytest.raises(BundleError) as alone:
                verify_bundle(copy.deepcopy(tampered), recount=recount)
            with pytest.raises(BundleError) as pooled:
                verify_bundle(tampered, recount=recount, pool=pool)
            assert str(pooled.value) == str(alone.value)


def test_the_count_refuses_a_board_shorter_than_the_votes_cast(world):
    ballot = services.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    services.cast_vote(actor=world.member, ballot=ballot, choices="yes")
    Participation.objects.create(ballot=ballot, member=world.officer.member)
    close_and_tally(actor=world.officer, ballot=ballot)
    # The worker's tally fails with the reason; the count waits for a mixed tally.
    assert BallotBox.objects.get(ballot=ballot).tally_error.startswith("The ballot box holds 1")
    with pytest.raises(DomainError, match="The tally failed"):
        services.count_ballot(actor=world.officer, ballot=ballot)


def test_a_board_changed_after_the_tally_is_refused_by_the_count(world):
    ballot = services.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    for user in (world.member, world.officer):
        services.cast_vote(actor=user, ballot=ballot, choices="no")
    close_and_tally(actor=world.officer, ballot=ballot)
    assert BallotBox.objects.get(ballot=ballot).tally_state == BallotBox.TallyState.MIXED
    # The count checks the board again under the box's lock, against the votes cast.
    BoardEntry.objects.filter(box__ballot=ballot, position=0).delete()
    with pytest.raises(DomainError, match="ballot box holds 1 papers"):
        services.count_ballot(actor=world.officer, ballot=ballot)
    # With a participation gone too, the lengths agree: its vote_cast event, now without a
    # participation, tells; with that event gone as well (which breaks the audit chain), the
    # board's broken chain still tells.
    gone = Participation.objects.get(ballot=ballot, member=world.officer.member)
    gone.delete()
    with pytest.raises(DomainError, match=r"audit event #\d+ \(ballot.vote_cast\) matches no"):
        services.count_ballot(actor=world.officer, ballot=ballot)
    commitment = integrity.cast_commitment(
        ballot_id=ballot.pk, member_id=gone.member_id, by_proxy=False, salt=gone.salt
    )
    AuditEvent.objects.filter(action="ballot.vote_cast", new__commitment=commitment).delete()
    with pytest.raises(DomainError, match="chain is broken"):
        services.count_ballot(actor=world.officer, ballot=ballot)
    assert Ballot.objects.get(pk=ballot.pk).status == Ballot.Status.CLOSED


def test_a_deleted_board_entry_fails_the_tally_with_the_broken_chain(world):
    ballot = services.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    for user in (world.member, world.officer):
        services.cast_vote(actor=user, ballot=ballot, choices="no")
    BoardEntry.objects.filter(box__ballot=ballot, position=0).delete()
    Participation.objects.filter(ballot=ballot, member=world.officer.member).delete()
    close_and_tally(actor=world.officer, ballot=ballot)
    box = BallotBox.objects.get(ballot=ballot)
    assert box.tally_state == BallotBox.TallyState.FAILED
    assert "chain is broken" in box.tally_error
    with pytest.raises(DomainError, match="The tally failed"):
        services.count_ballot(actor=world.officer, ballot=ballot)


def test_a_paper_sent_encrypted_is_checked_and_a_replay_refused(world):
    ballot = services.open_ballot(actor=world.officer, ballot=draft_ballot(world))
    box = BallotBox.objects.get(ballot=ballot)
    paper = ballot_box.encrypt_paper(box, {"choice": "abstain"}).to_json()
    receipt = services.cast_vote(actor=world.member, ballot=ballot, encrypted=[paper])
    assert receipt.code == BoardEntry.objects.get().tracker
    with pytest.raises(DomainError, match="already in a ballot box"):
        services.cast_vote(actor=world.officer, ballot=ballot, encrypted=[paper])
    forged = copy.deepcopy(paper)
    forged["proofs"][0] = forged["proofs"][1]
    with pytest.raises(DomainError, match="not valid"):
        services.cast_vote(actor=world.officer, ballot=ballot, encrypted=[forged])
    assert Participation.objects.filter(ballot=ballot).count() == 1


@pytest.mark.parametrize(
    ("method", "choices", "figures"),
    [
        ("approval", [["c1", "c2"], [], ["c2"], ["c1", "c3"]], {"c1": 2, "c2": 2, "c3": 1}),
        ("plurality", [["c1"], ["c2"], [], ["c1"]], {"c1": 2, "c2": 1, "c3": 0}),
    ],
)
def test_marks_are_counted_from_decrypted_totals(world, method, choices, figures):
    voters = add_voters(world, 1)
    extra = {"max_approvals": 2} if method == "approval" else {}
    ballot = services.open_ballot(
        actor=world.officer, ballot=draft_election(world, method=method, seats=1, **extra)
    )
    for user, marks in zip(
        [world.member, world.officer, world.other_officer, *voters], choices, strict=True
    ):
        services.cast_vote(actor=user, ballot=ballot, choices=marks)
    close_and_tally(actor=world.officer, ballot=ballot)
    assert BallotBox.objects.get(ballot=ballot).tally["kind"] == "totals"
    ballot = services.count_ballot(actor=world.officer, ballot=ballot)
    count = Ballot.objects.get(pk=ballot.pk).result["count"]
    assert count["stages"][0]["votes"] == figures
    assert count["blank"] == 1 and count["valid"] == 3
    assert Ballot.objects.get(pk=ballot.pk).result["encrypted"]["demo_key"] is True


def test_the_results_page_offers_the_bundle_and_it_verifies(
    world, tmp_path, trusted_election, client_for
):
    _published_bundle(world, tmp_path, trusted_election)
    ballot = trusted_election[0]
    client = client_for("member")
    page = client.get(reverse("ballot_results", args=[ballot.pk])).content.decode()
    assert reverse("ballot_bundle", args=[ballot.pk]) in page
    response = client.get(reverse("ballot_bundle", args=[ballot.pk]))
    assert response.status_code == 200
    assert (
        verify_bundle(
            json.loads(
                b"".join(response.streaming_content) if response.streaming else response.content
            ),
            recount=recount,
        )["papers"]
        == 6
    )


def _shape_paths(value, path=()):
    """One path per place in the bundle's shape (list items stand for their first)."""
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _shape_paths(item, (*path, key))
    elif isinstance(value, list) and value:
        yield from _shape_paths(value[0], (*path, 0))


def test_a_bundle_of_the_wrong_shape_anywhere_fails_with_a_named_error(
    world, tmp_path, trusted_election
):
    """A value of the wrong type at any place of a bundle is a BundleError naming the bundle
    malformed (or the check it fails), never another exception: verify_ballot reads files
    anyone may hand it."""
    data = _published_bundle(world, tmp_path, trusted_election)
    escaped = []
    paths = [p for p in _shape_paths(data) if p]
    for path in paths:
        original = data
        for step in path[:-1]:
            original = original[step]
        value = original[path[-1]]
        wrong = {str: 7, int: "seven", bool: "yes", list: "list", dict: ["dict"]}.get(
            type(value), {"x": 1}
        )
        tampered = copy.deepcopy(data)
        place = tampered
        for step in path[:-1]:
            place = place[step]
        place[path[-1]] = wrong
        try:
            verify_bundle(tampered, recount=recount)
        except BundleError:
            continue
        except Exception as exc:  # collected, then reported together
            escaped.append(f"{'/'.join(map(str, path))}: {exc!r}")
    assert len(paths) > 50 and not escaped, "\n".join(escaped)
