"""Date of birth: a real, plausible day-first date (01/01/yyyy placeholders are valid)."""

from __future__ import annotations

import datetime as _dt
from dataclasses import replace

from vaxclean_xl.core import normalize as nz
from vaxclean_xl.core.catalogue import rule
from vaxclean_xl.core.model import Category, Record, Severity
from vaxclean_xl.core.rules.context import Context

E, P = Severity.ERROR, Category.BAD_PERSONAL_INFO
MAX_AGE_YEARS = 120

DOB001 = rule(
    "DOB001", "dob-missing", "dob", E, P,
    "Thiếu ngày sinh.", "Date of birth is missing.",
    why="Ngày sinh là một trong bốn trường đối chiếu với CSDLQG về dân cư.",
    example="(ô trống)", fix="Ghi ngày sinh dạng dd/mm/yyyy.",
)
DOB002 = rule(
    "DOB002", "dob-impossible", "dob", E, P,
    "Ngày sinh không có thật (ngày hoặc tháng sai).", "Date of birth does not exist.",
    why="Ví dụ 31/02, tháng 13 hay 00/00/yyyy không phải là ngày có thật.",
    example="31/02/1980", fix="Ghi đúng ngày sinh theo giấy tờ.",
)
DOB003 = rule(
    "DOB003", "dob-year-only", "dob", E, P,
    "Ngày sinh chỉ có năm, thiếu ngày và tháng.", "Date of birth has the year only.",
    why="Nền tảng cần ngày sinh đủ dd/mm/yyyy; nếu không rõ ngày, tháng thì ghi 01/01/yyyy.",
    example="1965", fix="Ghi đủ ngày/tháng/năm; không rõ thì ghi 01/01/năm sinh.",
)
DOB004 = rule(
    "DOB004", "dob-future", "dob", E, P,
    "Ngày sinh ở tương lai.", "Date of birth is in the future.",
    why="Không ai sinh sau ngày hôm nay.", example="12/05/2090",
    fix="Kiểm tra lại năm sinh.",
)
DOB005 = rule(
    "DOB005", "dob-too-old", "dob", E, P,
    f"Ngày sinh cách đây hơn {MAX_AGE_YEARS} năm.",
    f"Date of birth is more than {MAX_AGE_YEARS} years ago.",
    why="Thường do gõ nhầm năm (ví dụ 1895 thay cho 1995).", example="01/01/1890",
    fix="Kiểm tra lại năm sinh.",
)
DOB006 = rule(
    "DOB006", "dob-unreadable", "dob", E, P,
    "Không đọc được ngày sinh; ghi dạng dd/mm/yyyy.", "Date of birth cannot be read.",
    why="Ngày sinh phải ghi theo thứ tự ngày/tháng/năm, năm đủ 4 chữ số.",
    example="5/3/85", fix="Ghi ngày sinh dạng dd/mm/yyyy, ví dụ 05/03/1985.",
)

_BY_PROBLEM = {
    nz.DOB_MISSING: DOB001,
    nz.DOB_IMPOSSIBLE: DOB002,
    nz.DOB_YEAR_ONLY: DOB003,
    nz.DOB_UNREADABLE: DOB006,
}


def check(rec: Record, ctx: Context) -> None:
    if "dob" not in ctx.present:
        return
    if rec.dob is None:
        rule_ = _BY_PROBLEM[rec.dob_problem or nz.DOB_UNREADABLE]
        rec.findings.append(rule_.finding(rec.row, rec.text("dob")))
        return
    if rec.dob > ctx.today:
        rec.findings.append(DOB004.finding(rec.row, rec.text("dob")))
    elif (rec.dob.year + MAX_AGE_YEARS, rec.dob.month, rec.dob.day) < (
        ctx.today.year, ctx.today.month, ctx.today.day
    ):
        rec.findings.append(DOB005.finding(rec.row, rec.text("dob")))


def suggest_century(rec: Record, id_year: int, today: _dt.date) -> None:
    """Give the DOB006 finding of a date typed with a two-digit year ("19/10/47") its full
    date as suggestion, when ``id_year`` (the birth year a CCCD valid as typed encodes)
    makes the century certain: it ends in the two typed digits. The date stays an error
    (the cell must be retyped); nothing is guessed without the CCCD."""
    if rec.dob is not None or rec.dob_problem != nz.DOB_UNREADABLE:
        return
    short = nz.short_year_date(rec.cells.get("dob"))
    if short is None or short[2] != id_year % 100:
        return
    day, month, _yy = short
    try:
        full = _dt.date(id_year, month, day)
    except ValueError:  # 31/02/47: not a date in any century
        return
    if full > today:
        return
    for i, f in enumerate(rec.findings):
        if f.code == DOB006.code and f.suggestion is None:
            rec.findings[i] = replace(f, suggestion=nz.format_date(full))
