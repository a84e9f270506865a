"""The import file as one typed record: the records it holds and the layout they are in.

Written by :func:`write_import_file` (a new file from the spec, or the user's template
filled) and read back by :func:`read_import_file` (header found by its texts, as in a
template), so that what the platform will import can be checked through the same type.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from vaxclean_xl.formats.import_file.fill import FillResult, fill_template
from vaxclean_xl.formats.import_file.spec import ImportSpec, Value
from vaxclean_xl.formats.import_file.template import (
    TemplateError,
    TemplateLayout,
    is_blank,
    locate_template,
    sheet_grid,
)
from vaxclean_xl.formats.import_file.writer import write_default_import
from vaxclean_xl.io.reader import is_numbering_token


@dataclass(slots=True)
class ImportFile:
    """Records (spec column id -> value) in the layout of ``spec``, or of the user's
    template when ``layout`` is given."""

    spec: ImportSpec
    rows: Sequence[dict[str, Value]] = field(default_factory=list)
    layout: TemplateLayout | None = None

    @property
    def sheet(self) -> str:
        """The data sheet."""
        return self.layout.sheet if self.layout else self.spec.sheet

    @property
    def first_row(self) -> int:
        """The 1-based Excel row of the first record."""
        return self.layout.first_row if self.layout else self.spec.first_data_row

    def column(self, col_id: str) -> int | None:
        """The 0-based column of a spec column (None: the template has no such column)."""
        if self.layout is not None:
            return self.layout.columns.get(col_id)
        return self.spec.column(col_id).index


def write_import_file(path: str | Path, import_file: ImportFile) -> FillResult | None:
    """Write ``import_file`` to ``path`` (atomically): into a copy of its template when it
    has one (what was written is returned), else a new workbook laid out by its spec."""
    if import_file.layout is None:
        write_default_import(path, import_file.spec, import_file.rows)
        return None
    return fill_template(import_file.layout, path, import_file.spec, import_file.rows)


def _value(value: object) -> Value:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return value if isinstance(value, str) else str(value)


def read_import_file(path: str | Path, spec: ImportSpec) -> ImportFile:
    """The records of an import file laid out by ``spec`` (one this package wrote, or the
    platform's template filled): every row under the header that holds a value, a
    column-numbering row skipped; empty cells are left out of a record, whole numbers
    come back as int."""
    layout = locate_template(path, spec)
    try:
        from python_calamine import CalamineWorkbook

        sheet = CalamineWorkbook.from_path(str(layout.path)).get_sheet_by_name(layout.sheet)
        grid, row_off, col_off, _merges = sheet_grid(sheet)
    except Exception as exc:  # calamine raises its own types (and pyo3 panics)
        raise TemplateError(f"Tệp «{layout.path.name}» bị hỏng, không đọc được.") from exc
    rows: list[dict[str, Value]] = []
    for r, cells in enumerate(grid):
        if r + row_off + 1 <= layout.header_rows[-1]:
            continue
        record: dict[str, Value] = {}
        for col_id, col in layout.columns.items():
            i = col - col_off
            if 0 <= i < len(cells) and not is_blank(cells[i]):
                record[col_id] = _value(cells[i])
        texts = [str(v) for v in record.values()]
        if not record or (len(texts) >= 2 and all(is_numbering_token(t) for t in texts)):
            continue
        rows.append(record)
    return ImportFile(spec, rows, layout)
