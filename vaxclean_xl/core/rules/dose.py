"""Doses (DOSE family): each dose's vaccine and date, then the history as a whole.

Doses never change the directive's identity group: every finding here has category OK and
a ``dose<N>_<part>`` field, and the record's ``vaccination`` status sums them up. The facts
(approval dates, intervals, ages, key dates) come from the vaccine catalogue file
(``core.doses``); only the wording is here.
"""

from __future__ import annotations

import datetime as _dt
from collections import Counter
from collections.abc import Callable, Sequence
from functools import lru_cache
from itertools import repeat
from operator import itemgetter

from vaxclean_xl.core import normalize as nz
from vaxclean_xl.core.catalogue import Rule, rule
from vaxclean_xl.core.doses import Vaccine, VaccineCatalogue, build_doses, is_empty
from vaxclean_xl.core.model import (
    Category,
    Dose,
    DoseColumns,
    Finding,
    Record,
    Severity,
    dose_field,
)
from vaxclean_xl.core.rules.context import Context

E, W, OK = Severity.ERROR, Severity.WARNING, Category.OK

# --- errors --------------------------------------------------------------------------------
DOSE001 = rule(
    "DOSE001", "dose-date-unreadable", "dose_date", E, OK,
    "Mũi {n}: không đọc được ngày tiêm; ghi dạng dd/mm/yyyy.",
    "Dose {n}: the date cannot be read or does not exist.",
    short_vi="Không đọc được ngày tiêm (ghi dạng dd/mm/yyyy).",
    why="Ngày tiêm phải là ngày có thật, ghi ngày/tháng/năm với năm đủ 4 chữ số.",
    example="31/02/2022, 5/3/21", fix="Ghi đúng ngày tiêm theo phiếu tiêm, ví dụ 05/03/2022.",
)
DOSE002 = rule(
    "DOSE002", "dose-date-future", "dose_date", E, OK,
    "Mũi {n}: ngày tiêm ở tương lai.", "Dose {n}: the date is in the future.",
    short_vi="Ngày tiêm ở tương lai.",
    why="Chỉ ghi các mũi đã tiêm; mũi hẹn tiêm chưa phải là mũi đã tiêm.",
    example="12/05/2030", fix="Kiểm tra lại năm tiêm theo phiếu tiêm.",
)
DOSE003 = rule(
    "DOSE003", "dose-before-campaign", "dose_date", E, OK,
    "Mũi {n}: ngày tiêm trước {first}, ngày bắt đầu tiêm vắc xin COVID-19 ở Việt Nam.",
    "Dose {n}: the date is before COVID-19 vaccination began in Vietnam ({first}).",
    short_vi="Ngày tiêm trước ngày bắt đầu tiêm vắc xin COVID-19 ở Việt Nam.",
    why="Việt Nam tiêm mũi vắc xin COVID-19 đầu tiên ngày 08/03/2021; ngày sớm hơn thường "
        "do gõ nhầm năm.",
    example="15/07/2020", fix="Kiểm tra lại năm tiêm theo phiếu tiêm.",
)
DOSE004 = rule(
    "DOSE004", "dose-before-approval", "dose_date", E, OK,
    "Mũi {n}: ngày tiêm trước ngày vắc xin {vaccine} được cấp phép ở Việt Nam ({approved}).",
    "Dose {n}: the date is before {vaccine} was approved in Vietnam ({approved}).",
    short_vi="Ngày tiêm trước ngày vắc xin được cấp phép ở Việt Nam.",
    why="Không thể tiêm một vắc xin trước khi Bộ Y tế cấp phép; thường do nhầm tên vắc xin "
        "hoặc nhầm năm.",
    example="Moderna ngày 10/05/2021 (cấp phép 29/06/2021)",
    fix="Đối chiếu tên vắc xin và ngày tiêm với phiếu tiêm.",
)
DOSE005 = rule(
    "DOSE005", "dose-before-birth", "dose_date", E, OK,
    "Mũi {n}: ngày tiêm trước ngày sinh.", "Dose {n}: the date is before the date of birth.",
    short_vi="Ngày tiêm trước ngày sinh.",
    why="Một trong hai ngày bị ghi nhầm.",
    example="Sinh 05/06/1990, tiêm 12/08/1989",
    fix="Đối chiếu ngày sinh với giấy tờ và ngày tiêm với phiếu tiêm.",
)
DOSE006 = rule(
    "DOSE006", "dose-too-young", "dose_date", E, OK,
    "Mũi {n}: ngày {date} người này mới {age} tuổi, khi đó chỉ tiêm cho người từ {min_age} "
    "tuổi.",
    "Dose {n}: the person was {age} on {date}, younger than anyone vaccinated then "
    "({min_age}).",
    short_vi="Người được tiêm chưa đủ tuổi tiêm vắc xin COVID-19 vào ngày tiêm.",
    why="Trước 27/10/2021 chỉ tiêm người từ 18 tuổi, đến 14/04/2022 từ 12 tuổi, sau đó từ 5 "
        "tuổi; thường do nhầm ngày sinh hoặc ngày tiêm.",
    example="Sinh 2010, tiêm 01/09/2021",
    fix="Đối chiếu ngày sinh với giấy tờ và ngày tiêm với phiếu tiêm.",
)
DOSE007 = rule(
    "DOSE007", "dose-age-outside-vaccine", "dose_vaccine", E, OK,
    "Mũi {n}: vắc xin {vaccine} tiêm cho người {ages}, người này khi tiêm {age} tuổi.",
    "Dose {n}: {vaccine} is for ages {ages}; the person was {age}.",
    short_vi="Tuổi khi tiêm ngoài độ tuổi của vắc xin.",
    why="Mỗi vắc xin được cấp phép cho một độ tuổi (Moderna từ 6 tuổi, Abdala 19–65 tuổi…).",
    example="Abdala cho người 70 tuổi",
    fix="Đối chiếu tên vắc xin với phiếu tiêm và ngày sinh với giấy tờ.",
)
DOSE008 = rule(
    "DOSE008", "dose-out-of-order", "dose_date", E, OK,
    "Mũi {n}: ngày tiêm ({date}) trước ngày tiêm mũi {prev} ({prev_date}).",
    "Dose {n}: the date is before dose {prev}'s.",
    short_vi="Ngày tiêm sớm hơn ngày tiêm mũi trước.",
    why="Các mũi phải theo thứ tự thời gian; thường do ghi nhầm cột hoặc nhầm năm.",
    example="Mũi 1 ngày 20/09/2021, mũi 2 ngày 15/08/2021",
    fix="Đối chiếu ngày tiêm từng mũi với phiếu tiêm.",
)
DOSE009 = rule(
    "DOSE009", "dose-earlier-missing", "dose_date", E, OK,
    "Mũi {n} đã ghi nhưng thiếu mũi {missing}.", "Dose {n} is recorded without dose {missing}.",
    short_vi="Có mũi sau nhưng thiếu mũi trước.",
    why="Nền tảng cần đủ các mũi trước; thiếu mũi trước thì không cấp được hộ chiếu vắc xin.",
    example="Có mũi 2, mũi 1 để trống", fix="Bổ sung mũi còn thiếu theo phiếu tiêm.",
)
DOSE010 = rule(
    "DOSE010", "dose-date-without-vaccine", "dose_vaccine", E, OK,
    "Mũi {n}: có ngày tiêm nhưng thiếu tên vắc xin.",
    "Dose {n}: a date but no vaccine.",
    short_vi="Có ngày tiêm nhưng thiếu tên vắc xin.",
    why="Nền tảng bắt buộc tên vắc xin của từng mũi.",
    example="Ngày tiêm 05/08/2021, tên vắc xin trống",
    fix="Ghi tên vắc xin theo phiếu tiêm (AstraZeneca, Pfizer, Moderna, Vero Cell…).",
)
DOSE011 = rule(
    "DOSE011", "dose-vaccine-without-date", "dose_date", E, OK,
    "Mũi {n}: có tên vắc xin nhưng thiếu ngày tiêm.", "Dose {n}: a vaccine but no date.",
    short_vi="Có tên vắc xin nhưng thiếu ngày tiêm.",
    why="Nền tảng bắt buộc ngày tiêm của từng mũi.",
    example="Pfizer, ngày tiêm trống", fix="Ghi ngày tiêm theo phiếu tiêm, dạng dd/mm/yyyy.",
)
DOSE012 = rule(
    "DOSE012", "dose-vaccine-unknown", "dose_vaccine", E, OK,
    "Mũi {n}: tên vắc xin «{text}» không khớp vắc xin nào trong danh mục.",
    "Dose {n}: the vaccine name matches no vaccine in the catalogue.",
    short_vi="Tên vắc xin không khớp vắc xin nào trong danh mục.",
    why="Nền tảng chỉ nhận tên vắc xin trong danh mục (AstraZeneca, Pfizer, Moderna, Vero "
        "Cell, Sputnik V, Hayat-Vax, Abdala, Janssen, Covaxin).",
    example="Vắc xin TQ",
    fix="Ghi tên vắc xin theo phiếu tiêm; trạm có thể thêm tên gọi khác trong cài đặt "
        "(vaccine_aliases).",
)

DOSE013 = rule(
    "DOSE013", "dose-without-vaccine-and-date", "dose_date", E, OK,
    "Mũi {n}: có số lô hoặc địa điểm tiêm nhưng thiếu {missing}.",
    "Dose {n}: a lot or a site, but no vaccine and no date (of the columns the list has).",
    short_vi="Có số lô hoặc địa điểm tiêm nhưng thiếu tên vắc xin và ngày tiêm.",
    why="Một mũi tiêm cần tên vắc xin và ngày tiêm; chỉ có số lô hay địa điểm tiêm thì Nền "
        "tảng không nhận. Mũi này vẫn được tính là đã ghi, nên các mũi sau không bị báo "
        "thiếu mũi trước.",
    example="Mũi 1: tên vắc xin và ngày tiêm trống, số lô FF1234",
    fix="Ghi tên vắc xin và ngày tiêm theo phiếu tiêm, hoặc xóa số lô và địa điểm tiêm nếu "
        "người này chưa tiêm mũi này.",
)

DOSE014 = rule(
    "DOSE014", "dose-number-repeated", "dose_date", E, OK,
    "Mũi {n} được ghi {count} lần cho cùng một người.",
    "Dose {n} is recorded {count} times for the same person.",
    short_vi="Cùng một mũi được ghi nhiều lần.",
    why="Mỗi người chỉ có một mũi 1, một mũi 2…; hai dòng cùng số mũi thường do gõ nhầm số "
        "mũi (mũi 2 ghi thành mũi 1) hoặc nhập trùng một mũi.",
    example="Hai dòng «Mũi 1», ngày 01/09/2021 và 01/10/2021",
    fix="Sửa số mũi theo phiếu tiêm, hoặc xóa dòng nhập trùng.",
)

# --- warnings ------------------------------------------------------------------------------
DOSE101 = rule(
    "DOSE101", "dose-interval-short", "dose_date", W, OK,
    "Mũi {n} cách mũi {prev} {days} ngày, ngắn hơn khoảng cách tối thiểu {minimum} ngày sau "
    "{vaccine}.",
    "Dose {n} is {days} days after dose {prev}, less than {vaccine}'s minimum ({minimum}).",
    short_vi="Khoảng cách giữa hai mũi cơ bản ngắn hơn tối thiểu.",
    why="Mỗi vắc xin có khoảng cách tối thiểu giữa các mũi cơ bản (đã tính vài ngày dung sai; "
        "AstraZeneca từ 4 tuần được phép ở địa phương); khi phối trộn, khoảng cách tính theo "
        "vắc xin của mũi trước.",
    example="Pfizer 01/09/2021 rồi 10/09/2021",
    fix="Đối chiếu ngày tiêm hai mũi với phiếu tiêm; nếu đúng thì giữ nguyên.",
)
DOSE102 = rule(
    "DOSE102", "dose-booster-early", "dose_date", W, OK,
    "Mũi {n} ({kind}) sớm hơn hướng dẫn: {detail}.",
    "Dose {n} ({kind}) is earlier than the guidance: {detail}.",
    short_vi="Mũi bổ sung hoặc nhắc lại sớm hơn hướng dẫn.",
    why="Mũi bổ sung tiêm sau mũi cơ bản cuối ít nhất 28 ngày, mũi nhắc lại lần 1 sau 3 "
        "tháng, lần 2 sau mũi nhắc lại lần 1 4 tháng; tiêm nhắc lại bắt đầu từ 12/2021.",
    example="Mũi 2 ngày 01/08/2021, mũi 3 ngày 15/09/2021",
    fix="Đối chiếu ngày tiêm với phiếu tiêm; nếu đúng thì giữ nguyên.",
)
DOSE103 = rule(
    "DOSE103", "dose-mixing", "dose_vaccine", W, OK,
    "Mũi {n}: tiêm {vaccine} sau mũi 1 {first} là phối trộn ngoài các cặp được phép{when}.",
    "Dose {n}: {vaccine} after a first dose of {first} is mixing outside the allowed pairs.",
    short_vi="Phối trộn vắc xin trong mũi cơ bản ngoài các cặp được phép.",
    why="Mũi cơ bản nên cùng một vắc xin; chỉ một số cặp được phép phối trộn (AstraZeneca "
        "rồi Pfizer; từ 08/09/2021 AstraZeneca rồi Moderna, Pfizer và Moderna với nhau).",
    example="Vero Cell rồi Pfizer ở mũi 2",
    fix="Đối chiếu tên vắc xin từng mũi với phiếu tiêm; nếu đúng thì giữ nguyên.",
)
DOSE104 = rule(
    "DOSE104", "dose-vaccine-alias", "dose_vaccine", W, OK,
    "Mũi {n}: tên vắc xin «{text}» là tên gọi khác của {vaccine}; Nền tảng ghi «{vaccine}».",
    "Dose {n}: the vaccine is spelled by an alias of {vaccine}.",
    short_vi="Tên vắc xin là tên gọi khác; dùng tên trên Nền tảng.",
    why="Tệp nhập lên Nền tảng dùng đúng tên vắc xin của Nền tảng.",
    example="Astra → AstraZeneca; Sinopharm → Vero Cell",
    fix="Ghi tên vắc xin như Nền tảng (tệp nhập tự dùng tên này).",
)
DOSE105 = rule(
    "DOSE105", "dose-lot-missing", "dose_lot", W, OK,
    "Mũi {n}: thiếu số lô vắc xin.", "Dose {n}: the lot number is missing.",
    short_vi="Thiếu số lô vắc xin.",
    why="Tệp nhập lên Nền tảng bắt buộc lô vắc xin của từng mũi.",
    example="(ô trống)", fix="Ghi số lô theo phiếu tiêm hoặc sổ tiêm chủng.",
)
DOSE106 = rule(
    "DOSE106", "dose-site-missing", "dose_site", W, OK,
    "Mũi {n}: thiếu địa điểm tiêm.", "Dose {n}: the vaccination site is missing.",
    short_vi="Thiếu địa điểm tiêm.",
    why="Tệp nhập lên Nền tảng bắt buộc địa điểm tiêm (mã cơ sở KCB) của từng mũi.",
    example="(ô trống)", fix="Ghi địa điểm tiêm (mã cơ sở KCB) theo phiếu tiêm.",
)
DOSE107 = rule(
    "DOSE107", "dose-second-booster-under-age", "dose_date", W, OK,
    "Mũi {n} (nhắc lại lần 2) cho người {age} tuổi; hướng dẫn dành cho người từ {min_age} "
    "tuổi.",
    "Dose {n} (second booster) for a person aged {age}; the guidance is {min_age} and over.",
    short_vi="Mũi nhắc lại lần 2 cho người chưa đủ tuổi theo hướng dẫn.",
    why="Mũi nhắc lại lần 2 (mũi 4) dành cho người lớn.",
    example="Người 15 tuổi tiêm mũi 4",
    fix="Đối chiếu ngày sinh và các mũi với phiếu tiêm; nếu đúng thì giữ nguyên.",
)


def _add(rec: Record, rule_: Rule, dose: Dose, part: str, suggestion: str | None = None,
         **fmt: object) -> None:
    rec.findings.append(Finding(dose.row_of(rec), *_finding(rule_, dose.number, part,
                                                    dose.cells.get(part), suggestion, **fmt)))


def _finding(rule_: Rule, number: int, part: str, raw: object, suggestion: str | None = None,
             **fmt: object) -> tuple:
    """A dose finding's fields but its row: the same for every dose with the same cells."""
    return (dose_field(number, part), rule_.code, rule_.severity, rule_.category,
            rule_.message_vi.format(n=number, **fmt), nz.cell_text(raw), suggestion,
            rule_.also)


def age_on(dob: _dt.date, day: _dt.date) -> int:
    """Completed years on ``day``."""
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def add_months(day: _dt.date, months: int) -> _dt.date:
    """The same day ``months`` later (the month's last day when it has none: 31/01 + 1 ->
    28/02)."""
    m = day.month - 1 + months
    year, month = day.year + m // 12, m % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return _dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


fmt_date = nz.format_date


_parse_text_date = lru_cache(maxsize=16_384)(nz.parse_date)  # dates repeat across a list


def _dose_facts(number: int, has_vaccine_col: bool, has_date_col: bool, vraw: object,
                draw: object, lot_missing: bool, site_missing: bool, cat: VaccineCatalogue,
                today: _dt.date) -> tuple:
    """What a dose's own cells give whoever the person is: (platform spelling, date, the
    findings' fields but the row, and for the checks against the date of birth
    ``(vaccine, youngest age vaccinated that day, latest birth year surely old enough,
    earliest birth year surely young enough)`` or None when the date rules out those
    checks)."""
    out: list[tuple] = []
    vaccine = None
    has_vaccine = not is_empty(vraw)
    if has_vaccine:
        text = vraw if vraw.__class__ is str else nz.cell_text(vraw)
        name, exact = cat.lookup(text)  # type: ignore[arg-type]
        if name is None:
            text = nz.cell_text(text)
            out.append(_finding(DOSE012, number, "vaccine", vraw, cat.certain_guess(text),
                                text=text))
        else:
            vaccine = name
            if not exact:
                out.append(_finding(DOSE104, number, "vaccine", vraw, name,
                                    text=nz.cell_text(text), vaccine=name))
    day = None
    if not is_empty(draw):
        cls = draw.__class__
        if cls is _dt.date:  # calamine gives dates without a time as date
            day = draw
        elif cls is _dt.datetime:
            day = draw.date()  # type: ignore[union-attr]
        elif cls is str:
            day = _parse_text_date(draw.strip())[0]  # type: ignore[union-attr]
        else:
            day = nz.parse_date(draw)[0]
        if day is None:
            out.append(_finding(DOSE001, number, "date", draw))
        if not has_vaccine and has_vaccine_col:
            out.append(_finding(DOSE010, number, "vaccine", vraw))
    elif has_vaccine:
        if has_date_col:
            out.append(_finding(DOSE011, number, "date", draw))
    elif has_vaccine_col or has_date_col:  # only a lot or a site: still a dose on the list
        # blame a column the list has, and name only what it could have held
        missing = ("tên vắc xin và ngày tiêm" if has_vaccine_col and has_date_col else
                   "tên vắc xin" if has_vaccine_col else "ngày tiêm")
        out.append(_finding(DOSE013, number, "date" if has_date_col else "vaccine",
                            draw if has_date_col else vraw, missing=missing))
    if lot_missing:
        out.append(_finding(DOSE105, number, "lot", None))
    if site_missing:
        out.append(_finding(DOSE106, number, "site", None))
    person = None
    if day is not None:
        if day > today:
            out.append(_finding(DOSE002, number, "date", draw))
        elif day < cat.first_vaccination:
            out.append(_finding(DOSE003, number, "date", draw,
                                first=fmt_date(cat.first_vaccination)))
        else:
            v = cat.vaccines[vaccine] if vaccine else None
            if v is not None and day < v.approved:
                out.append(_finding(DOSE004, number, "date", draw, vaccine=v.name,
                                    approved=fmt_date(v.approved)))
            floor = cat.min_age_on(day)
            lo = max(floor, v.min_age or 0) if v is not None else floor
            hi = v.max_age if v is not None else None
            # born in or before the first year is old enough that day whatever the day of
            # birth, in or after the second young enough: no need to work the age out
            person = (v, floor, day.year - lo - 1, 0 if hi is None else day.year - hi)
    return vaccine, day, tuple(out), person


def _check_person(rec: Record, dose: Dose, day: _dt.date, dob: _dt.date,
                  person: tuple) -> None:
    """The dose's date against the person's date of birth (ages of the day and vaccine)."""
    if day < dob:
        _add(rec, DOSE005, dose, "date")
        return
    v, floor = person[0], person[1]
    age = age_on(dob, day)
    if age < floor:
        _add(rec, DOSE006, dose, "date", date=fmt_date(day), age=age, min_age=floor)
    elif v is not None and ((v.min_age is not None and age < v.min_age)
                            or (v.max_age is not None and age > v.max_age)):
        _add(rec, DOSE007, dose, "vaccine", vaccine=v.name, age=age,
             ages=_ages(v.min_age, v.max_age))


def _ages(lo: int | None, hi: int | None) -> str:
    if lo is not None and hi is not None:
        return f"từ {lo} đến {hi} tuổi"
    return f"từ {lo} tuổi" if lo is not None else f"đến {hi} tuổi"


# A checked dose as the per-person checks take it: a plain tuple, indexed a million times,
# made once per distinct dose by :func:`_facts` (all but the dose) and shared.
#   0 the Dose · 1 its own findings' fields but the row · 2, 3 the earliest and latest
#   birth years that need no age check · 4 the ``person`` bounds of :func:`_dose_facts` ·
#   5 number · 6 date as ordinal or None · 7 the same, or _LATE without a date ·
#   8 per pair kind (_ORDER … _BOOSTER2): the earliest ordinal of the next dose that draws
#   no finding after this one · 9 Vaccine or None · 10 the latest birth year surely old
#   enough for a second booster on this date · 11 a first dose's pair kind of each later
#   dose number (None for other doses) · 12 the shortest primary gap after it or None
_ORDER, _PRIMARY, _ADDITIONAL, _BOOSTER1, _BOOSTER2 = range(5)
_LATE = 1 << 40  # after any date: a dose without a date passes the quick pair test
_NO_DUES = (-_LATE,) * 5  # a dose without a date asks nothing of the next one
_ORDER_ONLY = (_ORDER,) * 16  # the pairs of a history without a known first vaccine


def check_rows(batch: list[tuple[Record, Sequence[object]]], ctx: Context) -> None:
    """Build the doses of a batch of records from their rows (or their persons' rows) and
    check them.

    This is the hot path of lists with doses, so it works a column at a time: in a
    one-person-per-row list each dose slot remembers what its cell values gave (most doses
    repeat a vaccine, date, lot and site seen on another row), and the lookups for the whole
    batch run in C (``map``). Only the checks against the date of birth and the history run
    per person."""
    plan = ctx.dose_plan
    cat = ctx.vaccines
    if plan is None or cat is None or not batch:
        return
    if plan.long is not None or not plan.flat:
        for rec, values in batch:
            build_doses(rec, values, plan, ctx.person_rows)
            check(rec, ctx)
        return
    slots = ctx.dose_slots
    if not slots:
        ctx.dose_cells = _Cells()
        slots.extend(_SlotMemo(number, get, where, need, ctx)
                     for number, get, where, need in plan.flat)
    rows = [values for _, values in batch]
    shortest = min(map(len, rows))
    columns = []
    for memo in slots:
        get, need = memo.get_cells, memo.need
        if shortest >= need:
            gots = map(get, rows)
        else:
            cols = tuple(memo.where.cols.values())
            gots = [get(v) if len(v) >= need else  # type: ignore[assignment]
                    tuple(v[c] if c < len(v) else None for c in cols) for v in rows]
        columns.append(list(map(memo.__getitem__, gots)))  # a miss: _SlotMemo.__missing__
    if plan.additional is not None:
        _lower_after_additional(rows, columns, slots, plan.additional, ctx)
    # each record's checked doses and its doses, made in C (``map``): only the checks that
    # need the person run in Python
    facts_of = list(map(list, map(filter, repeat(None), zip(*columns, strict=True))))
    doses_of = map(list, map(map, repeat(_DOSE_OF), facts_of))
    today = ctx.today
    for (rec, _), facts, doses in zip(batch, facts_of, doses_of, strict=True):
        if facts:
            rec.doses = doses
            dob = rec.dob
            _check_doses(rec, facts, None if dob is not None and dob > today else dob, cat)


_DOSE_OF = itemgetter(0)


def _lower_after_additional(rows: list[Sequence[object]], columns: list[list], slots: list,
                            additional: int, ctx: Context) -> None:
    """For each person without the additional dose, the doses after it one number lower
    (``DosePlan.additional``), from memos of those slots at the lower number."""
    a = next(i for i, m in enumerate(slots) if m.number == additional)
    later = [j for j, m in enumerate(slots) if m.number > additional]
    lower = ctx.dose_slots_lower
    for j in later:
        if j not in lower:
            m = slots[j]
            lower[j] = _SlotMemo(m.number - 1, m.get_cells, m.where, m.need, ctx)
    for i, fact in enumerate(columns[a]):
        if fact is not None:
            continue
        values = rows[i]
        for j in later:
            if columns[j][i] is not None:
                memo = lower[j]
                got = (memo.get_cells(values) if len(values) >= memo.need else
                       tuple(values[c] if c < len(values) else None
                             for c in memo.where.cols.values()))
                columns[j][i] = memo[got]


class _SlotMemo(dict):
    """One wide dose slot's cell values -> its checked dose (None when every cell is
    empty): records with the same cells in the slot share one :class:`Dose`."""

    __slots__ = ("number", "get_cells", "where", "need", "ctx")

    def __init__(self, number: int, get: Callable, where: DoseColumns, need: int,
                 ctx: Context) -> None:
        super().__init__()
        self.number, self.get_cells, self.where, self.need, self.ctx = (
            number, get, where, need, ctx)

    def __missing__(self, got: tuple) -> tuple | None:
        if len(self) > 65_536:
            self.clear()
        ctx = self.ctx
        cells: _Cells = ctx.dose_cells  # type: ignore[assignment]
        key = tuple(map(cells.__getitem__, got))
        if all(map(cells.blank.__contains__, key)):
            fact = None
        else:
            number, where = self.number, self.where
            name, day, tail = _facts(number, where, key, ctx, ctx.vaccines)  # type: ignore[arg-type]
            fact = (Dose(number, key, None, where, name, day), *tail)
        self[key] = fact
        return fact


class _Cells(dict):
    """Each dose cell value seen -> one copy of it made when first seen: the memos' keys
    are built of these, so a lookup compares the row's cells with a few thousand objects
    that stay in the CPU cache instead of the cells of whichever row came first (scattered
    over the whole list; measured: the lookups' cost above reading the cells fell from
    0.16 s to 0.09 s on 100,000 persons). ``blank``: the copies that are empty cells."""

    __slots__ = ("blank",)

    def __init__(self) -> None:
        super().__init__()
        self.blank: set[object] = set()

    def __missing__(self, value: object) -> object:
        cls = value.__class__
        if cls is str:
            copy: object = (value + " ")[:-1]  # type: ignore[operator]
        elif cls is _dt.date:
            copy = _dt.date(value.year, value.month, value.day)  # type: ignore[attr-defined]
        else:
            copy = value
        if is_empty(copy):
            self.blank.add(copy)
        if len(self) > 65_536:
            self.clear()
            self.blank.clear()
        self[copy] = copy
        return copy


def _facts(number: int, where: DoseColumns, vals: tuple, ctx: Context,
           cat: VaccineCatalogue) -> tuple:
    """What a dose's cells give (:func:`_dose_facts`) as (platform spelling, date, the
    checked dose's fields but the dose), remembered by the cells that decide them (the lot
    and site only count as missing or not)."""
    vi, di, li, si = where.vaccine, where.date, where.lot, where.site
    vraw = vals[vi] if vi >= 0 else None
    draw = vals[di] if di >= 0 else None
    lot_missing = li >= 0 and is_empty(vals[li])
    site_missing = si >= 0 and is_empty(vals[si])
    key = (number, vi, di, vraw, draw, lot_missing, site_missing)
    memo = ctx.dose_memo
    facts = memo.get(key)
    if facts is None:
        if len(memo) > 262_144:
            memo.clear()
        name, day, found, person = _dose_facts(number, vi >= 0, di >= 0, vraw, draw,
                                               lot_missing, site_missing, cat, ctx.today)
        facts = memo[key] = (name, day, _tail(number, name, day, found, person, cat))
    return facts


def _tail(number: int, name: str | None, day: _dt.date | None, found: tuple,
          person: tuple | None, cat: VaccineCatalogue) -> tuple:
    """A checked dose's fields but the dose (see the layout above)."""
    v = cat.vaccines[name] if name else None
    lo, hi = (person[3], person[2]) if person is not None else (0, _LATE)
    pmin = v.primary_minimum(cat.tolerance_days) if v is not None else None
    ordinal = None
    at, dues, b2_hi = _LATE, _NO_DUES, _LATE
    if day is not None:
        ordinal = at = day.toordinal()
        dues, b2_hi = _dues(day, max(pmin or 0, 0), cat.additional_min_days,
                            cat.booster1_min_months, cat.booster2_min_months,
                            cat.boosters_from, cat.booster2_min_age)
    kinds = None
    if number == 1 and v is not None:
        kinds = _kinds(v.primary_doses, v.primary_doses + (v.name in cat.additional_primary))
    return (found, lo, hi, person, number, ordinal, at, dues, v, b2_hi, kinds, pmin)


@lru_cache(maxsize=65_536)
def _dues(day: _dt.date, primary_gap: int, additional_days: int, booster1_months: int,
          booster2_months: int, boosters_from: _dt.date, booster2_age: int
          ) -> tuple[tuple[int, ...], int]:
    """(the next dose's earliest ordinal that draws no finding, by pair kind; the latest
    birth year surely old enough for a second booster) after a dose on ``day``."""
    ordinal, boosters = day.toordinal(), boosters_from.toordinal()
    return ((ordinal, ordinal + primary_gap, max(ordinal + additional_days, boosters),
             max(add_months(day, booster1_months).toordinal(), boosters),
             max(add_months(day, booster2_months).toordinal(), boosters)),
            day.year - booster2_age - 1)


@lru_cache(maxsize=64)
def _kinds(primary: int, offset: int) -> tuple[int, ...]:
    """The kind of pair each dose number 0–15 makes with the dose before it, in a series
    of ``primary`` doses whose booster 1 is dose ``offset + 1``."""
    return tuple(_PRIMARY if k <= primary else _ADDITIONAL if k <= offset else
                 _BOOSTER1 if k == offset + 1 else _BOOSTER2 for k in range(16))


def check(rec: Record, ctx: Context) -> None:
    """Check every dose already built on the record, then the history (order, gaps,
    intervals, mixing)."""
    doses = rec.doses
    cat = ctx.vaccines
    if not doses or cat is None:
        return
    dob = rec.dob
    if dob is not None and dob > ctx.today:
        dob = None
    facts = []
    for dose in doses:
        name, day, tail = _facts(dose.number, dose.where, dose.values, ctx, cat)
        dose.vaccine = name
        dose.date = day
        facts.append((dose, *tail))
    _check_doses(rec, facts, dob, cat)


def _check_doses(rec: Record, facts: list[tuple], dob: _dt.date | None,
                 cat: VaccineCatalogue) -> None:
    """A person's checked doses, in dose order: each dose's own findings, its date against
    the date of birth (``dob``, None when unknown or in the future), then the history."""
    findings = rec.findings
    year = dob.year if dob is not None else None
    for f in facts:
        if f[1]:
            row = f[0].row_of(rec)
            for t in f[1]:
                findings.append(Finding(row, *t))
        if year is not None and not f[2] <= year <= f[3]:  # not surely of age that day
            dose = f[0]
            _check_person(rec, dose, dose.date, dob, f[4])  # type: ignore[arg-type]
    # numbers 1..n without a gap; one row per dose (a Dose with its own row) may also
    # repeat a number, which the count alone would not show
    if facts[-1][5] != len(facts) or facts[0][0].row is not None:
        _check_gaps(rec, facts)
    first = facts[0]
    kinds = first[11] if first[5] == 1 else None
    series: Vaccine | None = first[9] if kinds is not None else None
    if kinds is None:
        kinds = _ORDER_ONLY
    prev = first
    for f in facts[1:]:
        number = f[5]
        if prev[5] == number - 1:
            kind = kinds[number] if number < 16 else kinds[15]
            # the quick test: at or after the due date, the first vaccine again in the
            # primary series, surely old enough for a second booster: nothing to report
            if f[7] < prev[8][kind] or (kind == _PRIMARY and f[9] is not series
                                        and f[9] is not None) or (
                    kind == _BOOSTER2 and year is not None and year > f[10]):
                _check_pair(rec, prev, f, series, kind, cat)
        prev = f


def _check_pair(rec: Record, prev: tuple, f: tuple, series: Vaccine | None, kind: int,
                cat: VaccineCatalogue) -> None:
    """Dose ``f`` after the dose before it, ``prev``: order, then the interval and mixing
    its ``kind`` of pair asks for."""
    last, ordinal = prev[6], f[6]
    if last is None or ordinal is None:
        return
    if ordinal < last:
        d = f[0]
        _add(rec, DOSE008, d, "date", date=fmt_date(d.date), prev=prev[5],
             prev_date=fmt_date(prev[0].date))
    elif series is None:
        return
    elif kind == _PRIMARY:
        _check_primary(rec, prev, f, ordinal - last, series, cat)
    else:
        _check_booster(rec, prev, f, kind - _BOOSTER1 + 1, ordinal - last, cat)


def _check_gaps(rec: Record, facts: list[tuple]) -> None:
    """A dose number recorded twice (one row per dose: two "Mũi 1" rows), and a later dose
    recorded without the one before it (the doses' numbers have a gap)."""
    numbers = {f[5] for f in facts}
    if len(numbers) < len(facts):
        counts = Counter(f[5] for f in facts)
        seen_twice: set[int] = set()
        for f in facts:  # reported on each repeat after the first
            n = f[5]
            if counts[n] > 1 and n in seen_twice:
                _add(rec, DOSE014, f[0], "date", count=counts[n])
            seen_twice.add(n)
    if max(numbers) <= len(numbers):
        return
    seen = set()
    for f in facts:
        d = f[0]
        if d.number in seen:
            continue
        seen.add(d.number)
        missing = [k for k in range(1, d.number) if k not in numbers]
        if missing and d.number - 1 not in numbers:
            _add(rec, DOSE009, d, "date", missing=", ".join(map(str, missing)))


def _check_primary(rec: Record, prev: tuple, f: tuple, days: int, series: Vaccine,
                   cat: VaccineCatalogue) -> None:
    """Interval and mixing of a dose of the primary series after the dose before it."""
    d = f[0]
    minimum = prev[12]
    if minimum is not None and days < minimum:
        _add(rec, DOSE101, d, "date", prev=prev[5], days=days, minimum=minimum,
             vaccine=prev[9].name)
    v = f[9]
    if v is not None and v is not series:
        first = series.name
        since = cat.mixing.get((first, v.name), _NEVER)
        if since is _NEVER or (since is not None and d.date < since):
            when = f" (được phép từ {fmt_date(since)})" if isinstance(since, _dt.date) else ""
            _add(rec, DOSE103, d, "vaccine", vaccine=v.name, first=first, when=when)


def _check_booster(rec: Record, prev: tuple, f: tuple, step: int, days: int,
                   cat: VaccineCatalogue) -> None:
    """A dose after the primary series: the additional dose (``step`` 0) or booster
    ``step``, against the dose before it."""
    d, p = f[0], prev[0]
    day, last = d.date, p.date
    if step <= 0:
        early = days < cat.additional_min_days
    else:
        months = cat.booster1_min_months if step == 1 else cat.booster2_min_months
        early = day < add_months(last, months)  # month ends: 30/11 + 3 months is 28/02
        if step > 1:
            dob = rec.dob
            if dob is not None and dob <= day:
                age = age_on(dob, day)
                if age < cat.booster2_min_age:
                    _add(rec, DOSE107, d, "date", age=age, min_age=cat.booster2_min_age)
    if early:
        kind, due, rule_text = _booster_due(step, p, cat)
        _add(rec, DOSE102, d, "date", kind=kind,
             detail=f"tiêm {fmt_date(day)}, hướng dẫn {rule_text} (từ {fmt_date(due)})")
    elif day < cat.boosters_from:
        _add(rec, DOSE102, d, "date", kind=_booster_due(step, p, cat)[0],
             detail=f"tiêm {fmt_date(day)}, trước khi bắt đầu tiêm mũi nhắc lại "
                    f"({fmt_date(cat.boosters_from)})")


def _booster_due(step: int, prev: Dose, cat: VaccineCatalogue) -> tuple[str, _dt.date, str]:
    """What the dose after the primary series is, its due date and the guidance's words."""
    assert prev.date is not None
    if step <= 0:
        return ("mũi bổ sung", prev.date + _dt.timedelta(days=cat.additional_min_days),
                f"ít nhất {cat.additional_min_days} ngày sau mũi {prev.number}")
    months = cat.booster1_min_months if step == 1 else cat.booster2_min_months
    kind = "mũi nhắc lại lần 1" if step == 1 else "mũi nhắc lại lần 2"
    return (kind, add_months(prev.date, months),
            f"ít nhất {months} tháng sau mũi {prev.number}")


_NEVER = object()
