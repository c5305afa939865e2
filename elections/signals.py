"""Signals the voting engine sends to the apps that put questions to it (motions)."""

from django.dispatch import Signal

#: Sent inside `count_ballot`'s transaction once the decision is recorded, with
#: ``ballot``, ``decision`` and ``actor``. A receiver's writes commit or roll back with
#: the count, so a motion's outcome can never disagree with the register.
ballot_counted = Signal()
