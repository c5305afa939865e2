"""Writes to governance state: one transaction each, permission and statute checks, an audit event.

The public surface of governance's writes: callers use `governance.services.<name>`; the
modules below hold them by topic.
"""

from governance.services.common import SYSTEM  # noqa: F401
from governance.services.convening import convene_assembly  # noqa: F401
from governance.services.mandates import consecutive_terms, create_mandate, end_mandate  # noqa: F401
from governance.services.members import (  # noqa: F401
    EARLIEST_DUES_YEAR,
    check_dues,
    create_account,
    create_account_for_member,
    own_member,
    record_dues_payment,
    set_account_roles,
    set_member_language,
    set_own_language,
)
from governance.services.organisation import create_body, create_unit  # noqa: F401
from governance.services.register import next_reference, record_decision  # noqa: F401
from governance.services.statutes import ArticleSpec, RuleSpec, adopt_statute_version  # noqa: F401
from governance.services.translations import (  # noqa: F401
    TRANSLATION_MAX_LENGTH,
    translate_names,
    translating_body,
)
