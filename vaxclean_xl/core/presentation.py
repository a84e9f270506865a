"""What the outputs say about records and results, in Vietnamese, decided in one place.

Pure (no files, no Excel): the status cells appended to a list, which cells to mark and
with what note, the data of the summary tables, a record's values as people read them
(IDs as digits, dates dd/mm/yyyy) and its errors as the police read them. The annotated
workbook, the Excel add-in's live sheet, the police list, the worklist and the hamlet files
take their texts from here, so they say the same thing; the file formats only lay them out.
"""

from __future__ import annotations

import datetime as _dt
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from vaxclean_xl.core.catalogue import RULES
from vaxclean_xl.core.collate import hamlet_order
from vaxclean_xl.core.model import (
    CATEGORY_LABEL_VI,
    CATEGORY_ORDER,
    Category,
    Dose,
    Finding,
    Record,
    Severity,
    field_label_vi,
    is_dose_field,
    parse_dose_field,
)
from vaxclean_xl.core.normalize import SEX_LABEL, cell_text, format_date, id_text, nfc
from vaxclean_xl.core.validate import Validation

STATUS_HEADERS = ["Phân loại", "Lỗi", "Gợi ý sửa"]
"""The status columns appended to a list (validate, merge, the Excel add-in)."""
SUMMARY_CHART_TITLE = "Số bản ghi theo nhóm"
DOSE_STATUS_HEADER = "Mũi tiêm"
"""The doses' status column, after ``STATUS_HEADERS`` in a list with dose columns."""

VACCINATION_LABEL_VI: dict[str, str] = {
    "ERROR": "Sai thông tin mũi tiêm",
    "WARNING": "Cần xem lại mũi tiêm",
    "OK": "Đúng",
    "NONE": "Chưa ghi mũi tiêm nào",
}
"""``Record.vaccination`` as the status column and the summary say it (worst first)."""

_OK_STATUS = [CATEGORY_LABEL_VI[Category.OK], "", ""]


def status_cells(rec: Record, doses: bool = False) -> list[str]:
    """The three status cells of a record: group, problems, certain fixes; with ``doses``
    (a list with dose columns) a fourth, :func:`dose_status_cell`, and the three others
    about the identity only (the doses have their own column)."""
    if doses:
        identity = [f for f in rec.findings if not is_dose_field(f.field)]
        return [*_identity_cells(rec, identity), dose_status_cell(rec)]
    return _identity_cells(rec, rec.findings)


def _identity_cells(rec: Record, findings: list[Finding]) -> list[str]:
    if not findings:
        return _OK_STATUS  # shared: a million OK rows need one list, not a million
    problems = "; ".join(f"[{f.code}] {f.message}" for f in findings)
    fixes = "; ".join(
        f"{field_label_vi(f.field)}: {f.suggestion}" for f in findings if f.suggestion
    )
    return [CATEGORY_LABEL_VI[rec.category], problems, fixes]


def dose_status_cell(rec: Record) -> str:
    """The "Mũi tiêm" cell: the doses' status, then each dose finding (with its fix)."""
    label = VACCINATION_LABEL_VI[rec.vaccination]
    lines = [f"[{f.code}] {f.message}" + (f" Gợi ý: {f.suggestion}" if f.suggestion else "")
             for f in rec.findings if is_dose_field(f.field)]
    return f"{label}: {'; '.join(lines)}" if lines else label


def mark_notes(columns: Mapping[str, int], result: Validation
               ) -> Iterator[tuple[int, int, str, str]]:
    """One (row, 0-based column, "error"/"warning", note) per bad cell: the field's cell and
    the cells that share the blame; a cell is an error when any of its findings is. A dose
    finding marks its dose's own cell (row and column on the ``Dose``); in a
    one-row-per-dose list the identity cells are marked on every row of the person."""
    for rec in result.records:
        if not rec.findings:
            continue
        per_cell: dict[tuple[int, int], tuple[bool, list[str]]] = {}
        rows = rec.rows or (rec.row,)
        for f in rec.findings:
            line = f"[{f.code}] {f.message}"
            if f.suggestion:
                line += f" Gợi ý: {f.suggestion}"
            for fld in (f.field, *f.also):
                for cell in _cells_of(rec, f, fld, columns, rows):
                    is_err, lines = per_cell.setdefault(cell, (False, []))
                    lines.append(line)
                    if f.severity is Severity.ERROR and not is_err:
                        per_cell[cell] = (True, lines)
        for (row, col), (is_err, lines) in per_cell.items():
            yield row, col, "error" if is_err else "warning", "\n".join(lines)


def _cells_of(rec: Record, f: Finding, fld: str, columns: Mapping[str, int],
              rows: Iterable[int]) -> list[tuple[int, int]]:
    """The (row, column) cells of one field a finding blames."""
    parsed = parse_dose_field(fld) if is_dose_field(fld) else None
    if parsed is None:
        col = columns.get(fld)
        return [] if col is None else [(r, col) for r in rows]
    dose = dose_of(rec, f.row, parsed[0])
    if dose is None or parsed[1] not in dose.cols:
        return []
    return [(dose.row_of(rec), dose.cols[parsed[1]])]


def dose_of(rec: Record, row: int, number: int) -> Dose | None:
    """The record's dose ``number``; of several with that number (a repeated 'Mũi 2' row)
    the one on ``row``, where its finding is."""
    doses = [d for d in rec.doses if d.number == number]
    return next((d for d in doses if d.row_of(rec) == row), doses[0] if doses else None)


def dose_shown(dose: Dose | None, part: str) -> str:
    """A dose cell as the list shows it (dates dd/mm/yyyy)."""
    value = None if dose is None else dose.cells.get(part)
    if isinstance(value, _dt.date):
        return format_date(value)
    return cell_text(value)


@dataclass(frozen=True, slots=True)
class CountTable:
    """A titled table of counts, as a summary sheet shows it."""

    title: str
    headers: list[str]
    rows: list[list[object]]


def summary_title(result: Validation) -> str:
    """The summary's first line: how many records, how many wrong."""
    total = len(result.records)
    bad = total - result.by_category[Category.OK]
    return f"Kết quả kiểm tra danh sách: {total} bản ghi, {bad} bản ghi sai thông tin"


def summary_tables(result: Validation, doses: bool = False) -> list[CountTable]:
    """Counts per group, per rule and per hamlet (hamlets in Vietnamese natural order); with
    ``doses`` (a list with dose columns) the dose rules leave the rule table for two tables
    of their own: people per doses' status, and dose findings per rule."""
    groups = CountTable(
        SUMMARY_CHART_TITLE, ["Nhóm", "Số bản ghi"],
        [[CATEGORY_LABEL_VI[c], result.by_category[c]] for c in CATEGORY_ORDER],
    )
    rules = CountTable(
        "Số lỗi theo quy tắc", ["Mã", "Mức độ", "Nội dung", "Số lần"],
        _rule_rows((code, n) for code, n in sorted(result.by_rule.items())
                   if not doses or not is_dose_field(RULES[code].field)),
    )
    hamlets = CountTable(
        "Theo thôn/xóm", ["Thôn/xóm", *(CATEGORY_LABEL_VI[c] for c in CATEGORY_ORDER), "Tổng"],
        [[name, *(counts[c] for c in CATEGORY_ORDER), sum(counts.values())]
         for name, counts in sorted(result.by_hamlet.items(), key=lambda kv: hamlet_order(kv[0]))],
    )
    if not doses:
        return [groups, rules, hamlets]
    status = Counter(rec.vaccination for rec in result.records)
    vaccination = CountTable(
        "Mũi tiêm: số người theo tình trạng", ["Tình trạng mũi tiêm", "Số người"],
        [[label, status[key]] for key, label in VACCINATION_LABEL_VI.items()],
    )
    dose_rules = CountTable(
        "Mũi tiêm: số lỗi theo quy tắc", ["Mã", "Mức độ", "Nội dung", "Số lần"],
        _rule_rows((code, n) for code, n in sorted(result.by_rule.items())
                   if is_dose_field(RULES[code].field)),
    )
    return [groups, rules, hamlets, vaccination, dose_rules]


def _rule_rows(counts: Iterable[tuple[str, int]]) -> list[list[object]]:
    return [[code, "Lỗi" if RULES[code].severity is Severity.ERROR else "Cảnh báo",
             RULES[code].static_vi, n] for code, n in counts]


def shown(rec: Record, field_name: str) -> str:
    """A field as the list shows it (as typed; IDs as digits, dates dd/mm/yyyy)."""
    if field_name == "id_number":
        return id_text(rec.cells.get("id_number"))[0]
    if field_name == "dob" and rec.dob is not None:
        return format_date(rec.dob)
    return rec.text(field_name)


def shown_values(rec: Record, fields: Iterable[str]) -> dict[str, str]:
    """:func:`shown` for each of ``fields``: what a hamlet worker or the police see."""
    return {f: shown(rec, f) for f in fields}


def to_type(rec: Record, field_name: str) -> str:
    """A field as staff should type it: names NFC with single spaces, Nam/Nữ."""
    if field_name == "full_name":
        return " ".join(nfc(rec.text("full_name")).split())
    if field_name == "sex" and rec.sex:
        return SEX_LABEL[rec.sex]
    return shown(rec, field_name)


def problem_text(rec: Record, *, errors_only: bool = True) -> str:
    """The record's problems in Vietnamese, one per line, with the certain fix if any;
    ``errors_only`` leaves the warnings out (the police verify identities, not phone
    numbers) and the doses' findings (the station fixes those from its own records)."""
    return "\n".join(f.message + (f" Gợi ý: {f.suggestion}." if f.suggestion else "")
                     for f in rec.findings
                     if not errors_only or (f.severity is Severity.ERROR
                                            and not is_dose_field(f.field)))


def error_messages(rec: Record) -> str:
    """The record's errors, one per line, without the fixes (the worklist's "Nội dung
    sai": its values to type stand beside them)."""
    return "\n".join(f.message for f in rec.findings if f.severity is Severity.ERROR)
