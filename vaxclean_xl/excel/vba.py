"""Generate the ribbon XML and the VBA dispatch module from the button registry.

Why generated: the ribbon, the VBA callbacks and the Python dispatch must name the same
buttons; written by hand three times they drift. Templates live in
``templates/ribbon/`` (jinja2); the registry (:mod:`.registry`) fills them.

VBA source must be ASCII (the project code page is ANSI; see
``vaxclean_xl.addin.vbaproject``), so Vietnamese strings become ``ChrW`` expressions
(:func:`vba_string_literal`) and comments are folded to ASCII.
Build-time only: never imported on a click.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from vaxclean_xl.excel import registry
from vaxclean_xl.resources import resource_dir

TEMPLATE_DIR = resource_dir("templates") / "ribbon"
MACROS_DIR = resource_dir("macros")
RIBBON_TEMPLATE = "customUI14.xml.j2"
DISPATCH_TEMPLATE = "VaxcleanRibbon.bas.j2"
CUSTOMUI_NS = "http://schemas.microsoft.com/office/2009/07/customui"
VBA_LINE_LIMIT = 900  # the VBE accepts 1023 characters per line; keep a margin

VISIBLE_CALLBACK = "VaxcleanTabVisible"
"""getVisible callback of the control workbook's tab (hidden while the add-in is open)."""
ADDIN_FILE = f"{registry.ADDIN_PROJECT}.xlam"
"""The add-in's file name, as ``install-excel`` puts it in XLSTART."""
INSTALLER_CMD = "cai-dat.cmd"
"""The offline bundle's installer (Windows): a venv under %LOCALAPPDATA%\\vaxclean, then
``vaxclean install-excel``, which writes the interpreter path into the add-in's own
``vaxclean.conf`` sheet. That sheet is the one source of truth for the path (xlwings reads
it before any conf file), so every "no Python" text sends the user to this installer."""

_RERUN = (f"Hãy chạy lại tệp cài đặt «{INSTALLER_CMD}» trong bộ cài vaxclean (nhấp đúp vào "
          "tệp; không cần quyền quản trị), rồi đóng hẳn Excel và mở lại.")

VBA_TEXTS: dict[str, str] = {
    "title": registry.TAB_LABEL,
    "no_workbook": (
        "Hãy mở danh sách (tệp Excel) trước khi bấm nút. Nếu tệp đang mở ở chế độ chỉ xem "
        "(thanh vàng «Dạng xem được bảo vệ»), hãy bấm nút cho phép chỉnh sửa trên thanh đó "
        "rồi bấm lại."),
    "no_python": (
        f"Không tìm thấy Python mà các nút «{registry.TAB_LABEL}» dùng (đường dẫn ở dưới): "
        "Python hoặc thư mục cài vaxclean đã bị gỡ hay chuyển chỗ. " + _RERUN),
    "no_python_workbook": (
        "Tệp này là sổ điều khiển (.xlsm) có cấu hình riêng: sau khi cài lại, hãy dùng thẻ "
        f"«{registry.TAB_LABEL}» của add-in thay cho các nút trong sổ này."),
    "no_python_on_path": (
        "Máy này chưa có Python (không tìm thấy python.exe), nên các nút "
        f"«{registry.TAB_LABEL}» chưa chạy được. " + _RERUN),
    "python_store_stub": (
        "Lệnh «python» trên máy này chỉ là lối tắt mở Microsoft Store (đường dẫn ở dưới), "
        "chưa phải Python thật, nên các nút chưa chạy được. " + _RERUN
        + f" Tệp «{INSTALLER_CMD}» cho biết cần cài Python bản nào."),
    "run_failed": (
        "Excel không khởi động được Python. Thường là do chính sách bảo mật của cơ quan "
        "chặn Excel chạy chương trình khác. Hãy nhờ người quản trị máy cho phép, hoặc dùng "
        "lệnh vaxclean trong cửa sổ dòng lệnh (mọi nút đều có lệnh tương ứng)."),
    "run_error": (
        "Nút gặp lỗi trong Excel trước khi chạy được Python. Hãy lưu và đóng hẳn Excel, mở "
        "lại danh sách rồi bấm lại. Nếu vẫn lỗi, trong cửa sổ dòng lệnh chạy «vaxclean "
        "doctor» và gửi kết quả cùng dòng mã lỗi ở dưới cho người hỗ trợ."),
}
"""Vietnamese texts the hand-written VBA helpers show (keys used by VaxcleanText)."""


def vba_string_literal(text: str) -> str:
    """A VBA expression for ``text``: ASCII runs quoted, other letters ``ChrW(n)``.

    Uses the add-in builder's implementation (``vaxclean_xl.addin``) so both agree.
    """
    from vaxclean_xl.addin import vba_string_literal as literal

    return literal(text)


def ascii_fold(text: str) -> str:
    """'Kiểm tra danh sách' -> 'Kiem tra danh sach' (for VBA comments)."""
    for src, dst in (("đ", "d"), ("Đ", "D"), ("«", '"'), ("»", '"'), ("→", "->"),
                     ("…", "..."), ("–", "-"), ("—", "-")):
        text = text.replace(src, dst)
    decomposed = unicodedata.normalize("NFD", text)
    folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return folded.encode("ascii", "replace").decode("ascii")


def vba_assignments(var: str, text: str, limit: int = VBA_LINE_LIMIT) -> list[str]:
    """VBA statements assigning ``text`` to ``var`` in lines under ``limit`` characters."""
    lines: list[str] = []
    piece = ""
    for word in text.split(" "):
        candidate = f"{piece} {word}" if piece else word
        if piece and len(vba_string_literal(candidate)) + len(var) * 2 + 10 > limit:
            lines.append(piece + " ")
            piece = word
        else:
            piece = candidate
    lines.append(piece)
    out = []
    for i, part in enumerate(lines):
        expr = vba_string_literal(part)
        out.append(f"{var} = {expr}" if i == 0 else f"{var} = {var} & {expr}")
    return out


def _env(autoescape: bool):  # -> jinja2.Environment
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=autoescape,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )


def _checked() -> None:
    problems = registry.check_registry()
    if problems:
        raise ValueError("button registry: " + "; ".join(problems))


def ribbon_xml(*, workbook: bool = False) -> str:
    """``customUI/customUI14.xml`` (2009/07 namespace) for the add-in, or with
    ``workbook`` for the control workbook, whose tab hides while the add-in is open."""
    _checked()
    groups = [(g, registry.buttons_in(g.id)) for g in registry.GROUPS]
    return _env(True).get_template(RIBBON_TEMPLATE).render(
        tab_id=registry.TAB_ID, tab_label=registry.TAB_LABEL, groups=groups,
        callback=registry.DISPATCH_CALLBACK, visible_callback=VISIBLE_CALLBACK,
        workbook=workbook)


def dispatch_module() -> str:
    """Source of the generated VBA module (``Attribute VB_Name`` first, ASCII only)."""
    _checked()
    buttons = [
        {"id": b.id, "vba_sub": b.vba_sub, "comment": ascii_fold(f"{b.label}: {b.screentip}")}
        for b in registry.BUTTONS
    ]
    texts = [(key, vba_assignments("s", value)) for key, value in VBA_TEXTS.items()]
    text = _env(False).get_template(DISPATCH_TEMPLATE).render(
        module=registry.DISPATCH_MODULE, helpers=registry.HELPERS_MODULE,
        callback=registry.DISPATCH_CALLBACK, tab_label_ascii=ascii_fold(registry.TAB_LABEL),
        visible_callback=VISIBLE_CALLBACK, addin_file=ADDIN_FILE, buttons=buttons, texts=texts)
    if not text.isascii():
        raise ValueError("generated VBA is not ASCII")
    longest = max(len(line) for line in text.splitlines())
    if longest > 1023:
        raise ValueError(f"generated VBA has a line of {longest} characters (VBE limit 1023)")
    return text


def helpers_module() -> str:
    """The hand-written ``macros/VaxcleanHelpers.bas``."""
    text = (MACROS_DIR / f"{registry.HELPERS_MODULE}.bas").read_text(encoding="ascii")
    return text


def write_generated(outdir: str | Path) -> list[Path]:
    """Write ``customUI14.xml`` and ``VaxcleanRibbon.bas`` into ``outdir`` (for a build
    or for importing the module into a workbook by hand in the VBE)."""
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    xml = out / "customUI14.xml"
    bas = out / f"{registry.DISPATCH_MODULE}.bas"
    xml.write_text(ribbon_xml(), encoding="utf-8")
    bas.write_bytes(dispatch_module().replace("\r\n", "\n").replace("\n", "\r\n").encode("ascii"))
    return [xml, bas]


if __name__ == "__main__":  # python -m vaxclean_xl.excel.vba OUTDIR
    import sys

    for path in write_generated(sys.argv[1] if len(sys.argv) > 1 else "build/ribbon"):
        print(path)
