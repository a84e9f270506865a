"""Legacy Vietnamese fonts (TCVN3 ".VnTime", VNI "VNI-Times") of the name cells.

Old lists type names in 8-bit legacy encodings that only their font tells apart; the
normaliser needs the font of each such name cell. Only workbooks whose styles name a
legacy font are scanned, and only the few name cells that could be legacy text.
"""

from __future__ import annotations

import bisect
import re
import warnings
import zipfile
from pathlib import Path

from vaxclean_xl.io.reader.columns import column_letter

_LEGACY_FONT_NAME = re.compile(r"^(\.vn|vni)", re.IGNORECASE)
_XML_ATTR = r'\b{name}="([^"]*)"'
FONT_SCAN_BLOCK = 1 << 22  # bytes of sheet XML inflated at a time by the font scan


def legacy_font(name: str | None) -> bool:
    """True for TCVN3 (".VnTime"…) and VNI ("VNI-Times"…) font names."""
    return bool(name) and bool(_LEGACY_FONT_NAME.match(name))  # type: ignore[arg-type]


def name_fonts(path: Path, sheet: str, col: int, records: list[tuple[int, list]]) -> dict:
    """Font of each record's name cell (only called for workbooks with legacy fonts).

    Reads the style index of the name cells straight from the sheet XML and maps it to a
    font through styles.xml: openpyxl's read-only mode needs ~30 s to walk a 200,000-row
    sheet for one column, this streaming scan ~1 s. Falls back to openpyxl when the
    package does not look as expected.
    """
    from vaxclean_xl.core.legacy_text import could_be_legacy

    # only names that may be 8-bit legacy text need their font (usually a few, often none)
    records = [(n, row) for n, row in records if col < len(row) and could_be_legacy(row[col])]
    if not records:
        return {}
    try:
        return _name_fonts_xml(path, sheet, col, {number for number, _ in records})
    except Exception:
        return _name_fonts_openpyxl(path, sheet, col, records)


def _name_fonts_xml(path: Path, sheet: str, col: int, wanted: set[int]) -> dict[int, str]:
    with zipfile.ZipFile(path) as z:
        styles = z.read("xl/styles.xml").decode("utf-8")
        fonts_xml = re.search(r"<(?:\w+:)?fonts\b.*?</(?:\w+:)?fonts>", styles, re.S)
        font_names = [
            (re.search(r'<(?:\w+:)?name\s+val="([^"]*)"', f) or [None, ""])[1]
            for f in re.findall(r"<(?:\w+:)?font\b.*?</(?:\w+:)?font>|<(?:\w+:)?font\s*/>",
                                fonts_xml.group(0) if fonts_xml else "", re.S)
        ]
        xfs_xml = re.search(r"<(?:\w+:)?cellXfs\b.*?</(?:\w+:)?cellXfs>", styles, re.S)
        xf_font = [int((re.search(_XML_ATTR.format(name="fontId"), x) or [0, "0"])[1])
                   for x in re.findall(r"<(?:\w+:)?xf\b[^>]*>", xfs_xml.group(0))]
        part = _sheet_part(z, sheet)
        letter = column_letter(col).encode()
        cell_re = re.compile(rb'<(?:\w+:)?c r="' + letter + rb'(\d+)"([^>]*)>')
        style_re = re.compile(rb'\bs="(\d+)"')
        row_re = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="(\d+)"')
        default = font_names[xf_font[0]] if xf_font else ""
        rows = sorted(wanted)
        out: dict[int, str] = {}
        with z.open(part) as fh:
            tail = b""
            prev_last = 0  # the last row that started in earlier blocks
            for block in iter(lambda: fh.read(FONT_SCAN_BLOCK), b""):
                data = tail + block
                cut = data.rfind(b"<")
                data, tail = data[:cut], data[cut:]
                starts = row_re.findall(data)  # row numbers of the rows starting here
                if not starts:  # no row starts here (a giant row): look at every cell
                    for m in cell_re.finditer(data):
                        row = int(m.group(1))
                        if row in wanted:
                            sm = style_re.search(m.group(2))
                            out[row] = font_names[xf_font[int(sm.group(1))]] if sm else default
                    continue
                # the wanted cells of this block's rows (and of the row that began in the
                # block before), found by their reference
                i = bisect.bisect_left(rows, min(prev_last or int(starts[0]), int(starts[0])))
                prev_last = max(prev_last, int(starts[-1]))
                j = bisect.bisect_right(rows, prev_last)
                pos = 0
                for row in rows[i:j]:
                    idx = data.find(b' r="%s%d"' % (letter, row), pos)
                    if idx < 0:
                        continue  # not in this block (or no such cell)
                    start = data.rfind(b"<", 0, idx)
                    m = cell_re.match(data, start)
                    if m is None or int(m.group(1)) != row:
                        continue
                    sm = style_re.search(m.group(2))
                    out[row] = font_names[xf_font[int(sm.group(1))]] if sm else default
                    pos = m.end()
        return out


def _sheet_part(z: zipfile.ZipFile, sheet: str) -> str:
    """Zip member of the worksheet named ``sheet`` (workbook.xml + its relationships)."""
    wb = z.read("xl/workbook.xml").decode("utf-8")
    rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    for m in re.finditer(r"<(?:\w+:)?sheet\b[^>]*>", wb):
        tag = m.group(0)
        name = re.search(_XML_ATTR.format(name="name"), tag)
        rid = re.search(r'\br:id="([^"]*)"|\b\w+:id="([^"]*)"', tag)
        if not name or not rid:
            continue
        import html

        if html.unescape(name.group(1)) != sheet:
            continue
        wanted = rid.group(1) or rid.group(2)
        for rel in re.finditer(r"<(?:\w+:)?Relationship\b[^>]*>", rels):
            if re.search(_XML_ATTR.format(name="Id"), rel.group(0)).group(1) == wanted:  # type: ignore[union-attr]
                target = re.search(_XML_ATTR.format(name="Target"), rel.group(0)).group(1)  # type: ignore[union-attr]
                return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    raise KeyError(sheet)


def _name_fonts_openpyxl(path: Path, sheet: str, col: int, records: list[tuple[int, list]]
                         ) -> dict[int, str]:
    wanted = {number for number, _ in records}
    first, last = records[0][0], records[-1][0]
    fonts: dict[int, str] = {}
    try:
        import openpyxl

        with warnings.catch_warnings(), path.open("rb") as fh:
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(fh, read_only=True)
            try:
                ws = wb[sheet]
                cells = ws.iter_rows(min_row=first, max_row=last, min_col=col + 1, max_col=col + 1)
                for number, cells_of_row in enumerate(cells, first):
                    if number not in wanted or not cells_of_row:
                        continue
                    font = getattr(cells_of_row[0], "font", None)
                    name = getattr(font, "name", None)
                    if name:
                        fonts[number] = str(name)
            finally:
                wb.close()
    except Exception:  # fonts are a hint for the normaliser; never fail the read on them
        return {}
    return fonts
