"""The import file's typed record: what ``write_import_file`` writes, ``read_import_file``
reads back (a new file from the spec, and the platform's template filled in place)."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from vaxclean_xl.formats.import_file import (
    ImportFile,
    Value,
    load_spec,
    locate_template,
    read_import_file,
    write_import_file,
)

SPEC = load_spec()


def _rows(n: int) -> list[dict[str, Value]]:
    rows: list[dict[str, Value]] = []
    for i in range(n):
        row: dict[str, Value] = {c.id: None for c in SPEC.columns}
        row.update({c.id: f"Giá trị {i} & <{c.id}>" for c in SPEC.columns if i % 3 and c.index > 1})
        row[SPEC.columns[0].id] = i + 1
        row["full_name"] = f"Nguyễn Văn {chr(65 + i)}"
        row["id_number"] = f"0010890{i:05d}"  # leading zeros: written and read back as text
        rows.append(row)
    return rows


def _non_empty(rows: list[dict[str, Value]]) -> list[dict[str, Value]]:
    return [{k: v for k, v in r.items() if v not in (None, "")} for r in rows]


def test_new_import_file_round_trips(tmp_path: Path) -> None:
    out = tmp_path / "import.xlsx"
    written = ImportFile(SPEC, _rows(12))
    assert write_import_file(out, written) is None
    back = read_import_file(out, SPEC)
    assert back.rows == _non_empty(_rows(12))
    assert back.sheet == written.sheet == SPEC.sheet
    assert back.column("full_name") == written.column("full_name")


def test_filled_template_round_trips(tmp_path: Path) -> None:
    template = tmp_path / "mau.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = SPEC.sheet
    ws.cell(row=1, column=1, value="Mẫu tải từ nền tảng")
    for c in SPEC.columns:
        ws.cell(row=3, column=c.index + 1, value=c.header)
    wb.save(template)
    layout = locate_template(template, SPEC)
    out = tmp_path / "import.xlsx"
    result = write_import_file(out, ImportFile(SPEC, _rows(7), layout))
    assert result is not None and (result.first_row, result.last_row) == (4, 10)
    back = read_import_file(out, SPEC)
    assert back.rows == _non_empty(_rows(7))
    assert back.first_row == 11  # the next free row under the records
