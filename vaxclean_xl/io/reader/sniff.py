"""What a file really is, before any library opens it.

Lists are often mis-named (an .xls saved as .xlsx, an HTML page called .xls, a workbook
with a password), so the format is told from the first bytes and the zip's members, not
the suffix; the Vietnamese errors for an unusable file (E101–E105) live here too.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from vaxclean_xl.errors import E, InputError

SUPPORTED_SUFFIXES: dict[str, str] = {
    ".xlsx": "xlsx",
    ".xlsm": "xlsm",
    ".xls": "xls",
    ".ods": "ods",
    ".csv": "csv",
}

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_LEGACY_FONT = re.compile(rb"<(?:\w+:)?(?:name|rFont)\s+val=\"(?:\.vn|vni)", re.IGNORECASE)


# The errors of a file that cannot be read at all: one Vietnamese line each, no content.


def err_missing(path: Path) -> InputError:
    return InputError(f"Không tìm thấy tệp «{path.name}».", code=E.FILE_MISSING)


def _err_format(path: Path) -> InputError:
    suffix = path.suffix or "(không có đuôi)"
    return InputError(
        f"Định dạng tệp {suffix} không được hỗ trợ; chỉ đọc được .xlsx, .xlsm, .xls, .ods, .csv.",
        code=E.UNSUPPORTED_FORMAT,
    )


def err_corrupt(path: Path) -> InputError:
    return InputError(
        f"Tệp «{path.name}» bị hỏng hoặc không phải bảng tính hợp lệ, không đọc được.",
        code=E.UNREADABLE,
    )


def err_encrypted(path: Path) -> InputError:
    return InputError(
        f"Tệp «{path.name}» được đặt mật khẩu; hãy mở bằng Excel, gỡ mật khẩu, lưu lại rồi "
        "chạy lại.",
        code=E.PASSWORD,
    )


def err_empty(path: Path) -> InputError:
    return InputError(f"Tệp «{path.name}» không có dữ liệu (bảng tính trống).", code=E.EMPTY)


@dataclass(slots=True)
class Kind:
    """The format the content shows, and whether its styles name a legacy font."""

    fmt: str
    legacy_fonts: bool = False


def sniff(path: Path) -> Kind:
    """Check existence, extension and the real content (files are often mis-named)."""
    if path.is_dir():
        raise InputError(f"«{path}» là một thư mục, không phải tệp danh sách; hãy chọn tệp "
                         "Excel (.xlsx, .xls, .ods) hoặc CSV.", code=E.FILE_MISSING)
    if not path.exists() or not path.is_file():
        raise err_missing(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise _err_format(path)
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise err_missing(path) from exc
    if not head:
        raise err_empty(path)
    if suffix == ".csv":
        return Kind("csv")
    if head.startswith(_OLE_MAGIC):
        # Encrypted .xlsx files are OLE containers too, not zips.
        if _is_encrypted(path):
            raise err_encrypted(path)
        return Kind("xls")
    if head.startswith(_ZIP_MAGIC):
        return _sniff_zip(path, suffix)
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        raise InputError(
            f"Tệp «{path.name}» thực chất là trang HTML/XML được đặt đuôi {suffix}; hãy mở "
            "bằng Excel rồi lưu lại dạng .xlsx.",
            code=E.UNSUPPORTED_FORMAT,
        )
    raise err_corrupt(path)


def _is_encrypted(path: Path) -> bool:
    try:
        import msoffcrypto

        with path.open("rb") as fh:
            return bool(msoffcrypto.OfficeFile(fh).is_encrypted())
    except Exception:  # not an Office file msoffcrypto knows: let calamine decide
        return False


def _sniff_zip(path: Path, suffix: str) -> Kind:
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            if "mimetype" in names and b"opendocument" in zf.read("mimetype"):
                return Kind("ods")
            if not any(n.startswith("xl/") for n in names):
                raise err_corrupt(path)
            legacy = "xl/styles.xml" in names and bool(
                _LEGACY_FONT.search(zf.read("xl/styles.xml"))
            )
    except (zipfile.BadZipFile, OSError, KeyError, EOFError, ValueError) as exc:
        raise err_corrupt(path) from exc
    fmt = "xlsm" if suffix == ".xlsm" or "xl/vbaProject.bin" in names else "xlsx"
    return Kind(fmt, legacy)
