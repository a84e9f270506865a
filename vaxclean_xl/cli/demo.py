"""``vaxclean demo``: its options (the work and what it prints are commands.demo)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def cmd_demo(args: argparse.Namespace) -> int:
    """Run the whole procedure on sample data; the demo's own exit code."""
    from vaxclean_xl.commands.demo import run_demo

    return run_demo(Path(args.out), rows=args.rows, seed=args.seed)


def add_demo_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``vaxclean demo``."""
    d = subparsers.add_parser("demo", help="Chạy thử toàn bộ quy trình trên dữ liệu mẫu.")
    d.add_argument("--out", default="demo-output",
                   help="Thư mục ghi các tệp chạy thử (mặc định demo-output)")
    d.add_argument("--rows", type=int, default=800,
                   help="Số dòng của danh sách mẫu (mặc định 800)")
    d.add_argument("--seed", type=int, default=2022,
                   help="Số khởi tạo ngẫu nhiên của danh sách mẫu (mặc định 2022)")
    d.set_defaults(func=cmd_demo)
    return d
