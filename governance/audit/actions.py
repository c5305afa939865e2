"""What each audit action code means, in words, for the pages people read.

The code (`ballot.opened`) stays the record: the chain hashes it, the export, the API and
the log's filter use it. A page shows its label, in the reader's language, with the code
beside it. Governance holds the labels of its own codes; the apps above add theirs from
their ``AppConfig.ready()`` with `register_labels` (imports point down). An unknown code
is shown as itself: an event written by an older version stays readable.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from django.utils.translation import gettext_lazy as _

_LABELS: dict[str, object] = {
    "account.created": _("Account created"),
    "account.enrolment_link_issued": _("Enrolment link issued"),
    "account.roles_changed": _("Account roles changed"),
    "account.second_factor_added": _("Second factor added"),
    "account.second_factor_removed": _("Second factor removed"),
    "account.second_factor_reset": _("Second factor reset"),
    "assembly.convened": _("Assembly convened"),
    "assembly.session_opened": _("Assembly session opened"),
    "assembly.session_closed": _("Assembly session closed"),
    "assembly.cancelled": _("Assembly cancelled"),
    "assembly.checked_in": _("Attendee checked in"),
    "assembly.checked_out": _("Attendee checked out"),
    "assembly.proxy_registered": _("Assembly proxy registered"),
    "assembly.proxy_revoked": _("Assembly proxy revoked"),
    "body.created": _("Body created"),
    "decision.recorded": _("Decision recorded"),
    "dues.recorded": _("Dues recorded"),
    "mandate.created": _("Mandate created"),
    "mandate.ended": _("Mandate ended"),
    "member.account_created": _("Member's account created"),
    "member.imported": _("Member imported"),
    "member.updated": _("Member updated"),
    "member.language_changed": _("Member's language changed"),
    "minutes.approved": _("Minutes approved"),
    "names.translated": _("Names translated"),
    "statutes.version_adopted": _("Statutes version adopted"),
    "unit.created": _("Unit created"),
}


def register_labels(labels: Mapping[str, object]) -> None:
    """Add an app's labels (lazy translations), from its ``AppConfig.ready()``."""
    _LABELS.update(labels)


def label(code: str) -> str:
    """The label of `code` in the active language, or the code itself when it has none."""
    found = _LABELS.get(code)
    return str(found) if found is not None else code


def labels() -> Mapping[str, object]:
    """Every registered label, read-only (the tests check that each code has one)."""
    return MappingProxyType(_LABELS)
