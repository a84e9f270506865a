"""The colours the package paints with, defined once.

Why one place: the annotated workbook, the Excel buttons, the hamlet files, the police
list and the worklists must show the same red for an error, the same yellow for a warning
and the same blue header band, so staff learn one code of colours. XlsxWriter takes
'#RRGGBB'; styles.xml takes 'AARRGGBB' (:func:`argb`).
"""

from __future__ import annotations

ERROR_FILL = "#FFC7CE"  # light red: a cell with an error
ERROR_FONT = "#9C0006"
WARNING_FILL = "#FFEB9C"  # light yellow: a cell with a warning
OK_FILL = "#C6EFCE"  # light green: a value that passes, or was fixed
OK_FONT = "#006100"
EDIT_FILL = "#FFF2CC"  # pale yellow: a cell staff are expected to fill in
HEADER_FILL = "#DDEBF7"  # pale blue: header cells we add


def argb(colour: str) -> str:
    """'#FFC7CE' -> 'FFFFC7CE' (opaque, as styles.xml writes colours)."""
    return "FF" + colour.lstrip("#").upper()


MARK_FILLS = {"error": ERROR_FILL, "warning": WARNING_FILL}  # severity -> fill of a marked cell
FILL_RGB = {severity: argb(colour) for severity, colour in MARK_FILLS.items()}
HEADER_FILL_RGB = argb(HEADER_FILL)
