"""``vaxclean passport``: its options and what it prints (the work is commands.passport)."""

from __future__ import annotations

import argparse
from typing import Any

from vaxclean_xl.cli import _mapping, add_list_options, list_command
from vaxclean_xl.commands.passport import OUTPUT_SUFFIX, passport
from vaxclean_xl.core.passport import REASONS, STATUS_LABEL_VI, Status


def cmd_passport(args: argparse.Namespace) -> int:
    """Print the counts per status and reason; exit 0 when every person with doses is
    ready to sign, 1 when some are not."""
    outcome = passport(args.input, args.output, json=args.json, since=args.since,
                       settings_file=args.settings, sheet=args.sheet,
                       mapping=_mapping(args.map))
    a = outcome.assessment
    n = a.count()
    when = f" có mũi tiêm từ ngày {args.since.strip()}" if args.since else ""
    print(f"Hộ chiếu vắc xin: đã xét {len(a.entries)} người{when}:")
    for s in Status:
        print(f"  {STATUS_LABEL_VI[s]:<32} {n[s]:>8}")
    reasons = a.reason_counts()
    if reasons:
        print("Lý do chưa ký được (số người):")
        for code, rule in REASONS.items():
            if reasons.get(code):
                print(f"  {code} {rule.short_vi:<56} {reasons[code]:>6}")
    if a.pairs:
        print(f"Cặp hồ sơ của cùng một người (cần gộp trên nền tảng): {len(a.pairs)}")
    print(f"Tệp danh sách: {outcome.output}")
    if outcome.report:
        print(f"Báo cáo JSON:  {outcome.report}")
    return outcome.exit_code


def add_passport_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``vaxclean passport``."""
    p = list_command(subparsers, "passport",
                     "Xét ai ký xác nhận hộ chiếu vắc xin được hôm nay, ai chưa và vì sao.",
                     "Danh sách có các cột mũi tiêm (.xlsx, .xlsm, .xls, .ods, .csv)",
                     OUTPUT_SUFFIX)
    p.add_argument("--json", help="Ghi thêm báo cáo JSON (vaxclean.passport/1) vào tệp này")
    p.add_argument("--since", metavar="NGÀY/THÁNG/NĂM",
                   help="Chỉ xét người có mũi tiêm từ ngày này trở đi (danh sách ký trong "
                        "ngày), ví dụ 05/03/2022")
    add_list_options(p, settings="Tệp cài đặt (.toml hoặc .json): tên trạm, người ký, tên "
                                 "gọi khác của vắc xin")
    p.set_defaults(func=cmd_passport)
    return p
