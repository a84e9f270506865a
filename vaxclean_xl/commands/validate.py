"""Validate a list file: read it, check every record, write the annotated workbook and the
JSON report. The CLI and the Excel button both call :func:`validate_file`.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from pathlib import Path

from vaxclean_xl.commands.common import Progress, open_list
from vaxclean_xl.core.validate import Validation
from vaxclean_xl.formats.annotated_list import write_annotated
from vaxclean_xl.io.atomic import output_batch
from vaxclean_xl.io.reader import Table

OUTPUT_SUFFIX = ".kiemtra.xlsx"  # default output: '<stem>.kiemtra.xlsx' beside the input


@dataclass(slots=True)
class ValidateOutcome:
    table: Table
    result: Validation
    output: Path | None
    report: Path | None


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
    rep = Path(report) if report else None
    opened = open_list(src, output, suffix=OUTPUT_SUFFIX if write_workbook else None,
                       outputs=[rep], sheet=sheet, mapping=mapping, today=today,
                       validate=False, progress=progress)
    table, out = opened.table, opened.output
    # the outputs are checked before the long part and written at the end, all or none
    # (exit 2 leaves nothing behind: not a workbook without its report)
    with output_batch() as batch:
        out_tmp = batch.path(out) if out is not None else None
        rep_tmp = batch.path(rep) if rep is not None else None
        result = opened.validate(consume=True)
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
            from vaxclean_xl.formats.validation_report import write_report

            write_report(rep_tmp, table, result)
    if progress:
        progress("done", 1, 1)
    return ValidateOutcome(table, result, out, rep)


_NO_CELLS: dict[str, object] = {}  # records of a finished validate_file: cells released
