"""The trustees' tool: make a key share and decrypt, from files, on the trustee's own machine.

    python -m elections.trustee init --index J --private ME.json --public TRANSPORT.json
    python -m elections.trustee keygen --private ME.json --ceremony CEREMONY.json --output DEALING.json
    python -m elections.trustee confirm --private ME.json --ceremony CEREMONY.json --output SHARE_KEY.json
    python -m elections.trustee decrypt --private ME.json --bundle BUNDLE.json --output SHARES.json

The ceremony file is what the platform publishes (every trustee's transport key, then every
dealing); the bundle is the ballot's public bundle after the close. Only the public files
(TRANSPORT, DEALING, SHARE_KEY, SHARES) go back to the platform; ME.json stays here. Before
decrypting, the tool verifies the key, the board and the totals or the mix, so a trustee
never decrypts a ciphertext that is not a total or a mixed paper. Imports no Django: it
needs only this package's `crypto` and PyNaCl.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from nacl.public import PrivateKey

from elections.crypto import bundle, parallel, threshold
from elections.crypto.group import Scalar


class TrusteeError(Exception):
    """What the trustee is told when a step cannot be done."""


def _read(path: str) -> dict:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise TrusteeError(f"cannot read {path}: {exc}") from exc
    except RecursionError:  # json's decoder recurses once a level
        raise TrusteeError(f"cannot read {path}: its JSON is nested too deeply") from None
    if not isinstance(data, dict):
        raise TrusteeError(f"cannot read {path}: not a JSON object")
    return data


def _write(path: str, data: dict, private: bool = False) -> None:
    target = Path(path)
    target.write_text(json.dumps(data, sort_keys=True, indent=1), encoding="utf-8")
    if private:
        target.chmod(0o600)


def init(index: int, private_path: str, public_path: str) -> None:
    key = PrivateKey.generate()
    _write(private_path, {"index": index, "transport": bytes(key).hex()}, private=True)
    _write(public_path, threshold.TransportKey(index, bytes(key.public_key)).to_json())


def keygen(private_path: str, ceremony_path: str, output: str) -> None:
    me, ceremony = _read(private_path), _read(ceremony_path)
    keys = [threshold.TransportKey.from_json(k) for k in ceremony["transport_keys"]]
    if len(keys) != ceremony["trustees"]:
        raise TrusteeError("not every trustee has published a transport key yet")
    dealing = threshold.deal(me["index"], ceremony["threshold"], keys, ceremony["context"])
    _write(output, dealing.to_json())


def confirm(private_path: str, ceremony_path: str, output: str) -> None:
    me, ceremony = _read(private_path), _read(ceremony_path)
    dealings = [threshold.Dealing.from_json(d) for d in ceremony["dealings"]]
    if len(dealings) != ceremony["trustees"]:
        raise TrusteeError("not every trustee has published a dealing yet")
    secret, share_key = threshold.receive_shares(
        me["index"],
        PrivateKey(bytes.fromhex(me["transport"])),
        dealings,
        ceremony["threshold"],
        ceremony["context"],
    )
    me["secret"] = secret.hex()
    _write(private_path, me, private=True)
    _write(output, share_key.to_json())


def decrypt(private_path: str, bundle_path: str, output: str) -> None:
    me, data = _read(private_path), _read(bundle_path)
    if "secret" not in me:
        raise TrusteeError("this trustee has not confirmed their key share yet")
    with parallel.Pool(parallel.available_cpus()) as pool:
        try:
            joint = bundle.joint_key_of(data)
            rows = bundle.check_board(data, joint, pool)
            ciphertexts = bundle.check_tally(data, joint, rows, pool)
        except (bundle.BundleError, threshold.ThresholdError) as exc:
            raise TrusteeError(f"the bundle does not verify, nothing decrypted: {exc}") from exc
        share = threshold.decryption_share(
            me["index"],
            Scalar.from_hex(me["secret"]),
            [c.alpha for c in ciphertexts],
            bundle.decryption_context(data["box"]["context"]),
            pool,
        )
    _write(output, share.to_json())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m elections.trustee", description=__doc__.split("\n")[0]
    )
    steps = parser.add_subparsers(dest="step", required=True)
    step = steps.add_parser("init", help="make this trustee's transport key")
    step.add_argument("--index", type=int, required=True)
    step.add_argument("--private", required=True)
    step.add_argument("--public", required=True)
    for name, source, help_text in (
        ("keygen", "--ceremony", "deal this trustee's shares to the others"),
        ("confirm", "--ceremony", "check the shares received and publish the share key"),
        ("decrypt", "--bundle", "verify the ballot and write this trustee's decryption shares"),
    ):
        step = steps.add_parser(name, help=help_text)
        step.add_argument("--private", required=True)
        step.add_argument(source, required=True)
        step.add_argument("--output", required=True)
    args = parser.parse_args(argv)
    try:
        if args.step == "init":
            init(args.index, args.private, args.public)
        elif args.step == "keygen":
            keygen(args.private, args.ceremony, args.output)
        elif args.step == "confirm":
            confirm(args.private, args.ceremony, args.output)
        else:
            decrypt(args.private, args.bundle, args.output)
    except (TrusteeError, threshold.ThresholdError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except (KeyError, TypeError, ValueError) as exc:  # a file of the wrong step, or edited
        print(f"error: a file is not what the {args.step} step expects ({exc!r})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
