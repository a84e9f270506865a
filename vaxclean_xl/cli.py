"""The ``vaxclean`` command: a thin door into ``vaxclean_xl.commands``.

Exit codes: 0 no record has an error; 1 some records have errors (outputs written);
2 the input could not be processed (one Vietnamese line on stderr, nothing written).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from vaxclean_xl import __version__
from vaxclean_xl.errors import VaxcleanError

EXIT_OK, EXIT_ERRORS, EXIT_INPUT = 0, 1, 2


class _Progress:
    """A one-line progress bar on stderr for big lists (silent for small ones)."""

    LABELS = {"read": "Đang đọc tệp", "check": "Đang kiểm tra", "write": "Đang ghi kết quả"}

    def __init__(self, enabled: bool, threshold: int = 20_000) -> None:
        self.enabled = enabled and sys.stderr is not None
        self.threshold = threshold
        self.active = False
        self.started = time.monotonic()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        if stage == "check" and total >= self.threshold:
            self.active = True
        if not self.active:
            return
        if stage == "done":
            sys.stderr.write(f"\rXong sau {time.monotonic() - self.started:.1f} giây."
                             + " " * 40 + "\n")
        elif stage == "check" and total:
            width = 30
            filled = int(width * done / total)
            sys.stderr.write(f"\r{self.LABELS[stage]} [{'#' * filled}{'.' * (width - filled)}]"
                             f" {done:,}/{total:,}".replace(",", "."))
        else:
            sys.stderr.write(f"\r{self.LABELS.get(stage, stage)}…" + " " * 50)
        sys.stderr.flush()


def _mapping(items: Sequence[str] | None) -> dict[str, str] | None:
    if not items:
        return None
    out: dict[str, str] = {}
    for item in items:
        field, sep, column = item.partition("=")
        if not sep or not field.strip() or not column.strip():
            raise VaxcleanError(
                f"--map cần dạng trường=CỘT (ví dụ id_number=E), không phải «{item}».",
                code="E001")
        out[field.strip()] = column.strip()
    return out


def cmd_validate(args: argparse.Namespace) -> int:
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


def cmd_split(args: argparse.Namespace) -> int:
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


def cmd_sample(args: argparse.Namespace) -> int:
    from vaxclean_xl.sample import generate_sample

    truth = generate_sample(args.output, rows=args.rows, seed=args.seed, hamlets=args.hamlets)
    print(f"Đã tạo danh sách mẫu: {args.output} ({args.rows} dòng); đáp án: {truth}")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from vaxclean_xl.commands.demo import run_demo

    return run_demo(Path(args.out), rows=args.rows, seed=args.seed)


_MAP_HELP = "Chỉ định cột cho một trường, ví dụ id_number=E (dùng nhiều lần)"


def build_parser() -> argparse.ArgumentParser:
    from vaxclean_xl.argparse_vi import VietnameseArgumentParser

    p = VietnameseArgumentParser(
        prog="vaxclean",
        description="Làm sạch dữ liệu tiêm chủng COVID-19 theo quy trình của Bộ Y tế (2022).",
    )
    p.add_argument("--version", action="version", version=f"vaxclean {__version__}",
                   help="Hiện số phiên bản rồi thoát")
    sub = p.add_subparsers(dest="command", required=True, metavar="LỆNH")

    v = sub.add_parser("validate", help="Kiểm tra danh sách, phân nhóm và đánh dấu ô sai.")
    v.add_argument("input", help="Tệp danh sách (.xlsx, .xlsm, .xls, .ods, .csv)")
    v.add_argument("-o", "--output", help="Tệp .xlsx kết quả (mặc định <tên>.kiemtra.xlsx)")
    v.add_argument("--json", help="Ghi báo cáo JSON vào tệp này")
    v.add_argument("--sheet", help="Tên trang tính chứa danh sách")
    v.add_argument("--map", action="append", metavar="TRƯỜNG=CỘT", help=_MAP_HELP)
    v.add_argument("-q", "--quiet", action="store_true", help="Không hiện tiến độ")
    v.set_defaults(func=cmd_validate)

    sp = sub.add_parser("split", help="Chia danh sách thành từng tệp cho mỗi thôn/xóm.")
    sp.add_argument("input", help="Tệp danh sách")
    sp.add_argument("-d", "--dir", required=True, help="Thư mục ghi các tệp của thôn")
    sp.add_argument("--all", action="store_true", help="Gửi mọi bản ghi, không chỉ bản ghi lỗi")
    sp.add_argument("--password", help="Đặt mật khẩu mở tệp cho các tệp của thôn")
    sp.add_argument("--settings", help="Tệp cài đặt (.toml hoặc .json)")
    sp.add_argument("--sheet", help="Tên trang tính chứa danh sách")
    sp.add_argument("--map", action="append", metavar="TRƯỜNG=CỘT", help=_MAP_HELP)
    sp.add_argument("--new-round", action="store_true",
                    help="Tạo lần chia mới trong thư mục con «lan-N» (giữ nguyên các tệp của "
                         "lần chia trước)")
    sp.set_defaults(func=cmd_split)

    s = sub.add_parser("sample", help="Tạo danh sách mẫu có lỗi cài sẵn (để thử và kiểm thử).")
    s.add_argument("output", help="Tệp .xlsx danh sách mẫu sẽ tạo")
    s.add_argument("--rows", type=int, default=500, help="Số dòng (mặc định 500)")
    s.add_argument("--seed", type=int, default=1,
                   help="Số khởi tạo ngẫu nhiên: cùng số cho cùng danh sách (mặc định 1)")
    s.add_argument("--hamlets", type=int, help="Số thôn/xóm (mặc định: ngẫu nhiên 5–40)")
    s.set_defaults(func=cmd_sample)

    from vaxclean_xl.commands.merge import add_merge_parser

    add_merge_parser(sub)

    from vaxclean_xl.commands.export_import import add_export_parser

    add_export_parser(sub)

    from vaxclean_xl.commands.police_list import add_police_parser

    add_police_parser(sub)

    from vaxclean_xl.commands.edit_list import add_edit_parser

    add_edit_parser(sub)

    from vaxclean_xl.commands.progress import add_progress_parser

    add_progress_parser(sub)

    from vaxclean_xl.excel.diagnostics import add_doctor_parser

    add_doctor_parser(sub)

    from vaxclean_xl.commands.build import add_build_parsers

    add_build_parsers(sub)

    d = sub.add_parser("demo", help="Chạy thử toàn bộ quy trình trên dữ liệu mẫu.")
    d.add_argument("--out", default="demo-output",
                   help="Thư mục ghi các tệp chạy thử (mặc định demo-output)")
    d.add_argument("--rows", type=int, default=800, help="Số dòng của danh sách mẫu (mặc định 800)")
    d.add_argument("--seed", type=int, default=2022,
                   help="Số khởi tạo ngẫu nhiên của danh sách mẫu (mặc định 2022)")
    d.set_defaults(func=cmd_demo)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except VaxcleanError as exc:
        print(f"Lỗi: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("Đã dừng theo yêu cầu.", file=sys.stderr)
        return 130
    except OSError as exc:  # a file problem anywhere: name the file and the likely cause
        from vaxclean_xl.errors import os_error_line

        print(f"Lỗi: {os_error_line(exc)}", file=sys.stderr)
        return EXIT_INPUT
    except Exception as exc:  # last resort: no traceback in the user's face
        from vaxclean_xl.logs import log_crash

        path = log_crash(exc, args.command)
        print(f"Lỗi không mong muốn ({type(exc).__name__}). Chi tiết kỹ thuật ghi tại: {path}",
              file=sys.stderr)
        return EXIT_INPUT
