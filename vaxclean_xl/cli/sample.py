"""``vaxclean sample``: its options and what it prints (the work is vaxclean_xl.sample)."""

from __future__ import annotations

import argparse
from typing import Any

from vaxclean_xl.cli import EXIT_OK


def cmd_sample(args: argparse.Namespace) -> int:
    """Print where the sample list and its answer key are; exit 0."""
    from vaxclean_xl.sample import generate_sample

    truth = generate_sample(args.output, rows=args.rows, seed=args.seed, hamlets=args.hamlets)
    print(f"Đã tạo danh sách mẫu: {args.output} ({args.rows} dòng); đáp án: {truth}")
    return EXIT_OK


def add_sample_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``vaxclean sample``."""
    s = subparsers.add_parser("sample",
                              help="Tạo danh sách mẫu có lỗi cài sẵn (để thử và kiểm thử).")
    s.add_argument("output", help="Tệp .xlsx danh sách mẫu sẽ tạo")
    s.add_argument("--rows", type=int, default=500, help="Số dòng (mặc định 500)")
    s.add_argument("--seed", type=int, default=1,
                   help="Số khởi tạo ngẫu nhiên: cùng số cho cùng danh sách (mặc định 1)")
    s.add_argument("--hamlets", type=int, help="Số thôn/xóm (mặc định: ngẫu nhiên 5–40)")
    s.set_defaults(func=cmd_sample)
    return s
