"""The sheet rewriter: streams the worksheet XML, editing only the rows the plan names.

Rows are cut at ``</row>`` and most are copied without being parsed. A row to edit takes
the direct path when it can (status cells appended after its last cell, marked or
new-value cells found by their reference) and the full walk over its cells otherwise (a
cell without a reference, a cell to insert, a formula, a mark on a status cell). A shared
formula whose master cell gets a value is re-homed on its next member. The head
(``<dimension>``, ``<cols>``) and the tail (``<legacyDrawing>``) are edited textually.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from vaxclean_xl.xlsx.annotate.plan import CellValue, Plan
from vaxclean_xl.xlsx.annotate.sheet import Collision
from vaxclean_xl.xlsx.ooxml import (
    MAX_CELL_TEXT,
    NS_R,
    REF_RE,
    TAG_RE,
    attr_b,
    col_index,
    col_letter,
    esc_formula,
    esc_text,
    excel_serial,
    get_attr,
    number_text,
    parse_ref,
    part_root,
    set_attr,
    unesc,
)
from vaxclean_xl.xlsx.stream import CHUNK, TRUNCATED, broken_workbook, read_head
from vaxclean_xl.xlsx.styles import DATE_FORMAT, DATETIME_FORMAT, TEXT_FMT_ID, Styles

# Worksheet children that must come before <legacyDrawing> (CT_Worksheet sequence).
_BEFORE_LEGACY_DRAWING = frozenset(
    "sheetPr dimension sheetViews sheetFormatPr cols sheetData sheetCalcPr sheetProtection "
    "protectedRanges scenarios autoFilter sortState dataConsolidate customSheetViews "
    "mergeCells phoneticPr conditionalFormatting dataValidations hyperlinks printOptions "
    "pageMargins pageSetup headerFooter rowBreaks colBreaks customProperties cellWatches "
    "ignoredErrors smartTags drawing".split()
)
_DIGITS_RE = re.compile(r"[0-9]+")
_S_ATTR_RE = re.compile(rb"""(\ss\s*=\s*)(?:"[^"]*"|'[^']*')""")
_R_ATTR_RE = re.compile(rb"""(?:^|\s)r\s*=\s*["']([^"']*)["']""")
_SPANS_RE = re.compile(rb"""(\sspans\s*=\s*)(?:"[^"]*"|'[^']*')""")


@dataclass(frozen=True, slots=True)
class NewValue:
    """The content a cell gets from ``values=`` (its style is kept)."""

    value: CellValue


# col -> (new content: status/header text or a value, status style or None, severity or None)
Edit = tuple[str | NewValue | None, int | None, str | None]


@dataclass(slots=True)
class Orphan:
    """A shared formula whose master cell got a new value. Its first remaining member becomes
    the master (formula translated to its place); if the formula cannot be translated, the
    members keep only their cached values."""

    text: str  # the master's formula, unescaped, without "="
    row: int
    col: int
    box: tuple[int, int, int, int]  # (r1, c1, r2, c2) of the group's ref
    strip: bool = False


def translate(formula: str, row0: int, col0: int, row: int, col: int) -> str | None:
    """``formula`` (written in row0/col0) as it reads in row/col; None if it cannot be."""
    try:
        from openpyxl.formula.translate import Translator

        out = Translator("=" + formula, origin=f"{col_letter(col0)}{row0}").translate_formula(
            f"{col_letter(col)}{row}"
        )
    except Exception:  # any tokenizer/translator failure: fall back to cached values
        return None
    return out[1:] if out.startswith("=") else out


class SheetRewriter:
    """Streams the worksheet XML, editing only the rows that get a status, mark or value."""

    def __init__(
        self,
        *,
        prefix: str,
        plan: Plan,
        styles: Styles,
        first_col: int,
        check_collisions: bool,
        header_xf: int,
        status_xf: int,
        legacy_rid: str | None,
        rel_prefix: str,
        declare_rel_ns: bool,
        extent: tuple[int, int],
        date1904: bool = False,
    ) -> None:
        self.prefix = prefix
        self.pb = prefix.encode()
        p = re.escape(self.pb)
        self.row_re = re.compile(rb"<" + p + rb"row\b([^>]*?)(?:/>|>(.*?)</" + p + rb"row>)", re.S)
        self.cell_re = re.compile(rb"<" + p + rb"c\b([^>]*?)(?:/>|>(.*?)</" + p + rb"c>)", re.S)
        self.value_re = re.compile(rb"<" + p + rb"(?:v|f|is)\b")
        self.f_re = re.compile(rb"<" + p + rb"f\b([^>]*?)(?:/>|>(.*?)</" + p + rb"f>)", re.S)
        self.f_start = re.compile(rb"<" + p + rb"f[\s/>]")
        self.row_start = b"<" + self.pb + b"row"
        self.row_close = b"</" + self.pb + b"row>"
        self.row_tag_r = b"<" + self.pb + b'row r="'
        self.plan = plan
        self.styles = styles
        self.first_col = first_col
        self.check_collisions = check_collisions
        self.header_xf = header_xf
        self.status_xf = status_xf
        self.legacy_rid = legacy_rid
        self.rel_prefix = rel_prefix
        self.declare_rel_ns = declare_rel_ns
        self.extent = extent
        self.date1904 = date1904
        header = {plan.header_row} if plan.headers else set()
        self.targets = sorted(set(plan.status) | set(plan.marks) | set(plan.values) | header)
        self.ti = 0
        self.prev_row = 0
        self.col_styles: list[tuple[int, int, int]] = []  # (min0, max0, style)
        self.orphans: dict[bytes, Orphan] = {}  # shared formulas whose master was replaced
        # for the direct path (_direct_row), which most rows of a big list take
        self.cell_open = b"<" + self.pb + b"c "
        self.status_cache: dict[tuple[str, ...], list[tuple[bytes, bytes]]] = {}
        self.spans_cache: dict[tuple[bytes, int, int], bytes] = {}
        self.letter_cols: dict[bytes, int] = {}

    # ---- edits of one row
    def _edits(self, row: int) -> dict[int, Edit]:
        edits: dict[int, Edit] = {}
        for col, value in self.plan.values.get(row, {}).items():
            edits[col] = (NewValue(value), None, None)
        if row == self.plan.header_row:
            for i, head in enumerate(self.plan.headers):
                edits[self.first_col + i] = (head, self.header_xf, None)
        elif row in self.plan.status:
            for i, value in enumerate(self.plan.status[row]):
                edits[self.first_col + i] = (value, self.status_xf, None)
        for col, (sev, _note) in self.plan.marks.get(row, {}).items():
            text, style, _ = edits.get(col, (None, None, None))
            edits[col] = (text, style, sev)
        return edits

    def _default_style(self, row_attrs: bytes | None, col: int) -> int:
        if row_attrs is not None and attr_b(row_attrs, b"customFormat") in (b"1", b"true"):
            s = attr_b(row_attrs, b"s")
            if s and s.isdigit():
                return int(s)
        for lo, hi, style in self.col_styles:
            if lo <= col <= hi:
                return style
        return 0

    def _new_cell(self, row: int, col: int, edit: Edit, base: int) -> bytes:
        text, style, sev = edit
        if isinstance(text, NewValue):
            return self._value_cell(row, col, text.value, base, sev)
        p = self.prefix
        ref = f"{col_letter(col)}{row}"
        if style is None:
            style = base
        if sev is not None:
            style = self.styles.marked(style, sev)
        if text:
            text = text[:MAX_CELL_TEXT]
            return (
                f'<{p}c r="{ref}" s="{style}" t="inlineStr"><{p}is><{p}t xml:space="preserve">'
                f"{esc_text(text)}</{p}t></{p}is></{p}c>"
            ).encode()
        return f'<{p}c r="{ref}" s="{style}"/>'.encode()

    def _value_cell(
        self, row: int, col: int, value: CellValue, base: int, sev: str | None
    ) -> bytes:
        """A cell holding ``value`` in (a number-format clone of) style ``base``."""
        p = self.prefix
        styles = self.styles
        style, kind, body = base, "", ""
        if isinstance(value, _dt.date):
            serial = excel_serial(value, self.date1904)
            if serial is None:  # before the workbook's epoch: keep it readable, as text
                value = f"{value.day:02d}/{value.month:02d}/{value.year:04d}"
            else:
                if not styles.is_date(base):
                    timed = isinstance(value, _dt.datetime) and value.time() != _dt.time()
                    fmt = styles.custom_fmt(DATETIME_FORMAT if timed else DATE_FORMAT)
                    style = styles.with_num_fmt(base, fmt)
                body = f"<{p}v>{number_text(serial)}</{p}v>"
        if body:
            pass
        elif isinstance(value, bool):
            kind, body = ' t="b"', f"<{p}v>{int(value)}</{p}v>"
        elif isinstance(value, int | float):
            body = f"<{p}v>{number_text(value)}</{p}v>"
        elif isinstance(value, str) and value:
            if _DIGITS_RE.fullmatch(value) and not styles.is_text(base):
                style = styles.with_num_fmt(base, TEXT_FMT_ID)  # an ID or phone stays text
            kind = ' t="inlineStr"'
            body = f'<{p}is><{p}t xml:space="preserve">{esc_text(value)}</{p}t></{p}is>'
        if sev is not None:
            style = styles.marked(style, sev)
        ref = f"{col_letter(col)}{row}"
        if body:
            return f'<{p}c r="{ref}" s="{style}"{kind}>{body}</{p}c>'.encode()
        return f'<{p}c r="{ref}" s="{style}"/>'.encode()

    def _edit_cell(self, m: re.Match[bytes], row: int, col: int, edit: Edit) -> bytes:
        attrs, content = m.group(1), m.group(2)
        s = attr_b(attrs, b"s")
        base = int(s) if s and s.isdigit() else 0
        text, style, sev = edit
        if isinstance(text, NewValue):  # new content, same style; a formula is dropped
            if content and self.f_start.search(content):
                self._orphan_master(content, row, col)
            return self._new_cell(row, col, edit, base)
        if style is not None:  # a status/header cell: replace the cell
            if self.check_collisions and content and self.value_re.search(content):
                raise Collision
            return self._new_cell(row, col, edit, base)
        new_style = self.styles.marked(base, sev) if sev else base
        start = b"<" + self.pb + b"c" + attrs
        if _S_ATTR_RE.search(start):
            start = _S_ATTR_RE.sub(lambda x: x.group(1) + b'"%d"' % new_style, start, count=1)
        else:
            start += b' s="%d"' % new_style
        if not _R_ATTR_RE.search(attrs):
            start = (
                start[: 2 + len(self.pb)]
                + f' r="{col_letter(col)}{row}"'.encode()
                + start[2 + len(self.pb) :]
            )
        whole = m.group(0)
        return start + whole[len(b"<" + self.pb + b"c" + attrs) :]

    # ---- shared formulas whose master cell gets a value
    def _orphan_master(self, content: bytes, row: int, col: int) -> None:
        fm = self.f_re.search(content)
        if fm is None:
            return
        attrs = fm.group(1)
        ref, si = attr_b(attrs, b"ref"), attr_b(attrs, b"si")
        if attr_b(attrs, b"t") != b"shared" or not ref or si is None:
            return  # a plain or array formula: nothing else depends on its <f>
        try:
            corners = [parse_ref(x) for x in ref.decode().split(":")]
        except ValueError:
            return
        rows, cols = [r for r, _ in corners], [c for _, c in corners]
        text = unesc((fm.group(2) or b"").decode("utf-8"))
        self.orphans[si] = Orphan(text, row, col, (min(rows), min(cols), max(rows), max(cols)))

    def _prune(self, row: int) -> None:
        for si in [si for si, o in self.orphans.items() if o.box[2] < row]:
            del self.orphans[si]

    def _rehome(self, cell: bytes, row: int, col: int) -> bytes:
        """``cell`` made the new master of its orphaned shared formula (or stripped of it)."""
        fm = self.f_re.search(cell)
        if fm is None:
            return cell
        attrs = fm.group(1)
        si = attr_b(attrs, b"si")
        if attr_b(attrs, b"t") != b"shared" or attr_b(attrs, b"ref") or si is None:
            return cell
        o = self.orphans.get(si)
        r1, c1, r2, c2 = o.box if o else (0, 0, -1, -1)
        if o is None or not (r1 <= row <= r2 and c1 <= col <= c2):
            return cell
        formula = None if o.strip else translate(o.text, o.row, o.col, row, col)
        if formula is None:
            o.strip = True  # every member keeps its cached value only
            return cell[: fm.start()] + cell[fm.end() :]
        del self.orphans[si]
        p = self.pb
        new_ref = f"{col_letter(c1)}{row}:{col_letter(c2)}{r2}".encode()
        text = esc_formula(formula)
        new_f = (
            b"<" + p + b'f t="shared" ref="' + new_ref + b'" si="' + si + b'">'
            + text.encode("utf-8") + b"</" + p + b"f>"
        )
        return cell[: fm.start()] + new_f + cell[fm.end() :]

    def _rehome_row(self, m: re.Match[bytes], row: int) -> bytes | None:
        """A row with no edit, rewritten only if a cell joins an orphaned shared formula."""
        self._prune(row)
        content = m.group(2)
        if not self.orphans or not content or not self.f_start.search(content):
            return None
        out: list[bytes] = []
        pos, col = 0, -1
        for c in self.cell_re.finditer(content):
            col = self._cell_col(c, col)
            if c.group(2) and self.f_start.search(c.group(2)):
                new = self._rehome(c.group(0), row, col)
                if new is not c.group(0):
                    out += [content[pos : c.start()], new]
                    pos = c.end()
        if not out:
            return None
        out.append(content[pos:])
        whole, base = m.group(0), m.start(0)
        return whole[: m.start(2) - base] + b"".join(out) + whole[m.end(2) - base :]

    @staticmethod
    def _cell_col(c: re.Match[bytes], prev: int) -> int:
        ref = attr_b(c.group(1), b"r")
        rm = REF_RE.match(ref) if ref else None
        return col_index(rm.group(1).decode()) if rm else prev + 1

    def _bare_cell_after(self, content: bytes, pos: int) -> bool:
        """A cell without attributes (<c>, <c/>) after ``pos``: its column is implicit."""
        p = self.pb
        return (content.find(b"<" + p + b"c>", pos) >= 0
                or content.find(b"<" + p + b"c/>", pos) >= 0)

    def _after_last_cell(self, content: bytes, first_edit: int) -> bool:
        """True when the row's last cell has an explicit reference left of ``first_edit``."""
        last = content.rfind(b"<" + self.pb + b"c ")
        if last < 0:
            return not content.strip()
        if self._bare_cell_after(content, last):
            return False
        c = self.cell_re.match(content, last)
        if c is None:
            return False
        ref = attr_b(c.group(1), b"r")
        rm = REF_RE.match(ref) if ref else None
        return bool(rm) and col_index(rm.group(1).decode()) < first_edit

    def _status_parts(self, values: list[str]) -> list[tuple[bytes, bytes]]:
        """Status cells as (before the row number, after it) pieces, shared by every row
        with the same texts (most rows read "OK")."""
        key = tuple(values)
        parts = self.status_cache.get(key)
        if parts is None:
            p, parts = self.prefix, []
            for i, text in enumerate(values):
                letter = col_letter(self.first_col + i)
                if text:
                    body = (f'" s="{self.status_xf}" t="inlineStr"><{p}is><{p}t xml:space='
                            f'"preserve">{esc_text(text[:MAX_CELL_TEXT])}</{p}t></{p}is></{p}c>')
                else:
                    body = f'" s="{self.status_xf}"/>'
                parts.append((f'<{p}c r="{letter}'.encode(), body.encode()))
            if len(self.status_cache) < 4096:
                self.status_cache[key] = parts
        return parts

    def _last_col(self, content: bytes) -> int | None:
        """Column of the row's last cell from its r attribute; -1 for a row without cells;
        None when that cannot be read cheaply (the caller parses the row instead)."""
        last = content.rfind(self.cell_open)
        if last < 0:
            return None if content.strip() else -1
        if self._bare_cell_after(content, 0):
            return None  # (the full walk gives such cells their reference)
        end = content.find(b">", last)
        i = content.find(b' r="', last, end)
        if i < 0:
            return None
        j = content.find(b'"', i + 4, end)
        letters = content[i + 4 : j].rstrip(b"0123456789")
        col = self.letter_cols.get(letters)
        if col is None:
            if not letters.isalpha() or len(letters) > 3:
                return None
            col = self.letter_cols[letters] = col_index(letters.decode())
        return col

    def _widen_spans(self, attrs: bytes, lo: int, hi: int) -> bytes:
        """``attrs`` of a row with its spans hint (if any) widened to cover the 0-based
        columns lo..hi; the new value is cached (most rows share it)."""
        spans = attr_b(attrs, b"spans")
        if not spans:
            return attrs
        new = self.spans_cache.get((spans, lo, hi))
        if new is None:
            nums = [int(x) for x in re.findall(rb"\d+", spans)] or [lo + 1]
            new = b'"%d:%d"' % (min(min(nums), lo + 1), max(max(nums), hi + 1))
            self.spans_cache[(spans, lo, hi)] = new
        return _SPANS_RE.sub(lambda x: x.group(1) + new, attrs, count=1)

    def _direct_row(self, attrs: bytes, content: bytes | None, row: int) -> bytes | None:
        """The row edited without walking its cells: status cells appended after the last
        cell, marked or new-value cells found by their reference. None when the row needs
        the full walk (a cell without r, a missing cell to insert, a formula, a cell at or
        right of the status columns)."""
        content = content or b""
        last = self._last_col(content)
        if last is None or last >= self.first_col or b' r="' not in b" " + attrs.lstrip():
            return None
        plan = self.plan
        status = plan.status.get(row)
        marks = plan.marks.get(row, {})
        values = plan.values.get(row, {})
        rb = b"%d" % row
        out: list[bytes] = []
        pos = 0
        cols = sorted(set(marks) | set(values))
        if cols and cols[-1] >= self.first_col:
            return None  # a mark on a status cell: the full walk merges them
        for col in cols:
            edit: Edit = (NewValue(values[col]) if col in values else None, None,
                           marks[col][0] if col in marks else None)
            if col > last:
                out.append(content[pos:])
                pos = len(content)
                out.append(self._new_cell(row, col, edit, self._default_style(attrs, col)))
                continue
            idx = content.find(self.cell_open + b'r="' + col_letter(col).encode() + rb + b'"',
                               pos)
            c = self.cell_re.match(content, idx) if idx >= 0 else None
            if c is None or (c.group(2) and self.f_start.search(c.group(2))):
                return None
            out.append(content[pos:idx])
            out.append(self._edit_cell(c, row, col, edit))
            pos = c.end()
        out.append(content[pos:])
        hi = cols[-1] if cols else -1
        if status:
            out += [x for pre, post in self._status_parts(status) for x in (pre, rb, post)]
            hi = self.first_col + len(status) - 1
        if hi >= 0:
            attrs = self._widen_spans(attrs, cols[0] if cols else self.first_col, hi)
        p = self.pb
        return b"<" + p + b"row" + attrs + b">" + b"".join(out) + b"</" + p + b"row>"

    def _direct_at(self, section: bytes, idx: int, row: int) -> tuple[bytes | None, int]:
        """_direct_row for the row element starting at ``idx``, found with plain searches
        (a regular expression over a long row costs more than the edit); (None, 0) when the
        row needs the full treatment."""
        if row == self.plan.header_row or self.orphans:
            return None, 0
        gt = section.find(b">", idx)
        if gt < 0:
            return None, 0
        start = idx + len(self.row_start)
        if section[gt - 1 : gt] == b"/":
            attrs, content, end = section[start : gt - 1], None, gt + 1
        else:
            close = section.find(self.row_close, gt)
            if close < 0 or section.find(self.row_start, gt, close) >= 0:
                return None, 0
            attrs, content, end = section[start:gt], section[gt + 1 : close], close + len(
                self.row_close)
        new = self._direct_row(attrs, content, row)
        return (new, end) if new is not None else (None, 0)

    def _edit_row(self, m: re.Match[bytes], row: int) -> bytes:
        if row != self.plan.header_row and not self.orphans:
            fast = self._direct_row(m.group(1), m.group(2), row)
            if fast is not None:
                return fast
        attrs, content = m.group(1), m.group(2)
        self._prune(row)
        edits = self._edits(row)
        pending = sorted(edits)
        pi = 0
        out: list[bytes] = []
        pos = 0
        col = -1
        content = content or b""
        if pending and not self.orphans and self._after_last_cell(content, pending[0]):
            # the common case (status cells right of the data): append, parse nothing
            out.append(content)
            pos = len(content)
            content = b""
        for c in self.cell_re.finditer(content):
            ref = attr_b(c.group(1), b"r")
            col = self._cell_col(c, col)
            out.append(content[pos : c.start()])
            while pi < len(pending) and pending[pi] < col:
                out.append(
                    self._new_cell(
                        row,
                        pending[pi],
                        edits[pending[pi]],
                        self._default_style(attrs, pending[pi]),
                    )
                )
                pi += 1
            if pi < len(pending) and pending[pi] == col:
                cell = self._edit_cell(c, row, col, edits[col])
                pi += 1
            elif ref is None:  # give it an explicit reference: neighbours may be inserted
                tag_end = 2 + len(self.pb)
                whole = c.group(0)
                cell = whole[:tag_end] + f' r="{col_letter(col)}{row}"'.encode() + whole[tag_end:]
            else:
                cell = c.group(0)
            if self.orphans and c.group(2) and self.f_start.search(c.group(2)):
                cell = self._rehome(cell, row, col)
            out.append(cell)
            pos = c.end()
        while pi < len(pending):
            out.append(
                self._new_cell(
                    row, pending[pi], edits[pending[pi]], self._default_style(attrs, pending[pi])
                )
            )
            pi += 1
        out.append(content[pos:])
        new_attrs = attrs
        if not _R_ATTR_RE.search(new_attrs):
            new_attrs = b' r="%d"' % row + new_attrs
        if pending:
            new_attrs = self._widen_spans(new_attrs, pending[0], pending[-1])
        p = self.pb
        return b"<" + p + b"row" + new_attrs + b">" + b"".join(out) + b"</" + p + b"row>"

    def _created_row(self, row: int) -> bytes:
        edits = self._edits(row)
        cells = b"".join(
            self._new_cell(row, col, edits[col], self._default_style(None, col))
            for col in sorted(edits)
        )
        p = self.pb
        return b"<" + p + b'row r="%d">' % row + cells + b"</" + p + b"row>"

    # ---- streaming
    def _feed(self, section: bytes, out: list[bytes]) -> None:
        """Process a run of complete <row> elements."""
        targets = self.targets
        if self.ti >= len(targets) and not self.orphans:
            out.append(section)
            return
        r: bytes | None = None
        last = section.rfind(self.row_start)
        while last >= 0 and section[
            last + len(self.row_start) : last + len(self.row_start) + 1
        ] not in (b" ", b">", b"/", b"\t", b"\n", b"\r"):
            last = section.rfind(self.row_start, 0, last)
        if last >= 0:
            end = section.find(b">", last)
            r = attr_b(section[last + len(self.row_start) : end], b"r")
            if r and not self.orphans and int(r) < targets[self.ti]:
                out.append(section)  # fast path: nothing to do in this section
                self.prev_row = int(r)
                return
        elif not section.strip():
            out.append(section)
            return
        pos = 0
        n = len(targets)
        last_row = int(r) if r else None
        # Jump path: rows written with r="N" first (Excel, LibreOffice, openpyxl, XlsxWriter)
        # are found with a plain search; rows in between are copied without being parsed.
        # An orphaned shared formula stops it: the rows after its master must be looked at.
        while (
            not self.orphans
            and self.ti < n
            and (last_row is None or targets[self.ti] <= last_row)
        ):
            row = targets[self.ti]
            idx = section.find(self.row_tag_r + b'%d"' % row, pos)
            if idx < 0:
                break  # missing row (must be created) or unusual markup: walk the rows
            new, end = self._direct_at(section, idx, row)
            if new is None:
                m = self.row_re.match(section, idx)
                if m is None:
                    break
                new, end = self._edit_row(m, row), m.end()
            out.append(section[pos:idx])
            out.append(new)
            pos = end
            self.ti += 1
            self.prev_row = row
        if not self.orphans and (
            self.ti >= n or (last_row is not None and targets[self.ti] > last_row)
        ):
            out.append(section[pos:])
            if last_row is not None:
                self.prev_row = last_row
            return
        for m in self.row_re.finditer(section, pos):
            r = attr_b(m.group(1), b"r")
            row = int(r) if r else self.prev_row + 1
            while self.ti < n and targets[self.ti] < row:
                out.append(section[pos : m.start()])
                pos = m.start()
                out.append(self._created_row(targets[self.ti]))
                self.ti += 1
            if self.ti < n and targets[self.ti] == row:
                out.append(section[pos : m.start()])
                out.append(self._edit_row(m, row))
                pos = m.end()
                self.ti += 1
            elif self.orphans and (new := self._rehome_row(m, row)) is not None:
                out.append(section[pos : m.start()])
                out.append(new)
                pos = m.end()
            self.prev_row = row
        out.append(section[pos:])

    def _finish_rows(self, out: list[bytes]) -> None:
        while self.ti < len(self.targets):
            out.append(self._created_row(self.targets[self.ti]))
            self.ti += 1

    def rewrite(self, stream: IO[bytes], write: Callable[[bytes], object]) -> None:
        head_b, self_closing, buf = read_head(stream)
        head = self._edit_head(head_b.decode("utf-8"), self_closing)
        write(head.encode("utf-8"))
        end_tag = b"</" + self.pb + b"sheetData>"
        row_close = b"</" + self.pb + b"row>"
        out: list[bytes] = []
        if self_closing:
            self._finish_rows(out)
            out.append(end_tag)
            write(b"".join(out))
        else:
            while True:
                idx = buf.find(end_tag)
                if idx >= 0:
                    self._feed(buf[:idx], out)
                    self._finish_rows(out)
                    out.append(end_tag)
                    write(b"".join(out))
                    buf = buf[idx + len(end_tag) :]
                    break
                cut = buf.rfind(row_close)
                if cut >= 0:
                    cut += len(row_close)
                    self._feed(buf[:cut], out)
                    write(b"".join(out))
                    out = []
                    buf = buf[cut:]
                chunk = stream.read(CHUNK)
                if not chunk:
                    raise broken_workbook(TRUNCATED)
                buf += chunk
        rest = [buf]
        while chunk := stream.read(CHUNK):
            rest.append(chunk)
        write(self._edit_tail(b"".join(rest).decode("utf-8")).encode("utf-8"))

    # ---- head and tail
    def _edit_head(self, head: str, self_closing: bool) -> str:
        p = self.prefix
        ep = re.escape(p)
        _, _, root = part_root(head)
        if self.declare_rel_ns:
            tag = root.group(0)
            tag = tag[:-1] + f' xmlns:{self.rel_prefix}="{NS_R}">'
            head = head[: root.start()] + tag + head[root.end() :]
        # <dimension ref>
        dm = re.search(rf"<{ep}dimension\b([^>]*?)/?>", head)
        if dm:
            ref = get_attr(dm.group(1), "ref") or "A1"
            try:
                corners = [parse_ref(x) for x in ref.split(":")]
            except ValueError:
                corners = [(1, 0)]
            top = min(r for r, _ in corners)
            left = min(c for _, c in corners)
            bottom = max([r for r, _ in corners] + [self.extent[1], *self.targets[-1:]])
            right = max(
                [c for _, c in corners]
                + [
                    self.extent[0],
                    self.first_col + len(self.plan.headers) - 1,
                    self.plan.max_mark_col,
                    self.plan.max_value_col,
                ]
            )
            new_ref = f"{col_letter(left)}{top}:{col_letter(right)}{bottom}"
            head = head[: dm.start()] + set_attr(dm.group(0), "ref", new_ref) + head[dm.end() :]
        # <cols>: remember column styles; add widths for uncovered status columns
        cm = re.search(rf"<{ep}cols\b[^>]*?(/?)>", head)
        cols: list[tuple[int, int, str]] = []
        if cm and not cm.group(1):
            end = head.index(f"</{p}cols>", cm.end())
            for col in re.finditer(
                rf"<{ep}col\b([^>]*?)(?:/>|>.*?</{ep}col>)", head[cm.end() : end], re.S
            ):
                lo = int(get_attr(col.group(1), "min") or 1)
                hi = int(get_attr(col.group(1), "max") or lo)
                cols.append((lo, hi, col.group(0)))
                style = get_attr(col.group(1), "style")
                if style and style.isdigit():
                    self.col_styles.append((lo - 1, hi - 1, int(style)))
        new_cols = []
        for i, width in enumerate(self.plan.widths):
            n = self.first_col + i + 1
            if not any(lo <= n <= hi for lo, hi, _ in cols):
                new_cols.append(
                    (n, n, f'<{p}col min="{n}" max="{n}" width="{width:g}" customWidth="1"/>')
                )
        if new_cols:
            merged = sorted(cols + new_cols, key=lambda c: c[0])
            inner = "".join(c[2] for c in merged)
            if cm and not cm.group(1):
                end = head.index(f"</{p}cols>", cm.end())
                head = head[: cm.end()] + inner + head[end:]
            elif cm:
                head = (
                    head[: cm.start()] + cm.group(0)[:-2] + f">{inner}</{p}cols>" + head[cm.end() :]
                )
            else:
                sd = re.search(rf"<{ep}sheetData\b", head)
                assert sd is not None
                head = head[: sd.start()] + f"<{p}cols>{inner}</{p}cols>" + head[sd.start() :]
        if self_closing:
            sd = re.search(rf"<{ep}sheetData\b([^>]*?)/>", head)
            assert sd is not None
            head = head[: sd.start()] + f"<{p}sheetData{sd.group(1)}>" + head[sd.end() :]
        return head

    def _edit_tail(self, tail: str) -> str:
        if not self.legacy_rid:
            return tail
        existing = re.search(rf"<{re.escape(self.prefix)}legacyDrawing\b[^>]*>", tail)
        if existing:  # dangling reference (its part is missing): point it at our VML
            tag = set_attr(existing.group(0), f"{self.rel_prefix}:id", self.legacy_rid)
            return tail[: existing.start()] + tag + tail[existing.end() :]
        insert_at = 0
        depth = 0
        child_name = ""
        for m in TAG_RE.finditer(tail):
            closing, name, _attrs, empty = m.group(1), m.group(2), m.group(3), m.group(4)
            local = name.split(":")[-1]
            if closing:
                depth -= 1
                if depth < 0:
                    break  # </worksheet>
                if depth == 0 and child_name in _BEFORE_LEGACY_DRAWING:
                    insert_at = m.end()
            elif empty:
                if depth == 0 and local in _BEFORE_LEGACY_DRAWING:
                    insert_at = m.end()
            else:
                if depth == 0:
                    child_name = local
                depth += 1
        element = f'<{self.prefix}legacyDrawing {self.rel_prefix}:id="{self.legacy_rid}"/>'
        return tail[:insert_at] + element + tail[insert_at:]

