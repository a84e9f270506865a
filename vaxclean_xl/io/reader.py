"""Read a vaccination list (.xlsx, .xlsm, .xls, .ods, .csv) into a :class:`Table` of raw rows.

Why this module exists: the lists are hand-made by commune health stations, so the
records rarely start in A1. Above them sit title blocks ("SỞ Y TẾ…", "CỘNG HÒA XÃ HỘI CHỦ
NGHĨA VIỆT NAM", "DANH SÁCH…"), sometimes a two-row merged header (the platform template),
a column-numbering row "(1) (2) (3)…"; below them a "Tổng cộng" row and a signature block
whose signer names must not be taken for people. No reader library knows these layouts, so
the header search (``headers.py``) and the end-of-list rules here are hand-written.

Design choices:

* python-calamine (Rust) reads every spreadsheet format fast and with little memory; the
  csv module reads csv. Cell values are kept as the library gives them (str, float, int,
  bool, date/datetime/time/timedelta; csv cells are str), strings NFC-normalised, so that
  the normaliser sees exactly what the user typed.
* ``Table.rows`` holds the *full* row of each record (index = 0-based column), so writers can
  copy untouched columns back; row numbers are real Excel row numbers, used in messages.
* One pass over ``iter_rows()``: the first rows are buffered for the header search, then the
  same iterator is consumed for the records and abandoned at the end of the list.
* Errors are :class:`InputError` with a stable code and a Vietnamese line, never a traceback
  and never cell content (only file/sheet names and column letters).

Error codes: E101 missing file, E102 unsupported format, E103 corrupt/unreadable,
E104 password-protected, E105 empty, E106 no header, E107 sheet not found, E108 bad mapping.

``mapping`` (from ``--map field=COLUMN``), documented behaviour:

* the value is a column letter ("D") or a header text ("Số ĐDCN"); letters win when the
  column exists, otherwise the value is looked up as header text;
* header detection runs as usual; a text-mapped field counts for the header row in which its
  text is found, and any mapped field satisfies "one of Ngày sinh/Số CCCD/Giới tính";
* if no header row is found automatically but ``full_name`` is mapped, the header row is the
  first row (within the first 30 rows of the used range) that contains the mapped name
  header text, or, for a letter, the first row with text in that column;
* a mapped column replaces the detected one, and a detected field pointing to a column the
  user mapped to another field is dropped.
"""

from __future__ import annotations

import bisect
import codecs
import csv
import functools
import io
import itertools
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from vaxclean_xl.core.model import FIELD_LABEL_VI, FIELDS
from vaxclean_xl.core.perf import gc_paused
from vaxclean_xl.errors import InputError
from vaxclean_xl.io.headers import (
    REQUIRED_WITH_NAME,
    fold,
    has_required,
    is_numbering_token,
    map_columns,
    match_header,
    normalize_header,
)
from vaxclean_xl.notices import notify

HEADER_SCAN_ROWS = 30  # the header must start within the first 30 rows of the used range

SUPPORTED_SUFFIXES: dict[str, str] = {
    ".xlsx": "xlsx",
    ".xlsm": "xlsm",
    ".xls": "xls",
    ".ods": "ods",
    ".csv": "csv",
}

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_LEGACY_FONT = re.compile(rb"<(?:\w+:)?(?:name|rFont)\s+val=\"(?:\.vn|vni)", re.IGNORECASE)
_LEGACY_FONT_NAME = re.compile(r"^(\.vn|vni)", re.IGNORECASE)

_NFC = functools.partial(unicodedata.normalize, "NFC")


@dataclass(slots=True)
class Table:
    """One list as read: where it is, which column holds which field, and its record rows."""

    path: Path
    sheet: str
    header_row: int  # Excel row number (1-based) of the (last) header row
    first_data_row: int  # Excel row number of the first record
    last_data_row: int  # Excel row number of the last record
    columns: dict[str, int]  # field -> 0-based column index (A=0), only fields found
    headers: dict[int, str]  # 0-based column index -> header text as shown
    rows: list[tuple[int, list]]  # (Excel row, full row values) for every record row only
    max_col: int  # 0-based index of the last used column of the sheet
    name_fonts: dict[int, str] = field(default_factory=dict)  # legacy-font workbooks only
    source_format: str = "xlsx"  # "xlsx", "xlsm", "xls", "csv", "ods"


def column_letter(idx: int) -> str:
    """0 -> "A", 25 -> "Z", 26 -> "AA"."""
    if idx < 0:
        raise ValueError(f"column index must be >= 0, got {idx}")
    letters = ""
    n = idx + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letters: str) -> int:
    """ "A" -> 0, "AA" -> 26 (case-insensitive); ValueError for anything else."""
    text = letters.strip().upper()
    if not re.fullmatch(r"[A-Z]{1,3}", text):
        raise ValueError(f"not a column letter: {letters!r}")
    n = 0
    for ch in text:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


# --------------------------------------------------------------------------- errors


def _err_missing(path: Path) -> InputError:
    return InputError(f"Không tìm thấy tệp «{path.name}».", code="E101")


def _err_format(path: Path) -> InputError:
    suffix = path.suffix or "(không có đuôi)"
    return InputError(
        f"Định dạng tệp {suffix} không được hỗ trợ; chỉ đọc được .xlsx, .xlsm, .xls, .ods, .csv.",
        code="E102",
    )


def _err_corrupt(path: Path) -> InputError:
    return InputError(
        f"Tệp «{path.name}» bị hỏng hoặc không phải bảng tính hợp lệ, không đọc được.",
        code="E103",
    )


def _err_encrypted(path: Path) -> InputError:
    return InputError(
        f"Tệp «{path.name}» được đặt mật khẩu; hãy mở bằng Excel, gỡ mật khẩu, lưu lại rồi "
        "chạy lại.",
        code="E104",
    )


def _err_empty(path: Path) -> InputError:
    return InputError(f"Tệp «{path.name}» không có dữ liệu (bảng tính trống).", code="E105")


def _err_no_header() -> InputError:
    return InputError(
        "Không tìm thấy dòng tiêu đề (cần ít nhất cột Họ và tên và một trong Ngày sinh/Số "
        f"CCCD/Giới tính) trong {HEADER_SCAN_ROWS} dòng đầu của trang tính.",
        code="E106",
    )


@contextmanager
def _library_errors(path: Path) -> Iterator[None]:
    """Turn any failure of the reading libraries into an InputError (no raw traceback)."""
    try:
        yield
    except InputError:
        raise
    except (KeyboardInterrupt, SystemExit, GeneratorExit, MemoryError):
        raise
    except BaseException as exc:  # pyo3 panics derive from BaseException
        if type(exc).__name__ == "PasswordError":
            raise _err_encrypted(path) from exc
        raise _err_corrupt(path) from exc


_gc_paused = gc_paused


# --------------------------------------------------------------------------- sniffing


@dataclass(slots=True)
class _Kind:
    fmt: str
    legacy_fonts: bool = False


def _sniff(path: Path) -> _Kind:
    """Check existence, extension and the real content (files are often mis-named)."""
    if not path.exists() or not path.is_file():
        raise _err_missing(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise _err_format(path)
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise _err_missing(path) from exc
    if not head:
        raise _err_empty(path)
    if suffix == ".csv":
        return _Kind("csv")
    if head.startswith(_OLE_MAGIC):
        # Encrypted .xlsx files are OLE containers too, not zips.
        if _is_encrypted(path):
            raise _err_encrypted(path)
        return _Kind("xls")
    if head.startswith(_ZIP_MAGIC):
        return _sniff_zip(path, suffix)
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        raise InputError(
            f"Tệp «{path.name}» thực chất là trang HTML/XML được đặt đuôi {suffix}; hãy mở "
            "bằng Excel rồi lưu lại dạng .xlsx.",
            code="E102",
        )
    raise _err_corrupt(path)


def _is_encrypted(path: Path) -> bool:
    try:
        import msoffcrypto

        with path.open("rb") as fh:
            return bool(msoffcrypto.OfficeFile(fh).is_encrypted())
    except Exception:  # not an Office file msoffcrypto knows: let calamine decide
        return False


def _sniff_zip(path: Path, suffix: str) -> _Kind:
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            if "mimetype" in names and b"opendocument" in zf.read("mimetype"):
                return _Kind("ods")
            if not any(n.startswith("xl/") for n in names):
                raise _err_corrupt(path)
            legacy = "xl/styles.xml" in names and bool(
                _LEGACY_FONT.search(zf.read("xl/styles.xml"))
            )
    except (zipfile.BadZipFile, OSError, KeyError, EOFError, ValueError) as exc:
        raise _err_corrupt(path) from exc
    fmt = "xlsm" if suffix == ".xlsm" or "xl/vbaProject.bin" in names else "xlsx"
    return _Kind(fmt, legacy)


# --------------------------------------------------------------------------- sources


@dataclass(slots=True)
class _Source:
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


def _calamine_source(sheet: object, name: str) -> _Source | None:
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
    return _Source(
        name=name,
        rows=enumerate(sheet.iter_rows(), row_base),  # type: ignore[attr-defined]
        col_off=col_off,
        width=end[1] - col_off + 1,
        max_col=end[1],
        merges=list(merges) if merges else None,
    )


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
        code="E103",
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


def _csv_source(path: Path) -> _Source | None:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _err_missing(path) from exc
    text = _NFC(_decode(data, path))
    del data
    delim = _sniff_delimiter(text)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delim))
    except csv.Error as exc:
        raise _err_corrupt(path) from exc
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
    return _Source(
        name=path.stem,
        rows=enumerate(rows, 1),
        col_off=0,
        width=width,
        max_col=width - 1,
        merges=None,
        nfc_done=True,
    )


# --------------------------------------------------------------------------- header search


def _blank(value: object) -> bool:
    if value is None or value == "":
        return True
    return value.__class__ is str and not value.strip()  # type: ignore[union-attr]


def _display(value: object) -> str:
    """Text of a header cell as shown (numbers without a useless .0)."""
    if value.__class__ is str:
        return _NFC(value).strip()  # type: ignore[arg-type]
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()  # type: ignore[union-attr]
    return str(value)


def _row_texts(row: list, col_off: int) -> dict[int, str]:
    texts: dict[int, str] = {}
    for i, value in enumerate(row):
        if not _blank(value):
            text = _display(value)
            if text:
                texts[i + col_off] = text
    return texts


@dataclass(slots=True)
class _MapSpec:
    """One ``--map field=COLUMN`` entry, parsed."""

    fld: str
    raw: str
    letter_col: int | None  # the column if the value reads as a letter
    text: str  # normalised header text


def _parse_mapping(mapping: dict[str, str] | None) -> list[_MapSpec]:
    specs: list[_MapSpec] = []
    for fld, value in (mapping or {}).items():
        if fld not in FIELDS:
            raise InputError(
                f"Ghép cột không hợp lệ: không có trường «{fld}» (các trường: "
                f"{', '.join(FIELDS)}).",
                code="E108",
            )
        raw = str(value).strip()
        if not raw:
            raise InputError(f"Ghép cột không hợp lệ: trường «{fld}» chưa có cột.", code="E108")
        try:
            letter = column_index(raw)
        except ValueError:
            letter = None
        specs.append(_MapSpec(fld, raw, letter, normalize_header(raw)))
    return specs


def _find_text(texts: dict[int, str], wanted: str) -> int | None:
    for col in sorted(texts):
        norm = normalize_header(texts[col])
        if norm == wanted or norm.replace("(*)", "").replace("*", "").strip() == wanted:
            return col
    return None


def _apply_mapping(
    found: dict[str, int],
    texts: dict[int, str],
    specs: list[_MapSpec],
    max_col: int,
    *,
    strict: bool,
) -> dict[str, int] | None:
    """Columns after the user's mapping; None (or E108 when strict) if one cannot be placed."""
    user: dict[str, int] = {}
    for spec in specs:
        col = None
        if spec.letter_col is not None and spec.letter_col <= max_col:
            col = spec.letter_col
        else:
            col = _find_text(texts, spec.text)
        if col is None:
            if strict:
                raise InputError(
                    f"Ghép cột không hợp lệ: không có cột «{spec.raw}» cho trường "
                    f"«{spec.fld}» ({FIELD_LABEL_VI[spec.fld]}) trong trang tính.",
                    code="E108",
                )
            return None
        user[spec.fld] = col
    taken = set(user.values())
    columns = {f: c for f, c in found.items() if f not in user and c not in taken}
    columns.update(user)
    return columns


@dataclass(slots=True)
class _Header:
    score: int
    pos: int  # position of the (lower) header row in the window
    columns: dict[str, int]
    texts: dict[int, str]


def _pair_ok(
    upper: dict[int, str], lower: dict[int, str], lower_row: list, upper_abs: int, src: _Source
) -> bool:
    """Can ``lower`` be the second row of a two-row header under ``upper``?"""
    if len(upper) < 2 or not lower:
        return False
    for value in lower_row:
        if not _blank(value) and (value.__class__ is not str or is_numbering_token(value)):
            return False
    if src.merges and any(
        r1 <= upper_abs < r2 or (r1 == r2 == upper_abs and c2 > c1)
        for (r1, c1), (r2, c2) in src.merges
    ):
        return True
    if any(c not in upper for c in lower):
        return True
    return any((m := match_header(t)) is not None and m[1] >= 2 for t in lower.values())


def _is_group_subheader(
    upper: dict[int, str], lower: dict[int, str], upper_abs: int, src: _Source
) -> bool:
    """Is ``lower`` the row of sub-headers under group cells of ``upper``?

    With merge information: every lower text lies under a horizontal merge of the upper row.
    Without (.ods, .csv): every lower text is under an empty upper cell or starts a run of
    lower texts under empty upper cells (the group text sits in the run's first column).
    """
    if src.merges is not None:
        covered: set[int] = set()
        for (r1, c1), (r2, c2) in src.merges:
            if r1 == r2 == upper_abs and c2 > c1:
                covered.update(range(c1, c2 + 1))
        return bool(covered) and all(c in covered for c in lower)
    return any(c not in upper for c in lower) and all(
        c not in upper or (c + 1 in lower and c + 1 not in upper) for c in lower
    )


def _combine(upper: dict[int, str], lower: dict[int, str], upper_abs: int, src: _Source):
    combined = dict(upper)
    for (r1, c1), (r2, c2) in src.merges or ():
        if r1 == r2 == upper_abs and c2 > c1 and c1 in upper:
            for c in range(c1 + 1, c2 + 1):
                combined.setdefault(c, upper[c1])
    combined.update(lower)
    return combined


def _score(
    found: dict[str, tuple[int, int]],
    texts: dict[int, str],
    specs: list[_MapSpec],
) -> tuple[int, dict[str, int]] | None:
    """Number of fields and columns of a header candidate, or None if it is not a header."""
    columns = {f: c for f, (c, _q) in found.items()}
    fields = set(columns)
    for spec in specs:
        col = _find_text(texts, spec.text)
        if col is not None:
            fields.add(spec.fld)
    if "full_name" not in fields:
        return None
    mapped_any = {s.fld for s in specs}
    if not has_required(fields | (mapped_any & set(REQUIRED_WITH_NAME))):
        return None
    return len(fields), columns


def _find_header(
    window: list[tuple[int, list]], src: _Source, specs: list[_MapSpec]
) -> _Header | None:
    texts = [_row_texts(row, src.col_off) for _, row in window]
    singles = [map_columns(t) for t in texts]
    best: _Header | None = None
    for i in range(min(len(window), HEADER_SCAN_ROWS)):
        cand: _Header | None = None
        scored = _score(singles[i], texts[i], specs)
        if scored:
            cand = _Header(scored[0], i, scored[1], texts[i])
        j = i + 1
        upper_abs = window[i][0] - 1
        if j < len(window) and window[j][0] == window[i][0] + 1:
            if _pair_ok(texts[i], texts[j], window[j][1], upper_abs, src):
                combined = _combine(texts[i], texts[j], upper_abs, src)
                found = map_columns(combined)
                pair = _score(found, combined, specs)
                # A sub-header row under group cells wins even if a group text mapped a
                # field on its own ("Nơi ở tạm trú" over "Mã Tỉnh", "Mã Xã"...).
                if (
                    pair
                    and len(found) > len(singles[j])
                    and (
                        cand is None
                        or pair[0] >= cand.score
                        or _is_group_subheader(texts[i], texts[j], upper_abs, src)
                    )
                ):
                    cand = _Header(pair[0], j, pair[1], combined)
        if cand and (best is None or cand.score > best.score):
            best = cand
    if best is None:
        best = _header_from_mapping(window, texts, src, specs)
    return best


def _header_from_mapping(
    window: list[tuple[int, list]],
    texts: list[dict[int, str]],
    src: _Source,
    specs: list[_MapSpec],
) -> _Header | None:
    """No header found: use the mapped full_name column to place it (see module doc)."""
    name = next((s for s in specs if s.fld == "full_name"), None)
    if name is None:
        return None
    for i in range(min(len(window), HEADER_SCAN_ROWS)):
        row_texts = texts[i]
        if name.letter_col is not None and name.letter_col <= src.max_col:
            value = row_texts.get(name.letter_col)
            hit = value is not None and not is_numbering_token(value)
        else:
            hit = _find_text(row_texts, name.text) is not None
        if hit:
            found = {f: c for f, (c, _q) in map_columns(row_texts).items()}
            return _Header(len(found), i, found, row_texts)
    return None


def _is_numbering_row(row: list, src: _Source, columns: dict[str, int]) -> bool:
    values = [v for v in row if not _blank(v)]
    if len(values) < 2:
        return False
    tokens = sum(1 for v in values if is_numbering_token(v))
    if tokens < 2 or tokens < 0.6 * len(values):
        return False
    for fld in ("full_name", "id_number", "dob"):
        rel = columns.get(fld, -1) - src.col_off
        if 0 <= rel < len(row) and not _blank(row[rel]) and not is_numbering_token(row[rel]):
            return False
    return True


@dataclass(slots=True)
class _Scan:
    src: _Source
    window: list[tuple[int, list]]
    header: _Header | None
    has_data: bool


def _scan(src: _Source, specs: list[_MapSpec]) -> _Scan:
    """Buffer the first rows of the used range and look for the header in them."""
    window: list[tuple[int, list]] = []
    limit = HEADER_SCAN_ROWS + 2  # header rows + a possible numbering row and blank
    for item in src.rows:
        if not window:
            if all(_blank(v) for v in item[1]):
                continue
        window.append(item)
        if len(window) >= limit:
            break
    if not window:
        return _Scan(src, window, None, False)
    return _Scan(src, window, _find_header(window, src, specs), True)


# --------------------------------------------------------------------------- end of list

_TOTAL = re.compile(
    r"^(tong cong|tong so)\b"
    r"|^(tong|cong)\s*([:.\-]|\d|$|(co|so|danh sach|toan|cac|nguoi|doi tuong)\b)"
)
_SIGNATURE = re.compile(
    r"^(nguoi lap|can bo lap|nguoi tong hop|can bo tong hop|truong tram|tram truong|"
    r"pho truong tram|truong tyt|giam doc|pho giam doc|thu truong|lanh dao|xac nhan|"
    r"nguoi duyet|nguoi kiem tra|ke toan|chu tich|t/m\b|tm\.|kt\.|nguoi ra soat|"
    r"truong (thon|xom|ap|ban|to|khu)\b|(thon|xom|ap|ban|to|khu) truong\b)"
    r"|\bky,? (va )?ghi ro ho (va )?ten\b|\(ky\b|^ky ten\b|\bky ten\b.*\bdong dau\b"
    r"|\bngay\s*[\d.…_/ ]*\s*thang\s*[\d.…_/ ]*\s*nam\b(?! (sinh|tiem))"
)
_SIGNATURE_MAX_CELLS = 3  # a row with one title holds a few cells, not a person's data


def is_signature_text(value: object) -> bool:
    """A signature block's title ("NGƯỜI LẬP BIỂU", "TRƯỞNG TRẠM", "XÁC NHẬN"…), its
    "(Ký, ghi rõ họ tên)" line or its "…, ngày … tháng … năm …" line."""
    return value.__class__ is str and len(value) <= 120 and bool(  # type: ignore[arg-type]
        _SIGNATURE.search(fold(value)))  # type: ignore[arg-type]


def _signature_row(row: list, name_rel: int | None, data_rels: tuple[int, ...]) -> bool:
    """Does ``row`` start the signers' block under the list (so the names under it are not
    people)?

    A title may fall in any column, the ID and date columns included (merged cells, wide
    titles). A real record is never one: a name that is not a title, or a date of birth,
    an ID number or a sex that is not a title, keeps the row a record. With one title the
    row holds at most three cells (a person's job "Kế toán" beside other data must not end
    the list), unless the title is in the name column; two titles or more always end it.
    """
    titles = others = 0
    name_title = False
    for rel, value in enumerate(row):
        if _blank(value):
            continue
        if is_signature_text(value):
            titles += 1
            name_title = name_title or rel == name_rel
        elif rel == name_rel or rel in data_rels:
            return False
        else:
            others += 1
    return titles > 0 and (name_title or titles >= 2 or titles + others <= _SIGNATURE_MAX_CELLS)


def _textual_key(row: list, rels: tuple[int, ...]) -> bool:
    """Cheap pre-test for a keyed row: its ID and date cells hold no number, date or text
    starting with a digit (every real ID and most dates), so it may be a signature row."""
    for r in rels:
        v = row[r]
        if v is None or v == "":
            continue
        if v.__class__ is not str:
            return False
        v = v.lstrip()
        if v and v[0].isdigit():
            return False
    return True


def _total_row(row: list) -> bool:
    """The first non-empty cell reads "Tổng cộng", "Tổng số", "Tổng: 12", "Cộng"…; cheap
    for the usual row, which starts with its number (STT)."""
    for v in row:
        if v.__class__ is not str:
            if v is None:
                continue
            return False
        v = v.lstrip()
        if v:
            return v[0] in "TtCc" and bool(_TOTAL.match(fold(v)))
    return False


def _read_records(
    scan: _Scan, header: _Header, columns: dict[str, int]
) -> tuple[int, list[tuple[int, list]]]:
    """Return (row after header/numbering, record rows) consuming the source once."""
    src, window = scan.src, scan.window
    pos = header.pos + 1
    if pos < len(window) and all(_blank(v) for v in window[pos][1]):
        pos += 1
    start_pos = header.pos + 1
    if pos < len(window) and _is_numbering_row(window[pos][1], src, columns):
        start_pos = pos + 1
    data_start = window[header.pos][0] + (start_pos - header.pos)

    def rel(fld: str) -> int | None:
        col = columns.get(fld)
        if col is None:
            return None
        r = col - src.col_off
        return r if 0 <= r < src.width else None

    ni, ii, di = rel("full_name"), rel("id_number"), rel("dob")
    keys = tuple(r for r in (ii, di) if r is not None)
    data = tuple(r for f in ("dob", "sex", "id_number") if (r := rel(f)) is not None)
    mapped = [r for f in columns if (r := rel(f)) is not None]
    others = [r for r in mapped if r != ni]
    name_header = None
    if ni is not None:
        raw_name = window[header.pos][1][ni]
        name_header = raw_name if not _blank(raw_name) else header.texts.get(columns["full_name"])
    pad = [""] * src.col_off if src.col_off else None
    nfc, nfc_done = _NFC, src.nfc_done

    records: list[tuple[int, list]] = []
    append = records.append
    blank_run = 0
    for number, row in itertools.chain(window[start_pos:], src.rows):
        keyed = (ii is not None and not _blank(row[ii])) or (
            di is not None and not _blank(row[di])
        )
        if not keyed:
            named = ni is not None and not _blank(row[ni])
            if _total_row(row) or _signature_row(row, ni, data):
                break
            if not named:
                blank_run = blank_run + 1 if all(_blank(row[r]) for r in mapped) else 0
                continue
            if blank_run >= 2 and all(_blank(row[r]) for r in others):
                break  # a lone name after a gap: a signer, not a person
        elif name_header is not None and row[ni] == name_header:
            continue  # header repeated on a new printed page
        elif _total_row(row):
            break  # "Tổng cộng" with a count under the date or ID column
        elif _textual_key(row, keys) and _signature_row(row, ni, data):
            break  # a title or the date line in the ID or date column
        blank_run = 0
        if not nfc_done:
            row = [nfc(v) if v.__class__ is str and not v.isascii() else v for v in row]
        append((number, pad + row if pad else row))
    return data_start, records


# --------------------------------------------------------------------------- fonts


def _name_fonts(path: Path, sheet: str, col: int, records: list[tuple[int, list]]) -> dict:
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


_XML_ATTR = r'\b{name}="([^"]*)"'
FONT_SCAN_BLOCK = 1 << 22  # bytes of sheet XML inflated at a time by the font scan


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


# --------------------------------------------------------------------------- entry point


def _pick_sheet_name(names: list[str], wanted: str) -> str | None:
    if wanted in names:
        return wanted
    key = _NFC(wanted).strip().casefold()
    hits = [n for n in names if _NFC(n).strip().casefold() == key]
    return hits[0] if len(hits) == 1 else None


def read_table(
    path: str | Path, sheet: str | None = None, mapping: dict[str, str] | None = None
) -> Table:
    """Read the vaccination list of ``path``; see the module docstring for the rules.

    ``sheet`` picks a sheet by name (default: the visible worksheet whose header matches
    the most fields); ``mapping`` is ``field -> column letter or header text``.
    Raises :class:`InputError` (codes E101–E108) for any unusable input.
    """
    path = Path(path)
    kind = _sniff(path)
    specs = _parse_mapping(mapping)

    best: _Scan | None = None
    has_data = False
    if kind.fmt == "csv":
        with _gc_paused():
            src = _csv_source(path)
        if src is None:
            raise _err_empty(path)
        scan = _scan(src, specs)
        has_data = scan.has_data
        best = scan if scan.header else None
    else:
        with _library_errors(path):
            from python_calamine import SheetTypeEnum, SheetVisibleEnum

            workbook = _open_workbook(path, kind.fmt)
            if sheet is not None:
                name = _pick_sheet_name(list(workbook.sheet_names), sheet)
                if name is None:
                    available = ", ".join(f"«{n}»" for n in workbook.sheet_names)
                    raise InputError(
                        f"Không có trang tính «{sheet}» trong tệp; các trang có: {available}.",
                        code="E107",
                    )
                candidates = [name]
            else:
                candidates = [
                    m.name
                    for m in workbook.sheets_metadata
                    if m.typ == SheetTypeEnum.WorkSheet and m.visible == SheetVisibleEnum.Visible
                ]
            lists: list[str] = []  # sheets holding a header with records under it
            for name in candidates:
                src = _calamine_source(workbook.get_sheet_by_name(name), name)
                if src is None:
                    continue
                scan = _scan(src, specs)
                has_data = has_data or scan.has_data
                if scan.header and _has_records(scan):
                    lists.append(name)
                if scan.header and (best is None or scan.header.score > best.header.score):
                    best = scan
    if best is None or best.header is None:
        if not has_data:
            raise _err_empty(path)
        raise _err_no_header()
    if sheet is None and kind.fmt != "csv":
        _notice_other_lists(path, best, [n for n in lists if n != best.src.name])

    table = _table(best, specs, path, kind.fmt)
    if kind.legacy_fonts and kind.fmt in ("xlsx", "xlsm") and "full_name" in table.columns:
        table.name_fonts = _name_fonts(path, table.sheet, table.columns["full_name"], table.rows)
    return table


def _has_records(scan: _Scan) -> bool:
    """A name under the header within the rows read so far: the sheet holds a list."""
    assert scan.header is not None
    col = scan.header.columns.get("full_name", -1) - scan.src.col_off
    return 0 <= col < scan.src.width and any(
        not _blank(row[col]) and not is_numbering_token(row[col])
        for _n, row in scan.window[scan.header.pos + 1:])


def _notice_other_lists(path: Path, best: _Scan, others: list[str]) -> None:
    """Tell the user which other sheets also hold a list and how to read one of them.

    Silent on a workbook this tool wrote (its list carries the "Phân loại" status column):
    its other sheets are the tool's own reports ("Bổ sung từ thôn"…), not lists to choose.
    """
    if not others or best.header is None:
        return
    from vaxclean_xl.commands.validate import STATUS_HEADERS

    status = normalize_header(STATUS_HEADERS[0])
    if any(normalize_header(t) == status for t in best.header.texts.values()):
        return
    names = ", ".join(f"«{n}»" for n in others)
    notify(f"Tệp «{path.name}»: đã đọc danh sách ở trang «{best.src.name}»; "
           f"{'trang' if len(others) == 1 else 'các trang'} {names} cũng có danh sách nhưng "
           f'không được đọc. Muốn đọc trang khác, thêm --sheet "{others[0]}".')


def table_from_rows(rows: list[list], *, top: int, left: int, max_col: int, sheet: str,
                    path: str | Path = "") -> Table:
    """The list in rows already in memory (an open Excel sheet's values: ``rows[0]`` is
    Excel row ``top``, element 0 of each row column ``left``, both 1-based), found exactly as
    :func:`read_table` finds it in a file. Raises :class:`InputError` (E106) without a
    header."""
    width = max((len(r) for r in rows), default=0)
    src = _Source(name=sheet, rows=enumerate(rows, top), col_off=left - 1, width=width,
                  max_col=max_col, merges=None)
    scan = _scan(src, [])
    if scan.header is None:
        raise _err_no_header()
    return _table(scan, [], Path(path) if path else Path(sheet), "xlsx")


def _table(scan: _Scan, specs: list[_MapSpec], path: Path, fmt: str) -> Table:
    """The Table of a scan whose header was found: columns mapped, records read."""
    header = scan.header
    assert header is not None
    columns = _apply_mapping(header.columns, header.texts, specs, scan.src.max_col, strict=True)
    assert columns is not None
    with _library_errors(path), _gc_paused():
        data_start, records = _read_records(scan, header, columns)
    return Table(
        path=path,
        sheet=scan.src.name,
        header_row=scan.window[header.pos][0],
        first_data_row=records[0][0] if records else data_start,
        last_data_row=records[-1][0] if records else data_start - 1,
        columns=dict(sorted(columns.items(), key=lambda kv: FIELDS.index(kv[0]))),
        headers=dict(sorted(header.texts.items())),
        rows=records,
        max_col=scan.src.max_col,
        name_fonts={},
        source_format=fmt,
    )


def _open_workbook(path: Path, fmt: str):
    """Open with calamine; by path when the suffix tells the truth, else from the bytes."""
    from python_calamine import CalamineWorkbook

    by_suffix = SUPPORTED_SUFFIXES[path.suffix.lower()]
    if by_suffix == fmt or {by_suffix, fmt} == {"xlsx", "xlsm"}:
        return CalamineWorkbook.from_path(str(path))
    with path.open("rb") as fh:
        return CalamineWorkbook.from_filelike(fh)


def legacy_font(name: str | None) -> bool:
    """True for TCVN3 (".VnTime"…) and VNI ("VNI-Times"…) font names."""
    return bool(name) and bool(_LEGACY_FONT_NAME.match(name))  # type: ignore[arg-type]


def iter_sheet_rows(path: str | Path, sheet: str) -> Iterator[tuple[int, list]]:
    """Every row of one sheet as (Excel row number, values from column A), titles and
    footers included: what a faithful .xlsx copy of an .xls/.ods/.csv input needs."""
    path = Path(path)
    kind = _sniff(path)
    if kind.fmt == "csv":
        src = _csv_source(path)
    else:
        with _library_errors(path):
            workbook = _open_workbook(path, kind.fmt)
            src = _calamine_source(workbook.get_sheet_by_name(sheet), sheet)
    if src is None:
        return
    pad = [""] * src.col_off
    for row_no, values in src.rows:
        yield row_no, (pad + list(values)) if pad else list(values)


def read_sheets(path: str | Path) -> dict[str, list[tuple[int, list]]]:
    """Every sheet of a workbook, each as :func:`iter_sheet_rows` gives it, the file opened
    once (a returned hamlet file or police list is looked at whole)."""
    path = Path(path)
    kind = _sniff(path)
    if kind.fmt == "csv":
        return {path.stem: list(iter_sheet_rows(path, path.stem))}
    out: dict[str, list[tuple[int, list]]] = {}
    with _library_errors(path), _gc_paused():
        workbook = _open_workbook(path, kind.fmt)
        for name in workbook.sheet_names:
            src = _calamine_source(workbook.get_sheet_by_name(name), name)
            if src is None:
                out[name] = []
                continue
            pad = [""] * src.col_off
            out[name] = ([(n, pad + list(v)) for n, v in src.rows] if pad
                         else [(n, v if v.__class__ is list else list(v)) for n, v in src.rows])
    return out


def sheet_names(path: str | Path) -> list[str]:
    """Sheet names of a workbook; a misnamed file is sniffed by its content."""
    from python_calamine import CalamineWorkbook

    path = Path(path)
    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception:  # misnamed file: let calamine sniff the content
        with path.open("rb") as fh:
            wb = CalamineWorkbook.from_filelike(io.BytesIO(fh.read()))
    return list(wb.sheet_names)
