"""What the caller asks the annotator to do, and that request checked and normalised.

The public types (:class:`CellMark`, :class:`SummarySheet`, :class:`SummaryTable`,
``CellValue``) are what commands build; :func:`make_plan` turns them into a :class:`Plan`
keyed by row, which the sheet rewriter follows while it streams the worksheet.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from vaxclean_xl.xlsx.ooxml import MAX_CELL_TEXT, MAX_COL, MAX_ROW
from vaxclean_xl.xlsx.palette import FILL_RGB


@dataclass(frozen=True, slots=True)
class CellMark:
    """One cell to colour and annotate."""

    row: int  # Excel row number, 1-based
    col: int  # column index, 0-based (A=0)
    severity: str  # "error" (fill red FFC7CE) or "warning" (fill yellow FFEB9C)
    note: str  # text of the cell note (comment); several lines allowed


# A new cell value: text (always kept as text), a number, a date/datetime, or None (empty).
CellValue = str | int | float | _dt.date | None


@dataclass(frozen=True, slots=True)
class SummaryTable:
    """A small table of an added sheet: a title line ("" for none), a header row, data rows."""

    title: str
    headers: list[str]
    rows: list[list[str | int | float | None]]


@dataclass(frozen=True, slots=True)
class SummarySheet:
    """A sheet added after the user's sheets: title, tables, optionally one bar chart.

    With an empty ``title`` and a single table with an empty title, the header row is row 1:
    a plain table sheet (``freeze_filter`` then freezes it and puts an autofilter on it).
    """

    name: str  # e.g. "Tổng hợp"; made unique, or replacing the sheet an earlier run added
    title: str  # title line in A1 ("" for none: the first table starts in row 1)
    tables: list[SummaryTable]  # written one under the other, a blank row between
    chart_table: int = -1  # table to chart (1st column = categories, 2nd = values); <0: none
    chart_title: str = ""
    freeze_filter: bool = False  # freeze the rows down to the 1st table's header; autofilter



@dataclass(slots=True)
class Plan:
    """The caller's request normalised: per row, what to write and what to mark."""

    header_row: int
    headers: list[str]
    status: dict[int, list[str]]
    marks: dict[int, dict[int, tuple[str, str]]]  # row -> col -> (severity, note)
    widths: list[float]
    values: dict[int, dict[int, CellValue]]  # row -> col -> new cell value

    @property
    def max_mark_col(self) -> int:
        return max((max(cols) for cols in self.marks.values() if cols), default=-1)

    @property
    def max_value_col(self) -> int:
        return max((max(cols) for cols in self.values.values() if cols), default=-1)

    def notes(self) -> list[tuple[int, int, str]]:
        out = []
        for row in sorted(self.marks):
            for col, (_sev, note) in sorted(self.marks[row].items()):
                if note.strip():
                    out.append((row, col, note))
        return out


def make_plan(
    header_row: int,
    status_headers: list[str],
    status_rows: dict[int, list[str]],
    marks: Iterable[CellMark],
    cell_values: Mapping[tuple[int, int], CellValue] | None = None,
) -> Plan:
    if not 1 <= header_row <= MAX_ROW:
        raise ValueError(f"header_row out of range: {header_row}")
    headers = [str(h) for h in status_headers]
    status: dict[int, list[str]] = {}
    for row, values in status_rows.items():
        if not 1 <= row <= MAX_ROW:
            raise ValueError(f"status row out of range: {row}")
        if row == header_row:
            raise ValueError("status_rows must not contain header_row")
        if len(values) > len(headers):
            raise ValueError(f"row {row}: {len(values)} status values for {len(headers)} headers")
        status[row] = ["" if v is None else str(v) for v in values]
    merged: dict[int, dict[int, tuple[str, str]]] = {}
    for mark in marks:
        sev = str(mark.severity)
        if sev not in FILL_RGB:
            raise ValueError(f"severity must be 'error' or 'warning', not {mark.severity!r}")
        if not (1 <= mark.row <= MAX_ROW and 0 <= mark.col < MAX_COL):
            raise ValueError(f"mark outside the sheet: row {mark.row}, col {mark.col}")
        cols = merged.setdefault(mark.row, {})
        old = cols.get(mark.col)
        if old is None:
            cols[mark.col] = (sev, mark.note)
        else:  # several findings on one cell: error wins, notes are joined
            sev = "error" if "error" in (old[0], sev) else "warning"
            note = "\n".join(n for n in (old[1], mark.note) if n)
            cols[mark.col] = (sev, note)
    widths = []
    for i, head in enumerate(headers):
        texts = {values[i] for values in status.values() if i < len(values)}  # few distinct
        longest = max([len(head)] + [len(line) for t in texts for line in t.splitlines()])
        widths.append(float(min(40, max(18, longest + 2))))
    new_values: dict[int, dict[int, CellValue]] = {}
    for (row, col), value in (cell_values or {}).items():
        if not (1 <= row <= MAX_ROW and 0 <= col < MAX_COL):
            raise ValueError(f"value outside the sheet: row {row}, col {col}")
        if value is not None and not isinstance(value, str | int | float | _dt.date):
            raise TypeError(f"row {row}, col {col}: unsupported cell value {value!r}")
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"row {row}, col {col}: {value!r} cannot be stored in a cell")
        if isinstance(value, str):
            value = value[:MAX_CELL_TEXT]
        new_values.setdefault(row, {})[col] = value
    return Plan(header_row, headers, status, merged, widths, new_values)

