"""CCCD/CMND number: presence, format (9-digit CMND, 12-digit CCCD) and agreement with the
person's sex and date of birth (CCCD digits 4–6 encode century+sex and the birth year).
"""

from __future__ import annotations

from collections import defaultdict
from itertools import islice

from vaxclean_xl.core import normalize as nz
from vaxclean_xl.core.catalogue import rule
from vaxclean_xl.core.model import Category, Record, Severity
from vaxclean_xl.core.provinces import VALID_PREFIXES
from vaxclean_xl.core.rules import dob
from vaxclean_xl.core.rules.context import Context

E, W = Severity.ERROR, Severity.WARNING
NO_ID, FMT, PERS = Category.NO_ID, Category.BAD_ID_FORMAT, Category.BAD_PERSONAL_INFO

ID001 = rule(
    "ID001", "id-missing", "id_number", E, NO_ID,
    "Không có số CCCD/CMND.", "No ID number.",
    why="Nhóm 'Không có số CCCD/CMND' của quy trình; cần bổ sung qua Công an xã.",
    example="(ô trống)", fix="Bổ sung số CCCD (12 số) theo CSDLQG về dân cư.",
)
ID002 = rule(
    "ID002", "id-placeholder", "id_number", E, NO_ID,
    "Không có số CCCD/CMND (ô ghi \"{text}\").", "No ID number (words or zeros only).",
    why="Ô không có chữ số nào ('Chưa có CCCD', 'Đang làm CCCD', 'Mất CMND', 'Trẻ em', "
        "'x'…) hoặc chỉ có số 0: đó là ghi chú, không phải số giấy tờ.",
    example="Đang làm CCCD", fix="Bổ sung số CCCD (12 số) theo CSDLQG về dân cư.",
    short_vi="Không có số CCCD/CMND.",
)
ID003 = rule(
    "ID003", "id-separators", "id_number", E, FMT,
    "Số CCCD/CMND có dấu cách, dấu chấm hoặc gạch ở giữa.",
    "ID number has spaces, dots or dashes inside.",
    why="Số giấy tờ chỉ gồm chữ số; nền tảng không nhận ký tự khác.",
    example="001 090 012 345", fix="Bỏ các ký tự không phải chữ số.",
)
ID004 = rule(
    "ID004", "id-non-digit", "id_number", E, FMT,
    "Số CCCD/CMND có ký tự không phải chữ số.", "ID number has non-digit characters.",
    why="Số CCCD/CMND chỉ gồm chữ số.", example="00109001234A",
    fix="Kiểm tra lại số trên thẻ.",
)
ID005 = rule(
    "ID005", "id-lost-leading-zero", "id_number", E, FMT,
    "Số CCCD mất số 0 ở đầu (Excel coi là số): chỉ còn {n} chữ số.",
    "CCCD lost its leading zeros (10 or 11 digits).",
    why="Mọi mã tỉnh bắt đầu bằng 0 (001–008: hai số 0); ô định dạng số làm mất số 0 đầu.",
    example="40190123456", fix="Thêm số 0 ở đầu và định dạng ô là Văn bản (Text).",
    short_vi="Số CCCD mất số 0 ở đầu (Excel coi là số).",
)
ID006 = rule(
    "ID006", "id-wrong-length", "id_number", E, FMT,
    "Số CCCD/CMND có {n} chữ số; phải là 12 (CCCD) hoặc 9 (CMND).",
    "ID number has the wrong length (not 9 or 12 digits).",
    why="CCCD/số định danh có 12 chữ số, CMND cũ có 9 chữ số.",
    example="0010900123", fix="Kiểm tra lại số trên thẻ.",
    short_vi="Số CCCD/CMND phải có 12 chữ số (CCCD) hoặc 9 chữ số (CMND).",
)
ID007 = rule(
    "ID007", "id-bad-province", "id_number", E, FMT,
    "3 số đầu của CCCD ({prefix}) không phải mã tỉnh nơi đăng ký khai sinh.",
    "The first 3 digits of the CCCD are not a province code.",
    why="3 số đầu là mã tỉnh (001–096) hoặc mã quốc gia (101–295) nơi đăng ký khai sinh.",
    example="099190123456", fix="Kiểm tra lại số trên thẻ.",
    short_vi="3 số đầu của CCCD không phải mã tỉnh nơi đăng ký khai sinh.",
)
ID008 = rule(
    "ID008", "id-future-century", "id_number", E, FMT,
    "Số thứ 4 và 5–6 của CCCD cho năm sinh {year}, sau năm hiện tại.",
    "The century/year digits of the CCCD mean a birth after today.",
    why="Số thứ 4 là mã thế kỷ và giới tính, số 5–6 là hai số cuối năm sinh.",
    example="001490123456", fix="Kiểm tra lại số trên thẻ.",
    short_vi="Số thứ 4–6 của CCCD cho năm sinh sau năm hiện tại.",
)
ID009 = rule(
    "ID009", "id-scientific", "id_number", E, FMT,
    "Số CCCD/CMND bị Excel làm tròn (dạng {text}); các số cuối đã mất.",
    "ID number was rounded by Excel (scientific notation).",
    why="Ô định dạng số hiển thị số dài dạng 4.01901E+11 và làm mất chữ số.",
    example="4.01901E+11", fix="Nhập lại đủ số, ô định dạng Văn bản (Text).",
    short_vi="Số CCCD/CMND bị Excel làm tròn (dạng 4.01901E+11); các số cuối đã mất.",
)
ID101 = rule(
    "ID101", "id-sex-mismatch", "id_number", E, PERS,
    "Số thứ 4 của CCCD ({digit}) ứng với giới tính {id_sex}, khác cột giới tính.",
    "The century/sex digit of the CCCD contradicts the sex column.",
    why="Số thứ 4: 0/2 là nam, 1/3 là nữ (thế kỷ 20/21).",
    example="001190123456 với giới tính Nam", fix="Đối chiếu CSDLQG: sửa giới tính hoặc số.",
    short_vi="Số thứ 4 của CCCD (giới tính) khác cột giới tính.", also=("sex",),
)
ID102 = rule(
    "ID102", "id-year-mismatch", "id_number", E, PERS,
    "Số CCCD cho năm sinh {id_year}, khác năm trong ngày sinh ({dob_year}).",
    "The birth year encoded in the CCCD contradicts the date of birth.",
    why="Số thứ 4 (thế kỷ) và số 5–6 (hai số cuối năm sinh) phải khớp ngày sinh.",
    example="001090123456 với ngày sinh 01/01/1991",
    fix="Đối chiếu CSDLQG: sửa ngày sinh hoặc số.",
    short_vi="Số thứ 4–6 của CCCD (năm sinh) khác năm trong ngày sinh.", also=("dob",),
)
ID103 = rule(
    "ID103", "id-shared", "id_number", E, PERS,
    "Cùng số CCCD/CMND với người khác ở dòng {rows}.",
    "The same ID number is on another person's record.",
    why="Mỗi số định danh thuộc về một người.", example="(hai người cùng một số)",
    fix="Đối chiếu CSDLQG để biết số đúng của từng người.",
    short_vi="Cùng số CCCD/CMND với người khác trong danh sách.",
)
REC001 = rule(
    "REC001", "record-duplicate", "id_number", W, Category.OK,
    "Người này có tên trong danh sách hai lần (trùng với dòng {rows}).",
    "The same person is listed twice.",
    why="Cùng họ tên, ngày sinh và số giấy tờ: có thể là bản ghi trùng.",
    example="(hai dòng giống nhau)", fix="Kiểm tra và bỏ dòng trùng trên nền tảng.",
    short_vi="Người này có tên trong danh sách hai lần.",
)

# An ID cell with no digit at all is a note ('Chưa có CCCD', 'Mất CMND', 'Trẻ em'), not a
# number: it means "no ID number" whatever its words. ASCII and full-width digits count
# (an IME can type the latter); the in-sheet formula (core.sheetcheck) looks for the same.
ID_DIGIT_CHARS = "0123456789\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19"
_DIGIT_SET = frozenset(ID_DIGIT_CHARS)
# Separators staff put inside numbers; the formula twin removes the same characters.
ID_SEPARATORS = " .-_,"
_SEPARATORS = str.maketrans("", "", ID_SEPARATORS)
_SEX_OF_DIGIT = ("M", "F")


def _is_placeholder(text: str) -> bool:
    """Zeros only ('0', '000000000000') or no digit at all: no ID number (ID002)."""
    return text.strip("0") == "" or _DIGIT_SET.isdisjoint(text)


def cccd_year(digits: str) -> int:
    """Birth year a 12-digit CCCD encodes (digit 4 = century+sex, digits 5–6 = year)."""
    return 1900 + 100 * (int(digits[3]) // 2) + int(digits[4:6])


def check(rec: Record, ctx: Context) -> None:
    if "id_number" not in ctx.present:
        return
    value = rec.cells.get("id_number")
    add = rec.findings.append
    typed_digits = value.__class__ is str and value.isascii() and value.isdigit()
    if typed_digits:  # the common case: digits typed as text (a placeholder only if 0s)
        text, scientific = value, False
        rec.id_number = text
        if not text.strip("0"):
            rec.id_number = ""
            add(ID002.finding(rec.row, text, text=text))
            return
    else:
        text, scientific = nz.id_text(value)
        rec.id_number = text
        if not text:
            add(ID001.finding(rec.row, text))
            return
        if not scientific and _is_placeholder(text):
            rec.id_number = ""
            add(ID002.finding(rec.row, text, text=text))
            return
        if scientific:
            add(ID009.finding(rec.row, text, text=text))
            return
    digits = text
    if not typed_digits and not nz.is_digits(text):
        compact = text.translate(_SEPARATORS)
        if nz.is_digits(compact):
            sugg = compact if _format_ok(compact, ctx) else None
            add(ID003.finding(rec.row, text, sugg))
            digits = compact
        else:
            add(ID004.finding(rec.row, text))
            return
    n = len(digits)
    if n in (10, 11) and _format_ok("0" * (12 - n) + digits, ctx):
        digits = "0" * (12 - n) + digits
        add(ID005.finding(rec.row, text, digits, n=n))
    elif n == 9:
        rec.id_number = digits
        return
    elif n != 12:
        add(ID006.finding(rec.row, text, n=n))
        return
    elif digits[:3] not in VALID_PREFIXES:
        add(ID007.finding(rec.row, text, prefix=digits[:3]))
        return
    elif (year := cccd_year(digits)) > ctx.today.year:
        add(ID008.finding(rec.row, text, year=year))
        return
    rec.id_number = digits
    if rec.dob is None and digits == text:  # valid as typed: its century is certain
        dob.suggest_century(rec, cccd_year(digits), ctx.today)
    # A valid CCCD: its encoded sex and birth year must agree with the other columns.
    id_sex = _SEX_OF_DIGIT[int(digits[3]) % 2]
    if rec.sex is not None and rec.sex != id_sex:
        add(ID101.finding(rec.row, text, digit=digits[3],
                          id_sex=nz.SEX_LABEL[id_sex]))
    if rec.dob is not None:
        year = cccd_year(digits)  # computed again: the ID005 branch skipped the one above
        if year != rec.dob.year:
            add(ID102.finding(rec.row, text, id_year=year,
                              dob_year=rec.dob.year))


def _format_ok(digits: str, ctx: Context) -> bool:
    """True when a digit string is a well-formed CMND (9) or CCCD (12)."""
    if len(digits) == 9:
        return True
    return (len(digits) == 12 and digits[:3] in VALID_PREFIXES
            and cccd_year(digits) <= ctx.today.year)


def check_list(records: list[Record], ctx: Context) -> None:
    """Cross-record checks: one ID on several people (error), one person twice (warning)."""
    if "id_number" not in ctx.present:
        return
    first: dict[str, Record] = {}
    by_id: dict[str, list[Record]] = {}
    for rec in records:
        key = rec.id_number
        if key:
            seen = first.setdefault(key, rec)
            if seen is not rec:
                by_id.setdefault(key, [seen]).append(rec)
    for group in by_id.values():
        people: dict[tuple[str, object], list[Record]] = defaultdict(list)
        for rec in group:
            people[(nz.fold(rec.full_name), rec.dob)].append(rec)
        for twins in people.values():
            mine = {id(r) for r in twins}
            others = [r.row for r in group if id(r) not in mine]
            shown = _rows(others) if others else ""
            for rec in twins:
                value = rec.text("id_number")
                if others:
                    rec.findings.append(ID103.finding(rec.row, value, rows=shown))
                if len(twins) > 1:
                    rows = [r.row for r in islice((t for t in twins if t is not rec), 6)]
                    rec.findings.append(REC001.finding(rec.row, value, rows=_rows(rows)))


def _rows(rows: list[int]) -> str:
    shown = ", ".join(str(r) for r in rows[:5])
    return shown + (" và các dòng khác" if len(rows) > 5 else "")
