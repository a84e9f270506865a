"""Legacy TCVN3 / VNI detection and conversion (vaxclean_xl.core.legacy_text).

The legacy forms are made here by an independent encoding step: a hand-written Unicode ->
TCVN3 byte table and a hand-written Unicode -> VNI spelling (base letter + modifier byte),
then the bytes are read back the way Excel readers do (Windows-1252, or Latin-1). A few
literal strings copied from public examples pin the tables as well.
"""

from __future__ import annotations

import time
import unicodedata

import pytest

from vaxclean_xl.core.legacy_text import detect_legacy_encoding, legacy_to_unicode

# --- independent encoders ------------------------------------------------------------------

# TCVN3 (ABC, VN3) byte of each small letter, and of the seven capitals VN3 has.
_TCVN3_BYTE = {
    "à": 0xB5, "ả": 0xB6, "ã": 0xB7, "á": 0xB8, "ạ": 0xB9,
    "ă": 0xA8, "ằ": 0xBB, "ẳ": 0xBC, "ẵ": 0xBD, "ắ": 0xBE, "ặ": 0xC6,
    "â": 0xA9, "ầ": 0xC7, "ẩ": 0xC8, "ẫ": 0xC9, "ấ": 0xCA, "ậ": 0xCB,
    "đ": 0xAE,
    "è": 0xCC, "ẻ": 0xCE, "ẽ": 0xCF, "é": 0xD0, "ẹ": 0xD1,
    "ê": 0xAA, "ề": 0xD2, "ể": 0xD3, "ễ": 0xD4, "ế": 0xD5, "ệ": 0xD6,
    "ì": 0xD7, "ỉ": 0xD8, "ĩ": 0xDC, "í": 0xDD, "ị": 0xDE,
    "ò": 0xDF, "ỏ": 0xE1, "õ": 0xE2, "ó": 0xE3, "ọ": 0xE4,
    "ô": 0xAB, "ồ": 0xE5, "ổ": 0xE6, "ỗ": 0xE7, "ố": 0xE8, "ộ": 0xE9,
    "ơ": 0xAC, "ờ": 0xEA, "ở": 0xEB, "ỡ": 0xEC, "ớ": 0xED, "ợ": 0xEE,
    "ù": 0xEF, "ủ": 0xF1, "ũ": 0xF2, "ú": 0xF3, "ụ": 0xF4,
    "ư": 0xAD, "ừ": 0xF5, "ử": 0xF6, "ữ": 0xF7, "ứ": 0xF8, "ự": 0xF9,
    "ỳ": 0xFA, "ỷ": 0xFB, "ỹ": 0xFC, "ý": 0xFD, "ỵ": 0xFE,
    "Ă": 0xA1, "Â": 0xA2, "Ê": 0xA3, "Ô": 0xA4, "Ơ": 0xA5, "Ư": 0xA6, "Đ": 0xA7,
}


def tcvn3_bytes(name: str) -> bytes:
    """Bytes as typed with a TCVN3 keyboard in a .VnTime cell (other capitals go small)."""
    out = bytearray()
    for ch in name:
        if ch.isascii():
            out.append(ord(ch))
        elif ch in _TCVN3_BYTE:
            out.append(_TCVN3_BYTE[ch])
        else:
            out.append(_TCVN3_BYTE[ch.lower()])
    return bytes(out)


def tcvn3(name: str, reading: str = "cp1252") -> str:
    """The cell text a reader returns for `name` typed in TCVN3."""
    return tcvn3_bytes(name).decode(reading)


# VNI: tone byte (small, capital); the circumflex / breve bytes that also carry a tone.
_VNI_TONE = {"": ("", ""), "\u0300": ("ø", "Ø"), "\u0301": ("ù", "Ù"), "\u0309": ("û", "Û"),
             "\u0303": ("õ", "Õ"), "\u0323": ("ï", "Ï")}
_VNI_CIRC = {"": ("â", "Â"), "\u0300": ("à", "À"), "\u0301": ("á", "Á"), "\u0309": ("å", "Å"),
             "\u0303": ("ã", "Ã"), "\u0323": ("ä", "Ä")}
_VNI_BREVE = {"": ("ê", "Ê"), "\u0300": ("è", "È"), "\u0301": ("é", "É"), "\u0309": ("ú", "Ú"),
              "\u0303": ("ü", "Ü"), "\u0323": ("ë", "Ë")}
_VNI_I = {"\u0300": ("ì", "Ì"), "\u0301": ("í", "Í"), "\u0309": ("æ", "Æ"),
          "\u0303": ("ó", "Ó"), "\u0323": ("ò", "Ò")}


def vni(name: str) -> str:
    """`name` spelt in VNI-Windows, as the cell text a reader returns."""
    out = []
    for ch in name:
        if ch in "đĐ":
            out.append("ñ" if ch == "đ" else "Ñ")
            continue
        decomposed = unicodedata.normalize("NFD", ch)
        base, marks = decomposed[0], decomposed[1:]
        if not marks:
            out.append(ch)
            continue
        cap = 1 if base.isupper() else 0
        tone = next((m for m in marks if m in _VNI_TONE and m), "")
        if "\u031b" in marks:  # horn: ơ = ô, ư = ö, then the tone byte
            out.append({"o": "ô", "O": "Ô", "u": "ö", "U": "Ö"}[base] + _VNI_TONE[tone][cap])
        elif "\u0302" in marks:
            out.append(base + _VNI_CIRC[tone][cap])
        elif "\u0306" in marks:
            out.append(base + _VNI_BREVE[tone][cap])
        elif base in "iI":
            out.append(_VNI_I[tone][cap])
        elif base in "yY" and tone == "\u0323":
            out.append("îÎ"[cap])
        else:
            out.append(base + _VNI_TONE[tone][cap])
    return "".join(out)


def test_encoders_match_published_examples() -> None:
    # literal strings from public examples, so the test-side tables are checked too
    assert tcvn3("Nguyễn Văn Hương") == "NguyÔn V¨n H\u00ad¬ng"
    assert tcvn3("Xin chào các bạn") == "Xin chµo c¸c b¹n"
    assert tcvn3("Tôi đi học") == "T«i ®i häc"
    assert tcvn3("Bảo Thắng") == "B¶o Th¾ng"
    assert vni("Nguyễn Văn") == "Nguyeãn Vaên"
    assert vni("Xin chào các bạn") == "Xin chaøo caùc baïn"
    assert vni("Tôi đi học") == "Toâi ñi hoïc"


# --- TCVN3 ---------------------------------------------------------------------------------

TCVN3_NAMES = [
    "Nguyễn Văn Hương",
    "Trần Thị Thu Hằng",
    "Lê Thị Ánh",  # capital toned letters have no VN3 code: typed small
    "Phạm Quốc Việt",
    "Hoàng Đức Thắng",
    "Huỳnh Ngọc Yến",
    "Đặng Thị Nguyệt",
    "Bùi Xuân Trường",
    "Đỗ Mạnh Cường",
    "Hồ Thị Diệu Linh",
    "Ngô Quang Khải",
    "Dương Thị Kiều Oanh",
    "Lý Thị Thủy",
    "Vũ Đình Nghĩa",
    "Phan Thị Tuyết Mai",
    "Võ Văn Lộc",
    "Đinh Thị Quỳnh Giao",
    "Trương Công Phúc",
    "Lương Thị Huệ",
    "Tạ Quang Chiến",
    "Nguyễn Thị Khuê",
    "Đoàn Văn Giữ",
]


def _expected_tcvn3(name: str) -> str:
    # VN3 has no capital toned letters, so e.g. 'Á' comes back as 'á'
    return "".join(c if c.isascii() or c in _TCVN3_BYTE else c.lower() for c in name)


@pytest.mark.parametrize("name", TCVN3_NAMES)
@pytest.mark.parametrize("reading", ["cp1252", "latin-1"])
def test_tcvn3_names_detected_and_converted(name: str, reading: str) -> None:
    legacy = tcvn3(name, reading)
    assert legacy != name
    assert detect_legacy_encoding(legacy) == "TCVN3"
    assert detect_legacy_encoding(legacy, ".VnTime") == "TCVN3"
    converted = legacy_to_unicode(legacy, "TCVN3")
    assert converted == _expected_tcvn3(name)
    assert unicodedata.is_normalized("NFC", converted)


@pytest.mark.parametrize(
    ("legacy", "expected"),
    [
        ("NguyÔn V¨n H\u00ad¬ng", "Nguyễn Văn Hương"),
        ("TrÇn ThÞ Thu H»ng", "Trần Thị Thu Hằng"),
        ("§ç M¹nh C\u00adêng", "Đỗ Mạnh Cường"),
        ("Lª ThÞ ¸nh", "Lê Thị ánh"),
        ("M\u00adêng Kh\u00ad¬ng", "Mường Khương"),
        ("B¸t X¸t", "Bát Xát"),
    ],
)
def test_tcvn3_literals(legacy: str, expected: str) -> None:
    assert detect_legacy_encoding(legacy) == "TCVN3"
    assert legacy_to_unicode(legacy, "TCVN3") == expected


@pytest.mark.parametrize(
    ("name", "font"),
    [("Nguyễn Văn Hương", ".VnTimeH"), ("Trần Thị Ánh", ".VnArialH"),
     ("Đỗ Thị Lý", ".VnTimeH"), ("Lê Ngọc Ân", " .VnCentury SchoolbookH ")],
)
def test_tcvn3_capitals_font(name: str, font: str) -> None:
    # in a capitals font the small codes display as capitals; typists often type all small
    legacy = tcvn3(name.lower())
    assert detect_legacy_encoding(legacy, font) == "TCVN3"
    assert legacy_to_unicode(legacy, "TCVN3", font) == name.upper()
    # the same text in the ordinary font stays small
    assert legacy_to_unicode(legacy, "TCVN3", font.strip()[:-1]) == name.lower()


def test_tcvn3_capitals_typed_as_ascii_in_ordinary_font() -> None:
    # 'NGUYỄN' typed in .VnTime: ASCII capitals, small toned letter -> whole word upper-cased
    legacy = "NGUY" + chr(0xD4) + "N V" + chr(0xA1) + "N H" + chr(0xA6) + chr(0xA5) + "NG"
    assert detect_legacy_encoding(legacy) == "TCVN3"
    assert legacy_to_unicode(legacy, "TCVN3") == "NGUYỄN VĂN HƯƠNG"


@pytest.mark.parametrize("reading", ["cp1252", "latin-1"])
def test_tcvn3_vn1_capitals_in_0x80_0x9f(reading: str) -> None:
    # TCVN 5712 VN1 capitals: 0x83 'Á', 0x8C 'Ệ', 0x97 'Ộ' (cp1252 'ƒ', 'Œ', '—')
    legacy = bytes([0x83]) + b"NH HI" + bytes([0x8C]) + b"P T" + bytes([0x97])
    text = legacy.decode(reading)
    if reading == "cp1252":
        assert text == "ƒNH HIŒP T—"
    assert detect_legacy_encoding(text) == "TCVN3"
    assert legacy_to_unicode(text, "TCVN3") == "ÁNH HIỆP TỘ"


@pytest.mark.parametrize(
    ("legacy", "expected"),
    [
        ("H\u2019Hen Ni\u00aa", "H\u2019Hen Niê"),  # typographic apostrophe stays
        ("\u201cNguy\u00d4n\u201d", "\u201cNguyễn\u201d"),  # quotes stay
        ("B\u00b5 R\u00dea\u2013V\u00f2ng T\u00b5u", "Bà Rịa\u2013Vũng Tàu"),  # en dash stays
        ("T\u00e6 3 \u2013 khu 2", "Tổ 3 \u2013 khu 2"),
    ],
)
def test_tcvn3_cp1252_punctuation(legacy: str, expected: str) -> None:
    assert detect_legacy_encoding(legacy) == "TCVN3"
    assert legacy_to_unicode(legacy, "TCVN3") == expected


def test_tcvn3_undefined_cp1252_bytes() -> None:
    # 0x81 'Ả' and 0x90 'Í' have no cp1252 character: readers give U+0081 / U+0090
    assert legacy_to_unicode("\x81NH \x90T", "TCVN3") == "ẢNH ÍT"


# --- VNI -----------------------------------------------------------------------------------

VNI_NAMES = [
    "Nguyễn Văn Hương",
    "Trần Thị Thu Hằng",
    "Lê Thị Ánh",
    "Phạm Quốc Việt",
    "Hoàng Đức Thắng",
    "Huỳnh Ngọc Yến",
    "Đặng Thị Nguyệt",
    "Bùi Xuân Trường",
    "Đỗ Mạnh Cường",
    "Ngô Quang Khải",
    "Dương Thị Kiều Oanh",
    "Vũ Đình Nghĩa",
    "Phan Thị Tuyết Mai",
    "Võ Văn Lộc",
    "Trương Công Phúc",
    "Lương Thị Huệ",
    "ĐẶNG VĂN ƯỚC",
    "TRƯƠNG THỊ Ỷ LAN",
    "Mạc Thị Ỵ",
    "Lâm Tuấn Kiệt",
]


@pytest.mark.parametrize("name", VNI_NAMES)
def test_vni_names_detected_and_converted(name: str) -> None:
    legacy = vni(name)
    assert legacy != name
    assert detect_legacy_encoding(legacy) == "VNI"
    assert detect_legacy_encoding(legacy, "VNI-Times") == "VNI"
    converted = legacy_to_unicode(legacy, "VNI")
    assert converted == name
    assert unicodedata.is_normalized("NFC", converted)


@pytest.mark.parametrize(
    ("legacy", "expected"),
    [
        ("Nguyeãn Vaên", "Nguyễn Văn"),
        ("Toâi ñi hoïc", "Tôi đi học"),
        ("Xin chaøo caùc baïn", "Xin chào các bạn"),
        ("Tröông Thò Thuyù", "Trương Thị Thuý"),
        ("Tröông Thò Thuùy", "Trương Thị Thúy"),
        ("NGUYEÃN VAÊN TRÖÔØNG", "NGUYỄN VĂN TRƯỜNG"),
        ("Ñoã Thò Loan", "Đỗ Thị Loan"),
    ],
)
def test_vni_literals(legacy: str, expected: str) -> None:
    assert detect_legacy_encoding(legacy) == "VNI"
    assert legacy_to_unicode(legacy, "VNI") == expected


def test_vni_detected_after_nfd() -> None:
    legacy = unicodedata.normalize("NFD", vni("Nguyễn Văn Hương"))
    assert legacy != vni("Nguyễn Văn Hương")
    assert detect_legacy_encoding(legacy) == "VNI"
    assert legacy_to_unicode(legacy, "VNI") == "Nguyễn Văn Hương"


def test_vni_modifier_without_base_is_kept() -> None:
    # 'ê' is the breve byte, valid only after 'a'; elsewhere it is left alone
    assert legacy_to_unicode("Leâ Nieâ Eâ Lê", "VNI") == "Lê Niê Ê Lê"


# --- no false positives ----------------------------------------------------------------------

VALID_NAMES = [
    "Nguyễn Thị Ánh", "ĐỖ VĂN ÔN", "Ông Thị Ý", "Lê Ánh Ồn", "H'Hen Niê", "Ksor H'Ble",
    "Y Moan Êban", "Trần Ngọc Ân", "Nguyen Van A", "H’Hen Niê", "Lê Tô", "Hà Anh",
    "Võ Lâm", "Tô Ánh", "Lê Ân", "Lý Hà", "Lê Thái Hòa", "Lê Thái Hoà", "Phan Thanh Tùng",
    "Thào Mí Chá", "Mùa A Páo", "Lý Chí Sáng", "Châu Tú Anh", "Lâm Thùy", "Lâm Thuý",
    "Ô Ê Â", "LÊ HÀ", "Tô Thị Ý", "Ông Văn Ích", "Ân Thị Ơn", "Êa Súp", "Y Ngông Niê Kdăm",
    "Rơ Mah Hờ", "Kpă Y Lú", "Hoàng Thị Oanh", "Quách Thị Quý", "Giàng A Pháo",
    "Sùng Seo Chứ", "Đào Duy Từ", "Nguyễn Ánh", "Lò Văn Ón", "Vàng Thị Mỷ", "Lê Văn Đô",
    "Ma Thị Sáu", "Hà Thị Ngân", "Mai Ánh Tuyết",
]


@pytest.mark.parametrize("name", VALID_NAMES)
@pytest.mark.parametrize("form", ["NFC", "NFD"])
def test_no_false_positive_on_unicode_names(name: str, form: str) -> None:
    text = unicodedata.normalize(form, name)
    assert detect_legacy_encoding(text) is None
    if form == "NFD" or not all(ord(ch) < 0x100 or ch in "’‘“”–—" for ch in text):
        # text no 8-bit legacy cell can hold is Unicode, whatever the cell's font
        assert detect_legacy_encoding(text, ".VnTime") is None
        assert detect_legacy_encoding(text, "VNI-Times") is None


@pytest.mark.parametrize("text,font,expected", [
    ("Vò Minh Trang", ".VnTime", "Vũ Minh Trang"),
    ("Phan Minh Dòng", ".VnTime", "Phan Minh Dũng"),
    ("Phan Gia Léc", ".VnTime", "Phan Gia Lộc"),
    ("Phan Hoàng Oanh", "VNI-Times", "Phan Hồng Oanh"),
    ("Hoà Anh Quang", "VNI-Times", "Hồ Anh Quang"),
    ("Phan Thò Lan", "VNI-Times", "Phan Thị Lan"),
])
def test_legacy_font_decides_for_8bit_text(text: str, font: str, expected: str) -> None:
    # what a legacy-font cell displays is the conversion of its 8-bit text
    enc = detect_legacy_encoding(text, font)
    assert enc is not None
    assert legacy_to_unicode(text, enc, font) == expected


@pytest.mark.parametrize(
    "text",
    ["Hello world", "Café René", "José García", "São Paulo", "Zoë Çelik", "Straße",
     "Ångström", "naïve façade", "Müller", "François Hollande", "Dvořák", "Smith & Sons, Ltd.",
     "37°C ± 0,5", "“quoted” – dash", "Tổ 5 – Khu phố 2", "Nguyễn Văn A (con)"],
)
def test_no_false_positive_on_other_text(text: str) -> None:
    assert detect_legacy_encoding(text) is None


@pytest.mark.parametrize(
    "text", ["", "Nguyen Van A", "NGUYEN VAN AN", "H'Hen Nie", "Ksor H'Ble", "123"]
)
@pytest.mark.parametrize("font", [None, ".VnTime", ".VnTimeH", "VNI-Times", "Arial"])
def test_ascii_is_never_legacy(text: str, font: str | None) -> None:
    assert detect_legacy_encoding(text, font) is None


# --- font hints ----------------------------------------------------------------------------


def test_font_hint_picks_the_encoding() -> None:
    assert detect_legacy_encoding("Lª Hµ", ".VnTime") == "TCVN3"
    assert detect_legacy_encoding("Lª Hµ", ".VnArial") == "TCVN3"
    assert detect_legacy_encoding("Leâ Thò Hoaø", "VNI-Times") == "VNI"
    assert detect_legacy_encoding("Leâ Thò Hoaø", "VNI-Helve") == "VNI"
    assert detect_legacy_encoding("Leâ Thò Hoaø", "Times New Roman") == "VNI"  # text alone


def test_font_hint_converts_on_legacy_only_code_point() -> None:
    # minority name 'Êban' in TCVN3: two syllables in one word, so the text alone is not
    # enough; the font and the legacy-only '£' settle it
    assert detect_legacy_encoding("H'Hen £ban") is None
    assert detect_legacy_encoding("H'Hen £ban", ".VnTime") == "TCVN3"
    assert legacy_to_unicode("H'Hen £ban", "TCVN3") == "H'Hen Êban"


def test_font_hint_settles_ambiguous_short_text() -> None:
    # 'ñi' is TCVN3 'ủi' and VNI 'đi', both valid words: the font decides
    assert detect_legacy_encoding("ñi", ".VnTime") == "TCVN3"
    assert detect_legacy_encoding("ñi", "VNI-Times") == "VNI"
    assert legacy_to_unicode("ñi", "TCVN3") == "ủi"
    assert legacy_to_unicode("ñi", "VNI") == "đi"


def test_font_hint_for_the_other_encoding_falls_back_to_text() -> None:
    # a VNI string in a cell formatted .VnTime is still recognised from the text
    assert detect_legacy_encoding(vni("Nguyễn Văn Hương"), ".VnTime") == "VNI"


def test_ambiguous_text_is_left_alone() -> None:
    # VNI 'Hoà' is 'Hồ', but 'Hoà' is also valid Unicode (old-style 'Hòa'): not converted
    assert detect_legacy_encoding("Hoà") is None
    # without a font, TCVN3 'Dòng' ('Dũng') is also valid Unicode: left alone
    assert detect_legacy_encoding("Dòng") is None
    # TCVN3 'Lý' is the same bytes as Unicode 'Lý'
    assert detect_legacy_encoding("Lý", ".VnTime") is None


# --- API details ---------------------------------------------------------------------------


def test_unknown_encoding_rejected() -> None:
    with pytest.raises(ValueError):
        legacy_to_unicode("abc", "VISCII")


def test_encoding_name_case_insensitive() -> None:
    assert legacy_to_unicode("Lª", "tcvn3") == "Lê"
    assert legacy_to_unicode("Leâ", "vni") == "Lê"


def test_common_path_is_fast() -> None:
    names = ["Nguyễn Thị Ánh", "Trần Văn Hùng", "Nguyen Van A", "Lê Thị Hồng Nhung"] * 2500
    start = time.perf_counter()
    for name in names:
        detect_legacy_encoding(name)
    per_call = (time.perf_counter() - start) / len(names)
    assert per_call < 20e-6  # about 0.3 µs on a laptop; generous bound for slow CI
