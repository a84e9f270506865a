"""Split and merge speed as ratios to same-run baselines (issue: hamlet round trip).

* ``split``: ``split_file(--all)`` against calamine reading the list + XlsxWriter writing
  the same rows into as many plain files as the split wrote; goal ratio <= 1.3.
* ``merge``: ``merge_files`` on the returned hamlet files against calamine reading all of
  them; goal ratio <= 2.0. Merge also reads the original and writes the merged workbook,
  so the ratio includes that work.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

SPLIT_GOAL = 1.3
MERGE_GOAL = 2.0


def baseline_split(src: Path, sheet: str, groups: list[list[int]], out: Path) -> int:
    """Read the list once, write each group's rows (by index) into its own plain file."""
    import xlsxwriter
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(src)).get_sheet_by_name(sheet).to_python()
    out.mkdir(parents=True, exist_ok=True)
    for k, group in enumerate(groups):
        book = xlsxwriter.Workbook(str(out / f"plain-{k}.xlsx"))
        ws = book.add_worksheet()
        for r, i in enumerate(group):
            ws.write_row(r, 0, rows[i])
        book.close()
    return len(groups)


def baseline_read(files: list[Path]) -> int:
    """Read every sheet of every file with calamine: the least a merge must do."""
    from python_calamine import CalamineWorkbook

    n = 0
    for path in files:
        wb = CalamineWorkbook.from_path(str(path))
        for name in wb.sheet_names:
            n += len(wb.get_sheet_by_name(name).to_python())
    return n


def bench_split_merge(bench_path: Path, sheet: str, out: Path, timed) -> tuple[dict[str, Any],
                                                                             list[tuple]]:
    """Run split (and its baseline twice), then merge (and its baseline twice)."""
    from vaxclean_xl.commands.merge import merge_files
    from vaxclean_xl.commands.split import split_file

    work = out / "split_merge"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    split_dir = work / "split"

    s_wall, s_cpu, outcome = timed(lambda: split_file(bench_path, split_dir, all_records=True))
    table = outcome.table
    row_index = {row: i for i, (row, _) in enumerate(table.rows)}
    first = table.rows[0][0] if table.rows else 1
    groups = [[row_index[r.row] + first - 1 for r in f.records] for f in outcome.files]
    b1, _, _ = timed(lambda: baseline_split(bench_path, sheet, groups, work / "base1"))
    b2, _, _ = timed(lambda: baseline_split(bench_path, sheet, groups, work / "base2"))
    split_ratio = s_wall / ((b1 + b2) / 2)

    files = [f.path for f in outcome.files]
    m_wall, m_cpu, merged = timed(lambda: merge_files(bench_path, [split_dir],
                                                      work / "merged.xlsx",
                                                      work / "merged.json"))
    r1, _, _ = timed(lambda: baseline_read(files))
    r2, _, _ = timed(lambda: baseline_read(files))
    merge_ratio = m_wall / ((r1 + r2) / 2)
    result = {
        "records": len(table.rows), "files": len(files),
        "split_s": s_wall, "split_baseline_s": [b1, b2], "split_ratio": split_ratio,
        "split_goal": SPLIT_GOAL, "split_ok": split_ratio <= SPLIT_GOAL,
        "merge_s": m_wall, "merge_baseline_s": [r1, r2], "merge_ratio": merge_ratio,
        "merge_goal": MERGE_GOAL, "merge_ok": merge_ratio <= MERGE_GOAL,
        "merge_records_out": merged.summary["records_out"],
    }
    ok = {True: "ok", False: "MISSED"}
    rows = [
        ("split", f"split_file --all, {len(files)} files (s)", f"{s_wall:.2f}", "", ""),
        ("split", "baseline read + plain writes (s)", f"{b1:.2f} / {b2:.2f}", "", ""),
        ("split", "ratio", f"{split_ratio:.2f}", f"<= {SPLIT_GOAL}",
         ok[split_ratio <= SPLIT_GOAL]),
        ("merge", f"merge_files, {len(files)} files (s)", f"{m_wall:.2f}", "", ""),
        ("merge", "baseline calamine read of the files (s)", f"{r1:.2f} / {r2:.2f}", "", ""),
        ("merge", "ratio", f"{merge_ratio:.2f}", f"<= {MERGE_GOAL}",
         ok[merge_ratio <= MERGE_GOAL]),
    ]
    return result, rows
