"""``doctor()``: what a supporter needs to know when a button does not work.

Why: staff cannot read a traceback, but they can read a box with versions and paths to a
supporter on the phone. The same facts come from the "Kiểm tra cài đặt" button (inside
Excel, proving that Excel can start Python at all) and from ``vaxclean doctor`` (in a
command window, when Excel cannot). Nothing here reads a workbook; no personal data.

On Windows it also checks what blocks a first click on a station PC (Office and Python
bits, the add-in in XLSTART, the "Mark of the Web", macro settings, Defender's rule against
Office starting programs): :mod:`.windows_probe` reads, :mod:`.windows_checks` judges, and
each finding comes with its fix in Vietnamese. Elsewhere those checks are said to be skipped.

It also measures how long ``import vaxclean_xl.excel.dispatch`` takes in a fresh
interpreter, since that is latency on every click (budget :data:`IMPORT_BUDGET_S`).
"""

from __future__ import annotations

import argparse
import platform
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

IMPORT_BUDGET_S = 0.3
DISPATCH_MODULE = "vaxclean_xl.excel.dispatch"
NOT_INSTALLED = "chưa cài"
WINDOWS_SKIPPED = ("bỏ qua vì máy này không chạy Windows (Office, XLSTART, Mark of the Web, "
                   "cài đặt macro, Microsoft Defender)")

_LINE = re.compile(r"^import time:\s+(\d+)\s+\|\s+(\d+)\s+\| ( *)(\S+)\s*$")


def parse_importtime(stderr: str, module: str) -> float:
    """Seconds to import ``module`` from ``python -X importtime`` output.

    The total is the sum of the cumulative times of the top-level entries for the module
    and its parent packages (``import a.b.c`` imports ``a``, ``a.b``, ``a.b.c`` one after
    the other, each a top-level entry whose cumulative time includes what it imported).
    Raises ValueError if the module is not in the output.
    """
    wanted = set()
    parts = module.split(".")
    for i in range(1, len(parts) + 1):
        wanted.add(".".join(parts[:i]))
    total_us = 0
    found = False
    for line in stderr.splitlines():
        m = _LINE.match(line)
        if not m or m.group(3):  # nested entries are inside a top-level cumulative
            continue
        if m.group(4) in wanted:
            total_us += int(m.group(2))
            found = found or m.group(4) == module
    if not found:
        raise ValueError(f"{module} not found in -X importtime output")
    return total_us / 1e6


def measure_import(module: str = DISPATCH_MODULE, python: str | None = None,
                   timeout: float = 60.0) -> float:
    """Import time of ``module`` in a fresh interpreter (``-X importtime``), seconds."""
    flags = 0x08000000 if sys.platform == "win32" else 0  # CREATE_NO_WINDOW: no console flash
    proc = subprocess.run(
        [python or sys.executable, "-X", "importtime", "-c", f"import {module}"],
        capture_output=True, text=True, timeout=timeout, creationflags=flags,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"import {module} failed (exit {proc.returncode})")
    return parse_importtime(proc.stderr, module)


def _version(dist: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return NOT_INSTALLED


def _xlwings_conf() -> str:
    """The user-level config files RunPython reads its interpreter from, and whether they
    exist: the add-in's own (project "vaxclean") and xlwings' default one."""
    from vaxclean_xl.excel.registry import ADDIN_PROJECT

    home = Path.home()
    paths = [home / f".{ADDIN_PROJECT}" / f"{ADDIN_PROJECT}.conf",
             home / ".xlwings" / "xlwings.conf"]
    return "; ".join(f"{p} ({'có' if p.is_file() else 'không có'})" for p in paths)


def windows_checks() -> dict[str, Any]:
    """The Windows checks' part of :func:`doctor`: Office's version and bits, XLSTART and
    the findings (as dicts), or a skip note on another system."""
    if sys.platform != "win32":
        return {"windows_checks": WINDOWS_SKIPPED, "findings": []}
    from vaxclean_xl.excel.windows_checks import windows_findings, windows_summary
    from vaxclean_xl.excel.windows_probe import probe

    facts = probe()
    found = windows_findings(facts)
    return {**windows_summary(facts),
            "windows_checks": f"{len(found)} điều cần xem" if found else "không có vấn đề",
            "findings": [f.as_dict() for f in found]}


def doctor(*, measure: bool = True, windows: bool = True) -> dict[str, Any]:
    """Python, package and xlwings versions, interpreter path, platform, log path, whether
    the click entry point imports fast enough and (``windows``) the first-run checks."""
    from vaxclean_xl import __version__
    from vaxclean_xl.logs import log_path

    info: dict[str, Any] = {
        "python": platform.python_version(),
        "python_bits": 64 if sys.maxsize > 2**32 else 32,
        "executable": sys.executable,
        "vaxclean": __version__,
        "package_path": str(Path(__file__).resolve().parents[1]),
        "xlwings": _version("xlwings"),
        "platform": platform.platform(),
        "log": str(log_path()),
        "xlwings_conf": _xlwings_conf(),
        "pywin32": _version("pywin32") if sys.platform == "win32" else "-",
    }
    if measure:
        try:
            seconds = measure_import()
            info["dispatch_import_s"] = round(seconds, 3)
            info["import_fast"] = seconds <= IMPORT_BUDGET_S
        except Exception as exc:  # report, never fail the diagnostics themselves
            info["dispatch_import_s"] = None
            info["import_fast"] = False
            info["import_error"] = type(exc).__name__
    if windows:
        info.update(windows_checks())
    return info


def has_errors(info: dict[str, Any]) -> bool:
    """Whether a finding blocks the buttons (``vaxclean doctor`` then exits 1)."""
    return any(f["level"] == "error" for f in info.get("findings", []))


_LABELS = {
    "python": "Python",
    "python_bits": "Số bit của Python",
    "executable": "Trình thông dịch",
    "vaxclean": "vaxclean",
    "package_path": "Thư mục gói",
    "xlwings": "xlwings",
    "pywin32": "pywin32",
    "platform": "Hệ điều hành",
    "log": "Tệp nhật ký",
    "xlwings_conf": "Cấu hình xlwings",
    "excel_engine": "Kết nối Excel",
    "dispatch_import_s": "Thời gian nạp (giây)",
    "import_fast": "Nạp đủ nhanh",
    "import_error": "Lỗi khi nạp",
    "office": "Microsoft Office",
    "xlstart": "Thư mục XLSTART",
    "unreadable": "Không đọc được",
    "windows_checks": "Kiểm tra Windows",
}


def doctor_lines(info: dict[str, Any]) -> list[str]:
    """``info`` as Vietnamese "label: value" lines for a message box or a terminal."""
    from vaxclean_xl.excel.windows_checks import Finding

    lines = []
    for key, value in info.items():
        if key == "findings":
            continue
        if isinstance(value, bool):
            value = "có" if value else "KHÔNG"
        lines.append(f"{_LABELS.get(key, key)}: {value}")
    if info.get("xlwings") == NOT_INSTALLED:
        lines.append("→ Chưa cài xlwings: các nút trong Excel không chạy được (lệnh vaxclean "
                     "vẫn dùng được). Cài bằng: pip install \"vaxclean-xl[excel]\".")
    if info.get("import_fast") is False:
        lines.append(f"→ Nạp chậm hơn {IMPORT_BUDGET_S} giây: mỗi lần bấm nút sẽ chờ lâu hơn "
                     "(máy chậm hoặc phần mềm diệt virus quét thư mục Python).")
    for f in info.get("findings", []):
        lines.extend(Finding(**f).lines())
    return lines


if __name__ == "__main__":  # python -m vaxclean_xl.excel.diagnostics
    from vaxclean_xl.cli.doctor import add_doctor_parser

    parser = argparse.ArgumentParser(prog="vaxclean-doctor")
    sub = parser.add_subparsers(dest="command", required=True)
    add_doctor_parser(sub)
    ns = parser.parse_args(["doctor", *sys.argv[1:]])
    raise SystemExit(ns.func(ns))


__all__ = ["doctor", "doctor_lines", "has_errors", "measure_import", "parse_importtime",
           "windows_checks"]
