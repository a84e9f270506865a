"""The annotated list: the user's own workbook with the status columns, the marked cells and
the "Tổng hợp" sheet (``validate``'s output; ``merge`` writes MERGED the same way).

The texts come from ``core.presentation``; this module lays them out as the annotator's
types (``CellMark``, ``SummarySheet``) and finds the status block an earlier run left, so
that a run on the tool's own output rewrites it in place.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from vaxclean_xl.core.presentation import (
    DOSE_STATUS_HEADER,
    STATUS_HEADERS,
    SUMMARY_CHART_TITLE,
    mark_notes,
    status_cells,
    summary_tables,
    summary_title,
)
from vaxclean_xl.core.validate import Validation
from vaxclean_xl.io.reader import Table

SUMMARY_SHEET = "Tổng hợp"
NOTE_STATUS_HEADER = "Ghi chú của thôn"  # merge's last status column (after "Mũi tiêm")


def cell_marks(table: Table, result: Validation) -> Iterator[Any]:
    """One ``CellMark`` per bad cell (the field's cell and the cells that share the blame)."""
    from vaxclean_xl.xlsx.annotate import CellMark

    for row, col, level, note in mark_notes(table.columns, result):
        yield CellMark(row, col, level, note)


def summary_sheet(result: Validation, doses: bool = False) -> Any:
    """The 'Tổng hợp' sheet: counts per group, per rule and per hamlet, with a chart; with
    ``doses`` (a list with dose columns) the doses' counts under their own heading."""
    from vaxclean_xl.xlsx.annotate import SummarySheet, SummaryTable

    return SummarySheet(
        name=SUMMARY_SHEET,
        title=summary_title(result),
        tables=[SummaryTable(t.title, t.headers, t.rows)
                for t in summary_tables(result, doses)],
        chart_table=0,
        chart_title=SUMMARY_CHART_TITLE,
    )


def existing_status_col(table: Table, extra: str | None = None) -> int | None:
    """0-based column of the status block ("Phân loại", "Lỗi", "Gợi ý sửa", then "Mũi tiêm"
    and/or ``extra`` if there) an earlier validate/merge appended, so that a run on its own
    output rewrites it in place instead of appending a second one; None when there is none
    (or the block has the list's data or the user's own columns right of it)."""
    from vaxclean_xl.formats.readback import header_key

    wanted = [header_key(h) for h in STATUS_HEADERS]
    trailing = [header_key(h) for h in (DOSE_STATUS_HEADER, extra) if h is not None]
    keys = {c: header_key(h) for c, h in table.headers.items()}
    used = set(table.columns.values()) | dose_columns(table)
    width = len(wanted)
    for c in sorted(keys):
        if [keys.get(c + k) for k in range(width)] != wanted or used & set(range(c, c + width)):
            continue
        end = c + width  # the known columns after the three, in the order written
        for key in trailing:
            if keys.get(end) == key and end not in used:
                end += 1
        if end > table.max_col or end > c + width:
            return c
    return None


def dose_columns(table: Table) -> set[int]:
    """The columns of the list's doses (never part of a status block)."""
    layout = table.dose_layout
    if not layout:
        return set()
    cols = {c for parts in layout.wide.values() for c in parts.values()}
    return cols | set(layout.long.values())


def write_annotated_list(table: Table, out: Path, **kwargs: Any) -> None:
    """The user's own workbook (every sheet, format, dropdown and width kept; an .xlsx copy
    of an .xls/.ods/.csv) with the annotator's ``kwargs``: marks, status, sheets."""
    from vaxclean_xl.io.plain_copy import annotate_table_workbook

    annotate_table_workbook(table, out, **kwargs)


def write_annotated(table: Table, result: Validation, out: Path) -> None:
    """``validate``'s output: marks, status and summary for ``result`` (in the status block
    of an earlier run when the input is an output of vaxclean)."""
    doses = bool(table.dose_layout)
    status_rows = {rec.row: status_cells(rec, doses) for rec in result.records}
    headers = [*STATUS_HEADERS, DOSE_STATUS_HEADER] if doses else STATUS_HEADERS
    write_annotated_list(table, out, header_row=table.header_row,
                         status_headers=headers, status_rows=status_rows,
                         marks=cell_marks(table, result), summary=summary_sheet(result, doses),
                         first_status_col=existing_status_col(table, NOTE_STATUS_HEADER))
