"""``vaxclean build-addin``, ``build-workbook`` and ``install-excel``: the macro files,
built from ``macros/*.bas``, the generated dispatch module and the installed xlwings'
own VBA runtime, reproducibly, without Excel.
"""

from __future__ import annotations

import errno
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from vaxclean_xl.errors import E, VaxcleanError
from vaxclean_xl.io.atomic import atomic_path

CONFIG_SHEET_SUFFIX = ".conf"  # xlwings reads '<PROJECT_NAME>.conf' from the workbook
CONTROL_SHEET = "Bảng điều khiển"
FILE_MODE = 0o644
"""Mode of a built file: the temp it is written to is 0600 (mkstemp); an add-in shared on a
station PC or copied by an installer must be readable by the other users."""


@dataclass(frozen=True, slots=True)
class BuiltFile:
    path: Path
    modules: list[str]


def xlwings_runtime() -> tuple[str, str]:
    """(runtime module source, Dictionary class source) from the installed xlwings, with
    its PROJECT_NAME set to ours (as ``xlwings quickstart --addin`` does by hand)."""
    try:
        import xlwings
    except ImportError as exc:
        raise VaxcleanError("Chưa cài xlwings: chạy pip install 'vaxclean-xl[excel]'.",
                            code=E.XLWINGS_MISSING) from exc
    from vaxclean_xl.excel import registry

    root = Path(xlwings.__file__).resolve().parent
    runtime = (root / "xlwings_custom_addin.bas").read_text(encoding="utf-8")
    runtime, n = _set_project_name(runtime, registry.ADDIN_PROJECT)
    if n != 1:
        raise VaxcleanError("Không nhận ra mã VBA của xlwings đã cài.", code=E.XLWINGS_VBA_UNKNOWN)
    dictionary = (root / "addin" / "Dictionary.cls").read_text(encoding="utf-8")
    return runtime, dictionary


def _set_project_name(source: str, name: str) -> tuple[str, int]:
    import re

    return re.subn(r'(Public Const PROJECT_NAME As String = )"[^"]*"', rf'\1"{name}"', source)


def vba_modules(sheet_count: int) -> list:
    """Every module of the project: runtime, class, generated dispatch, macros/*.bas."""
    from vaxclean_xl.addin.vbaproject import VbaModule, load_module
    from vaxclean_xl.excel import registry, vba

    runtime, dictionary = xlwings_runtime()
    modules = [VbaModule("ThisWorkbook", "", "document")]
    modules += [VbaModule(f"Sheet{i}", "", "document") for i in range(1, sheet_count + 1)]
    modules += [VbaModule("xlwings", runtime, "standard"),
                VbaModule("Dictionary", dictionary, "class"),
                VbaModule(registry.DISPATCH_MODULE, vba.dispatch_module(), "standard")]
    for path in sorted(vba.MACROS_DIR.glob("*.bas")):
        modules.append(load_module(path))
    return modules


def _config_rows(interpreter: str | None) -> list[tuple[str, str]]:
    rows = [("SHOW CONSOLE", "False")]
    if interpreter:
        rows.insert(0, ("INTERPRETER_WIN", interpreter))
    return rows


def _write_config(wb: object, interpreter: str | None) -> None:
    from vaxclean_xl.excel import registry

    ws = wb.add_worksheet(registry.ADDIN_PROJECT + CONFIG_SHEET_SUFFIX)  # type: ignore[attr-defined]
    for r, (k, v) in enumerate(_config_rows(interpreter)):
        ws.write_string(r, 0, k)
        ws.write_string(r, 1, v)
    return ws


def build_addin(output: str | Path, *, interpreter: str | None = None) -> BuiltFile:
    """The add-in (.xlam): ribbon tab + VBA; one config sheet."""
    from vaxclean_xl.addin.package import write_macro_file
    from vaxclean_xl.addin.vbaproject import build_vba_project
    from vaxclean_xl.excel import registry, vba

    out = Path(output)
    modules = vba_modules(sheet_count=1)
    bin_ = build_vba_project(modules, project_name=registry.ADDIN_PROJECT)

    def fill(wb: object) -> None:
        ws = _write_config(wb, interpreter)
        ws.set_vba_name("Sheet1")

    with atomic_path(out) as tmp:
        write_macro_file(tmp, vba_bin=bin_, ribbon_xml=vba.ribbon_xml(), addin=True,
                         fill=fill, title="vaxclean - Làm sạch dữ liệu tiêm chủng")
        os.chmod(tmp, FILE_MODE)
    return BuiltFile(out, [m.name for m in modules])


def build_workbook(output: str | Path, *, interpreter: str | None = None) -> BuiltFile:
    """The standalone control workbook (.xlsm): same ribbon and VBA, a control sheet with
    the same actions as form buttons, the settings sheet and the guide."""
    from vaxclean_xl.addin.package import write_macro_file
    from vaxclean_xl.addin.vbaproject import build_vba_project
    from vaxclean_xl.excel import registry, vba
    from vaxclean_xl.settings import LABELS_VI, SETTINGS_SHEET

    out = Path(output)
    modules = vba_modules(sheet_count=4)
    bin_ = build_vba_project(modules, project_name=registry.ADDIN_PROJECT)

    def fill(wb) -> None:  # noqa: ANN001 - an XlsxWriter workbook
        title = wb.add_format({"bold": True, "font_size": 16, "font_name": "Times New Roman"})
        note = wb.add_format({"italic": True, "font_name": "Times New Roman"})
        head = wb.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1})
        cell = wb.add_format({"border": 1, "num_format": "@", "locked": False})
        control = wb.add_worksheet(CONTROL_SHEET)
        control.set_vba_name("Sheet1")
        control.write_string(0, 0, "VAXCLEAN — LÀM SẠCH DỮ LIỆU TIÊM CHỦNG COVID-19", title)
        control.write_string(1, 0, "Mở danh sách cần làm rồi bấm nút; các nút này giống các "
                                   f"nút trên thẻ «{registry.TAB_LABEL}».", note)
        control.set_column(0, 0, 4)
        control.set_column(1, 1, 34)
        control.set_column(2, 2, 80)
        row = 3
        for group in registry.GROUPS:
            control.write_string(row, 1, group.label, head)
            row += 1
            for b in registry.buttons_in(group.id):
                control.insert_button(row, 1, {"macro": b.vba_sub, "caption": b.label,
                                               "width": 230, "height": 26})
                control.write_string(row, 2, b.screentip)
                control.set_row(row, 22)
                row += 2
        settings = wb.add_worksheet(SETTINGS_SHEET)
        settings.set_vba_name("Sheet2")
        settings.set_column(0, 0, 34)
        settings.set_column(1, 1, 40)
        settings.write_row(0, 0, ["Mục", "Giá trị"], head)
        for r, label in enumerate(LABELS_VI.values(), start=1):
            settings.write_string(r, 0, label)
            settings.write_blank(r, 1, None, cell)
        guide = wb.add_worksheet("Hướng dẫn")
        guide.set_vba_name("Sheet3")
        guide.set_column(0, 0, 120)
        for r, line in enumerate(_guide_lines()):
            guide.write_string(r, 0, line)
        conf = _write_config(wb, interpreter)
        conf.set_vba_name("Sheet4")
        conf.hide()
        control.activate()

    with atomic_path(out) as tmp:
        write_macro_file(tmp, vba_bin=bin_, ribbon_xml=vba.ribbon_xml(workbook=True),
                         addin=False, fill=fill, title="vaxclean - Bảng điều khiển")
        os.chmod(tmp, FILE_MODE)
    return BuiltFile(out, [m.name for m in modules])


def _guide_lines() -> list[str]:
    from vaxclean_xl.excel.buttons import guide_path

    path = guide_path()
    if path is None:
        return ["Xem hướng dẫn sử dụng trong thư mục docs của vaxclean."]
    return [line.rstrip() for line in path.read_text(encoding="utf-8").splitlines()]


def xlstart_dir() -> Path:
    """Excel's per-user start-up folder (Windows)."""
    appdata = os.environ.get("APPDATA")
    if not appdata:
        raise VaxcleanError("Không tìm thấy thư mục APPDATA: lệnh này chỉ dùng trên Windows.",
                            code=E.WINDOWS_ONLY)
    return Path(appdata) / "Microsoft" / "Excel" / "XLSTART"


def interpreter_path() -> str:
    """pythonw.exe beside the running interpreter when there is one (no console window)."""
    exe = Path(sys.executable)
    windowed = exe.with_name("pythonw.exe")
    return str(windowed if windowed.exists() else exe)


def install_excel(target_dir: str | Path | None = None, *,
                  interpreter: str | None = None) -> Path:
    """Build the add-in with this environment's interpreter and move it into XLSTART.

    Excel opens every file in XLSTART when it starts, so nothing but the finished add-in
    may ever appear there: it is built in a temporary folder beside XLSTART (same disk,
    so the final rename is atomic) and moved in by one rename. An add-in Excel holds open
    cannot be replaced: that is reported (close Excel) and the installed one stays.
    ``target_dir`` replaces XLSTART (tests, or an installer that knows better).
    """
    from vaxclean_xl.excel.vba import ADDIN_FILE

    if sys.platform != "win32" and target_dir is None:
        raise VaxcleanError("Cài vào Excel chỉ làm được trên Windows (thư mục XLSTART). "
                            "Trên máy khác dùng: vaxclean build-addin -o vaxclean.xlam",
                            code=E.WINDOWS_ONLY)
    folder = Path(target_dir) if target_dir else xlstart_dir()
    target = folder / ADDIN_FILE
    if target.is_dir():
        raise VaxcleanError(f"Không cài được add-in: «{target}» là một thư mục. Hãy xoá hoặc "
                            "đổi tên thư mục đó rồi chạy lại.", code=E.PATH_IS_FOLDER)
    try:
        folder.mkdir(parents=True, exist_ok=True)  # a new profile has no XLSTART yet
        staging = Path(tempfile.mkdtemp(prefix=".vaxclean-install-", dir=folder.parent))
    except OSError as exc:
        raise _install_error(folder, exc) from exc
    try:
        built = build_addin(staging / ADDIN_FILE,
                            interpreter=interpreter or interpreter_path()).path
        _refuse_held_open(target)
        try:
            os.replace(built, target)
        except OSError as exc:
            raise _install_error(target, exc) from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _held_open(exc: OSError, target: Path) -> bool:
    """True when ``exc`` (replacing ``target``) means another program holds the file:
    Windows' sharing violation or lock violation, access denied on an existing file (what
    Excel's open add-in gives), a busy file elsewhere."""
    if getattr(exc, "winerror", None) in (32, 33):
        return True
    if exc.errno in (errno.EBUSY, errno.ETXTBSY):
        return True
    return isinstance(exc, PermissionError) and target.is_file()


def _install_error(path: Path, exc: OSError) -> VaxcleanError:
    """The Vietnamese message for a failed install step on ``path`` (exit 2)."""
    from vaxclean_xl.errors import os_error_cause

    if _held_open(exc, path):
        return VaxcleanError(f"Không thay được add-in «{path}»: Excel đang mở nó. Hãy đóng mọi "
                             "cửa sổ Excel rồi chạy lại lệnh cài đặt.", code=E.FILE_IN_USE)
    cause, code = os_error_cause(exc)
    return VaxcleanError(f"Không cài được add-in vào «{path}»: {cause}.", code=code)


def _refuse_held_open(target: Path) -> None:
    """Ask to close Excel before touching ``target`` when another program holds it open
    (Excel opens its files without sharing writes: opening for writing fails)."""
    if not target.is_file():
        return
    try:
        with open(target, "r+b"):
            pass
    except OSError as exc:
        raise _install_error(target, exc) from exc
