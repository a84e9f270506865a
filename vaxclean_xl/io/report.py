"""The JSON validation report (schema ``vaxclean.validation/1``), written record by record.

Streaming keeps a 1,000,000-record report from holding a second copy of every finding in
memory as Python dicts.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO

from vaxclean_xl.core.model import Category, Finding, Record
from vaxclean_xl.core.validate import Validation
from vaxclean_xl.errors import InputError
from vaxclean_xl.io.atomic import atomic_path
from vaxclean_xl.io.reader import Table, column_letter

SCHEMA = "vaxclean.validation/1"


def finding_dict(f: Finding) -> dict[str, object]:
    return {"field": f.field, "code": f.code, "severity": f.severity.value,
            "message": f.message, "value": f.value, "suggestion": f.suggestion}


def record_dict(rec: Record) -> dict[str, object]:
    return {"row": rec.row, "category": rec.category.value,
            "findings": [finding_dict(f) for f in rec.findings]}


def source_dict(table: Table, source_path: Path | None = None) -> dict[str, object]:
    return {"path": str(source_path or table.path), "sheet": table.sheet,
            "header_row": table.header_row, "first_data_row": table.first_data_row,
            "last_data_row": table.last_data_row}


def write_report(path: str | Path, table: Table, result: Validation) -> None:
    """Write the report atomically to ``path``."""
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        dump_report(fh, table, result)


def dump_report(fh: IO[str], table: Table, result: Validation) -> None:
    dumps = json.dumps
    head = {
        "schema": SCHEMA,
        "source": source_dict(table),
        "columns": {f: column_letter(i) for f, i in table.columns.items()},
        "summary": result.summary(),
    }
    fh.write(dumps(head, ensure_ascii=False)[:-1])
    fh.write(', "records": [')
    for i, rec in enumerate(result.records):
        fh.write("\n" if i == 0 else ",\n")
        fh.write(dumps(record_dict(rec), ensure_ascii=False))
    fh.write("\n]}\n")


def load_baseline(path: str | Path) -> dict[int, Category]:
    """Row -> original group from a ``validate --json`` report (``vaxclean.validation/1``)."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise InputError(f"Không đọc được báo cáo gốc «{path.name}».", code="E401") from exc
    except ValueError as exc:
        raise InputError(f"Báo cáo gốc «{path.name}» không phải JSON hợp lệ.",
                         code="E401") from exc
    bad = InputError(
        f"«{path.name}» không phải báo cáo JSON của lệnh validate ({SCHEMA}).",
        code="E401")
    if not isinstance(data, dict) or data.get("schema", SCHEMA) != SCHEMA:
        raise bad
    records = data.get("records")
    if not isinstance(records, list):
        raise bad
    out: dict[int, Category] = {}
    for item in records:
        try:
            out[int(item["row"])] = Category(item["category"])
        except (KeyError, TypeError, ValueError) as exc:
            raise bad from exc
    return out
