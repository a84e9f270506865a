"""``vaxclean export-import``: its options and what it prints (the work is
commands.export_import)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from vaxclean_xl.cli import _mapping, add_baseline_option, add_list_options
from vaxclean_xl.commands.export_import import OUTPUT_SUFFIX, export_import
from vaxclean_xl.formats.import_file import DEFAULT_SPEC, available_specs
from vaxclean_xl.formats.import_report import REPORT_SUFFIX, SHEET_NOT_ELIGIBLE
from vaxclean_xl.notices import notify

STDERR_ROWS = 50  # not-eligible rows listed on stderr; the report has them all


def cmd_export_import(args: argparse.Namespace) -> int:
    """``vaxclean export-import``: print what was written; exit 0/1 like validate."""
    outcome = export_import(args.input, args.output, template=args.template,
                            settings_file=args.settings, report=args.report, sheet=args.sheet,
                            baseline=args.baseline, spec=args.spec, mapping=_mapping(args.map))
    where = (f"mẫu «{outcome.template.name}»" if outcome.template
             else f"mẫu {outcome.spec}")
    print(f"Đã ghi {outcome.written} bản ghi vào tệp import ({where}, trang «{outcome.sheet}», "
          f"từ dòng {outcome.first_row}):")
    print(f"  {'Chưa đủ điều kiện (còn sai)':<36} {len(outcome.not_eligible):>8}")
    if outcome.baseline is not None:
        print(f"  {'Ngoài phạm vi import':<36} {outcome.out_of_scope:>8}")
    if outcome.empty_columns:
        print("Cột để trống (điền tay trước khi tải lên):")
        for cid, n in outcome.empty_columns.items():
            print(f"  {outcome.labels.get(cid, cid):<60} {n:>6}")
    print(f"Tệp import: {outcome.output}")
    print(f"Báo cáo:    {outcome.report}")
    for w in outcome.warnings:
        notify(w)
    if outcome.not_eligible:
        print(f"{len(outcome.not_eligible)} bản ghi chưa đủ điều kiện (không ghi; xem trang "
              f"«{SHEET_NOT_ELIGIBLE}» của báo cáo):", file=sys.stderr)
        for item in outcome.not_eligible[:STDERR_ROWS]:
            print(f"  Dòng {item.row}: {', '.join(item.codes)}", file=sys.stderr)
        if len(outcome.not_eligible) > STDERR_ROWS:
            print(f"  … và {len(outcome.not_eligible) - STDERR_ROWS} dòng khác.",
                  file=sys.stderr)
    return outcome.exit_code


def add_export_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``vaxclean export-import``."""
    specs = ", ".join(available_specs()) or DEFAULT_SPEC
    p = subparsers.add_parser(
        "export-import",
        help="Xuất tệp Excel để import lên Nền tảng Quản lý tiêm chủng COVID-19 (bước 4).",
        description=(
            "Ghi các bản ghi không có/sai định dạng số CCCD/CMND, nay đã đúng, vào tệp import "
            "của Nền tảng. Nên dùng --baseline (báo cáo JSON của lệnh validate trên danh sách "
            "GỐC) để chỉ chọn nhóm đó; không có --baseline thì xuất mọi bản ghi đúng có số "
            "CCCD/CMND. Bản ghi còn sai không được ghi mà liệt kê trong báo cáo."),
    )
    p.add_argument("input", help="Danh sách đã sửa (đã gộp), .xlsx/.xlsm/.xls/.ods/.csv")
    p.add_argument("-o", "--output",
                   help=f"Tệp import (mặc định <tên>{OUTPUT_SUFFIX} cạnh danh sách)")
    p.add_argument("--template",
                   help="Tệp mẫu tải từ Nền tảng (.xls, .xlsx): điền dữ liệu vào mẫu này, giữ "
                        "nguyên mọi thứ khác; mẫu .xls cần LibreOffice và được ghi lại dạng .xls "
                        "(hoặc .xlsx nếu -o có đuôi .xlsx); mặc định: mục import_template "
                        "(«Tệp mẫu import của Nền tảng») trong cài đặt, nếu có")
    add_baseline_option(p, "để biết nhóm ban đầu, chỉ xuất các bản ghi lúc đầu không có hoặc "
                           "sai định dạng số CCCD/CMND")
    add_list_options(p, settings="Tệp cài đặt (.toml/.json): tên và mã tỉnh, huyện, xã, "
                                 "mã nhóm ưu tiên mặc định", sheet=False, mapping=False)
    p.add_argument("--report",
                   help=f"Báo cáo .xlsx cho cán bộ (mặc định <tệp import>{REPORT_SUFFIX})")
    p.add_argument("--spec", help=f"Tệp đặc tả mẫu import (.json) hoặc tên có sẵn: {specs} "
                                  f"(mặc định {DEFAULT_SPEC})")
    add_list_options(p, settings=None)
    p.set_defaults(func=cmd_export_import)
    return p
