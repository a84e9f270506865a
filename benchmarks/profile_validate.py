"""Profile the benchmark subjects with cProfile, sorted by own time (tottime).

Why: when ``benchmarks.run`` reports a missed goal, this shows where the time goes on the
same cached list::

    python -m benchmarks.profile_validate [--rows 200000] [--target e2e|core] [--top 15]

``e2e`` profiles ``validate_file`` (read, check, annotated workbook, JSON report); ``core``
profiles ``validate_rows`` on rows already read. The raw stats are saved beside the list.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
from pathlib import Path

from benchmarks.data import ensure_list


def profile(target: str, rows: int, seed: int, out: Path, top: int) -> Path:
    """Run ``target`` once under cProfile, print the top lines, return the .prof path."""
    bench = ensure_list(rows, seed, out, log=lambda m: print(m, file=sys.stderr))
    prof = cProfile.Profile()
    if target == "core":
        from vaxclean_xl.core.validate import validate_rows
        from vaxclean_xl.io.reader import read_table

        table = read_table(bench.path)
        prof.runcall(validate_rows, table.rows, table.columns, name_fonts=table.name_fonts)
    else:
        from vaxclean_xl.commands.validate import validate_file

        with tempfile.TemporaryDirectory(prefix="vaxclean-prof-") as tmp:
            prof.runcall(validate_file, bench.path, Path(tmp) / "p.xlsx", Path(tmp) / "p.json")
    path = out / f"profile-{target}-{rows}r.prof"
    prof.dump_stats(path)
    pstats.Stats(prof).sort_stats("tottime").print_stats(top)
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.profile_validate")
    ap.add_argument("--target", choices=("e2e", "core"), default="e2e")
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--seed", type=int, default=2022)
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument("--out", type=Path, default=Path("benchmarks/out"))
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    print(f"stats saved to {profile(args.target, args.rows, args.seed, args.out, args.top)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
