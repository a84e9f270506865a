"""The progress workbook from the figures: each list gets its sheet name, each line the
cells the workbook shows (``formats.progress_workbook`` lays them out)."""

from __future__ import annotations

from pathlib import Path

from vaxclean_xl.commands.progress.compute import HamletProgress, ListProgress
from vaxclean_xl.formats.progress_workbook import (
    GROUPS,
    PASSPORT_STATUSES,
    ProgressLine,
    ProgressSheet,
    ProgressWorkbook,
    sheet_names_for,
    write_progress_workbook,
)
from vaxclean_xl.io.atomic import atomic_path


def name_sheets(lists: list[ListProgress]) -> None:
    """A sheet name per list, from its file name (unique, as Excel wants them)."""
    for lst, sheet in zip(lists, sheet_names_for([Path(x.name).stem for x in lists]),
                          strict=True):
        lst.sheet = sheet


def _line(h: HamletProgress, with_groups: bool, with_open: bool,
          with_passport: bool = False) -> ProgressLine:
    groups = {c: h.groups.get(c, 0) for c in GROUPS} if with_groups else None
    passport = ({s: (h.passport or {}).get(s, 0) for s in PASSPORT_STATUSES}
                if with_passport else None)
    return ProgressLine(h.hamlet, groups,
                        files_sent=h.files_sent, records_sent=h.records_sent,
                        returned=h.returned, changes=h.changes,
                        police_verified=h.police_verified, exported=h.exported,
                        edited=h.edited, open=h.open if with_open else None,
                        passport=passport)


def workbook_of(lists: list[ListProgress]) -> ProgressWorkbook:
    """What the workbook shows of each list."""
    return ProgressWorkbook([
        ProgressSheet(
            name=lst.sheet, list_name=lst.name, source=str(lst.source or lst.name),
            sha256=lst.sha256[:16] if lst.sha256 else None,
            used={k: len(v) for k, v in lst.used.items()}, note=" ".join(lst.notes),
            lines=[_line(h, lst.with_groups, lst.open_per_hamlet, lst.with_passport)
                   for h in lst.hamlets],
            total=_line(lst.total, lst.with_groups, True, lst.with_passport))
        for lst in lists])


def write(output: Path, lists: list[ListProgress]) -> None:
    """Write the workbook (replaced only once it is complete)."""
    with atomic_path(output) as tmp:
        write_progress_workbook(tmp, workbook_of(lists))
