"""Import time of the ribbon's entry point, ``vaxclean_xl.excel.dispatch``.

Why it matters: every click on a "Làm sạch TC" button starts a fresh Python process that
imports this module before anything else happens, so its import time is latency the user
feels on every click. Budget: 0.3 s. Heavy libraries (xlwings, openpyxl, XlsxWriter,
calamine, phonenumbers, jinja2) must be imported inside the button functions only.

Method: ``python -X importtime -c "import vaxclean_xl.excel.dispatch"`` in a subprocess,
``--runs`` times (default 5); the import time of one run is the cumulative time of the
module's top-level entry (plus its parent packages when they are separate top-level
entries); the best run is reported, since the minimum is the least disturbed by the
shared machine. ``import json`` is measured the same way in the same run as a baseline,
and the ratio is printed: it stays meaningful when the machine is slower or busier.

    .venv/bin/python -m benchmarks.import_time [--runs 5] [--json]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from typing import Any

from vaxclean_xl.excel.diagnostics import DISPATCH_MODULE, IMPORT_BUDGET_S, parse_importtime

BASELINE_MODULE = "json"


def one_run(module: str, python: str = sys.executable) -> tuple[float, float]:
    """(import seconds from -X importtime, wall seconds of the whole process)."""
    started = time.perf_counter()
    proc = subprocess.run([python, "-X", "importtime", "-c", f"import {module}"],
                          capture_output=True, text=True, check=True)
    wall = time.perf_counter() - started
    return parse_importtime(proc.stderr, module), wall


def measure(runs: int = 5) -> dict[str, Any]:
    """Best of ``runs`` for the dispatch module and for the baseline, interleaved."""
    subject: list[tuple[float, float]] = []
    baseline: list[tuple[float, float]] = []
    for _ in range(runs):
        subject.append(one_run(DISPATCH_MODULE))
        baseline.append(one_run(BASELINE_MODULE))
    best = min(s for s, _ in subject)
    base = min(s for s, _ in baseline)
    return {
        "module": DISPATCH_MODULE,
        "runs": runs,
        "best_import_s": round(best, 4),
        "all_import_s": [round(s, 4) for s, _ in subject],
        "best_process_wall_s": round(min(w for _, w in subject), 4),
        "baseline_module": BASELINE_MODULE,
        "baseline_best_import_s": round(base, 4),
        "baseline_best_process_wall_s": round(min(w for _, w in baseline), 4),
        "ratio_to_baseline": round(best / base, 1) if base else None,
        "budget_s": IMPORT_BUDGET_S,
        "within_budget": best <= IMPORT_BUDGET_S,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    result = measure(args.runs)
    if args.json:
        print(json.dumps(result, indent=1))
    else:
        print(f"import {result['module']}: best {result['best_import_s'] * 1000:.1f} ms of "
              f"{result['runs']} runs (budget {IMPORT_BUDGET_S * 1000:.0f} ms: "
              f"{'ok' if result['within_budget'] else 'OVER'}); whole process "
              f"{result['best_process_wall_s'] * 1000:.0f} ms")
        print(f"import {BASELINE_MODULE}: best {result['baseline_best_import_s'] * 1000:.1f} ms;"
              f" ratio {result['ratio_to_baseline']}x")
    return 0 if result["within_budget"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
