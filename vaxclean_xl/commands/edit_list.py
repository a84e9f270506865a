"""Write the worklist of records to edit by hand on the national platform (procedure step 4).

The platform imports only records that had no ID number or a wrong-format one
(``export-import``); a record with wrong basic personal information (name, date of birth,
sex, ID number: group BAD_PERSONAL_INFO) must be opened and edited by hand on
"Nền tảng Quản lý tiêm chủng COVID-19". Staff do that over days, so this worklist shows,
per record, what the platform holds and what to type, side by side, the cells that change
highlighted, ordered by hamlet, with a "Đã sửa trên nền tảng" column (Có/Chưa) and a
live "Đã sửa: x/y" counter to track progress; it prints like the police list (layout,
writer and reader: ``vaxclean_xl.formats.worklist``).

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

from vaxclean_xl.commands.common import (
    apply_values,
    open_list,
    raise_no_records,
    validate_table,
)
from vaxclean_xl.core.collate import hamlet_order
from vaxclean_xl.core.model import (
    DOSE_PART_LABEL_VI,
    FIELD_LABEL_VI,
    Category,
    Record,
    Severity,
    parse_dose_field,
)
from vaxclean_xl.core.normalize import nfc
from vaxclean_xl.core.presentation import dose_of, dose_shown, error_messages, shown, to_type
from vaxclean_xl.core.validate import NO_HAMLET, Validation
from vaxclean_xl.formats.merge_report import SHEET_CHANGES, change_log_sheets, read_change_log
from vaxclean_xl.formats.worklist import (
    BASIS_BASELINE,
    BASIS_LOG,
    BASIS_NONE,
    EDIT_FIELDS,
    DoseEditRow,
    Worklist,
    WorklistRow,
    write_worklist,
)
from vaxclean_xl.io.atomic import atomic_path
from vaxclean_xl.io.reader import Table, read_table, sheet_names
from vaxclean_xl.settings import Settings

OUTPUT_SUFFIX = ".suatay.xlsx"
NO_BASIS_WARNING = (
    "Không có --original (danh sách gốc xuất từ nền tảng) và tệp không có trang «"
    + SHEET_CHANGES + "» của lệnh merge: chỉ liệt kê bản ghi hiện còn sai thông tin cá "
    "nhân; bản ghi thôn/công an đã sửa (trên nền tảng vẫn còn sai) KHÔNG có trong danh "
    "sách. Dùng --original DANH_SACH_GOC.xlsx để liệt kê cả những bản ghi đó.")


@dataclass(slots=True)
class EditOutcome:
    """What ``edit_list`` wrote and found."""

    table: Table
    result: Validation
    baseline: Table | None
    output: Path
    rows: list[WorklistRow]
    doses: list[DoseEditRow] = field(default_factory=list)  # dose errors (own sheet)
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


def _row_without_baseline(rec: Record, hamlet: str) -> WorklistRow:
    current = {f: shown(rec, f) for f in EDIT_FIELDS}
    suggested: dict[str, str] = {}
    for f in rec.findings:
        if f.suggestion and f.field in EDIT_FIELDS:
            suggested.setdefault(f.field, f.suggestion)
    bad = error_fields(rec)
    row = WorklistRow(rec.row, hamlet, current, {}, error_messages(rec))
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


def _row_with_baseline(rec: Record, base: Record, hamlet: str) -> WorklistRow:
    current = {f: shown(base, f) for f in EDIT_FIELDS}
    corrected = {f: to_type(rec, f) for f in EDIT_FIELDS}
    row = WorklistRow(rec.row, hamlet, current, corrected,
                      error_messages(base) or "Đã sửa theo rà soát của thôn/công an.",
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
               logged: set[int] | None = None) -> list[WorklistRow]:
    """The worklist rows (see the module docstring), ordered by hamlet then list row.
    ``logged``: the rows ``baseline`` was rebuilt for from the change log; the others are
    unchanged since ORIGINAL and get the certain fixes as without a baseline."""
    rows: list[WorklistRow] = []
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


def dose_rows(result: Validation) -> list[DoseEditRow]:
    """One row per dose error of the list (warnings left out: nothing certain to fix),
    ordered by hamlet, then row, then dose: the station corrects them on the platform from
    its own records, whatever the identity group (an identity edit is on the other sheet)."""
    out: list[DoseEditRow] = []
    for rec in result.records:
        if not rec.doses:
            continue
        hamlet = result.hamlet_of.get(rec.hamlet, NO_HAMLET)
        for f in rec.findings:
            parsed = parse_dose_field(f.field)
            if parsed is None or f.severity is not Severity.ERROR:
                continue
            number, part = parsed
            dose = dose_of(rec, f.row, number)
            out.append(DoseEditRow(f.row, hamlet, shown(rec, "full_name"), shown(rec, "dob"),
                                   shown(rec, "id_number"), number, DOSE_PART_LABEL_VI[part],
                                   dose_shown(dose, part), f.message))
    out.sort(key=lambda r: (hamlet_order(r.hamlet), r.source_row, r.dose))
    return out


# --- the merged list's own change log -----------------------------------------------------

def logged_originals(path: Path, source_format: str = "xlsx"
                     ) -> dict[int, dict[str, str]] | None:
    """Row -> field -> the value before the first logged change, from ``merge``'s change log
    (``merge_report.read_change_log``: only the log sheets are read, the list may have a
    million rows); None when it has none (not a merged list, or a CSV)."""
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
    mapping: dict[str, str] | None = None,
) -> EditOutcome:
    """Validate ``src`` (and ``baseline``) and write the worklist to ``output``."""
    base_path = Path(baseline) if baseline else None
    opened = open_list(src, output, suffix=OUTPUT_SUFFIX, inputs=[base_path], sheet=sheet,
                       mapping=mapping, settings=settings, settings_file=settings_file,
                       with_settings=True, today=today)
    src, out, table, today = opened.src, opened.output, opened.table, opened.today
    assert out is not None  # OUTPUT_SUFFIX gives the default
    result = opened.validation
    base_table = base_result = None
    logged: set[int] | None = None
    warnings: list[str] = []
    basis = BASIS_NONE
    if base_path is not None:
        basis = BASIS_BASELINE
        base_table = read_table(base_path)  # the platform's export: its own sheet name
        if not base_table.rows:  # nothing to compare with: every record would look new
            raise_no_records(base_path, base_table)
        base_result = validate_table(base_table, today)
    elif (olds := logged_originals(src, table.source_format)) is not None:
        basis = BASIS_LOG
        logged = {row for row, fields in olds.items() if fields}
        base_table = table_before(table, olds)
        base_result = validate_table(base_table, today)
    else:
        warnings.append(NO_BASIS_WARNING)
    rows = build_rows(result, base_result, logged)
    doses = dose_rows(result)
    with atomic_path(out) as tmp:
        write_worklist(tmp, Worklist(rows, basis, doses), settings=opened.settings,
                       today=today)
    return EditOutcome(
        table, result, base_table, out, rows, doses,
        changed_cells=sum(len(r.changed) for r in rows),
        missing_cells=sum(len(r.missing) for r in rows),
        still_wrong=sum(1 for r in rows if r.corrected_since and r.missing),
        mismatched=sum(1 for r in rows if r.mismatch),
        basis=basis, logged=len(logged or ()), warnings=warnings,
    )
