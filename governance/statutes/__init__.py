"""The statutes: machine-readable rules, their words, eligibility, and the diff between versions."""
