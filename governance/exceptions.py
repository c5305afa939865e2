"""Domain errors: a message a person can act on, turned into a form error or a 400 by views."""

from __future__ import annotations


class DomainError(Exception):
    """A write was refused; nothing was changed. `field` names the input at fault, if any."""

    def __init__(self, message: str, *, field: str | None = None, details: list | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details or []


class NotAllowed(DomainError):
    """The acting user lacks the role the action needs."""


class RuleViolation(DomainError):
    """A statute rule forbids the action (deadline passed, limit reached, ...)."""
