"""Station settings entered once and used by every output (titles, signatures, deadlines).

Two sources, in this order: an explicit settings file (TOML or JSON, English keys), then a
sheet named "Cài đặt" in the user's workbook (column A a Vietnamese label or the English
key, column B the value). Missing values stay empty: outputs leave a blank to fill by hand.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path

from vaxclean_xl.errors import E, InputError
from vaxclean_xl.notices import notify

SETTINGS_SHEET = "Cài đặt"


@dataclass(slots=True)
class Settings:
    province: str = ""
    district: str = ""
    commune: str = ""
    station: str = ""
    police_unit: str = ""
    preparer: str = ""  # người lập biểu
    station_head: str = ""  # trưởng trạm
    police_head: str = ""  # trưởng công an xã
    hamlet_return_to: str = ""  # whom hamlets return files to (name, phone)
    deadline: str = ""  # e.g. "30/11/2026"
    province_code: str = ""
    district_code: str = ""
    ward_code: str = ""
    priority_group: str = ""  # default priority group code for the import file
    # a station's own vaccine spellings: alias -> the vaccine (platform spelling or a
    # spelling the catalogue knows); checked against the catalogue when loaded
    vaccine_aliases: dict[str, str] = field(default_factory=dict)
    # the platform's import template (.xls/.xlsx) used by export-import when no --template
    # is given; a relative path is taken from the settings file's folder (the list's folder
    # for the "Cài đặt" sheet), made absolute when the settings are loaded
    import_template: str = ""


LABELS_VI: dict[str, str] = {
    "province": "Tỉnh/Thành phố",
    "district": "Quận/Huyện",
    "commune": "Xã/Phường",
    "station": "Trạm Y tế",
    "police_unit": "Công an xã/phường",
    "preparer": "Người lập biểu",
    "station_head": "Trưởng Trạm Y tế",
    "police_head": "Trưởng Công an xã",
    "hamlet_return_to": "Gửi lại cho (tên, điện thoại)",
    "deadline": "Hạn gửi lại",
    "province_code": "Mã tỉnh",
    "district_code": "Mã huyện",
    "ward_code": "Mã xã",
    "priority_group": "Mã nhóm ưu tiên mặc định",
    "vaccine_aliases": "Tên gọi khác của vắc xin",
    "import_template": "Tệp mẫu import của Nền tảng",
}
_BY_LABEL = {" ".join(v.casefold().split()): k for k, v in LABELS_VI.items()}
_KEYS = {f.name for f in fields(Settings)}


CODE_KEYS: tuple[str, ...] = ("province_code", "district_code", "ward_code")
_CODE_EXAMPLE = {"province_code": "01", "district_code": "001", "ward_code": "00001"}
_SYNTAX_HINT = {
    "toml": 'mỗi dòng một mục dạng khóa = giá trị, chữ đặt trong dấu ngoặc kép (ví dụ '
            'commune = "An Bình")',
    "json": 'JSON cần dạng {"khóa": "giá trị", …}, chữ trong dấu ngoặc kép, các mục cách '
            "nhau bằng dấu phẩy, không có dấu phẩy sau mục cuối",
}


def _number_text(value: object) -> str:
    """A number as typed: 1 -> "1", 1.0 -> "1"."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _key_line(text: str, key: str, fmt: str) -> int | None:
    """Line number (1-based) where ``key`` is set in the settings text, if found."""
    k = re.escape(key)
    pattern = rf'^[ \t]*(?:{k}|"{k}"|\'{k}\')[ \t]*=' if fmt == "toml" else rf'"{k}"\s*:'
    m = re.search(pattern, text, re.MULTILINE)
    return text.count("\n", 0, m.start()) + 1 if m else None


def _at(line: int | None) -> str:
    return f" (dòng {line})" if line else ""


def _code_notice(key: str, value: object, where: str, fmt: str) -> str:
    """Why a code typed as a number is a problem and what is done with it (kept as typed
    here; the import file pads it to its spec's width, e.g. "01")."""
    shown = _number_text(value)
    example = _CODE_EXAMPLE[key]
    if fmt == "sheet":
        how = f"định dạng ô là Văn bản (Text) rồi gõ lại, ví dụ {example}"
    else:
        form = f'{key} = "{example}"' if fmt == "toml" else f'"{key}": "{example}"'
        how = f"viết mã trong dấu ngoặc kép, ví dụ {form}"
    return (f"{where}: {LABELS_VI[key]} ({key}) được ghi dạng số ({shown}), nên số 0 ở đầu "
            f"mã (nếu có) đã mất. Tệp import (export-import) tự thêm số 0 ở đầu cho đủ độ "
            f"dài mã (như {example}); để mã được ghi đúng như ý: hãy {how}.")


ALIASES_KEY = "vaccine_aliases"


def parse_vaccine_aliases(value: object, origin: str) -> dict[str, str]:
    """A station's vaccine aliases: a mapping (TOML table, JSON object) or a text
    "Vắc xin TQ = Vero Cell; Astra Zen = AstraZeneca" (the "Cài đặt" sheet), each target
    checked against the vaccine catalogue; raises InputError naming what is wrong."""
    from vaxclean_xl.core.doses import CatalogueError, load_catalogue, with_aliases

    pairs: dict[str, str] = {}
    if isinstance(value, Mapping):
        items = [(str(k), str(v)) for k, v in value.items()]
    elif isinstance(value, str):
        items = []
        for part in re.split(r"[;\n]", value):
            if not part.strip():
                continue
            alias, eq, target = part.partition("=")
            if not eq or not alias.strip() or not target.strip():
                raise InputError(f"{origin}: mục «{LABELS_VI[ALIASES_KEY]}» ({ALIASES_KEY}) "
                                 "ghi mỗi tên dạng tên gọi khác = tên vắc xin, cách nhau bằng "
                                 "dấu chấm phẩy, ví dụ: Vắc xin TQ = Vero Cell; "
                                 "Astra Zen = AstraZeneca.", code=E.SETTINGS)
            items.append((alias, target))
    else:
        raise InputError(f"{origin}: mục {ALIASES_KEY} phải là bảng tên gọi khác = tên vắc "
                         "xin.", code=E.SETTINGS)
    for alias, target in items:
        pairs[" ".join(alias.split())] = " ".join(target.split())
    try:
        with_aliases(load_catalogue(), pairs)
    except CatalogueError as exc:
        raise InputError(f"{origin}: {exc}", code=E.SETTINGS) from exc
    return pairs


def _from_mapping(data: dict[str, object], origin: str, text: str = "",
                  fmt: str = "toml") -> Settings:
    unknown = [k for k in data if k not in _KEYS]
    if unknown:
        listed = ", ".join(f"{k}{_at(_key_line(text, k, fmt))}" for k in unknown)
        raise InputError(f"Tệp cài đặt «{origin}» có mục không hợp lệ: {listed}. Các mục "
                         f"hợp lệ: {', '.join(f.name for f in fields(Settings))}.",
                         code=E.SETTINGS)
    for key in CODE_KEYS:
        if _is_number(data.get(key)):
            line = _key_line(text, key, fmt)
            where = f"Tệp cài đặt «{origin}»" + (f", dòng {line}" if line else "")
            notify(_code_notice(key, data[key], where, fmt))
    data = dict(data)
    aliases = data.pop(ALIASES_KEY, None)
    out = Settings(**{k: (_number_text(v) if _is_number(v) else str(v)).strip()
                      for k, v in data.items()})
    if aliases:
        out.vaccine_aliases = parse_vaccine_aliases(aliases, f"Tệp cài đặt «{origin}»")
    return out


def _syntax_error(path: Path, exc: ValueError, raw: bytes, fmt: str) -> InputError:
    """The settings file's syntax error with its line (and column) in Vietnamese."""
    line = col = None
    if isinstance(exc, UnicodeDecodeError):
        line = raw.count(b"\n", 0, exc.start) + 1
        return InputError(f"Tệp cài đặt «{path.name}» không phải văn bản UTF-8 (lỗi ở dòng "
                          f"{line}); hãy lưu lại với bảng mã UTF-8.", code=E.SETTINGS)
    if isinstance(exc, json.JSONDecodeError):
        line, col = exc.lineno, exc.colno
    elif getattr(exc, "lineno", None):  # tomllib from Python 3.14 on
        line, col = exc.lineno, getattr(exc, "colno", None)  # type: ignore[attr-defined]
    elif m := re.search(r"at line (\d+), column (\d+)", str(exc)):
        line, col = int(m.group(1)), int(m.group(2))
    elif "end of document" in str(exc):
        line = raw.count(b"\n") + 1
    at = f" ở dòng {line}" + (f", cột {col}" if col else "") if line else ""
    return InputError(f"Tệp cài đặt «{path.name}» sai cú pháp{at}: {_SYNTAX_HINT[fmt]}.",
                      code=E.SETTINGS)


PATH_KEYS: tuple[str, ...] = ("import_template",)


def anchor_paths(settings: Settings, folder: Path) -> Settings:
    """Relative file paths in ``settings`` made absolute from ``folder`` (the settings
    file's folder, or the list's for its "Cài đặt" sheet): the station writes "mau.xls"
    beside its settings and any command, run from anywhere, finds it."""
    for key in PATH_KEYS:
        value = getattr(settings, key)
        if value:
            path = Path(value).expanduser()
            setattr(settings, key, str(path if path.is_absolute() else folder / path))
    return settings


def load_settings_file(path: str | Path) -> Settings:
    """Settings from a .toml or .json file; a syntax error or an unknown key names its
    line, a code typed as a number is reported with :func:`~vaxclean_xl.notices.notify`."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"Không đọc được tệp cài đặt «{path.name}».", code=E.SETTINGS) from exc
    fmt = "toml" if path.suffix.lower() == ".toml" else "json"
    try:
        text = raw.decode("utf-8-sig")
        data = tomllib.loads(text) if fmt == "toml" else json.loads(text)
    except ValueError as exc:  # UnicodeDecodeError, TOMLDecodeError, JSONDecodeError
        raise _syntax_error(path, exc, raw, fmt) from exc
    if not isinstance(data, dict):
        raise InputError(f"Tệp cài đặt «{path.name}» sai cú pháp: {_SYNTAX_HINT[fmt]}.",
                         code=E.SETTINGS)
    return anchor_paths(_from_mapping(data.get("vaxclean", data), path.name, text, fmt),
                        path.parent)


def settings_from_rows(rows: list[list[object]]) -> Settings:
    """Settings from the rows of a 'Cài đặt' sheet (label or key in A, value in B)."""
    out = Settings()
    for row in rows:
        if len(row) < 2 or not isinstance(row[0], str):
            continue
        label = " ".join(row[0].casefold().split()).rstrip(":")
        key = _BY_LABEL.get(label) or (label if label in _KEYS else None)
        if key == ALIASES_KEY and row[1] not in (None, ""):
            out.vaccine_aliases = parse_vaccine_aliases(row[1], f"Trang «{SETTINGS_SHEET}»")
        elif key and row[1] not in (None, ""):
            value = row[1]
            if key in CODE_KEYS and _is_number(value):
                notify(_code_notice(key, value, f"Trang «{SETTINGS_SHEET}»", "sheet"))
            setattr(out, key, (_number_text(value) if _is_number(value) else str(value)).strip())
    return out


def load_settings(settings_file: str | Path | None = None,
                  workbook: str | Path | None = None) -> Settings:
    """The explicit file wins; else the workbook's 'Cài đặt' sheet; else empty settings."""
    if settings_file:
        return load_settings_file(settings_file)
    if workbook and Path(workbook).suffix.lower() in (".xlsx", ".xlsm", ".xls", ".ods"):
        try:
            from python_calamine import CalamineWorkbook

            wb = CalamineWorkbook.from_path(str(workbook))
            if SETTINGS_SHEET in wb.sheet_names:
                return anchor_paths(settings_from_rows(
                    wb.get_sheet_by_name(SETTINGS_SHEET).to_python()), Path(workbook).parent)
        except Exception:  # the reader reports unreadable workbooks with a proper message
            return Settings()
    return Settings()
