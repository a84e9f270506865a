"""Vietnamese and ethnic-minority names, and the small TCVN3/VNI encoders that make the
legacy-font names (written independently of core.legacy_text, so the sample tests it)."""

from __future__ import annotations

import unicodedata

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


