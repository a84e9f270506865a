"""The one way the package opens a new XlsxWriter workbook.

Every writer shares the same defaults: a text cell stays text (no number, formula or
URL guessed from it), so IDs keep their leading zeros and a value typed as '=...' is
never evaluated. A caller adds or overrides XlsxWriter options by keyword.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

DEFAULTS: dict[str, Any] = {
    "strings_to_numbers": False,
    "strings_to_formulas": False,
    "strings_to_urls": False,
}


def new_workbook(target: str | Path | IO[bytes], **options: Any) -> Any:
    """A new ``xlsxwriter.Workbook`` writing to ``target`` (a path or a binary buffer,
    then with ``in_memory=True``), with :data:`DEFAULTS` updated by ``options``."""
    import xlsxwriter  # imported late: the CLI starts without it

    if isinstance(target, Path):
        target = str(target)
    return xlsxwriter.Workbook(target, {**DEFAULTS, **options})
