"""``vaxclean bundle-windows``: its options and what it prints (the work is
commands.bundle)."""

from __future__ import annotations

import argparse
from typing import Any


def add_bundle_parser(sub: Any) -> None:
    """Register bundle-windows."""
    p = sub.add_parser("bundle-windows",
                       help="Tạo gói cài ngoại tuyến cho Windows (.zip): wheel, add-in, "
                            "hướng dẫn, cai-dat.cmd.")
    p.add_argument("-o", "--output", default="vaxclean-windows.zip",
                   help="Tệp .zip sẽ tạo (mặc định vaxclean-windows.zip)")
    p.add_argument("--cache", metavar="THƯ_MỤC", help="Thư mục lưu wheel đã tải (mặc định "
                                   "~/.cache/vaxclean-bundle)")
    p.add_argument("--refresh", action="store_true",
                   help="Tải lại từ kho gói dù đã có trong bộ nhớ đệm")
    p.add_argument("--python", action="append", metavar="3.X",
                   help="Phiên bản Python cần hỗ trợ (dùng nhiều lần; mặc định 3.11 3.12 "
                        "3.13)")
    p.set_defaults(func=cmd_bundle_windows)


def cmd_bundle_windows(args: argparse.Namespace) -> int:
    """Print what the bundle carries, what was left out, its size and build time."""
    from vaxclean_xl.commands.bundle import CANDIDATE_PYTHONS, build_bundle

    built = build_bundle(args.output, cache=args.cache, refresh=args.refresh,
                         pythons=args.python or CANDIDATE_PYTHONS,
                         note=lambda line: print(line, flush=True))
    print(f"Đã tạo gói cài: {built.path}")
    print("Dành cho: " + ", ".join(t.tag for t in built.targets))
    for target, reason in built.dropped:
        print(f"Không có: {target.tag} ({reason})")
    print(f"{len(built.wheels)} wheel, {built.size / 1e6:.1f} MB, "
          f"{built.seconds:.0f} giây".replace(".", ",", 1))
    return 0
