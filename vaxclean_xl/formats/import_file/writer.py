"""A new import file written from the spec alone (XlsxWriter, the project's writer of new
files): instruction rows, one or two header rows (required headers red, groups merged),
Text-formatted columns, then the records.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from vaxclean_xl.core.normalize import nfc
from vaxclean_xl.formats.import_file.spec import ImportSpec, Value
from vaxclean_xl.io.atomic import atomic_path
from vaxclean_xl.xlsx.palette import HEADER_FILL


def write_default_import(path: str | Path, spec: ImportSpec,
                         rows: Sequence[dict[str, Value]]) -> None:
    """Write a new import workbook laid out by ``spec`` (atomically).

    ``rows`` are spec column id -> value (text, or an int for the running number).
    """
    from vaxclean_xl.xlsx.workbook import new_workbook

    with atomic_path(path) as tmp:
        wb = new_workbook(tmp)
        try:
            _write_sheet(wb, spec, rows)
        finally:
            wb.close()


def _write_sheet(wb: Any, spec: ImportSpec, rows: Sequence[dict[str, Value]]) -> None:
    ws = wb.add_worksheet(spec.sheet)
    text_fmt = wb.add_format({"num_format": "@"})
    for ins in spec.instructions:
        props: dict[str, object] = {}
        if "bold" in ins.style:
            props["bold"] = True
        if "italic" in ins.style:
            props["italic"] = True
        if "red" in ins.style:
            props["font_color"] = "#FF0000"
        if "large" in ins.style:
            props["font_size"] = 13
        ws.write_string(ins.row - 1, 0, ins.text, wb.add_format(props) if props else None)

    def head_fmt(required: bool) -> Any:
        return wb.add_format({
            "bold": True, "text_wrap": True, "align": "center", "valign": "vcenter",
            "border": 1, "bg_color": HEADER_FILL,
            "font_color": "#FF0000" if required else "#000000",
        })

    red, black = head_fmt(True), head_fmt(False)
    top = spec.header_rows[0] - 1
    bottom = spec.header_rows[-1] - 1
    for g in spec.groups:
        ws.merge_range(top, g.first, top, g.last, g.header, red if g.required else black)
    for col in spec.columns:
        fmt = red if col.required else black
        ws.set_column(col.index, col.index, col.width, text_fmt if col.text_format else None)
        if col.group is not None:
            ws.write_string(bottom, col.index, col.header, fmt)
        elif top == bottom:
            ws.write_string(top, col.index, col.header, fmt)
        else:
            ws.merge_range(top, col.index, bottom, col.index, col.header, fmt)
    ws.set_row(bottom, 45)
    r = spec.first_data_row - 1
    for values in rows:
        for col in spec.columns:
            value = values.get(col.id)
            fmt = text_fmt if col.text_format else None
            if isinstance(value, int) and not isinstance(value, bool):
                ws.write_number(r, col.index, value, fmt)
            elif value:
                ws.write_string(r, col.index, nfc(str(value)), fmt)
            elif fmt is not None:
                ws.write_blank(r, col.index, None, fmt)
        r += 1

