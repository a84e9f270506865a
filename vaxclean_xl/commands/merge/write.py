"""MERGED: a copy of ORIGINAL's own workbook with the new values, marks, status columns and
the merge's sheets.

Corrections are written cell by cell, each cell keeping its look (other sheets, fonts,
widths, dropdowns, conditional formats stay as the commune keeps them; an .xls/.ods/.csv
list gets a plain .xlsx copy first), annotated by the same annotator as ``validate`` in the
same pass. A list that already carries the status columns of an earlier merge (the police
list is made from the hamlet-merged list) gets them rewritten in place, the earlier notes
kept, instead of a second, stale set.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from vaxclean_xl.core.normalize import cell_text
from vaxclean_xl.core.presentation import DOSE_STATUS_HEADER, STATUS_HEADERS, status_cells
from vaxclean_xl.core.validate import Validation
from vaxclean_xl.formats.annotated_list import (
    NOTE_STATUS_HEADER,
    cell_marks,
    summary_sheet,
    write_annotated_list,
)
from vaxclean_xl.formats.merge_report import (
    POLICE_LABEL,
    SHEET_REJECTED,
    Change,
    Conflict,
    MergeReport,
    OriginalEdit,
    Overruled,
    Rejected,
    report_sheets,
)
from vaxclean_xl.formats.readback import blank, header_key
from vaxclean_xl.formats.split_manifest import ManifestHamlet
from vaxclean_xl.io.reader import Table


def write_merged(out: Path, table: Table, merged_rows: list[tuple[int, list]],
                 result: Validation, report: MergeReport, *,
                 new_values: dict[tuple[int, str], object], status_col: int | None,
                 notes: dict[int, list[tuple[str, str]]],
                 not_returned: Sequence[ManifestHamlet], hamlets: bool, police: bool) -> None:
    """Write MERGED to ``out``: ``notes`` (row -> [(who, text)]) go into the note column
    after the notes an earlier merge wrote there."""
    marks = list(_merge_marks(table, report.changes, report.conflicts, report.original_edits,
                              report.police.overruled, report.rejected))
    marks += cell_marks(dataclasses.replace(table, rows=merged_rows), result)
    earlier = _earlier_notes(table, status_col)
    note_text = {r: _join_notes(v) for r, v in notes.items()}
    for r, text in earlier.items():
        note_text[r] = f"{text}\n{note_text[r]}" if note_text.get(r) else text
    # a list with doses: "Mũi tiêm" after the three, as validate writes it, then the note
    doses = bool(table.dose_layout)
    status_rows = {rec.row: [*status_cells(rec, doses), note_text.get(rec.row, "")]
                   for rec in result.records}
    headers = [*STATUS_HEADERS, *([DOSE_STATUS_HEADER] if doses else []), NOTE_STATUS_HEADER]
    sheets = report_sheets(report, not_returned, hamlets=hamlets, police=police)
    # MERGED: the user's own workbook (every sheet, format, dropdown and width kept)
    write_annotated_list(table, out, header_row=table.header_row,
                         status_headers=headers,
                         status_rows=status_rows, marks=marks, first_status_col=status_col,
                         values={(r, table.columns[f]): v for (r, f), v in new_values.items()},
                         summary=[summary_sheet(result, doses), *sheets])


def _earlier_notes(table: Table, status_col: int | None) -> dict[int, str]:
    """The notes an earlier merge wrote into the status block's note column, by row."""
    if status_col is None:
        return {}
    # the note column ends the block: 4th, or 5th after "Mũi tiêm" (a list with doses)
    note_key = header_key(NOTE_STATUS_HEADER)
    c = next((k for k in (status_col + 3, status_col + 4)
              if header_key(table.headers.get(k, "")) == note_key), None)
    if c is None:
        return {}  # a block validate wrote: no earlier merge's notes
    out: dict[int, str] = {}
    for row, values in table.rows:
        if c < len(values) and not blank(values[c]):
            out[row] = cell_text(values[c])
    return out


def _join_notes(items: list[tuple[str, str]]) -> str:
    """The note cell of a record: a single hamlet's note as written, else each note after
    who wrote it (the police's always, the column is called "Ghi chú của thôn")."""
    if len(items) == 1 and items[0][0] != POLICE_LABEL:
        return items[0][1]
    return "\n".join(f"{h}: {t}" for h, t in items)


def _merge_marks(table: Table, changes: list[Change], conflicts: list[Conflict],
                 original_edits: list[OriginalEdit], overruled: Sequence[Overruled] = (),
                 rejected: Sequence[Rejected] = ()) -> Iterator[Any]:
    """Yellow marks: each applied change, each conflict, each edit made in an original
    column (not applied) and each hamlet proposal the police overruled, with a note saying
    what the hamlet (or the police) proposed."""
    from vaxclean_xl.xlsx.annotate import CellMark

    cols = table.columns
    for ch in changes:
        yield CellMark(ch.row, cols[ch.field], "warning",
                       f"Cũ: {ch.old or '(trống)'} → Mới: {ch.new} ({ch.hamlet})")
    for co in conflicts:
        props = "; ".join(f"{p.hamlet}: {p.value}" for p in co.proposals)
        yield CellMark(co.row, cols[co.field], "warning",
                       f"Xung đột, giữ giá trị gốc. Đề nghị: {props}")
    for ed in original_edits:
        if ed.field in cols:
            yield CellMark(ed.row, cols[ed.field], "warning",
                           f"{ed.hamlet} đã sửa vào cột gốc thành «{ed.value}» (chưa áp "
                           "dụng: cần ghi vào cột «(sửa)»)")
    for rj in rejected:
        if not rj.applied:
            yield CellMark(rj.row, cols[rj.field], "warning",
                           f"{rj.hamlet} đề nghị «{rj.new or '(trống)'}» nhưng giá trị này "
                           f"sai ({', '.join(rj.codes)}): giữ giá trị gốc. Xem trang "
                           f"«{SHEET_REJECTED}».")
    for ov in overruled:
        yield CellMark(ov.row, cols[ov.field], "warning",
                       f"{POLICE_LABEL} sửa lại đề nghị của {ov.hamlet} "
                       f"«{ov.hamlet_value or '(trống)'}»: giữ «{ov.police_value}»")
