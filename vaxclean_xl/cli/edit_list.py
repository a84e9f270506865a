"""``vaxclean edit-list``: its options and what it prints (the work is commands.edit_list)."""

from __future__ import annotations

import argparse
from typing import Any

from vaxclean_xl.cli import _mapping, add_list_options, list_command
from vaxclean_xl.commands.edit_list import OUTPUT_SUFFIX, edit_list
from vaxclean_xl.formats.merge_report import SHEET_CHANGES
from vaxclean_xl.formats.worklist import BASIS_BASELINE, BASIS_LOG, BASIS_NONE
from vaxclean_xl.notices import notify


def cmd_edit_list(args: argparse.Namespace) -> int:
    """Print a short Vietnamese summary; exit 0 when the worklist is written."""
    outcome = edit_list(args.input, args.output, baseline=args.original, sheet=args.sheet,
                        mapping=_mapping(args.map), settings_file=args.settings)
    print(f"Đã lập danh sách sửa trực tiếp trên nền tảng: {outcome.count} bản ghi, "
          f"{outcome.changed_cells} ô cần sửa.")
    if outcome.basis == BASIS_LOG:
        print(f"  Giá trị trên nền tảng lấy từ trang «{SHEET_CHANGES}»: {outcome.logged} "
              "bản ghi đã được thôn/công an sửa.")
    if outcome.missing_cells:
        what = {BASIS_BASELINE: "ô giá trị mới còn lỗi", BASIS_NONE: "ô chưa có giá trị đúng",
                BASIS_LOG: "ô còn lỗi hoặc chưa có giá trị đúng"}[outcome.basis]
        print(f"  Còn {outcome.missing_cells} {what} (tô đỏ): xác minh trước khi sửa.")
    if outcome.mismatched:
        print(f"  {outcome.mismatched} dòng khác hẳn danh sách gốc: kiểm tra lại.")
    print(f"Tệp danh sách: {outcome.output}")
    for w in outcome.warnings:
        notify(w)
    return 0


def add_edit_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``vaxclean edit-list``."""
    p = list_command(subparsers, "edit-list",
                     "Lập danh sách bản ghi sai thông tin cá nhân cần sửa tay trên nền tảng.",
                     "Danh sách đã làm sạch (sau khi gộp thôn và công an)", OUTPUT_SUFFIX)
    p.add_argument("--original",
                   help="Danh sách gốc (tệp bảng tính) xuất từ nền tảng trước khi làm sạch: "
                        "giá trị hiện có trên nền tảng. Không có thì dùng trang "
                        f"«{SHEET_CHANGES}» của danh sách đã gộp; không có cả hai thì thiếu "
                        "các bản ghi thôn/công an đã sửa (có cảnh báo). Tên cũ --baseline "
                        "vẫn dùng được")
    p.add_argument("--baseline", dest="original", help=argparse.SUPPRESS)  # the old name
    add_list_options(p)
    p.set_defaults(func=cmd_edit_list)
    return p
