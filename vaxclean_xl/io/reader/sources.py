"""Rows of one sheet as the reading libraries give them, whatever the format.

python-calamine (Rust) reads .xlsx/.xlsm/.xls/.ods fast and with little memory; the csv
module reads .csv after its encoding (UTF-8, UTF-16, Windows-1258/1252) and delimiter are
found. Both become a :class:`Source`: an iterator of (Excel row number, raw row) with the
column offset, width and merged ranges the header search needs. Cell values stay as the
library gives them; a failure of a library becomes an :class:`InputError`, never a traceback.
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import itertools
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from vaxclean_xl.errors import E, InputError
from vaxclean_xl.io.reader.sniff import (
    SUPPORTED_SUFFIXES,
    err_corrupt,
    err_encrypted,
    err_missing,
)

if TYPE_CHECKING:
    from python_calamine import CalamineWorkbook

NFC = functools.partial(unicodedata.normalize, "NFC")


def blank(value: object) -> bool:
    """An empty cell: None, "" or only whitespace."""
    if value is None or value == "":
        return True
    return value.__class__ is str and not value.strip()  # type: ignore[union-attr]


@contextmanager
def library_errors(path: Path) -> Iterator[None]:
    """Turn any failure of the reading libraries into an InputError (no raw traceback)."""
    try:
        yield
    except InputError:
        raise
    except (KeyboardInterrupt, SystemExit, GeneratorExit, MemoryError):
        raise
    except BaseException as exc:  # pyo3 panics derive from BaseException
        if type(exc).__name__ == "PasswordError":
            raise err_encrypted(path) from exc
        raise err_corrupt(path) from exc


@dataclass(slots=True)
class Source:
    """Rows of one sheet as the library yields them, with where they sit in Excel terms."""

    name: str
    rows: Iterator[tuple[int, list]]  # (Excel row number, raw row)
    col_off: int  # absolute column index of element 0 of each raw row
    width: int  # length of every raw row
    max_col: int
    merges: list | None  # absolute 0-based ((r1, c1), (r2, c2)) or None if unknown
    nfc_done: bool = False  # strings already NFC (csv: the whole text was normalised)


@functools.cache
def _iter_rows_layout() -> tuple[bool, bool]:
    """(rows start at sheet row 1, columns start at column A) for calamine's iter_rows.

    python-calamine 0.9 pads the rows above the used range but not the columns left of it
    (upstream issue #177). Probe once on a tiny in-memory workbook so that a future fix
    cannot silently shift every row number.
    """
    try:
        from python_calamine import CalamineWorkbook

        from vaxclean_xl.xlsx.workbook import new_workbook

        buf = io.BytesIO()
        wb = new_workbook(buf, in_memory=True)
        wb.add_worksheet("p").write(2, 1, "x")
        wb.close()
        buf.seek(0)
        rows = list(CalamineWorkbook.from_filelike(buf).get_sheet_by_name("p").iter_rows())
        return len(rows) == 3, len(rows[-1]) == 2
    except Exception:  # pragma: no cover - keep the behaviour observed on 0.9
        return True, False


def calamine_source(sheet: object, name: str) -> Source | None:
    start = sheet.start  # type: ignore[attr-defined]
    end = sheet.end  # type: ignore[attr-defined]
    if start is None or end is None:
        return None
    rows_from_top, cols_from_left = _iter_rows_layout()
    row_base = 1 if rows_from_top else start[0] + 1
    col_off = 0 if cols_from_left else start[1]
    try:
        merges = sheet.merged_cell_ranges  # type: ignore[attr-defined]
    except Exception:
        merges = None
    return Source(
        name=name,
        rows=enumerate(sheet.iter_rows(), row_base),  # type: ignore[attr-defined]
        col_off=col_off,
        width=end[1] - col_off + 1,
        max_col=end[1],
        merges=list(merges) if merges else None,
    )


def open_workbook(path: Path, fmt: str) -> CalamineWorkbook:
    """Open with calamine; by path when the suffix tells the truth, else from the bytes."""
    from python_calamine import CalamineWorkbook

    by_suffix = SUPPORTED_SUFFIXES[path.suffix.lower()]
    if by_suffix == fmt or {by_suffix, fmt} == {"xlsx", "xlsm"}:
        return CalamineWorkbook.from_path(str(path))
    with path.open("rb") as fh:
        return CalamineWorkbook.from_filelike(fh)


def _decode(data: bytes, path: Path) -> str:
    if data.startswith(codecs.BOM_UTF8):
        encodings: tuple[str, ...] = ("utf-8-sig",)
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ("utf-16",)
    else:
        encodings = ("utf-8", "cp1258", "cp1252")
    for enc in encodings:
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise InputError(
        f"Không xác định được bảng mã của tệp «{path.name}»; hãy lưu lại dạng CSV UTF-8.",
        code=E.UNREADABLE,
    )


def _sniff_delimiter(text: str) -> str:
    """The delimiter among , ; TAB that splits most sample lines into the same count."""
    sample = text[:65536]
    if len(text) > len(sample) and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    best, best_key = ",", (0, 0)
    for delim in (",", ";", "\t"):
        try:
            counts = [
                len(r)
                for r in itertools.islice(csv.reader(io.StringIO(sample), delimiter=delim), 200)
            ]
        except csv.Error:
            continue
        multi = [c for c in counts if c > 1]
        if not multi:
            continue
        mode = max(set(multi), key=lambda c: (multi.count(c), c))
        key = (multi.count(mode), mode)
        if key > best_key:
            best, best_key = delim, key
    return best


def csv_source(path: Path) -> Source | None:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise err_missing(path) from exc
    text = NFC(_decode(data, path))
    del data
    delim = _sniff_delimiter(text)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delim))
    except csv.Error as exc:
        raise err_corrupt(path) from exc
    del text
    width = 0
    for row in rows:
        n = len(row)
        while n and not row[n - 1].strip():
            n -= 1
        if n > width:
            width = n
    if width == 0:
        return None
    for row in rows:
        if len(row) < width:
            row.extend([""] * (width - len(row)))
        elif len(row) > width:
            del row[width:]
    return Source(
        name=path.stem,
        rows=enumerate(rows, 1),
        col_off=0,
        width=width,
        max_col=width - 1,
        merges=None,
        nfc_done=True,
    )
