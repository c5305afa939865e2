"""Accounts and their security: login adapters and backends, throttling, rate limits, second-factor enrolment."""
