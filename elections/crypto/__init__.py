"""Cryptography for secret ballots: libsodium's Ed25519 group, exponential ElGamal, proofs, mix.

Pure Python over libsodium (PyNaCl's bindings), no Django: ``group`` (points, scalars,
Fiat-Shamir), ``elgamal``, ``proofs`` (Schnorr, disjunctive, Chaum-Pedersen), ``threshold``
(Pedersen DKG, decryption shares), ``shuffle`` (Terelius-Wikström proof of a shuffle) and
``papers`` (the shapes of encrypted papers). Each module cites the specification it follows.
"""
