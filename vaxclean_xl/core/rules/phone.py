"""Phone number (warnings only): a valid Vietnamese number, converting the old 11-digit
mobile prefixes (changed on 15/09/2018) to the new 10-digit ones.

Validity uses libphonenumber's own patterns for Vietnam (the ``phonenumbers`` metadata),
matched directly: ``phonenumbers.parse`` + ``is_valid_number`` costs ~20 µs a number, too
slow for a million-row list, while the same patterns compiled once cost ~1 µs.
"""

from __future__ import annotations

import re
from functools import cache

from vaxclean_xl.core.catalogue import rule
from vaxclean_xl.core.model import Category, Record, Severity
from vaxclean_xl.core.rules.context import Context

W, OK = Severity.WARNING, Category.OK

PHONE001 = rule(
    "PHONE001", "phone-invalid", "phone", W, OK,
    "Số điện thoại không hợp lệ.", "Phone number is not a valid Vietnamese number.",
    why="Nền tảng yêu cầu số điện thoại tối thiểu 10 số, đúng đầu số.",
    example="09123", fix="Ghi lại số điện thoại 10 số.",
)
PHONE002 = rule(
    "PHONE002", "phone-old-prefix", "phone", W, OK,
    "Số điện thoại 11 số đầu cũ; đã đổi sang 10 số từ 15/09/2018.",
    "Phone number uses an old 11-digit prefix.",
    why="Các đầu số 012x, 016x, 0186, 0188, 0199 đã chuyển sang đầu số 3 chữ số.",
    example="01682345678", fix="Dùng số mới (gợi ý bên cạnh).",
)
PHONE003 = rule(
    "PHONE003", "phone-lost-leading-zero", "phone", W, OK,
    "Số điện thoại mất số 0 ở đầu (Excel coi là số).",
    "Phone number lost its leading zero.",
    why="Ô định dạng số làm mất số 0 đầu.", example="912345678",
    fix="Thêm số 0 ở đầu; định dạng ô là Văn bản (Text).",
)

OLD_PREFIXES: dict[str, str] = {
    "0120": "070", "0121": "079", "0122": "077", "0126": "076", "0128": "078",
    "0123": "083", "0124": "084", "0125": "085", "0127": "081", "0129": "082",
    "0162": "032", "0163": "033", "0164": "034", "0165": "035", "0166": "036",
    "0167": "037", "0168": "038", "0169": "039",
    "0186": "056", "0188": "058", "0199": "059",
}
_STRIP = str.maketrans("", "", " .-()/\u00a0")


@cache
def _valid_pattern() -> re.Pattern[str]:
    from phonenumbers import PhoneMetadata

    meta = PhoneMetadata.metadata_for_region("VN")
    kinds = (meta.mobile, meta.fixed_line, meta.voip)
    alts = "|".join(f"(?:{k.national_number_pattern})" for k in kinds if k is not None)
    return re.compile(f"(?:{alts})")


def is_valid_vn(number: str) -> bool:
    """A 0-prefixed national number that libphonenumber's patterns accept."""
    if not (number.startswith("0") and number.isascii() and number[1:].isdigit()):
        return False
    return _valid_shape(len(number), number[:_PREFIX])


# Vietnam's patterns fix at most the first 4 digits after the 0 and then allow any digits,
# so validity depends only on the length and the first 5 characters: cache on that.
_PREFIX = 5


@cache
def _valid_shape(length: int, prefix: str) -> bool:
    sample = (prefix + "0" * length)[:length]
    return _valid_pattern().fullmatch(sample[1:]) is not None


def national(text: str) -> str:
    """Digits in national form: '+84 912.345.678' -> '0912345678'."""
    digits = text.translate(_STRIP)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11 and not digits.startswith("840"):
        digits = "0" + digits[2:]
    return digits


def check(rec: Record, ctx: Context) -> None:
    value = rec.cells.get("phone")
    if value is None or value == "":
        return
    shown = value.strip() if isinstance(value, str) else rec.text("phone")
    # the common case, ten digits from 0, needs no clean-up
    number = shown if len(shown) == 10 and shown.isdigit() else national(shown)
    rec.phone = number
    if is_valid_vn(number):
        return
    if len(number) == 11 and number[:4] in OLD_PREFIXES:
        new = OLD_PREFIXES[number[:4]] + number[4:]
        if is_valid_vn(new):
            rec.findings.append(PHONE002.finding(rec.row, shown, new))
            return
    if number.isdigit() and not number.startswith("0") and is_valid_vn("0" + number):
        rec.findings.append(PHONE003.finding(rec.row, shown, "0" + number))
        return
    rec.findings.append(PHONE001.finding(rec.row, shown))
