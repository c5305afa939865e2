"""Signals the voting engine sends to the apps that put questions to it (motions)."""

from django.dispatch import Signal

#: Sent inside `count_ballot`'s transaction once the decision is recorded, with
#: ``ballot``, ``decision`` and ``actor``. A receiver's writes commit or roll back with
#: the count, so a motion's outcome can never disagree with the register.
ballot_counted = Signal()

#: Sent inside `cancel_ballot`'s transaction once the ballot is cancelled (its
#: ``cancel_reason`` set), with ``ballot`` and ``actor``. A receiver's writes commit or roll
#: back with the cancellation, so no motion is left in a vote that no longer exists.
ballot_cancelled = Signal()
