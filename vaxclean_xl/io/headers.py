"""Recognise the columns of a vaccination list from their header text.

Why hand-written: the lists come from commune health stations, district centres and the
national vaccination platform's import template, each with its own wording ("Họ và tên",
"HỌ TÊN", "Tên đối tượng", "Số CMT/CCCD (Loại 8/9/12 số)", "Giới tính (*) (0:nam, 1:nữ)",
typed with or without diacritics, with line breaks inside the cell). No library knows these
Vietnamese official layouts, and a fuzzy matcher would confuse look-alikes that matter
here ("Ngày tiêm" is not the date of birth, "Số thẻ BHYT" is not the ID, "Mã Tỉnh" is a code,
not a province name, "Tình trạng" is not "Tỉnh"). So matching is explicit and ordered:

1. exact synonym of the normalised text (quality 3);
2. exact synonym once "(*)" marks and bracketed notes are removed (quality 2);
3. anchored keyword rules (quality 1), after exclusions (code columns, issue dates...).

Normalisation: NFC, đ→d, diacritics stripped, casefold, whitespace (incl. newlines)
collapsed, spaces around "/" removed.
"""

from __future__ import annotations

import re
import unicodedata

from vaxclean_xl.core.model import FIELDS

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
