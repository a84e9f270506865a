"""The import file's report (``<import>.baocao.xlsx``): what ``export-import`` wrote to the
platform's import file and what it held back, for the health station's staff.

Layout, typed record (:class:`ImportReport`), writer and reader in one place:
``export-import`` writes it, ``progress`` reads back which list rows went to the platform,
tests check it. Three sheets: a summary (label/value rows, the empty columns, the
warnings), the records not eligible (still wrong, not written) and the rows written; a
fourth, only when there are some, the values that named no code of a code list (the
priority group), left empty in the import file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vaxclean_xl.core.model import CATEGORY_LABEL_VI, Category
from vaxclean_xl.core.normalize import cell_text
from vaxclean_xl.errors import InputError
from vaxclean_xl.formats.readback import header_key, positive_int
from vaxclean_xl.io.atomic import atomic_path
from vaxclean_xl.io.reader import iter_sheet_rows

REPORT_SUFFIX = ".baocao.xlsx"  # default name: '<import file stem>.baocao.xlsx'
SHEET_SUMMARY = "Tổng hợp"
SHEET_NOT_ELIGIBLE = "Chưa đủ điều kiện"
SHEET_WRITTEN = "Đã ghi"
SHEET_UNKNOWN_CODES = "Mã không nhận ra"
SHEETS = (SHEET_SUMMARY, SHEET_NOT_ELIGIBLE, SHEET_WRITTEN)  # always there (progress finds
# a report by them); SHEET_UNKNOWN_CODES only when some value named no code

TITLE = "Tệp import lên Nền tảng Quản lý tiêm chủng COVID-19"
LIST_LABEL = "Danh sách"
IMPORT_LABEL = "Tệp import"
TEMPLATE_LABEL = "Mẫu"
BASELINE_LABEL = "Báo cáo gốc (--baseline)"
NO_BASELINE = "(không có: đã xuất mọi bản ghi đúng)"
WRITTEN_LABEL = "Đã ghi vào tệp import"
NOT_ELIGIBLE_LABEL = "Chưa đủ điều kiện (còn sai, không ghi)"
OUT_OF_SCOPE_LABEL = "Ngoài phạm vi import"
EMPTY_LABEL = "Cột để trống (điền tay trên tệp import)"
EMPTY_HEADERS = ["Cột", "Số ô trống"]
WARNINGS_LABEL = "Lưu ý"
NOT_ELIGIBLE_HEADERS = ["Dòng", "Họ và tên", "Nhóm hiện tại", "Mã lỗi", "Nội dung lỗi"]
WRITTEN_HEADERS = ["Dòng trong danh sách", "Dòng trong tệp import", "Họ và tên"]
UNKNOWN_CODE_HEADERS = ["Dòng trong danh sách", "Cột", "Giá trị trong danh sách"]
_TEMPLATE_RE = re.compile(r"(.*) \(trang «(.*)»\)", re.S)


@dataclass(slots=True)
class NotEligible:
    """A record that should go to the platform but still fails a rule: not written."""

    row: int
    category: Category
    codes: tuple[str, ...]
    name: str  # for the staff report only; never logged or printed
    messages: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class WrittenRow:
    """A record written to the import file: its list row, its import-file row, its name."""

    row: int
    import_row: int
    name: str


@dataclass(frozen=True, slots=True)
class UnknownCode:
    """A value that names no code of the column's code list: left empty, to fix by hand."""

    row: int  # list row
    column: str  # the import column's label
    value: str  # as typed; for the staff report only, never logged or printed


@dataclass(slots=True)
class ImportReport:
    """The report's content. ``template`` is the template file's name, or the spec id when
    the import file was laid out by the spec; ``baseline`` is the original report's file
    name, "" without ``--baseline``; ``empty_columns`` maps a column's "<letter> <header>"
    to how many written records have that cell empty."""

    list_name: str
    import_name: str
    template: str
    sheet: str
    baseline: str
    not_eligible: list[NotEligible] = field(default_factory=list)
    out_of_scope: int = 0
    empty_columns: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    written: list[WrittenRow] = field(default_factory=list)
    unknown_codes: list[UnknownCode] = field(default_factory=list)


class NotAnImportReport(Exception):  # noqa: N818 - a refusal, like police_list.NotAPoliceList
    """A workbook that is not (or no longer) a readable import report; ``message`` is
    Vietnamese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- writing --------------------------------------------------------------------------------

def write_import_report(path: Path, report: ImportReport) -> None:
    """The staff workbook: summary, records not eligible (with messages), rows written."""
    from vaxclean_xl.xlsx.workbook import new_workbook

    with atomic_path(path) as tmp:
        wb = new_workbook(tmp)
        try:
            bold = wb.add_format({"bold": True})
            title = wb.add_format({"bold": True, "font_size": 13})
            head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1,
                                  "text_wrap": True, "valign": "vcenter"})
            wrap = wb.add_format({"text_wrap": True, "valign": "top"})

            ws = wb.add_worksheet(SHEET_SUMMARY)
            ws.set_column(0, 0, 42)
            ws.set_column(1, 1, 60)
            ws.write_string(0, 0, TITLE, title)
            info = [
                (LIST_LABEL, report.list_name),
                (IMPORT_LABEL, report.import_name),
                (TEMPLATE_LABEL, f"{report.template} (trang «{report.sheet}»)"),
                (BASELINE_LABEL, report.baseline or NO_BASELINE),
            ]
            r = 2
            for label, value in info:
                ws.write_string(r, 0, label, bold)
                ws.write_string(r, 1, value)
                r += 1
            for label, n in ((WRITTEN_LABEL, len(report.written)),
                             (NOT_ELIGIBLE_LABEL, len(report.not_eligible)),
                             (OUT_OF_SCOPE_LABEL, report.out_of_scope)):
                ws.write_string(r, 0, label, bold)
                ws.write_number(r, 1, n)
                r += 1
            r += 1
            ws.write_string(r, 0, EMPTY_LABEL, bold)
            r += 1
            ws.write_row(r, 0, EMPTY_HEADERS, head)
            r += 1
            for label, n in report.empty_columns.items():
                ws.write_string(r, 0, label)
                ws.write_number(r, 1, n)
                r += 1
            if report.warnings:
                r += 1
                ws.write_string(r, 0, WARNINGS_LABEL, bold)
                r += 1
                for w in report.warnings:
                    ws.write_string(r, 0, w, wrap)
                    r += 1

            _table_sheet(wb, SHEET_NOT_ELIGIBLE, NOT_ELIGIBLE_HEADERS, (8, 28, 28, 18, 90),
                         head, wrap, [(item.row, item.name, CATEGORY_LABEL_VI[item.category],
                                       ", ".join(item.codes), "\n".join(item.messages))
                                      for item in report.not_eligible])
            _table_sheet(wb, SHEET_WRITTEN, WRITTEN_HEADERS, (14, 14, 28), head, None,
                         [(w.row, w.import_row, w.name) for w in report.written])
            if report.unknown_codes:
                _table_sheet(wb, SHEET_UNKNOWN_CODES, UNKNOWN_CODE_HEADERS, (14, 48, 48), head,
                             None, [(u.row, u.column, u.value) for u in report.unknown_codes])
        finally:
            wb.close()


def _table_sheet(wb: Any, name: str, headers: list[str], widths: tuple[int, ...], head: Any,
                 last_format: Any, rows: list[tuple[int | str, ...]]) -> None:
    """A sheet of one header row and one row per item (numbers as numbers), frozen under
    its header; ``last_format`` for the last column (wrapped messages)."""
    ws = wb.add_worksheet(name)
    ws.write_row(0, 0, headers, head)
    for c, width in enumerate(widths):
        ws.set_column(c, c, width)
    for i, row in enumerate(rows, 1):
        for c, value in enumerate(row):
            fmt = last_format if c == len(row) - 1 else None
            if isinstance(value, int):
                ws.write_number(i, c, value, fmt)
            else:
                ws.write_string(i, c, value, fmt)
    ws.freeze_panes(1, 0)


# --- reading it back ------------------------------------------------------------------------


def _columns(head: list, headers: list[str]) -> dict[str, int]:
    want = {header_key(h): h for h in headers}
    return {want[k]: c for c, v in enumerate(head) if (k := header_key(v)) in want}


def _cell(values: list, col: int | None) -> object:
    return values[col] if col is not None and col < len(values) else None


def read_import_report(path: str | Path) -> ImportReport:
    """The report in ``path`` (the three sheets must be there); the rows written are what
    matters: without the sheet "Đã ghi" or its column "Dòng trong danh sách" it raises
    :class:`NotAnImportReport`. Columns of the two row sheets are found by header text."""
    path = Path(path)
    written_rows = list(iter_sheet_rows(path, SHEET_WRITTEN))
    if not written_rows:
        raise NotAnImportReport(f"«{path.name}» không có trang «{SHEET_WRITTEN}».")
    cols = _columns(written_rows[0][1], WRITTEN_HEADERS)
    if WRITTEN_HEADERS[0] not in cols:
        raise NotAnImportReport(f"Trang «{SHEET_WRITTEN}» của «{path.name}» không có cột "
                                f"«{WRITTEN_HEADERS[0]}».")
    written = [WrittenRow(row, positive_int(_cell(values, cols.get(WRITTEN_HEADERS[1]))) or 0,
                          cell_text(_cell(values, cols.get(WRITTEN_HEADERS[2]))))
               for _n, values in written_rows[1:]
               if (row := positive_int(_cell(values, cols[WRITTEN_HEADERS[0]])))]
    report = _read_summary(path)
    report.written = written
    report.not_eligible = _read_not_eligible(path)
    report.unknown_codes = _read_unknown_codes(path)
    return report


def _read_unknown_codes(path: Path) -> list[UnknownCode]:
    try:
        rows = list(iter_sheet_rows(path, SHEET_UNKNOWN_CODES))
    except InputError:  # no such sheet: every value was a known code
        return []
    if not rows:
        return []
    cols = _columns(rows[0][1], UNKNOWN_CODE_HEADERS)
    row_col, column_col, value_col = (cols.get(h) for h in UNKNOWN_CODE_HEADERS)
    return [UnknownCode(row, cell_text(_cell(values, column_col)),
                        cell_text(_cell(values, value_col)))
            for _n, values in rows[1:] if (row := positive_int(_cell(values, row_col)))]


def _read_summary(path: Path) -> ImportReport:
    info: dict[str, object] = {}
    empty: dict[str, int] = {}
    warnings: list[str] = []
    part = "info"
    for _n, values in iter_sheet_rows(path, SHEET_SUMMARY):
        label = cell_text(_cell(values, 0))
        value = _cell(values, 1)
        if not label:
            continue
        if part == "warnings":
            warnings.append(label)
        elif label == WARNINGS_LABEL:
            part = "warnings"
        elif label == EMPTY_LABEL:
            part = "empty"
        elif part == "empty" and [label, cell_text(value)] != EMPTY_HEADERS:
            empty[label] = positive_int(value) or 0
        elif part == "info":
            info.setdefault(label, value)
    template = cell_text(info.get(TEMPLATE_LABEL))
    m = _TEMPLATE_RE.fullmatch(template)
    baseline = cell_text(info.get(BASELINE_LABEL))
    return ImportReport(
        list_name=cell_text(info.get(LIST_LABEL)), import_name=cell_text(info.get(IMPORT_LABEL)),
        template=m.group(1) if m else template, sheet=m.group(2) if m else "",
        baseline="" if baseline.startswith("(") else baseline,  # "(không có: …)"
        out_of_scope=positive_int(info.get(OUT_OF_SCOPE_LABEL)) or 0,
        empty_columns=empty, warnings=warnings)


def _read_not_eligible(path: Path) -> list[NotEligible]:
    rows = list(iter_sheet_rows(path, SHEET_NOT_ELIGIBLE))
    if not rows:
        return []
    cols = _columns(rows[0][1], NOT_ELIGIBLE_HEADERS)
    row_col, name_col, group_col, codes_col, text_col = (
        cols.get(h) for h in NOT_ELIGIBLE_HEADERS)
    category = {label: c for c, label in CATEGORY_LABEL_VI.items()}
    out: list[NotEligible] = []
    for _n, values in rows[1:]:
        row = positive_int(_cell(values, row_col))
        if row is None:
            continue
        codes = cell_text(_cell(values, codes_col))
        text = cell_text(_cell(values, text_col))
        out.append(NotEligible(
            row, category.get(cell_text(_cell(values, group_col)), Category.OK),
            tuple(codes.split(", ")) if codes else (), cell_text(_cell(values, name_col)),
            tuple(text.split("\n")) if text else ()))
    return out
