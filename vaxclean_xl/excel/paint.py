"""Colour cells and manage notes on a live sheet with as few Excel calls as possible.

Why this matters: every call from Python into Excel is a cross-process round trip, and a
list of 10,000 people easily has thousands of bad cells; one call per cell takes minutes
(the problem users of xlwings, excelize and friends report). The target is a fixed
handful of calls whatever the number of cells. What is cheap differs per engine:

* remote engine (Office.js, xlwings' JSON protocol; what the tests drive):
  ``Range.set_colors`` sends a whole matrix (up to 10,000 cells, ``...`` = keep) as one
  action; single rectangles as ``setRangeColor`` when that needs fewer actions. Multi-area
  addresses must NOT be used there: the remote engine reads ``"A1,B3"`` as ``A1`` alone
  and silently colours the wrong cells (checked in the tests).
* Excel over COM, general path: cells grouped into rectangles, rectangles joined into
  multi-area addresses (``"B3:B9,D4,F7:G7"``) of at most 255 characters (Excel's limit
  for ``Range("...")``): one call per ~35 scattered cells.
* Excel on Windows, fast path for many cells: write a marker block (one value per cell,
  its *type* standing for the colour) into free columns right of the list in ONE call,
  let Excel find each type with ``SpecialCells`` (one call per colour, any number of
  areas), ``Offset`` the found multi-area range onto the list and colour it in one
  assignment, then clear the markers. ~20 calls for any number of cells. Any failure
  falls back to the general path, which is slower but always right.

Reading what is there (Windows only): ``Range.Value(xlRangeValueXMLSpreadsheet)`` returns
the block as SpreadsheetML 2003 with every cell's fill and note in ONE call, so
"Xóa đánh dấu" removes exactly the tool's colours and notes. Where this is impossible
(remote engine, macOS) the tool's marks are derived from its own status columns.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree as ET

from vaxclean_xl.excel.ui import engine_name, is_windows_com

COLOURS: dict[str, str] = {
    "error": "#FFC7CE",  # the same light red as the annotated workbook of `vaxclean validate`
    "warning": "#FFEB9C",  # the same light yellow
    "fixed": "#C6EFCE",  # light green: a value "Áp dụng gợi ý sửa" changed
}
HEADER_COLOUR = "#DDEBF7"  # status column headers, as in the annotated workbook
TOOL_COLOURS: frozenset[str] = frozenset({*COLOURS.values(), HEADER_COLOUR})

ADDRESS_LIMIT = 255  # characters Excel accepts in Range("...")
MATRIX_LIMIT = 10_000  # cells per Range.set_colors call (xlwings' limit)
FAST_MIN_CELLS = 400  # below this the general COM path needs <= ~12 calls anyway
MAX_COLUMNS = 16_384

Cell = tuple[int, int]  # (row, column), 1-based Excel coordinates
Rect = tuple[int, int, int, int]  # (top, left, bottom, right)

_XL_NONE = -4142
_XL_CONSTANTS = 2
_XL_FORMULAS = -4123
# Marker value and the SpecialCells(type, value) that finds it, one per colour.
_MARKERS: tuple[tuple[Any, int, int | None], ...] = (
    (1, _XL_CONSTANTS, 1),  # xlNumbers
    ("x", _XL_CONSTANTS, 2),  # xlTextValues
    (True, _XL_CONSTANTS, 4),  # xlLogical
    ("=0", _XL_FORMULAS, None),  # a formula
)
_CODE_NOTE = re.compile(r"^\s*\[[A-Z]{2,8}\d{3}\]")


def is_tool_note(text: str) -> bool:
    """Notes the tool writes start with "[" + a rule code ("[ID005] ...")."""
    return bool(_CODE_NOTE.match(text))


def normalise_colour(colour: str) -> str:
    """'#ffc7ce' / 'FFC7CE' -> '#FFC7CE'."""
    text = colour.strip().upper()
    return text if text.startswith("#") else "#" + text


def bgr(colour: str) -> int:
    """Excel's COM colour integer (0xBBGGRR) for '#RRGGBB'."""
    text = normalise_colour(colour)
    r, g, b = int(text[1:3], 16), int(text[3:5], 16), int(text[5:7], 16)
    return r + (g << 8) + (b << 16)


def col_letters(col: int) -> str:
    """1 -> 'A', 27 -> 'AA'."""
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def rectangles(cells: Iterable[Cell]) -> list[Rect]:
    """Cover ``cells`` exactly with few rectangles: vertical runs per column, then runs
    with the same rows in adjacent columns joined side by side."""
    by_col: dict[int, list[int]] = {}
    for row, col in cells:
        by_col.setdefault(col, []).append(row)
    runs: dict[tuple[int, int], list[int]] = {}  # (top, bottom) -> columns
    for col, rows in by_col.items():
        rows = sorted(set(rows))
        start = prev = rows[0]
        for r in rows[1:]:
            if r != prev + 1:
                runs.setdefault((start, prev), []).append(col)
                start = r
            prev = r
        runs.setdefault((start, prev), []).append(col)
    rects: list[Rect] = []
    for (top, bottom), cols in runs.items():
        cols.sort()
        left = prev_c = cols[0]
        for c in cols[1:]:
            if c != prev_c + 1:
                rects.append((top, left, bottom, prev_c))
                left = c
            prev_c = c
        rects.append((top, left, bottom, prev_c))
    rects.sort()
    return rects


def a1(rect: Rect) -> str:
    """(3, 2, 9, 2) -> 'B3:B9'; a single cell -> 'B3'."""
    top, left, bottom, right = rect
    first = f"{col_letters(left)}{top}"
    return first if (top, left) == (bottom, right) else f"{first}:{col_letters(right)}{bottom}"


def address_chunks(rects: Iterable[Rect], limit: int = ADDRESS_LIMIT) -> list[str]:
    """Multi-area addresses ("B3:B9,D4") of at most ``limit`` characters each."""
    chunks: list[str] = []
    current = ""
    for rect in rects:
        part = a1(rect)
        if current and len(current) + 1 + len(part) > limit:
            chunks.append(current)
            current = part
        else:
            current = f"{current},{part}" if current else part
    if current:
        chunks.append(current)
    return chunks


def by_colour(changes: Mapping[Cell, str | None]) -> dict[str | None, list[Cell]]:
    groups: dict[str | None, list[Cell]] = {}
    for cell, colour in changes.items():
        groups.setdefault(normalise_colour(colour) if colour else None, []).append(cell)
    return groups


@dataclass(slots=True)
class PaintReport:
    """What a paint did: the strategy and how many Excel calls it issued."""

    strategy: str = "none"
    calls: int = 0
    cells: int = 0
    fallback: str = ""  # why the fast path was left, if it was


def apply_fills(book: Any, sheet: Any, changes: Mapping[Cell, str | None], *,
                scratch_col: int) -> PaintReport:
    """Set each cell's fill to its colour ('#RRGGBB') or remove it (None).

    ``scratch_col`` is the first column of free space right of everything the list uses
    (the Windows fast path writes its markers there and clears them).
    """
    report = PaintReport(cells=len(changes))
    if not changes:
        return report
    engine = engine_name(book)
    if engine == "remote":
        return _paint_remote(sheet, changes, report)
    if engine == "excel":
        if is_windows_com(book) and len(changes) >= FAST_MIN_CELLS:
            try:
                return _paint_markers(sheet, changes, scratch_col, report)
            except Exception as exc:  # fall back to the general path, log without data
                report.fallback = type(exc).__name__
                report.calls = 0
        return _paint_areas(sheet, changes, report)
    return _paint_rects(sheet, changes, report)


def _set_fill(rng: Any, colour: str | None) -> None:
    rng.color = colour  # xlwings: hex string, or None for "no fill"


def _paint_rects(sheet: Any, changes: Mapping[Cell, str | None], report: PaintReport
                 ) -> PaintReport:
    report.strategy = "rectangles"
    for colour, cells in by_colour(changes).items():
        for top, left, bottom, right in rectangles(cells):
            _set_fill(sheet.range((top, left), (bottom, right)), colour)
            report.calls += 1
    return report


def _paint_areas(sheet: Any, changes: Mapping[Cell, str | None], report: PaintReport
                 ) -> PaintReport:
    report.strategy = "areas"
    for colour, cells in by_colour(changes).items():
        for address in address_chunks(rectangles(cells)):
            _set_fill(sheet.range(address), colour)
            report.calls += 1
    return report


def _matrix_plan(changes: Mapping[Cell, str | None]) -> list[tuple[Rect, list[list[Any]]]]:
    """Blocks of at most MATRIX_LIMIT cells covering the changes, ``...`` = keep."""
    rows = [r for r, _ in changes]
    cols = [c for _, c in changes]
    top, bottom, left, right = min(rows), max(rows), min(cols), max(cols)
    width = right - left + 1
    step = max(1, MATRIX_LIMIT // width)
    by_row: dict[int, list[tuple[int, str | None]]] = {}
    for (r, c), colour in changes.items():
        by_row.setdefault(r, []).append((c, normalise_colour(colour) if colour else None))
    plan: list[tuple[Rect, list[list[Any]]]] = []
    if width > MATRIX_LIMIT:  # pragma: no cover - Excel has 16,384 columns
        return plan
    for start in range(top, bottom + 1, step):
        end = min(bottom, start + step - 1)
        if not any(r in by_row for r in range(start, end + 1)):
            continue
        matrix: list[list[Any]] = [[...] * width for _ in range(end - start + 1)]
        for r in range(start, end + 1):
            for c, colour in by_row.get(r, ()):
                matrix[r - start][c - left] = colour
        # Trim rows of pure "keep" at both ends so each action is as small as possible.
        first = next(i for i, row in enumerate(matrix) if any(v is not ... for v in row))
        last = max(i for i, row in enumerate(matrix) if any(v is not ... for v in row))
        plan.append(((start + first, left, start + last, right), matrix[first:last + 1]))
    return plan


def _paint_remote(sheet: Any, changes: Mapping[Cell, str | None], report: PaintReport
                  ) -> PaintReport:
    groups = by_colour(changes)
    rect_count = sum(len(rectangles(cells)) for cells in groups.values())
    can_matrix = hasattr(sheet.range((1, 1)), "set_colors")  # xlwings >= 0.37.5
    plan = _matrix_plan(changes) if can_matrix else []
    if not plan or rect_count <= len(plan):
        return _paint_rects(sheet, changes, report)
    report.strategy = "matrix"
    for (top, left, bottom, right), matrix in plan:
        sheet.range((top, left), (bottom, right)).set_colors(matrix)
        report.calls += 1
    return report


def _paint_markers(sheet: Any, changes: Mapping[Cell, str | None], scratch_col: int,
                   report: PaintReport) -> PaintReport:
    """The Windows fast path (see the module docstring); raises to ask for the fallback."""
    groups = by_colour(changes)
    if len(groups) > len(_MARKERS):
        raise ValueError("more colours than marker types")
    rows = [r for r, _ in changes]
    cols = [c for _, c in changes]
    top, bottom, left, right = min(rows), max(rows), min(cols), max(cols)
    width = right - left + 1
    if scratch_col <= right or scratch_col + width - 1 > MAX_COLUMNS:
        raise ValueError("no free columns for the marker block")
    if top == bottom and width == 1:
        raise ValueError("one cell: SpecialCells would search the whole sheet")
    matrix: list[list[Any]] = [[None] * width for _ in range(bottom - top + 1)]
    kinds: list[tuple[str | None, int, int | None]] = []
    for (colour, cells), (marker, cell_type, value_type) in zip(groups.items(), _MARKERS,
                                                                 strict=False):
        kinds.append((colour, cell_type, value_type))
        for r, c in cells:
            matrix[r - top][c - left] = marker
    report.strategy = "markers"
    block = sheet.range((top, scratch_col), (bottom, scratch_col + width - 1))
    block.value = matrix
    report.calls += 1
    try:
        api = block.api
        for colour, cell_type, value_type in kinds:
            found = (api.SpecialCells(cell_type, value_type) if value_type is not None
                     else api.SpecialCells(cell_type))
            target = found.Offset(0, left - scratch_col)
            if colour is None:
                target.Interior.ColorIndex = _XL_NONE
            else:
                target.Interior.Color = bgr(colour)
            report.calls += 4  # SpecialCells, Offset, Interior, Color
    finally:
        block.clear_contents()
        report.calls += 1
    return report


# --------------------------------------------------------------------------- notes


def remove_notes(book: Any, sheet: Any, cells: Iterable[Cell]) -> int:
    """Delete the notes of ``cells`` (COM engines; a no-op elsewhere). Returns calls."""
    cells = list(cells)
    if not cells or engine_name(book) != "excel":
        return 0
    calls = 0
    for address in address_chunks(rectangles(cells)):
        sheet.range(address).api.ClearComments()
        calls += 1
    return calls


def add_notes(sheet: Any, notes: Mapping[Cell, str]) -> tuple[int, bool]:
    """Add one note per cell; cells that already hold a note (the user's) are skipped.

    Returns (notes added, supported). The remote engine's VBA client cannot add notes:
    then nothing is added and the explanation stays in the status columns.
    """
    added = 0
    for (row, col), text in notes.items():
        try:
            sheet.range((row, col)).add_note(text)
        except NotImplementedError:
            return added, False
        except ValueError:  # the cell already has a note: never overwrite the user's
            continue
        added += 1
    return added, True


# --------------------------------------------------------------------------- reading


@dataclass(slots=True)
class SheetMarks:
    """Fills and notes found in a block (Windows COM only)."""

    fills: dict[Cell, str] = field(default_factory=dict)  # cell -> '#RRGGBB'
    notes: dict[Cell, str] = field(default_factory=dict)  # cell -> note text
    fonts: dict[Cell, str] = field(default_factory=dict)  # cell -> font name (non-empty cells)

    def tool_fills(self) -> list[Cell]:
        return [cell for cell, colour in self.fills.items() if colour in TOOL_COLOURS]

    def tool_notes(self) -> list[Cell]:
        return [cell for cell, text in self.notes.items() if is_tool_note(text)]


_SS = "urn:schemas-microsoft-com:office:spreadsheet"


def _ss(name: str) -> str:
    return f"{{{_SS}}}{name}"


def parse_spreadsheet_xml(xml: str, top: int, left: int) -> SheetMarks:
    """Fills and notes of the SpreadsheetML 2003 text Excel returns for
    ``Range.Value(xlRangeValueXMLSpreadsheet)`` of the block starting at (top, left)."""
    root = ET.fromstring(xml)
    styles: dict[str, ET.Element] = {}
    for style in root.iter(_ss("Style")):
        sid = style.get(_ss("ID"))
        if sid:
            styles[sid] = style

    def fill_of(style_id: str | None, depth: int = 0) -> str | None:
        style = styles.get(style_id or "")
        if style is None or depth > 10:
            return None
        interior = style.find(_ss("Interior"))
        if interior is not None:
            pattern = interior.get(_ss("Pattern"), "")
            colour = interior.get(_ss("Color"))
            if colour and pattern and pattern != "None":
                return normalise_colour(colour)
            return None
        return fill_of(style.get(_ss("Parent")), depth + 1)

    def font_of(style_id: str | None, depth: int = 0) -> str | None:
        style = styles.get(style_id or "Default")
        if style is None or depth > 10:
            return None
        font = style.find(_ss("Font"))
        if font is not None and font.get(_ss("FontName")):
            return font.get(_ss("FontName"))
        parent = style.get(_ss("Parent")) or ("Default" if style_id not in (None, "Default")
                                              else None)
        return font_of(parent, depth + 1) if parent else None

    marks = SheetMarks()
    table = next(root.iter(_ss("Table")), None)
    if table is None:
        return marks
    row_no = 0
    for row in table.iter(_ss("Row")):
        index = row.get(_ss("Index"))
        row_no = int(index) if index else row_no + 1
        col_no = 0
        for cell in row.findall(_ss("Cell")):
            cindex = cell.get(_ss("Index"))
            col_no = int(cindex) if cindex else col_no + 1
            where = (top + row_no - 1, left + col_no - 1)
            colour = fill_of(cell.get(_ss("StyleID")))
            if colour:
                marks.fills[where] = colour
            if cell.find(_ss("Data")) is not None:
                font = font_of(cell.get(_ss("StyleID")))
                if font:
                    marks.fonts[where] = font
            comment = cell.find(_ss("Comment"))
            if comment is not None:
                data = comment.find(_ss("Data"))
                text = "".join(data.itertext()) if data is not None else ""
                marks.notes[where] = text
            col_no += int(cell.get(_ss("MergeAcross"), "0"))
        row_no += int(row.get(_ss("Span"), "0"))
    return marks


def read_marks(book: Any, sheet: Any, rect: Rect) -> SheetMarks | None:
    """Fills and notes of ``rect`` in one call on Windows; None where not possible."""
    if not is_windows_com(book):
        return None
    top, left, bottom, right = rect
    try:
        api = sheet.range((top, left), (bottom, right)).api
        ole = getattr(api, "_inner", api)._oleobj_
        import pythoncom  # type: ignore[import-not-found]  # pywin32, Windows only

        dispid = ole.GetIDsOfNames("Value")
        xml = ole.Invoke(dispid, 0, pythoncom.DISPATCH_PROPERTYGET, True, 11)
        return parse_spreadsheet_xml(str(xml), top, left)
    except Exception:
        return None

