"""An .xlsx copy of an .xls, .ods or .csv input, cell for cell, so the one annotator that
edits .xlsx packages also serves the older formats.

Text stays text (IDs keep leading zeros: written as strings with the Text format), numbers
stay numbers, dates get a dd/mm/yyyy format.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

from vaxclean_xl.io.reader import Table, iter_sheet_rows


def write_plain_copy(src: Path, sheet: str, dst: Path) -> str:
    """Write every cell of ``sheet`` of ``src`` into a new one-sheet workbook ``dst``;
    return the sheet name used (Excel forbids some characters a csv file name may hold)."""
    from vaxclean_xl.xlsx.workbook import new_workbook

    wb = new_workbook(dst, constant_memory=True)
    name = _safe_sheet_name(sheet)
    ws = wb.add_worksheet(name)
    text = wb.add_format({"num_format": "@"})
    date = wb.add_format({"num_format": "dd/mm/yyyy"})
    whole = wb.add_format({"num_format": "0"})  # long integers (IDs) not as 1.23E+11
    when = wb.add_format({"num_format": "dd/mm/yyyy hh:mm:ss"})
    for row_no, values in iter_sheet_rows(src, sheet):
        r = row_no - 1
        for c, v in enumerate(values):
            if v is None or v == "":
                continue
            if isinstance(v, str):
                ws.write_string(r, c, v, text)
            elif isinstance(v, bool):
                ws.write_boolean(r, c, v)
            elif isinstance(v, int | float):
                big = float(v).is_integer() and abs(v) >= 1e8
                ws.write_number(r, c, v, whole if big else None)
            elif isinstance(v, _dt.datetime):
                ws.write_datetime(r, c, v, when if (v.hour or v.minute or v.second) else date)
            elif isinstance(v, _dt.date):
                ws.write_datetime(r, c, _dt.datetime(v.year, v.month, v.day), date)
            else:
                ws.write_string(r, c, str(v), text)
    wb.close()
    return name


def _safe_sheet_name(name: str) -> str:
    for ch in "[]:*?/\\":
        name = name.replace(ch, " ")
    return (name.strip() or "Sheet1")[:31]


def annotate_table_workbook(table: Table, out: Path, **kwargs: object) -> None:
    """Annotate the workbook ``table`` was read from (see ``xlsx.annotate.annotate_xlsx``);
    an .xls/.ods/.csv source is first copied cell for cell into a plain .xlsx."""
    import tempfile

    from vaxclean_xl.xlsx.annotate import annotate_xlsx

    if table.source_format in ("xlsx", "xlsm"):
        annotate_xlsx(table.path, out, sheet_name=table.sheet, **kwargs)  # type: ignore[arg-type]
        return
    with tempfile.TemporaryDirectory(prefix="vaxclean-") as tmp:
        copy = Path(tmp) / "copy.xlsx"
        sheet = write_plain_copy(table.path, table.sheet, copy)
        annotate_xlsx(copy, out, sheet_name=sheet, **kwargs)  # type: ignore[arg-type]
