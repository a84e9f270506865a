"""Child process of the memory_1m benchmark: validate one list (or run the baseline copy) and
print one JSON line with its time and own peak RSS.

Why a separate process: peak RSS is read with ``getrusage(RUSAGE_CHILDREN)`` after the child
ends, which only measures that child if nothing else ran in it. And why ``--isolated``: on
Linux a child started from a big parent inherits the parent's RSS high-water mark (fork
copies the page tables; vfork+exec records the parent's peak), so a child of the benchmark
runner would report at least the runner's own peak. ``--isolated`` starts a small launcher
that starts the real child and reads RUSAGE_CHILDREN itself::

    python -m benchmarks.mem_validate LIST.xlsx [--out DIR] [--baseline] [--sheet NAME]
    python -m benchmarks.mem_validate --isolated LIST.xlsx [...]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run_validate(src: Path, out: Path) -> dict:
    """The subject: ``validate_file`` end to end (annotated workbook + JSON report)."""
    from vaxclean_xl.commands.validate import validate_file

    out.mkdir(parents=True, exist_ok=True)
    t0, c0 = time.perf_counter(), time.process_time()
    outcome = validate_file(src, out / "mem.kiemtra.xlsx", out / "mem.kiemtra.json")
    return {"task": "validate_file", "seconds": time.perf_counter() - t0,
            "cpu_seconds": time.process_time() - c0, "records": len(outcome.result.records)}


def run_baseline(src: Path, out: Path, sheet: str | None) -> dict:
    """The reference: calamine reads the sheet, XlsxWriter (constant_memory) writes it back."""
    import xlsxwriter
    from python_calamine import CalamineWorkbook

    out.mkdir(parents=True, exist_ok=True)
    t0, c0 = time.perf_counter(), time.process_time()
    wb = CalamineWorkbook.from_path(str(src))
    name = sheet or wb.sheet_names[0]
    rows = wb.get_sheet_by_name(name).to_python()
    book = xlsxwriter.Workbook(str(out / "mem.baseline.xlsx"), {"constant_memory": True})
    ws = book.add_worksheet(name)
    for r, row in enumerate(rows):
        ws.write_row(r, 0, row)
    book.close()
    return {"task": "calamine+xlsxwriter(constant_memory)",
            "seconds": time.perf_counter() - t0, "cpu_seconds": time.process_time() - c0,
            "rows": len(rows)}


def isolated(argv: list[str]) -> dict:
    """Run the real child from this small process and measure it with RUSAGE_CHILDREN."""
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "benchmarks.mem_validate", *argv],
                          cwd=REPO, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    lines = proc.stdout.strip().splitlines()
    result = json.loads(lines[-1]) if proc.returncode == 0 and lines else {}
    result.update(returncode=proc.returncode, wall_seconds=wall, peak_rss_kib=peak_kib)
    if proc.returncode:
        result["stderr_tail"] = proc.stderr[-2000:]
    return result


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--isolated"]:
        print(json.dumps(isolated(argv[1:])))
        return 0
    ap = argparse.ArgumentParser(prog="python -m benchmarks.mem_validate")
    ap.add_argument("path", type=Path)
    ap.add_argument("--out", type=Path, default=REPO / "benchmarks" / "out" / "mem")
    ap.add_argument("--baseline", action="store_true")
    ap.add_argument("--sheet")
    args = ap.parse_args(argv)
    if args.baseline:
        result = run_baseline(args.path, args.out, args.sheet)
    else:
        result = run_validate(args.path, args.out)
    result["self_maxrss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
