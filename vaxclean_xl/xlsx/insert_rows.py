"""Data rows inserted, as XML text, into worksheets XlsxWriter has already written.

Why: XlsxWriter spends about 5 µs on every cell (a decorator, a tuple per cell, escaping
through several regular expressions), and a list of 200,000 persons has millions of
cells; no maintained library streams rows into an existing sheet faster. So a writer
lets XlsxWriter write each sheet's frame (heading, header row, column widths, formats,
the signature block at its final rows, print setup, charts) and leaves the data rows'
place empty; :func:`insert_rows` then copies the package, writing the data rows into
those sheets as plain XML (one ``str.format`` template per row shape, a row's texts
checked and escaped together, deflated on a helper thread) and widening ``<dimension>``.
The passport workbook (``formats.passport_report``) is written this way.
"""

from __future__ import annotations

import io
import operator
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

# a row's texts are looked at together, joined by _SEP (a character that composes with
# nothing, so the joined text is NFC when each text is; splitting the escaped join gives
# each text escaped); characters XML cannot hold or an OOXML _xHHHH_ in a text send the
# row cell by cell (esc_text)
_SEP = "\ue000"
_ILLEGAL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_OOXML_ESCAPE_RE = re.compile("_x[0-9A-Fa-f]{4}_")
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
    characters (Excel's limit); ``xml:space="preserve"`` always (spaces at either end
    stay, and no text has to be looked at for them)."""
    if not value.isascii():
        value = unicodedata.normalize("NFC", value)
    return f'<t xml:space="preserve">{esc_text(value[:MAX_CELL_TEXT])}</t>'


def _cell_xml(letter: str, r: str, col: Column, v: object, plain: bool) -> str:
    """One cell; ``plain``: a text needs no escaping (else :func:`inline_text`)."""
    if v.__class__ is str:
        if not v:
            return f'<c r="{letter}{r}" s="{col.blank}"/>'
        t = f'<t xml:space="preserve">{v}</t>' if plain else inline_text(v)  # type: ignore[arg-type]
        return f'<c r="{letter}{r}" s="{col.text}" t="inlineStr"><is>{t}</is></c>'
    if v is None:
        return ""
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise TypeError(f"cell value of type {type(v).__name__}")
    return f'<c r="{letter}{r}" s="{col.number}"><v>{v!r}</v></c>'


def _template(block: Block, types: tuple[type, ...], empty: tuple[bool, ...]) -> str:
    """A ``str.format`` template of the cells of rows whose values have these types and
    empty texts: ``{0}`` the row number, ``{i}`` the i-th value (already escaped)."""
    cells = []
    for i, (col, t, e) in enumerate(zip(block.columns, types, empty, strict=False)):
        letter, slot = col_letter(i), f"{{{i + 1}}}"
        if t is str:
            cells.append(_cell_xml(letter, "{0}", col, "" if e else slot, True))
        elif t is int or t is float:
            cells.append(f'<c r="{letter}{{0}}" s="{col.number}"><v>{slot}</v></c>')
        elif t is not type(None):
            raise TypeError(f"cell value of type {t.__name__}")
    return "".join(cells)


def rows_xml(block: Block) -> Iterator[str]:
    """The ``<row>`` elements of ``block``, a chunk of rows at a time. Why templates: a
    list's rows have a handful of shapes (which cells are empty); each shape's cells
    become one ``str.format`` template, and a row is one call (half the time of a call per
    cell); a row with a text to normalise or cut, or holding characters XML cannot hold
    or an ``_xHHHH_``, goes cell by cell."""
    columns = block.columns
    letters = [col_letter(c) for c in range(len(columns))]
    heights: Sequence[float | None] = block.heights or [None] * len(block.rows)
    illegal, is_nfc, join = _ILLEGAL_RE.search, unicodedata.is_normalized, _SEP.join
    shapes: dict[tuple[tuple[type, ...], tuple[bool, ...]], str] = {}
    batch: list[str] = []
    for r, (values, height) in enumerate(zip(block.rows, heights, strict=True),
                                         block.first_row):
        rs = str(r)
        batch.append(f'<row r="{rs}" ht="{height_attr(height)}" customHeight="1">'
                     if height else f'<row r="{rs}">')
        strs = [v for v in values if v.__class__ is str]
        texts = join(strs)
        if (illegal(texts) is None and len(texts) <= MAX_CELL_TEXT
                and texts.count(_SEP) == len(strs) - 1
                and ("_x" not in texts or _OOXML_ESCAPE_RE.search(texts) is None)
                and (texts.isascii() or is_nfc("NFC", texts))):
            key = (tuple(map(type, values)), tuple(map(operator.not_, values)))
            template = shapes.get(key)
            if template is None:
                template = shapes[key] = _template(block, *key)
            if "<" in texts or ">" in texts or "&" in texts:
                escaped = iter(texts.replace("&", "&amp;").replace("<", "&lt;")
                               .replace(">", "&gt;").split(_SEP))
                values = [next(escaped) if v.__class__ is str else v for v in values]
            batch.append(template.format(rs, *values))
        else:
            batch.append("".join(_cell_xml(letter, rs, col, v, False)
                                 for letter, col, v in zip(letters, columns, values,
                                                           strict=False)))
        batch.append("</row>")
        if len(batch) >= 3 * ROWS_PER_CHUNK:
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
