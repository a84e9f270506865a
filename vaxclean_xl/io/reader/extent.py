"""How far a worksheet's cells reach, known before calamine reads it.

Why: calamine builds a sheet as one dense range from its first to its last cell holding a
value, 32 bytes a cell, and a process that cannot get that memory is aborted by Rust's
allocator (no exception to catch). One stray value at XFD1048576 asks for 512 GiB. So an
.xlsx/.xlsm sheet whose ``<dimension>`` says it is that large is scanned first for the
cells that really hold a value (cells with only a style do not count, as for calamine),
and refused with a Vietnamese message when those still span too many cells. Other
formats, and sheets whose dimension is small or missing, are read as they are.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

from vaxclean_xl.errors import E, InputError
from vaxclean_xl.io.reader.columns import column_letter
from vaxclean_xl.xlsx.ooxml import col_index
from vaxclean_xl.xlsx.package import PackageParts, workbook_sheets

# 120 million cells: about 3.6 GiB of calamine's range; a list of 1,000,000 rows and 40
# columns is 40 million
MAX_CELLS = 120_000_000

_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
# a whole cell element: its reference, whether it closes itself, and its content
_CELL = re.compile(rb'<(?:\w+:)?c\s[^>]*?r="([A-Z]+)(\d+)"[^>]*?(?:/>|>(.*?)</(?:\w+:)?c>)',
                   re.S)
_CELL_START = re.compile(rb"<(?:\w+:)?c[\s>/]")
# a value: <v>…</v> with something in it, or an inline string
_VALUE = re.compile(rb"<(?:\w+:)?v>[^<]|<(?:\w+:)?is>")
_CHUNK = 1 << 20


def check_extent(path: Path, fmt: str, sheet: str) -> None:
    """Raise :class:`InputError` (E109) when ``sheet`` of an .xlsx/.xlsm file holds values
    too far apart to read; do nothing for other formats or unreadable packages (the reader
    reports those)."""
    if fmt not in ("xlsx", "xlsm"):
        return
    try:
        with zipfile.ZipFile(path) as zin:
            member = _sheet_member(PackageParts(zin), sheet)
            if member is None:
                return
            with zin.open(member) as fh:
                head = fh.read(8192)
                dim = _DIMENSION.search(head)
                if dim is None or not dim.group(3):
                    return
                rows = int(dim.group(4)) - int(dim.group(2)) + 1
                cols = col_index(dim.group(3).decode()) - col_index(dim.group(1).decode()) + 1
                if rows * cols <= MAX_CELLS:
                    return
                far = _far_value(head, fh)
    except (OSError, zipfile.BadZipFile, KeyError, ET.ParseError, ValueError):
        return
    if far is None:
        return
    (r0, c0), (r1, c1) = far
    if (r1 - r0 + 1) * (c1 - c0 + 1) > MAX_CELLS:
        raise InputError(
            f"Trang tính «{sheet}» có ô dữ liệu ở rất xa danh sách (ô {column_letter(c1)}{r1}), "
            "nên không đọc được. Hãy xóa các ô thừa đó (Ctrl+End để tìm ô cuối), lưu lại rồi "
            "chạy lại.", code=E.SHEET_TOO_LARGE)


def _sheet_member(parts: PackageParts, sheet: str) -> str | None:
    office = parts.office_part()
    if office is None:
        return None
    rels = {r.id: r for r in parts.rels(office)}
    workbook = ET.fromstring(parts.zin.read(office))
    for name, _id, rid in workbook_sheets(workbook):
        if name == sheet and rid in rels:
            return parts.real(rels[rid].target)
    return None


def _far_value(head: bytes, fh: object) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """((first row, first column), (last row, last column)) of the cells holding a value
    (a non-empty <v> or an inline string, as calamine counts), 0-based columns; None when
    there are none."""
    lo_r = lo_c = 1 << 62
    hi_r = hi_c = -1
    tail = b""
    chunk = head
    while chunk:
        data = tail + chunk
        chunk = fh.read(_CHUNK)  # type: ignore[attr-defined]
        # a cell cut by the chunk's end waits for the next chunk (the last is read whole)
        starts = [m.start() for m in _CELL_START.finditer(data, max(0, len(data) - 65536))]
        cut = starts[-1] if starts and chunk else -1
        body, tail = (data[:cut], data[cut:]) if cut > 0 else (data, b"")
        for m in _CELL.finditer(body):
            if not m.group(3) or not _VALUE.search(m.group(3)):  # a style, no value
                continue
            r, c = int(m.group(2)), col_index(m.group(1).decode())
            lo_r, hi_r = min(lo_r, r), max(hi_r, r)
            lo_c, hi_c = min(lo_c, c), max(hi_c, c)
    if hi_r < 0:
        return None
    return (lo_r, lo_c), (hi_r, hi_c)
