"""Write the worklist of records to edit by hand on the national platform (procedure step 4).

The platform imports only records that had no ID number or a wrong-format one
(``export-import``); a record with wrong basic personal information (name, date of birth,
sex, ID number: group BAD_PERSONAL_INFO) must be opened and edited by hand on
"Nền tảng Quản lý tiêm chủng COVID-19". Staff do that over days, so this worklist shows,
per record, what the platform holds and what to type, side by side, the cells that change
highlighted, ordered by hamlet, with a "Đã sửa trên nền tảng" column (Có/Chưa) and a
live "Đã sửa: x/y" counter to track progress; it prints like the police list.

Which records and which values:

* with ``baseline`` (ORIGINAL.xlsx, the list as exported from the platform before
  cleaning): the rows ORIGINAL puts in BAD_PERSONAL_INFO, plus rows ORIGINAL found correct
  whose name, date of birth, sex or ID number was changed since (a hamlet or the police
  corrected them); rows are matched by row number (``merge`` keeps every original row
  where it was). "Trên nền tảng" = ORIGINAL's values, "Sửa thành" = INPUT's values.
  Rows ORIGINAL put in NO_ID/BAD_ID_FORMAT are left out (they go through the import file),
  and so are INPUT rows that ORIGINAL lacks (new people, imported too);
* without it, when INPUT is a list written by ``merge``: its own change log (every sheet
  "Nhật ký thay đổi", "Nhật ký thay đổi (2)"…, the oldest first; the first logged old
  value of a cell is what the platform still holds) gives back ORIGINAL: INPUT with the
  logged old values put back. Rows with a logged change are chosen and shown as with
  ``baseline``; the other rows as below, since nobody changed them;
* without either: INPUT's rows in BAD_PERSONAL_INFO; "Trên nền tảng" = INPUT's values,
  "Sửa thành" = the certain fix of each finding, the field's value when it has no
  error, and an empty red cell when it has an error without a certain fix (to be filled
  from the police's verification). Records the hamlets or the police already fixed are
  correct in INPUT and cannot be told apart, so they are missing: a Vietnamese warning
  says so (stderr, like ``export-import``; the exit code stays 0).

A "Sửa thành" value that still breaks a rule is flagged in "Lưu ý": typing it on the
platform would only move the error.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path

from vaxclean_xl.commands.merge import SHEET_CHANGES, change_log_sheets, read_change_log
from vaxclean_xl.commands.merge import _apply as apply_values  # the merge's own row writer
from vaxclean_xl.commands.validate import validate_table
from vaxclean_xl.core.collate import hamlet_order
from vaxclean_xl.core.model import FIELD_LABEL_VI, Category, Record, Severity
from vaxclean_xl.core.normalize import SEX_LABEL, format_date, id_text, nfc
from vaxclean_xl.core.validate import NO_HAMLET, Validation
from vaxclean_xl.io import police_layout as P
from vaxclean_xl.io.atomic import atomic_path, refuse_same_file
from vaxclean_xl.io.reader import (
    Table,
    column_letter,
    read_table,
    sheet_names,
)
from vaxclean_xl.settings import Settings, load_settings

OUTPUT_SUFFIX = ".suatay.xlsx"
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
SINGLE_HEADERS: dict[int, str] = {
    STT_COL: "STT", ROW_COL: "Dòng", HAMLET_COL: "Thôn/Xóm", PROBLEM_COL: "Nội dung sai",
    REMARK_COL: "Lưu ý", DONE_COL: DONE_HEADER,
}
FIELD_WIDTH: dict[str, float] = {"full_name": 21, "dob": 11, "sex": 8, "id_number": 14}
WIDTHS: dict[int, float] = {STT_COL: 5, ROW_COL: 6, HAMLET_COL: 12, PROBLEM_COL: 30,
                            REMARK_COL: 20, DONE_COL: 10}
TEXT_FIELDS = ("dob", "id_number")

# Where the platform's values came from (EditOutcome.basis).
BASIS_BASELINE, BASIS_LOG, BASIS_NONE = "baseline", "log", "none"
NO_BASIS_WARNING = (
    "Không có --original (danh sách gốc xuất từ nền tảng) và tệp không có trang «"
    + SHEET_CHANGES + "» của lệnh merge: chỉ liệt kê bản ghi hiện còn sai thông tin cá "
    "nhân; bản ghi thôn/công an đã sửa (trên nền tảng vẫn còn sai) KHÔNG có trong danh "
    "sách. Dùng --original DANH_SACH_GOC.xlsx để liệt kê cả những bản ghi đó.")


@dataclass(slots=True)
class EditRow:
    """One record of the worklist: platform values, values to type, what changes."""

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


@dataclass(slots=True)
class EditOutcome:
    """What ``edit_list`` wrote and found."""

    table: Table
    result: Validation
    baseline: Table | None
    output: Path
    rows: list[EditRow]
    changed_cells: int = 0
    missing_cells: int = 0
    still_wrong: int = 0  # rows whose value to type still breaks a rule
    mismatched: int = 0  # rows whose INPUT record looks like another person than ORIGINAL's
    basis: str = BASIS_NONE  # where "Trên nền tảng" comes from: baseline, log or none
    logged: int = 0  # rows with an old value in the change log (basis "log")
    warnings: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.rows)


def default_output(src: Path) -> Path:
    """'<stem>.suatay.xlsx' beside the input."""
    return src.with_name(f"{src.stem}{OUTPUT_SUFFIX}")


# --- values ---------------------------------------------------------------------------------

def shown(rec: Record, field_name: str) -> str:
    """A field as the platform shows it (as typed; IDs as digits, dates dd/mm/yyyy)."""
    if field_name == "id_number":
        return id_text(rec.cells.get("id_number"))[0]
    if field_name == "dob" and rec.dob is not None:
        return format_date(rec.dob)
    return rec.text(field_name)


def to_type(rec: Record, field_name: str) -> str:
    """A field as staff should type it: names NFC with single spaces, Nam/Nữ."""
    if field_name == "full_name":
        return " ".join(nfc(rec.text("full_name")).split())
    if field_name == "sex" and rec.sex:
        return SEX_LABEL[rec.sex]
    return shown(rec, field_name)


def same(field_name: str, a: str, b: str) -> bool:
    """Equal for the platform: sex by meaning (nam = Nam), other fields as text."""
    if field_name == "sex":
        from vaxclean_xl.core.normalize import parse_sex

        sa, sb = parse_sex(a), parse_sex(b)
        if sa and sb:
            return sa == sb
    return " ".join(nfc(a).split()) == " ".join(nfc(b).split())


def error_fields(rec: Record) -> set[str]:
    """Fields (of the four) that an ERROR finding blames, directly or as a shared cell."""
    out: set[str] = set()
    for f in rec.findings:
        if f.severity is Severity.ERROR:
            out.update(x for x in (f.field, *f.also) if x in EDIT_FIELDS)
    return out


def problem_text(rec: Record) -> str:
    return "\n".join(f.message for f in rec.findings if f.severity is Severity.ERROR)


def _row_without_baseline(rec: Record, hamlet: str) -> EditRow:
    current = {f: shown(rec, f) for f in EDIT_FIELDS}
    suggested: dict[str, str] = {}
    for f in rec.findings:
        if f.suggestion and f.field in EDIT_FIELDS:
            suggested.setdefault(f.field, f.suggestion)
    bad = error_fields(rec)
    row = EditRow(rec.row, hamlet, current, {}, problem_text(rec))
    for f in EDIT_FIELDS:
        if f in suggested:
            row.corrected[f] = suggested[f]
        elif f in bad:
            row.corrected[f] = ""
            row.missing.add(f)
        else:
            row.corrected[f] = to_type(rec, f)
    if row.missing:
        labels = ", ".join(FIELD_LABEL_VI[f] for f in EDIT_FIELDS if f in row.missing)
        row.remarks.append(f"Chờ xác minh: {labels}.")
    return row


def _row_with_baseline(rec: Record, base: Record, hamlet: str) -> EditRow:
    current = {f: shown(base, f) for f in EDIT_FIELDS}
    corrected = {f: to_type(rec, f) for f in EDIT_FIELDS}
    row = EditRow(rec.row, hamlet, current, corrected,
                  problem_text(base) or "Đã sửa theo rà soát của thôn/công an.",
                  corrected_since=True)
    bad = error_fields(rec)
    if bad:
        row.missing |= bad
        row.remarks.append("Giá trị mới còn lỗi: " + "; ".join(
            f.message for f in rec.findings if f.severity is Severity.ERROR) + " Chưa sửa "
            "trên nền tảng khi chưa xác minh lại.")
    same_person = sum(1 for f in ("full_name", "dob", "id_number")
                      if same(f, current[f], corrected[f]))
    if same_person == 0:
        row.mismatch = True
        row.remarks.append("Họ tên, ngày sinh và số CCCD đều khác bản gốc: kiểm tra lại dòng "
                           "này có đúng là cùng một người.")
    return row


def build_rows(result: Validation, baseline: Validation | None,
               logged: set[int] | None = None) -> list[EditRow]:
    """The worklist rows (see the module docstring), ordered by hamlet then list row.
    ``logged``: the rows ``baseline`` was rebuilt for from the change log; the others are
    unchanged since ORIGINAL and get the certain fixes as without a baseline."""
    rows: list[EditRow] = []
    base_by_row = {r.row: r for r in baseline.records} if baseline else {}
    for rec in result.records:
        hamlet = result.hamlet_of.get(rec.hamlet, NO_HAMLET)
        if baseline is None or (logged is not None and rec.row not in logged):
            if rec.category is Category.BAD_PERSONAL_INFO:
                rows.append(_row_without_baseline(rec, hamlet))
            continue
        base = base_by_row.get(rec.row)
        if base is None:
            continue
        changed = any(not same(f, shown(base, f), to_type(rec, f)) for f in EDIT_FIELDS)
        if base.category is Category.BAD_PERSONAL_INFO or (
                base.category is Category.OK and changed):
            rows.append(_row_with_baseline(rec, base, hamlet))
    for row in rows:
        row.changed = {f for f in EDIT_FIELDS if row.corrected[f]
                       and not same(f, row.current[f], row.corrected[f])}
    rows.sort(key=lambda r: (hamlet_order(r.hamlet), r.source_row))
    return rows


# --- the merged list's own change log -----------------------------------------------------

def logged_originals(path: Path, source_format: str = "xlsx"
                     ) -> dict[int, dict[str, str]] | None:
    """Row -> field -> the value before the first logged change, from ``merge``'s change log
    (``merge.read_change_log``: only the log sheets are read, the list may have a million
    rows); None when it has none (not a merged list, or a CSV)."""
    if source_format == "csv" or not change_log_sheets(sheet_names(path)):
        return None
    olds: dict[int, dict[str, str]] = {}
    for c in read_change_log(path, source_format):
        if c.field in EDIT_FIELDS:
            olds.setdefault(c.row, {}).setdefault(c.field, c.old)  # the oldest wins
    return olds


def table_before(table: Table, olds: dict[int, dict[str, str]]) -> Table:
    """``table`` with the logged old values put back: the list as the platform holds it."""
    rows, _changed = apply_values(table, {(row, f): old or None
                                          for row, fields in olds.items()
                                          for f, old in fields.items() if f in table.columns})
    return dataclasses.replace(table, rows=rows)


# --- command --------------------------------------------------------------------------------

def edit_list(
    src: str | Path,
    output: str | Path | None = None,
    *,
    baseline: str | Path | None = None,
    sheet: str | None = None,
    today: _dt.date | None = None,
    settings: Settings | None = None,
    settings_file: str | Path | None = None,
) -> EditOutcome:
    """Validate ``src`` (and ``baseline``) and write the worklist to ``output``."""
    src = Path(src)
    out = Path(output) if output else default_output(src)
    refuse_same_file(out, src)
    base_path = Path(baseline) if baseline else None
    if base_path is not None:
        refuse_same_file(out, base_path)
    today = today or _dt.date.today()
    table = read_table(src, sheet=sheet)
    settings = settings or load_settings(settings_file, src)
    result = validate_table(table, today)
    base_table = base_result = None
    logged: set[int] | None = None
    warnings: list[str] = []
    basis = BASIS_NONE
    if base_path is not None:
        basis = BASIS_BASELINE
        base_table = read_table(base_path)  # the platform's export: its own sheet name
        base_result = validate_table(base_table, today)
    elif (olds := logged_originals(src, table.source_format)) is not None:
        basis = BASIS_LOG
        logged = {row for row, fields in olds.items() if fields}
        base_table = table_before(table, olds)
        base_result = validate_table(base_table, today)
    else:
        warnings.append(NO_BASIS_WARNING)
    rows = build_rows(result, base_result, logged)
    with atomic_path(out) as tmp:
        write_worklist(tmp, rows, settings=settings, today=today, basis=basis)
    return EditOutcome(
        table, result, base_table, out, rows,
        changed_cells=sum(len(r.changed) for r in rows),
        missing_cells=sum(len(r.missing) for r in rows),
        still_wrong=sum(1 for r in rows if r.corrected_since and r.missing),
        mismatched=sum(1 for r in rows if r.mismatch),
        basis=basis, logged=len(logged or ()), warnings=warnings,
    )


def write_worklist(path: Path, rows: list[EditRow], *, settings: Settings, today: _dt.date,
                   basis: str) -> None:
    """The printable worklist (XlsxWriter; not protected: staff sort and filter it)."""
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
    source = {
        BASIS_BASELINE: "Trên nền tảng = danh sách gốc xuất từ nền tảng; Sửa thành = danh "
                        "sách đã làm sạch.",
        BASIS_LOG: f"Trên nền tảng = giá trị cũ trong trang «{SHEET_CHANGES}» (dòng chưa ai "
                   "sửa: danh sách hiện có); Sửa thành = giá trị đã sửa hoặc gợi ý sửa chắc "
                   "chắn (ô đỏ: chưa có giá trị đúng).",
        BASIS_NONE: "Trên nền tảng = danh sách hiện có; Sửa thành = gợi ý sửa chắc chắn (ô "
                    "đỏ: chưa có giá trị đúng).",
    }[basis]
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
        ws.write_string(r, DONE_COL, DONE_VALUES[1], done)
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
    wb.close()
