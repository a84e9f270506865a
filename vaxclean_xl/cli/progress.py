"""``vaxclean progress``: its options and what it prints (the work is commands.progress)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from vaxclean_xl.notices import notify


def cmd_progress(args: argparse.Namespace) -> int:
    """``vaxclean progress``: print a short Vietnamese summary; exit 0."""
    from vaxclean_xl.commands.progress import progress

    outcome = progress([Path(p) for p in args.inputs], Path(args.output))
    print(f"Đã lập báo cáo tiến độ cho {len(outcome.lists)} danh sách:")
    for lst in outcome.lists:
        t = lst.total
        errors = "?" if t.errors is None else str(t.errors)
        still = "?" if t.open is None else str(t.open)
        print(f"  «{lst.sheet}»: {len(lst.hamlets)} thôn/xóm, {errors} bản ghi lỗi khi kiểm "
              f"tra, còn tồn {still}; {t.files_sent} tệp đã gửi, "
              f"{sum(1 for h in lst.hamlets if h.returned)} thôn đã trả về.")
    print(f"Tệp báo cáo: {outcome.output}")
    for w in outcome.warnings:
        notify(w)
    return outcome.exit_code


def add_progress_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``vaxclean progress``."""
    p = subparsers.add_parser(
        "progress",
        help="Báo cáo tiến độ làm sạch theo từng thôn/xóm, từ các tệp kết quả đã có.")
    p.add_argument("inputs", nargs="+", metavar="ĐẦU_VÀO",
                   help="Các tệp kết quả (báo cáo JSON của validate/merge, manifest.json, danh "
                        "sách công an, báo cáo import, danh sách sửa tay) hoặc thư mục chứa "
                        "chúng")
    p.add_argument("-o", "--output", required=True, help="Tệp .xlsx báo cáo tiến độ")
    p.set_defaults(func=cmd_progress)
    return p
