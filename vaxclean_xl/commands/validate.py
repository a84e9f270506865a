"""Validate a list file: read it, check every record, write the annotated workbook and the
JSON report. The CLI and the Excel button both call :func:`validate_file`.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from vaxclean_xl.core.catalogue import RULES
from vaxclean_xl.core.collate import hamlet_order
from vaxclean_xl.core.model import (
    CATEGORY_LABEL_VI,
    CATEGORY_ORDER,
    FIELD_LABEL_VI,
    Category,
    Record,
    Severity,
)
from vaxclean_xl.core.validate import Validation, validate_rows
from vaxclean_xl.io.atomic import output_batch, refuse_same_file
from vaxclean_xl.io.reader import Table, read_table

STATUS_HEADERS = ["Phân loại", "Lỗi", "Gợi ý sửa"]
SUMMARY_SHEET = "Tổng hợp"
_MERGE_NOTE_HEADER = "Ghi chú của thôn"  # merge's 4th status column (merge.NOTE_STATUS_HEADER)
Progress = Callable[[str, int, int], None]


@dataclass(slots=True)
class ValidateOutcome:
    table: Table
    result: Validation
    output: Path | None
    report: Path | None


def default_output(src: Path) -> Path:
    """'<stem>.kiemtra.xlsx' beside the input."""
    return src.with_name(f"{src.stem}.kiemtra.xlsx")


def validate_table(table: Table, today: _dt.date | None = None,
                   progress: Progress | None = None, *, consume: bool = False) -> Validation:
    """Validate a table read by ``read_table``. ``consume=True`` releases each full row as
    soon as its record is built (records keep the mapped cells): with a million rows the
    full rows and the records would otherwise sit in memory together."""
    def step(done: int, total: int) -> None:
        if progress:
            progress("check", done, total)

    rows = _consumed(table.rows) if consume else table.rows
    result = validate_rows(rows, table.columns, name_fonts=table.name_fonts, today=today,
                           on_progress=step, total=len(table.rows))
    if consume:
        table.rows = []
    return result


def _consumed(rows: list) -> Iterator:
    for i, item in enumerate(rows):
        rows[i] = None
        yield item


def validate_file(
    src: str | Path,
    output: str | Path | None = None,
    report: str | Path | None = None,
    *,
    sheet: str | None = None,
    mapping: dict[str, str] | None = None,
    today: _dt.date | None = None,
    write_workbook: bool = True,
    progress: Progress | None = None,
) -> ValidateOutcome:
    """Validate ``src``; write the annotated workbook (default beside the input) and report.

    For memory, the returned records without findings do not keep their cells.
    """
    src = Path(src)
    out = Path(output) if output else (default_output(src) if write_workbook else None)
    rep = Path(report) if report else None
    for target in (out, rep):
        if target is not None:
            refuse_same_file(target, src)
    if progress:
        progress("read", 0, 1)
    table = read_table(src, sheet=sheet, mapping=mapping)
    # the outputs are checked before the long part and written at the end, all or none
    # (exit 2 leaves nothing behind: not a workbook without its report)
    with output_batch() as batch:
        out_tmp = batch.path(out) if out is not None else None
        rep_tmp = batch.path(rep) if rep is not None else None
        result = validate_table(table, today, progress, consume=True)
        # Everything written from here on comes from the findings (which carry the cell
        # texts they quote): drop the cells of the records without findings, most of a
        # million records' values (~450 MB); records with findings keep theirs for callers.
        for rec in result.records:
            if not rec.findings:
                rec.cells = _NO_CELLS
        if progress:
            progress("write", 0, 1)
        if out_tmp is not None:
            write_annotated(table, result, out_tmp)
        if rep_tmp is not None:
            from vaxclean_xl.io.report import write_report

            write_report(rep_tmp, table, result)
    if progress:
        progress("done", 1, 1)
    return ValidateOutcome(table, result, out, rep)


# --- annotated workbook ---------------------------------------------------------------------

_NO_CELLS: dict[str, object] = {}  # records of a finished validate_file: cells released
_OK_STATUS = [CATEGORY_LABEL_VI[Category.OK], "", ""]


def status_cells(rec: Record) -> list[str]:
    """The three status cells of a record: group, problems, certain fixes."""
    if not rec.findings:
        return _OK_STATUS  # shared: a million OK rows need one list, not a million
    problems = "; ".join(f"[{f.code}] {f.message}" for f in rec.findings)
    fixes = "; ".join(
        f"{FIELD_LABEL_VI[f.field]}: {f.suggestion}" for f in rec.findings if f.suggestion
    )
    return [CATEGORY_LABEL_VI[rec.category], problems, fixes]


def cell_marks(table: Table, result: Validation):
    """One mark per bad cell (the field's cell and the cells that share the blame)."""
    from vaxclean_xl.io.xlsx_annotate import CellMark

    for rec in result.records:
        if not rec.findings:
            continue
        per_cell: dict[int, tuple[bool, list[str]]] = {}
        for f in rec.findings:
            line = f"[{f.code}] {f.message}"
            if f.suggestion:
                line += f" Gợi ý: {f.suggestion}"
            for fld in (f.field, *f.also):
                col = table.columns.get(fld)
                if col is None:
                    continue
                is_err, lines = per_cell.setdefault(col, (False, []))
                lines.append(line)
                if f.severity is Severity.ERROR and not is_err:
                    per_cell[col] = (True, lines)
        for col, (is_err, lines) in per_cell.items():
            yield CellMark(rec.row, col, "error" if is_err else "warning", "\n".join(lines))


def summary_sheet(result: Validation):
    """The 'Tổng hợp' sheet: counts per group, per rule and per hamlet, with a chart."""
    from vaxclean_xl.io.xlsx_annotate import SummarySheet, SummaryTable

    groups = SummaryTable(
        "Số bản ghi theo nhóm", ["Nhóm", "Số bản ghi"],
        [[CATEGORY_LABEL_VI[c], result.by_category[c]] for c in CATEGORY_ORDER],
    )
    rules = SummaryTable(
        "Số lỗi theo quy tắc", ["Mã", "Mức độ", "Nội dung", "Số lần"],
        [[code, "Lỗi" if RULES[code].severity is Severity.ERROR else "Cảnh báo",
          RULES[code].static_vi, n]
         for code, n in sorted(result.by_rule.items())],
    )
    hamlets = SummaryTable(
        "Theo thôn/xóm", ["Thôn/xóm", *(CATEGORY_LABEL_VI[c] for c in CATEGORY_ORDER), "Tổng"],
        [[name, *(counts[c] for c in CATEGORY_ORDER), sum(counts.values())]
         for name, counts in sorted(result.by_hamlet.items(), key=lambda kv: hamlet_order(kv[0]))],
    )
    total = len(result.records)
    bad = total - result.by_category[Category.OK]
    return SummarySheet(
        name=SUMMARY_SHEET,
        title=f"Kết quả kiểm tra danh sách: {total} bản ghi, {bad} bản ghi sai thông tin",
        tables=[groups, rules, hamlets],
        chart_table=0,
        chart_title="Số bản ghi theo nhóm",
    )


def existing_status_col(table: Table, extra: str | None = None) -> int | None:
    """0-based column of the status block ("Phân loại", "Lỗi", "Gợi ý sửa", then ``extra``
    if given) an earlier validate/merge appended, so that a run on its own output rewrites
    it in place instead of appending a second one; None when there is none (or the block
    has the list's data or the user's own columns right of it)."""
    from vaxclean_xl.io.hamlet_reader import header_key

    wanted = [header_key(h) for h in STATUS_HEADERS]
    keys = {c: header_key(h) for c, h in table.headers.items()}
    used = set(table.columns.values())
    width = len(wanted)
    for c in sorted(keys):
        if [keys.get(c + k) for k in range(width)] != wanted or used & set(range(c, c + width)):
            continue
        after = keys.get(c + width)
        if c + width > table.max_col or (extra is not None and after == header_key(extra)):
            return c
    return None


def write_annotated(table: Table, result: Validation, out: Path) -> None:
    """The user's workbook (or an .xlsx copy of an .xls/.ods/.csv) with marks and status
    (in the status block of an earlier run when the input is an output of vaxclean)."""
    from vaxclean_xl.io.plain_copy import annotate_table_workbook

    status_rows = {rec.row: status_cells(rec) for rec in result.records}
    annotate_table_workbook(table, out, header_row=table.header_row,
                            status_headers=STATUS_HEADERS, status_rows=status_rows,
                            marks=cell_marks(table, result), summary=summary_sheet(result),
                            first_status_col=existing_status_col(table, _MERGE_NOTE_HEADER))
