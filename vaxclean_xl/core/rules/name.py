"""Full name: present, letters only (apostrophes allowed: "H'Hen Niê"), at least two words,
Unicode rather than legacy TCVN3/VNI text, and tidy (single spaces, NFC, name case).
"""

from __future__ import annotations

import unicodedata

from vaxclean_xl.core import legacy_text
from vaxclean_xl.core.catalogue import rule
from vaxclean_xl.core.model import Category, Record, Severity
from vaxclean_xl.core.rules.context import Context

E, W, P, OK = Severity.ERROR, Severity.WARNING, Category.BAD_PERSONAL_INFO, Category.OK

NAME001 = rule(
    "NAME001", "name-missing", "full_name", E, P,
    "Thiếu họ và tên.", "Full name is missing.",
    why="Họ tên là một trong bốn trường đối chiếu với CSDLQG về dân cư.",
    example="(ô trống)", fix="Ghi đầy đủ họ và tên có dấu.",
)
NAME002 = rule(
    "NAME002", "name-bad-characters", "full_name", E, P,
    "Họ tên có chữ số hoặc ký hiệu lạ.", "Full name holds digits or symbols.",
    why="Họ tên chỉ gồm chữ cái (có thể có dấu nháy như H'Hen).",
    example="Nguyễn Văn A1", fix="Ghi lại họ tên đúng theo giấy tờ.",
)
NAME003 = rule(
    "NAME003", "name-single-word", "full_name", E, P,
    "Họ tên chỉ có một từ; cần ghi đủ họ và tên.", "Full name is a single word.",
    why="Tên một từ thường là tên gọi ở nhà, không khớp được với CSDLQG.",
    example="Tèo", fix="Ghi đầy đủ họ, tên đệm và tên.",
)
NAME004 = rule(
    "NAME004", "name-tcvn3", "full_name", E, P,
    "Họ tên gõ bằng mã TCVN3 (phông .Vn…), không phải Unicode.",
    "Full name is in the legacy TCVN3 encoding.",
    why="Chữ TCVN3 hiển thị sai trên nền tảng và không khớp được với CSDLQG.",
    example="NguyÔn V¨n H\u00ad¬ng", fix="Chuyển sang Unicode (gợi ý bên cạnh).",
)
NAME005 = rule(
    "NAME005", "name-vni", "full_name", E, P,
    "Họ tên gõ bằng mã VNI-Windows (phông VNI-…), không phải Unicode.",
    "Full name is in the legacy VNI-Windows encoding.",
    why="Chữ VNI hiển thị sai trên nền tảng và không khớp được với CSDLQG.",
    example="Nguyeãn Vaên", fix="Chuyển sang Unicode (gợi ý bên cạnh).",
)
NAME101 = rule(
    "NAME101", "name-extra-spaces", "full_name", W, OK,
    "Họ tên có khoảng trắng thừa.", "Full name has extra spaces.",
    why="Khoảng trắng thừa làm việc so khớp tên không chính xác.",
    example="Nguyễn  Văn An ", fix="Bỏ khoảng trắng thừa.",
)
NAME102 = rule(
    "NAME102", "name-decomposed", "full_name", W, OK,
    "Họ tên gõ dạng Unicode tổ hợp; nên chuyển sang Unicode dựng sẵn.",
    "Full name is in decomposed Unicode (NFD).",
    why="Hai dạng Unicode trông giống nhau nhưng so khớp không bằng nhau.",
    example="Nguyễn (tổ hợp)", fix="Chuyển sang Unicode dựng sẵn (NFC).",
)
NAME103 = rule(
    "NAME103", "name-case", "full_name", W, OK,
    "Họ tên nên viết hoa chữ cái đầu mỗi từ.", "Full name is not in name case.",
    why="Viết hoa toàn bộ hoặc viết thường khó đọc và khác cách ghi trên giấy tờ.",
    example="NGUYỄN VĂN AN", fix="Viết hoa chữ cái đầu mỗi từ.",
)

_ALLOWED_MARKS = "'’ʼ-"


def name_case(text: str) -> str:
    """'NGUYỄN VĂN AN' -> 'Nguyễn Văn An'; "H'HEN NIÊ" -> "H'Hen Niê" (capital after ' and -)."""
    out = []
    boundary = True
    for ch in text:
        if ch.isalpha():
            out.append(ch.upper() if boundary else ch.lower())
            boundary = False
        else:
            out.append(ch)
            boundary = ch in " '’ʼ-"
    return "".join(out)


def tidy(text: str) -> str:
    """The tidy form of a name: NFC, single spaces, name case when it was all one case."""
    text = " ".join(unicodedata.normalize("NFC", text).split())
    if text.isupper() or text.islower():
        text = name_case(text)
    return text


def check(rec: Record, ctx: Context) -> None:
    if "full_name" not in ctx.present:
        return
    value = rec.cells.get("full_name")
    original = value if isinstance(value, str) else rec.text("full_name")
    add = rec.findings.append
    if not original.strip():
        add(NAME001.finding(rec.row, ""))
        return
    shown = original.strip()
    encoding = (legacy_text.detect_legacy_encoding(original, rec.name_font)
                if legacy_text.could_be_legacy(original) else None)  # (one call, usually)
    if encoding:
        fixed = tidy(legacy_text.legacy_to_unicode(original, encoding, rec.name_font))
        rule_ = NAME004 if encoding == "TCVN3" else NAME005
        add(rule_.finding(rec.row, shown, fixed))
        rec.full_name = fixed
        return
    text = rec.full_name
    letters = text.replace(" ", "")
    if not letters.isalpha():
        if not all(ch.isalpha() or ch in _ALLOWED_MARKS for ch in letters):
            add(NAME002.finding(rec.row, shown))
            return
    if " " not in text:
        add(NAME003.finding(rec.row, shown))
        return
    spaced = original != text and original != " ".join(original.split())
    decomposed = not original.isascii() and not unicodedata.is_normalized("NFC", original)
    one_case = text.isupper() or text.islower()
    if not (spaced or decomposed or one_case):
        return  # the common case: nothing to tidy
    suggestion = tidy(text)
    if spaced:
        add(NAME101.finding(rec.row, shown, suggestion))
    if decomposed:
        add(NAME102.finding(rec.row, shown, suggestion))
    if one_case and suggestion != text:
        add(NAME103.finding(rec.row, shown, suggestion))
