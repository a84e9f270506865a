"""``vaxclean doctor``: its options and what it prints (the facts are excel.diagnostics,
shared with the "Kiểm tra cài đặt" button)."""

from __future__ import annotations

import argparse
import json
from typing import Any


def cmd_doctor(args: argparse.Namespace) -> int:
    """``vaxclean doctor``: print the diagnostics (``--json`` for machines); exit 1 when a
    finding blocks the Excel buttons, so an installer script can stop on it."""
    from vaxclean_xl.cli import EXIT_ERRORS, EXIT_OK
    from vaxclean_xl.excel.diagnostics import doctor, doctor_lines, has_errors

    info = doctor(measure=not args.no_measure)
    if args.json:
        print(json.dumps(info, ensure_ascii=False, indent=1))
    else:
        for line in doctor_lines(info):
            print(line)
    return EXIT_ERRORS if has_errors(info) else EXIT_OK


def add_doctor_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``vaxclean doctor``."""
    p = subparsers.add_parser(
        "doctor", help="Kiểm tra cài đặt: phiên bản Python, vaxclean, xlwings, đường dẫn; "
        "trên Windows cả Office, XLSTART, Mark of the Web, macro, Defender (mã thoát 1 khi "
        "có lỗi chặn các nút).")
    p.add_argument("--json", action="store_true", help="In dạng JSON")
    p.add_argument("--no-measure", action="store_true",
                   help="Không đo thời gian nạp (nhanh hơn)")
    p.set_defaults(func=cmd_doctor)
    return p
