"""``vaxclean merge``: its options and what it prints (the work is commands.merge)."""

from __future__ import annotations

import argparse
from typing import Any

from vaxclean_xl.cli import _mapping, add_list_options, add_output_option
from vaxclean_xl.commands.merge import CORRECTABLE, OUTPUT_SUFFIX, merge_files
from vaxclean_xl.core.model import FIELD_LABEL_VI
from vaxclean_xl.errors import E, InputError


def cmd_merge(args: argparse.Namespace) -> int:
    """``vaxclean merge``: print what was merged; exit 0/1 like validate."""
    outcome = merge_files(args.original, args.returned, args.output, args.json,
                          force=args.force, password=args.password,
                          accept=[_accept_item(a) for a in args.accept or ()],
                          sheet=args.sheet, mapping=_mapping(args.map))
    report = outcome.merge_report
    s = report.summary
    v = report.validation
    print(f"Đã gộp {s.files - s.refused}/{s.files} tệp trả về vào "
          f"{s.records_out} bản ghi (vào {s.records_in}, ra {s.records_out}):")
    rows = [("Thay đổi đã áp dụng", s.changes), ("Xung đột (giữ giá trị gốc)", s.conflicts),
            ("Sửa chưa hợp lệ (giữ giá trị gốc)", s.rejected),
            ("Sửa vào cột gốc (chưa áp dụng)", s.original_edits),
            ("Người bổ sung từ thôn", s.added), ("Thiếu trong tệp trả về", s.missing),
            ("Thôn chưa trả về", s.not_returned), ("Tệp bị từ chối", s.refused)]
    if s.police_files:
        rows += [("Công an xác nhận đúng", s.police_verified),
                 ("Công an ghi thông tin đúng", s.police_corrected),
                 ("Công an sửa lại đề nghị của thôn", s.overruled),
                 ("Sai, chưa có thông tin đúng", s.police_unresolved),
                 ("Công an chưa ghi kết quả", s.police_not_verified)]
        if s.police_unmatched:
            rows.append(("Dòng công an không khớp", s.police_unmatched))
    for label, n in rows:
        print(f"  {label:<32} {n:>8}")
    if not report.source_matches_split:
        print("  Lưu ý: danh sách gốc không còn giống hệt tệp đã dùng để chia; đã khớp theo mã "
              "bản ghi và giá trị gốc.")
    for f in report.files:
        if f.status == "refused":
            print(f"  Từ chối «{f.path.name}»: {f.reason}")
    print(f"Kiểm tra lại: {v['records']} bản ghi, {v['OK']} đúng, "
          f"{v['records'] - v['OK']} còn sai, {v['warnings']} cảnh báo.")
    print(f"Danh sách đã gộp: {outcome.output}")
    if outcome.report_path:
        print(f"Báo cáo JSON:     {outcome.report_path}")
    return outcome.exit_code


def _accept_item(text: str) -> tuple[int, str]:
    """'12:dob' or '12:Ngày sinh' -> (12, 'dob'); a clear message otherwise."""
    row, _sep, name = text.partition(":")
    wanted = " ".join(name.casefold().split())
    fields = {f: f for f in CORRECTABLE} | {FIELD_LABEL_VI[f].casefold(): f for f in CORRECTABLE}
    if row.strip().isdigit() and wanted in fields:
        return int(row), fields[wanted]
    raise InputError(f"--accept cần dạng DÒNG:TRƯỜNG (ví dụ 12:dob hoặc 12:Ngày sinh), không "
                     f"phải «{text}».", code=E.ACCEPT_OPTION)


def add_merge_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``vaxclean merge``."""
    p = subparsers.add_parser(
        "merge", help="Gộp các tệp thôn và danh sách công an gửi lại vào danh sách gốc và "
                      "kiểm tra lại.")
    p.add_argument("original", help="Danh sách gốc đã dùng để chia tệp cho các thôn (hoặc để "
                                    "lập danh sách công an)")
    p.add_argument("returned", nargs="+",
                   help="Các tệp thôn gửi lại, hoặc thư mục chứa chúng (và manifest.json); "
                        "danh sách đối chiếu công an đã ghi kết quả (thông tin của công an "
                        "được ưu tiên)")
    add_output_option(p, OUTPUT_SUFFIX, "danh sách gốc")
    p.add_argument("--json", help="Ghi báo cáo JSON vào tệp này")
    p.add_argument("--force", action="store_true",
                   help="Vẫn gộp khi danh sách gốc khác với lần chia (manifest.json) hoặc "
                        "với danh sách đã dùng để lập danh sách công an")
    p.add_argument("--password", help="Mật khẩu của các tệp thôn (nếu đã chia có mật khẩu)")
    p.add_argument("--accept", action="append", metavar="DÒNG:TRƯỜNG",
                   help="Vẫn áp dụng một đề nghị sửa bị giữ lại vì giá trị mới sai quy tắc "
                        "(xem trang «Sửa chưa hợp lệ»), ví dụ --accept 12:dob; trường: "
                        "full_name, dob, sex, id_number hoặc tên cột (Ngày sinh…)")
    add_list_options(p, settings=None)  # how ORIGINAL is read, as for validate and split
    p.set_defaults(func=cmd_merge)
    return p
