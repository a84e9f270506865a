"""The live sheet as a list: one read of the used range, the file reader's header logic.

Why not a second header finder: the lists staff keep have title blocks, two-row headers,
numbering rows, "Tổng cộng" rows and signature blocks, and ``vaxclean_xl.io.reader``
already knows them. The reader only exposes file entry points, so this module feeds the
values read from Excel into the reader's own row-source pipeline (``_Source`` →
``_scan`` → ``_apply_mapping`` → ``_read_records``): the same header search and
end-of-list rules as ``vaxclean validate``, with the merge information treated as unknown
(as for .ods/.csv). ``tests/test_excel_buttons.py`` checks that a sheet read this way and
the same file read by ``read_table`` give the same table, so a change in the reader's
internals shows up there. (A public ``table_from_rows()`` in the reader would remove the
private imports; the reader is not ours to edit.)

Everything here is pure: no xlwings import, no Excel call except :func:`read_grid`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from vaxclean_xl.core.model import CATEGORY_LABEL_VI
from vaxclean_xl.core.presentation import DOSE_STATUS_HEADER, STATUS_HEADERS
from vaxclean_xl.errors import E, InputError
from vaxclean_xl.io.reader import Table, column_index, table_from_rows

_ADDRESS = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?$")


@dataclass(slots=True)
class Grid:
    """The used range of a sheet as read in one call: ``values[i][j]`` is the cell at Excel
    row ``top + i``, column ``left + j`` (both 1-based); empty cells are None."""

    top: int
    left: int
    values: list[list[Any]]

    @property
    def width(self) -> int:
        return max((len(r) for r in self.values), default=0)

    @property
    def bottom(self) -> int:
        return self.top + len(self.values) - 1

    @property
    def right(self) -> int:
        return self.left + self.width - 1

    def get(self, row: int, col: int) -> Any:
        """Value at Excel (row, column), 1-based; None outside the grid."""
        i, j = row - self.top, col - self.left
        if 0 <= i < len(self.values) and 0 <= j < len(self.values[i]):
            return self.values[i][j]
        return None


def parse_address(address: str) -> tuple[int, int, int, int]:
    """'$B$3:$K$10' -> (3, 2, 10, 11): top, left, bottom, right (1-based)."""
    m = _ADDRESS.match(address.strip().upper())
    if not m:
        raise ValueError(f"not a one-area A1 address: {address!r}")
    c1, r1 = column_index(m.group(1)) + 1, int(m.group(2))
    if m.group(3):
        c2, r2 = column_index(m.group(3)) + 1, int(m.group(4))
    else:
        c2, r2 = c1, r1
    return r1, c1, r2, c2


def read_grid(sheet: Any) -> Grid:
    """The sheet's used range in one value read (plus its address).

    Excel's used range is often inflated by formatting (a whole column coloured, rows
    deleted without saving): on Excel the last row and column holding a value are asked
    first (two ``Find`` calls), so a list of 10,000 rows is not read as 1,048,576.
    ``options(ndim=2)`` keeps a one-row or one-cell range two-dimensional. Values come as
    xlwings gives them: str, float, datetime, bool or None.
    """
    rng = sheet.used_range
    top, left, bottom, right = parse_address(rng.address)
    last = _last_value_cell(sheet)
    if last is not None:
        bottom, right = max(top, min(bottom, last[0])), max(left, min(right, last[1]))
        rng = sheet.range((top, left), (bottom, right))
    raw = rng.options(ndim=2).value
    values = [list(row) for row in raw] if raw else []
    return Grid(top, left, values)


def _last_value_cell(sheet: Any) -> tuple[int, int] | None:
    """(last row, last column) holding a value or formula; None where Excel's ``Find`` is
    not available (remote engine) or the sheet is empty."""
    try:
        if sheet.book.app.engine.name != "excel":
            return None
        cells = sheet.api.Cells
        # LookIn=xlFormulas (values and formulas, hidden cells too), LookAt=xlPart,
        # SearchOrder=xlByRows / xlByColumns, SearchDirection=xlPrevious
        by_row = cells.Find(What="*", LookIn=-4123, LookAt=2, SearchOrder=1,
                            SearchDirection=2)
        by_col = cells.Find(What="*", LookIn=-4123, LookAt=2, SearchOrder=2,
                            SearchDirection=2)
        if by_row is None or by_col is None:
            return None
        return int(by_row.Row), int(by_col.Column)
    except Exception:
        return None


@dataclass(slots=True)
class SheetList:
    """A list found on a live sheet: the reader's :class:`Table` plus where the tool's
    status columns are (or will go)."""

    table: Table
    grid: Grid
    status_col: int  # 1-based column of "Phân loại" (existing, or the first free column)
    status_found: bool  # an earlier run's status block is in the header row
    old_status_rows: list[int] = field(default_factory=list)  # rows an earlier run wrote
    # columns of that block: 3, or 4 with "Mũi tiêm" (a list with dose columns); 0: none
    status_width: int = 0

    @property
    def last_row(self) -> int:
        """Last Excel row the tool writes status for (the list's last record row)."""
        return self.table.last_data_row

    @property
    def doses(self) -> bool:
        """The list has dose columns: its status block has a fourth column "Mũi tiêm"."""
        return bool(self.table.dose_layout)

    def field_columns(self) -> dict[str, int]:
        """field -> 1-based Excel column of every mapped field."""
        return {f: c + 1 for f, c in self.table.columns.items()}

    def mark_columns(self) -> set[int]:
        """1-based Excel columns the tool may colour: the mapped fields and the doses."""
        from vaxclean_xl.formats.annotated_list import dose_columns

        return {c + 1 for c in (*self.table.columns.values(), *dose_columns(self.table))}


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def locate_list(grid: Grid, *, sheet_name: str, path: str | Path = "") -> SheetList:
    """Find the list's header and records in ``grid`` exactly as the file reader would.

    Raises :class:`InputError` (E105 empty sheet, E106 no header) with the reader's
    Vietnamese messages.
    """
    width = grid.width
    rows = [r + [None] * (width - len(r)) if len(r) < width else r for r in grid.values]
    if not rows or width == 0 or all(_blank(v) for r in rows for v in r):
        raise InputError("Trang tính đang mở không có dữ liệu.", code=E.EMPTY)
    table = table_from_rows(rows, top=grid.top, left=grid.left, max_col=grid.right - 1,
                            sheet=sheet_name, path=path)
    header_row = table.header_row
    status_col, width = _status_position(grid, table)
    found = width > 0
    old_rows: list[int] = []
    if found:
        # Rows an earlier run wrote: their "Phân loại" holds one of the group labels. (Not
        # "any text in those columns": a signature block below the list may reach there.)
        labels = set(CATEGORY_LABEL_VI.values())
        for row in range(header_row + 1, grid.bottom + 1):
            value = grid.get(row, status_col)
            if isinstance(value, str) and value.strip() in labels:
                old_rows.append(row)
    return SheetList(table, grid, status_col, found, old_rows, width)


def _status_position(grid: Grid, table: Table) -> tuple[int, int]:
    """(1-based column of "Phân loại", width of the block an earlier run left there: 3, 4
    with "Mũi tiêm", 0 for none).

    The block is found as ``vaxclean validate`` finds its own (``existing_status_col``:
    the trio side by side, never over a field or dose column, nothing of the list right of
    it), measured on the header and record rows only: titles above and signature blocks
    below may be wider. Without one, the block goes right of everything those rows use.
    """
    from vaxclean_xl.formats.annotated_list import dose_columns, existing_status_col
    from vaxclean_xl.formats.readback import header_key

    # First column right of everything the list uses (header, records).
    last = max(table.headers) + 1 if table.headers else grid.left
    rows = range(table.header_row, max(table.last_data_row, table.header_row) + 1)
    for row in rows:
        i = row - grid.top
        if 0 <= i < len(grid.values):
            values = grid.values[i]
            for j in range(len(values) - 1, -1, -1):
                if not _blank(values[j]):
                    last = max(last, grid.left + j)
                    break
    found = existing_status_col(replace(table, max_col=last - 1))
    if found is None:
        return last + 1, 0
    fourth = found + len(STATUS_HEADERS)
    used = set(table.columns.values()) | dose_columns(table)
    dose_status = (header_key(table.headers.get(fourth)) == header_key(DOSE_STATUS_HEADER)
                   and fourth not in used)
    return found + 1, len(STATUS_HEADERS) + dose_status
