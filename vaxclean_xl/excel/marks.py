"""What the tool writes on a live sheet, planned in pure Python before any Excel call.

Why planned separately: the Excel side must be a handful of bulk calls (one values block,
a few colour calls), so everything cell-by-cell happens here, on plain data, where it is
cheap and testable without Excel: the status block ("Phân loại", "Lỗi", "Gợi ý sửa", and
"Mũi tiêm" on a list with dose columns), the colour of each bad cell (dose cells too),
the notes, the certain fixes of "Áp dụng gợi ý sửa", and which cells the tool marked in an
earlier run (so a re-run or "Xóa đánh dấu" removes exactly those).

Texts are the library's own (``status_cells``, ``cell_marks``): the sheet says what
``vaxclean validate`` would write into the annotated copy.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from vaxclean_xl.core.catalogue import RULES
from vaxclean_xl.core.model import (
    DOSE_PART_LABEL_VI,
    DOSE_PARTS,
    FIELD_LABEL_VI,
    Record,
    field_label_vi,
    is_dose_field,
    parse_dose_field,
)
from vaxclean_xl.core.normalize import cell_text
from vaxclean_xl.core.presentation import DOSE_STATUS_HEADER, STATUS_HEADERS, dose_of, status_cells
from vaxclean_xl.core.validate import Validation
from vaxclean_xl.excel.paint import COLOURS, Cell
from vaxclean_xl.excel.sheet import SheetList
from vaxclean_xl.formats.annotated_list import cell_marks

NOTES_LIMIT = 200
"""Above this many marked cells no notes are added: one note is one Excel call, and the
explanation is in the status columns anyway."""

FIXED_PREFIX = "Đã sửa: "
# "[CODE]" and, for a dose finding (every DOSE message starts "Mũi {n}"), its dose number
_FINDING = re.compile(r"\[([A-Z]{2,8}\d{3})\](?: Mũi (\d+)\b)?")
_DOSE_FIXED = re.compile(r"^Mũi (\d+) - (.+?) «")
_DOSE_PART_OF_LABEL = {label: part for part, label in DOSE_PART_LABEL_VI.items()}
_DIGITS = re.compile(r"\d+")
TEXT_FIELDS = frozenset({"id_number", "phone", "insurance_number"})
"""Fields whose new values must be written into Text-formatted cells (leading zeros)."""
DOSE_FIXES = frozenset({"DOSE104"})
"""Dose findings "Áp dụng gợi ý sửa" applies: a vaccine spelled by one of the catalogue's
aliases, written in the platform's spelling. The guess DOSE012 shows for a name that
matches nothing is for staff to confirm from the vaccination card, never applied."""


@dataclass(slots=True)
class Fix:
    """One certain fix: the cell, its field, the old and new text, the rule that said so."""

    row: int
    col: int  # 1-based
    field: str
    code: str
    old: str
    new: str
    record: int = 0  # the record's row when the cell is on another row of the person

    @property
    def record_row(self) -> int:
        """The row whose status cells report the fix (the person's first row)."""
        return self.record or self.row

    def note(self) -> str:
        return f"[{self.code}] {FIXED_PREFIX}«{self.old}» → «{self.new}»"

    def status_text(self) -> str:
        return f"{field_label_vi(self.field)} «{self.old}» → «{self.new}»"


@dataclass(slots=True)
class Plan:
    """Everything one "Kiểm tra" run writes."""

    status_top: int  # Excel row of the status header
    status_col: int  # 1-based column of "Phân loại"
    status_block: list[list[str]]  # header row first, then one row per sheet row
    fills: dict[Cell, str] = field(default_factory=dict)  # cell -> colour (new marks)
    notes: dict[Cell, str] = field(default_factory=dict)  # cell -> note text
    flagged: int = 0  # cells marked error/warning
    headers: int = len(STATUS_HEADERS)  # status columns with a header (3, or 4 with doses)

    @property
    def header_rect(self) -> tuple[int, int, int, int]:
        return (self.status_top, self.status_col, self.status_top,
                self.status_col + self.headers - 1)

    @property
    def width(self) -> int:
        """Columns written: the headers, and an old "Mũi tiêm" column blanked if the list
        no longer has doses."""
        return len(self.status_block[0])


def status_headers(found: SheetList) -> list[str]:
    """The status block's headers: "Mũi tiêm" too on a list with dose columns (as the
    annotated copy of ``vaxclean validate``)."""
    return [*STATUS_HEADERS, DOSE_STATUS_HEADER] if found.doses else list(STATUS_HEADERS)


def plan_marks(found: SheetList, result: Validation, fixes: Iterable[Fix] = (),
               notes_limit: int = NOTES_LIMIT) -> Plan:
    """Status block, fills and notes for ``result`` on the list ``found``."""
    table = found.table
    fixes = list(fixes)
    fixed_by_row: dict[int, list[Fix]] = {}
    for fx in fixes:
        fixed_by_row.setdefault(fx.record_row, []).append(fx)
    end = max([table.last_data_row, table.header_row, *found.old_status_rows])
    top = table.header_row
    headers = status_headers(found)
    width = max(len(headers), found.status_width)
    pad = [""] * (width - len(headers))
    block: list[list[str]] = [headers + pad]
    block += [[""] * width for _ in range(end - top)]
    for rec in result.records:
        cells = status_cells(rec, found.doses)  # may be shared by every OK record
        done = fixed_by_row.get(rec.row)
        if done:
            cells = _with_fixes(cells, done)
        block[rec.row - top] = cells + pad if pad else cells
    plan = Plan(top, found.status_col, block, headers=len(headers))
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


def _with_fixes(cells: list[str], done: list[Fix]) -> list[str]:
    """The status cells with "Đã sửa: old → new" first in the column of the fixed field's
    kind: identity fields in "Gợi ý sửa", doses in "Mũi tiêm". One entry per field, however
    many rows of the person it was fixed on."""
    cells = list(cells)
    for index in (2, 3):
        texts = dict.fromkeys(fx.status_text() for fx in done
                              if (index == 3) == is_dose_field(fx.field))
        if texts:
            rest = cells[index]
            cells[index] = FIXED_PREFIX + "; ".join(texts) + (f"; {rest}" if rest else "")
    return cells


def field_block(found: SheetList) -> tuple[int, int, int, int] | None:
    """(top, left, bottom, right) of the data rows × the columns the tool colours."""
    cols = found.mark_columns()
    table = found.table
    bottom = max([table.last_data_row, *found.old_status_rows])
    if not cols or bottom <= table.header_row:
        return None
    return table.header_row + 1, min(cols), bottom, max(cols)


def old_marks_from_status(found: SheetList, records: Iterable[Record] = ()) -> set[Cell]:
    """Cells an earlier run coloured, derived from its status columns: used where Excel
    cannot report fills (remote engine, macOS).

    The codes in "Lỗi" and "Mũi tiêm" give the rules, the rules the fields they blame
    (``RULES``); "Đã sửa" entries give the fixed fields. An identity field is coloured on
    every row of the person (one-row-per-dose lists). A dose finding names its dose ("Mũi
    2: …") and its rule the part (``dose_date``): the cell is that dose's, found in
    ``records`` (the list validated now, whose doses sit where the earlier run found them);
    without ``records`` dose cells are not derived.
    """
    if not found.status_found:
        return set()
    columns = found.field_columns()
    persons = found.table.person_rows
    by_row = {rec.row: rec for rec in records}
    grid = found.grid
    col = found.status_col
    cells: set[Cell] = set()
    for row in found.old_status_rows:
        texts = [grid.get(row, col + k) for k in range(1, max(found.status_width, 3))]
        identity, doses = _blamed(texts)
        rows = [r for r, _ in persons[row]] if row in persons else [row]
        cells.update((r, columns[f]) for f in identity if f in columns for r in rows)
        rec = by_row.get(row)
        if rec is None:
            continue
        for number, part in doses:
            cells.update((d.row_of(rec), d.cols[part] + 1) for d in rec.doses
                         if d.number == number and part in d.cols)
    return cells


def _blamed(texts: list[object]) -> tuple[set[str], set[tuple[int, str]]]:
    """(identity fields, (dose number, part)) an earlier run's status texts name."""
    labels = {label: f for f, label in FIELD_LABEL_VI.items()}
    identity: set[str] = set()
    doses: set[tuple[int, str]] = set()
    for text in texts:
        if not isinstance(text, str):
            continue
        for code, number in _FINDING.findall(text):
            rule = RULES.get(code)
            if rule is None:
                continue
            for fld in (rule.field, *rule.also):
                part = fld.partition("_")[2] if is_dose_field(fld) else ""
                if part in DOSE_PARTS:
                    if number:
                        doses.add((int(number), part))
                elif not is_dose_field(fld):
                    identity.add(fld)
        if not text.startswith(FIXED_PREFIX):
            continue
        for entry in text[len(FIXED_PREFIX):].split("; "):
            for label, fld in labels.items():
                if entry.startswith(label + " «"):
                    identity.add(fld)
            m = _DOSE_FIXED.match(entry)
            if m and m.group(2) in _DOSE_PART_OF_LABEL:
                doses.add((int(m.group(1)), _DOSE_PART_OF_LABEL[m.group(2)]))
    return identity, doses


def certain_fixes(found: SheetList, result: Validation, rows: set[int] | None) -> list[Fix]:
    """The fixes the rules are sure of, for records with a row in ``rows`` (None = every
    record).

    A cell is changed only when every suggestion for it agrees (two rules proposing two
    different values is not certain) and the new text differs from what the cell shows.
    Dose cells only for :data:`DOSE_FIXES`. In a one-row-per-dose list an identity fix is
    made on each row of the person that shows the same old text, so the rows stay one
    person.
    """
    columns = found.field_columns()
    persons = found.table.person_rows
    fixes: list[Fix] = []
    for rec in result.records:
        if rows is not None and rows.isdisjoint(rec.rows or (rec.row,)):
            continue
        fixes.extend(_record_fixes(rec, columns, persons.get(rec.row, ())))
    return fixes


def _record_fixes(rec: Record, columns: dict[str, int],
                  person: Iterable[tuple[int, list]]) -> list[Fix]:
    proposals: dict[tuple[str, int], list[tuple[str, str]]] = {}
    for f in rec.findings:
        if not f.suggestion:
            continue
        dose = is_dose_field(f.field)
        if (f.code in DOSE_FIXES) if dose else (f.field in columns):
            key = (f.field, f.row if dose else rec.row)
            proposals.setdefault(key, []).append((f.code, f.suggestion))
    out: list[Fix] = []
    for (fld, row), items in proposals.items():
        values = {v for _, v in items}
        if len(values) != 1:
            continue
        new, code = values.pop(), items[0][0]
        parsed = parse_dose_field(fld)
        if parsed is not None:
            dose = dose_of(rec, row, parsed[0])
            if dose is None or parsed[1] not in dose.cols:
                continue
            old = cell_text(dose.cells.get(parsed[1]))
            if new != old:
                out.append(Fix(dose.row_of(rec), dose.cols[parsed[1]] + 1, fld, code, old,
                               new, rec.row))
            continue
        old = cell_text(rec.cells.get(fld))
        if new == old:
            continue
        col = columns[fld]
        out.append(Fix(rec.row, col, fld, code, old, new))
        for other, values_ in person:
            if other != rec.row and col - 1 < len(values_) and (
                    cell_text(values_[col - 1]) == old):
                out.append(Fix(other, col, fld, code, old, new, rec.row))
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
