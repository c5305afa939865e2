"""The same ElGamal work in a published implementation: TNO's tno.mpc.encryption_schemes.elgamal.

Run by benchmarks/secret_ballot.py --compare PYTHON, with PYTHON an interpreter of its own
virtual environment (it is not one of the project's dependencies):

    python -m venv /tmp/tno && /tmp/tno/bin/pip install tno.mpc.encryption_schemes.elgamal \
        "tno.mpc.encryption_schemes.utils[gmpy]"

Additive (exponential) ElGamal in the RFC 3526 2048-bit MODP group (group 14, g = 2; a
fixed group, as generating a safe prime takes minutes), gmpy2 for the arithmetic. For N
ciphertexts: encrypt a small integer, re-randomise (what a mix does to each ciphertext),
decrypt. Prints one JSON line of CPU seconds.
"""

import json
import secrets
import sys
import time
import warnings

warnings.simplefilter("ignore")

from tno.mpc.encryption_schemes.elgamal import (  # noqa: E402
    ElGamalAdditive,
    ElGamalPublicKey,
    ElGamalSecretKey,
)

P = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA051015728E5A8AACAA68FFFFFFFFFFFFFFFF",
    16,
)
G = 2


def main() -> None:
    count = int(sys.argv[1])
    x = secrets.randbelow(P - 3) + 1
    scheme = ElGamalAdditive(ElGamalPublicKey(P, G, pow(G, x, P)), ElGamalSecretKey(P, G, x))
    messages = [n % 11 for n in range(count)]
    start = time.process_time()
    ciphertexts = [scheme.unsafe_encrypt(m) for m in messages]
    for ciphertext in ciphertexts:
        ciphertext.randomize()  # unsafe_encrypt leaves the randomness to this
    encrypt = time.process_time() - start
    start = time.process_time()
    for ciphertext in ciphertexts:
        ciphertext.randomize()
    rerandomise = time.process_time() - start
    start = time.process_time()
    plain = [scheme.decrypt(c) for c in ciphertexts]
    decrypt = time.process_time() - start
    assert plain == messages
    scheme.shut_down()
    print(json.dumps({"encrypt": encrypt, "rerandomise": rerandomise, "decrypt": decrypt}))


if __name__ == "__main__":
    main()
