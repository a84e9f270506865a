"""The JSON validation report (schema ``vaxclean.validation/1``): writer, typed record, reader.

``validate --json`` writes it record by record (:func:`write_report`): streaming keeps a
1,000,000-record report from holding a second copy of every finding in memory as Python
dicts. :class:`ValidationReport` is the same content as a typed record; its
:meth:`~ValidationReport.to_json` goes through the same writer, so a report read back
(:func:`read_report`) re-serialises byte for byte. :func:`load_baseline` reads only the
groups (police-list and export-import compare against the ORIGINAL's groups).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from vaxclean_xl.core.model import Category, Dose, Finding, Record, Severity
from vaxclean_xl.core.normalize import cell_text, format_date
from vaxclean_xl.core.validate import Validation
from vaxclean_xl.errors import E, InputError
from vaxclean_xl.io.atomic import atomic_path
from vaxclean_xl.io.reader import Table, column_letter

SCHEMA = "vaxclean.validation/1"


@dataclass(slots=True)
class ReportSource:
    """Where the list was read: file, sheet and rows."""

    path: str
    sheet: str
    header_row: int
    first_data_row: int
    last_data_row: int


@dataclass(slots=True)
class ReportFinding:
    """One finding as the report gives it (the attributes of ``core.model.Finding``)."""

    field: str
    code: str
    severity: Severity
    message: str
    value: str
    suggestion: str | None = None


@dataclass(slots=True)
class ReportDose:
    """One dose as the report gives it: the platform spelling (None when unmatched) beside
    the name as typed, the date as dd/mm/yyyy (None when missing or unreadable)."""

    number: int
    vaccine: str | None
    vaccine_text: str | None
    date: str | None
    lot: str | None
    site: str | None

    @classmethod
    def of(cls, d: Dose) -> ReportDose:
        cells = d.cells
        return cls(d.number, d.vaccine, _text(cells.get("vaccine")),
                   format_date(d.date) if d.date else None,
                   _text(cells.get("lot")), _text(cells.get("site")))


def _text(value: object) -> str | None:
    return cell_text(value) or None


@dataclass(slots=True)
class ReportRecord:
    """One record's row, group and findings; its doses and their status ("NONE", "OK",
    "WARNING", "ERROR"), which never change the group."""

    row: int
    category: Category
    findings: list[ReportFinding] = field(default_factory=list)
    doses: list[ReportDose] = field(default_factory=list)
    vaccination: str = "NONE"


@dataclass(slots=True)
class ValidationReport:
    """The content of a ``vaxclean.validation/1`` report."""

    source: ReportSource | None  # None only in a hand-made report without it
    columns: dict[str, str]  # field -> column letter
    summary: dict[str, int]  # records, OK, NO_ID, BAD_ID_FORMAT, BAD_PERSONAL_INFO, warnings
    records: list[ReportRecord] = field(default_factory=list)

    @classmethod
    def from_validation(cls, table: Table, result: Validation) -> ValidationReport:
        """The report ``validate`` writes for ``table`` and its ``result``."""
        return cls(
            report_source(table), _columns(table), result.summary(),
            [ReportRecord(r.row, r.category,
                          [ReportFinding(f.field, f.code, f.severity, f.message, f.value,
                                         f.suggestion) for f in r.findings],
                          [ReportDose.of(d) for d in r.doses], r.vaccination)
             for r in result.records])

    def to_json(self) -> str:
        """The report's JSON, exactly as :func:`write_report` writes it."""
        head: dict[str, Any] = {"schema": SCHEMA}
        if self.source is not None:
            head["source"] = _source_dict(self.source)
        head["columns"] = self.columns
        head["summary"] = self.summary
        buf = io.StringIO(newline="\n")
        dump_records(buf, head, (record_dict(r) for r in self.records))
        return buf.getvalue()

    @classmethod
    def from_dict(cls, data: object) -> ValidationReport:
        """The report in ``data`` (parsed JSON); ``ValueError`` when it is not one."""
        if not isinstance(data, dict) or data.get("schema", SCHEMA) != SCHEMA:
            raise ValueError(f"not a {SCHEMA} report")
        try:
            src = data.get("source")
            source = None if src is None else ReportSource(
                str(src["path"]), src["sheet"], int(src["header_row"]),
                int(src["first_data_row"]), int(src["last_data_row"]))
            records = [ReportRecord(row, cat, [
                ReportFinding(f["field"], f["code"], Severity(f["severity"]), f["message"],
                              f["value"], f.get("suggestion"))
                for f in item.get("findings") or []],
                [ReportDose(int(d["number"]), d.get("vaccine"), d.get("vaccine_text"),
                            d.get("date"), d.get("lot"), d.get("site"))
                 for d in item.get("doses") or []],
                str(item.get("vaccination") or "NONE")) for row, cat, item in _records(data)]
            return cls(source, dict(data.get("columns") or {}), dict(data.get("summary") or {}),
                       records)
        except (AttributeError, KeyError, TypeError) as exc:
            raise ValueError(f"broken {SCHEMA} report") from exc

    @classmethod
    def from_json(cls, text: str) -> ValidationReport:
        return cls.from_dict(json.loads(text))


def finding_dict(f: Finding | ReportFinding) -> dict[str, object]:
    return {"field": f.field, "code": f.code, "severity": f.severity.value,
            "message": f.message, "value": f.value, "suggestion": f.suggestion}


def dose_dict(d: ReportDose) -> dict[str, object]:
    return {"number": d.number, "vaccine": d.vaccine, "vaccine_text": d.vaccine_text,
            "date": d.date, "lot": d.lot, "site": d.site}


def record_dict(rec: Record | ReportRecord) -> dict[str, object]:
    doses = rec.doses
    return {"row": rec.row, "category": rec.category.value,
            "findings": [finding_dict(f) for f in rec.findings],
            "doses": [dose_dict(d if isinstance(d, ReportDose) else ReportDose.of(d))
                      for d in doses] if doses else [],
            "vaccination": rec.vaccination}


def report_source(table: Table) -> ReportSource:
    return ReportSource(str(table.path), table.sheet, table.header_row, table.first_data_row,
                        table.last_data_row)


def _source_dict(s: ReportSource) -> dict[str, object]:
    return {"path": s.path, "sheet": s.sheet, "header_row": s.header_row,
            "first_data_row": s.first_data_row, "last_data_row": s.last_data_row}


def write_report(path: str | Path, table: Table, result: Validation) -> None:
    """Write the report atomically to ``path``."""
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        dump_report(fh, table, result)


def dump_report(fh: IO[str], table: Table, result: Validation) -> None:
    head = {
        "schema": SCHEMA,
        "source": _source_dict(report_source(table)),
        "columns": _columns(table),
        "summary": result.summary(),
    }
    dump_records(fh, head, (record_dict(rec) for rec in result.records))


def _columns(table: Table) -> dict[str, str]:
    return {f: column_letter(i) for f, i in table.columns.items()}


def dump_records(fh: IO[str], head: dict[str, Any], records: Iterable[dict[str, object]]) -> None:
    """The head object with its records appended one per line, streamed (the JSON reports
    of validate and passport: a million records never sit in memory as dicts)."""
    dumps = json.JSONEncoder(ensure_ascii=False).encode  # one encoder, not one per record
    fh.write(dumps(head)[:-1])
    fh.write(', "records": [')
    for i, rec in enumerate(records):
        fh.write("\n" if i == 0 else ",\n")
        fh.write(dumps(rec))
    fh.write("\n]}\n")


def read_report(path: str | Path) -> ValidationReport:
    """The whole report at ``path`` (:class:`InputError` E401 when it is not one)."""
    path = Path(path)
    data = _load(path)
    try:
        return ValidationReport.from_dict(data)
    except ValueError as exc:
        raise _not_a_report(path) from exc


def load_baseline(path: str | Path) -> dict[int, Category]:
    """Row -> original group from a ``validate --json`` report (``vaxclean.validation/1``)."""
    path = Path(path)
    data = _load(path)
    try:
        return {row: cat for row, cat, _item in _records(data)}
    except ValueError as exc:
        raise _not_a_report(path) from exc


def _load(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise InputError(f"Không đọc được báo cáo gốc «{path.name}».", code=E.BAD_BASELINE) from exc
    except ValueError as exc:
        raise InputError(f"Báo cáo gốc «{path.name}» không phải JSON hợp lệ.",
                         code=E.BAD_BASELINE) from exc
    if not isinstance(data, dict) or data.get("schema", SCHEMA) != SCHEMA:
        raise _not_a_report(path)
    return data


def _records(data: dict[str, Any]) -> list[tuple[int, Category, dict[str, Any]]]:
    """(row, group, item) of every record; ``ValueError`` when one is malformed."""
    records = data.get("records")
    if not isinstance(records, list):
        raise ValueError("no records")
    out = []
    for item in records:
        try:
            out.append((int(item["row"]), Category(item["category"]), item))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError("bad record") from exc
    return out


def _not_a_report(path: Path) -> InputError:
    return InputError(f"«{path.name}» không phải báo cáo JSON của lệnh validate ({SCHEMA}).",
                      code=E.BAD_BASELINE)
