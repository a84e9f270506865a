"""What the tool writes on a live sheet, planned in pure Python before any Excel call.

Why planned separately: the Excel side must be a handful of bulk calls (one values block,
a few colour calls), so everything cell-by-cell happens here, on plain data, where it is
cheap and testable without Excel: the status block ("Phân loại", "Lỗi", "Gợi ý sửa"), the
colour of each bad cell, the notes, the certain fixes of "Áp dụng gợi ý sửa", and which
cells the tool marked in an earlier run (so a re-run or "Xóa đánh dấu" removes exactly
those).

Texts are the library's own (``status_cells``, ``cell_marks``): the sheet says what
``vaxclean validate`` would write into the annotated copy.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from vaxclean_xl.core.catalogue import RULES
from vaxclean_xl.core.model import FIELD_LABEL_VI, Record
from vaxclean_xl.core.normalize import cell_text
from vaxclean_xl.core.presentation import STATUS_HEADERS, status_cells
from vaxclean_xl.core.validate import Validation
from vaxclean_xl.excel.paint import COLOURS, Cell
from vaxclean_xl.excel.sheet import SheetList
from vaxclean_xl.formats.annotated_list import cell_marks

NOTES_LIMIT = 200
"""Above this many marked cells no notes are added: one note is one Excel call, and the
explanation is in the status columns anyway."""

# Findings that also blame another field's cell (``Finding.also``), per rule code. Needed
# only to find old marks from the status text where Excel cannot tell us the fills
# (remote engine, macOS); tests/test_excel_buttons.py checks it against the rules.

FIXED_PREFIX = "Đã sửa: "
_CODE = re.compile(r"\[([A-Z]{2,8}\d{3})\]")
_DIGITS = re.compile(r"\d+")
TEXT_FIELDS = frozenset({"id_number", "phone", "insurance_number"})
"""Fields whose new values must be written into Text-formatted cells (leading zeros)."""


@dataclass(slots=True)
class Fix:
    """One certain fix: the cell, its field, the old and new text, the rule that said so."""

    row: int
    col: int  # 1-based
    field: str
    code: str
    old: str
    new: str

    def note(self) -> str:
        return f"[{self.code}] {FIXED_PREFIX}«{self.old}» → «{self.new}»"

    def status_text(self) -> str:
        return f"{FIELD_LABEL_VI[self.field]} «{self.old}» → «{self.new}»"


@dataclass(slots=True)
class Plan:
    """Everything one "Kiểm tra" run writes."""

    status_top: int  # Excel row of the status header
    status_col: int  # 1-based column of "Phân loại"
    status_block: list[list[str]]  # header row first, then one row per sheet row
    fills: dict[Cell, str] = field(default_factory=dict)  # cell -> colour (new marks)
    notes: dict[Cell, str] = field(default_factory=dict)  # cell -> note text
    flagged: int = 0  # cells marked error/warning

    @property
    def header_rect(self) -> tuple[int, int, int, int]:
        return (self.status_top, self.status_col, self.status_top,
                self.status_col + len(STATUS_HEADERS) - 1)


def plan_marks(found: SheetList, result: Validation, fixes: Iterable[Fix] = (),
               notes_limit: int = NOTES_LIMIT) -> Plan:
    """Status block, fills and notes for ``result`` on the list ``found``."""
    table = found.table
    fixes = list(fixes)
    fixed_by_row: dict[int, list[Fix]] = {}
    for fx in fixes:
        fixed_by_row.setdefault(fx.row, []).append(fx)
    end = max([table.last_data_row, table.header_row, *found.old_status_rows])
    top = table.header_row
    block: list[list[str]] = [list(STATUS_HEADERS)]
    block += [["", "", ""] for _ in range(end - top)]
    for rec in result.records:
        cells = status_cells(rec)  # may be a list shared by every OK record: copy to edit
        done = fixed_by_row.get(rec.row)
        if done:
            applied = FIXED_PREFIX + "; ".join(fx.status_text() for fx in done)
            cells = [cells[0], cells[1], applied + (f"; {cells[2]}" if cells[2] else "")]
        block[rec.row - top] = cells
    plan = Plan(top, found.status_col, block)
    notes: dict[Cell, list[str]] = {}
    for mark in cell_marks(table, result):
        cell = (mark.row, mark.col + 1)
        plan.fills[cell] = COLOURS[mark.severity]
        notes.setdefault(cell, []).append(mark.note)
    plan.flagged = len(plan.fills)
    for fx in fixes:
        cell = (fx.row, fx.col)
        plan.fills.setdefault(cell, COLOURS["fixed"])
        notes.setdefault(cell, []).insert(0, fx.note())
    if len(notes) <= notes_limit:
        plan.notes = {cell: "\n".join(lines) for cell, lines in notes.items()}
    return plan


def field_block(found: SheetList) -> tuple[int, int, int, int] | None:
    """(top, left, bottom, right) of the data rows × mapped field columns."""
    cols = list(found.field_columns().values())
    table = found.table
    bottom = max([table.last_data_row, *found.old_status_rows])
    if not cols or bottom <= table.header_row:
        return None
    return table.header_row + 1, min(cols), bottom, max(cols)


def old_marks_from_status(found: SheetList) -> set[Cell]:
    """Cells an earlier run coloured, derived from its status columns ("Lỗi" codes and
    "Đã sửa" entries): used where Excel cannot report fills (remote engine, macOS)."""
    if not found.status_found:
        return set()
    columns = found.field_columns()
    labels = {label: f for f, label in FIELD_LABEL_VI.items()}
    grid = found.grid
    cells: set[Cell] = set()
    for row in found.old_status_rows:
        errors = grid.get(row, found.status_col + 1)
        for code in _CODE.findall(errors if isinstance(errors, str) else ""):
            rule = RULES.get(code)
            if rule is None:
                continue
            for fld in (rule.field, *rule.also):
                if fld in columns:
                    cells.add((row, columns[fld]))
        fixes = grid.get(row, found.status_col + 2)
        if isinstance(fixes, str) and fixes.startswith(FIXED_PREFIX):
            for part in fixes[len(FIXED_PREFIX):].split("; "):
                for label, fld in labels.items():
                    if part.startswith(label + " «") and fld in columns:
                        cells.add((row, columns[fld]))
    return cells


def certain_fixes(found: SheetList, result: Validation, rows: set[int] | None) -> list[Fix]:
    """The fixes the rules are sure of, for records in ``rows`` (None = every record).

    A field is changed only when every suggestion for it agrees (two rules proposing two
    different values is not certain) and the new text differs from what the cell shows.
    """
    columns = found.field_columns()
    fixes: list[Fix] = []
    for rec in result.records:
        if rows is not None and rec.row not in rows:
            continue
        fixes.extend(_record_fixes(rec, columns))
    return fixes


def _record_fixes(rec: Record, columns: dict[str, int]) -> list[Fix]:
    proposals: dict[str, list[tuple[str, str]]] = {}
    for f in rec.findings:
        if f.suggestion and f.field in columns:
            proposals.setdefault(f.field, []).append((f.code, f.suggestion))
    out: list[Fix] = []
    for fld, items in proposals.items():
        values = {v for _, v in items}
        if len(values) != 1:
            continue
        new = values.pop()
        old = cell_text(rec.cells.get(fld))
        if new == old:
            continue
        out.append(Fix(rec.row, columns[fld], fld, items[0][0], old, new))
    return out


def needs_text_format(fx: Fix) -> bool:
    """A digit string (ID, phone) must go into a Text cell or Excel drops its zeros."""
    return fx.field in TEXT_FIELDS or bool(_DIGITS.fullmatch(fx.new))


def selected_rows(address: str | None) -> set[int] | None:
    """Rows of a selection address ("$A$3:$F$5,$A$9:$F$9", "$3:$5", "$B:$B").

    None means "every row" (whole columns selected); an empty set means nothing usable.
    """
    if not address:
        return set()
    rows: set[int] = set()
    for area in address.replace("$", "").split(","):
        area = area.strip()
        if "!" in area:
            area = area.rsplit("!", 1)[1]
        parts = area.split(":")
        if all(re.fullmatch(r"[A-Za-z]{1,3}", p) for p in parts):
            return None
        nums = [int(m.group()) for p in parts if (m := re.search(r"\d+", p))]
        if not nums:
            continue
        rows.update(range(min(nums), max(nums) + 1))
    return rows
