"""The user's template filled in place (:func:`fill_template`).

Hand-written OOXML editing, like the annotator, because no maintained library edits one
sheet of an existing workbook and leaves the rest alone: openpyxl re-saves the whole
package and drops what it does not model (extension-list validations, some styles and
defined-name details), XlsxWriter only writes new files. Every zip member is copied
unchanged except the data sheet's XML (streamed row by row; new ``<row>`` elements with
inline strings) and, only when no style can be reused, ``styles.xml`` (one Text-format
``xf`` appended).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from vaxclean_xl.core.normalize import nfc
from vaxclean_xl.formats.import_file.spec import ImportSpec, Value
from vaxclean_xl.formats.import_file.template import TemplateError, TemplateLayout
from vaxclean_xl.io.atomic import atomic_path
from vaxclean_xl.xlsx.ooxml import MAX_CELL_TEXT, attr_b, col_letter, esc_text, parse_ref, set_attr
from vaxclean_xl.xlsx.package import copy_info, copy_member
from vaxclean_xl.xlsx.stream import COPY_BLOCK, SheetRows
from vaxclean_xl.xlsx.styles import add_text_xf


def _broken(what: str) -> TemplateError:
    return TemplateError(f"Tệp mẫu bị hỏng: {what}")


def _text_xf(styles_xml: bytes) -> tuple[bytes, int]:
    """styles.xml with one more cellXfs entry: xf 0 with the Text number format."""
    added = add_text_xf(styles_xml.decode("utf-8", "surrogateescape"))
    if added is None:
        raise _broken("styles.xml không có <cellXfs>.")
    xml, index = added
    return xml.encode("utf-8", "surrogateescape"), index


@dataclass(slots=True)
class _SheetFacts:
    """What the filler needs to know about the sheet before writing it."""

    prefix: bytes  # namespace prefix of the worksheet's elements (b"" or b"x:")
    row_styles: dict[int, int]  # 0-based column -> style of the first data row's cell
    row_style: int | None  # the first data row's own style (customFormat rows)
    col_styles: list[tuple[int, int, int]]  # (first, last 0-based, style) from <cols>


def _peek_sheet(zin: zipfile.ZipFile, part: str, style_row: int) -> _SheetFacts:
    with zin.open(part) as stream:
        sheet = SheetRows(stream, broken=_broken)
        facts = _SheetFacts(sheet.prefix, {}, None, [])
        p = re.escape(sheet.prefix)
        cols = re.search(rb"<" + p + rb"cols\b[^>]*>(.*?)</" + p + rb"cols>", sheet.head, re.S)
        if cols:
            for col in re.finditer(rb"<" + p + rb"col\b([^>]*?)/?>", cols.group(1)):
                lo = int(attr_b(col.group(1), b"min") or 1)
                hi = int(attr_b(col.group(1), b"max") or lo)
                style = attr_b(col.group(1), b"style")
                if style and style.isdigit():
                    facts.col_styles.append((lo - 1, hi - 1, int(style)))
        cell_re = re.compile(rb"<" + p + rb"c\b([^>]*?)(?:/>|>.*?</" + p + rb"c>)", re.S)
        for number, attrs, inner, _whole in sheet.rows():
            if number < style_row:
                continue
            if number == style_row:
                if attr_b(attrs, b"customFormat") in (b"1", b"true"):
                    s = attr_b(attrs, b"s")
                    facts.row_style = int(s) if s and s.isdigit() else None
                col = -1
                for c in cell_re.finditer(inner):
                    ref = attr_b(c.group(1), b"r")
                    col = parse_ref(ref)[1] if ref else col + 1
                    s = attr_b(c.group(1), b"s")
                    if s and s.isdigit():
                        facts.row_styles[col] = int(s)
            break
    return facts


class _Filler:
    """Streams the data sheet, writing the records from ``first_row`` down."""

    def __init__(self, prefix: bytes, first_row: int,
                 cells: list[dict[int, tuple[Value, int | None]]]) -> None:
        self.p = prefix
        self.first_row = first_row
        self.cells = cells  # per record: column -> (value, style)
        self.last_row = first_row + len(cells) - 1
        self.max_col = max((max(c) for c in cells if c), default=-1)
        pe = re.escape(prefix)
        self.cell_re = re.compile(rb"<" + pe + rb"c\b([^>]*?)(?:/>|>.*?</" + pe + rb"c>)", re.S)

    def _cell(self, row: int, col: int, value: Value, style: int | None) -> bytes:
        p = self.p.decode()
        ref = f"{col_letter(col)}{row}"
        s = f' s="{style}"' if style is not None else ""
        if isinstance(value, int) and not isinstance(value, bool):
            return f'<{p}c r="{ref}"{s}><{p}v>{value}</{p}v></{p}c>'.encode()
        if value:
            text = esc_text(nfc(str(value))[:MAX_CELL_TEXT])
            return (f'<{p}c r="{ref}"{s} t="inlineStr"><{p}is><{p}t xml:space="preserve">'
                    f"{text}</{p}t></{p}is></{p}c>").encode()
        return f'<{p}c r="{ref}"{s}/>'.encode() if style is not None else b""

    def new_row(self, row: int) -> bytes:
        own = self.cells[row - self.first_row]
        body = b"".join(self._cell(row, c, *own[c]) for c in sorted(own))
        return b"<" + self.p + b'row r="%d">' % row + body + b"</" + self.p + b"row>"

    def merged_row(self, row: int, attrs: bytes, inner: bytes) -> bytes:
        """An existing (pre-formatted, empty) row with our cells put in (their styles kept)."""
        own = self.cells[row - self.first_row]
        cells: dict[int, bytes] = {}
        col = -1
        for m in self.cell_re.finditer(inner):
            ref = attr_b(m.group(1), b"r")
            col = parse_ref(ref)[1] if ref else col + 1
            whole = m.group(0)
            if col in own:
                s = attr_b(m.group(1), b"s")
                value, style = own[col]
                cells[col] = self._cell(row, col, value, int(s) if s and s.isdigit() else style)
            else:
                if not ref:
                    at = 2 + len(self.p)
                    whole = whole[:at] + f' r="{col_letter(col)}{row}"'.encode() + whole[at:]
                cells[col] = whole
        for c, (value, style) in own.items():
            if c not in cells:
                cells[c] = self._cell(row, c, value, style)
        attrs = re.sub(rb"\sspans\s*=\s*(\"[^\"]*\"|'[^']*')", b"", attrs)
        if attr_b(attrs, b"r") is None:
            attrs = b' r="%d"' % row + attrs
        body = b"".join(cells[c] for c in sorted(cells))
        return b"<" + self.p + b"row" + attrs + b">" + body + b"</" + self.p + b"row>"

    def head(self, head: bytes, self_closing: bool) -> bytes:
        p = re.escape(self.p)
        dm = re.search(rb"<" + p + rb"dimension\b[^>]*?/?>", head)
        if dm and self.cells:
            ref = attr_b(dm.group(0), b"ref") or b"A1"
            try:
                corners = [parse_ref(x) for x in ref.split(b":")]
            except ValueError:
                corners = [(1, 0)]
            top = min(r for r, _ in corners)
            left = min(c for _, c in corners)
            bottom = max([r for r, _ in corners] + [self.last_row])
            right = max([c for _, c in corners] + [self.max_col])
            new = f"{col_letter(left)}{top}:{col_letter(right)}{bottom}"
            head = head[: dm.start()] + set_attr(dm.group(0), "ref", new) + head[dm.end():]
        if self_closing:
            sd = re.search(rb"<" + p + rb"sheetData\b([^>]*?)/>", head)
            assert sd is not None
            head = head[: sd.start()] + b"<" + self.p + b"sheetData" + sd.group(1) + b">" \
                + head[sd.end():]
        return head

    def rewrite(self, stream: IO[bytes], write: Callable[[bytes], object]) -> None:
        sheet = SheetRows(stream, broken=_broken)
        write(self.head(sheet.head, sheet.self_closing))
        nxt = self.first_row
        out: list[bytes] = []
        size = 0
        for number, attrs, inner, whole in sheet.rows():
            while nxt <= self.last_row and nxt < number:
                out.append(self.new_row(nxt))
                nxt += 1
            if nxt <= self.last_row and nxt == number:
                out.append(self.merged_row(number, attrs, inner))
                nxt += 1
            else:
                out.append(whole)
            size += len(out[-1])
            if size > COPY_BLOCK:
                write(b"".join(out))
                out, size = [], 0
        while nxt <= self.last_row:
            out.append(self.new_row(nxt))
            nxt += 1
        out.append(b"</" + self.p + b"sheetData>")
        write(b"".join(out))
        write(sheet.tail)


@dataclass(slots=True)
class FillResult:
    first_row: int
    last_row: int
    styles_changed: bool
    changed_parts: list[str] = field(default_factory=list)



def fill_template(layout: TemplateLayout, output: str | Path, spec: ImportSpec,
                  rows: Sequence[dict[str, Value]]) -> FillResult:
    """Write ``output``: the template with ``rows`` under its headers, nothing else changed.

    Cell styles: the style of the template's first data-row cell in that column, else the
    column's style, else (Text-format columns only) a Text ``xf`` added to styles.xml.
    """
    style_row = layout.header_rows[-1] + 1
    with zipfile.ZipFile(layout.path) as zin:
        facts = _peek_sheet(zin, layout.sheet_part, style_row)
        styles_xml: bytes | None = None
        text_xf: int | None = None
        col_style: dict[int, int | None] = {}
        for col in spec.columns:
            c = layout.columns.get(col.id)
            if c is None:
                continue
            style = facts.row_styles.get(c)
            if style is None:
                style = next((s for lo, hi, s in facts.col_styles if lo <= c <= hi),
                             facts.row_style)
            if style is None and col.text_format and layout.styles_part:
                if text_xf is None:
                    styles_xml, text_xf = _text_xf(zin.read(layout.styles_part))
                style = text_xf
            col_style[c] = style
        cells = [
            {c: (values.get(cid), col_style[c]) for cid, c in layout.columns.items()
             if values.get(cid) not in (None, "") or col_style[c] is not None}
            for values in rows
        ]
        changed = [layout.sheet_part] + ([layout.styles_part] if styles_xml is not None else [])
        filler = _Filler(facts.prefix, layout.first_row, cells)
        with atomic_path(output) as tmp, \
                zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zout:
            for info in zin.infolist():
                if info.filename == layout.sheet_part:
                    new = copy_info(info)
                    new.compress_type = zipfile.ZIP_DEFLATED
                    big = info.file_size > (1 << 30)
                    with zin.open(info) as src, zout.open(new, "w", force_zip64=big) as dst:
                        filler.rewrite(src, dst.write)
                elif styles_xml is not None and info.filename == layout.styles_part:
                    zout.writestr(copy_info(info), styles_xml)
                else:
                    copy_member(zin, info, zout)
    return FillResult(layout.first_row, layout.first_row + len(rows) - 1,
                      styles_xml is not None, changed)

