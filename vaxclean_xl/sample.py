"""Synthetic commune vaccination lists with known errors, for trying the tool and testing it.

``generate_sample`` writes a list laid out like a real commune export (title block, header
row, "(1) (2) …" numbering row, records, "Tổng cộng" row, signature block, a notes sheet,
a sex dropdown, a conditional format, column widths, frozen panes, defined names) and, beside
it, ``<stem>.truth.json``: for every record, the error and warning codes the rules must find
and the expected category.

How the truth stays true:

* Clean records are consistent by construction: the CCCD encodes the person's sex and birth
  year, the province code is one of the 63 legacy codes, the phone is a real mobile number,
  the name is a plain Unicode Vietnamese (or ethnic-minority) name.
* About ``error_rate`` of the records get exactly ONE injected error, chosen so that it is
  the record's only error (an ID101 injection keeps the birth year, a future date of birth
  stays inside the year the CCCD encodes, a date more than 120 years ago goes with a
  9-digit CMND, which encodes no year …). Every code of the mix occurs once before the mix
  becomes random, so even a small list covers them all.
* ID numbers are unique: the last six digits of every CCCD/CMND are a bijection of the
  record's index (hence at most 1,000,000 records), so the injected variants of distinct
  numbers stay distinct and no accidental ID103 appears. Shared numbers come only from the
  injected pairs: two different people with one number (ID103 on both rows) and one person
  listed twice (REC001 warning on both rows).
* Warnings (NAME101, NAME103, PHONE001-003, HAMLET001) are put on some clean records.

The legacy-encoded names (NAME004 TCVN3, NAME005 VNI) are produced by the small encoders
below, written independently of ``vaxclean_xl.core.legacy_text`` so that the sample tests
that module instead of mirroring it.
"""

from __future__ import annotations

import datetime as _dt
import json
import random
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path

from vaxclean_xl.core.provinces import PROVINCES

SCHEMA = "vaxclean.sample-truth/1"
SHEET = "Danh sách"
NOTES_SHEET = "Ghi chú"
HEADER_ROW = 5  # Excel row numbers
NUMBERING_ROW = 6
FIRST_DATA_ROW = 7
MAX_ROWS = 1_000_000
CONSTANT_MEMORY_ABOVE = 50_000

HEADERS = (
    "STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD/CMND", "Số điện thoại",
    "Thôn/Xóm", "Địa chỉ", "Số thẻ BHYT", "Nhóm ưu tiên", "Ghi chú",
)
C_STT, C_NAME, C_DOB, C_SEX, C_ID, C_PHONE, C_HAMLET, C_ADDR, C_BHYT, C_GROUP, C_NOTE = range(
    len(HEADERS)
)
LAST_COL = len(HEADERS) - 1
WIDTHS = (6, 26, 12, 9, 16, 13, 14, 40, 18, 12, 16)

# Injected single-record errors and their relative frequency (ID005, a CCCD typed into a
# number cell, is the most common real error; ID001 next).
ERROR_MIX: dict[str, int] = {
    "ID001": 6, "ID002": 4, "ID003": 3, "ID004": 2, "ID005": 8, "ID006": 3, "ID007": 2,
    "ID008": 1, "ID009": 2, "ID101": 3, "ID102": 3,
    "NAME001": 1, "NAME002": 2, "NAME003": 2, "NAME004": 2, "NAME005": 2,
    "DOB001": 2, "DOB002": 2, "DOB003": 3, "DOB004": 1, "DOB005": 1, "DOB006": 2,
    "SEX001": 2, "SEX002": 2,
}
WARNING_MIX: dict[str, int] = {
    "NAME101": 3, "NAME103": 3, "PHONE001": 2, "PHONE002": 2, "PHONE003": 3, "HAMLET001": 2,
}
WARNING_RATE = 0.08  # share of the clean records that get one warning
PAIR_RATE = 0.003  # per record, for each of the two list-level pairs (ID103, REC001)

_CATEGORY_ORDER = ("NO_ID", "BAD_ID_FORMAT", "BAD_PERSONAL_INFO", "OK")


def category_of(code: str) -> str:
    """The procedure group an ERROR code puts a record in (truth side, hand-written)."""
    if code in ("ID001", "ID002"):
        return "NO_ID"
    if code.startswith("ID0"):
        return "BAD_ID_FORMAT"
    return "BAD_PERSONAL_INFO"


def expected_category(errors: list[str] | tuple[str, ...]) -> str:
    """Category by precedence NO_ID > BAD_ID_FORMAT > BAD_PERSONAL_INFO > OK."""
    cats = {category_of(c) for c in errors}
    return next((c for c in _CATEGORY_ORDER if c in cats), "OK")


# --- names -----------------------------------------------------------------------------------

_FAMILY = (
    ("Nguyễn", 380), ("Trần", 110), ("Lê", 95), ("Phạm", 70), ("Hoàng", 30), ("Huỳnh", 20),
    ("Phan", 45), ("Vũ", 22), ("Võ", 18), ("Đặng", 21), ("Bùi", 20), ("Đỗ", 14), ("Hồ", 13),
    ("Ngô", 13), ("Dương", 10), ("Lý", 5), ("Đào", 4), ("Đinh", 4), ("Trịnh", 3),
    ("Mai", 3), ("Lương", 3), ("Cao", 2), ("Tạ", 2), ("Lâm", 2), ("Hà", 2), ("Tô", 1),
)
_MIDDLE = {
    "M": ("Văn", "Văn", "Văn", "Đức", "Minh", "Quốc", "Hữu", "Công", "Thanh", "Xuân", "Đình",
          "Ngọc", "Quang", "Trọng", "Bá", "Tiến", "Gia", "Anh"),
    "F": ("Thị", "Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Minh", "Hồng", "Kim", "Thùy",
          "Bích", "Mỹ", "Phương", "Hoài", "Diệu", "Khánh", "Thảo"),
}
_GIVEN = {
    "M": ("An", "Bình", "Cường", "Dũng", "Đức", "Hải", "Hùng", "Hưng", "Khánh", "Long", "Minh",
          "Nam", "Phong", "Quang", "Sơn", "Thắng", "Tiến", "Toàn", "Trung", "Tuấn", "Việt",
          "Vinh", "Huy", "Hoàng", "Lâm", "Nghĩa", "Phúc", "Quân", "Tâm", "Thành", "Khoa",
          "Hiếu", "Trường", "Đạt", "Lộc", "Thịnh", "Tùng", "Kiên", "Duy", "Nguyên"),
    "F": ("Anh", "Châu", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa", "Hồng",
          "Hương", "Huyền", "Lan", "Liên", "Linh", "Loan", "Mai", "Nga", "Ngọc", "Nhung",
          "Oanh", "Phương", "Quỳnh", "Thảo", "Thủy", "Trang", "Tuyết", "Vân", "Yến", "Xuân",
          "Hường", "Nhàn", "Thắm", "Diệp", "My", "Trâm", "Uyên", "Vy", "Nhi", "Ly"),
}
_SECOND_MIDDLE = {"M": ("Minh", "Quốc", "Hoàng", "Anh", "Tuấn", "Đức"),
                  "F": ("Thu", "Ngọc", "Kim", "Minh", "Bảo", "Thanh")}
_NICKNAMES = ("Tèo", "Tí", "Bé", "Cu", "Bống", "Mít", "Tũn", "Hùng", "Lan", "Nguyễnvănan")

# Ethnic-minority names (apostrophes and syllables outside Kinh spelling are valid).
_EDE_CLANS = ("Êban", "Niê", "Mlô", "Ktla", "Ayun", "Hwing", "Knul", "Adrơng", "Byă", "Buôn Yă")
_EDE_GIVEN = {"M": ("Moan", "Bih", "Sing", "Khăm", "Thuôn", "Jôn", "Kô", "Dhar", "Blin", "Nguê"),
              "F": ("Hen", "Ble", "Mai", "Juin", "Nhi", "Jiê", "Yuin", "Bia", "Loan", "Hiên")}
_JRAI_CLANS = ("Ksor", "Siu", "Rơ Châm", "Rmah", "Kpă", "Nay", "Puih", "Rah Lan")
_JRAI_GIVEN = {"M": ("Y Phôn", "Dơk", "Thuyên", "Y Blin", "Chung", "Hyeng", "Nhất"),
               "F": ("H'Ble", "H'Yuin", "H'Lan", "H'Nhi", "H'Prăk", "H'Mai")}
_HMONG_CLANS = ("Giàng", "Sùng", "Vàng", "Lò", "Lầu", "Hờ", "Ly", "Thào", "Mùa", "Cứ")
_HMONG_MIDDLE = {"M": ("A", "A", "Seo", "Văn"), "F": ("Thị", "Thị", "Seo", "Thị")}
_HMONG_GIVEN = {"M": ("Páo", "Sình", "Pó", "Tủa", "Chúng", "Dính", "Sử", "Lử"),
                "F": ("Mỷ", "Dợ", "Mai", "Sua", "Chá", "Pằng", "Dính", "Mỉ")}


# --- legacy encoders (independent of core.legacy_text) --------------------------------------
# TCVN3 (ABC, VN3): each Vietnamese letter is one byte; read as Latin-1 the cell holds these
# code points. VN3 has no toned capitals: names needing one are not encoded (None).

_TCVN3_ROWS = {
    # base: (no tone, grave, hook, tilde, acute, dot)
    "a": "aµ¶·¸¹", "ă": "¨»¼½¾Æ", "â": "©ÇÈÉÊË", "e": "eÌÎÏÐÑ", "ê": "ªÒÓÔÕÖ",
    "i": "i×ØÜÝÞ", "o": "oßáâãä", "ô": "«åæçèé", "ơ": "¬êëìíî", "u": "uïñòóô",
    "ư": "\u00adõö÷øù", "y": "yúûüýþ",
}
_TONES = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")  # order of the rows above


def _build_tcvn3() -> dict[str, str]:
    table = {"đ": "®", "Ă": "¡", "Â": "¢", "Ê": "£", "Ô": "¤", "Ơ": "¥", "Ư": "¦", "Đ": "§"}
    for base, row in _TCVN3_ROWS.items():
        for tone, byte in zip(_TONES, row, strict=True):
            letter = unicodedata.normalize("NFC", base + tone)
            if not letter.isascii():  # 'ý' is byte 0xFD, read as 'ý': kept
                table[letter] = byte
    return table


_TCVN3 = _build_tcvn3()


def to_tcvn3(text: str) -> str | None:
    """TCVN3 (ABC) form of a Unicode name as it reads in a cell, or None if not encodable."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        if ch.isascii():
            out.append(ch)
        elif ch in _TCVN3:
            out.append(_TCVN3[ch])
        else:
            return None
    return "".join(out)


# VNI-Windows: a base letter followed by a modifier byte; a few letters are one byte.
_VNI_TONE = {"": ("", ""), "\u0300": ("ø", "Ø"), "\u0301": ("ù", "Ù"), "\u0309": ("û", "Û"),
             "\u0303": ("õ", "Õ"), "\u0323": ("ï", "Ï")}
_VNI_CIRC = {"": ("â", "Â"), "\u0300": ("à", "À"), "\u0301": ("á", "Á"), "\u0309": ("å", "Å"),
             "\u0303": ("ã", "Ã"), "\u0323": ("ä", "Ä")}
_VNI_BREVE = {"": ("ê", "Ê"), "\u0300": ("è", "È"), "\u0301": ("é", "É"), "\u0309": ("ú", "Ú"),
              "\u0303": ("ü", "Ü"), "\u0323": ("ë", "Ë")}
_VNI_I = {"": ("i", "I"), "\u0300": ("ì", "Ì"), "\u0301": ("í", "Í"), "\u0309": ("æ", "Æ"),
          "\u0303": ("ó", "Ó"), "\u0323": ("ò", "Ò")}
_VNI_HORN = {"o": ("ô", "Ô"), "u": ("ö", "Ö")}


def to_vni(text: str) -> str:
    """VNI-Windows form of a Unicode name as it reads in a cell."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        if ch.isascii():
            out.append(ch)
            continue
        if ch in "đĐ":
            out.append("ñ" if ch == "đ" else "Ñ")
            continue
        parts = unicodedata.normalize("NFD", ch)
        base, marks = parts[0], parts[1:]
        up = 1 if base.isupper() else 0
        low = base.lower()
        tone = next((m for m in marks if m in _VNI_TONE and m), "")
        if low == "i":
            out.append(_VNI_I[tone][up])
        elif low == "y" and tone == "\u0323":
            out.append("Î" if up else "î")
        elif "\u031b" in marks:  # horn: ơ ư
            out.append(_VNI_HORN[low][up] + _VNI_TONE[tone][up])
        elif "\u0302" in marks:  # circumflex: â ê ô
            out.append(base + _VNI_CIRC[tone][up])
        elif "\u0306" in marks:  # breve: ă
            out.append(base + _VNI_BREVE[tone][up])
        else:
            out.append(base + _VNI_TONE[tone][up])
    return "".join(out)


# --- places ----------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Commune:
    province_code: str
    province: str  # "tỉnh Nghệ An" / "thành phố Hà Nội"
    district: str
    commune: str  # "xã Nghi Lâm"
    hamlet_kind: str  # "Xóm", "Thôn", "Ấp", "Buôn", "Bản"
    minority: float  # share of ethnic-minority names
    minority_style: str  # "ede", "jrai", "hmong"
    cmnd_prefix: str  # first two digits of the old CMND issued there


_COMMUNES = (
    _Commune("040", "tỉnh Nghệ An", "huyện Nghi Lộc", "xã Nghi Lâm", "Xóm", 0.01, "hmong", "18"),
    _Commune("001", "thành phố Hà Nội", "huyện Ba Vì", "xã Tản Lĩnh", "Thôn", 0.02, "hmong",
             "01"),
    _Commune("036", "tỉnh Nam Định", "huyện Hải Hậu", "xã Hải Minh", "Xóm", 0.0, "hmong", "16"),
    _Commune("038", "tỉnh Thanh Hóa", "huyện Thọ Xuân", "xã Xuân Lập", "Thôn", 0.03, "hmong",
             "17"),
    _Commune("089", "tỉnh An Giang", "huyện Chợ Mới", "xã Long Điền A", "Ấp", 0.02, "ede",
             "35"),
    _Commune("087", "tỉnh Đồng Tháp", "huyện Cao Lãnh", "xã Mỹ Long", "Ấp", 0.0, "ede", "34"),
    _Commune("066", "tỉnh Đắk Lắk", "huyện Krông Pắc", "xã Ea Kly", "Buôn", 0.35, "ede", "24"),
    _Commune("064", "tỉnh Gia Lai", "huyện Chư Păh", "xã Ia Ka", "Thôn", 0.45, "jrai", "23"),
    _Commune("010", "tỉnh Lào Cai", "huyện Bát Xát", "xã Mường Hum", "Thôn", 0.5, "hmong",
             "06"),
)
_HAMLET_NAMES = {
    "Xóm": ("Đông", "Tây", "Nam", "Bắc", "Trung", "Chùa", "Đình", "Mới", "Tân Lập", "Đồng Tâm"),
    "Thôn": ("Đông", "Tây", "Nam", "Bắc", "Trung", "Thượng", "Hạ", "Tân Lập", "Tân Phú",
             "Hòa Bình", "Yên Thịnh", "Phú Lợi", "An Lạc", "Đồng Tâm", "Quyết Tiến",
             "Thắng Lợi", "Đoàn Kết", "Hợp Nhất", "Bình Minh", "Kim Sơn", "Phú Xuân",
             "Xuân Hòa", "Thanh Vân", "Vĩnh An"),
    "Ấp": ("Tân Lợi", "Mỹ Thạnh", "Long Bình", "Bình Hòa", "An Thạnh", "Phú Thuận", "Mỹ Hòa",
           "Long Hưng", "Tân Phước", "Hòa Long", "Mỹ Phú", "Bình Thạnh", "Long Thuận",
           "Tân Hưng", "An Hòa"),
    "Buôn": ("Ea Kmar", "Kdun", "Ea Nao", "Kniết", "Jung", "Pơng Drang", "Ea Sim", "Cuôr"),
}


# --- records ---------------------------------------------------------------------------------

@dataclass(slots=True)
class _Person:
    name: str
    sex: str  # "M" / "F"
    dob: _dt.date
    id_number: str  # canonical, valid
    minority: bool


@dataclass(slots=True)
class _Row:
    name: str | None
    name_font: str  # "normal", "tcvn3", "vni"
    dob: object  # date (Excel date) | str | int | None
    sex: str | None
    id_value: object  # str (text cell) | int (number cell) | None
    phone: object  # str | int | None
    hamlet: str | None
    address: str
    bhyt: str
    group: str
    note: str
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


_PLACEHOLDERS = ("Không có", "chưa có", "0", "Không", "KO", "Chưa cấp", "Không có CCCD",
                 "Chưa làm CCCD", "x", "-", "000000000000", "Chưa")
_SEX_JUNK = ("x", "?", "N", "Không rõ", "Nam/Nữ", "1")
_ID_LETTERS = {"0": "O", "1": "l", "5": "S", "8": "B", "6": "G", "2": "Z"}
_MOBILE_PREFIXES = ("032", "033", "034", "035", "036", "037", "038", "039", "056", "058",
                    "059", "070", "076", "077", "078", "079", "081", "082", "083", "084",
                    "085", "086", "088", "090", "091", "093", "094", "096", "097", "098",
                    "099")
_OLD_PREFIX = {"0162": "032", "0163": "033", "0164": "034", "0165": "035", "0166": "036",
               "0167": "037", "0168": "038", "0169": "039", "0120": "070", "0121": "079",
               "0122": "077", "0126": "076", "0128": "078", "0123": "083", "0124": "084",
               "0125": "085", "0127": "081", "0129": "082"}
_BHYT_KINDS = ("GD", "GD", "GD", "HT", "TE", "CN", "HN", "DN", "BT", "HS", "NO", "XN")
_NOTES = ("", "", "", "", "", "", "", "", "Chuyển đi nơi khác", "Đã tiêm 3 mũi",
          "Sai tên trên nền tảng", "Người cao tuổi", "Tạm trú")


def _dmy(d: _dt.date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


def _valid_phone_prefixes() -> tuple[str, ...]:
    from vaxclean_xl.core.rules.phone import is_valid_vn

    ok = tuple(p for p in _MOBILE_PREFIXES if is_valid_vn(p + "1234567"))
    if not ok:  # pragma: no cover - phonenumbers metadata without Vietnamese mobiles
        raise RuntimeError("no valid Vietnamese mobile prefix in the phonenumbers metadata")
    return ok


class _Generator:
    def __init__(self, rows: int, seed: int, today: _dt.date, error_rate: float,
                 hamlets: int | None = None) -> None:
        from vaxclean_xl.core.rules.phone import is_valid_vn

        self.is_valid_phone = is_valid_vn
        self.rows = rows
        self.today = today
        self.error_rate = error_rate
        self.rng = rng = random.Random(seed)
        self.commune = rng.choice(_COMMUNES)
        self.hamlets = self._hamlets(hamlets)
        self.phone_prefixes = _valid_phone_prefixes()
        self.old_phone = tuple((o, n) for o, n in _OLD_PREFIX.items()
                               if n in self.phone_prefixes)
        # Unique six-digit tails: an affine bijection of the record index modulo 10**6.
        mult = rng.randrange(100_001, 999_999)
        while mult % 2 == 0 or mult % 5 == 0:
            mult += 1
        self.tail_mult, self.tail_add = mult, rng.randrange(1_000_000)
        self.other_provinces = tuple(c for c in PROVINCES if c != self.commune.province_code)
        self.one_zero_provinces = tuple(c for c in PROVINCES if not c.startswith("00"))
        self.bad_prefixes = tuple(
            [f"{n:03d}" for n in range(1, 100) if f"{n:03d}" not in PROVINCES]
            + ["100"] + [str(n) for n in range(300, 1000, 23)]
        )
        self.year_hi = max(1931, min(2015, today.year - 1))
        self.year_lo = min(max(1930, today.year - 110), self.year_hi - 1)
        self.families = [f for f, _ in _FAMILY]
        self.family_weights = [w for _, w in _FAMILY]
        self.kinds = list(ERROR_MIX)
        self.kind_weights = [ERROR_MIX[k] for k in self.kinds]
        self.cycle = list(ERROR_MIX)
        rng.shuffle(self.cycle)
        self.warn_kinds = list(WARNING_MIX)
        self.warn_weights = [WARNING_MIX[k] for k in self.warn_kinds]
        self.sci_used: set[str] = set()
        self.scheduled: dict[int, _Row] = {}
        self.counts: dict[str, int] = {}
        # At least one pair of each kind (when the list is long enough): kind -> from index.
        self.forced: dict[str, int] = (
            {"ID103": rows // 3, "REC001": 2 * rows // 3} if error_rate > 0 and rows >= 20
            else {}
        )

    # --- people ---------------------------------------------------------------------------

    def _hamlets(self, count: int | None = None) -> list[str]:
        rng, kind = self.rng, self.commune.hamlet_kind
        n = rng.randint(5, 40)
        if count is not None:  # asked for (benchmarks: 40 hamlet files); same draws after
            n = count
        names = list(_HAMLET_NAMES.get(kind, ()))
        rng.shuffle(names)
        if kind == "Xóm" and rng.random() < 0.6:
            names = []  # numbered hamlets: Xóm 1 … Xóm n
        out = [f"{kind} {x}" for x in names[: rng.randint(0, min(n, len(names)))]]
        number = 1
        while len(out) < n:
            label = "Thôn" if kind == "Buôn" and number % 2 else kind
            out.append(f"{label} {number}")
            number += 1
        return out

    def _name(self, sex: str, minority: bool) -> str:
        rng = self.rng
        if minority:
            style = self.commune.minority_style
            if style == "ede":
                given = rng.choice(_EDE_GIVEN[sex])
                lead = "Y " if sex == "M" else "H'"
                return f"{lead}{given} {rng.choice(_EDE_CLANS)}"
            if style == "jrai":
                return f"{rng.choice(_JRAI_CLANS)} {rng.choice(_JRAI_GIVEN[sex])}"
            return (f"{rng.choice(_HMONG_CLANS)} {rng.choice(_HMONG_MIDDLE[sex])} "
                    f"{rng.choice(_HMONG_GIVEN[sex])}")
        family = rng.choices(self.families, self.family_weights)[0]
        middle = rng.choice(_MIDDLE[sex])
        given = rng.choice(_GIVEN[sex])
        if rng.random() < 0.15:
            second = rng.choice(_SECOND_MIDDLE[sex])
            if second not in (middle, given):
                middle = f"{middle} {second}"
        return f"{family} {middle} {given}"

    def _year(self) -> int:
        rng = self.rng
        year = rng.randint(self.year_lo, self.year_hi)
        if year < 1950 and rng.random() < 0.6:
            year = rng.randint(max(1950, self.year_lo), self.year_hi)
        return year

    def _date_in(self, year: int, placeholder_ok: bool = True) -> _dt.date:
        rng = self.rng
        share = 0.25 if year < 1960 else 0.04
        if placeholder_ok and rng.random() < share:
            return _dt.date(year, 1, 1)
        start = _dt.date(year, 1, 1).toordinal()
        end = _dt.date(year, 12, 31).toordinal()
        return _dt.date.fromordinal(rng.randint(start, end))

    def _tail(self, index: int) -> str:
        return f"{(self.tail_mult * index + self.tail_add) % 1_000_000:06d}"

    def _cccd(self, index: int, sex: str, year: int, province: str | None = None) -> str:
        if province is None:
            province = (self.commune.province_code if self.rng.random() < 0.85
                        else self.rng.choice(self.other_provinces))
        digit = 2 * ((year - 1900) // 100) + (1 if sex == "F" else 0)
        return f"{province}{digit}{year % 100:02d}{self._tail(index)}"

    def _cmnd(self, index: int) -> str:
        return f"{self.commune.cmnd_prefix}{self.rng.randint(0, 9)}{self._tail(index)}"

    def person(self, index: int, *, sex: str | None = None, dob: _dt.date | None = None,
               year: int | None = None, cmnd: bool | None = None,
               minority: bool | None = None, province: str | None = None) -> _Person:
        rng = self.rng
        sex = sex or ("M" if rng.random() < 0.5 else "F")
        if minority is None:
            minority = rng.random() < self.commune.minority
        name = self._name(sex, minority)
        if dob is None:
            dob = self._date_in(year if year is not None else self._year())
        if cmnd is None:
            cmnd = dob.year < 1980 and rng.random() < 0.25
        id_number = self._cmnd(index) if cmnd else self._cccd(index, sex, dob.year, province)
        return _Person(name, sex, dob, id_number, minority)

    # --- rows -----------------------------------------------------------------------------

    def _phone(self) -> str:
        rng = self.rng
        while True:
            number = f"{rng.choice(self.phone_prefixes)}{rng.randint(0, 9_999_999):07d}"
            if self.is_valid_phone(number):
                return number

    def row_of(self, p: _Person) -> _Row:
        rng = self.rng
        hamlet = rng.choice(self.hamlets)
        address = f"{hamlet}, {self.commune.commune}, {self.commune.district}, " \
                  f"{self.commune.province}"
        shown_hamlet = hamlet
        roll = rng.random()
        if roll < 0.03:
            shown_hamlet = hamlet[0].lower() + hamlet[1:]  # "xóm 1"
        elif roll < 0.05:
            shown_hamlet = hamlet.replace(" ", "  ", 1)  # "Xóm  1"
        elif roll < 0.06:
            shown_hamlet = hamlet.upper()
        if rng.random() < 0.1:
            address = ""
        dob: object = p.dob
        if rng.random() < 0.15:
            dob = _dmy(p.dob)  # a valid date typed as text
        bhyt = ""
        if rng.random() < 0.8:
            bhyt = (f"{rng.choice(_BHYT_KINDS)}{rng.randint(1, 5)}"
                    f"{self.commune.province_code[1:]}{rng.randint(0, 9_999_999_999):010d}")
        return _Row(
            name=p.name, name_font="normal", dob=dob, sex="Nam" if p.sex == "M" else "Nữ",
            id_value=p.id_number, phone=self._phone() if rng.random() < 0.9 else None,
            hamlet=shown_hamlet, address=address, bhyt=bhyt,
            group=f"Nhóm {rng.choice((1, 2, 3, 4, 5, 6, 7, 7, 9, 9, 9, 11, 13, 15, 15, 18))}",
            note=rng.choice(_NOTES),
        )

    def next_error_kind(self) -> str:
        if self.cycle:
            return self.cycle.pop()
        return self.rng.choices(self.kinds, self.kind_weights)[0]

    def error_row(self, index: int, kind: str) -> _Row:
        rng = self.rng
        today = self.today
        if kind == "DOB004":
            # A future day inside the current year: the CCCD (which encodes the year) agrees.
            start, end = today.toordinal() + 1, _dt.date(today.year, 12, 31).toordinal()
            if start <= end:
                p = self.person(index, dob=_dt.date.fromordinal(rng.randint(start, end)),
                                cmnd=False)
            else:
                p = self.person(index, dob=today + _dt.timedelta(days=rng.randint(1, 200)),
                                cmnd=True)
            row = self.row_of(p)
            row.dob = p.dob if rng.random() < 0.7 else _dmy(p.dob)
            return self._done(row, kind)
        if kind == "DOB005":
            # More than 120 years ago, with a CMND (a CCCD cannot encode the 1800s).
            year = rng.randint(today.year - 130, today.year - 122)
            dob = self._date_in(year)
            p = self.person(index, dob=_dt.date(1960, 1, 1), cmnd=True)
            row = self.row_of(p)
            row.dob = dob if year >= 1901 else _dmy(dob)
            return self._done(row, kind)
        needs_cccd = kind in ("ID005", "ID007", "ID008", "ID009", "ID101", "ID102")
        province = None
        if kind == "ID005":
            # 001…008 lose two zeros in a number cell (10 digits): that reads as ID006.
            province = self.commune.province_code
            if province.startswith("00") or rng.random() < 0.15:
                province = rng.choice(self.one_zero_provinces)
        p = self.person(index, cmnd=False if needs_cccd else None, province=province)
        row = self.row_of(p)
        ident = p.id_number
        d = p.dob
        if kind == "ID001":
            row.id_value = None
        elif kind == "ID002":
            row.id_value = rng.choice(_PLACEHOLDERS)
        elif kind == "ID003":
            if len(ident) == 12:
                sep = rng.choice((" ", ".", "-", " "))
                if rng.random() < 0.5:
                    row.id_value = sep.join((ident[:3], ident[3:6], ident[6:9], ident[9:]))
                else:
                    row.id_value = f"{ident[:3]}{sep}{ident[3:]}"
            else:
                row.id_value = " ".join((ident[:3], ident[3:6], ident[6:]))
        elif kind == "ID004":
            pos = rng.randint(1, 4 if len(ident) == 12 else 2)  # keeps the unique tail
            letter = _ID_LETTERS.get(ident[pos], "A")
            row.id_value = ident[:pos] + letter + ident[pos + 1:]
        elif kind == "ID005":
            row.id_value = int(ident)  # number cell: the leading zero is lost
        elif kind == "ID006":
            row.id_value = ident + str(rng.randint(0, 9))  # 13 (CCCD) or 10 (CMND) digits
        elif kind == "ID007":
            row.id_value = rng.choice(self.bad_prefixes) + ident[3:]
        elif kind == "ID008":
            row.id_value = ident[:3] + str(rng.randint(4, 9)) + ident[4:]
        elif kind == "ID009":
            # Distinct people must not share a text (that would be ID103 as well).
            texts = [f"{int(ident):.{digits}E}" for digits in (5, 4, 3, 2)]
            texts = [t for t in texts[rng.randint(0, 1):] if t not in self.sci_used]
            if not texts:
                row.id_value = f"{ident[:3]} {ident[3:]}"
                return self._done(row, "ID003")
            self.sci_used.add(texts[0])
            row.id_value = texts[0]
        elif kind == "ID101":
            digit = int(ident[3])
            row.id_value = ident[:3] + str(digit ^ 1) + ident[4:]  # other sex, same century
        elif kind == "ID102":
            year = d.year
            while year == d.year:
                year = min(self.year_hi, max(self.year_lo, d.year + rng.choice((-10, -2, -1,
                                                                                 1, 2, 10))))
            new = _dt.date(year, d.month, min(d.day, 28))
            row.dob = new if not isinstance(row.dob, str) else _dmy(new)
        elif kind == "NAME001":
            row.name = None
        elif kind == "NAME002":
            digit = str(rng.randint(0, 9))
            words = p.name.split()
            style = rng.random()
            if style < 0.4:
                row.name = f"{p.name} {digit}"
            elif style < 0.7:
                row.name = f"{p.name}{digit}"
            else:
                words[-1] = digit + words[-1]
                row.name = " ".join(words)
        elif kind == "NAME003":
            row.name = (rng.choice(_NICKNAMES) if rng.random() < 0.5
                        else p.name.split()[-1])
        elif kind == "NAME004":
            encoded = None
            while encoded is None or encoded == p.name:
                p = self.person(index, sex=p.sex, dob=d, minority=False)
                encoded = to_tcvn3(p.name)
            row.name, row.name_font, row.id_value = encoded, "tcvn3", p.id_number
        elif kind == "NAME005":
            encoded = to_vni(p.name)
            while encoded == p.name:
                p = self.person(index, sex=p.sex, dob=d, minority=False)
                encoded = to_vni(p.name)
            row.name, row.name_font, row.id_value = encoded, "vni", p.id_number
        elif kind == "DOB001":
            row.dob = None
        elif kind == "DOB002":
            y = d.year
            row.dob = rng.choice((f"31/02/{y}", f"30/02/{y}", f"{d.day:02d}/13/{y}",
                                  f"00/00/{y}", f"31/04/{y}", f"32/{d.month:02d}/{y}"))
        elif kind == "DOB003":
            row.dob = rng.choice((d.year, d.year, str(d.year), f"năm {d.year}"))
        elif kind == "DOB006":
            yy = f"{d.year % 100:02d}"
            row.dob = rng.choice((
                f"{d.day}/{d.month}/{yy}", f"{d.day:02d}-{d.month:02d}-{yy}",
                f"ngày {d.day} tháng {d.month}", f"{d.day}/{d.month}",
                f"{d.day}.{d.month}.{yy}",
            ))
        elif kind == "SEX001":
            row.sex = None
        elif kind == "SEX002":
            row.sex = rng.choice(_SEX_JUNK)
        else:  # pragma: no cover - ERROR_MIX and this function are kept in step
            raise AssertionError(kind)
        return self._done(row, kind)

    def _done(self, row: _Row, code: str) -> _Row:
        row.errors = (code,)
        return row

    def warning_row(self, index: int, kind: str) -> _Row:
        rng = self.rng
        p = self.person(index, minority=False if kind == "NAME103" else None)
        row = self.row_of(p)
        if kind == "NAME101":
            words = p.name.split()
            style = rng.random()
            if style < 0.4:
                pos = rng.randint(1, len(words) - 1)
                row.name = " ".join(words[:pos]) + "  " + " ".join(words[pos:])
            elif style < 0.7:
                row.name = p.name + " "
            else:
                row.name = " " + p.name
        elif kind == "NAME103":
            row.name = p.name.upper()
        elif kind == "PHONE001":
            good = self._phone()
            row.phone = rng.choice((good[:7], good[:8], good + str(rng.randint(0, 9)),
                                    "0" + good[3:]))
            if self.is_valid_phone(str(row.phone)):  # pragma: no cover - defensive
                row.phone = good[:6]
        elif kind == "PHONE002":
            while True:
                old, new = rng.choice(self.old_phone)
                last7 = f"{rng.randint(0, 9_999_999):07d}"
                if self.is_valid_phone(new + last7):
                    break
            row.phone = old + last7
        elif kind == "PHONE003":
            row.phone = int(self._phone())  # number cell: leading zero lost
        elif kind == "HAMLET001":
            row.hamlet = None
        row.warnings = (kind,)
        return row

    def pair(self, index: int, kind: str) -> tuple[_Row, int, _Row] | None:
        """Rows for an ID103 pair (two people, one number) or a REC001 pair (one person
        twice); the second goes a few rows later."""
        rng = self.rng
        slot = min(index + rng.randint(1, 25), self.rows - 1)
        while slot in self.scheduled and slot < self.rows - 1:
            slot += 1
        if slot <= index or slot in self.scheduled:
            return None
        a = self.person(index, minority=False)
        first = self.row_of(a)
        if kind == "REC001":
            first.warnings = ("REC001",)
            second = replace(first)
        else:
            while True:
                b = self.person(index, sex=a.sex, year=a.dob.year, minority=False)
                if b.name != a.name and b.dob != a.dob:
                    break
            second = self.row_of(b)
            first.errors = second.errors = ("ID103",)
        second.id_value = first.id_value = a.id_number
        return first, slot, second

    def rows_iter(self):
        for index in range(self.rows):
            row = self.scheduled.pop(index, None)
            if row is None:
                row = self._fresh(index)
            for code in row.errors + row.warnings:
                self.counts[code] = self.counts.get(code, 0) + 1
            yield index, row

    def _fresh(self, index: int) -> _Row:
        rng = self.rng
        if self.error_rate > 0:
            for kind in ("ID103", "REC001"):
                due = index >= self.forced.get(kind, self.rows)
                if rng.random() < PAIR_RATE or due:
                    made = self.pair(index, kind)
                    if made is not None:
                        self.forced.pop(kind, None)
                        first, slot, second = made
                        self.scheduled[slot] = second
                        return first
        if rng.random() < self.error_rate:
            return self.error_row(index, self.next_error_kind())
        if rng.random() < WARNING_RATE:
            return self.warning_row(index, rng.choices(self.warn_kinds, self.warn_weights)[0])
        return self.row_of(self.person(index))


# --- writing ---------------------------------------------------------------------------------

_EXCEL_EPOCH_ORDINAL = _dt.date(1899, 12, 30).toordinal()


def generate_sample(path: str | Path, rows: int = 500, seed: int = 1, *,
                    today: _dt.date | None = None, error_rate: float = 0.25,
                    hamlets: int | None = None) -> Path:
    """Write a realistic synthetic commune list (.xlsx) and its ground truth '<stem>.truth.json'
    beside it; return the truth path.

    ``rows`` records (1 … 1,000,000) are written to sheet "Danh sách" from row 7 (header in
    row 5, numbering row in row 6). ``today`` (default: the current date) is only used to make
    future and too-old dates of birth relative to it; validate with the same date. The same
    ``seed`` and ``today`` give the same files.
    """
    from vaxclean_xl.xlsx.workbook import new_workbook

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise ValueError(f"the sample list must be an .xlsx file, got {path.name!r}")
    if not 1 <= rows <= MAX_ROWS:
        raise ValueError(f"rows must be between 1 and {MAX_ROWS:,}, got {rows}")
    if not 0.0 <= error_rate <= 1.0:
        raise ValueError(f"error_rate must be between 0 and 1, got {error_rate}")
    today = today or _dt.date.today()
    gen = _Generator(rows, seed, today, error_rate, hamlets)
    commune = gen.commune
    last_data_row = FIRST_DATA_ROW + rows - 1
    truth_path = path.with_name(path.stem + ".truth.json")
    path.parent.mkdir(parents=True, exist_ok=True)

    wb = new_workbook(path, constant_memory=rows > CONSTANT_MEMORY_ABOVE)
    wb.set_properties({
        "title": "Danh sách đối tượng tiêm chủng COVID-19 cần làm sạch dữ liệu",
        "author": f"Trạm Y tế {commune.commune}",
        "comments": "Dữ liệu mẫu tổng hợp (không phải người thật), tạo bởi vaxclean sample.",
        "created": _dt.datetime(today.year, today.month, today.day),
    })
    base = {"font_name": "Times New Roman", "font_size": 12, "valign": "vcenter"}
    cell = {**base, "border": 1}
    fmt = {
        "title_left": wb.add_format({**base, "bold": True, "align": "center"}),
        "title_right": wb.add_format({**base, "bold": True, "align": "center"}),
        "motto": wb.add_format({**base, "bold": True, "underline": True, "align": "center"}),
        "title": wb.add_format({**base, "bold": True, "font_size": 14, "align": "center"}),
        "subtitle": wb.add_format({**base, "italic": True, "align": "center"}),
        "header": wb.add_format({**cell, "bold": True, "align": "center", "text_wrap": True,
                                 "bg_color": "#DDEBF7"}),
        "numbering": wb.add_format({**cell, "italic": True, "align": "center"}),
        "stt": wb.add_format({**cell, "align": "center"}),
        "name": wb.add_format(cell),
        "tcvn3": wb.add_format({**cell, "font_name": ".VnTime"}),
        "vni": wb.add_format({**cell, "font_name": "VNI-Times"}),
        "date": wb.add_format({**cell, "num_format": "dd/mm/yyyy", "align": "center"}),
        "text": wb.add_format({**cell, "num_format": "@"}),
        "number": wb.add_format({**cell, "num_format": "0"}),
        "general": wb.add_format(cell),
        "total": wb.add_format({**cell, "bold": True}),
        "sign_title": wb.add_format({**base, "bold": True, "align": "center"}),
        "sign_note": wb.add_format({**base, "italic": True, "align": "center"}),
        "sign_name": wb.add_format({**base, "bold": True, "align": "center"}),
        "bad": wb.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"}),
    }
    ws = wb.add_worksheet(SHEET)
    notes = wb.add_worksheet(NOTES_SHEET)

    # Features a user adds and an annotator must keep.
    for col, width in enumerate(WIDTHS):
        ws.set_column(col, col, width)
    ws.freeze_panes(NUMBERING_ROW, 2)
    ws.repeat_rows(HEADER_ROW - 1, NUMBERING_ROW - 1)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.data_validation(FIRST_DATA_ROW - 1, C_SEX, last_data_row - 1, C_SEX, {
        "validate": "list", "source": ["Nam", "Nữ"],
        "input_title": "Giới tính", "input_message": "Chọn Nam hoặc Nữ",
        "error_title": "Giới tính", "error_message": "Chỉ ghi Nam hoặc Nữ",
    })
    id_cell = f"$E{FIRST_DATA_ROW}"
    ws.conditional_format(FIRST_DATA_ROW - 1, C_ID, last_data_row - 1, C_ID, {
        "type": "formula",
        "criteria": f'=AND({id_cell}<>"",LEN({id_cell})<>12,LEN({id_cell})<>9)',
        "format": fmt["bad"],
    })
    wb.define_name("DanhSachTiem", f"='{SHEET}'!$A${HEADER_ROW}:$K${last_data_row}")
    wb.define_name("SoDoiTuong", f"={rows}")

    # Title block (rows 1-4), header (5), numbering (6).
    unit = commune.commune.replace("xã ", "").upper()
    ws.merge_range(0, 0, 0, 2, f"SỞ Y TẾ {commune.province.upper()}", fmt["title_left"])
    ws.merge_range(0, 5, 0, 9, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", fmt["title_right"])
    ws.merge_range(1, 0, 1, 2, f"TRẠM Y TẾ XÃ {unit}", fmt["title_left"])
    ws.merge_range(1, 5, 1, 9, "Độc lập - Tự do - Hạnh phúc", fmt["motto"])
    ws.merge_range(2, 0, 2, LAST_COL,
                   "DANH SÁCH ĐỐI TƯỢNG TIÊM CHỦNG COVID-19 CẦN LÀM SẠCH DỮ LIỆU", fmt["title"])
    ws.merge_range(3, 0, 3, LAST_COL,
                   f"({commune.commune[0].upper()}{commune.commune[1:]}, {commune.district}, "
                   f"{commune.province})",
                   fmt["subtitle"])
    ws.set_row(HEADER_ROW - 1, 32)
    for col, text in enumerate(HEADERS):  # constant_memory: one row after the other
        ws.write_string(HEADER_ROW - 1, col, text, fmt["header"])
    for col in range(len(HEADERS)):
        ws.write_string(NUMBERING_ROW - 1, col, f"({col + 1})", fmt["numbering"])

    f_stt, f_name, f_text, f_date = fmt["stt"], fmt["name"], fmt["text"], fmt["date"]
    f_number, f_general = fmt["number"], fmt["general"]
    name_fmt = {"normal": f_name, "tcvn3": fmt["tcvn3"], "vni": fmt["vni"]}
    write_string, write_number, write_blank = ws.write_string, ws.write_number, ws.write_blank
    epoch = _EXCEL_EPOCH_ORDINAL

    def put(r: int, c: int, value: object, text_fmt) -> None:
        if value is None or value == "":
            write_blank(r, c, None, text_fmt)
        elif value.__class__ is str:
            write_string(r, c, value, text_fmt)
        elif isinstance(value, _dt.date):
            write_number(r, c, value.toordinal() - epoch, f_date)
        else:
            write_number(r, c, value, f_general if c == C_DOB else f_number)

    with truth_path.open("w", encoding="utf-8", newline="\n") as out:
        head = {
            "schema": SCHEMA, "seed": seed, "rows": rows, "sheet": SHEET,
            "header_row": HEADER_ROW, "first_data_row": FIRST_DATA_ROW,
            "last_data_row": last_data_row, "today": today.isoformat(),
            "error_rate": error_rate,
        }
        out.write(json.dumps(head, ensure_ascii=False)[:-1] + ',\n"records": [\n')
        sep = ""
        for index, row in gen.rows_iter():
            r = FIRST_DATA_ROW - 1 + index
            write_number(r, C_STT, index + 1, f_stt)
            put(r, C_NAME, row.name, name_fmt[row.name_font])
            put(r, C_DOB, row.dob, f_date if isinstance(row.dob, _dt.date) else f_text)
            put(r, C_SEX, row.sex, f_name)
            put(r, C_ID, row.id_value, f_text)
            put(r, C_PHONE, row.phone, f_text)
            put(r, C_HAMLET, row.hamlet, f_name)
            put(r, C_ADDR, row.address, f_name)
            put(r, C_BHYT, row.bhyt, f_text)
            put(r, C_GROUP, row.group, f_name)
            put(r, C_NOTE, row.note, f_name)
            errors = ", ".join(f'"{c}"' for c in row.errors)
            warnings = ", ".join(f'"{c}"' for c in row.warnings)
            out.write(f'{sep}{{"row": {r + 1}, "category": "{expected_category(row.errors)}", '
                      f'"errors": [{errors}], "warnings": [{warnings}]}}')
            sep = ",\n"
        counts = dict(sorted(gen.counts.items()))
        out.write('\n],\n"counts": ' + json.dumps(counts) + "\n}\n")

    # Footer: total, then the signature block.
    total = last_data_row  # 0-based index of the row after the last record
    ws.merge_range(total, 0, total, 1, f"Tổng cộng: {rows:,} người".replace(",", "."),
                   fmt["total"])
    for col in range(2, LAST_COL + 1):
        write_blank(total, col, None, fmt["total"])
    place = commune.commune.replace("xã ", "").title()
    ws.write_string(total + 2, 7, f"{place}, ngày {today.day:02d} tháng {today.month:02d} "
                                  f"năm {today.year}", fmt["sign_note"])
    ws.write_string(total + 3, 1, "NGƯỜI LẬP BIỂU", fmt["sign_title"])
    ws.write_string(total + 3, 7, "TRƯỞNG TRẠM", fmt["sign_title"])
    ws.write_string(total + 4, 1, "(Ký, ghi rõ họ tên)", fmt["sign_note"])
    ws.write_string(total + 4, 7, "(Ký, ghi rõ họ tên, đóng dấu)", fmt["sign_note"])
    signer = gen.person(0, sex="F", minority=False).name
    head_of_station = gen.person(0, sex="M", minority=False).name
    ws.write_string(total + 8, 1, signer, fmt["sign_name"])
    ws.write_string(total + 8, 7, head_of_station, fmt["sign_name"])

    notes.set_column(0, 0, 100)
    lines = (
        "GHI CHÚ",
        f"Danh sách mẫu của {commune.commune}, {commune.district}, {commune.province}.",
        "Dữ liệu tổng hợp ngẫu nhiên, không phải người thật; dùng để thử công cụ làm sạch.",
        "Cột (2): ghi đầy đủ họ, tên đệm và tên, có dấu (Unicode).",
        "Cột (3): ngày/tháng/năm sinh dạng dd/mm/yyyy; không rõ ngày tháng thì ghi 01/01/yyyy.",
        "Cột (4): chỉ ghi Nam hoặc Nữ (chọn trong danh sách thả xuống).",
        "Cột (5): CCCD 12 số hoặc CMND 9 số, ô định dạng Văn bản (Text).",
        "Cột (6): số điện thoại di động 10 số.",
    )
    for i, line in enumerate(lines):
        notes.write_string(i, 0, line)
    wb.close()
    return truth_path
