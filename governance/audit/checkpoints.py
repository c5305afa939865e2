"""Signed checkpoints of the audit log: its size, Merkle root and time, signed with Ed25519.

A checkpoint is a signed note in the manner of the transparency logs (C2SP `signed-note` and
`tlog-checkpoint`): the text

    <origin>
    <tree size>
    <root hash, base64>
    <time, ISO 8601 UTC>

then a blank line and one signature line ``— <origin> <base64(key id || signature)>``, where
the key id is the first four bytes of SHA-256(origin || 0x0A || 0x01 || public key) and the
signature is Ed25519 over the text above the blank line. Anyone holding the public key
(`verifier_key`) can check it without the platform.

The private key never lives in the database: it comes from ``AUDIT_SIGNING_KEY`` (the raw
32-byte seed, base64) or the file ``AUDIT_SIGNING_KEY_FILE`` (that seed in base64, or a PEM
private key). Only in development and the test suite is a key generated, in the file named
(``var/audit-signing.key`` by default there), so a copy of the database and its backups can
never sign a checkpoint (docs/deploy.md).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

SIGNATURE_PREFIX = "— "
ED25519 = b"\x01"


class CheckpointError(ValueError):
    """A checkpoint that cannot be read, or whose signature does not hold."""


class SigningKeyError(ImproperlyConfigured):
    """The signing key is not configured, its file is missing, or it is not an Ed25519 key.

    An operator's mistake, not a request's: a page answers it with the 503 that names it
    (`governance.api.errors.server_error`), a command with its message, and a write that
    needs a signature (the approval of minutes) is refused before anything is saved."""


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    time: dt.datetime

    def body(self) -> str:
        return (
            f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\n"
            f"{self.time.astimezone(dt.UTC).isoformat(timespec='seconds')}\n"
        )

    @property
    def root_hex(self) -> str:
        return self.root.hex()


# ---------------------------------------------------------------------------
# Keys
# ---------------------------------------------------------------------------


def _key_from_text(text: str) -> Ed25519PrivateKey:
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(text.encode(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise SigningKeyError("The audit signing key must be an Ed25519 key.")
        return key
    try:
        seed = base64.b64decode(text, validate=True)
    except ValueError:
        raise SigningKeyError("The audit signing key is neither PEM nor base64.") from None
    if len(seed) != 32:
        raise SigningKeyError("The audit signing key must be a 32-byte Ed25519 seed.")
    return Ed25519PrivateKey.from_private_bytes(seed)


def _generate(path: Path) -> Ed25519PrivateKey:
    key = Ed25519PrivateKey.generate()
    seed = key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(base64.b64encode(seed).decode() + "\n")
    return key


def signing_configured() -> bool:
    """Whether a signing key is configured (the variable or the file; development and the
    test suite always have a file). Without one nothing can be signed: the checkpoint
    e-mails are not queued, and the system check `governance.W001` says so."""
    return bool(settings.AUDIT_SIGNING_KEY or settings.AUDIT_SIGNING_KEY_FILE)


def signing_key() -> Ed25519PrivateKey:
    """The platform's signing key, from the environment or its file (never the database)."""
    if settings.AUDIT_SIGNING_KEY:
        return _key_from_text(settings.AUDIT_SIGNING_KEY)
    if not settings.AUDIT_SIGNING_KEY_FILE:
        raise SigningKeyError(
            "No audit signing key is configured: set AUDIT_SIGNING_KEY_FILE (or "
            "AUDIT_SIGNING_KEY) to sign audit checkpoints (docs/deploy.md)."
        )
    path = Path(settings.AUDIT_SIGNING_KEY_FILE)
    if not path.exists():
        if not settings.AUDIT_SIGNING_KEY_GENERATE:
            raise SigningKeyError(f"The audit signing key file {path} does not exist.")
        try:
            return _generate(path)
        except FileExistsError:  # another process generated it meanwhile
            pass
    try:
        text = path.read_text()
    except OSError as error:  # unreadable by this account, a directory...
        raise SigningKeyError(
            f"The audit signing key file {path} cannot be read: {error.strerror}."
        ) from None
    return _key_from_text(text)


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(origin: str, public: Ed25519PublicKey) -> bytes:
    return hashlib.sha256(origin.encode() + b"\n" + ED25519 + _raw_public(public)).digest()[:4]


def verifier_key(public: Ed25519PublicKey | None = None, origin: str | None = None) -> str:
    """The public key as a signed-note verifier key: ``<origin>+<key id hex>+<base64 key>``."""
    public = public or signing_key().public_key()
    origin = origin or settings.AUDIT_LOG_ORIGIN
    encoded = base64.b64encode(ED25519 + _raw_public(public)).decode()
    return f"{origin}+{key_id(origin, public).hex()}+{encoded}"


def public_key_from_verifier(text: str) -> tuple[str, Ed25519PublicKey]:
    """The origin and public key of a verifier key (see `verifier_key`)."""
    try:
        # The origin and the hex id hold no "+"; the base64 key may (a left split).
        origin, _id, encoded = text.strip().split("+", 2)
        raw = base64.b64decode(encoded, validate=True)
    except ValueError:
        raise CheckpointError(_("this is not a verifier key")) from None
    if len(raw) != 33 or raw[:1] != ED25519:
        raise CheckpointError(_("this is not an Ed25519 verifier key"))
    return origin, Ed25519PublicKey.from_public_bytes(raw[1:])


# ---------------------------------------------------------------------------
# Signing and reading
# ---------------------------------------------------------------------------


def sign(checkpoint: Checkpoint, key: Ed25519PrivateKey | None = None) -> str:
    """The checkpoint as a signed note (the text to publish)."""
    key = key or signing_key()
    body = checkpoint.body()
    signature = key.sign(body.encode())
    stamp = base64.b64encode(key_id(checkpoint.origin, key.public_key()) + signature).decode()
    return f"{body}\n{SIGNATURE_PREFIX}{checkpoint.origin} {stamp}\n"


def parse(text: str) -> tuple[Checkpoint, list[tuple[str, bytes]], str]:
    """The checkpoint, its signature lines (name, key id + signature) and the signed body."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").strip("\ufeff").split("\n")]
    # A checkpoint pasted from an e-mail or the minutes may have text around it: take the
    # four lines above the blank line before its first signature, and the signatures.
    first = next((i for i, line in enumerate(lines) if line.startswith(SIGNATURE_PREFIX)), None)
    if first is not None and first >= 5 and not lines[first - 1]:
        last = first
        while last < len(lines) and lines[last].startswith(SIGNATURE_PREFIX):
            last += 1
        lines = [*lines[first - 5 : first - 1], "", *lines[first:last]]
    body, sep, signatures = "\n".join(lines).strip().partition("\n\n")
    if not sep:
        raise CheckpointError(_("a checkpoint has its lines, a blank line, then its signature"))
    lines = body.split("\n")
    if len(lines) != 4:
        raise CheckpointError(_("a checkpoint has four lines: origin, size, root and time"))
    origin, size_text, root_text, time_text = (line.strip() for line in lines)
    try:
        size = int(size_text)
        root = base64.b64decode(root_text, validate=True)
        time = dt.datetime.fromisoformat(time_text)
    except ValueError:
        raise CheckpointError(
            _("the size, root or time of the checkpoint cannot be read")
        ) from None
    if size < 0 or len(root) != 32 or time.tzinfo is None:
        raise CheckpointError(_("the size, root or time of the checkpoint cannot be read"))
    signed = []
    for line in signatures.strip().split("\n"):
        if not line.startswith(SIGNATURE_PREFIX):
            raise CheckpointError(_("a signature line starts with an em dash and a space"))
        name, _space, stamp = line[len(SIGNATURE_PREFIX) :].rpartition(" ")
        try:
            signed.append((name, base64.b64decode(stamp, validate=True)))
        except ValueError:
            raise CheckpointError(_("a signature cannot be read")) from None
    checkpoint = Checkpoint(origin=origin, size=size, root=root, time=time)
    return checkpoint, signed, body + "\n"


def read_signed(text: str, public: Ed25519PublicKey | None = None) -> Checkpoint:
    """The checkpoint in `text` if the platform's key signed it; `CheckpointError` otherwise."""
    checkpoint, signatures, body = parse(text)
    public = public or signing_key().public_key()
    expected = key_id(checkpoint.origin, public)
    for _name, stamp in signatures:
        if stamp[:4] != expected or len(stamp) != 68:
            continue
        try:
            public.verify(stamp[4:], body.encode())
        except InvalidSignature:
            continue
        return checkpoint
    raise CheckpointError(
        _(
            "the checkpoint of %(size)s events (%(time)s) does not carry a valid signature of "
            "the platform's key: it was forged or altered"
        )
        % {"size": checkpoint.size, "time": checkpoint.time.isoformat()}
    )


# ---------------------------------------------------------------------------
# Issuing
# ---------------------------------------------------------------------------


def issue() -> tuple[str, Checkpoint]:
    """Verify the whole log, then sign a checkpoint of it as it is now.

    Refuses (`CheckpointError`) to sign a log whose chain is broken: a checkpoint vouches
    for every event before it. Returns the signed text and the checkpoint.
    """
    from django.utils import timezone

    from governance.audit import log as audit

    verification = audit.verify_chain()
    if not verification.ok:
        raise CheckpointError(
            _("no checkpoint is signed over a broken log: event %(sequence)s: %(problem)s")
            % {"sequence": verification.bad_sequence, "problem": verification.problem}
        )
    checkpoint = Checkpoint(
        origin=settings.AUDIT_LOG_ORIGIN,
        size=verification.count,
        root=verification.root,
        time=timezone.now().replace(microsecond=0),
    )
    return sign(checkpoint), checkpoint


def signed_current(at: dt.datetime | None = None) -> str:
    """A signed checkpoint of the log as stored now, without verifying it first.

    For documents drawn from the record (the minutes, the exports): they print the checkpoint
    they were drawn from, and `verify_audit --checkpoint` later proves the log extends it.
    Ed25519 signatures are deterministic: the same log and time give the same text.
    """
    from django.utils import timezone

    from governance.audit import log as audit

    size, root = audit.current_tree()
    checkpoint = Checkpoint(
        origin=settings.AUDIT_LOG_ORIGIN,
        size=size,
        root=root,
        time=(at or timezone.now()).replace(microsecond=0),
    )
    return sign(checkpoint)
