"""Find the header of a vaccination list: which row it is and which column holds which field.

Why hand-written: the lists come from commune health stations, district centres and the
national vaccination platform's import template, each with its own wording ("Họ và tên",
"HỌ TÊN", "Tên đối tượng", "Số CMT/CCCD (Loại 8/9/12 số)", "Giới tính (*) (0:nam, 1:nữ)",
typed with or without diacritics, with line breaks inside the cell). No library knows these
Vietnamese official layouts, and a fuzzy matcher would confuse look-alikes that matter
here ("Ngày tiêm" is not the date of birth, "Số thẻ BHYT" is not the ID, "Mã Tỉnh" is a code,
not a province name, "Tình trạng" is not "Tỉnh"). So matching a header cell is explicit and
ordered:

1. exact synonym of the normalised text (quality 3);
2. exact synonym once "(*)" marks and bracketed notes are removed (quality 2);
3. anchored keyword rules (quality 1), after exclusions (code columns, issue dates...).

Normalisation: NFC, đ→d, diacritics stripped, casefold, whitespace (incl. newlines)
collapsed, spaces around "/" removed.

The header row is searched in the first rows of the used range (titles above it): one
row, or two rows of a merged header (the platform template), with an optional
column-numbering row "(1) (2) (3)…" under it; the row that maps the most fields wins.

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

import re
import unicodedata
from dataclasses import dataclass, field

from vaxclean_xl.core.model import FIELD_LABEL_VI, FIELDS
from vaxclean_xl.errors import E, InputError
from vaxclean_xl.io.reader.columns import column_index
from vaxclean_xl.io.reader.sources import NFC, Source, blank

# Fields of which at least one must sit next to full_name for a row to be a header.
REQUIRED_WITH_NAME: tuple[str, ...] = ("dob", "id_number", "sex")

# Display synonyms (as written on real lists); matched after normalisation.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "full_name": (
        "Họ và tên", "Họ tên", "Họ, tên", "Họ & tên", "Họ và tên người tiêm",
        "Họ tên người tiêm", "Họ và tên người được tiêm", "Họ tên người được tiêm",
        "Họ và tên đối tượng", "Họ tên đối tượng", "Tên đối tượng", "Tên người tiêm",
        "Họ và tên người đến tiêm",
    ),
    "dob": (
        "Ngày sinh", "Ngày tháng năm sinh", "Ngày, tháng, năm sinh", "Ngày/tháng/năm sinh",
        "Ngày sinh dạng dd/mm/yyyy", "Năm sinh", "Sinh ngày", "NS",
    ),
    "sex": (
        "Giới tính", "Giới", "Phái", "GT", "Nam/Nữ", "Giới tính (Nam/Nữ)",
    ),
    "id_number": (
        "Số CMND/CCCD", "Số CCCD/CMND", "CCCD/CMT", "CMT/CCCD", "CMND/CCCD", "CCCD/CMND",
        "Số CMT/CCCD", "Số CCCD/CMT", "CMND", "CCCD", "CMT", "Số CMND", "Số CCCD", "Số CMT",
        "Số định danh", "Mã định danh", "Số định danh cá nhân", "Mã định danh cá nhân",
        "Mã số định danh cá nhân", "Số căn cước", "Số căn cước công dân",
        "Số CMND/CCCD/Hộ chiếu", "CMND/CCCD/Hộ chiếu", "Số giấy tờ tùy thân",
    ),
    "phone": (
        "Số điện thoại", "SĐT", "ĐT", "Điện thoại", "Số ĐT", "ĐTDĐ", "Điện thoại di động",
        "Số điện thoại liên hệ", "Điện thoại liên hệ",
    ),
    "hamlet": (
        "Thôn/Xóm", "Xóm", "Ấp", "Thôn", "Tổ dân phố", "TDP", "Khu phố", "Bản", "Thôn/Tổ",
        "Tổ", "Khóm", "Buôn", "Làng", "Khu", "Thôn/Bản", "Thôn/Tổ dân phố", "Ấp/Khu phố",
        "Thôn, xóm", "Tổ/Thôn", "Khu dân cư",
    ),
    "address": (
        "Địa chỉ", "Địa chỉ chi tiết", "Nơi ở", "Nơi ở hiện tại", "Chỗ ở hiện tại",
        "Nơi cư trú", "Địa chỉ thường trú", "Nơi thường trú", "Địa chỉ nơi ở",
        "Nơi ở tạm trú", "Địa chỉ liên hệ",
    ),
    "insurance_number": (
        "Số thẻ BHYT", "BHYT", "Mã thẻ BHYT", "Số thẻ bảo hiểm y tế", "Mã số BHXH",
        "Mã BHXH", "Số BHXH", "Thẻ BHYT", "Số BHYT", "Mã BHYT", "Mã số BHYT",
    ),
    "priority_group": (
        "Nhóm ưu tiên", "Nhóm đối tượng", "Mã nhóm đối tượng ưu tiên", "Mã nhóm đối tượng",
        "Nhóm đối tượng ưu tiên", "Đối tượng ưu tiên", "Mã đối tượng ưu tiên", "Nhóm",
        "Đối tượng",
    ),
    "ward": (
        "Xã/Phường", "Xã", "Phường", "Phường/Xã", "Xã/Phường/Thị trấn", "Xã, phường",
        "Thị trấn", "Xã/Thị trấn",
    ),
    "district": (
        "Quận/Huyện", "Huyện", "Quận", "Huyện/Quận", "Quận/Huyện/Thị xã",
        "Huyện/Thị xã/Thành phố", "Quận, huyện", "Huyện/Thị xã",
    ),
    "province": (
        "Tỉnh/Thành phố", "Tỉnh", "Tỉnh/TP", "Tỉnh/Thành", "Tỉnh, thành phố",
        "Tỉnh/Thành phố trực thuộc trung ương",
    ),
}

# Header texts that are never a field (sequence numbers and the like).
_NEVER: frozenset[str] = frozenset(
    {"stt", "tt", "#", "so tt", "so thu tu", "thu tu", "ghi chu", "no", "no."}
)

# Texts that stop keyword rules (they name a code or another date/ID attribute).
_EXCLUDED_PREFIX = re.compile(
    r"^(ma |ngay cap|noi cap|ngay het han|ngay tiem|ngay thang nam tiem|ngay dang ky|"
    r"thoi gian|so mui|mui |loai |ten vac|vac ?xin|lo |don vi|nghe nghiep|quoc tich|"
    r"dan toc|ghi chu|ket qua|tinh trang)"
)

# Relatives and contacts: "Họ tên mẹ/người giám hộ" is not the person's name.
_NOT_THE_PERSON = re.compile(
    r"\b(chu ho|cha|me|bo|nguoi giam ho|giam ho|nguoi than|nguoi lien he|nguoi bao ho|"
    r"vo|chong|nguoi nha)\b"
)

# Anchored keyword rules, tried in order on the text without bracketed notes.
_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("insurance_number", re.compile(r"\b(bhyt|bhxh|bao hiem)\b")),
    (
        "id_number",
        re.compile(
            r"\b(cmnd|cccd|cmt|can cuoc|dinh danh|ho chieu|giay to tuy than|so giay to)\b"
        ),
    ),
    ("phone", re.compile(r"\b(dien thoai|sdt|dtdd|so dt)\b")),
    (
        "dob",
        re.compile(
            r"^(ngay,? (va )?thang,? (va )?nam sinh|ngay/thang/nam sinh|ngay sinh|"
            r"nam sinh|sinh ngay)\b"
        ),
    ),
    ("sex", re.compile(r"^(gioi tinh|gioi|phai)\b")),
    (
        "full_name",
        re.compile(r"^(ho va ten|ho ten|ho, ten|ho & ten|ten doi tuong|ten nguoi)\b"),
    ),
    (
        "priority_group",
        re.compile(r"^(nhom (uu tien|doi tuong)|doi tuong uu tien)\b"),
    ),
    (
        "hamlet",
        re.compile(
            r"^(thon|xom|ap|to dan pho|tdp|khu pho|khom|buon|khu dan cu)\b|^to(/| so\b| \d)"
        ),
    ),
    (
        "address",
        re.compile(
            r"^(dia chi|noi o|cho o|noi cu tru|noi thuong tru|thuong tru|tam tru|ho khau)\b"
        ),
    ),
    ("ward", re.compile(r"^(xa|phuong|thi tran)(/|,|$)")),
    ("district", re.compile(r"^(quan|huyen)(/|,|$)|^huyen\b")),
    ("province", re.compile(r"^tinh(/|,? thanh pho\b|,? tp\b|$)")),
)

_SPACES = re.compile(r"\s+")
_SLASH = re.compile(r"\s*/\s*")
_STAR = re.compile(r"\(\s*\*+\s*\)|\*")
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_TRIM = " :.-_,;"


def fold(text: str) -> str:
    """Casefold and strip Vietnamese diacritics (đ→d); whitespace collapsed."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return _SPACES.sub(" ", text).strip()


def normalize_header(text: str) -> str:
    """Comparable form of a header cell: folded, spaces around "/" removed, trimmed."""
    return _SLASH.sub("/", fold(text)).strip(_TRIM)


def _variants(text: str) -> tuple[str, str, str]:
    full = normalize_header(text)
    no_star = _SPACES.sub(" ", _STAR.sub(" ", full)).strip(_TRIM)
    no_notes = _SPACES.sub(" ", _BRACKETS.sub(" ", no_star)).strip(_TRIM)
    return full, no_star, no_notes


def _build_exact() -> dict[str, str]:
    exact: dict[str, str] = {}
    for fld, words in SYNONYMS.items():
        assert fld in FIELDS, fld
        for word in words:
            exact.setdefault(normalize_header(word), fld)
    # Without diacritics "ĐT" (điện thoại) and "DT" (dân tộc) collide: see match_header.
    exact.pop("dt", None)
    return exact


_EXACT: dict[str, str] = _build_exact()


def match_header(text: str) -> tuple[str, int] | None:
    """Field and match quality (3 exact, 2 exact without notes, 1 keyword) of a header cell.

    Returns None for headers that are not a field (STT, Ghi chú, Ngày tiêm, Mã Tỉnh...).
    """
    full, no_star, no_notes = _variants(text)
    if not full or full in _NEVER or no_notes in _NEVER:
        return None
    if full in _EXACT:
        return _EXACT[full], 3
    if no_star in _EXACT:
        return _EXACT[no_star], 3
    if no_notes in _EXACT:
        return _EXACT[no_notes], 2
    raw = unicodedata.normalize("NFC", text).casefold().strip()
    if no_notes == "dt" or no_notes.startswith("dt "):
        # Only "ĐT" (with the stroke) means the phone; "DT" is usually dân tộc.
        return ("phone", 2) if raw.startswith("đt") else None
    key = no_notes or no_star
    if not key or _EXCLUDED_PREFIX.match(key):
        return None
    for fld, pattern in _RULES:
        if pattern.search(key):
            if fld == "full_name" and _NOT_THE_PERSON.search(key):
                return None
            return fld, 1
    return None


def map_columns(texts: dict[int, str]) -> dict[str, tuple[int, int]]:
    """Best column per field for one header row: field -> (column index, quality).

    A higher quality wins; on equal quality the leftmost column wins.
    """
    found: dict[str, tuple[int, int]] = {}
    for col in sorted(texts):
        hit = match_header(texts[col])
        if hit is None:
            continue
        fld, quality = hit
        if fld not in found or quality > found[fld][1]:
            found[fld] = (col, quality)
    return found


def has_required(fields: set[str] | dict[str, object]) -> bool:
    """A header needs full_name plus one of dob / id_number / sex."""
    return "full_name" in fields and any(f in fields for f in REQUIRED_WITH_NAME)


_NUMBERING = re.compile(r"^[(\[]?\s*(\d{1,3}|[A-Za-z])\s*[)\]]?$")


def is_numbering_token(value: object) -> bool:
    """A cell of the column-numbering row under a header: 1, 2, "(3)", "[4]", "A", "(B)"."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return float(value).is_integer() and 0 <= value <= 999
    if isinstance(value, str):
        return bool(_NUMBERING.match(value.strip()))
    return False


# --------------------------------------------------------------------------- header row

HEADER_SCAN_ROWS = 30  # the header must start within the first 30 rows of the used range


def err_no_header() -> InputError:
    """E106: no row of the first rows is a header."""
    return InputError(
        "Không tìm thấy dòng tiêu đề (cần ít nhất cột Họ và tên và một trong Ngày sinh/Số "
        f"CCCD/Giới tính) trong {HEADER_SCAN_ROWS} dòng đầu của trang tính.",
        code=E.NO_HEADER,
    )


def _display(value: object) -> str:
    """Text of a header cell as shown (numbers without a useless .0)."""
    if value.__class__ is str:
        return NFC(value).strip()  # type: ignore[arg-type]
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
        if not blank(value):
            text = _display(value)
            if text:
                texts[i + col_off] = text
    return texts


@dataclass(slots=True)
class MapSpec:
    """One ``--map field=COLUMN`` entry, parsed."""

    fld: str
    raw: str
    letter_col: int | None  # the column if the value reads as a letter
    text: str  # normalised header text


def parse_mapping(mapping: dict[str, str] | None) -> list[MapSpec]:
    specs: list[MapSpec] = []
    for fld, value in (mapping or {}).items():
        if fld not in FIELDS:
            raise InputError(
                f"Ghép cột không hợp lệ: không có trường «{fld}» (các trường: "
                f"{', '.join(FIELDS)}).",
                code=E.BAD_MAPPING,
            )
        raw = str(value).strip()
        if not raw:
            raise InputError(f"Ghép cột không hợp lệ: trường «{fld}» chưa có cột.",
                             code=E.BAD_MAPPING)
        try:
            letter = column_index(raw)
        except ValueError:
            letter = None
        specs.append(MapSpec(fld, raw, letter, normalize_header(raw)))
    return specs


def _find_text(texts: dict[int, str], wanted: str) -> int | None:
    for col in sorted(texts):
        norm = normalize_header(texts[col])
        if norm == wanted or norm.replace("(*)", "").replace("*", "").strip() == wanted:
            return col
    return None


def apply_mapping(
    found: dict[str, int],
    texts: dict[int, str],
    specs: list[MapSpec],
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
                    code=E.BAD_MAPPING,
                )
            return None
        user[spec.fld] = col
    taken = set(user.values())
    columns = {f: c for f, c in found.items() if f not in user and c not in taken}
    columns.update(user)
    return columns


@dataclass(slots=True)
class Header:
    """A header found: its row (one or two rows) and the columns of its fields."""

    score: int
    pos: int  # position of the (lower) header row in the window
    columns: dict[str, int]
    texts: dict[int, str]
    # Two-row headers: column -> the upper row's group text over it ("Mũi 1" over "Lô
    # vắc xin"), which the combined ``texts`` lose; empty for one-row headers.
    groups: dict[int, str] = field(default_factory=dict)


def _pair_ok(
    upper: dict[int, str], lower: dict[int, str], lower_row: list, upper_abs: int, src: Source
) -> bool:
    """Can ``lower`` be the second row of a two-row header under ``upper``?"""
    if len(upper) < 2 or not lower:
        return False
    for value in lower_row:
        if not blank(value) and (value.__class__ is not str or is_numbering_token(value)):
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
    upper: dict[int, str], lower: dict[int, str], upper_abs: int, src: Source
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


def _groups(
    upper: dict[int, str], lower: dict[int, str], upper_abs: int, src: Source
) -> dict[int, str]:
    """Column -> the upper row's text above a sub-header of ``lower``: a horizontal merge
    of the upper row, the upper text in the same column, or (merges lost, unmerged by
    hand) the upper text starting a run of sub-headers under empty upper cells."""
    groups: dict[int, str] = {}
    for (r1, c1), (r2, c2) in src.merges or ():
        if r1 == r2 == upper_abs and c2 > c1 and c1 in upper:
            for c in range(c1, c2 + 1):
                groups[c] = upper[c1]
    for c in sorted(lower):
        if c in groups:
            continue
        if c in upper:
            groups[c] = upper[c]
            continue
        start = c - 1
        while start >= 0 and start not in upper and start in lower:
            start -= 1
        if start in upper and start in lower:
            groups[c] = upper[start]
    return groups


def _combine(upper: dict[int, str], lower: dict[int, str], upper_abs: int, src: Source):
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
    specs: list[MapSpec],
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
    window: list[tuple[int, list]], src: Source, specs: list[MapSpec]
) -> Header | None:
    texts = [_row_texts(row, src.col_off) for _, row in window]
    singles = [map_columns(t) for t in texts]
    best: Header | None = None
    for i in range(min(len(window), HEADER_SCAN_ROWS)):
        cand: Header | None = None
        scored = _score(singles[i], texts[i], specs)
        if scored:
            cand = Header(scored[0], i, scored[1], texts[i])
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
                    cand = Header(pair[0], j, pair[1], combined,
                                  _groups(texts[i], texts[j], upper_abs, src))
        if cand and (best is None or cand.score > best.score):
            best = cand
    if best is None:
        best = _header_from_mapping(window, texts, src, specs)
    return best


def _header_from_mapping(
    window: list[tuple[int, list]],
    texts: list[dict[int, str]],
    src: Source,
    specs: list[MapSpec],
) -> Header | None:
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
            return Header(len(found), i, found, row_texts)
    return None


def is_numbering_row(row: list, src: Source, columns: dict[str, int]) -> bool:
    values = [v for v in row if not blank(v)]
    if len(values) < 2:
        return False
    tokens = sum(1 for v in values if is_numbering_token(v))
    if tokens < 2 or tokens < 0.6 * len(values):
        return False
    for fld in ("full_name", "id_number", "dob"):
        rel = columns.get(fld, -1) - src.col_off
        if 0 <= rel < len(row) and not blank(row[rel]) and not is_numbering_token(row[rel]):
            return False
    return True


@dataclass(slots=True)
class Scan:
    """The first rows of a sheet, buffered, and the header found in them."""

    src: Source
    window: list[tuple[int, list]]
    header: Header | None
    has_data: bool


def scan_sheet(src: Source, specs: list[MapSpec]) -> Scan:
    """Buffer the first rows of the used range and look for the header in them."""
    window: list[tuple[int, list]] = []
    limit = HEADER_SCAN_ROWS + 2  # header rows + a possible numbering row and blank
    for item in src.rows:
        if not window:
            if all(blank(v) for v in item[1]):
                continue
        window.append(item)
        if len(window) >= limit:
            break
    if not window:
        return Scan(src, window, None, False)
    return Scan(src, window, _find_header(window, src, specs), True)
