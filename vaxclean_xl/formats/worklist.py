"""The edit-list worklist: the records staff edit by hand on the national platform, what
the platform holds beside what to type, the cells that change coloured, and a "Đã sửa trên
nền tảng" column (Có/Chưa) with a live "Đã sửa: x/y" counter.

Layout, typed record (:class:`Worklist`), writer and reader in one place: ``edit-list``
writes it, ``progress`` reads the Có/Chưa column back, tests check it.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path

from vaxclean_xl.core.model import FIELD_LABEL_VI
from vaxclean_xl.core.normalize import cell_text
from vaxclean_xl.formats import police_list as P
from vaxclean_xl.formats.merge_report import SHEET_CHANGES
from vaxclean_xl.formats.readback import header_key, positive_int
from vaxclean_xl.io.reader import column_letter, iter_sheet_rows
from vaxclean_xl.settings import Settings

SHEET = "Sửa trên nền tảng"
TITLE = ("DANH SÁCH ĐỐI TƯỢNG CẦN SỬA THÔNG TIN CÁ NHÂN TRÊN NỀN TẢNG QUẢN LÝ "
         "TIÊM CHỦNG COVID-19")
EDIT_FIELDS: tuple[str, ...] = ("full_name", "dob", "sex", "id_number")
CURRENT_HEADER = "Trên nền tảng"
CORRECTED_HEADER = "Sửa thành"
DONE_HEADER = "Đã sửa trên nền tảng"
DONE_VALUES: tuple[str, str] = ("Có", "Chưa")

HEADER_TOP_ROW = 7  # 1-based, like the police list
HEADER_ROW = 8
FIRST_ROW = 9
COUNTER_ROW = 6  # "Đã sửa: x/y"

# Column layout (0-based): each field is a pair (platform value | value to type).
STT_COL, ROW_COL, HAMLET_COL = 0, 1, 2
PAIR_COL: dict[str, int] = {f: 3 + 2 * i for i, f in enumerate(EDIT_FIELDS)}
PROBLEM_COL = 3 + 2 * len(EDIT_FIELDS)
REMARK_COL = PROBLEM_COL + 1
DONE_COL = REMARK_COL + 1
LAST_COL = DONE_COL
ROW_HEADER, HAMLET_HEADER, PROBLEM_HEADER, REMARK_HEADER = (
    "Dòng", "Thôn/Xóm", "Nội dung sai", "Lưu ý")
SINGLE_HEADERS: dict[int, str] = {
    STT_COL: "STT", ROW_COL: ROW_HEADER, HAMLET_COL: HAMLET_HEADER, PROBLEM_COL: PROBLEM_HEADER,
    REMARK_COL: REMARK_HEADER, DONE_COL: DONE_HEADER,
}
FIELD_WIDTH: dict[str, float] = {"full_name": 21, "dob": 11, "sex": 8, "id_number": 14}
WIDTHS: dict[int, float] = {STT_COL: 5, ROW_COL: 6, HAMLET_COL: 12, PROBLEM_COL: 30,
                            REMARK_COL: 20, DONE_COL: 10}
TEXT_FIELDS = ("dob", "id_number")
HEADER_SCAN_ROWS = 30  # the reader looks for the header row this far down

# Where the platform's values came from (Worklist.basis), as the subtitle says it.
BASIS_BASELINE, BASIS_LOG, BASIS_NONE = "baseline", "log", "none"
BASIS_TEXT: dict[str, str] = {
    BASIS_BASELINE: "Trên nền tảng = danh sách gốc xuất từ nền tảng; Sửa thành = danh "
                    "sách đã làm sạch.",
    BASIS_LOG: f"Trên nền tảng = giá trị cũ trong trang «{SHEET_CHANGES}» (dòng chưa ai "
               "sửa: danh sách hiện có); Sửa thành = giá trị đã sửa hoặc gợi ý sửa chắc "
               "chắn (ô đỏ: chưa có giá trị đúng).",
    BASIS_NONE: "Trên nền tảng = danh sách hiện có; Sửa thành = gợi ý sửa chắc chắn (ô "
                "đỏ: chưa có giá trị đúng).",
}


@dataclass(slots=True)
class WorklistRow:
    """One record of the worklist: platform values, values to type, what changes.

    ``changed`` and ``missing`` only colour cells: the reader leaves them empty."""

    source_row: int
    hamlet: str
    current: dict[str, str]
    corrected: dict[str, str]
    problems: str
    remarks: list[str] = field(default_factory=list)
    changed: set[str] = field(default_factory=set)
    missing: set[str] = field(default_factory=set)  # no value to type yet, or still wrong
    mismatch: bool = False  # ORIGINAL's row looks like another person (rows shifted?)
    corrected_since: bool = False  # compared with ORIGINAL (baseline or change log)
    done: bool = False  # "Đã sửa trên nền tảng" is "Có" (a new worklist writes "Chưa")


@dataclass(slots=True)
class DoseEditRow:
    """One dose error the station corrects on the platform from its own records (the
    paper vaccination cards): the value the list holds, what is wrong, the right value
    left for staff to write."""

    source_row: int  # the list row holding the dose's cells
    hamlet: str
    full_name: str
    dob: str
    id_number: str
    dose: int  # 1, 2, 3 ...
    part: str  # "Ngày tiêm", "Tên vắc xin", ...
    current: str
    problem: str
    done: bool = False


@dataclass(slots=True)
class Worklist:
    """The worklist's content: its rows in print order and where "Trên nền tảng" came from
    (``BASIS_BASELINE``, ``BASIS_LOG`` or ``BASIS_NONE``); ``doses``: the dose errors, on
    their own sheet (none: no sheet, the workbook as without doses)."""

    rows: list[WorklistRow]
    basis: str = BASIS_NONE
    doses: list[DoseEditRow] = field(default_factory=list)


DOSE_SHEET = "Sửa mũi tiêm"
DOSE_TITLE = "DANH SÁCH MŨI TIÊM CẦN SỬA TRÊN NỀN TẢNG QUẢN LÝ TIÊM CHỦNG COVID-19"
DOSE_SUBTITLE = ("(Mũi tiêm ghi sai: đối chiếu với phiếu tiêm, sổ tiêm chủng của trạm, ghi giá "
                 "trị đúng vào cột «Giá trị đúng (theo phiếu tiêm)» rồi sửa trên Nền tảng.)")
DOSE_NUMBER_HEADER, DOSE_PART_HEADER = "Mũi", "Thông tin"
RIGHT_VALUE_HEADER = "Giá trị đúng (theo phiếu tiêm)"
DOSE_HEADERS: tuple[str, ...] = (
    "STT", ROW_HEADER, HAMLET_HEADER, FIELD_LABEL_VI["full_name"], FIELD_LABEL_VI["dob"],
    FIELD_LABEL_VI["id_number"], DOSE_NUMBER_HEADER, DOSE_PART_HEADER, CURRENT_HEADER,
    PROBLEM_HEADER, RIGHT_VALUE_HEADER, DONE_HEADER)
DOSE_WIDTHS: tuple[float, ...] = (5, 6, 12, 21, 11, 14, 5, 11, 14, 34, 18, 10)
DOSE_DONE_COL = len(DOSE_HEADERS) - 1


def write_worklist(path: Path, worklist: Worklist, *, settings: Settings,
                   today: _dt.date) -> None:
    """The printable worklist (XlsxWriter; not protected: staff sort and filter it)."""
    rows = worklist.rows
    from vaxclean_xl.xlsx.workbook import new_workbook

    wb = new_workbook(path)
    wb.set_properties({"title": TITLE.capitalize(), "author": "vaxclean"})
    F = P.Formats(wb)
    add = wb.add_format
    base = {"font_name": "Times New Roman", "font_size": 12, "valign": "vcenter", "border": 1,
            "text_wrap": True}
    old = add({**base, "bg_color": "#FCE4D6"})
    old_text = add({**base, "bg_color": "#FCE4D6", "num_format": "@"})
    new = add({**base, "bold": True, "bg_color": "#C6EFCE"})
    new_text = add({**base, "bold": True, "bg_color": "#C6EFCE", "num_format": "@"})
    bad = add({**base, "bg_color": "#FFC7CE"})
    bad_text = add({**base, "bg_color": "#FFC7CE", "num_format": "@"})
    done = add({**base, "align": "center", "bg_color": "#FFF2CC"})
    counter = add({"font_name": "Times New Roman", "font_size": 13, "bold": True,
                   "font_color": "#C00000"})
    ws = wb.add_worksheet(SHEET)
    s = settings
    station = P.station_unit(s)
    source = BASIS_TEXT[worklist.basis]
    P.write_heading(
        ws, F, left=[station],
        left_cols=(STT_COL, PAIR_COL["full_name"]), right_cols=(PAIR_COL["id_number"], LAST_COL),
        span=(STT_COL, LAST_COL), date_line=P.official_date(today, P.place_name(s)),
        title=TITLE,
        lines=[(f"(Sai thông tin cá nhân cơ bản: sửa trực tiếp trên Nền tảng. {source} Ô nền "
                f"xanh là ô phải sửa.)", F.subtitle)])
    ws.set_row(4, 32)

    # --- progress counter (live: COUNTIF over the Có/Chưa column)
    n = len(rows)
    first, last = FIRST_ROW - 1, FIRST_ROW - 1 + max(n, 1) - 1
    done_range = (f"${column_letter(DONE_COL)}${FIRST_ROW}:"
                  f"${column_letter(DONE_COL)}${last + 1}")
    ws.merge_range(COUNTER_ROW - 1, STT_COL, COUNTER_ROW - 1, PAIR_COL["full_name"] + 1, "",
                   counter)
    ws.write_formula(COUNTER_ROW - 1, STT_COL,
                     f'="Đã sửa: "&COUNTIF({done_range},"{DONE_VALUES[0]}")&"/"&'
                     f'COUNTA({done_range})', counter, f"Đã sửa: 0/{n}")

    # --- two header rows: single headers merged down, one group per field
    top, sub = HEADER_TOP_ROW - 1, HEADER_ROW - 1
    for c, text in SINGLE_HEADERS.items():
        ws.merge_range(top, c, sub, c, text, F.head_police if c == DONE_COL else F.head)
    for f, c in PAIR_COL.items():
        ws.merge_range(top, c, top, c + 1, FIELD_LABEL_VI[f], F.head)
        ws.write_string(sub, c, CURRENT_HEADER, F.head)
        ws.write_string(sub, c + 1, CORRECTED_HEADER, F.head)
        ws.set_column(c, c + 1, FIELD_WIDTH[f])
    for c, w in WIDTHS.items():
        ws.set_column(c, c, w)
    ws.set_row(top, 20)
    ws.set_row(sub, 34)

    # --- records
    for i, row in enumerate(rows):
        r = first + i
        ws.write_number(r, STT_COL, i + 1, F.stt)
        ws.write_number(r, ROW_COL, row.source_row, F.stt)
        ws.write_string(r, HAMLET_COL, row.hamlet, F.cell)
        for f, c in PAIR_COL.items():
            is_text = f in TEXT_FIELDS
            if f in row.missing:
                fmt_old, fmt_new = (old_text, bad_text) if is_text else (old, bad)
            elif f in row.changed:
                fmt_old, fmt_new = (old_text, new_text) if is_text else (old, new)
            else:
                fmt_old = fmt_new = F.text if is_text else F.cell
            ws.write_string(r, c, row.current[f], fmt_old)
            if row.corrected[f]:
                ws.write_string(r, c + 1, row.corrected[f], fmt_new)
            else:
                ws.write_blank(r, c + 1, None, fmt_new)
        ws.write_string(r, PROBLEM_COL, row.problems, F.problem)
        ws.write_string(r, REMARK_COL, "\n".join(row.remarks), F.problem)
        ws.write_string(r, DONE_COL, DONE_VALUES[0 if row.done else 1], done)
        P.fit_row(ws, r, [(row.problems, WIDTHS[PROBLEM_COL], 11),
                          ("\n".join(row.remarks), WIDTHS[REMARK_COL], 11),
                          (row.hamlet, WIDTHS[HAMLET_COL], 12),
                          *((row.current[f], FIELD_WIDTH[f], 12) for f in EDIT_FIELDS),
                          *((row.corrected[f], FIELD_WIDTH[f], 12) for f in EDIT_FIELDS)])
    if not rows:
        ws.merge_range(first, STT_COL, first, LAST_COL,
                       "Không có bản ghi nào cần sửa trực tiếp trên nền tảng.", F.italic)
    else:
        ws.data_validation(first, DONE_COL, last, DONE_COL, {
            "validate": "list", "source": list(DONE_VALUES), "input_title": DONE_HEADER,
            "input_message": "Chọn «Có» khi đã sửa xong bản ghi này trên nền tảng.",
            "error_title": DONE_HEADER, "error_message": "Chọn Có hoặc Chưa.",
            "error_type": "warning"})
        cell = f"${column_letter(DONE_COL)}{FIRST_ROW}"
        ws.conditional_format(first, DONE_COL, last, DONE_COL, {
            "type": "formula", "criteria": f'={cell}="{DONE_VALUES[0]}"',
            "format": F.cf_good})
        ws.autofilter(sub, STT_COL, last, LAST_COL)

    # --- signatures, view, print
    end = P.write_signatures(ws, F, last + 2, [
        P.SignBlock((STT_COL, PAIR_COL["dob"]), "NGƯỜI LẬP BIỂU", "(Ký, ghi rõ họ tên)",
                    s.preparer),
        P.SignBlock((PROBLEM_COL - 1, LAST_COL), station, "(Ký, ghi rõ họ tên, đóng dấu)",
                    s.station_head, P.official_date(None, P.place_name(s))),
    ])
    ws.freeze_panes(FIRST_ROW - 1, PAIR_COL["full_name"])
    P.setup_print(ws, header_rows=(top, sub), last_row=end, first_col=STT_COL,
                  last_col=LAST_COL)
    ws.activate()
    if worklist.doses:
        _write_dose_sheet(wb, F, worklist.doses, station=station, settings=s, today=today)
    wb.close()


def _write_dose_sheet(wb: object, F: P.Formats, rows: list[DoseEditRow], *, station: str,
                      settings: Settings, today: _dt.date) -> None:
    """The dose errors' sheet: one line per wrong dose cell, an empty right-value cell for
    the value from the station's records, and its own Có/Chưa column."""
    ws = wb.add_worksheet(DOSE_SHEET)  # type: ignore[attr-defined]
    last_col = DOSE_DONE_COL
    P.write_heading(ws, F, left=[station], left_cols=(0, 3), right_cols=(8, last_col),
                    span=(0, last_col),
                    date_line=P.official_date(today, P.place_name(settings)), title=DOSE_TITLE,
                    lines=[(DOSE_SUBTITLE, F.subtitle)])
    head = HEADER_ROW - 1
    for c, (text, width) in enumerate(zip(DOSE_HEADERS, DOSE_WIDTHS, strict=True)):
        ws.write_string(head, c, text, F.head_police if c == DOSE_DONE_COL else F.head)
        ws.set_column(c, c, width)
    ws.set_row(head, 34)
    first = FIRST_ROW - 1
    for i, row in enumerate(rows):
        r = first + i
        ws.write_number(r, 0, i + 1, F.stt)
        ws.write_number(r, 1, row.source_row, F.stt)
        for c, text in enumerate((row.hamlet, row.full_name, row.dob, row.id_number), 2):
            ws.write_string(r, c, text, F.text if c >= 4 else F.cell)
        ws.write_number(r, 6, row.dose, F.stt)
        ws.write_string(r, 7, row.part, F.cell)
        ws.write_string(r, 8, row.current, F.text)
        ws.write_string(r, 9, row.problem, F.problem)
        ws.write_blank(r, 10, None, F.text)
        ws.write_string(r, DOSE_DONE_COL, DONE_VALUES[0 if row.done else 1], F.cell)
        P.fit_row(ws, r, [(row.problem, DOSE_WIDTHS[9], 11), (row.full_name, DOSE_WIDTHS[3], 12)])
    last = first + len(rows) - 1
    ws.data_validation(first, DOSE_DONE_COL, last, DOSE_DONE_COL, {
        "validate": "list", "source": list(DONE_VALUES), "input_title": DONE_HEADER,
        "input_message": "Chọn «Có» khi đã sửa xong mũi tiêm này trên nền tảng.",
        "error_title": DONE_HEADER, "error_message": "Chọn Có hoặc Chưa.",
        "error_type": "warning"})
    ws.autofilter(head, 0, last, last_col)
    end = P.write_signatures(ws, F, last + 2, [
        P.SignBlock((0, 4), "NGƯỜI LẬP BIỂU", "(Ký, ghi rõ họ tên)", settings.preparer),
        P.SignBlock((8, last_col), station, "(Ký, ghi rõ họ tên, đóng dấu)",
                    settings.station_head, P.official_date(None, P.place_name(settings))),
    ])
    ws.freeze_panes(FIRST_ROW - 1, 3)
    P.setup_print(ws, header_rows=(head, head), last_row=end, first_col=0, last_col=last_col)


# --- reading it back ------------------------------------------------------------------------

def _row_number(value: object) -> int | None:
    if isinstance(value, str):
        return None  # the header's second row, signatures
    return positive_int(value)


def read_worklist(path: str | Path, sheet: str = SHEET) -> Worklist | None:
    """The worklist in ``path`` (sheet ``sheet``) as staff left it, found by its header
    texts (columns moved or re-saved elsewhere still read); None when the sheet has no
    "Dòng" and "Đã sửa trên nền tảng" header in its first rows."""
    rows = list(iter_sheet_rows(Path(path), sheet))
    singles = (ROW_HEADER, HAMLET_HEADER, PROBLEM_HEADER, REMARK_HEADER, DONE_HEADER)
    want = {header_key(h): h for h in (*singles, *(FIELD_LABEL_VI[f] for f in EDIT_FIELDS))}
    for i, (_n, values) in enumerate(rows[:HEADER_SCAN_ROWS]):
        cols = {want[k]: c for c, v in enumerate(values) if (k := header_key(v)) in want}
        if DONE_HEADER not in cols or ROW_HEADER not in cols:
            continue
        above = " ".join(cell_text(v) for _m, vals in rows[:i] for v in vals)
        basis = next((b for b, text in BASIS_TEXT.items() if text in above), BASIS_NONE)
        pairs = {f: cols[FIELD_LABEL_VI[f]] for f in EDIT_FIELDS if FIELD_LABEL_VI[f] in cols}
        out = [r for _m, vals in rows[i + 1:] if (r := _read_row(vals, cols, pairs))]
        return Worklist(out, basis)
    return None


def _read_row(vals: list, cols: dict[str, int], pairs: dict[str, int]) -> WorklistRow | None:
    def text(c: int | None) -> str:
        return cell_text(vals[c]) if c is not None and c < len(vals) else ""

    rc = cols[ROW_HEADER]
    row = _row_number(vals[rc] if rc < len(vals) else None)
    if row is None:
        return None
    remarks = text(cols.get(REMARK_HEADER))
    return WorklistRow(
        source_row=row, hamlet=text(cols.get(HAMLET_HEADER)),
        current={f: text(c) for f, c in pairs.items()},
        corrected={f: text(c + 1) for f, c in pairs.items()},
        problems=text(cols.get(PROBLEM_HEADER)),
        remarks=remarks.split("\n") if remarks else [],
        done=text(cols[DONE_HEADER]).casefold() == DONE_VALUES[0].casefold())


def read_dose_edits(path: str | Path) -> list[DoseEditRow]:
    """The dose errors' sheet as staff left it (found by its header texts); [] when the
    workbook has none."""
    from vaxclean_xl.io.reader import sheet_names

    if DOSE_SHEET not in sheet_names(Path(path)):
        return []
    rows = list(iter_sheet_rows(Path(path), DOSE_SHEET))
    want = {header_key(h): h for h in DOSE_HEADERS}
    for i, (_n, values) in enumerate(rows[:HEADER_SCAN_ROWS]):
        cols = {want[k]: c for c, v in enumerate(values) if (k := header_key(v)) in want}
        if len(cols) != len(DOSE_HEADERS):
            continue
        return [r for _m, vals in rows[i + 1:] if (r := _read_dose_row(vals, cols))]
    return []


def _read_dose_row(vals: list, cols: dict[str, int]) -> DoseEditRow | None:
    def text(h: str) -> str:
        c = cols[h]
        return cell_text(vals[c]) if c < len(vals) else ""

    def at(h: str) -> object:
        return vals[cols[h]] if cols[h] < len(vals) else None

    row, dose = _row_number(at(ROW_HEADER)), positive_int(at(DOSE_NUMBER_HEADER))
    if row is None or dose is None:
        return None
    return DoseEditRow(
        row, text(HAMLET_HEADER), text(FIELD_LABEL_VI["full_name"]),
        text(FIELD_LABEL_VI["dob"]), text(FIELD_LABEL_VI["id_number"]), dose,
        text(DOSE_PART_HEADER), text(CURRENT_HEADER), text(PROBLEM_HEADER),
        text(DONE_HEADER).casefold() == DONE_VALUES[0].casefold())
