"""Split and merge speed as ratios to same-run baselines (issue: hamlet round trip).

* ``split``: ``split_file(--all)`` against calamine reading the list + XlsxWriter writing
  the same rows into as many plain files as the split wrote; goal ratio <= 1.3.
* ``merge``: ``merge_files`` on the returned hamlet files against calamine reading all of
  them; goal ratio <= 2.0. Merge also reads and checks the original and writes the merged
  workbook, so the ratio includes that work. "Returned" files are what comes back from a
  hamlet: corrections typed in (the demo's ``simulate_returns``), then saved by an office
  program, here LibreOffice, which stores every formula's value as Excel does on save;
  they are made once and cached (``returned_files``). The files exactly as split wrote
  them (no formula values yet, a fifth of the bytes) are merged too and their ratio
  printed for information: it is the harshest case, as their baseline is smallest.
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


def _soffice_resave(files: list[Path], outdir: Path, workers: int = 2) -> None:
    """Open and save each file with headless LibreOffice, formulas recalculated (what a
    hamlet worker's office program does), in ``workers`` processes with private profiles."""
    import subprocess
    import tempfile
    from concurrent.futures import ThreadPoolExecutor

    from tests.conftest import RECALC_ALWAYS_XCU  # the tests' recalculating profile

    exe = shutil.which("soffice") or shutil.which("libreoffice")
    assert exe is not None
    outdir.mkdir(parents=True, exist_ok=True)

    def run(batch: list[Path]) -> None:
        with tempfile.TemporaryDirectory(prefix="lo-bench-") as profile:
            (Path(profile) / "user").mkdir()
            (Path(profile) / "user" / "registrymodifications.xcu").write_text(RECALC_ALWAYS_XCU)
            subprocess.run([exe, f"-env:UserInstallation=file://{profile}", "--headless",
                            "--norestore", "--convert-to", "xlsx", "--outdir", str(outdir),
                            *map(str, batch)], capture_output=True, timeout=3600, check=True)

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(run, [files[i::workers] for i in range(workers)]))


def type_corrections(split_dir: Path, records: dict, out: Path, seed: int = 7) -> list[Path]:
    """Each hamlet file with what its worker types: the demo's ``corrections_for`` each
    record and a note on one row in ten (as ``demo.simulate_returns``, which does it through
    openpyxl at ~20 s a file; here the cells are written into the package directly)."""
    import json
    import random

    from vaxclean_xl.commands.demo import corrections_for
    from vaxclean_xl.formats.hamlet_file import layout as L
    from vaxclean_xl.formats.hamlet_file.writer import CORR_COL, NOTE_COL
    from vaxclean_xl.xlsx.annotate import annotate_xlsx

    rnd = random.Random(seed)
    manifest = json.loads((split_dir / "manifest.json").read_text(encoding="utf-8"))
    out.mkdir(parents=True, exist_ok=True)
    typed = []
    for entry in sorted(manifest["hamlets"], key=lambda e: e["file"]):  # as the demo does
        values: dict[tuple[int, int], object] = {}
        for i, item in enumerate(entry["records"]):
            row = L.FIRST_ROW + i
            if rnd.random() < 0.1:
                values[(row, NOTE_COL)] = "Đã đối chiếu với thẻ CCCD"
            for field, value in corrections_for(records[item["row"]], rnd).items():
                values[(row, CORR_COL[field])] = value
        target = out / entry["file"]
        annotate_xlsx(split_dir / entry["file"], target, sheet_name=L.DATA_SHEET,
                      header_row=L.HEADER_ROW, status_headers=[], status_rows={}, marks=[],
                      summary=None, values=values)
        typed.append(target)
    return typed


def returned_files(split_dir: Path, records: dict, cache: Path) -> list[Path] | None:
    """The hamlet files as they come back: corrections and notes typed in
    (:func:`type_corrections`), then saved by LibreOffice, which stores every formula's
    value as Excel does. Cached in ``cache`` (a few minutes to make); None without
    LibreOffice."""
    import json

    sent = sorted(split_dir.glob("*.xlsx"))
    split_id = json.loads((split_dir / "manifest.json").read_text(encoding="utf-8"))["split_id"]
    done, stamp = cache / "complete", f"{split_id} {len(sent)}"
    if done.exists() and done.read_text() == stamp:  # same split: the same keys
        return sorted(cache.glob("*.xlsx"))
    if not (shutil.which("soffice") or shutil.which("libreoffice")):
        return None
    shutil.rmtree(cache, ignore_errors=True)
    typed = type_corrections(split_dir, records, cache / "typed")
    _soffice_resave(typed, cache)
    shutil.rmtree(cache / "typed")
    out = sorted(cache.glob("*.xlsx"))
    assert len(out) == len(sent), f"LibreOffice saved {len(out)} of {len(sent)} files"
    done.write_text(stamp)
    return out


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
    manifest = split_dir / "manifest.json"
    records = {r.row: r for r in outcome.result.records}
    returned = returned_files(split_dir, records, out / "split_merge_returned")

    def merge_case(folder: Path, case_files: list[Path], tag: str) -> tuple[float, float, float,
                                                                            Any]:
        wall, _cpu, merged = timed(lambda: merge_files(
            bench_path, [folder, manifest], work / f"merged-{tag}.xlsx",
            work / f"merged-{tag}.json"))
        r1, _, _ = timed(lambda: baseline_read(case_files))
        r2, _, _ = timed(lambda: baseline_read(case_files))
        return wall, r1, r2, merged

    m_wall, r1, r2, merged = merge_case(split_dir, files, "untouched")
    untouched_ratio = m_wall / ((r1 + r2) / 2)
    result = {
        "records": len(table.rows), "files": len(files),
        "split_s": s_wall, "split_baseline_s": [b1, b2], "split_ratio": split_ratio,
        "split_goal": SPLIT_GOAL, "split_ok": split_ratio <= SPLIT_GOAL,
        "merge_untouched_s": m_wall, "merge_untouched_baseline_s": [r1, r2],
        "merge_untouched_ratio": untouched_ratio,
        "merge_untouched_records_out": merged.merge_report.summary.records_out,
        "merge_goal": MERGE_GOAL,
    }
    ok = {True: "ok", False: "MISSED"}
    rows = [
        ("split", f"split_file --all, {len(files)} files (s)", f"{s_wall:.2f}", "", ""),
        ("split", "baseline read + plain writes (s)", f"{b1:.2f} / {b2:.2f}", "", ""),
        ("split", "ratio", f"{split_ratio:.2f}", f"<= {SPLIT_GOAL}",
         ok[split_ratio <= SPLIT_GOAL]),
    ]
    if returned is not None:
        w, q1, q2, merged_r = merge_case(returned[0].parent, returned, "returned")
        ratio = w / ((q1 + q2) / 2)
        result.update({
            "merge_s": w, "merge_baseline_s": [q1, q2], "merge_ratio": ratio,
            "merge_ok": ratio <= MERGE_GOAL, "merge_changes": merged_r.merge_report.summary.changes,
            "merge_records_out": merged_r.merge_report.summary.records_out})
        rows += [
            ("merge", f"merge_files, {len(returned)} returned files (typed, saved by "
             "LibreOffice) (s)", f"{w:.2f}", "", ""),
            ("merge", "baseline calamine read of those files (s)", f"{q1:.2f} / {q2:.2f}",
             "", ""),
            ("merge", f"ratio ({merged_r.merge_report.summary.changes:,} changes applied)",
             f"{ratio:.2f}", f"<= {MERGE_GOAL}", ok[ratio <= MERGE_GOAL]),
        ]
    else:
        result["merge_ok"] = False
        rows.append(("merge", "returned files need LibreOffice (soffice): not run", "", "",
                     "MISSED"))
    rows += [
        ("merge", f"merge_files, the {len(files)} files as split wrote them (s)",
         f"{m_wall:.2f}", "", ""),
        ("merge", "baseline calamine read of those files (s)", f"{r1:.2f} / {r2:.2f}", "", ""),
        ("merge", "ratio (untouched files: the smallest baseline)", f"{untouched_ratio:.2f}",
         "(info)", ""),
    ]
    return result, rows
