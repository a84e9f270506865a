"""``vaxclean police-list``: its options and what it prints (the work is
commands.police_list)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from vaxclean_xl.cli import _mapping, add_baseline_option, add_list_options, list_command
from vaxclean_xl.commands.police_list import OUTPUT_SUFFIX, police_list
from vaxclean_xl.core.model import CATEGORY_LABEL_VI, CATEGORY_ORDER, Category


def cmd_police_list(args: argparse.Namespace) -> int:
    """Print a short Vietnamese summary; exit 0 whenever the list is written (also when
    LibreOffice is missing for --pdf: the message says what to do)."""
    outcome = police_list(args.input, args.output, pdf=args.pdf, settings_file=args.settings,
                          sheet=args.sheet, mapping=_mapping(args.map), baseline=args.baseline)
    total = len(outcome.result.records)
    print(f"Đã lập danh sách đề nghị Công an xã đối chiếu: {outcome.count} người cần xác "
          f"minh trong {total} bản ghi, thuộc {len(outcome.groups)} thôn/ấp.")
    for cat in CATEGORY_ORDER:
        if cat is not Category.OK:
            print(f"  {CATEGORY_LABEL_VI[cat]:<32} {outcome.result.by_category[cat]:>8}")
    print(f"Tệp danh sách: {outcome.output}")
    if outcome.pdf:
        print(f"Tệp PDF:       {outcome.pdf}")
    elif outcome.pdf_message:
        print(outcome.pdf_message, file=sys.stderr)
    return 0


def add_police_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``vaxclean police-list``."""
    p = list_command(subparsers, "police-list",
                     "Lập danh sách đề nghị Công an xã đối chiếu với CSDLQG về dân cư (để in, "
                     "ký).", "Danh sách đã rà soát (thường là tệp đã gộp từ các thôn)",
                     OUTPUT_SUFFIX)
    p.add_argument("--pdf", action="store_true",
                   help="Tạo thêm tệp PDF để in (cần LibreOffice)")
    add_list_options(p)
    add_baseline_option(p, "đưa cả những người đã sai lúc đầu (thôn đã sửa) vào danh sách "
                           "để Công an xác minh")
    p.set_defaults(func=cmd_police_list)
    return p
