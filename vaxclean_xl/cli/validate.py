"""``vaxclean validate``: its options and what it prints (the work is commands.validate)."""

from __future__ import annotations

import argparse
from typing import Any

from vaxclean_xl.cli import EXIT_ERRORS, EXIT_OK, _mapping, _Progress, add_list_options


def cmd_validate(args: argparse.Namespace) -> int:
    """Print the counts per group; exit 1 when a record has an error, else 0."""
    from vaxclean_xl.commands.validate import validate_file

    outcome = validate_file(
        args.input, args.output, args.json, sheet=args.sheet, mapping=_mapping(args.map),
        progress=_Progress(not args.quiet),
    )
    s = outcome.result.summary()
    print(f"Đã kiểm tra {s['records']} bản ghi (trang «{outcome.table.sheet}», "
          f"dòng {outcome.table.first_data_row}–{outcome.table.last_data_row}):")
    from vaxclean_xl.core.model import CATEGORY_LABEL_VI, CATEGORY_ORDER

    for cat in CATEGORY_ORDER:
        print(f"  {CATEGORY_LABEL_VI[cat]:<32} {s[cat.value]:>8}")
    print(f"  {'Cảnh báo':<32} {s['warnings']:>8}")
    if outcome.output:
        print(f"Tệp đã đánh dấu: {outcome.output}")
    if outcome.report:
        print(f"Báo cáo JSON:    {outcome.report}")
    return EXIT_ERRORS if outcome.result.has_errors else EXIT_OK


def add_validate_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``vaxclean validate``."""
    v = subparsers.add_parser("validate", help="Kiểm tra danh sách, phân nhóm và đánh dấu ô sai.")
    v.add_argument("input", help="Tệp danh sách (.xlsx, .xlsm, .xls, .ods, .csv)")
    v.add_argument("-o", "--output", help="Tệp .xlsx kết quả (mặc định <tên>.kiemtra.xlsx)")
    v.add_argument("--json", help="Ghi báo cáo JSON vào tệp này")
    add_list_options(v, settings=None)
    v.add_argument("-q", "--quiet", action="store_true", help="Không hiện tiến độ")
    v.set_defaults(func=cmd_validate)
    return v
