"""Data rows inserted, as XML text, into worksheets XlsxWriter has already written.

Why: XlsxWriter spends about 5 µs on every cell (a decorator, a tuple per cell, escaping
through several regular expressions), and a list of 200,000 persons has millions of
cells; no maintained library streams rows into an existing sheet faster. So a writer
lets XlsxWriter write each sheet's frame (heading, header row, column widths, formats,
the signature block at its final rows, print setup, charts) and leaves the data rows'
place empty; :func:`insert_rows` then copies the package, writing the data rows into
those sheets as plain XML (one f-string per cell, escaped only when a text needs it,
deflated on a helper thread) and widening ``<dimension>``.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vaxclean_xl.xlsx.ooxml import (
    MAX_CELL_TEXT,
    RT_WORKSHEET,
    col_letter,
    esc_text,
    parse_ref,
    set_attr,
)
from vaxclean_xl.xlsx.package import PackageParts, copy_info, copy_member, workbook_sheets
from vaxclean_xl.xlsx.stream import SheetRows, WriteBehind

ROWS_PER_CHUNK = 1000  # rows joined into one string before it is encoded and deflated
DEFLATE_LEVEL = 1  # the inserted sheets are large: fast deflate (as the hamlet files)

# a text that needs more than being put between <t> and </t>: XML specials, characters
# XML cannot hold, OOXML's own _xHHHH_ escapes, spaces at either end (xml:space)
_SPECIAL_RE = re.compile(
    "[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]|_x[0-9A-Fa-f]{4}_|^\\s|\\s\\Z")
_DIMENSION_RE = re.compile(rb"<(?:[\w.-]+:)?dimension\b[^>]*>")


@dataclass(frozen=True, slots=True)
class Column:
    """The xf (cell format) indices of one column's cells, by kind of value."""

    text: int
    blank: int
    number: int


@dataclass(slots=True)
class Block:
    """Rows to insert into one sheet, from ``first_row`` (1-based) down. A value is a
    ``str`` (text; "" an empty cell with a format), an ``int``/``float`` (number) or None
    (no cell); ``heights``: each row's height in points, None for the default."""

    sheet: str
    first_row: int
    columns: Sequence[Column]
    rows: Sequence[Sequence[object]]
    heights: Sequence[float | None] | None = None

    @property
    def last_row(self) -> int:
        return self.first_row + len(self.rows) - 1


def xf_index(fmt: Any) -> int:
    """The xf index XlsxWriter gives the cells of format ``fmt`` (the number it writes in
    ``s="…"``), registering the format as writing a cell with it would: a format used only
    by inserted rows is still in styles.xml."""
    return int(fmt._get_xf_index())


def height_attr(points: float) -> str:
    """A row's ``ht`` as XlsxWriter's ``set_row(row, points)`` writes it (whole pixels)."""
    return f"{int(points * 4.0 / 3.0 + 0.5) * 0.75:.16g}"


def inline_text(value: str) -> str:
    """The ``<is>`` content of an inline text cell: NFC, escaped, at most 32,767
    characters (Excel's limit), ``xml:space="preserve"`` when spaces begin or end it."""
    if not value.isascii():
        value = unicodedata.normalize("NFC", value)
    if len(value) > MAX_CELL_TEXT:
        value = value[:MAX_CELL_TEXT]
    if _SPECIAL_RE.search(value) is None:
        return f"<t>{value}</t>"
    text = esc_text(value)
    if text[:1].isspace() or text[-1:].isspace():
        return f'<t xml:space="preserve">{text}</t>'
    return f"<t>{text}</t>"


def rows_xml(block: Block) -> Iterator[str]:
    """The ``<row>`` elements of ``block``, a chunk of rows at a time."""
    cols = [(col_letter(c), f'" s="{col.text}" t="inlineStr"><is>', f'" s="{col.blank}"/>',
             f'" s="{col.number}"><v>') for c, col in enumerate(block.columns)]
    heights: Sequence[float | None] = block.heights or [None] * len(block.rows)
    special, is_nfc = _SPECIAL_RE.search, unicodedata.is_normalized
    batch: list[str] = []
    for r, (values, height) in enumerate(zip(block.rows, heights, strict=True),
                                         block.first_row):
        rs = str(r)
        parts = [f'<row r="{rs}" ht="{height_attr(height)}" customHeight="1">'
                 if height else f'<row r="{rs}">']
        for (letter, text, blank, number), v in zip(cols, values, strict=False):
            if v.__class__ is str:
                if v:
                    # most texts need nothing done: no call for them (the hot loop)
                    if (special(v) is None and len(v) <= MAX_CELL_TEXT  # type: ignore[arg-type]
                            and (v.isascii() or is_nfc("NFC", v))):  # type: ignore[union-attr]
                        parts.append(f'<c r="{letter}{rs}{text}<t>{v}</t></is></c>')
                    else:
                        parts.append(f'<c r="{letter}{rs}{text}{inline_text(v)}</is></c>')  # type: ignore[arg-type]
                else:
                    parts.append(f'<c r="{letter}{rs}{blank}')
            elif v is None:
                continue
            elif isinstance(v, bool) or not isinstance(v, int | float):
                raise TypeError(f"cell value of type {type(v).__name__}")
            else:
                parts.append(f'<c r="{letter}{rs}{number}{v!r}</v></c>')
        parts.append("</row>")
        batch.append("".join(parts))
        if len(batch) >= ROWS_PER_CHUNK:
            yield "".join(batch)
            batch.clear()
    if batch:
        yield "".join(batch)


def sheet_members(pkg: PackageParts) -> dict[str, str]:
    """Sheet name -> zip member of its worksheet part (through the workbook's relationships)."""
    from xml.etree import ElementTree as ET

    office = pkg.office_part()
    if office is None:
        raise ValueError("no workbook part")
    rels = {r.id: r for r in pkg.rels(office)}
    out = {}
    for name, _id, rid in workbook_sheets(ET.fromstring(pkg.zin.read(office))):
        rel = rels.get(rid)
        if rel is not None and rel.type == RT_WORKSHEET and not rel.external:
            member = pkg.real(rel.target)
            if member is not None:
                out[name] = member
    return out


def _widen_dimension(head: bytes, block: Block) -> bytes:
    m = _DIMENSION_RE.search(head)
    if m is None:
        return head
    found = re.search(rb'\bref="([^"]*)"', m.group(0))
    ref = found.group(1) if found and found.group(1) else b"A1"
    ends = [parse_ref(x) for x in ref.split(b":")]
    rows = [r for r, _c in ends] + [block.first_row, block.last_row]
    cols = [c for _r, c in ends] + [0, len(block.columns) - 1]
    new = f"{col_letter(min(cols))}{min(rows)}:{col_letter(max(cols))}{max(rows)}"
    return head[:m.start()] + set_attr(m.group(0), "ref", new) + head[m.end():]


def _write_sheet(xml: bytes, block: Block, write: Any) -> None:
    sheet = SheetRows(io.BytesIO(xml))
    frame = list(sheet.rows())
    before = [whole for r, _a, _i, whole in frame if r < block.first_row]
    after = [(r, whole) for r, _a, _i, whole in frame if r >= block.first_row]
    if after and after[0][0] <= block.last_row:
        raise ValueError(f"row {after[0][0]} of sheet {block.sheet!r} is already written")
    p = sheet.prefix
    write(_widen_dimension(sheet.head[:-2] + b">" if sheet.self_closing else sheet.head,
                           block) + b"".join(before))
    for chunk in rows_xml(block):
        write(chunk.encode("utf-8"))
    write(b"".join(w for _r, w in after) + b"</" + p + b"sheetData>" + sheet.tail)


def insert_rows(package: bytes, target: str | Path, blocks: Sequence[Block]) -> None:
    """Write the workbook ``package`` (an .xlsx's bytes) to ``target`` with the rows of
    ``blocks`` in their sheets (whose rows from a block's first to last row must be
    empty); every other member is copied as it is."""
    with zipfile.ZipFile(io.BytesIO(package)) as zin:
        pkg = PackageParts(zin)
        members = sheet_members(pkg)
        by_member = {}
        for b in blocks:
            if b.sheet not in members:
                raise ValueError(f"no sheet {b.sheet!r}")
            by_member[members[b.sheet]] = b
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in pkg.infos:
                block = by_member.get(info.filename)
                if block is None:
                    copy_member(zin, info, zout)
                    continue
                new = copy_info(info)
                new.compress_type = zipfile.ZIP_DEFLATED
                new._compresslevel = DEFLATE_LEVEL  # type: ignore[attr-defined]
                new.file_size = 0
                with zout.open(new, "w", force_zip64=True) as dst, WriteBehind(dst.write) as wb:
                    _write_sheet(zin.read(info), block, wb.write)
