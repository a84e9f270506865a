"""``make bench``: speed and memory of ``vaxclean validate`` as ratios to same-run baselines.

Why ratios: the machine is small and shared (2 cores, tests running beside), so absolute
seconds drift from run to run; a baseline doing comparable work (reading the list with
calamine, writing it with XlsxWriter), timed in the same run, moves with the load and the
ratio stays meaningful. Raw seconds and the load average are printed too.

Benchmarks (``--only NAME``):

* ``validate_e2e``: ``validate_file`` (read + check + annotated workbook + JSON report)
  against calamine ``to_python`` + XlsxWriter ``write_row``; goal ratio <= 1.5.
* ``core_throughput``: ``validate_rows`` on rows already in memory; goal >= 100,000
  records/s, with the ratio to a trivial loop over the same rows as a reference.
* ``split_merge``: ``split_file --all`` against calamine + XlsxWriter writing the same rows
  into as many plain files (goal <= 1.3), then ``merge_files`` on the files as they come
  back (typed in, saved by LibreOffice; made once, cached) against calamine reading them
  (goal <= 2.0), and on the untouched split output for information; see
  ``benchmarks/split_merge.py``.
* ``memory_1m``: ``validate_file`` on a 1,000,000-row list in a child process; goal peak
  RSS < 2 GiB; time ratio to calamine + XlsxWriter ``constant_memory`` in a child too.
* ``doses`` (issue 11): (a) ``validate_rows`` on the same persons with and without their
  dose columns (``generate_sample(doses=True/False)``, same seed, 100,000 rows), best of 3
  each, runs alternated; goal ratio <= 1.5; (b) ``validate_file`` on a ``--rows`` list with
  two to four doses per person against the ``validate_e2e`` floor of the same file; goal
  ratio <= 1.0.
* ``passport`` (issue 12): ``vaxclean passport`` (read + checks with doses + the day's
  assessment + its workbook and JSON) against ``validate_file`` (read + checks + annotated
  workbook + JSON) on the same ``--rows`` list with doses, alternated, best of 2 each;
  goal ratio <= 1.2.

Results go to ``<out>/results.json``; generated lists are cached in ``<out>``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.data import BenchList, ensure_list

REPO = Path(__file__).resolve().parents[1]
NAMES = ("validate_e2e", "core_throughput", "split_merge", "memory_1m", "doses", "passport")
E2E_GOAL = 1.5
DOSES_CORE_GOAL = 1.5  # core checks with doses / the same persons without dose columns
DOSES_E2E_GOAL = 1.0  # validate_file on a list with doses / calamine + XlsxWriter floor
DOSES_CORE_ROWS = 100_000
PASSPORT_GOAL = 1.2  # passport / validate_file on the same list with doses
CORE_GOAL = 100_000
MEM_GOAL_MIB = 2048

Row = tuple[str, str, str, str, str]  # benchmark, metric, value, goal, verdict


def log(msg: str) -> None:
    """Progress on stderr, so stdout holds only the results table."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def load() -> str:
    a, b, c = os.getloadavg()
    return f"{a:.2f}, {b:.2f}, {c:.2f}"


def git_state() -> dict[str, Any]:
    """Commit and locally modified files: the code changes under a shared checkout."""
    def git(*args: str) -> str:
        proc = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True)
        return proc.stdout.rstrip("\n")  # (not strip: a status line starts with a space)

    dirty = [line[3:] for line in git("status", "--porcelain").splitlines()]
    return {"head": git("rev-parse", "--short", "HEAD"), "modified": dirty}


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def _timed(fn: Callable[[], object]) -> tuple[float, float, object]:
    """(wall s, CPU s, result) of one call, after a full collection so runs start equal."""
    gc.collect()
    t0, c0 = time.perf_counter(), time.process_time()
    value = fn()
    return time.perf_counter() - t0, time.process_time() - c0, value


def _list_sheet(bench: BenchList) -> str:
    if bench.sheet:
        return bench.sheet
    from vaxclean_xl.io.reader import read_table

    return read_table(bench.path).sheet


# --------------------------------------------------------------------------- validate_e2e


def baseline_copy(src: Path, sheet: str, dst: Path) -> int:
    """Read the sheet with calamine and write its values with plain XlsxWriter (in memory
    until close, like any default Workbook): the least any read+write tool must do."""
    import xlsxwriter
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(src)).get_sheet_by_name(sheet).to_python()
    book = xlsxwriter.Workbook(str(dst))
    ws = book.add_worksheet(sheet[:31])
    for r, row in enumerate(rows):
        ws.write_row(r, 0, row)
    book.close()
    return len(rows)


def bench_e2e(bench: BenchList, out: Path, name: str = "validate_e2e",
              goal: float = E2E_GOAL, folder: str = "e2e") -> tuple[dict[str, Any], list[Row]]:
    """Baseline, subject, baseline again; ratio = subject / mean of the two baselines."""
    from vaxclean_xl.commands.validate import validate_file

    work = out / folder
    work.mkdir(parents=True, exist_ok=True)
    sheet = _list_sheet(bench)
    base_out, subj_out, subj_json = (work / "baseline.xlsx", work / "subject.kiemtra.xlsx",
                                     work / "subject.kiemtra.json")
    marks: dict[str, float] = {}

    def progress(stage: str, done: int, total: int) -> None:
        marks.setdefault(stage, time.perf_counter())

    def baseline() -> tuple[float, float]:
        base_out.unlink(missing_ok=True)
        wall, cpu, _ = _timed(lambda: baseline_copy(bench.path, sheet, base_out))
        return wall, cpu

    def subject() -> tuple[float, float, int]:
        subj_out.unlink(missing_ok=True)
        subj_json.unlink(missing_ok=True)
        wall, cpu, outcome = _timed(
            lambda: validate_file(bench.path, subj_out, subj_json, progress=progress))
        return wall, cpu, len(outcome.result.records)  # type: ignore[attr-defined]

    load_before = load()
    log(f"{name}: baseline 1 ({bench.rows:,} rows)")
    b1, b1_cpu = baseline()
    log(f"{name}: subject (baseline 1 took {b1:.2f}s)")
    s, s_cpu, records = subject()
    log(f"{name}: baseline 2 (subject took {s:.2f}s)")
    b2, b2_cpu = baseline()
    b_mean, b_cpu_mean = (b1 + b2) / 2, (b1_cpu + b2_cpu) / 2
    ratio, cpu_ratio = s / b_mean, s_cpu / b_cpu_mean
    read_check = marks["write"] - marks["read"] if {"read", "write"} <= marks.keys() else None
    write = marks["done"] - marks["write"] if {"write", "done"} <= marks.keys() else None
    result = {
        "rows": bench.rows, "records": records, "list": str(bench.path),
        "generator": bench.generator,
        "baseline_1_s": b1, "baseline_2_s": b2, "baseline_mean_s": b_mean, "subject_s": s,
        "ratio": ratio, "goal_ratio_max": goal, "ok": ratio <= goal,
        "cpu_baseline_1_s": b1_cpu, "cpu_baseline_2_s": b2_cpu, "cpu_subject_s": s_cpu,
        "cpu_ratio": cpu_ratio, "subject_read_and_check_s": read_check,
        "subject_write_s": write, "load_before": load_before, "load_after": load(),
    }
    rows: list[Row] = [
        (name, "baseline run 1 (s)", f"{b1:.2f}", "", ""),
        (name, "subject validate_file (s)", f"{s:.2f}", "", ""),
        (name, "baseline run 2 (s)", f"{b2:.2f}", "", ""),
        (name, "  subject read+check / write (s)",
         f"{read_check or 0:.2f} / {write or 0:.2f}", "", ""),
        (name, "ratio subject / mean baseline", f"{ratio:.2f}", f"<= {goal}",
         verdict(ratio <= goal)),
        (name, "  same ratio on CPU time", f"{cpu_ratio:.2f}", "", ""),
    ]
    return result, rows


# --------------------------------------------------------------------------- core_throughput


def bench_core(bench: BenchList, repeat: int = 3) -> tuple[dict[str, Any], list[Row]]:
    """``validate_rows`` on rows in memory, best of ``repeat``, and a trivial loop beside it."""
    from vaxclean_xl.core.validate import validate_rows
    from vaxclean_xl.io.reader import read_table

    log(f"core_throughput: read_table ({bench.rows:,} rows)")
    read_s, _, table = _timed(lambda: read_table(bench.path))
    rows, columns, fonts = table.rows, table.columns, table.name_fonts  # type: ignore[attr-defined]
    n = len(rows)

    def trivial() -> None:
        for _row, values in rows:
            tuple(values)

    def subject() -> int:
        return len(validate_rows(rows, columns, name_fonts=fonts).records)

    base_runs = [_timed(trivial)[0] for _ in range(repeat)]
    subj_runs = []
    for i in range(repeat):
        log(f"core_throughput: validate_rows run {i + 1}/{repeat}")
        subj_runs.append(_timed(subject)[0])
    best, base_best = min(subj_runs), min(base_runs)
    rate = n / best
    ratio = best / base_best
    result = {
        "records": n, "read_table_s": read_s, "validate_rows_runs_s": subj_runs,
        "validate_rows_best_s": best, "records_per_s": rate, "goal_records_per_s": CORE_GOAL,
        "ok": rate >= CORE_GOAL, "trivial_loop_runs_s": base_runs,
        "trivial_loop_best_s": base_best, "ratio_to_trivial_loop": ratio, "load_after": load(),
    }
    out_rows: list[Row] = [
        ("core_throughput", "read_table (s, not in the rate)", f"{read_s:.2f}", "", ""),
        ("core_throughput", f"validate_rows best of {repeat} (s)", f"{best:.3f}", "", ""),
        ("core_throughput", "  all runs (s)", " ".join(f"{x:.3f}" for x in subj_runs), "", ""),
        ("core_throughput", "records / s", f"{rate:,.0f}", f">= {CORE_GOAL:,}",
         verdict(rate >= CORE_GOAL)),
        ("core_throughput", "trivial loop best (s)", f"{base_best:.4f}", "", ""),
        ("core_throughput", "ratio validate_rows / trivial loop", f"{ratio:,.0f}", "", ""),
    ]
    return result, out_rows


# --------------------------------------------------------------------------- memory_1m


def _child(args: list[str]) -> dict[str, Any]:
    """Run ``benchmarks.mem_validate --isolated`` (see there why isolated) and parse it."""
    proc = subprocess.run([sys.executable, "-m", "benchmarks.mem_validate", "--isolated", *args],
                          cwd=REPO, capture_output=True, text=True)
    if proc.returncode:
        raise RuntimeError(f"mem_validate failed: {proc.stderr[-2000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    if result.get("returncode"):
        raise RuntimeError(f"mem_validate child failed: {result.get('stderr_tail', '')}")
    return result


def bench_memory(bench: BenchList, out: Path, baseline: bool) -> tuple[dict[str, Any],
                                                                       list[Row]]:
    """Peak RSS and time of ``validate_file`` on the big list, each in a fresh process."""
    work = out / "mem"
    log(f"memory_1m: validate_file in a child ({bench.rows:,} rows)")
    subj = _child([str(bench.path), "--out", str(work)])
    peak_mib = subj["peak_rss_kib"] / 1024
    result: dict[str, Any] = {
        "rows": bench.rows, "list": str(bench.path), "generator": bench.generator,
        "subject": subj, "peak_rss_mib": peak_mib, "goal_peak_mib_max": MEM_GOAL_MIB,
        "ok": peak_mib < MEM_GOAL_MIB,
    }
    rows: list[Row] = [
        ("memory_1m", "validate_file peak RSS (MiB)", f"{peak_mib:,.0f}",
         f"< {MEM_GOAL_MIB:,}", verdict(peak_mib < MEM_GOAL_MIB)),
        ("memory_1m", "validate_file time in child (s)", f"{subj['seconds']:.1f}", "", ""),
        ("memory_1m", "  child wall incl. start-up (s)", f"{subj['wall_seconds']:.1f}", "", ""),
    ]
    if baseline:
        log("memory_1m: baseline calamine + XlsxWriter(constant_memory) in a child")
        base = _child([str(bench.path), "--out", str(work), "--baseline",
                       *(["--sheet", bench.sheet] if bench.sheet else [])])
        ratio = subj["seconds"] / base["seconds"]
        result.update(baseline=base, ratio_time=ratio,
                      baseline_peak_rss_mib=base["peak_rss_kib"] / 1024)
        rows += [
            ("memory_1m", "baseline time in child (s)", f"{base['seconds']:.1f}", "", ""),
            ("memory_1m", "baseline peak RSS (MiB)", f"{base['peak_rss_kib'] / 1024:,.0f}",
             "", ""),
            ("memory_1m", "ratio time subject / baseline", f"{ratio:.2f}", "", ""),
        ]
    result["load_after"] = load()
    return result, rows


# --------------------------------------------------------------------------- doses


def alternate(labels: tuple[str, ...], run: Callable[[str], int], repeat: int,
              say: Callable[[str, int], str], collect: bool = False
              ) -> tuple[dict[str, list[float]], dict[str, int]]:
    """Run each label ``repeat`` times, alternated so every label sees the same load:
    (wall seconds per label, the count the last run of each returned)."""
    runs: dict[str, list[float]] = {label: [] for label in labels}
    counts: dict[str, int] = {}
    for i in range(repeat):
        for label in labels:
            log(say(label, i))
            wall, _, n = _timed(lambda label=label: run(label))
            runs[label].append(wall)
            counts[label] = n  # type: ignore[assignment]
            if collect:
                gc.collect()
    return runs, counts


def bench_doses_core(with_doses: BenchList, without: BenchList,
                     repeat: int = 3) -> tuple[dict[str, Any], list[Row]]:
    """``validate_rows`` on the same persons with and without their dose columns, read once
    each with ``read_table``; best of ``repeat`` each, the runs alternated so both see the
    same load; ratio = best with doses / best without."""
    from vaxclean_xl.core.validate import validate_rows
    from vaxclean_xl.io.reader import read_table

    tables = {}
    for label, bench in (("with", with_doses), ("without", without)):
        log(f"doses: read_table {label} doses ({bench.rows:,} rows)")
        tables[label] = read_table(bench.path)
    if tables["with"].dose_layout is None:
        raise RuntimeError(f"doses: the reader found no dose columns in {with_doses.path}")
    if tables["without"].dose_layout is not None:
        raise RuntimeError(f"doses: the reader found dose columns in {without.path}")

    def run(label: str) -> int:
        t = tables[label]
        return len(validate_rows(t.rows, t.columns, name_fonts=t.name_fonts,
                                 dose_layout=t.dose_layout, person_rows=t.person_rows).records)

    runs, counts = alternate(("without", "with"), run, repeat,
                             lambda label, i: f"doses: validate_rows {label} doses, run "
                                              f"{i + 1}/{repeat}")
    best_with, best_without = min(runs["with"]), min(runs["without"])
    ratio = best_with / best_without
    ok = ratio <= DOSES_CORE_GOAL
    result = {
        "records_with": counts["with"], "records_without": counts["without"],
        "list_with": str(with_doses.path), "list_without": str(without.path),
        "validate_rows_with_runs_s": runs["with"],
        "validate_rows_without_runs_s": runs["without"],
        "validate_rows_with_best_s": best_with, "validate_rows_without_best_s": best_without,
        "ratio": ratio, "goal_ratio_max": DOSES_CORE_GOAL, "ok": ok, "load_after": load(),
    }
    rows: list[Row] = [
        ("doses", f"core: validate_rows without doses, best of {repeat} (s)",
         f"{best_without:.3f}", "", ""),
        ("doses", "  all runs (s)", " ".join(f"{x:.3f}" for x in runs["without"]), "", ""),
        ("doses", f"core: validate_rows with doses, best of {repeat} (s)",
         f"{best_with:.3f}", "", ""),
        ("doses", "  all runs (s)", " ".join(f"{x:.3f}" for x in runs["with"]), "", ""),
        ("doses", f"core: ratio with / without doses ({counts['with']:,} persons)",
         f"{ratio:.2f}", f"<= {DOSES_CORE_GOAL}", verdict(ok)),
    ]
    return result, rows


# --------------------------------------------------------------------------- main


def bench_passport(bench: BenchList, out: Path,
                   repeat: int = 2) -> tuple[dict[str, Any], list[Row]]:
    """``passport`` against ``validate_file`` on the same list, runs alternated, best of
    ``repeat`` each; ratio = best passport / best validate."""
    from vaxclean_xl.commands.passport import passport
    from vaxclean_xl.commands.validate import validate_file

    work = out / "passport"
    work.mkdir(parents=True, exist_ok=True)
    outputs = {"validate": (work / "v.kiemtra.xlsx", work / "v.kiemtra.json"),
               "passport": (work / "p.hochieu.xlsx", work / "p.hochieu.json")}

    def run(label: str) -> int:
        xlsx, js = outputs[label]
        xlsx.unlink(missing_ok=True)
        js.unlink(missing_ok=True)
        if label == "validate":
            return len(validate_file(bench.path, xlsx, js).result.records)
        return len(passport(bench.path, xlsx, json=js).assessment.entries)

    load_before = load()
    runs, counts = alternate(("validate", "passport"), run, repeat,
                             lambda label, i: f"passport: {label} ({bench.rows:,} rows), run "
                                              f"{i + 1}/{repeat}", collect=True)
    best_v, best_p = min(runs["validate"]), min(runs["passport"])
    ratio = best_p / best_v
    result = {"rows": bench.rows, "list": str(bench.path), "runs_s": runs,
              "validate_best_s": best_v, "passport_best_s": best_p, "persons": counts,
              "ratio": ratio, "goal_ratio_max": PASSPORT_GOAL, "ok": ratio <= PASSPORT_GOAL,
              "load_before": load_before, "load_after": load()}
    rows: list[Row] = [
        ("passport", f"validate_file, best of {repeat} (s)", f"{best_v:.2f}", "", ""),
        ("passport", f"passport, best of {repeat} (s)", f"{best_p:.2f}", "", ""),
        ("passport", f"ratio passport / validate ({counts['passport']:,} persons)",
         f"{ratio:.2f}", f"<= {PASSPORT_GOAL}", verdict(ratio <= PASSPORT_GOAL)),
    ]
    return result, rows


def print_table(rows: list[Row]) -> None:
    heads = ("benchmark", "metric", "value", "goal", "")
    widths = [max(len(r[i]) for r in [heads, *rows]) for i in range(5)]
    line = "  ".join("-" * w for w in widths)
    print(line)
    print("  ".join(h.ljust(w) for h, w in zip(heads, widths, strict=True)).rstrip())
    print(line)
    for r in rows:
        cells = [r[0].ljust(widths[0]), r[1].ljust(widths[1]), r[2].rjust(widths[2]),
                 r[3].ljust(widths[3]), r[4]]
        print("  ".join(cells).rstrip())
    print(line)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=200_000, help="records of the list (e2e, core)")
    ap.add_argument("--only", choices=NAMES, help="run one benchmark")
    ap.add_argument("--big-rows", type=int, default=1_000_000, help="records for memory_1m")
    ap.add_argument("--skip-big", action="store_true", help="skip memory_1m")
    ap.add_argument("--no-big-baseline", action="store_true",
                    help="memory_1m without its time baseline (saves a few minutes)")
    ap.add_argument("--seed", type=int, default=2022)
    ap.add_argument("--generator", choices=("auto", "sample", "bench"), default="auto",
                    help="list generator: vaxclean_xl.sample, benchmarks.data, or auto")
    ap.add_argument("--error-rate", type=float, default=0.10,
                    help="share of records with an injected problem (default 0.10)")
    ap.add_argument("--out", type=Path, default=Path("benchmarks/out"))
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    wanted = [args.only] if args.only else list(NAMES)
    if args.skip_big and "memory_1m" in wanted:
        wanted.remove("memory_1m")
    started = dt.datetime.now().astimezone()
    meta: dict[str, Any] = {
        "started": started.isoformat(timespec="seconds"), "python": sys.version.split()[0],
        "platform": platform.platform(), "cpus": os.cpu_count(), "load_start": load(),
        "rows": args.rows, "big_rows": args.big_rows, "seed": args.seed,
        "error_rate": args.error_rate, "git": git_state(),
    }
    log(f"load average at start: {meta['load_start']} ({os.cpu_count()} CPUs)")
    results: dict[str, Any] = {}
    table: list[Row] = []
    if {"validate_e2e", "core_throughput", "split_merge"} & set(wanted):
        small = ensure_list(args.rows, args.seed, out, args.generator, log, args.error_rate)
        meta["list"], meta["generator"] = str(small.path), small.generator
        if "validate_e2e" in wanted:
            results["validate_e2e"], rows = bench_e2e(small, out)
            table += rows
        if "core_throughput" in wanted:
            results["core_throughput"], rows = bench_core(small)
            table += rows
            gc.collect()
        if "split_merge" in wanted:
            from benchmarks.split_merge import bench_split_merge
            from vaxclean_xl.sample import generate_sample

            forty = out / f"list-sample-{args.rows}r-s{args.seed}-40hamlets.xlsx"
            if not forty.exists():  # the case: 40 hamlet files
                log(f"split_merge: generating {forty.name}")
                generate_sample(forty, rows=args.rows, seed=args.seed, hamlets=40,
                                error_rate=args.error_rate)
            log(f"split_merge: split --all, baselines, merge ({args.rows:,} rows, 40 hamlets)")
            results["split_merge"], rows = bench_split_merge(forty, "Danh sách", out, _timed)
            results["split_merge"]["ok"] = (results["split_merge"]["split_ok"]
                                            and results["split_merge"]["merge_ok"])
            table += rows
            gc.collect()
    if "doses" in wanted:
        from benchmarks.data import ensure_sample

        core_rows = min(DOSES_CORE_ROWS, args.rows)
        with_doses = ensure_sample(core_rows, args.seed, out, True, log, args.error_rate)
        without = ensure_sample(core_rows, args.seed, out, False, log, args.error_rate)
        core, rows = bench_doses_core(with_doses, without)
        table += rows
        gc.collect()
        e2e_list = (with_doses if args.rows == core_rows
                    else ensure_sample(args.rows, args.seed, out, True, log, args.error_rate))
        e2e, rows = bench_e2e(e2e_list, out, name="doses", goal=DOSES_E2E_GOAL,
                              folder="e2e-doses")
        table += rows
        results["doses"] = {"core": core, "e2e": e2e, "ok": core["ok"] and e2e["ok"]}
        gc.collect()
    if "passport" in wanted:
        from benchmarks.data import ensure_sample

        listed = ensure_sample(args.rows, args.seed, out, True, log, args.error_rate)
        results["passport"], rows = bench_passport(listed, out)
        table += rows
        gc.collect()
    if "memory_1m" in wanted:
        t0 = time.perf_counter()
        big = ensure_list(args.big_rows, args.seed, out, args.generator, log, args.error_rate)
        meta["big_list"], meta["big_generator"] = str(big.path), big.generator
        meta["big_ready_s"] = time.perf_counter() - t0  # generation time when not cached
        results["memory_1m"], rows = bench_memory(big, out, not args.no_big_baseline)
        table += rows
    meta["load_end"] = load()
    meta["runner_peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    meta["finished"] = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    print(f"vaxclean_xl benchmarks, {meta['started']}, Python {meta['python']}, "
          f"{meta['cpus']} CPUs; load average start {meta['load_start']}, "
          f"end {meta['load_end']}")
    modified = [f for f in meta["git"]["modified"] if f.startswith("vaxclean_xl/")]
    print(f"code: {meta['git']['head']}"
          + (f" + uncommitted {', '.join(modified)}" if modified else "")
          + f"; lists: {meta.get('generator', '-')} / {meta.get('big_generator', '-')}")
    if table:
        print_table(table)
    goals = [r["ok"] for r in results.values()]
    print(f"goals met: {sum(goals)}/{len(goals)}; results in {out / 'results.json'}")
    (out / "results.json").write_text(
        json.dumps({"meta": meta, "benchmarks": results}, indent=2, ensure_ascii=False) + "\n",
        encoding="utf-8")
    return 0  # a missed goal is a result to read, not a failure of the run


if __name__ == "__main__":
    raise SystemExit(main())
