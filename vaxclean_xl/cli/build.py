"""``vaxclean build-addin``, ``build-workbook`` and ``install-excel``: their options and
what they print (the work is commands.build)."""

from __future__ import annotations

import argparse
from typing import Any


def add_build_parsers(sub: Any) -> None:
    """Register build-addin, build-workbook and install-excel."""
    a = sub.add_parser("build-addin", help="Tạo add-in Excel (.xlam) có thẻ «Làm sạch TC».")
    a.add_argument("-o", "--output", default="vaxclean.xlam",
                   help="Tệp add-in sẽ tạo (mặc định vaxclean.xlam)")
    a.add_argument("--interpreter", help="Đường dẫn python(w).exe ghi vào cấu hình add-in")
    a.set_defaults(func=cmd_build_addin)
    w = sub.add_parser("build-workbook",
                       help="Tạo sổ điều khiển (.xlsm) có các nút, cài đặt và hướng dẫn.")
    w.add_argument("-o", "--output", default="VaxClean.xlsm",
                   help="Tệp sổ điều khiển sẽ tạo (mặc định VaxClean.xlsm)")
    w.add_argument("--interpreter", help="Đường dẫn python(w).exe ghi vào cấu hình")
    w.set_defaults(func=cmd_build_workbook)
    i = sub.add_parser("install-excel", help="(Windows) Cài add-in vào thư mục XLSTART.")
    i.add_argument("--dir", help="Thư mục đích (mặc định XLSTART của người dùng); add-in được "
                                 "tạo ở thư mục tạm bên cạnh rồi chuyển vào một lần")
    i.set_defaults(func=cmd_install_excel)


def cmd_build_addin(args: argparse.Namespace) -> int:
    """Print the add-in written; exit 0."""
    from vaxclean_xl.commands.build import build_addin

    built = build_addin(args.output, interpreter=args.interpreter)
    print(f"Đã tạo add-in: {built.path} ({len(built.modules)} mô-đun VBA)")
    return 0


def cmd_build_workbook(args: argparse.Namespace) -> int:
    """Print the control workbook written; exit 0."""
    from vaxclean_xl.commands.build import build_workbook

    built = build_workbook(args.output, interpreter=args.interpreter)
    print(f"Đã tạo sổ điều khiển: {built.path} ({len(built.modules)} mô-đun VBA)")
    return 0


def cmd_install_excel(args: argparse.Namespace) -> int:
    """Print where the add-in went and which Python its buttons use; exit 0 (2 when Excel
    holds the add-in open: the message asks to close Excel)."""
    from vaxclean_xl.commands.build import install_excel, interpreter_path

    interpreter = interpreter_path()
    path = install_excel(args.dir, interpreter=interpreter)
    print(f"Đã cài add-in vào: {path}")
    print(f"Trình Python dùng cho các nút: {interpreter}")
    print("Mở lại Excel để thấy thẻ «Làm sạch TC».")
    return 0
