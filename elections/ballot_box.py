"""Secret ballots' encrypted ballot box: keys, the bulletin board, the mix and the decryption.

The writes here are services like those of `elections.services` (which calls them inside its
own transactions for casting, opening and counting); the cryptography is the pure package
`elections.crypto`. What a secret ballot stores:

- `BallotBox`: the joint public key of the ballot's trustees (k of n), the shape of its
  papers, the board's length and head hash, and after the close what the trustees decrypt
  (the homomorphic totals, or the mixed papers with the proof of the shuffle).
- `BoardEntry`: each cast encrypted paper with its tracker, hash-chained, no voter, no time.
- `Trustee`: only public material (keys, dealings, proofs, decryption shares).

The plaintext of an online secret paper exists only in the memory of the request that
encrypts it; the count writes the decrypted papers (ranked methods, in mixed order) or
papers rebuilt from the decrypted totals (marks methods), which tie to no board entry.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from elections.counting import papers as paper_format
from elections.counting.papers import YES_NO_OPTIONS
from elections.crypto import bundle, papers, threshold
from elections.crypto.elgamal import Ciphertext, DiscreteLogTable
from elections.crypto.group import GroupError, Point, Scalar, g_times
from elections.crypto.papers import EncryptedPaper, PaperSpec
from elections.models import (
    Ballot,
    BallotBox,
    BoardEntry,
    Candidate,
    Participation,
    RollEntry,
    Trustee,
)
from governance.audit import log as audit
from governance.exceptions import DomainError, NotAllowed
from governance.models import Mandate, Member

GENESIS = "0" * 64
TALLY = BallotBox.TallyState

logger = logging.getLogger(__name__)


# ---------------------------------------------------------------------------
# Shapes and contexts
# ---------------------------------------------------------------------------


def paper_shape(ballot: Ballot, codes: Sequence[str]) -> dict[str, Any]:
    """The shape of the ballot's papers and the options in column order."""
    if ballot.yes_no:
        spec = PaperSpec(papers.MARKS, len(YES_NO_OPTIONS), 1, 1)
        options = YES_NO_OPTIONS
    elif ballot.ranked:
        spec = PaperSpec(papers.RANKING, len(codes))
        options = list(codes)
    else:
        limit = paper_format.mark_limit(
            ballot.method, seats=ballot.seats, max_approvals=ballot.max_approvals
        )
        limit = min(limit or len(codes), len(codes))
        spec = PaperSpec(papers.MARKS, len(codes) + 1, 0, limit, blank_column=True)
        options = list(codes)
    return {**spec.to_json(), "options": options}


def spec_of(box: BallotBox) -> PaperSpec:
    return PaperSpec.from_json(box.spec)


def ceremony_context(box: BallotBox) -> tuple:
    """What every key-ceremony proof is bound to: this ballot box and nothing else."""
    return ("gov-ballot-keys", str(box.uid))


def paper_context(box: BallotBox) -> tuple:
    """What every paper, mix and decryption proof is bound to: the box, its key, its shape."""
    shape = json.dumps(box.spec, sort_keys=True, separators=(",", ":"))
    return ("gov-ballot", str(box.uid), box.public_key, shape)


chain = bundle.chain


def values_of(box: BallotBox, content: dict[str, Any]) -> list[int]:
    """A validated paper content as the integers encrypted in its row."""
    options = box.spec["options"]
    if "choice" in content:
        return [int(content["choice"] == option) for option in YES_NO_OPTIONS]
    if "ranking" in content:
        return [options.index(code) + 1 for code in content["ranking"]]
    marked = set(content["choices"])
    return [int(code in marked) for code in options] + [int(not marked)]


# ---------------------------------------------------------------------------
# Keys: trustees' ceremony, or the labelled demo key
# ---------------------------------------------------------------------------


def demo_keys_allowed() -> bool:
    return bool(getattr(settings, "ELECTIONS_DEMO_SERVER_KEY", False))


#: The scope of a trustees rule written for every secret ballot (as the eligibility rule's
#: ``ballot`` is for every vote): tried after the ballot's own scope and its body's.
EVERY_BALLOT = "ballot"


def trustees_rule(ballot: Ballot):
    """The statutes' trustees rule for this ballot (kind ``trustees``), in force when it opens:
    looked up like its quorum, by its rule scope and its deciding body, then the rule for
    every ballot (scope ``ballot``); None if none."""
    from governance.statutes.lookup import rule_for

    return rule_for(
        "trustees",
        ballot.rule_scope,
        body=ballot.body,
        on=timezone.localdate(ballot.opens_at),
        general=EVERY_BALLOT,
    )


def default_trustees(ballot: Ballot, rule=None) -> tuple[list[Member], int] | None:
    """The trustees the statutes name for `ballot`: the current mandate holders of the rule's
    body, with its threshold k. None when no rule applies, or the body has fewer than k
    holders today (officers then appoint the trustees themselves)."""
    rule = rule if rule is not None else trustees_rule(ballot)
    if rule is None:
        return None
    parsed = rule.parsed()
    holders = list(
        Member.objects.voting_members()
        .filter(
            pk__in=Mandate.objects.current(timezone.localdate())
            .filter(body__code=parsed.body)
            .values("member_id")
        )
        .order_by("last_name", "first_name", "pk")
    )
    if len(holders) < parsed.threshold:
        return None
    return holders, parsed.threshold


#: The most trustees one ballot names (each deals a share to every other: n² sealed shares).
MAX_TRUSTEES = 25


def check_trustees(members: Sequence[Member], threshold_k: int, *, demo: bool) -> list[Member]:
    """The appointment's input, refused with the field at fault: no one named twice, members
    entitled to vote only, 1 <= k <= n, and demonstration trustees only in a demonstration."""
    members = list(members)
    if demo and not demo_keys_allowed():
        raise DomainError(
            _(
                "Demonstration trustees (whose keys the platform holds) are only allowed on a demonstration."
            ),
            field="demo",
        )
    if not members:
        raise DomainError(_("Name at least one trustee."), field="members")
    if len(members) > MAX_TRUSTEES:
        raise DomainError(
            _("A ballot has at most %(limit)s trustees.") % {"limit": MAX_TRUSTEES},
            field="members",
        )
    if len({m.pk for m in members}) < len(members):
        raise DomainError(_("A trustee is named only once."), field="members")
    entitled = set(
        Member.objects.voting_members()
        .filter(pk__in=[m.pk for m in members])
        .values_list("pk", flat=True)
    )
    outsiders = [str(m) for m in members if m.pk not in entitled]
    if outsiders:
        raise DomainError(
            _("Trustees are members of the section: %(names)s is not.")
            % {"names": ", ".join(outsiders)},
            field="members",
        )
    try:
        threshold.check_parameters(threshold_k, len(members))
    except threshold.ThresholdError:
        raise DomainError(
            _("The threshold must be between 1 and the number of trustees (%(n)s).")
            % {"n": len(members)},
            field="threshold",
        ) from None
    return members


def appoint_trustees(
    *, actor, ballot: Ballot, members: Sequence[Member], threshold_k: int, demo: bool = False
) -> BallotBox:
    """Officers name a draft secret ballot's trustees and the threshold k of n, or name
    others in place of those named before while no trustee has published key material.

    When the trustees and k are those the statutes name (`default_trustees`), the box
    records the article that authorises them; otherwise the choice is the officers'.
    Demo trustees (``demo=True``) have their private files kept by the platform and are
    labelled as such; they are for the demonstration only.
    """
    from governance.permissions import ensure_may_act_for_body

    ensure_may_act_for_body(actor, ballot.body)
    members = check_trustees(members, threshold_k, demo=demo)
    with transaction.atomic():
        ballot = Ballot.objects.select_for_update().select_related("body").get(pk=ballot.pk)
        rule = trustees_rule(ballot)
        default = default_trustees(ballot, rule)
        article = None
        if default is not None and (
            {m.pk for m in default[0]},
            default[1],
        ) == ({m.pk for m in members}, threshold_k):
            article = rule.article
        return _appoint(actor, ballot, members, threshold_k, demo=demo, article=article)


def appoint_default_trustees(actor, ballot: Ballot) -> BallotBox | None:
    """Inside create_ballot's transaction: a secret ballot's trustees as the statutes name
    them, if they name any (`default_trustees`); None otherwise."""
    if not ballot.secret:
        return None
    rule = trustees_rule(ballot)
    default = default_trustees(ballot, rule)
    if default is None:
        return None
    members, threshold_k = default
    return _appoint(actor, ballot, members, threshold_k, demo=False, article=rule.article)


def ceremony_begun(box: BallotBox, trustees: Sequence[Trustee]) -> bool:
    """Whether the box's key is being made (a trustee published key material) or made: from
    then on the trustees stand (a demo key is made at once)."""
    return bool(box.demo_secret or box.public_key) or any(t.transport_key for t in trustees)


def _appoint(actor, ballot: Ballot, members, threshold_k: int, *, demo: bool, article):
    if not ballot.secret or ballot.status != Ballot.Status.DRAFT:
        raise DomainError(_("Trustees are named for a secret ballot still in draft."))
    box = BallotBox.objects.select_for_update().filter(ballot=ballot).first()
    before = None
    if box is not None:
        trustees = list(box.trustees.all())
        if ceremony_begun(box, trustees):
            raise DomainError(
                _("The trustees have begun their key ceremony: they can no longer be changed.")
            )
        before = {
            "threshold": box.threshold,
            "trustees": [t.member_id for t in trustees],
            "demo": any(t.is_demo for t in trustees),
            "article": box.trustees_article.number if box.trustees_article else None,
        }
        box.trustees.all().delete()
        box.threshold, box.trustees_article = threshold_k, article
        box.save(update_fields=["threshold", "trustees_article"])
    else:
        box = BallotBox.objects.create(
            ballot=ballot, threshold=threshold_k, trustees_article=article
        )
    Trustee.objects.bulk_create(
        [
            Trustee(box=box, index=n, member=m, name=str(m), is_demo=demo)
            for n, m in enumerate(members, start=1)
        ]
    )
    audit.record(
        actor,
        "ballot.trustees_appointed",
        ballot,
        old=before,
        new={
            "threshold": threshold_k,
            "trustees": [m.pk for m in members],
            "demo": demo,
            "article": article.number if article else None,
        },
    )
    if demo:
        _run_demo_ceremony(box)
    return box


def _run_demo_ceremony(box: BallotBox) -> None:
    """Every step of the ceremony for demo trustees, their private files kept on the row."""
    from nacl.public import PrivateKey

    trustees = list(box.trustees.all())
    privates = {t.index: PrivateKey.generate() for t in trustees}
    keys = [threshold.TransportKey(t.index, bytes(privates[t.index].public_key)) for t in trustees]
    context = ceremony_context(box)
    dealings = [threshold.deal(t.index, box.threshold, keys, context) for t in trustees]
    for trustee, key, dealing in zip(trustees, keys, dealings, strict=True):
        secret, share_key = threshold.receive_shares(
            trustee.index, privates[trustee.index], dealings, box.threshold, context
        )
        trustee.transport_key, trustee.dealing = key.to_json(), dealing.to_json()
        trustee.share_key = share_key.to_json()
        trustee.demo_private = {"index": trustee.index, "secret": secret.hex()}
        trustee.save()
    _finish_ceremony(box)


def _finish_ceremony(box: BallotBox) -> None:
    trustees = list(box.trustees.all())
    if any(t.share_key is None for t in trustees):
        return
    joint = joint_key(box, trustees)
    for trustee in trustees:
        threshold.check_share_key(
            joint, threshold.ShareKey.from_json(trustee.share_key), ceremony_context(box)
        )
    box.public_key = joint.public.hex()
    box.save(update_fields=["public_key"])


def joint_key(box: BallotBox, trustees: Sequence[Trustee] | None = None) -> threshold.JointKey:
    if box.demo_secret:
        public = g_times(Scalar.from_hex(box.demo_secret))
        return threshold.JointKey(1, public, {1: public})
    trustees = list(trustees if trustees is not None else box.trustees.all())
    dealings = [threshold.Dealing.from_json(t.dealing) for t in trustees]
    return threshold.joint_key(dealings, box.threshold, ceremony_context(box))


def ceremony_state(box: BallotBox) -> dict[str, Any]:
    """What each trustee has published, and what the ceremony or the count waits for."""
    trustees = list(box.trustees.all())
    return {
        "transport_keys": [t.transport_key for t in trustees if t.transport_key],
        "dealings": [t.dealing for t in trustees if t.dealing],
        "trustees": len(trustees),
        "threshold": box.threshold,
        "context": list(ceremony_context(box)),
    }


def _trustee_for(actor, trustee: Trustee) -> Trustee:
    trustee = Trustee.objects.select_for_update().select_related("box__ballot").get(pk=trustee.pk)
    member = getattr(actor, "member", None)
    if trustee.is_demo or member is None or trustee.member_id != member.pk:
        raise NotAllowed(_("Only this trustee may publish for this trustee."))
    return trustee


def publish_transport_key(*, actor, trustee: Trustee, data: dict) -> Trustee:
    """A trustee publishes the public half of their transport key (step 1 of the ceremony)."""
    with transaction.atomic():
        trustee = _trustee_for(actor, trustee)
        try:
            key = threshold.TransportKey.from_json(data)
        except threshold.ThresholdError as error:
            raise DomainError(str(error)) from None
        if key.index != trustee.index or trustee.transport_key is not None:
            raise DomainError(_("This is not the transport key this trustee still owes."))
        trustee.transport_key = key.to_json()
        trustee.save(update_fields=["transport_key"])
        audit.record(actor, "trustee.transport_key", trustee, new={"index": trustee.index})
    return trustee


def publish_dealing(*, actor, trustee: Trustee, data: dict) -> Trustee:
    """A trustee publishes their commitments and sealed shares (step 2)."""
    with transaction.atomic():
        trustee = _trustee_for(actor, trustee)
        box = trustee.box
        try:
            dealing = threshold.Dealing.from_json(data)
            dealing.verify(box.threshold, box.trustees.count(), ceremony_context(box))
        except threshold.ThresholdError as error:
            raise DomainError(str(error)) from None
        if dealing.index != trustee.index or trustee.dealing is not None:
            raise DomainError(_("This is not the dealing this trustee still owes."))
        trustee.dealing = dealing.to_json()
        trustee.save(update_fields=["dealing"])
        audit.record(actor, "trustee.dealing", trustee, new={"index": trustee.index})
    return trustee


def publish_share_key(*, actor, trustee: Trustee, data: dict) -> Trustee:
    """A trustee publishes g^{x_j} and its proof (step 3); the last one makes the joint key."""
    with transaction.atomic():
        trustee = _trustee_for(actor, trustee)
        box = BallotBox.objects.select_for_update().get(pk=trustee.box_id)
        if box.trustees.filter(dealing__isnull=True).exists():
            raise DomainError(_("Some trustees have not published their dealing yet."))
        try:
            share_key = threshold.ShareKey.from_json(data)
            threshold.check_share_key(joint_key(box), share_key, ceremony_context(box))
        except threshold.ThresholdError as error:
            raise DomainError(str(error)) from None
        if share_key.index != trustee.index:
            raise DomainError(_("This is not this trustee's share key."))
        trustee.share_key = share_key.to_json()
        trustee.save(update_fields=["share_key"])
        _finish_ceremony(box)
        audit.record(
            actor,
            "trustee.share_key",
            trustee,
            new={"index": trustee.index, "joint_key": box.public_key or None},
        )
    return trustee


# ---------------------------------------------------------------------------
# What a trustee is asked now, and the one upload that does it
# ---------------------------------------------------------------------------

#: The steps a trustee takes with `python -m elections.trustee`, in order, each one file
#: uploaded; the others are waits (for the other trustees, the close, the mix) or the end.
TRANSPORT, DEALING, SHARE_KEY, DECRYPT = "transport", "dealing", "share_key", "decrypt"
UPLOADS = (TRANSPORT, DEALING, SHARE_KEY, DECRYPT)
WAIT_TRANSPORT, WAIT_DEALINGS, WAIT_CLOSE, WAIT_MIX = (
    "wait_transport",
    "wait_dealings",
    "wait_close",
    "wait_mix",
)
KEY_READY, DONE, NOT_NEEDED, CANCELLED = "key_ready", "done", "not_needed", "cancelled"


def trustee_task(trustee: Trustee, others: Sequence[Trustee]) -> str:
    """What `trustee` is asked now (one of the names above); `others` is every trustee of the
    box, the trustee included (prefetched by the pages, so a list costs no query a row)."""
    box, ballot = trustee.box, trustee.box.ballot
    if ballot.status == Ballot.Status.CANCELLED:
        return CANCELLED
    if trustee.transport_key is None:
        return TRANSPORT
    if trustee.dealing is None:
        return DEALING if all(t.transport_key for t in others) else WAIT_TRANSPORT
    if trustee.share_key is None:
        return SHARE_KEY if all(t.dealing for t in others) else WAIT_DEALINGS
    if trustee.decryption is not None:
        return DONE
    if ballot.status in (Ballot.Status.DRAFT, Ballot.Status.OPEN):
        return KEY_READY if box.public_key else WAIT_DEALINGS
    if ballot.status != Ballot.Status.CLOSED:
        return NOT_NEEDED  # counted with the shares of k others
    # The trustees decrypt once the task worker has prepared the tally (`run_tally`).
    return DECRYPT if box.tally_state == TALLY.MIXED and box.tally is not None else WAIT_MIX


def upload_trustee_file(*, actor, trustee: Trustee, data: Any) -> tuple[str, Trustee]:
    """A trustee uploads the public file `python -m elections.trustee` wrote for the step they
    are asked now; the step's own service checks it (proofs included), writes it and its
    audit event in one transaction. A file for another step, another trustee or another
    ballot, or one altered, is refused with the reason and changes nothing.

    Returns the step done and the trustee as saved."""
    trustee = Trustee.objects.select_related("box__ballot").get(pk=trustee.pk)
    member = getattr(actor, "member", None)
    if trustee.is_demo or member is None or trustee.member_id != member.pk:
        raise NotAllowed(_("Only this trustee may publish for this trustee."))
    step = trustee_task(trustee, list(trustee.box.trustees.all()))
    if step not in UPLOADS:
        raise DomainError(_("Nothing is asked of this trustee now."), field="file")
    if not isinstance(data, dict):
        raise DomainError(_("This is not a file written by the trustees' tool."), field="file")
    try:
        publish = {
            TRANSPORT: publish_transport_key,
            DEALING: publish_dealing,
            SHARE_KEY: publish_share_key,
            DECRYPT: publish_decryption,
        }[step]
        saved = publish(actor=actor, trustee=trustee, data=data)
    except NotAllowed:
        raise
    except DomainError as error:
        raise DomainError(
            _("This file is not the one this trustee owes now (%(reason)s): nothing was changed.")
            % {"reason": error.message},
            field="file",
        ) from None
    return step, saved


def trustees_progress(box: BallotBox, trustees: Sequence[Trustee]) -> dict[str, Any]:
    """The officers' view of the ceremony and of the decryption: who has acted, how many
    of the k still decrypt, and what the count waits for (from prefetched `trustees`)."""
    ballot = box.ballot
    n, k = len(trustees), box.threshold
    keyed = [t for t in trustees if t.share_key is not None]
    decrypted = [t for t in trustees if t.decryption is not None or t.is_demo]
    missing: list[str] = []
    if not box.public_key and not box.demo_secret:
        missing.append(
            ngettext(
                "%(missing)s of %(n)s trustee has not published their key material yet.",
                "%(missing)s of %(n)s trustees have not published their key material yet.",
                n,
            )
            % {"missing": n - len(keyed), "n": n}
        )
    closed = ballot.status == Ballot.Status.CLOSED
    needed = 0 if box.demo_secret else max(k - len(decrypted), 0)
    if closed and box.tally_state == TALLY.FAILED:
        missing.append(_("The tally failed: an officer must prepare it again."))
    elif closed and box.tally is None:
        missing.append(_("The papers are not ready for the trustees yet (the mix)."))
    elif closed and needed:
        missing.append(
            ngettext(
                "%(needed)s more trustee must upload their decryption shares.",
                "%(needed)s more trustees must upload their decryption shares.",
                needed,
            )
            % {"needed": needed}
        )
    return {
        "rows": [
            {
                "trustee": t,
                "key": t.share_key is not None,
                "decrypted": t.decryption is not None,
            }
            for t in trustees
        ],
        "n": n,
        "k": k,
        "keyed": len(keyed),
        "decrypted": len([t for t in trustees if t.decryption is not None]),
        "needed": needed,
        "after_close": ballot.status not in (Ballot.Status.DRAFT, Ballot.Status.OPEN),
        "missing": missing,
    }


def trustees_summary(
    ballot: Ballot,
    *,
    box: BallotBox | None = None,
    trustees: Sequence[Trustee] | None = None,
    statutes: bool = True,
) -> dict[str, Any]:
    """Who the ballot's trustees are, k of n, and the article that named them (or none:
    the officers chose); with `statutes`, also what the statutes would name. A constant
    number of queries, none for the box and the trustees when the caller has them."""
    from governance.statutes import text

    if trustees is None:
        box = (
            BallotBox.objects.filter(ballot=ballot)
            .select_related("trustees_article", "trustees_article__version")
            .first()
        )
        trustees = list(box.trustees.select_related("member")) if box is not None else []
    rule = trustees_rule(ballot) if ballot.secret and statutes else None
    default = default_trustees(ballot, rule) if rule is not None else None
    started = box is not None and ceremony_begun(box, trustees)
    return {
        "box": box,
        "trustees": trustees,
        "n": len(trustees),
        "k": box.threshold if box is not None else None,
        "article": box.trustees_article if box is not None else None,
        # Two labelled demonstrations: the 1-of-1 key the server holds (no trustees), or
        # demonstration trustees whose private files the platform keeps (`demo`: either).
        "demo_key": bool(box and box.demo_secret),
        "demo_trustees": any(t.is_demo for t in trustees),
        "demo": bool(box and box.demo_secret) or any(t.is_demo for t in trustees),
        "rule": rule,
        "rule_text": text.describe_rule(rule.kind, rule.params) if rule is not None else "",
        "default": default[0] if default else [],
        "default_k": default[1] if default else None,
        "changeable": ballot.secret and ballot.status == Ballot.Status.DRAFT and not started,
    }


def prepare_for_opening(ballot: Ballot, codes: Sequence[str]) -> BallotBox:
    """At opening (inside open_ballot's transaction): the box with its key and papers' shape.

    Without a finished ceremony, only a demonstration may open, with a 1-of-1 key the
    server holds (labelled as such on every page and in the result).
    """
    box = BallotBox.objects.select_for_update().filter(ballot=ballot).first()
    if box is None:
        if not demo_keys_allowed():
            raise DomainError(_("A secret ballot opens once its trustees have made the joint key."))
        secret = Scalar.random()
        box = BallotBox.objects.create(
            ballot=ballot, threshold=1, demo_secret=secret.hex(), public_key=g_times(secret).hex()
        )
    elif not box.public_key:
        raise DomainError(_("A secret ballot opens once its trustees have made the joint key."))
    box.spec = paper_shape(ballot, codes)
    box.save(update_fields=["spec"])
    return box


# ---------------------------------------------------------------------------
# Casting: the board
# ---------------------------------------------------------------------------


def encrypt_paper(box: BallotBox, content: dict[str, Any]) -> EncryptedPaper:
    """The server's encryption of a paper (a browser will send the same JSON later)."""
    spec, public = spec_of(box), Point.from_hex(box.public_key)
    values = values_of(box, content)
    if spec.kind == papers.MARKS:
        return papers.encrypt_marks(public, spec, values, paper_context(box))
    return papers.encrypt_ranking(public, spec, values, paper_context(box))


def append_to_board(ballot: Ballot, encrypted: Sequence[EncryptedPaper]) -> list[str]:
    """Inside cast_vote's transaction: the papers go on the board; their trackers.

    Each paper's proofs are checked here, so a paper sent ready-encrypted (from a browser)
    goes through the same door. A tracker seen before (a replayed paper) is refused.
    """
    box = BallotBox.objects.select_for_update().get(ballot=ballot)
    spec, public, context = spec_of(box), Point.from_hex(box.public_key), paper_context(box)
    trackers = []
    entries = []
    head, length = box.head, box.length
    for paper in encrypted:
        try:
            paper.verify(public, spec, context)
        except papers.PaperError:
            raise DomainError(_("This encrypted paper is not valid for this ballot.")) from None
        tracker = paper.tracker
        head = chain(head, length, tracker)
        entries.append(
            BoardEntry(
                box=box, position=length, paper=paper.to_json(), tracker=tracker, digest=head
            )
        )
        trackers.append(tracker)
        length += 1
    if BoardEntry.objects.filter(tracker__in=trackers).exists() or len(set(trackers)) < len(
        trackers
    ):
        raise DomainError(_("This encrypted paper is already in a ballot box."))
    BoardEntry.objects.bulk_create(entries)
    box.head, box.length = head, length
    box.save(update_fields=["head", "length"])
    return trackers


def participations_weight(ballot: Ballot) -> int:
    voters = Participation.objects.filter(ballot=ballot).values("member_id")
    return (
        RollEntry.objects.filter(ballot=ballot, member_id__in=voters).aggregate(w=Sum("weight"))[
            "w"
        ]
        or 0
    )


def check_board(box: BallotBox) -> list[BoardEntry]:
    """The board's entries, its chain checked and its length equal to the participations'."""
    entries = list(box.entries.order_by("position"))
    head = GENESIS
    for position, entry in enumerate(entries):
        head = chain(head, position, entry.tracker)
        if entry.position != position or entry.digest != head:
            raise DomainError(
                _("The ballot box's chain is broken at paper %(n)s.") % {"n": position}
            )
    if head != box.head or len(entries) != box.length:
        raise DomainError(_("The ballot box's head does not match its papers."))
    if len(entries) != participations_weight(box.ballot):
        raise DomainError(
            _(
                "The ballot box holds %(papers)s papers for %(weight)s votes cast: it is not counted."
            )
            % {"papers": len(entries), "weight": participations_weight(box.ballot)}
        )
    return entries


def find_tracker(tracker: str) -> BoardEntry | None:
    if not tracker or len(tracker) != 64:
        return None
    return BoardEntry.objects.select_related("box__ballot").filter(tracker=tracker.lower()).first()


# ---------------------------------------------------------------------------
# Counting: totals or a mix, decryption shares, the papers for the counting code
# ---------------------------------------------------------------------------


def prepare_tally(box: BallotBox, entries: Sequence[BoardEntry]) -> dict[str, Any]:
    """What the trustees decrypt: homomorphic column totals, or the board's rows mixed."""
    spec, public, context = spec_of(box), Point.from_hex(box.public_key), paper_context(box)
    rows = []
    for entry in entries:
        paper = EncryptedPaper.from_json(entry.paper, spec)
        paper.verify(public, spec, context)
        rows.append(paper.ciphertexts)
    return bundle.prepare_tally(public, spec, rows, context)


def run_tally(box_id: int) -> str:
    """The tally of a closed ballot, prepared by the task worker (never the close's request):
    the board checked, then its totals or its mix with the proof of the shuffle stored.

    The box goes from waiting to mixing (committed, so the console shows it), then, locked
    for the whole work, to mixed with the tally and its audit event in one transaction, or
    to failed with the reason in words and its own audit event. The count waits for it
    (`tally_hindrance`). A tally already there (an earlier run, a duplicate task, a box
    tallied before the tally states existed) is not prepared again; a failed one waits for
    an officer's retry (`retry_tally`). Returns the state reached.
    """
    with transaction.atomic():
        box = BallotBox.objects.select_for_update().select_related("ballot").get(pk=box_id)
        if box.tally is None and box.tally_state == TALLY.WAITING:
            if box.ballot.status != Ballot.Status.CLOSED:
                return box.tally_state  # cancelled before the worker came
            box.tally_state = TALLY.MIXING
            box.save(update_fields=["tally_state"])
    if box.tally is not None or box.tally_state != TALLY.MIXING:
        return _tally_done(box_id) if box.tally is not None else box.tally_state
    with transaction.atomic():
        box = BallotBox.objects.select_for_update().select_related("ballot").get(pk=box_id)
        if box.tally is not None or box.tally_state != TALLY.MIXING:
            return box.tally_state  # a duplicate task did it while this one waited
        ballot = box.ballot
        # The stored reason is in the section's language, as the e-mails are.
        with translation.override(settings.LANGUAGE_CODE):
            try:
                with transaction.atomic():  # a savepoint: a failed read leaves the row writable
                    box.tally = prepare_tally(box, check_board(box))
            except DomainError as error:
                reason = error.message
            except Exception as error:
                logger.exception("The tally of ballot %s failed", ballot.pk)
                reason = _(
                    "An unexpected error (%(kind)s) stopped it; the worker's log has the details."
                ) % {"kind": type(error).__name__}
            else:
                reason = ""
        if reason:
            box.tally, box.tally_state, box.tally_error = None, TALLY.FAILED, reason
            box.save(update_fields=["tally_state", "tally_error"])
            audit.record(None, "ballot.tally_failed", ballot, new={"error": reason})
            return TALLY.FAILED
        box.tally_state, box.tally_error = TALLY.MIXED, ""
        box.save(update_fields=["tally", "tally_state", "tally_error"])
        audit.record(
            None,
            "ballot.tally_prepared",
            ballot,
            new={"kind": box.tally["kind"], "papers": box.length, "board_head": box.head},
        )
    return TALLY.MIXED


def _tally_done(box_id: int) -> str:
    """A tally already prepared (a box tallied before the tally states existed) is marked
    mixed, nothing redone."""
    with transaction.atomic():
        box = BallotBox.objects.select_for_update().get(pk=box_id)
        if box.tally is not None and box.tally_state != TALLY.MIXED:
            box.tally_state, box.tally_error = TALLY.MIXED, ""
            box.save(update_fields=["tally_state", "tally_error"])
    return box.tally_state


def tally_hindrance(box: BallotBox) -> str:
    """Why a closed secret ballot cannot be counted yet, in words ("" once its tally is
    mixed): the count decrypts only what the task worker prepared, never preparing the
    totals or the mix in its own request (about 30 s of CPU at 10,000 voters)."""
    if box.tally is not None and box.tally_state == TALLY.MIXED:
        return ""
    if box.tally_state == TALLY.FAILED:
        return _(
            "The tally failed, so the ballot cannot be counted: prepare the tally again "
            "(the console says why it failed)."
        )
    if box.tally_state == TALLY.MIXING:
        return _(
            "The task worker is still preparing the tally: the ballot can be counted once "
            "the tally is mixed."
        )
    return _(
        "The tally is waiting for the task worker: the ballot can be counted once the "
        "tally is mixed."
    )


def retry_hindrance(box: BallotBox | None) -> str:
    """Why a closed ballot's tally cannot be prepared again ("" when it failed, or when it
    is mixing, perhaps because its worker died: `retry_tally` then refuses only while a
    worker still holds the box)."""
    if box is None:
        return _("This ballot has no ballot box to tally.")
    if box.tally is not None or box.tally_state not in (TALLY.FAILED, TALLY.MIXING):
        return _("Only a tally that failed can be tried again.")
    return ""


def retry_tally(ballot: Ballot) -> dict[str, Any]:
    """Inside the retry step's transaction: a failed tally (or one whose worker stopped in
    the middle: mixing, yet nobody holds the box) waits for the worker again."""
    box = BallotBox.objects.select_for_update(skip_locked=True).filter(ballot=ballot).first()
    if box is None:
        if not BallotBox.objects.filter(ballot=ballot).exists():
            raise DomainError(retry_hindrance(None))
        raise DomainError(_("The worker is preparing the tally now."))
    if reason := retry_hindrance(box):
        raise DomainError(reason)
    error = box.tally_error
    box.tally_state, box.tally_error = TALLY.WAITING, ""
    box.save(update_fields=["tally_state", "tally_error"])
    return {"previous_error": error}


def tally_ciphertexts(tally: dict[str, Any]) -> list[Ciphertext]:
    return [Ciphertext.from_json(c) for c in tally["ciphertexts"]]


def decryption_context(box: BallotBox) -> tuple:
    return bundle.decryption_context(paper_context(box))


def publish_decryption(*, actor, trustee: Trustee, data: dict) -> Trustee:
    """A trustee uploads their decryption shares of the tally, with proofs (after the close)."""
    with transaction.atomic():
        trustee = _trustee_for(actor, trustee)
        box = trustee.box
        if box.tally is None or box.tally_state != TALLY.MIXED:
            raise DomainError(_("There is nothing to decrypt yet: the ballot is not closed."))
        try:
            share = threshold.DecryptionShare.from_json(data)
            alphas = [c.alpha for c in tally_ciphertexts(box.tally)]
            threshold.check_decryption_share(joint_key(box), share, alphas, decryption_context(box))
        except (threshold.ThresholdError, GroupError) as error:
            raise DomainError(str(error)) from None
        if share.index != trustee.index:
            raise DomainError(_("These are not this trustee's shares."))
        trustee.decryption = share.to_json()
        trustee.save(update_fields=["decryption"])
        audit.record(actor, "trustee.decrypted", trustee, new={"index": trustee.index})
    return trustee


def _shares(box: BallotBox, alphas: list[Point]) -> list[threshold.DecryptionShare]:
    context = decryption_context(box)
    if box.demo_secret:
        return [threshold.decryption_share(1, Scalar.from_hex(box.demo_secret), alphas, context)]
    shares = []
    for trustee in box.trustees.all():
        if trustee.decryption is not None:
            shares.append(threshold.DecryptionShare.from_json(trustee.decryption))
        elif trustee.is_demo and trustee.demo_private:
            secret = Scalar.from_hex(trustee.demo_private["secret"])
            share = threshold.decryption_share(trustee.index, secret, alphas, context)
            trustee.decryption = share.to_json()
            trustee.save(update_fields=["decryption"])
            shares.append(share)
        if len(shares) == box.threshold:
            break
    return shares


def missing_trustees(box: BallotBox) -> list[str]:
    return [t.name for t in box.trustees.filter(decryption__isnull=True, is_demo=False)]


def decrypt_tally(box: BallotBox) -> list[int]:
    """The tally's plaintexts from k checked decryption shares (never one paper on the board)."""
    ciphertexts = tally_ciphertexts(box.tally)
    alphas = [c.alpha for c in ciphertexts]
    shares = _shares(box, alphas)
    if len(shares) < box.threshold:
        raise DomainError(
            _("%(k)s trustees must decrypt first; still missing: %(names)s.")
            % {"k": box.threshold, "names": ", ".join(missing_trustees(box))}
        )
    joint = joint_key(box)
    for share in shares:
        threshold.check_decryption_share(joint, share, alphas, decryption_context(box))
    factors = threshold.combine(joint, shares)
    spec = spec_of(box)
    bound = box.length * spec.width if box.tally["kind"] == "totals" else spec.width
    table = DiscreteLogTable(max(bound, 1))
    out = []
    for ciphertext, factor in zip(ciphertexts, factors, strict=True):
        try:
            out.append(table.lookup(ciphertext.beta - factor))
        except GroupError:
            out.append(-1)  # not a candidate's number: the paper is invalid
    return out


def counted_contents(box: BallotBox, plaintexts: list[int]) -> list[dict[str, Any]]:
    """The papers for the unchanged counting code (see bundle.counted_contents)."""
    return bundle.counted_contents(box.spec, box.tally["kind"], box.length, plaintexts)


def mixed_fingerprint(box: BallotBox, n: int) -> str:
    return hashlib.sha256(f"{box.uid}:counted:{n}".encode()).hexdigest()


def standing_codes(ballot: Ballot) -> list[str]:
    return list(
        ballot.candidates.filter(status=Candidate.Status.STANDING).values_list("code", flat=True)
    )


def read_papers(ballot: Ballot, data: Sequence[dict], weight: int) -> list[EncryptedPaper]:
    """Papers sent encrypted (one per unit of the voter's weight), parsed for the ballot."""
    box = BallotBox.objects.get(ballot=ballot)
    if not isinstance(data, list | tuple) or len(data) != weight:
        raise DomainError(
            _("Send one encrypted paper per vote you cast (%(n)s).") % {"n": weight},
            field="encrypted",
        )
    try:
        return [EncryptedPaper.from_json(item, spec_of(box)) for item in data]
    except papers.PaperError:
        raise DomainError(
            _("This encrypted paper is not valid for this ballot."), field="encrypted"
        ) from None


# ---------------------------------------------------------------------------
# The public bundle
# ---------------------------------------------------------------------------


def export_bundle(ballot: Ballot) -> dict[str, Any]:
    """A counted secret ballot's public bundle (elections/crypto/bundle.py says what is in it)."""
    from elections import services

    box = BallotBox.objects.get(ballot=ballot)
    counted = ballot.status in (Ballot.Status.COUNTED, Ballot.Status.PUBLISHED)
    if box.tally is None:
        raise DomainError(_("A ballot's bundle is exported once it is closed."))
    trustees = list(box.trustees.all())
    if box.demo_secret:
        ceremony: dict[str, Any] = {"demo_server_key": True}
        decryptions = [
            threshold.DecryptionShare.from_json(data).to_json() for data in [_demo_share(box)]
        ]
    else:
        ceremony = {
            "context": list(ceremony_context(box)),
            "trustees": [
                {
                    "index": t.index,
                    "name": t.name,
                    "demo": t.is_demo,
                    "transport_key": t.transport_key,
                    "dealing": t.dealing,
                    "share_key": t.share_key,
                }
                for t in trustees
            ],
        }
        decryptions = [t.decryption for t in trustees if t.decryption is not None]
    # Before the count (for the trustees' tool): the board and the tally, no papers yet.
    listed = services.ballot_list(ballot).as_dict() if counted else {"ballot": None, "papers": []}
    return {
        "format": bundle.FORMAT,
        "ballot": listed["ballot"],
        "box": {
            "uid": str(box.uid),
            "threshold": box.threshold,
            "public_key": box.public_key,
            "spec": box.spec,
            "context": list(paper_context(box)),
            "length": box.length,
            "head": box.head,
        },
        "ceremony": ceremony,
        "board": [
            {"position": e.position, "tracker": e.tracker, "digest": e.digest, "paper": e.paper}
            for e in box.entries.order_by("position")
        ],
        "participations_weight": participations_weight(ballot),
        "tally": box.tally,
        "decryptions": decryptions,
        "papers": listed["papers"],
        "result": (ballot.result or {}).get("count", {}),
    }


def _demo_share(box: BallotBox) -> dict:
    """The demo key's decryption share, recomputed (the demo key is the server's own)."""
    alphas = [c.alpha for c in tally_ciphertexts(box.tally)]
    share = threshold.decryption_share(
        1, Scalar.from_hex(box.demo_secret), alphas, decryption_context(box)
    )
    return share.to_json()
