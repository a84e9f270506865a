"""``vaxclean split``: its options and what it prints (the work is commands.split)."""

from __future__ import annotations

import argparse
from typing import Any

from vaxclean_xl.cli import EXIT_OK, _mapping, add_list_options


def cmd_split(args: argparse.Namespace) -> int:
    """Print the hamlet files written or kept; exit 0."""
    from vaxclean_xl.commands.split import split_file

    outcome = split_file(args.input, args.dir, all_records=args.all, password=args.password,
                         settings_file=args.settings, sheet=args.sheet,
                         mapping=_mapping(args.map), new_round=args.new_round)
    total = sum(len(f.records) for f in outcome.files)
    which = "tất cả bản ghi" if args.all else "các bản ghi có lỗi"
    where = outcome.folder or args.dir
    if outcome.reused and not outcome.written:
        print(f"Thư mục {where} đã có đúng lần chia này ({len(outcome.files)} tệp, {total} bản "
              "ghi): không ghi lại tệp nào.")
    else:
        lan = f" (lần chia {outcome.round_no})" if outcome.round_no > 1 else ""
        print(f"Đã chia {total} bản ghi ({which}) thành {len(outcome.files)} tệp trong "
              f"{where}{lan}:")
    written = set(outcome.written)
    edited = set(outcome.kept_edited)
    for f in outcome.files:
        state = ("" if f.path in written else
                 "  (đã có chỉnh sửa, giữ nguyên)" if f.path in edited else "  (giữ nguyên)")
        print(f"  {f.path.name:<32} {len(f.records):>6}  {f.hamlet}{state}")
    print(f"Danh mục tệp: {outcome.manifest}")
    return EXIT_OK


def add_split_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``vaxclean split``."""
    sp = subparsers.add_parser("split", help="Chia danh sách thành từng tệp cho mỗi thôn/xóm.")
    sp.add_argument("input", help="Tệp danh sách")
    sp.add_argument("-d", "--dir", required=True, help="Thư mục ghi các tệp của thôn")
    sp.add_argument("--all", action="store_true", help="Gửi mọi bản ghi, không chỉ bản ghi lỗi")
    sp.add_argument("--password", help="Đặt mật khẩu mở tệp cho các tệp của thôn")
    add_list_options(sp)
    sp.add_argument("--new-round", action="store_true",
                    help="Tạo lần chia mới trong thư mục con «lan-N» (giữ nguyên các tệp của "
                         "lần chia trước)")
    sp.set_defaults(func=cmd_split)
    return sp
