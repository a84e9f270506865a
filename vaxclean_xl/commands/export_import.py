"""Write the national platform's import file from the corrected list (procedure step 4).

After the police check, the health station imports the records that had no ID number or a
wrong-format ID number into "Nền tảng Quản lý tiêm chủng COVID-19" from an Excel file
("Import đối tượng tiêm COVID-19"); other wrong information is edited by hand on the
platform. This command picks those records, checks that they now pass every rule, and
writes them in the platform's layout: a new file laid out by the spec in
``templates/import/`` (default), or the template the user downloaded from the platform
(``--template``, else the settings' ``import_template``), filled in place.

A legacy .xls template (the platform distributes BIFF8) is converted to .xlsx, filled, and
converted back by a converter of ``io/office.py`` the caller chooses: LibreOffice for the
command line (default), Excel's own Save As for the add-in's button on Windows.

Which records (the selection rule):

* with ``--baseline ORIGINAL.json`` (the ``validate --json`` report of the ORIGINAL list,
  before the hamlets and the police corrected it): the rows the original validation put in
  ``NO_ID`` or ``BAD_ID_FORMAT``; of these, the ones that now pass every error rule and have
  an ID number are written, the others are "not eligible" (listed with their codes). Rows are
  matched by row number: ``merge`` keeps the original rows where they were, so the merged list
  and the original report agree; a different record count is reported as a warning.
* without ``--baseline`` the original groups are unknown: EVERY record that passes all
  rules and has an ID number is written (a warning says so: records already on the platform
  would be imported again), and every record that fails a rule is listed as not eligible.

Why the corrected list is re-validated here instead of trusting a "Phân loại" column:
the list was edited by people since the last validation, and the platform rejects or,
worse, mis-matches a record whose name, date of birth, sex or ID is wrong.

Values: names NFC with certain fixes applied (spaces, Unicode form, case), dates of birth
dd/mm/yyyy text, sex coded by the spec (or by the template's own sex header, e.g.
"(0:nam, 1:nữ)"), ID and phone numbers as text (phone with the certain new-prefix/leading-zero
fix); province/district/commune names and codes from the settings, the codes zero-padded
(2, 3, 5 digits); the priority group as its bare code ("Nhóm 9" -> "9"; unknown: empty and
reported); Mũi 1 and Mũi 2 from the record's doses (vaccine in the platform's spelling, date
dd/mm/yyyy, lot, site); columns the tool cannot know from the input when it has a column with
the same header, from the settings default (priority group) otherwise, else left empty and
counted ("cột để trống"). Dose errors do not hold a record back (the import is about its
identity) but are counted in a warning: the platform rejects a wrong dose.
"""

from __future__ import annotations

import datetime as _dt
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from vaxclean_xl.commands.common import beside, open_list
from vaxclean_xl.core.model import Category, Record, Severity, field_label_vi
from vaxclean_xl.core.normalize import cell_text, format_date, nfc, parse_date
from vaxclean_xl.errors import E, InputError, OutputError
from vaxclean_xl.formats.import_file import (
    HeaderCell,
    ImportSpec,
    SpecColumn,
    TemplateError,
    TemplateLayout,
    Value,
    assign_columns,
    fill_template,
    load_spec,
    locate_template,
    pad_code,
    write_default_import,
)
from vaxclean_xl.formats.import_report import (
    REPORT_SUFFIX,
    SHEET_UNKNOWN_CODES,
    ImportReport,
    NotEligible,
    UnknownCode,
    WrittenRow,
    write_import_report,
)
from vaxclean_xl.formats.validation_report import load_baseline
from vaxclean_xl.io.atomic import output_batch, refuse_same_file, require_suffix
from vaxclean_xl.io.office import Converter, LibreOfficeConverter, OfficeError
from vaxclean_xl.io.reader import Table, column_letter
from vaxclean_xl.logs import log_line
from vaxclean_xl.settings import LABELS_VI, Settings, load_settings

OUTPUT_SUFFIX = ".import.xlsx"  # default IMPORT name: '<stem>.import.xlsx' beside INPUT
XLS = ".xls"  # the platform distributes its template as a legacy BIFF8 workbook
HOW_TO_XLSX = ("hãy mở tệp mẫu bằng Excel hoặc WPS, chọn Lưu thành (Save As) kiểu «Sổ làm "
               "việc Excel (*.xlsx)», rồi chạy lại với --template {stem}.xlsx.")
NO_SOFFICE_XLS = ("Tệp mẫu «{name}» là tệp Excel cũ (.xls): cần LibreOffice để điền mẫu này "
                  "nhưng không tìm thấy LibreOffice (soffice) trên máy. Cài LibreOffice, hoặc "
                  + HOW_TO_XLSX)
NO_EXCEL_XLS = ("Tệp mẫu «{name}» là tệp Excel cũ (.xls): cần Excel để chuyển mẫu này nhưng "
                "công cụ không mở được Excel. Hãy mở tệp mẫu bằng Excel hoặc WPS, chọn Lưu "
                "thành (Save As) kiểu «Sổ làm việc Excel (*.xlsx)», rồi ghi tên tệp {stem}.xlsx "
                "vào mục «Tệp mẫu import của Nền tảng» ở trang Cài đặt.")
IMPORT_GROUPS = frozenset({Category.NO_ID, Category.BAD_ID_FORMAT})
# Fields whose warning-level suggestions are certain fixes worth writing to the platform.
APPLY_SUGGESTIONS = ("full_name", "phone")


@dataclass(slots=True)
class ExportOutcome:
    output: Path
    report: Path
    spec: str  # spec id, e.g. "platform-2021"
    template: Path | None
    sheet: str  # the data sheet written
    first_row: int  # Excel row of the first written record
    written: int
    written_rows: list[tuple[int, int]]  # (input row, import file row)
    not_eligible: list[NotEligible]
    out_of_scope: int  # records not in NO_ID/BAD_ID_FORMAT originally (with --baseline)
    empty_columns: dict[str, int]  # spec column id -> written records with that cell empty
    labels: dict[str, str]  # spec column id -> "<letter> <header>" as in the output
    missing_columns: list[str]  # spec column ids the template does not have
    baseline: Path | None
    warnings: list[str] = field(default_factory=list)
    unknown_codes: list[UnknownCode] = field(default_factory=list)  # left empty, reported
    converter: str = ""  # "LibreOffice"/"Excel" when a legacy .xls template was converted
    xlsx_copy: Path | None = None  # the .xlsx twin of an .xls import file (``xlsx_copy``)

    @property
    def exit_code(self) -> int:
        """0 when everything eligible was written, 1 when some records are still wrong."""
        return 1 if self.not_eligible else 0


# --------------------------------------------------------------------------- baseline


# --------------------------------------------------------------------------- values


def _suggested(rec: Record, field_name: str) -> str | None:
    for f in rec.findings:
        if f.field == field_name and f.suggestion:
            return f.suggestion
    return None


def field_value(rec: Record, name: str, sex_codes: dict[str, str]) -> str:
    """The text a record gives the platform for one of its fields."""
    if name in APPLY_SUGGESTIONS and (fix := _suggested(rec, name)):
        return nfc(fix)
    if name == "full_name":
        return rec.full_name
    if name == "dob":
        return format_date(rec.dob) if rec.dob else ""
    if name == "sex":
        return sex_codes.get(rec.sex or "", "")
    if name == "id_number":
        return rec.id_number
    if name == "phone":
        return rec.phone
    if name == "hamlet":
        return rec.hamlet
    return " ".join(rec.text(name).split())


def dose_value(rec: Record, number: int, part: str) -> str:
    """The text a record gives the platform for one part of one dose: the vaccine in the
    platform's spelling and the date dd/mm/yyyy once the catalogue and the date reader
    knew them, else as typed (the dose rules flag it); lot and site as typed."""
    dose = next((d for d in rec.doses if d.number == number), None)
    if dose is None:
        return ""
    if part == "vaccine" and dose.vaccine:
        return dose.vaccine
    if part == "date" and dose.date:
        return format_date(dose.date)
    raw = dose.cells.get(part)
    if part == "date" and raw not in (None, ""):
        date, _problem = parse_date(raw)
        if date is not None:
            return format_date(date)
    return " ".join(cell_text(raw).split()) if raw not in (None, "") else ""


def _input_value(raw: object, col: SpecColumn) -> str:
    if raw is None or raw == "":
        return ""
    if col.kind == "date":
        date, _problem = parse_date(raw)
        if date is not None:
            return format_date(date)
    return " ".join(cell_text(raw).split())


def input_columns(table: Table, spec: ImportSpec) -> dict[str, int]:
    """Spec columns fed from the input ("input" source) -> the input column with that header.

    In a list whose dose columns were read, a dose column of the import takes that dose's
    cells or nothing: matched by header text it would take another dose's cell (the "Tên
    vắc xin" of dose 3 for a dose 2 without a date column, the one row of a person's booster
    as Mũi 1)."""
    doses_read = table.dose_layout is not None
    wanted = [c for c in spec.columns if "input" in c.sources
              and not (doses_read and any(s.startswith("dose:") for s in c.sources))]
    cells = [HeaderCell(col, text) for col, text in table.headers.items()]
    return assign_columns(wanted, cells)


def record_values(rec: Record, number: int, raw_row: Sequence[object], spec: ImportSpec,
                  settings: Settings, sex_codes: dict[str, str],
                  from_input: dict[str, int],
                  unknown: list[UnknownCode] | None = None) -> dict[str, Value]:
    """Spec column id -> value for one record (first non-empty source wins).

    A column with a code list gets the bare code; a value that names no code is left
    empty and added to ``unknown``. A column with ``digits`` gets its code zero-padded.
    """
    out: dict[str, Value] = {}
    for col in spec.columns:
        value: Value = None
        for src in col.sources:
            kind, _, arg = src.partition(":")
            if src == "row_number":
                value = number
            elif kind == "field":
                value = field_value(rec, arg, sex_codes)
            elif kind == "dose":
                dose_no, _, part = arg.partition(":")
                value = dose_value(rec, int(dose_no), part)
            elif kind == "settings":
                value = nfc(str(getattr(settings, arg, "") or "")).strip()
            elif kind == "const":
                value = nfc(arg)
            elif src == "input" and col.id in from_input:
                i = from_input[col.id]
                value = _input_value(raw_row[i] if i < len(raw_row) else None, col)
            if value not in (None, ""):
                break
        if value not in (None, "") and col.codes is not None:
            code = col.codes.code_of(value)
            if code is None and unknown is not None:
                unknown.append(UnknownCode(rec.row, col.label, str(value)))
            value = code
        elif isinstance(value, str) and col.digits:
            value = pad_code(value, col.digits)
        out[col.id] = value if value not in (None, "") else None
    return out


# --------------------------------------------------------------------------- command


def _check_paths(src: Path, out: Path, rep: Path, template: Path | None,
                 baseline: Path | None) -> None:
    inputs = [p for p in (src, template, baseline) if p is not None]
    refuse_same_file(out, *inputs)
    refuse_same_file(rep, *inputs)
    if rep.resolve() == out.resolve():
        raise OutputError(f"Hai tệp kết quả cùng tên «{out.name}» (tệp import và báo cáo); "
                          "hãy chọn tên khác nhau.", code=E.DUPLICATE_OUTPUT)
    require_suffix(out, _output_suffixes(template) if template is not None else (".xlsx",))


def _output_suffixes(template: Path) -> tuple[str, ...]:
    """A template is written back in its own format; a legacy .xls one also as .xlsx."""
    own = template.suffix.lower()
    return (own, ".xlsx") if own == XLS else (own,)


def _xls_to_xlsx(template: Path, folder: Path, converter: Converter) -> Path:
    """An .xlsx copy of a legacy .xls template (by ``converter``), for the OOXML filler."""
    copy = folder / f"{template.stem}.xlsx"
    try:
        return converter.convert(template, copy, "xlsx")
    except OfficeError as exc:
        if exc.reason in ("missing", "start"):
            missing = NO_EXCEL_XLS if converter.name == "Excel" else NO_SOFFICE_XLS
            raise TemplateError(missing.format(name=template.name,
                                               stem=template.stem)) from exc
        raise TemplateError(f"{converter.name} không đọc được tệp mẫu «{template.name}» (hỏng "
                            "hoặc không phải tệp Excel .xls); " + HOW_TO_XLSX.format(
                                stem=template.stem)) from exc


def _xlsx_to_xls(filled: Path, target: Path, converter: Converter) -> None:
    """The filled template back in the legacy .xls format (by ``converter``)."""
    try:
        converter.convert(filled, target, "xls")
    except OfficeError as exc:
        raise OutputError(f"{converter.name} không ghi được tệp import dạng .xls; hãy ghi dạng "
                          ".xlsx (-o <tên>.xlsx) rồi mở bằng Excel/WPS và lưu thành .xls "
                          "nếu Nền tảng cần.", code=E.OUTPUT) from exc


def _settings_template(conf: Settings, src: Path) -> Path | None:
    """The settings' ``import_template`` (relative: from the list's folder, when the
    settings were given as an object), refused with a Vietnamese message when missing."""
    if not conf.import_template:
        return None
    tpl = Path(conf.import_template).expanduser()
    tpl = tpl if tpl.is_absolute() else src.parent / tpl
    if not tpl.is_file():
        raise TemplateError(f"Không tìm thấy tệp mẫu «{tpl.name}» ghi ở mục «"
                            f"{LABELS_VI['import_template']}» (import_template) của cài đặt "
                            f"(tìm tại: {tpl.parent}). Hãy đặt tệp mẫu tải từ Nền tảng vào đó "
                            "hoặc sửa tên tệp trong cài đặt.", code=E.FILE_MISSING)
    return tpl


def export_import(
    src: str | Path,
    output: str | Path | None = None,
    *,
    template: str | Path | None = None,
    settings: Settings | None = None,
    settings_file: str | Path | None = None,
    report: str | Path | None = None,
    sheet: str | None = None,
    today: _dt.date | None = None,
    baseline: str | Path | None = None,
    spec: str | Path | None = None,
    mapping: dict[str, str] | None = None,
    converter: Converter | None = None,
    xlsx_copy: bool = False,
) -> ExportOutcome:
    """Write the platform import file for ``src``; see the module docstring for the rules.

    ``output`` defaults to ``<stem>.import.xlsx`` beside ``src`` (the template's own
    format with a template); ``report`` (the staff workbook: summary, records not eligible,
    written rows) to ``<output stem>.baocao.xlsx``. ``template`` defaults to the settings'
    ``import_template``. ``converter`` converts a legacy .xls template (default
    LibreOffice); ``xlsx_copy`` also writes an .xls import file's filled .xlsx beside it.
    ``src``, ``template`` and ``baseline`` are only read.
    """
    src = Path(src)
    conf = settings if settings is not None else load_settings(settings_file, src)
    tpl = Path(template) if template else _settings_template(conf, src)
    base = Path(baseline) if baseline else None
    out = Path(output) if output else beside(src, OUTPUT_SUFFIX)
    if tpl is not None and not output:
        out = out.with_suffix(tpl.suffix)
    rep = Path(report) if report else beside(out, REPORT_SUFFIX)
    twin = out.with_suffix(".xlsx") if xlsx_copy and out.suffix.lower() == XLS else None
    _check_paths(src, out, rep, tpl, base)
    if twin is not None:
        refuse_same_file(twin, *[p for p in (src, tpl, base, rep) if p is not None])

    the_spec = load_spec(spec)
    original = load_baseline(base) if base is not None else None
    with tempfile.TemporaryDirectory(prefix="vaxclean-import-") as work:
        return _export(src, out, rep, tpl, base, the_spec, conf, original, Path(work),
                       sheet=sheet, mapping=mapping, today=today,
                       converter=converter or LibreOfficeConverter(), twin=twin)


def _export(src: Path, out: Path, rep: Path, tpl: Path | None, base: Path | None,
            the_spec: ImportSpec, conf: Settings, original: dict[int, Category] | None,
            work: Path, *, sheet: str | None, mapping: dict[str, str] | None,
            today: _dt.date | None, converter: Converter, twin: Path | None) -> ExportOutcome:
    """The export itself; ``work`` is a private temp folder (a legacy template's copies)."""
    layout: TemplateLayout | None = None
    legacy = tpl is not None and tpl.suffix.lower() == XLS
    if tpl is not None:
        if not tpl.is_file():
            raise TemplateError(f"Không tìm thấy tệp mẫu «{tpl.name}».", code=E.FILE_MISSING)
        layout = locate_template(_xls_to_xlsx(tpl, work, converter) if legacy else tpl,
                                 the_spec, shown_name=tpl.name)

    opened = open_list(src, out, sheet=sheet, mapping=mapping, settings=conf, today=today,
                       validate=False, workbook=(out.suffix.lower(),))  # (_check_paths)
    table = opened.table
    if "id_number" not in table.columns:
        raise InputError("Danh sách không có cột Số CCCD/CMND: không xác định được bản ghi "
                         "để import (dùng --map id_number=CỘT nếu tiêu đề khác).",
                         code=E.NO_ID_COLUMN)
    result = opened.validate()

    warnings: list[str] = []
    chosen: list[Record] = []
    not_eligible: list[NotEligible] = []
    out_of_scope = 0
    for rec in result.records:
        if original is not None and original.get(rec.row) not in IMPORT_GROUPS:
            out_of_scope += 1
            continue
        if not rec.has_error and rec.id_number:
            chosen.append(rec)
            continue
        errors = [f for f in rec.findings if f.severity is Severity.ERROR]
        not_eligible.append(NotEligible(
            row=rec.row, category=rec.category, codes=tuple(f.code for f in errors),
            name=rec.full_name,
            messages=tuple(f"{field_label_vi(f.field)}: {f.message}"
                           + (f" Gợi ý: {f.suggestion}" if f.suggestion else "")
                           for f in errors),
        ))
    if original is None:
        warnings.append(
            "Không có --baseline (báo cáo JSON của danh sách gốc): đã xuất MỌI bản ghi đúng có "
            "số CCCD/CMND, kể cả người đã có đúng trên Nền tảng. Dùng --baseline để chỉ xuất "
            "nhóm không có/sai định dạng số CCCD/CMND.")
    else:
        rows_now = {rec.row for rec in result.records}
        lost = sorted(r for r, c in original.items() if c in IMPORT_GROUPS and r not in rows_now)
        if len(original) != len(result.records):
            warnings.append(
                f"Báo cáo gốc có {len(original)} bản ghi, danh sách hiện có "
                f"{len(result.records)}: nếu đã chèn/xóa dòng, số dòng không còn khớp.")
        if lost:
            shown = ", ".join(str(r) for r in lost[:10]) + (" …" if len(lost) > 10 else "")
            warnings.append(f"{len(lost)} dòng thuộc nhóm cần import trong báo cáo gốc không "
                            f"còn trong danh sách (dòng {shown}).")

    sex_codes = dict(the_spec.sex_codes)
    if layout is not None and layout.sex_codes and layout.sex_codes != sex_codes:
        sex_codes = layout.sex_codes
        warnings.append(f"Mẫu ghi giới tính theo mã Nam={sex_codes['M']}, Nữ={sex_codes['F']} "
                        "(khác tệp đặc tả): đã dùng mã của mẫu.")
    from_input = input_columns(table, the_spec)
    raw_rows = dict(table.rows)
    first_row = layout.first_row if layout else the_spec.first_data_row
    # '#' counts the data rows under the headers, those already in the template included
    start_number = (layout.existing_rows if layout else 0) + 1
    unknown: list[UnknownCode] = []
    values = [record_values(rec, start_number + i, raw_rows.get(rec.row, []), the_spec, conf,
                            sex_codes, from_input, unknown)
              for i, rec in enumerate(chosen)]
    dose_errors = sum(1 for rec in chosen if rec.vaccination == "ERROR")
    if dose_errors:
        warnings.append(f"{dose_errors} bản ghi được ghi có lỗi ở mũi tiêm (ngày tiêm, tên vắc "
                        "xin, thứ tự mũi…): xem báo cáo kiểm tra (validate) và sửa theo phiếu "
                        "tiêm trước khi tải lên, Nền tảng sẽ từ chối mũi tiêm sai.")
    if unknown:
        warnings.append(f"{len(unknown)} ô không nhận ra mã (để trống trong tệp import, xem "
                        f"trang «{SHEET_UNKNOWN_CODES}» của báo cáo): ghi mã đúng theo danh mục "
                        "rồi xuất lại, hoặc điền tay.")

    present = [c for c in the_spec.columns if layout is None or c.id in layout.columns]
    empty = {c.id: n for c in present if c.report_empty
             and (n := sum(1 for v in values if v.get(c.id) in (None, "")))}
    labels = {c.id: f"{column_letter(layout.columns[c.id] if layout else c.index)} {c.label}"
              for c in present}
    for c in present:
        keys = [s.partition(":")[2] for s in c.sources if s.startswith("settings:")]
        if c.required and empty.get(c.id) and keys:
            warnings.append(f"Cột «{c.label}» bắt buộc nhưng có {empty[c.id]} ô trống: khai "
                            f"báo «{LABELS_VI.get(keys[0], keys[0])}» ({keys[0]}) trong tệp "
                            "cài đặt (--settings).")
    if layout is not None:
        if layout.missing:
            names = ", ".join(f"«{the_spec.column(c).label}»" for c in layout.missing)
            warnings.append(f"Mẫu không có các cột: {names} (không ghi).")
        if layout.existing_rows:
            warnings.append(f"Mẫu đã có {layout.existing_rows} dòng dữ liệu dưới tiêu đề: giữ "
                            f"nguyên, ghi tiếp từ dòng {layout.first_row}.")

    sheet_name = the_spec.sheet if layout is None else layout.sheet
    outcome = ExportOutcome(
        output=out, report=rep, spec=the_spec.id, template=tpl, sheet=sheet_name,
        first_row=first_row, written=len(chosen),
        written_rows=[(rec.row, first_row + i) for i, rec in enumerate(chosen)],
        not_eligible=not_eligible, out_of_scope=out_of_scope, empty_columns=empty,
        labels=labels, missing_columns=list(layout.missing) if layout else [],
        baseline=base, warnings=warnings, unknown_codes=unknown,
        converter=converter.name if legacy else "", xlsx_copy=twin,
    )
    with output_batch() as batch:  # the import file and its report, both or neither
        out_tmp, rep_tmp = batch.path(out), batch.path(rep)
        if layout is None:
            write_default_import(out_tmp, the_spec, values)
        elif out.suffix.lower() == XLS:
            filled = work / f"{out.stem}.xlsx"
            fill_template(layout, filled, the_spec, values)
            _xlsx_to_xls(filled, out_tmp, converter)
            if twin is not None:
                shutil.copyfile(filled, batch.path(twin))
        else:
            fill_template(layout, out_tmp, the_spec, values)
        write_import_report(rep_tmp, import_report(outcome, src,
                                                   {rec.row: rec.full_name for rec in chosen}))
    log_line(f"export-import records={len(result.records)} written={outcome.written} "
             f"not_eligible={len(not_eligible)} out_of_scope={out_of_scope} "
             f"baseline={int(base is not None)} template={int(tpl is not None)} "
             f"spec={the_spec.id}")
    return outcome


# --------------------------------------------------------------------------- report workbook


def import_report(outcome: ExportOutcome, src: Path, names: dict[int, str]) -> ImportReport:
    """The staff report's content: what was written where, what was held back and why."""
    return ImportReport(
        list_name=src.name, import_name=outcome.output.name,
        template=outcome.template.name if outcome.template else outcome.spec,
        sheet=outcome.sheet,
        baseline=outcome.baseline.name if outcome.baseline else "",
        not_eligible=outcome.not_eligible, out_of_scope=outcome.out_of_scope,
        empty_columns={outcome.labels.get(cid, cid): n
                       for cid, n in outcome.empty_columns.items()},
        warnings=outcome.warnings,
        written=[WrittenRow(row, out_row, names.get(row, ""))
                 for row, out_row in outcome.written_rows],
        unknown_codes=outcome.unknown_codes)
