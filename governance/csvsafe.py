"""CSV cells a spreadsheet cannot run: formula injection neutralised as OWASP recommends.

A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab, a carriage return or a line feed is
read by Excel, LibreOffice and Google Sheets as a formula (``=HYPERLINK(...)``, ``@SUM(...)``,
DDE). Such a cell is written with a leading apostrophe, which spreadsheets take as "text". So
that a file written here reads back to exactly the values written (the register's export is
verified against its digest), a cell that already begins with apostrophes before such a
character gets one more, and `restore` removes exactly one.
"""

from __future__ import annotations

import csv
import re
from typing import Any

#: What makes a spreadsheet read a cell as a formula (OWASP "CSV Injection"), with the
#: full-width forms some spreadsheets also accept.
FORMULA_TRIGGERS = "=+-@\t\r\n\uff1d\uff0b\uff0d\uff20"
_NEEDS_QUOTE = re.compile(f"'*[{re.escape(FORMULA_TRIGGERS)}]")
_QUOTED = re.compile(f"'+[{re.escape(FORMULA_TRIGGERS)}]")


def neutralise(value: Any) -> Any:
    """The cell as written: text that a spreadsheet would run gets a leading apostrophe."""
    if isinstance(value, str) and _NEEDS_QUOTE.match(value):
        return "'" + value
    return value


def restore(cell: str) -> str:
    """The value `neutralise` was given, from the cell it wrote."""
    return cell[1:] if _QUOTED.match(cell) else cell


def writer(out, **kwargs):
    """A `csv.writer` quoting every cell (OWASP's advice); give it `neutralise`d values."""
    return csv.writer(out, quoting=csv.QUOTE_ALL, **kwargs)
