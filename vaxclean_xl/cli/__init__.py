"""The ``vaxclean`` command: every parser and every printed result lives in this package.

Why one package: a command module under ``vaxclean_xl.commands`` only does the work and
returns an outcome; the module here of the same name holds its argparse parser and its
renderer (what it prints and its exit code). :func:`build_parser` registers them all.

Exit codes: 0 no record has an error; 1 some records have errors (outputs written);
2 the input could not be processed (one Vietnamese line on stderr, nothing written).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from vaxclean_xl import __version__
from vaxclean_xl.errors import E, VaxcleanError

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
    """``--map field=COLUMN`` options as a dict (None when there are none)."""
    if not items:
        return None
    out: dict[str, str] = {}
    for item in items:
        field, sep, column = item.partition("=")
        if not sep or not field.strip() or not column.strip():
            raise VaxcleanError(
                f"--map cần dạng trường=CỘT (ví dụ id_number=E), không phải «{item}».",
                code=E.MAP_OPTION)
        out[field.strip()] = column.strip()
    return out


_MAP_HELP = "Chỉ định cột cho một trường, ví dụ id_number=E (dùng nhiều lần)"
_SHEET_HELP = "Tên trang tính chứa danh sách"
_SETTINGS_HELP = "Tệp cài đặt (.toml hoặc .json)"
_BASELINE_HELP = "Báo cáo JSON của lệnh validate (--json) trên danh sách GỐC, trước khi sửa"


def add_list_options(p: argparse.ArgumentParser, *, settings: str | None = _SETTINGS_HELP,
                     sheet: bool = True, mapping: bool = True) -> None:
    """The options of every command that reads a list, with the same meaning everywhere:
    ``--settings`` (its help may say what the command takes from it; None: no option),
    ``--sheet`` and ``--map``."""
    if settings is not None:
        p.add_argument("--settings", help=settings)
    if sheet:
        p.add_argument("--sheet", help=_SHEET_HELP)
    if mapping:
        p.add_argument("--map", action="append", metavar="TRƯỜNG=CỘT", help=_MAP_HELP)


def add_output_option(p: argparse.ArgumentParser, suffix: str,
                      beside: str = "tệp đầu vào") -> None:
    """``-o/--output``: the .xlsx a command writes, by default '<stem><suffix>' beside its
    input."""
    p.add_argument("-o", "--output",
                   help=f"Tệp .xlsx kết quả (mặc định <tên>{suffix} cạnh {beside})")


def list_command(subparsers: Any, name: str, help_text: str, input_help: str,
                 suffix: str) -> argparse.ArgumentParser:
    """A command that reads one list and writes '<stem><suffix>' beside it: its parser with
    the input and ``-o/--output`` (the caller adds its own options, then the list ones)."""
    p = subparsers.add_parser(name, help=help_text)
    p.add_argument("input", help=input_help)
    add_output_option(p, suffix)
    return p


def add_baseline_option(p: argparse.ArgumentParser, effect: str) -> None:
    """``--baseline``: everywhere the ``validate --json`` report of the ORIGINAL list (the
    groups the records were in before any correction); ``effect`` says what the command
    does with it. (edit-list's platform export is ``--original``, a list, not a report.)"""
    p.add_argument("--baseline", help=f"{_BASELINE_HELP}: {effect}")


def build_parser() -> argparse.ArgumentParser:
    """The ``vaxclean`` parser with every command registered."""
    from vaxclean_xl.cli import (
        build,
        bundle,
        demo,
        doctor,
        edit_list,
        export_import,
        merge,
        passport,
        police_list,
        progress,
        sample,
        split,
        validate,
    )
    from vaxclean_xl.cli.argparse_vi import VietnameseArgumentParser

    p = VietnameseArgumentParser(
        prog="vaxclean",
        description="Làm sạch dữ liệu tiêm chủng COVID-19 theo quy trình của Bộ Y tế (2022).",
    )
    p.add_argument("--version", action="version", version=f"vaxclean {__version__}",
                   help="Hiện số phiên bản rồi thoát")
    sub = p.add_subparsers(dest="command", required=True, metavar="LỆNH")
    registrars: list[Callable[[Any], object]] = [
        validate.add_validate_parser, split.add_split_parser, sample.add_sample_parser,
        merge.add_merge_parser, export_import.add_export_parser,
        police_list.add_police_parser, edit_list.add_edit_parser,
        passport.add_passport_parser,
        progress.add_progress_parser, doctor.add_doctor_parser, build.add_build_parsers,
        bundle.add_bundle_parser,
        demo.add_demo_parser,
    ]
    for register in registrars:
        register(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run one ``vaxclean`` command; every failure is one Vietnamese line and an exit code."""
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
