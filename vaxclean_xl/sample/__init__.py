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
* Vaccination histories (``sample.doses``) are valid by construction for the person's true
  date of birth and the one the list shows; about a tenth carry ONE injected dose problem,
  recorded apart from the identity codes ("vaccination", "dose_errors", "dose_warnings"
  per record, "dose_counts"), since doses never change the identity group. They come from
  their own random stream, so the identity content and truth do not depend on them.

The legacy-encoded names (NAME004 TCVN3, NAME005 VNI) are produced by the small encoders
below, written independently of ``vaxclean_xl.core.legacy_text`` so that the sample tests
that module instead of mirroring it.
"""

from __future__ import annotations

import datetime as _dt
import json
from pathlib import Path

from vaxclean_xl.core.normalize import parse_date
from vaxclean_xl.sample.doses import (
    DOSE_ERROR_MIX,
    DOSE_GROUPS,
    DOSE_SUBHEADERS,
    DOSE_WARNING_MIX,
    DOSE_WIDTHS,
    MAX_DOSES,
    VACCINE_HEADER,
    DoseGenerator,
    WrittenDose,
)
from vaxclean_xl.sample.generator import _Generator
from vaxclean_xl.sample.names import to_tcvn3, to_vni
from vaxclean_xl.sample.spec import (
    C_ADDR,
    C_BHYT,
    C_DOB,
    C_GROUP,
    C_HAMLET,
    C_ID,
    C_NAME,
    C_NOTE,
    C_PHONE,
    C_SEX,
    C_STT,
    CONSTANT_MEMORY_ABOVE,
    ERROR_MIX,
    FIRST_DATA_ROW,
    HEADER_ROW,
    HEADERS,
    LAST_COL,
    MAX_ROWS,
    NOTES_SHEET,
    NUMBERING_ROW,
    PAIR_RATE,
    SCHEMA,
    SHEET,
    WARNING_MIX,
    WARNING_RATE,
    WIDTHS,
    category_of,
    expected_category,
)

__all__ = [
    "CONSTANT_MEMORY_ABOVE", "C_ADDR", "C_BHYT", "C_DOB", "C_GROUP", "C_HAMLET", "C_ID",
    "C_NAME", "C_NOTE", "C_PHONE", "C_SEX", "C_STT", "DOSE_ERROR_MIX", "DOSE_GROUPS",
    "DOSE_SUBHEADERS", "DOSE_WARNING_MIX",
    "ERROR_MIX", "FIRST_DATA_ROW", "HEADERS", "MAX_DOSES", "VACCINE_HEADER", "dose_columns",
    "HEADER_ROW", "LAST_COL", "MAX_ROWS", "NOTES_SHEET", "NUMBERING_ROW", "PAIR_RATE", "SCHEMA",
    "SHEET", "WARNING_MIX", "WARNING_RATE", "WIDTHS", "category_of", "expected_category",
    "generate_sample", "to_tcvn3", "to_vni"
]

# --- writing ---------------------------------------------------------------------------------

_EXCEL_EPOCH_ORDINAL = _dt.date(1899, 12, 30).toordinal()
_DOSE_COLS = len(DOSE_SUBHEADERS) + 1  # the vaccine, then the group's sub-columns


def dose_columns(number: int) -> dict[str, int]:
    """0-based columns of dose ``number``'s cells (vaccine, date, lot, site) in a sample
    written with doses: the groups follow the identity columns, like the import template's."""
    first = LAST_COL + 1 + _DOSE_COLS * (number - 1)
    return {"vaccine": first, "date": first + 1, "lot": first + 2, "site": first + 3}


def generate_sample(path: str | Path, rows: int = 500, seed: int = 1, *,
                    today: _dt.date | None = None, error_rate: float = 0.25,
                    hamlets: int | None = None, doses: bool = True) -> Path:
    """Write a realistic synthetic commune list (.xlsx) and its ground truth '<stem>.truth.json'
    beside it; return the truth path.

    ``rows`` records (1 … 1,000,000) are written to sheet "Danh sách" from row 7 (header in
    row 5, numbering row in row 6). ``today`` (default: the current date) is only used to make
    future and too-old dates of birth relative to it; validate with the same date. The same
    ``seed`` and ``today`` give the same files.

    ``doses``: each person's vaccination history (two to four doses; none for the few too
    young) in groups "Tên vắc xin" / "Mũi N" over "Ngày tiêm", "Lô vắc xin", "Địa điểm
    tiêm" after the identity columns, the header then on two rows (4–5, merged like the
    import template's) instead of row 5 under a subtitle. Without them the list is the
    identity-only list; the people, their identity cells and the truth are the same either
    way for the same seed.
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
    last_col = dose_columns(MAX_DOSES)["site"] if doses else LAST_COL
    dose_gen = DoseGenerator(seed, today, commune.province_code) if doses else None
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
    if doses:
        for n in range(1, MAX_DOSES + 1):
            for col, width in zip(dose_columns(n).values(), DOSE_WIDTHS, strict=True):
                ws.set_column(col, col, width)
    top_row = HEADER_ROW - 1 if doses else HEADER_ROW  # Excel row of the header's top
    ws.freeze_panes(NUMBERING_ROW, 2)
    ws.repeat_rows(top_row - 1, NUMBERING_ROW - 1)
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
    wb.define_name("DanhSachTiem", f"='{SHEET}'!$A${top_row}:${_letter(last_col)}"
                                   f"${last_data_row}")
    wb.define_name("SoDoiTuong", f"={rows}")

    # Title block (rows 1-4), header (5), numbering (6).
    unit = commune.commune.replace("xã ", "").upper()
    ws.merge_range(0, 0, 0, 2, f"SỞ Y TẾ {commune.province.upper()}", fmt["title_left"])
    ws.merge_range(0, 5, 0, 9, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", fmt["title_right"])
    ws.merge_range(1, 0, 1, 2, f"TRẠM Y TẾ XÃ {unit}", fmt["title_left"])
    ws.merge_range(1, 5, 1, 9, "Độc lập - Tự do - Hạnh phúc", fmt["motto"])
    ws.merge_range(2, 0, 2, LAST_COL,
                   "DANH SÁCH ĐỐI TƯỢNG TIÊM CHỦNG COVID-19 CẦN LÀM SẠCH DỮ LIỆU", fmt["title"])
    if doses:
        _dose_header(ws, fmt["header"])
    else:
        ws.merge_range(3, 0, 3, LAST_COL,
                       f"({commune.commune[0].upper()}{commune.commune[1:]}, "
                       f"{commune.district}, {commune.province})",
                       fmt["subtitle"])
        ws.set_row(HEADER_ROW - 1, 32)
        for col, text in enumerate(HEADERS):  # constant_memory: one row after the other
            ws.write_string(HEADER_ROW - 1, col, text, fmt["header"])
    for col in range(last_col + 1):
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
            "commune": {"province": commune.province, "district": commune.district,
                        "commune": commune.commune, **commune.code_settings},
        }
        out.write(json.dumps(head, ensure_ascii=False)[:-1] + ',\n"records": [\n')
        sep = ""
        dose_counts: dict[str, int] = {}
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
            line = (f'{sep}{{"row": {r + 1}, "category": "{expected_category(row.errors)}", '
                    f'"errors": [{errors}], "warnings": [{warnings}]')
            if dose_gen is not None:
                shown, _problem = parse_date(row.dob)
                history = dose_gen.history(row.born, shown)
                cells, code = dose_gen.written(history, row.born, shown, error_rate > 0)
                _write_doses(r, cells, put, f_name, f_text)
                status = "NONE" if not history else "OK"
                dose_errors = dose_warnings = ""
                if code is not None:
                    dose_counts[code] = dose_counts.get(code, 0) + 1
                    if code in DOSE_ERROR_MIX:
                        dose_errors, status = f'"{code}"', "ERROR"
                    else:
                        dose_warnings, status = f'"{code}"', "WARNING"
                line += (f', "vaccination": "{status}", "dose_errors": [{dose_errors}], '
                         f'"dose_warnings": [{dose_warnings}]')
            out.write(line + "}")
            sep = ",\n"
        counts = dict(sorted(gen.counts.items()))
        out.write('\n],\n"counts": ' + json.dumps(counts))
        if dose_gen is not None:
            out.write(',\n"dose_counts": ' + json.dumps(dict(sorted(dose_counts.items()))))
        out.write("\n}\n")

    # Footer: total, then the signature block.
    total = last_data_row  # 0-based index of the row after the last record
    ws.merge_range(total, 0, total, 1, f"Tổng cộng: {rows:,} người".replace(",", "."),
                   fmt["total"])
    for col in range(2, last_col + 1):
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



def _letter(col: int) -> str:
    """Column letters of a 0-based column ("AA" for 26)."""
    out = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def _dose_header(ws, header_fmt) -> None:
    """The two header rows (4–5): identity and "Tên vắc xin" cells merged down, "Mũi N"
    merged across its sub-columns. Row 4 is written whole before row 5 (constant_memory
    keeps one row at a time), and the merges are declared after the cells."""
    upper, lower = HEADER_ROW - 2, HEADER_ROW - 1
    ws.set_row(upper, 24)
    ws.set_row(lower, 32)
    tall = [(col, text) for col, text in enumerate(HEADERS)]
    groups = []
    for n, group in enumerate(DOSE_GROUPS, start=1):
        cols = dose_columns(n)
        tall.append((cols["vaccine"], VACCINE_HEADER))
        groups.append((cols["date"], cols["site"], group))
    for col, text in tall:
        ws.write_string(upper, col, text, header_fmt)
    for first, last, text in groups:
        ws.write_string(upper, first, text, header_fmt)
        for col in range(first + 1, last + 1):
            ws.write_blank(upper, col, None, header_fmt)
    for col, _text in tall:
        ws.write_blank(lower, col, None, header_fmt)
    for first, _last, _text in groups:
        for i, text in enumerate(DOSE_SUBHEADERS):
            ws.write_string(lower, first + i, text, header_fmt)
    for col, text in tall:
        ws.merge_range(upper, col, lower, col, text, header_fmt)
    for first, last, text in groups:
        ws.merge_range(upper, first, upper, last, text, header_fmt)


def _write_doses(r: int, cells: list[WrittenDose], put, f_name, f_text) -> None:
    """One person's doses in their groups; the groups of doses not given stay blank."""
    for n in range(1, MAX_DOSES + 1):
        cols = dose_columns(n)
        dose = cells[n - 1] if n <= len(cells) else WrittenDose(None, None, None, None)
        put(r, cols["vaccine"], dose.vaccine, f_name)
        put(r, cols["date"], dose.date, f_text)
        put(r, cols["lot"], dose.lot, f_text)
        put(r, cols["site"], dose.site, f_text)
