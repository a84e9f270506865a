"""What the annotator learns about the worksheet before rewriting it.

Its namespace prefix, its ``<dimension>`` (where the status columns go, when it can be
trusted), the ``<legacyDrawing>`` that names the notes' VML part, and when the dimension
cannot be trusted the extent actually used, from a quick streaming pass.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass

from vaxclean_xl.xlsx.ooxml import (
    REF_RE,
    WorkbookPackageError,
    attr_b,
    col_index,
    get_attr,
    parse_ref,
    part_root,
    unesc,
)
from vaxclean_xl.xlsx.stream import CHUNK, TRUNCATED, broken_workbook, read_head, read_tail


class Collision(Exception):  # noqa: N818 - internal control flow
    """A status column (taken from <dimension>) already holds user data: rescan and retry."""



@dataclass(slots=True)
class SheetInfo:
    prefix: str
    dim_ref: str | None
    dim_reliable: bool
    max_col: int  # 0-based, -1 if unknown/empty
    max_row: int
    root_tag: str
    legacy_drawing_rid: str | None  # r:id of an existing <legacyDrawing> (notes/controls VML)


def peek_sheet(zin: zipfile.ZipFile, part: str, need_tail: bool = True) -> SheetInfo:
    """Learn the sheet's prefix, <dimension> and existing <legacyDrawing> before writing.

    The rows are only inflated and skipped (cheap); the head and the tail after
    ``</sheetData>`` are kept. The tail is needed because a sheet's header/footer images use
    the same ``vmlDrawing`` relationship type as notes: only ``<legacyDrawing r:id>`` tells
    which VML part holds the notes. Without any VML relationship (``need_tail`` False) the
    tail cannot name one, and the rows are not even inflated.
    """
    with zin.open(part) as stream:
        head_b, self_closing, rest = read_head(stream)
        tail_b = read_tail(stream, rest, self_closing) if need_tail else b""
    head = head_b.decode("utf-8")
    check_encoding(head)
    prefix, local, root = part_root(head)
    if local != "worksheet":
        raise WorkbookPackageError("Trang tính được chọn không phải là bảng tính thường.")
    m = re.search(rf"<{re.escape(prefix)}dimension\b([^>]*)>", head)
    ref = get_attr(m.group(1), "ref") if m else None
    max_col, max_row, reliable = -1, 0, False
    if ref:
        try:
            corners = [parse_ref(x) for x in ref.split(":")]
            max_row = max(r for r, _ in corners)
            max_col = max(c for _, c in corners)
            empty = self_closing or rest.lstrip().startswith(f"</{prefix}sheetData".encode())
            reliable = ":" in ref or (max_col == 0 and max_row == 1 and empty)
        except ValueError:
            reliable = False
    tail = tail_b.decode("utf-8")
    legacy = None
    lm = re.search(rf"<{re.escape(prefix)}legacyDrawing\b([^>]*)>", tail)
    if lm:  # the r: prefix may be declared on the root or on the element (openpyxl)
        idm = re.search(r"""[\w.-]+:id\s*=\s*["']([^"']*)["']""", lm.group(1))
        legacy = unesc(idm.group(1)) if idm else None
    return SheetInfo(prefix, ref, reliable, max_col, max_row, root.group(0), legacy)



def check_encoding(head: str) -> None:
    m = re.match(r"\ufeff?<\?xml[^>]*encoding\s*=\s*[\"']([^\"']+)", head)
    if m and m.group(1).lower().replace("-", "") != "utf8":
        raise WorkbookPackageError("Trang tính không dùng mã UTF-8; hãy lưu lại tệp bằng Excel.")


def scan_extent(zin: zipfile.ZipFile, part: str, prefix: str) -> tuple[int, int]:
    """(max 0-based column, max row) actually used, by a quick streaming pass."""
    p = re.escape(prefix.encode())
    row_re = re.compile(rb"<" + p + rb"row\b([^>]*?)(?:/>|>(.*?)</" + p + rb"row>)", re.S)
    cell_re = re.compile(rb"<" + p + rb"c\b([^>]*?)(?:/>|>.*?</" + p + rb"c>)", re.S)
    ref_re = re.compile(rb"<" + p + rb"c\b[^>]*?\sr=\"([A-Za-z]+)")
    start_re = re.compile(rb"<" + p + rb"c[\s/>]")
    row_close = b"</" + prefix.encode() + b"row>"
    end_tag = b"</" + prefix.encode() + b"sheetData>"
    max_col, max_row, prev_row = -1, 0, 0

    def scan(section: bytes) -> None:
        nonlocal max_col, max_row, prev_row
        letters = ref_re.findall(section)
        if len(letters) == len(start_re.findall(section)):
            if letters:
                max_col = max(max_col, max(col_index(x.decode()) for x in set(letters)))
            last = section.rfind(b"<" + prefix.encode() + b"row")
            rows = list(row_re.finditer(section, last)) if last >= 0 else []
            if rows and (r := attr_b(rows[-1].group(1), b"r")):
                prev_row = int(r)
                max_row = max(max_row, prev_row)
                return
        for m in row_re.finditer(section):
            r = attr_b(m.group(1), b"r")
            prev_row = int(r) if r else prev_row + 1
            max_row = max(max_row, prev_row)
            col = -1
            for c in cell_re.finditer(m.group(2) or b""):
                ref = attr_b(c.group(1), b"r")
                rm = REF_RE.match(ref) if ref else None
                col = col_index(rm.group(1).decode()) if rm else col + 1
                max_col = max(max_col, col)

    with zin.open(part) as stream:
        _, self_closing, buf = read_head(stream)
        if self_closing:
            return -1, 0
        while True:
            idx = buf.find(end_tag)
            if idx >= 0:
                scan(buf[:idx])
                return max_col, max_row
            cut = buf.rfind(row_close)
            if cut >= 0:
                cut += len(row_close)
                scan(buf[:cut])
                buf = buf[cut:]
            chunk = stream.read(CHUNK)
            if not chunk:
                raise broken_workbook(TRUNCATED)
            buf += chunk

